"""The stand-in ``ifconfig``: FreeBSD's argv, output, error texts and exit codes.

Listing forms: ``ifconfig [-a] [-u|-d]``, ``ifconfig -l [-u|-d]``,
``ifconfig -g GROUP``, ``ifconfig IF``.  Setting forms the product uses:
``up``, ``down``, ``create`` (``wlandev``, ``wlanaddr``, ``country``),
``destroy``, ``laggport``, ``-laggport``, ``laggproto``, ``ether``/``lladdr``,
``mtu``.  Texts follow freebsd-src sbin/ifconfig (ifconfig.c, ifclone.c,
iflagg.c, ifieee80211.c, af_link.c) and the shared reference 3.4/4.4.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from laggroam.core.ifname import is_ifname
from laggroam_sim import ifconfig_out, kernel
from laggroam_sim.ifconfigrun import Result
from laggroam_sim.model import Iface, SimState
from laggroam_sim.state import Sim

MAC_RE = re.compile(r"[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}")
CLONE_PARAMS = {"wlandev", "wlanaddr", "country", "wlanmode", "regdomain"}
NEEDS_ARG = {"laggport", "-laggport", "laggproto", "ether", "lladdr", "link", "mtu", "wlandev",
             "wlanaddr", "country", "wlanmode", "regdomain", "ssid", "name"}  # fmt: skip
USAGE = (
    "usage: ifconfig [-j jail] [-f type:format] interface address_family\n"
    "                [address [dest_address]] [parameters]\n"
    "       ifconfig [-j jail] interface create\n"
    "       ifconfig [-j jail] -a [-dDW] [-G nogroup] [-g group] [-u] [-v] [address_family]\n"
    "       ifconfig -C\n"
    "       ifconfig -g group\n"
    "       ifconfig [-j jail] -l [-du] [address_family]\n"
    "       ifconfig [-j jail] [-dkmuv] [address_family]\n"
)


def run(sim: Sim, argv: list[str]) -> Result:
    """Run ``ifconfig ARGV`` (argv without the program name) on the simulated host."""
    res = Result()
    parsed = _options(argv, res)
    if parsed is None:
        return res
    opts, group, args = parsed
    if "l" in opts or "a" in opts or not args:
        return _listing(sim.state, opts, group, args, res)
    name = args.pop(0)
    if not args:
        iface = sim.state.interfaces.get(name)
        if iface is None:
            return res.fail(f"interface {name} does not exist")
        res.out.append(ifconfig_out.render(sim.state, iface, lifetimes="L" in opts))
        return res
    res.wrote = True
    if args[0] in ("create", "plumb"):
        return _create(sim, name, args[1:], res)
    if name not in sim.state.interfaces:
        return res.fail(f"interface {name} does not exist")
    return _params(sim, name, args, res)


def _options(argv: list[str], res: Result) -> tuple[set[str], str | None, list[str]] | None:
    """(option letters, ``-g`` group, the rest); None after a usage error in ``res``."""
    opts: set[str] = set()
    group: str | None = None
    args = list(argv)
    while args and args[0].startswith("-") and len(args[0]) > 1:
        word = args.pop(0)
        if word == "-g":
            if not args:
                res.err.append("ifconfig: option requires an argument -- g\n" + USAGE)
                res.status = 1
                return None
            group = args.pop(0)
            continue
        for ch in word[1:]:
            if ch not in "adlmuvCL":
                res.err.append(f"ifconfig: illegal option -- {ch}\n" + USAGE)
                res.status = 1
                return None
            opts.add(ch)
    return opts, group, args


def _listing(
    state: SimState, opts: set[str], group: str | None, args: list[str], res: Result
) -> Result:
    """``ifconfig -l``, ``-g GROUP``, ``-a`` (or no interface): several interfaces."""
    up_only, down_only = "u" in opts, "d" in opts
    if "l" in opts:
        res.out.append(ifconfig_out.names(state, only_up=up_only, only_down=down_only))
    elif group is not None and not args:
        res.out.append(ifconfig_out.group_members(state, group))
    else:
        res.out.append(
            ifconfig_out.render_all(
                state, only_up=up_only, only_down=down_only, lifetimes="L" in opts
            )
        )
    return res


def _create(sim: Sim, name: str, args: list[str], res: Result) -> Result:
    clone: dict[str, str] = {}
    rest: list[str] = []
    i = 0
    while i < len(args):
        word = args[i]
        if word in CLONE_PARAMS:
            if i + 1 >= len(args):
                return res.fail(f"'{word}' requires argument")
            clone[word] = args[i + 1]
            i += 2
        else:
            rest.append(word)
            i += 1
    base = name.rstrip("0123456789")
    unit_given = base != name
    if not is_ifname(name):
        return res.fail("SIOCIFCREATE2: Invalid argument")
    if base == "wlan":
        parent = clone.get("wlandev")
        if parent is None:
            # ifieee80211.c wlan_create
            return res.fail("must specify a parent device (wlandev) when creating a wlan device")
        if "wlanaddr" in clone and not MAC_RE.fullmatch(clone["wlanaddr"]):
            return res.fail(f"{clone['wlanaddr']}: bad value")
        if not unit_given:
            name = _free_unit(sim, "wlan")
        errno = kernel.create_wlan(
            sim, name, parent, wlanaddr=clone.get("wlanaddr"), country=clone.get("country")
        )
    elif base == "lagg":
        if not unit_given:
            name = _free_unit(sim, "lagg")
        errno = kernel.create_lagg(sim, name)
    else:
        errno = "EINVAL"
    if errno is not None:
        return res.fail(f"SIOCIFCREATE2: {kernel.STRERROR[errno]}")
    if not unit_given:
        # ifclone.c: a name different from the one asked for is printed
        res.out.append(f"{name}\n")
    if rest:
        return _params(sim, name, rest, res)
    return res


def _free_unit(sim: Sim, base: str) -> str:
    unit = 0
    while f"{base}{unit}" in sim.state.interfaces:
        unit += 1
    return f"{base}{unit}"


@dataclass
class _Line:
    """The interface a parameter applies to (a ``name`` changes it) and the output so far."""

    sim: Sim
    name: str
    res: Result
    # 12.x and later warn and go on after a failed laggport; older ones exit
    warn_laggport: bool


def _params(sim: Sim, name: str, args: list[str], res: Result) -> Result:
    line = _Line(sim, name, res, ifconfig_out.major(sim.state) >= 12)
    i = 0
    while i < len(args):
        word = args[i]
        if word == "inet6":
            # the rest of the line is the inet6 family's (sbin/ifconfig/af_inet6.c)
            from laggroam_sim import ipv6cmds

            return ipv6cmds.ifconfig_inet6(sim, line.name, args[i + 1 :], res)
        value = ""
        if word in NEEDS_ARG:
            if i + 1 >= len(args):
                return res.fail(f"'{word}' requires argument")
            value = args[i + 1]
        i += 2 if word in NEEDS_ARG else 1
        iface = sim.state.interfaces.get(line.name)
        if iface is None:
            return res.fail(f"interface {line.name} does not exist")
        handler = _PARAMS.get(word)
        if handler is None:
            # anything else is taken as an address and fails to parse (af_inet.c)
            return res.fail(f"{word}: bad value")
        done = handler(line, iface, word, value)
        if done is not None:
            return done
    return res


def _name(line: _Line, iface: Iface, word: str, value: str) -> Result | None:
    res = line.res
    if not is_ifname(value):
        return res.fail("ioctl SIOCSIFNAME (set name): Invalid argument")
    errno = kernel.rename(line.sim, line.name, value)
    if errno is not None:
        return res.fail(f"ioctl SIOCSIFNAME (set name): {kernel.STRERROR[errno]}")
    # ifconfig.c prints the final name of an interface it created or renamed
    if res.out and res.out[-1] == f"{line.name}\n":
        res.out[-1] = f"{value}\n"
    else:
        res.out.append(f"{value}\n")
    line.name = value
    return None


def _updown(line: _Line, iface: Iface, word: str, value: str) -> Result | None:
    kernel.set_up(line.sim, line.name, word == "up")
    return None


def _destroy(line: _Line, iface: Iface, word: str, value: str) -> Result | None:
    if iface.kind not in ("wlan", "lagg"):
        return line.res.fail("SIOCIFDESTROY: Invalid argument")
    kernel.destroy(line.sim, line.name)
    return line.res


def _laggport(line: _Line, iface: Iface, word: str, value: str) -> Result | None:
    errno = kernel.addport(line.sim, line.name, value)
    if errno is None:
        return None
    if not line.warn_laggport:
        # 2007-era iflagg.c: any SIOCSLAGGPORT error is fatal
        return line.res.fail(f"SIOCSLAGGPORT: {kernel.STRERROR[errno]}")
    if errno != "EEXIST":
        # current iflagg.c: warn, remember the failure, go on
        line.res.err.append(
            f"ifconfig: {line.name} {value}: SIOCSLAGGPORT: {kernel.STRERROR[errno]}\n"
        )
        line.res.status = 1
    return None


def _unlaggport(line: _Line, iface: Iface, word: str, value: str) -> Result | None:
    errno = kernel.delport(line.sim, line.name, value)
    if errno is not None:
        return line.res.fail(f"SIOCSLAGGDELPORT: {kernel.STRERROR[errno]}")
    return None


def _laggproto(line: _Line, iface: Iface, word: str, value: str) -> Result | None:
    if value not in kernel.LAGG_PROTOS:
        return line.res.fail(f"Invalid aggregation protocol: {value}")
    if iface.kind != "lagg":
        return line.res.fail("SIOCSLAGG: Invalid argument")
    iface.proto = value
    line.sim.note(f"{line.name} laggproto {value}")
    return None


def _lladdr(line: _Line, iface: Iface, word: str, value: str) -> Result | None:
    if not MAC_RE.fullmatch(value):
        return line.res.fail("malformed link-level address")
    mac = ":".join(f"{int(p, 16):02x}" for p in value.split(":"))
    kernel.set_lladdr(line.sim, line.name, mac)
    return None


def _mtu(line: _Line, iface: Iface, word: str, value: str) -> Result | None:
    if not value.isdigit():
        return line.res.fail(f"{value}: bad value")
    if iface.lagg is not None:
        return line.res.fail("ioctl SIOCSIFMTU (set mtu): Invalid argument")
    iface.mtu = int(value)
    return None


def _ieee80211(line: _Line, iface: Iface, word: str, value: str) -> Result | None:
    if iface.kind != "wlan":
        return line.res.fail("SIOCS80211: Invalid argument")
    if word == "country":
        iface.country = value
    return None


_PARAMS: dict[str, Callable[[_Line, Iface, str, str], Result | None]] = {
    "name": _name, "up": _updown, "down": _updown, "destroy": _destroy, "unplumb": _destroy,
    "laggport": _laggport, "-laggport": _unlaggport, "laggproto": _laggproto,
    "ether": _lladdr, "lladdr": _lladdr, "link": _lladdr, "mtu": _mtu,
    "country": _ieee80211, "ssid": _ieee80211, "wlanmode": _ieee80211, "regdomain": _ieee80211,
}  # fmt: skip
