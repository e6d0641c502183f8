"""The IPv6 stand-ins: ``ifconfig IF inet6 ...``, ``rtsol``, ``rtsold`` and ``ndp``.

Argv, output and exit codes from freebsd-src: sbin/ifconfig/af_inet6.c and
af_nd6.c (the inet6 parameters), usr.sbin/rtsold/rtsold.8 and rtsold.c
(rtsol = ``rtsold -f1``: at most MAX_RTR_SOLICITATIONS 3 solicitations,
RTR_SOLICITATION_INTERVAL 4 s apart, until an advertisement arrives),
usr.sbin/ndp/ndp.c (``rtrlist``, ``plist``, ``rtr_flush``, ``pfx_flush``,
``sec2str``).  ``ndp -R`` and ``ndp -P`` act on the whole host: ndp.c passes
a dummy ``lo0`` to SIOCSRTRFLUSH_IN6 / SIOCSPFXFLUSH_IN6, and the flush of a
prefix purges the autoconf addresses formed from it (sys/netinet6/nd6.c
``nd6_ioctl``).
"""

import ipaddress
from dataclasses import dataclass, field
from typing import Protocol

from laggroam_sim import daemons, kernel, nd6
from laggroam_sim.ifconfigrun import Result
from laggroam_sim.model import Inet6
from laggroam_sim.state import Sim

RTSOLD_PIDFILE = "/var/run/rtsold.pid"
MAX_RTR_SOLICITATIONS = 3
RTR_SOLICITATION_INTERVAL = 4
ND6_INFINITE_LIFETIME = 0xFFFFFFFF
RTSOL_USAGE = (
    "usage: rtsol [-dDF] [-O script-name] interface ...\n"
    "usage: rtsol [-dDF] [-O script-name] -a\n"
)  # rtsold.c usage() for the rtsol name
NDP_FLAGS = "anrpRP"


class Out(Protocol):
    """The collected output of a stand-in run (ifconfigrun.Result, userland.Run)."""

    status: int
    wrote: bool


@dataclass
class _Inet6Line:
    """What ``ifconfig IF inet6 ...`` asked for, word by word."""

    address: str | None = None
    plen: int | None = None
    flags: list[str] = field(default_factory=list)
    pltime: int | None = None
    vltime: int | None = None
    delete: bool = False


def ifconfig_inet6(sim: Sim, name: str, args: list[str], res: Result) -> Result:
    """``ifconfig IF inet6 [ADDR[/LEN]] [params]`` (af_inet6.c inet6_cmds, af_nd6.c)."""
    iface = sim.state.interfaces[name]
    want = _Inet6Line()
    i = 0
    while i < len(args):
        word = args[i]
        i += 1
        if word in ("prefixlen", "pltime", "vltime"):
            if i >= len(args):
                return res.fail(f"'{word}' requires argument")
            problem = _number(want, word, args[i])
            i += 1
        elif not _interface_word(sim, name, word):
            problem = _address_word(want, word)
        else:
            problem = None
        if problem is not None:
            return res.fail(problem)
    if want.address is None:
        return res
    existing = next((a for a in iface.inet6 if a.addr == want.address), None)
    if want.delete:
        if existing is None:
            # SIOCDIFADDR_IN6 on an address the interface lacks: EADDRNOTAVAIL
            return res.fail("ioctl (SIOCDIFADDR): Can't assign requested address")
        iface.inet6.remove(existing)
        sim.note(f"{name}: inet6 {want.address} deleted")
        return res
    _set_address(sim, name, want.address, want.plen, want.flags,
                 lifetimes=(want.pltime, want.vltime), existing=existing)  # fmt: skip
    return res


def _number(want: _Inet6Line, word: str, value: str) -> str | None:
    """``prefixlen N``, ``pltime N``, ``vltime N``; the error text when N is no number."""
    if not value.isdigit():
        return f"invalid {word}" if word != "prefixlen" else f"{value}: bad value"
    if word == "prefixlen":
        want.plen = int(value)
    elif word == "pltime":
        want.pltime = int(value)
    else:
        want.vltime = int(value)
    return None


def _interface_word(sim: Sim, name: str, word: str) -> bool:
    """A parameter of the interface itself (af_nd6.c flags, up, down); False if not one."""
    iface = sim.state.interfaces[name]
    if word == "-ifdisabled":
        nd6.enable(sim, iface)
    elif word == "ifdisabled":
        iface.ifdisabled = True
    elif word in ("accept_rtadv", "-accept_rtadv"):
        iface.accept_rtadv = word == "accept_rtadv"
    elif word in ("up", "down"):
        kernel.set_up(sim, name, word == "up")
    else:
        return False
    return True


def _address_word(want: _Inet6Line, word: str) -> str | None:
    """An address flag, ``delete``/``alias``, or the address itself; the error text if none."""
    if word in ("autoconf", "deprecated", "anycast", "tentative"):
        want.flags.append(word)
    elif word in ("-autoconf", "-deprecated", "-tentative"):
        if word[1:] in want.flags:
            want.flags.remove(word[1:])
    elif word in ("delete", "-alias"):
        want.delete = True
    elif word == "alias":
        pass
    elif want.address is None:
        return _parse_address(want, word)
    else:
        return f"{word}: bad value"
    return None


def _parse_address(want: _Inet6Line, word: str) -> str | None:
    text, _, length = word.partition("/")
    try:
        want.address = str(ipaddress.IPv6Address(text.split("%")[0]))
    except ValueError:
        return f"{word}: bad value"
    if length:
        if not length.isdigit() or int(length) > 128:
            return f"{length}: bad value"
        want.plen = int(length)
    return None


def _set_address(
    sim: Sim, name: str, address: str, plen: int | None, flags: list[str], *,
    lifetimes: tuple[int | None, int | None], existing: Inet6 | None,
) -> None:  # fmt: skip
    """SIOCAIFADDR_IN6 (sys/netinet6/in6.c ``in6_update_ifa``): the flags given replace
    the address's; ``deprecated`` from userland sets its preferred lifetime to 0."""
    iface = sim.state.interfaces[name]
    now = sim.state.now
    pltime, vltime = lifetimes
    addr = existing or Inet6(address, plen if plen is not None else 64)
    if existing is None:
        iface.inet6.append(addr)
    addr.prefixlen = plen if plen is not None else addr.prefixlen
    addr.flags = [f for f in flags if f in ("autoconf", "deprecated", "anycast")]
    addr.preferred = now + pltime if pltime is not None and pltime != ND6_INFINITE_LIFETIME else 0
    addr.expire = now + vltime if vltime is not None and vltime != ND6_INFINITE_LIFETIME else 0
    if "deprecated" in flags:
        addr.preferred = now
    if "autoconf" not in addr.flags:
        addr.prefix = None
    sim.note(f"{name}: inet6 {address} {' '.join(addr.flags) or 'set'}")


def rtsol(sim: Sim, argv: list[str]) -> tuple[str, str, int]:
    """``rtsol [-dDF] [-O script] IF ... | -a``: solicit until answered, then exit."""
    names, err = _rtsold_args(sim, argv, "rtsol")
    if err:
        return "", err, 1
    for name in names:
        iface = sim.state.interfaces[name]
        answered = False
        for probe in range(MAX_RTR_SOLICITATIONS):
            if probe:
                sim.state.now += RTR_SOLICITATION_INTERVAL
            # links change state asynchronously while rtsol waits (sys/net/if.c
            # do_link_state_change runs from a taskqueue)
            kernel.settle_links(sim)
            if nd6.solicit(sim, iface):
                answered = True
                break
        if not answered:
            sim.note(f"rtsol: no router answered on {name}")
    return "", "", 0


def rtsold(sim: Sim, argv: list[str]) -> tuple[str, str, int]:
    """``rtsold [-dDfFm1] ... IF ... | -a``: solicits at start, then on every link comeback."""
    names, err = _rtsold_args(sim, argv, "rtsold")
    if err:
        return "", err, 1
    if daemons.running(sim.state, RTSOLD_PIDFILE, "rtsold") is not None:
        # pidfile_open(3) finds the pidfile locked (rtsold.c main); text guessed
        return "", "rtsold: rtsold already running\n", 1
    pid = sim.alloc_pid()
    from laggroam_sim.model import Process

    sim.state.processes[str(pid)] = Process(pid, "rtsold", ["rtsold", *argv], ",".join(names))
    sim.state.pidfiles[RTSOLD_PIDFILE] = pid
    sim.note(f"rtsold[{pid}] started on {', '.join(names)}")
    for name in names:
        iface = sim.state.interfaces[name]
        sim.state.rtsold_links[name] = iface.link
        nd6.solicit(sim, iface)
    return "", "", 0


def _rtsold_args(sim: Sim, argv: list[str], prog: str) -> tuple[list[str], str]:
    args = list(argv)
    auto = False
    names: list[str] = []
    while args:
        word = args.pop(0)
        if word == "-O" and args:
            args.pop(0)
        elif word.startswith("-") and len(word) > 1:
            for ch in word[1:]:
                if ch == "a":
                    auto = True
                elif ch not in "dDfFm1i":
                    return [], f"{prog}: illegal option -- {ch}\n" + RTSOL_USAGE
        else:
            names.append(word)
    if auto == bool(names):
        return [], RTSOL_USAGE
    state = sim.state
    if auto:
        # -a: "a non-loopback, non-point-to-point, IPv6-capable interface";
        # more than one is an error (rtsold.8)
        names = [i.name for i in state.interfaces.values()
                 if i.kind != "loop" and not i.ifdisabled and i.lagg is None]  # fmt: skip
        if len(names) != 1:
            # the text of rtsold.c autoifprobe's failure is guessed
            return [], f"{prog}: probing interfaces: {len(names)} candidates\n"
    for name in names:
        if name not in state.interfaces:
            # if_nametoindex fails (rtsold.c ifconfig()); the text is guessed
            return [], f"{prog}: failed to initialize {name}\n"
    return names, ""


def sec2str(total: int) -> str:
    """ndp.c ``sec2str``: ``1d2h3m4s`` with leading zero units left out."""
    days, hours, mins, secs = total // 86400, (total // 3600) % 24, (total // 60) % 60, total % 60
    out = ""
    if days:
        out += f"{days}d"
    if out or hours:
        out += f"{hours}h"
    if out or mins:
        out += f"{mins}m"
    return out + f"{secs}s"


def ndp(sim: Sim, argv: list[str]) -> tuple[str, str, int]:
    """``ndp -r|-p|-R|-P [-n]`` (usr.sbin/ndp/ndp.c)."""
    opts: set[str] = set()
    for word in argv:
        if not word.startswith("-") or len(word) < 2 or any(c not in NDP_FLAGS for c in word[1:]):
            return (
                "",
                "usage: ndp [-nt] hostname\n       ndp [-nt] -a | -c | -p | -r | -H | -P | -R\n",
                1,
            )
        opts.update(word[1:])
    state = sim.state
    ifaces = sorted(state.interfaces.values(), key=lambda i: i.index)
    now = state.now
    if "R" in opts:
        for iface in ifaces:
            iface.defrouters.clear()
        sim.note("ndp -R: default router list flushed")
        return "", "", 0
    if "P" in opts:
        for iface in ifaces:
            gone = {p.prefix for p in iface.prefixes6}
            iface.inet6 = [
                a for a in iface.inet6 if not ("autoconf" in a.flags and a.prefix in gone)
            ]
            iface.prefixes6.clear()
        sim.note("ndp -P: prefix list flushed")
        return "", "", 0
    out = ""
    if "r" in opts:
        for iface in ifaces:
            for r in iface.defrouters:
                out += (f"{r.addr} if={iface.name}, flags={r.flags}, pref=medium,"
                        f" expire={sec2str(max(r.expire - now, 0))}\n")  # fmt: skip
        return out, "", 0
    if "p" in opts:
        for iface in ifaces:
            for p in iface.prefixes6:
                refs = sum(1 for a in iface.inet6 if a.prefix == p.prefix)
                out += f"{p.prefix} if={iface.name}\n"
                out += (f"flags=LAO vltime={p.vltime}, pltime={p.pltime},"
                        f" expire={sec2str(max(p.expire - now, 0))}, ref={refs}\n")  # fmt: skip
                if p.routers:
                    out += "  advertised by\n"
                    out += "".join(f"    {r} (reachable)\n" for r in p.routers)
                else:
                    out += "  No advertising router\n"
        return out, "", 0
    return "", "usage: ndp [-nt] hostname\n", 1


def dispatch(sim: Sim, prog: str, argv: list[str], run: Out) -> tuple[str, str] | None:
    """Run ``prog`` if it is one of these stand-ins; None otherwise."""
    if prog == "rtsol":
        out, err, run.status = rtsol(sim, argv)
        run.wrote = True
    elif prog == "rtsold":
        out, err, run.status = rtsold(sim, argv)
        run.wrote = True
    elif prog == "ndp":
        out, err, run.status = ndp(sim, argv)
        run.wrote = any(c in "RP" for w in argv for c in w[1:])
    else:
        return None
    return out, err
