"""IPv6 neighbour discovery and SLAAC on the simulated host, as FreeBSD's kernel does it.

What is modelled, and where FreeBSD defines it:

* ``ifconfig IF inet6 -ifdisabled`` on an UP interface forms the link-local
  address (ND6_IFF_AUTO_LINKLOCAL; sys/netinet6/in6_ifattach.c
  ``in6_ifattach_linklocal``), its interface identifier the EUI-64 of the
  interface's MAC (``in6_get_hw_ifid``).
* With ``accept_rtadv`` (ND6_IFF_ACCEPT_RTADV) a Router Advertisement updates
  the default router list (``defrtrlist_update``) and the prefix list, and for
  an autonomous prefix forms one ``autoconf`` address (sys/netinet6/nd6_rtr.c
  ``nd6_ra_input``, ``prelist_update``).  Its interface identifier is the
  RFC 7217 stable one when ND6_IFF_STABLEADDR is set, as the simulated
  14.x/15.x do (the nd6 options of the 15.x fixtures), else the EUI-64 one.  The
  stable identifier here hashes the prefix and the interface name: the
  kernel's exact inputs (``in6_get_stableifid``: host UUID, DAD counter) are
  not reproduced, only the property that matters -- the same network gives
  the same address back.
* An existing address's valid lifetime follows RFC 4862 5.5.3 (e), the
  "two-hour rule" of ``prelist_update``: an RA may lengthen it, or shorten it
  only down to two hours, so a stale address cannot be retired by the old
  network's router even if it were still reachable.
* Lifetimes run out in ``nd6_timer``: past pltime the address is
  ``deprecated``, past vltime it is removed; routers and prefixes expire.
* Duplicate address detection: one probe (net.inet6.ip6.dad_count 1) and
  RetransTimer 1 s (sys/netinet6/nd6.h RETRANS_TIMER), resolved at once and
  accounted on the clock.
* Adding a lagg member strips its IPv6 addresses (sys/net/if_lagg.c
  ``lagg_port_create``: "IPv6 addresses on %s have been removed before adding
  it as a member to prevent IPv6 address scope violation.").
* Routers send unsolicited advertisements every ``interval`` seconds and
  answer a solicitation (RFC 4861 6.2.6; the answer's random delay of at most
  0.5 s is below the simulated clock's one-second step).
* rtsold(8) solicits again only when an interface comes back after a link
  failure (usr.sbin/rtsold/rtsold.8): lagg0 keeps its link through a
  failover, so a failover never makes it solicit.
"""

import hashlib
import ipaddress

from laggroam_sim import world
from laggroam_sim.model import DefRouter, Iface, Inet6, Ipv6Router, Prefix6, SimState
from laggroam_sim.state import Sim

DAD_SECONDS = 1
TWO_HOURS = 7200
# What stands in for the host UUID in this host's stable identifiers.
HOST_KEY = "laggroam-sim"


def eui64(mac: str) -> int:
    """The modified EUI-64 interface identifier of a MAC (RFC 4291 appendix A)."""
    octets = [int(o, 16) for o in mac.split(":")]
    octets[0] ^= 0x02
    raw = [*octets[:3], 0xFF, 0xFE, *octets[3:]]
    return int.from_bytes(bytes(raw), "big")


def stable_id(prefix: str, ifname: str) -> int:
    digest = hashlib.sha256(f"{prefix} {ifname} {HOST_KEY}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def stableaddr(state: SimState) -> bool:
    head = state.release.split(".", 1)[0]
    return (int(head) if head.isdigit() else 15) >= 14


def link_local(iface: Iface) -> str:
    return str(ipaddress.IPv6Address((0xFE80 << 112) | eui64(iface.mac)))


def is_link_local(addr: str) -> bool:
    return ipaddress.IPv6Address(addr).is_link_local


def enable(sim: Sim, iface: Iface) -> None:
    """``inet6 -ifdisabled``: IPv6 on; an UP interface gets its link-local address."""
    iface.ifdisabled = False
    if iface.up:
        if_up(sim, iface)


def if_up(sim: Sim, iface: Iface) -> None:
    """``in6_if_up``: the link-local address, once, when IPv6 is enabled."""
    if iface.ifdisabled or iface.kind == "loop" or iface.lagg is not None:
        return
    if any(is_link_local(a.addr) for a in iface.inet6):
        return
    iface.inet6.insert(0, Inet6(link_local(iface), 64))
    sim.note(f"{iface.name}: link-local {link_local(iface)}")


def strip_member(sim: Sim, port: Iface) -> None:
    """A port joining a lagg loses its IPv6 addresses (if_lagg.c lagg_port_create)."""
    if port.inet6:
        port.inet6.clear()
        port.defrouters.clear()
        port.prefixes6.clear()
        sim.note(
            f"IPv6 addresses on {port.name} have been removed before adding it as a member"
            " to prevent IPv6 address scope violation."
        )


def usable(addr: Inet6) -> bool:
    return not {"tentative", "duplicated", "detached", "deprecated"} & set(addr.flags)


def receive_ra(sim: Sim, iface: Iface, router: Ipv6Router) -> bool:
    """nd6_ra_input on ``iface``; False when the interface ignores RAs."""
    if iface.ifdisabled or not iface.accept_rtadv or iface.lagg is not None or not iface.up:
        return False
    now = sim.state.now
    scoped = f"{router.router}%{iface.name}"
    iface.defrouters = [r for r in iface.defrouters if r.addr != scoped]
    if router.lifetime > 0:
        iface.defrouters.append(DefRouter(scoped, now + router.lifetime))
    pfx = next((p for p in iface.prefixes6 if p.prefix == router.prefix), None)
    if pfx is None:
        pfx = Prefix6(router.prefix, router.vltime, router.pltime, now + router.vltime)
        iface.prefixes6.append(pfx)
    pfx.vltime, pfx.pltime, pfx.expire = router.vltime, router.pltime, now + router.vltime
    if scoped not in pfx.routers:
        pfx.routers.append(scoped)
    _autoconf(sim, iface, router)
    return True


def _autoconf(sim: Sim, iface: Iface, router: Ipv6Router) -> None:
    state = sim.state
    now = state.now
    net = ipaddress.IPv6Network(router.prefix)
    addr = next((a for a in iface.inet6 if a.prefix == router.prefix and "autoconf" in a.flags),
                None)  # fmt: skip
    if addr is None:
        ifid = stable_id(router.prefix, iface.name) if stableaddr(state) else eui64(iface.mac)
        host = ipaddress.IPv6Address(int(net.network_address) | (ifid & ((1 << 64) - 1)))
        addr = Inet6(str(host), net.prefixlen, ["autoconf"], now + router.pltime,
                     now + router.vltime, router.prefix)  # fmt: skip
        iface.inet6.append(addr)
        # duplicate address detection: tentative for dad_count x RetransTimer
        state.now += DAD_SECONDS
        sim.note(f"{iface.name}: autoconf {addr.addr}/{addr.prefixlen} from {router.router}")
        return
    remaining = max(addr.expire - now, 0)
    if router.vltime > TWO_HOURS or router.vltime > remaining:
        addr.expire = now + router.vltime
    elif remaining > TWO_HOURS:
        addr.expire = now + TWO_HOURS
    addr.preferred = now + router.pltime
    if router.pltime > 0 and "deprecated" in addr.flags:
        addr.flags.remove("deprecated")


def router_on(state: SimState, iface: Iface) -> Ipv6Router | None:
    """The IPv6 router on the segment ``iface`` reaches now, if any."""
    segment = world.segment_of(state, iface.name)
    seg = state.segments.get(segment or "")
    return seg.ipv6 if seg is not None else None


def solicit(sim: Sim, iface: Iface) -> bool:
    """One Router Solicitation from ``iface``; True when a router answered."""
    state = sim.state
    state.solicitations[iface.name] = state.solicitations.get(iface.name, 0) + 1
    sim.note(f"{iface.name}: router solicitation sent")
    router = router_on(state, iface) if iface.up and iface.link else None
    if router is None:
        return False
    return receive_ra(sim, iface, router)


def step(sim: Sim) -> None:
    """``nd6_timer`` and the routers' unsolicited advertisements, at the current time."""
    state = sim.state
    now = state.now
    for seg in state.segments.values():
        router = seg.ipv6
        if router is None or router.next_ra > now:
            continue
        while router.next_ra <= now:
            router.next_ra += max(router.interval, 1)
        for iface in state.interfaces.values():
            if iface.accept_rtadv and world.segment_of(state, iface.name) == seg.name:
                receive_ra(sim, iface, router)
    for iface in state.interfaces.values():
        _expire(sim, iface, now)


def _expire(sim: Sim, iface: Iface, now: int) -> None:
    for addr in list(iface.inet6):
        if addr.expire and addr.expire <= now:
            iface.inet6.remove(addr)
            sim.note(f"{iface.name}: {addr.addr} expired")
        elif addr.preferred and addr.preferred <= now and "deprecated" not in addr.flags:
            addr.flags.append("deprecated")
    iface.defrouters = [r for r in iface.defrouters if r.expire > now]
    iface.prefixes6 = [p for p in iface.prefixes6 if p.expire > now]


def rtsold_step(sim: Sim) -> None:
    """rtsold(8) solicits on an interface that is up again after a link failure."""
    state = sim.state
    if not any(p.prog == "rtsold" for p in state.processes.values()):
        return
    for iface in state.interfaces.values():
        if not iface.accept_rtadv:
            continue
        before = state.rtsold_links.get(iface.name)
        state.rtsold_links[iface.name] = iface.link
        if iface.link and before is False:
            solicit(sim, iface)
