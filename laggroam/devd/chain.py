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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from laggroam.core.host import Host
from laggroam.devd import devdconf, devdmatch
from laggroam.devd.devdline import DevdEvent
from laggroam.edge.runner import Result, run

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


def lazy_media(observe: Callable[[], Host]) -> Callable[[str], str | None]:
    """The media type of an interface, from one observation made at the first question.

    Only a rule with ``media-type`` asks, so an event whose rules test none
    costs no ``ifconfig -a``; a host that cannot be observed has no media
    types, as when SIOCGIFMEDIA fails.
    """
    from laggroam.edge.system import ObserveError

    observed: list[Host | None] = []
    media: dict[str, str | None] = {}

    def media_of(name: str) -> str | None:
        if not observed:
            try:
                observed.append(observe())
            except ObserveError as exc:
                log.warning("media types unknown for chaining: %s", exc)
                observed.append(None)
        host = observed[0]
        if name not in media:
            media[name] = media_type(host, name) if host is not None else None
        return media[name]

    return media_of


def own_files(config: devdconf.Config) -> list[str]:
    """The devd files that hold laggroam's rules."""
    return [
        f.path
        for f in config.files
        if any(HOOK_MARK in a.command for r in f.rules for a in r.actions)
    ]


def load(root: Path | None = None, *, vm_guest: Callable[[], str] | None = None) -> devdconf.Config:
    """The host's devd configuration, read as devd reads it, with devd's own variables.

    devd offers every rule ``$vm_guest``, the ``kern.vm_guest`` sysctl: the
    stock hyperv.conf matches ``vm_guest "hv"`` (freebsd-src
    sbin/devd/hyperv.conf).  It is kept beside the ``set`` variables, which
    the configuration may use to override it.  ``vm_guest`` is asked only
    when some rule names the variable, so that an event costs no sysctl
    where no rule needs one.
    """
    conf = Path(DEVD_CONF) if root is None else root / DEVD_CONF.lstrip("/")
    config = devdconf.load_devd(conf, root=root)
    if vm_guest is None or not uses_variable(config, "vm_guest"):
        return config
    return with_vm_guest(config, vm_guest())


def uses_variable(config: devdconf.Config, name: str) -> bool:
    """Whether any rule matches on, or expands, devd's variable ``name``."""
    for f in config.files:
        for rule in f.rules:
            for s in rule.statements:
                if isinstance(s, devdconf.Match) and (s.variable == name or f"${name}" in s.source):
                    return True
                if isinstance(s, devdconf.Action) and f"${name}" in s.command:
                    return True
    return False


def with_vm_guest(config: devdconf.Config, vm_guest: str) -> devdconf.Config:
    """``config`` with ``$vm_guest`` set, unless its own ``set`` statements name it."""
    if not vm_guest:
        return config
    return devdconf.Config(config.files, {"vm_guest": vm_guest, **config.variables})


def rule_name(path: str, command: str) -> str:
    """What a chained rule is, for the log: "the stock dhclient rule", "the rc.resume rule of F"."""
    words = command.split()
    program = Path(words[0]).name if words else "empty"
    if program == "service" and len(words) > 1:
        program = words[1]
    # The base system's devd files: /etc/devd.conf and /etc/devd/*.conf (devd.conf(5)).
    stock = path.endswith(DEVD_CONF) or ("/etc/devd/" in path and "/usr/local/" not in path)
    return f"the stock {program} rule" if stock else f"the {program} rule of {path}"


def by_design(command: str, result: Result) -> str | None:
    """Why a non-zero exit of a chained command is no problem, or None when it is one.

    ``service NAME quietVERB`` runs rc.subr's ``run_rc_command`` with
    ``rc_quiet`` set: a refusal it makes on purpose prints nothing and exits
    1.  libexec/rc/rc.d/dhclient's ``dhclient_pre_check`` exits 1 for an
    interface that is not DHCP-enabled (``dhcpif``; the message goes to
    ``debug`` when quiet), and ``run_rc_command`` returns 1 for ``start``
    while the daemon already runs (freebsd-src libexec/rc/rc.subr; reference
    § 5.4).  devd's stock LINK_UP rule is ``service dhclient quietstart
    $subsystem`` for every Ethernet link, so on a host where only some
    interfaces use DHCP this exit is the common case.
    """
    words = command.split()
    quiet = len(words) >= 3 and Path(words[0]).name == "service" and words[2].startswith("quiet")
    silent = not (result.stdout.strip() or result.stderr.strip())
    if quiet and result.returncode == 1 and result.error is None and silent:
        if words[1] == "dhclient":
            return "rc.d/dhclient refuses quietly: not a DHCP-enabled interface, or already running"
        return "rc.subr refuses quietly (already running, or its precondition not met)"
    return None


def chain(
    event: DevdEvent,
    media_of: Callable[[str], str | None],
    *,
    root: Path | None = None,
    sh: str = "/bin/sh",
    path: str = DEVD_PATH,
    config: devdconf.Config | None = None,
) -> Chained:
    """Run the shadowed stock rule's actions for ``event``; never raises.

    ``config``: the devd configuration already read (:class:`StockRules` reads
    it once for a whole batch); by default it is read now.
    """
    if config is None:
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
        what = f"chained {rule_name(rule.path, command)} ({where}) for {event.line[:80]}"
        reason = by_design(command, result) if not result.ok else None
        if result.ok:
            log.info("%s: %s: exit 0", what, command)
        elif reason is not None:
            log.info("%s: %s: exit 1, as designed: %s", what, command, reason)
        else:
            log.warning("%s failed: %s", what, result.describe().replace(f"{sh} -c ", "", 1))
        results.append(result)
    return Chained(where, tuple(results))


class StockRules:
    """The shadowed stock rules of one batch of events, daemon's or one-shot's.

    devd.conf is read once, at the first event that is chained, and media
    types come from one observation, made only if a rule tests ``media-type``
    (:func:`lazy_media`); every event of the batch reuses both.
    """

    def __init__(
        self,
        observe: Callable[[], Host],
        *,
        root: Path | None,
        sh: str,
        path: str,
        vm_guest: Callable[[], str] | None,
    ) -> None:
        self.media_of = lazy_media(observe)
        self.root = root
        self.sh = sh
        self.path = path
        self.vm_guest = vm_guest
        self._config: devdconf.Config | None = None
        self._unreadable = False

    def config(self) -> devdconf.Config | None:
        """devd's configuration, read at the first call; None (logged once) when unreadable."""
        if self._config is None and not self._unreadable:
            try:
                self._config = load(self.root, vm_guest=self.vm_guest)
            except (devdconf.DevdConfError, OSError) as exc:
                log.warning("devd configuration unreadable, stock rules not run: %s", exc)
                self._unreadable = True
        return self._config

    def run(
        self, events: Sequence[DevdEvent], stopping: Callable[[], bool] = lambda: False
    ) -> list[Chained]:
        """Chain each event in order; a stop request ends the chaining between two events."""
        if not events or (config := self.config()) is None:
            return []
        out = []
        for done, event in enumerate(events):
            if stopping():
                log.warning("stopping: %d devd event(s) not chained", len(events) - done)
                break
            out.append(self.one(event, config))
        return out

    def one(self, event: DevdEvent, config: devdconf.Config) -> Chained:
        """One event's stock rule, with the batch's configuration and media types."""
        media_of, root, sh, path = self.media_of, self.root, self.sh, self.path
        return chain(event, media_of, root=root, sh=sh, path=path, config=config)
