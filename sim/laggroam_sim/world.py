"""The world around the simulated host: switch segments, access points, DHCP servers.

Nothing here is FreeBSD; it is the environment the laptop roams through.  A
segment may run a DHCP server with its own subnet that remembers its leases
by client MAC (dhclient identifies itself by the interface's link-level
address), so the same client on the same segment gets its address back and
a client with a new MAC, or on another segment, gets another one.
"""

import ipaddress

from laggroam_sim.laggports import active_port
from laggroam_sim.model import AccessPoint, Iface, Segment, SimState
from laggroam_sim.state import Sim, SimError


def add_segment(state: SimState, name: str, subnet: str | None) -> Segment:
    segment = Segment(name=name, subnet=subnet)
    state.segments[name] = segment
    return segment


def add_ap(
    state: SimState, name: str, ssid: str, bssid: str, segment: str, *, channel: int = 6,
    in_range: bool = True,
) -> AccessPoint:  # fmt: skip
    ap = AccessPoint(name, ssid, bssid, segment, channel, in_range)
    state.aps[name] = ap
    return ap


def plug(sim: Sim, ifname: str, segment: str) -> None:
    """Plug ``ifname``'s cable into ``segment``."""
    iface = _wired(sim.state, ifname)
    if segment not in sim.state.segments:
        raise SimError(f"no segment named {segment!r}")
    iface.cable = segment
    sim.note(f"cable of {ifname} plugged into {segment}")


def unplug(sim: Sim, ifname: str) -> None:
    iface = _wired(sim.state, ifname)
    iface.cable = None
    sim.note(f"cable of {ifname} unplugged")


def set_ap(sim: Sim, name: str, in_range: bool) -> None:
    """Switch an access point on/off (or walk in/out of its range)."""
    ap = sim.state.aps.get(name)
    if ap is None:
        raise SimError(f"no access point named {name!r}")
    ap.in_range = in_range
    sim.note(f"access point {name} ({ap.ssid}) {'in range' if in_range else 'out of range'}")


def roam(sim: Sim, name: str) -> None:
    """Walk to ``name``: it is the only access point in range, and cables come out."""
    if name not in sim.state.aps:
        raise SimError(f"no access point named {name!r}")
    for ap in sim.state.aps.values():
        ap.in_range = ap.name == name
    for iface in sim.state.interfaces.values():
        if iface.kind == "ether" and iface.cable is not None:
            iface.cable = None
            sim.note(f"cable of {iface.name} unplugged")
    sim.note(f"roamed to {name}: only {sim.state.aps[name].ssid} is in range")


def _wired(state: SimState, ifname: str) -> Iface:
    iface = state.interfaces.get(ifname)
    if iface is None or iface.kind != "ether":
        raise SimError(f"{ifname}: no wired interface of that name")
    return iface


def segment_of(state: SimState, ifname: str) -> str | None:
    """The segment frames from ``ifname`` reach right now, if any."""
    iface = state.interfaces.get(ifname)
    if iface is None or not iface.link:
        return None
    if iface.kind == "ether":
        return iface.cable
    if iface.kind == "wlan":
        ap = ap_by_bssid(state, iface.bssid)
        return ap.segment if ap is not None else None
    if iface.kind == "lagg":
        if iface.proto == "failover":
            port = active_port(state, iface)
            return segment_of(state, port) if port is not None else None
        return next((s for p in iface.ports if (s := segment_of(state, p)) is not None), None)
    return None


def ap_by_bssid(state: SimState, bssid: str | None) -> AccessPoint | None:
    return next((a for a in state.aps.values() if a.bssid == bssid), None)


def dhcp_request(
    state: SimState, segment_name: str, mac: str, wanted: str | None
) -> tuple[str, int] | None:
    """The server's answer to a client: (address, prefix length), or None without a server.

    A REQUEST for the client's recorded address is ACKed; for any other
    address it is NAKed and the client falls back to DISCOVER, which offers
    the address leased to this MAC or the next free one.
    """
    segment = state.segments.get(segment_name)
    if segment is None or segment.subnet is None:
        return None
    net = ipaddress.ip_network(segment.subnet)
    leased = segment.leases.get(mac)
    if wanted is not None and leased == wanted:
        return wanted, net.prefixlen
    if leased is None:
        taken = set(segment.leases.values())
        hosts = list(net.hosts())
        free = None
        for _ in hosts:
            candidate = str(hosts[segment.next_host % len(hosts)])
            segment.next_host += 1
            if candidate not in taken and candidate != router_of(segment):
                free = candidate
                break
        if free is None:
            return None  # pool exhausted: the server stays silent
        segment.leases[mac] = free
        leased = free
    return leased, net.prefixlen


def router_of(segment: Segment) -> str | None:
    if segment.subnet is None:
        return None
    return str(next(ipaddress.ip_network(segment.subnet).hosts()))
