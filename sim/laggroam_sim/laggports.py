"""Which of a lagg's ports carry traffic: lagg(4)'s choice, for the kernel and the world.

Apart from the kernel so that the world (which segment a lagg reaches) asks
it without importing the kernel, which imports the world through nd6.
"""

from laggroam_sim.model import Iface, SimState


def port_active(iface: Iface) -> bool:
    """LAGG_PORTACTIVE (sys/net/if_lagg.h): link up and IFF_UP."""
    return iface.link and iface.up


def active_port(state: SimState, lagg: Iface) -> str | None:
    """``lagg_link_active(sc, sc_primary)``: the port failover transmits on.

    The primary if active; else the port after it in the list if active;
    else the first active port in list order; else none.
    """
    ports = lagg.ports
    if not ports:
        return None
    primary = lagg.primary
    if primary is not None and primary in ports:
        if port_active(state.interfaces[primary]):
            return primary
        after = ports.index(primary) + 1
        if after < len(ports) and port_active(state.interfaces[ports[after]]):
            return ports[after]
    return next((p for p in ports if port_active(state.interfaces[p])), None)
