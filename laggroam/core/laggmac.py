"""The lagg rules for its MAC: which MAC the lagg and its ports must wear, and what it costs.

FreeBSD gives a lagg the MAC of the port that joins an empty lagg and every
later port the lagg's MAC (sys/net/if_lagg.c lagg_port_create); when the
primary leaves, the lagg takes the MAC the first remaining port had when it
joined (lagg_port_destroy).  These rules decide the SetEther actions that
keep the policy's MAC through all of that.  Pure.
"""

from laggroam.core.action import SetEther
from laggroam.core.host import Interface
from laggroam.core.laggwork import LaggWork, Planning, disturbs
from laggroam.core.memory import LaggMemory
from laggroam.core.policymodel import LaggPolicy

ZERO_MAC = "00:00:00:00:00:00"


def own_mac(iface: Interface) -> str | None:
    """An interface's own MAC, the one ``ether = PORT`` imposes.

    A lagg member wears the lagg's in "ether" and shows its own as "hwaddr"
    (sbin/ifconfig/af_link.c prints hwaddr when it differs).
    """
    own = iface.hwaddr if iface.hwaddr and iface.hwaddr != ZERO_MAC else iface.ether
    return own.lower() if own else None


def keep_lagg_mac(planner: Planning, work: LaggWork, remaining: list[str]) -> None:
    """The lagg keeps ports: it, or else its members, must wear the policy's MAC."""
    target_mac = work.target_mac or ""
    worn = _mac_after_leave(planner, work, remaining)
    if (worn or "").lower() != target_mac:
        _set_lagg_mac(planner, work, remaining, worn)
        return
    for port in remaining:
        port_if = planner.host.get(port) if port != work.early else None
        if port_if is not None and (port_if.ether or "").lower() != target_mac:
            planner.add(
                SetEther(
                    port,
                    f"{port} does not wear {work.lp.name}'s MAC" + disturbs(planner, port, "mac"),
                    target_mac,
                )
            )


def _mac_after_leave(planner: Planning, work: LaggWork, remaining: list[str]) -> str | None:
    """The MAC the lagg wears once this plan's ports have left.

    When the primary leaves the lagg takes the first remaining port's
    lp_lladdr, the MAC it had when it joined (sys/net/if_lagg.c
    lagg_port_destroy), not its hardware address.
    """
    if not work.primary_leaves:
        return work.iface.ether if work.iface is not None else None
    if remaining[0] == work.early:
        return _early_mac(planner, work.early, work.target_mac)
    return _joined_mac(planner, work.lp.name, remaining[0], work.mem)


def _set_lagg_mac(
    planner: Planning, work: LaggWork, remaining: list[str], after_leave: str | None
) -> None:
    lp, iface, target_mac = work.lp, work.iface, work.target_mac or ""
    lagg_up = iface is not None and iface.is_up
    warn = disturbs(planner, lp.name, "mac") if lagg_up else ""
    worn = (iface.ether or "").lower() if iface is not None else ""
    if work.primary_leaves and worn == target_mac:
        # Restored at once: the DHCP identity before and after is the policy's.
        reason = (
            f"when {work.lagg.primary} leaves, {lp.name} takes the MAC {remaining[0]} had"
            f" when it joined (sys/net/if_lagg.c lagg_port_destroy),"
            f" {after_leave or 'which ifconfig does not show'}; it is set back to"
            f" {target_mac} at once, so {lp.name} keeps its DHCP identity{warn}"
        )
    else:
        reason = (
            f"{lp.name} wears {after_leave or 'another MAC'}, the policy wants"
            f" {target_mac}{warn}" + _lease_warning(planner, lp, iface, lp.ports[0], target_mac)
        )
    planner.add(SetEther(lp.name, reason, target_mac))


def first_joiner_mac(planner: Planning, work: LaggWork, port: str) -> None:
    """An empty lagg takes the MAC of the port that joins first (lagg_port_create)."""
    port_if = planner.host.get(port)
    target_mac = work.target_mac or ""
    if port_if is not None and (port_if.ether or "").lower() != target_mac:
        planner.add(
            SetEther(port, f"{port} joins {work.lp.name} first and gives it its MAC", target_mac)
        )


def joining_mac(planner: Planning, port: str) -> str | None:
    """The MAC ``port`` wears when its AddLaggPort runs: after any SetEther of this plan
    on it, else the one it wears now."""
    planned = next(
        (a.mac for a in planner.actions if isinstance(a, SetEther) and a.target == port and a.mac),
        None,
    )
    port_if = planner.host.get(port)
    wears = planned or (port_if.ether if port_if is not None else None)
    return wears.lower() if wears else None


def _lease_warning(
    planner: Planning, lp: LaggPolicy, iface: Interface | None, port: str, mac: str
) -> str:
    """What a MAC change costs a lagg that holds a DHCP lease, and the lasting fix.

    dhclient puts the interface's MAC in every request (chaddr,
    sbin/dhclient/dhclient.c make_discover, make_request), so the server
    sees a new client and may lease another address.  Only rc.conf can
    give the lagg the policy's MAC before the first lease: the port that
    joins first at boot gives the lagg its MAC (lagg_port_create).
    """
    if not lp.dhcp or iface is None or not iface.inet:
        return ""
    var = "ifconfig_" + port.translate(str.maketrans(".-/+", "____"))
    return (
        f"; {lp.name} holds the lease {iface.inet[0]} for its current MAC and dhclient"
        f" identifies itself by the MAC (sbin/dhclient/dhclient.c chaddr), so the"
        f' address may change; to wear {mac} from boot, add "ether {mac}" to'
        f" {var} in rc.conf (laggroam check --rc-conf prints the sysrc line)"
    )


def _early_mac(planner: Planning, port: str | None, target_mac: str | None) -> str | None:
    """The lp_lladdr of a port this plan adds before the primary leaves."""
    planned = next(
        (a.mac for a in planner.actions if isinstance(a, SetEther) and a.target == port), None
    )
    if planned:
        return planned.lower()
    iface = planner.host.get(port) if port is not None else None
    return (iface.ether or "").lower() if iface is not None and iface.ether else None


def target_mac_of(planner: Planning, lp: LaggPolicy, mem: LaggMemory) -> str | None:
    if lp.ether == "keep":
        return None
    if ":" in lp.ether:
        return lp.ether.lower()
    return _own_mac(planner, lp.ether) or mem.mac


def _joined_mac(planner: Planning, lagg: str, port: str, mem: LaggMemory) -> str | None:
    """A member's lp_lladdr: remembered when laggroam added it; for a port
    that joined before (rc.conf at boot), its own MAC is the best guess.

    A member that shows no "hwaddr" wears the lagg's MAC as its "ether",
    which says nothing of its own: ifconfig prints hwaddr only from 12.x
    on, and only when it differs (sbin/ifconfig/af_link.c), so the MAC it
    joined with is unknown (None) and the lagg's MAC is set again after
    the primary leaves rather than assumed kept.
    """
    remembered = mem.lp_lladdr.get(port)
    if remembered:
        return remembered
    lp = planner.policy.lagg(lagg)
    iface = planner.host.get(port)
    if lp is not None and port == lp.ether:
        # The port whose own MAC the policy imposes joined wearing it.
        return _own_mac(planner, port)
    if iface is not None and not iface.hwaddr and planner.host.lagg_of(port) == lagg:
        return None
    return _own_mac(planner, port)


def _own_mac(planner: Planning, name: str) -> str | None:
    iface = planner.host.get(name)
    return own_mac(iface) if iface is not None else None
