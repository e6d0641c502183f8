"""The MAC an interface wears once rc has configured it, and rc.conf lines that change it.

The first port to join a lagg gives it its MAC (sys/net/if_lagg.c
lagg_port_create), so the MAC rc gives that port at boot decides the lagg's
first lease.  These helpers read it from a :class:`Setup` and spell the
``sysrc`` line that would change it; the checks (``rcadvice``) and ``init``
(``rcinit``) use them.
"""

import shlex
from collections.abc import Mapping, Sequence

from laggroam.rc.rcconf import Assignment
from laggroam.rc.rcsetup import PSEUDO_WORDS, Setup, rc_var

# sysrc edits /etc/rc.conf unless told otherwise (usr.sbin/sysrc/sysrc -f).
DEFAULT_RC = "/etc/rc.conf"
_MAC_WORDS = ("ether", "lladdr", "link")


def sysrc_command(name: str, value: str | None, at: Assignment | None, first: str) -> str:
    """``sysrc [-f FILE] name="value"`` (or ``-x name``) for the file where name is set."""
    path = at.path if at is not None else first
    argv = ["sysrc"]
    if path != DEFAULT_RC:
        argv += ["-f", shlex.quote(path)]
    if value is None:
        return " ".join([*argv, "-x", name])
    if any(c in value for c in '"$`\\!'):
        return " ".join([*argv, shlex.quote(f"{name}={value}")])
    return " ".join([*argv, f'{name}="{value}"'])


def without_mac(words: Sequence[str]) -> list[str]:
    """``words`` without ``ether MAC`` (or ``lladdr``/``link`` MAC)."""
    kept: list[str] = []
    index = 0
    while index < len(words):
        if words[index] in _MAC_WORDS and index + 1 < len(words):
            index += 2
            continue
        kept.append(words[index])
        index += 1
    return kept


def with_mac(words: Sequence[str], mac: str) -> list[str]:
    """ifconfig_IF's words forcing ``mac`` first, as the Handbook writes it ("ether MAC up")."""
    rest = without_mac(words)
    if not [w for w in rest if w.lower() not in PSEUDO_WORDS]:
        rest = ["up", *rest]
    return ["ether", mac, *rest]


def boot_mac(setup: Setup, ifname: str, own_macs: Mapping[str, str]) -> str | None:
    """The MAC ``ifname`` wears once rc has configured it, when it can be told.

    ``ifconfig_IF`` "ether MAC" (network.subr ifconfig_up runs it), a wlan's
    ``create_args_IF`` "wlanaddr MAC" (network.subr wlan_up), else the MAC the
    host shows as the interface's own; None when nothing says.
    """
    forced = setup.ifconfig(ifname).ether
    if forced is not None:
        return forced.lower()
    wlanaddr = _wlanaddr(setup, ifname)
    if wlanaddr is not None:
        return wlanaddr
    own = own_macs.get(ifname)
    return own.lower() if own else None


def _wlanaddr(setup: Setup, ifname: str) -> str | None:
    """``create_args_IF``'s "wlanaddr MAC" for a wlan rc creates (network.subr wlan_up)."""
    create = setup.rc.get(rc_var("create_args_", ifname))
    if create is None or ifname not in setup.wlan_parent:
        return None
    words = create.value.split()
    if "wlanaddr" not in words[:-1]:
        return None
    return words[words.index("wlanaddr") + 1].lower()


def policy_mac(setup: Setup, ether: str, own_macs: Mapping[str, str]) -> str | None:
    """The MAC a policy's ``ether`` imposes, when it can be told (see plan.own_mac).

    A port's MAC is its own one, not one rc.conf forces on it with "ether".
    """
    if ":" in ether:
        return ether.lower()
    own = own_macs.get(ether)
    return own.lower() if own else _wlanaddr(setup, ether)
