"""The demo's IPv6 expectation: lagg0 on the new network's prefix and nothing of the old."""

import ipaddress
from collections.abc import Callable

from laggroam.core.host import Host

CAFE6 = "2001:db8:ca:fe::/64"  # the simulated cafe's prefix (laggroam_sim.laptop)


def expect_prefix(prefix: str, lagg: str = "lagg0") -> Callable[[Host], str | None]:
    """None when every usable global address of ``lagg`` is in ``prefix`` and it has a router."""
    net = ipaddress.ip_network(prefix)

    def check(host: Host) -> str | None:
        iface = host.get(lagg)
        if iface is None:
            return f"{lagg} is missing"
        usable = [
            ipaddress.ip_address(a.addr) for a in iface.inet6_addrs if a.usable and not a.link_local
        ]
        if not any(a in net for a in usable):
            return f"{lagg} has no usable address in {prefix}"
        stray = [str(a) for a in usable if a not in net]
        if stray:
            return f"{lagg} still has usable addresses of another network: {', '.join(stray)}"
        routers = (host.ipv6_routers or {}).get(lagg, ())
        if len(routers) != 1:
            return f"{lagg} has {len(routers)} default routers, not the new network's alone"
        return None

    return check
