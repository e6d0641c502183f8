"""Run the stock devd rule that laggroam's own rule shadowed, as devd would have.

devd runs only the first matching rule of an event (freebsd-src
sbin/devd/devd.cc find_and_execute), so laggroam's rules at priority 100 keep
the stock ones -- ``service dhclient quietstart $subsystem`` on LINK_UP,
``/etc/pccard_ether $subsystem start`` on ATTACH, ``/etc/rc.resume`` on ACPI
Resume -- from running.  This module finds the rule devd would have chosen
had laggroam's rules not been there, expands its actions with devd's quoting,
and runs them one after the other with ``/bin/sh -c``, as devd's my_system
does.  It is the one place laggroam hands a string to a shell; the string
comes only from root-owned devd configuration.  It runs in the daemon or the
one-shot reconcile, never in the hook, so devd itself is not held.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from laggroam import devdconf, devdmatch
from laggroam.devdline import DevdEvent
from laggroam.host import Host
from laggroam.runner import Result, run

log = logging.getLogger(__name__)

DEVD_CONF = "/etc/devd.conf"
CHAIN_TIMEOUT = 60.0
# laggroam's hooks live here once installed; a rule whose action runs one of
# them is laggroam's own, whatever the name of the file it sits in.
HOOK_MARK = "/libexec/laggroam/"
# devd's actions inherit rc's environment (usr.sbin/service/service.sh starts
# devd with env -i HOME=/ PATH=/sbin:/bin:/usr/sbin:/usr/bin).
DEVD_PATH = "/sbin:/bin:/usr/sbin:/usr/bin"


@dataclass(frozen=True, slots=True)
class Chained:
    """What chaining did: the stock rule found (file:line) and each command's result."""

    rule: str | None
    results: tuple[Result, ...] = ()
    error: str | None = None


def media_type(host: Host, ifname: str) -> str | None:
    """The media type devd's ``media-type`` tests, read off ifconfig's media line.

    ifconfig prints the ifmedia type description first: "Ethernet", "IEEE
    802.11 Wireless Ethernet", "ATM" (freebsd-src sbin/ifconfig/ifmedia.c);
    devd compares the IFM_TYPE of the active media (sbin/devd/devd.cc media).
    """
    iface = host.get(ifname)
    media = iface.media if iface is not None else None
    if not media:
        return None
    if media.startswith("IEEE 802.11"):
        return "802.11"
    if media.startswith("Ethernet"):
        return "Ethernet"
    if media.startswith("ATM"):
        return "ATM"
    return None


def own_files(config: devdconf.Config) -> list[str]:
    """The devd files that hold laggroam's rules."""
    return [
        f.path
        for f in config.files
        if any(HOOK_MARK in a.command for r in f.rules for a in r.actions)
    ]


def load(root: Path | None = None) -> devdconf.Config:
    """The host's devd configuration, read as devd reads it."""
    conf = Path(DEVD_CONF) if root is None else root / DEVD_CONF.lstrip("/")
    return devdconf.load_devd(conf, root=root)


def chain(
    event: DevdEvent,
    media_of: Callable[[str], str | None],
    *,
    root: Path | None = None,
    sh: str = "/bin/sh",
    path: str = DEVD_PATH,
) -> Chained:
    """Run the shadowed stock rule's actions for ``event``; never raises."""
    try:
        config = load(root)
    except (devdconf.DevdConfError, OSError) as exc:
        log.warning("devd configuration unreadable, stock rule not run: %s", exc)
        return Chained(None, error=str(exc))
    mine = own_files(config)
    rule = devdmatch.find_rule_excluding(config, event, media_of, mine)
    if rule is None:
        log.debug("no stock devd rule for %s", event.line)
        return Chained(None)
    where = f"{rule.path}:{rule.line}"
    if any(HOOK_MARK in a.command for a in rule.actions):
        log.warning("%s: a laggroam rule outside laggroam's files; not chained", where)
        return Chained(where, error="laggroam's own rule")
    results = []
    for command in devdmatch.rule_commands(config, rule, event):
        # devd.cc my_system: fork, execl("/bin/sh", "sh", "-c", cmd), wait.
        result = run([sh, "-c", command], timeout=CHAIN_TIMEOUT, env={"HOME": "/", "PATH": path})
        log.info("chained %s: %s", where, result.describe())
        results.append(result)
    return Chained(where, tuple(results))
