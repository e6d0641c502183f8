"""The planner's lagg rules: the lagg, its protocol, its ports in order, its MAC.

FreeBSD gives a lagg the MAC of the port that joins an empty lagg and every
later port the lagg's MAC (sys/net/if_lagg.c lagg_port_create); it has no verb
to re-order ports, and the first remaining port becomes primary when the
primary leaves (lagg_port_destroy).  These rules act through the planner
(``Planning``): its host, policy and memory, and its ``add``, which holds back
an action still in failure back-off.  Pure.
"""

from dataclasses import dataclass, field, replace
from typing import Protocol

from laggroam.core.action import (
    Action,
    AddLaggPort,
    BringUp,
    CreateLagg,
    RemoveLaggPort,
    SetEther,
    SetLaggProto,
)
from laggroam.core.host import Host, Interface, Lagg
from laggroam.core.memory import LaggMemory, Memory
from laggroam.core.policymodel import LaggPolicy, LaggProto, Policy

ZERO_MAC = "00:00:00:00:00:00"


class Planning(Protocol):
    """What the lagg rules read and change of the plan being made (plan._Planner)."""

    policy: Policy
    host: Host
    memory: Memory
    now: float
    notes: list[str]
    wake: list[float]
    actions: list[Action]
    created: set[str]
    attached: set[str | None]

    def add(self, action: Action) -> None: ...

    def may_exist(self, name: str) -> bool: ...


def own_mac(iface: Interface) -> str | None:
    """An interface's own MAC, the one ``ether = PORT`` imposes.

    A lagg member wears the lagg's in "ether" and shows its own as "hwaddr"
    (sbin/ifconfig/af_link.c prints hwaddr when it differs).
    """
    own = iface.hwaddr if iface.hwaddr and iface.hwaddr != ZERO_MAC else iface.ether
    return own.lower() if own else None


@dataclass(slots=True)
class _LaggWork:
    """One lagg's ports as this plan finds and changes them.

    ``wanted``: the policy's ports that may join (without a ``held`` primary);
    ``removals``: members that leave; ``early``: the first port, joining
    before they leave so that the lagg keeps a port.
    """

    lp: LaggPolicy
    iface: Interface | None
    lagg: Lagg
    mem: LaggMemory
    members: list[str]
    wanted: list[str]
    held: str | None
    target_mac: str | None
    removals: list[str] = field(default_factory=list)
    reorder_reason: str = ""
    early: str | None = None

    @property
    def first(self) -> str | None:
        return self.wanted[0] if self.wanted else None

    @property
    def primary_leaves(self) -> bool:
        return self.lagg.primary is not None and self.lagg.primary in self.removals

    def remaining(self) -> list[str]:
        """The members once the removals left, ``early`` first."""
        kept = [m for m in self.members if m not in self.removals]
        return [self.early, *kept] if self.early is not None else kept


def plan_lagg(planner: Planning, lp: LaggPolicy) -> None:
    """The lagg rules (3 to 10 of ARCHITECTURE.md) for ``lp``: exist, protocol, ports, MAC, up."""
    iface = planner.host.get(lp.name)
    lagg = iface.lagg if iface is not None else None
    if iface is None or lagg is None:
        if iface is not None or not planner.may_exist(lp.name):
            _create_lagg(planner, lp, iface)
        else:
            planner.notes.append(f"{lp.name} is not in the capture; not planned")
        return
    if lagg.proto != lp.proto:
        planner.add(
            SetLaggProto(
                lp.name, f"{lp.name} runs {lagg.proto}, the policy says {lp.proto}", lp.proto
            )
        )
    _ports(planner, lp, iface, lagg)


def _create_lagg(planner: Planning, lp: LaggPolicy, iface: Interface | None) -> None:
    if iface is not None:
        planner.notes.append(f"{lp.name} exists but is not a lagg; left alone")
        return
    planner.add(CreateLagg(lp.name, f"{lp.name} does not exist"))
    planner.add(SetLaggProto(lp.name, f"{lp.name} was just created", lp.proto))
    planner.add(BringUp(lp.name, f"{lp.name} was just created"))
    planner.created.add(lp.name)
    _ports(planner, lp, None, Lagg(lp.proto))


def _ports(planner: Planning, lp: LaggPolicy, iface: Interface | None, lagg: Lagg) -> None:
    mem = planner.memory.lagg(lp.name)
    wanted = [p for p in lp.ports if planner.may_exist(p) and _free_for(planner, p, lp.name)]
    _ports_up(planner, wanted)
    held = _failback_hold(planner, lp, lagg, wanted, mem)
    if held is not None:
        wanted = [p for p in wanted if p != held]
    work = _LaggWork(
        lp, iface, lagg, mem, list(lagg.port_names), wanted, held, _target_mac(planner, lp, mem)
    )
    _reorder(planner, work)
    if work.early is not None:
        work.reorder_reason += _join_first(planner, lp, work.early, work.members, work.target_mac)
    _leave(planner, work)
    remaining = work.remaining()
    for extra in remaining:
        if extra not in lp.ports:
            planner.notes.append(
                f"{lp.name} has port {extra}, which the policy does not list; left alone"
            )
    # MAC: a port joining an empty lagg gives the lagg its MAC; every later
    # port is given the lagg's MAC (sys/net/if_lagg.c lagg_port_create).
    # So set the first port's MAC before it joins, or the lagg's own MAC,
    # which lagg_init copies onto every member (if_lagg.c lagg_init).
    to_add = [p for p in wanted if p not in remaining]
    if work.target_mac is not None and remaining:
        _lagg_mac(planner, work, remaining)
    elif work.target_mac is not None and to_add:
        _first_joiner_mac(planner, work, to_add[0])
    _join(planner, work, remaining, to_add)
    _remember(planner, work)


def _ports_up(planner: Planning, wanted: list[str]) -> None:
    for port in wanted:
        port_if = planner.host.get(port)
        if port_if is not None and not port_if.is_up and port not in planner.created:
            planner.add(
                BringUp(
                    port,
                    f"{port} is down; a lagg port that is not up is never active"
                    " (sys/net/if_lagg.h LAGG_PORTACTIVE)",
                )
            )


def _reorder(planner: Planning, work: _LaggWork) -> None:
    """Which members leave: a held primary, and for failover the ports before the first.

    FreeBSD has no re-order verb: when the primary leaves, the first
    remaining port becomes primary (sys/net/if_lagg.c lagg_port_destroy).
    """
    lp, members, first = work.lp, work.members, work.first
    if work.held is not None and work.held in members:
        work.removals.append(work.held)
    failover = lp.proto == LaggProto.FAILOVER
    primary = work.lagg.primary if failover else None
    if not (
        failover
        and first is not None
        and members
        and primary != first
        and (primary is None or primary in lp.ports)
    ):
        return
    if any(m not in lp.ports for m in members if m != first):
        planner.notes.append(
            f"{lp.name}: {primary} is the primary, the policy puts {first} first, but"
            " ports the policy does not list are members; order left alone"
        )
        return
    work.removals.extend(m for m in members if m != first and m not in work.removals)
    work.reorder_reason = (
        f"{primary or 'no port'} is the primary of {lp.name} but the policy puts"
        f" {first} first; FreeBSD has no re-order verb: when the primary leaves,"
        f" the first remaining port becomes primary (sys/net/if_lagg.c"
        f" lagg_port_destroy), so the other ports leave and rejoin"
    )
    if first not in members:
        work.early = first


def _leave(planner: Planning, work: _LaggWork) -> None:
    lp, held = work.lp, work.held
    for port in work.removals:
        reason = (
            f"{port} lost its link; with failback_hold it stays out of {lp.name} until its"
            " link has been stable"
            if port == held
            else work.reorder_reason
        )
        rejoin = work.first if port != held and port in work.wanted else None
        if port == work.lagg.primary and len(work.members) > 1:
            reason += _disturbs(planner, lp.name, "leave")
        elif _wireless(planner, port):
            reason += _disturbs(planner, port, "mac")
        planner.add(RemoveLaggPort(lp.name, reason, port, rejoin))


def _lagg_mac(planner: Planning, work: _LaggWork, remaining: list[str]) -> None:
    """The lagg keeps ports: it, or else its members, must wear the policy's MAC."""
    target_mac = work.target_mac or ""
    lagg_mac = _mac_after_leave(planner, work, remaining)
    if (lagg_mac or "").lower() != target_mac:
        _set_lagg_mac(planner, work, remaining, lagg_mac)
        return
    for port in remaining:
        port_if = planner.host.get(port) if port != work.early else None
        if port_if is not None and (port_if.ether or "").lower() != target_mac:
            planner.add(
                SetEther(
                    port,
                    f"{port} does not wear {work.lp.name}'s MAC" + _disturbs(planner, port, "mac"),
                    target_mac,
                )
            )


def _mac_after_leave(planner: Planning, work: _LaggWork, remaining: list[str]) -> str | None:
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
    planner: Planning, work: _LaggWork, remaining: list[str], lagg_mac: str | None
) -> None:
    lp, iface, target_mac = work.lp, work.iface, work.target_mac or ""
    lagg_up = iface is not None and iface.is_up
    warn = _disturbs(planner, lp.name, "mac") if lagg_up else ""
    worn = (iface.ether or "").lower() if iface is not None else ""
    if work.primary_leaves and worn == target_mac:
        # Restored at once: the DHCP identity before and after is the policy's.
        reason = (
            f"when {work.lagg.primary} leaves, {lp.name} takes the MAC {remaining[0]} had"
            f" when it joined (sys/net/if_lagg.c lagg_port_destroy),"
            f" {lagg_mac or 'which ifconfig does not show'}; it is set back to"
            f" {target_mac} at once, so {lp.name} keeps its DHCP identity{warn}"
        )
    else:
        reason = (
            f"{lp.name} wears {lagg_mac or 'another MAC'}, the policy wants"
            f" {target_mac}{warn}" + _lease_warning(planner, lp, iface, lp.ports[0], target_mac)
        )
    planner.add(SetEther(lp.name, reason, target_mac))


def _first_joiner_mac(planner: Planning, work: _LaggWork, port: str) -> None:
    """An empty lagg takes the MAC of the port that joins first (lagg_port_create)."""
    port_if = planner.host.get(port)
    target_mac = work.target_mac or ""
    if port_if is not None and (port_if.ether or "").lower() != target_mac:
        planner.add(
            SetEther(port, f"{port} joins {work.lp.name} first and gives it its MAC", target_mac)
        )


def _join(planner: Planning, work: _LaggWork, remaining: list[str], to_add: list[str]) -> None:
    lp, iface = work.lp, work.iface
    if iface is not None and not iface.is_up:
        # After the MAC: lagg_init, on the transition to running, gives
        # each port the lagg's MAC once (sys/net/if_lagg.c lagg_init),
        # where a MAC set on a running lagg would bounce it first.
        planner.add(BringUp(lp.name, f"{lp.name} is down{_disturbs(planner, lp.name, 'init')}"))
    for port in to_add:
        reason = _add_reason(planner, lp.name, port)
        if remaining or port != to_add[0]:
            reason += _disturbs(planner, port, "join")
        planner.add(AddLaggPort(lp.name, reason, port, _joining_mac(planner, port)))


def _remember(planner: Planning, work: _LaggWork) -> None:
    """What was seen of the lagg: its active port, its link, the MAC it should wear.

    lp_lladdr is kept for the ports that are members; which ports join or
    leave, and with what MAC, is recorded from the results (core.after).
    """
    lp, iface, lagg = work.lp, work.iface, work.lagg
    link = iface.has_link if iface is not None else None
    lp_lladdr = {p: m for p, m in work.mem.lp_lladdr.items() if p in work.members}
    kept = planner.memory.laggs.get(lp.name)
    if kept is not None and (kept.active, kept.link, kept.mac, kept.lp_lladdr) == (
        lagg.active,
        link,
        work.target_mac,
        lp_lladdr,
    ):
        return  # a converged lagg's memory is left as it is, without a copy
    planner.memory = planner.memory.with_lagg(
        lp.name,
        replace(
            kept or LaggMemory(),
            active=lagg.active,
            link=link,
            mac=work.target_mac,
            lp_lladdr=lp_lladdr,
        ),
    )


def _joining_mac(planner: Planning, port: str) -> str | None:
    """The MAC ``port`` wears when its AddLaggPort runs: after any SetEther of this plan
    on it, else the one it wears now."""
    planned = next(
        (a.mac for a in planner.actions if isinstance(a, SetEther) and a.target == port and a.mac),
        None,
    )
    port_if = planner.host.get(port)
    wears = planned or (port_if.ether if port_if is not None else None)
    return wears.lower() if wears else None


def _join_first(
    planner: Planning, lp: LaggPolicy, first: str, members: list[str], target_mac: str | None
) -> str:
    """``first`` joins beside the ports that leave, so that the lagg is never empty.

    Removing every port first would leave the lagg without a port (primary
    none, no link, a dhclient that sees the link go) until ``first``
    rejoined.  Joining first keeps the current primary carrying traffic;
    when it leaves, ``first`` is the only port left and becomes primary,
    and the lagg takes ``first``'s lp_lladdr -- the MAC it wore when it
    joined (sys/net/if_lagg.c lagg_port_create, lagg_port_destroy) -- so
    ``first`` is given the policy's MAC before it joins.
    """
    first_if = planner.host.get(first)
    wears = (first_if.ether or "").lower() if first_if is not None else ""
    if target_mac is not None and first_if is not None and wears != target_mac:
        planner.add(
            SetEther(
                first,
                f"{first} joins {lp.name} and will become its primary, giving {lp.name}"
                f" the MAC it wears when it joins (sys/net/if_lagg.c lagg_port_destroy)",
                target_mac,
            )
        )
    planner.add(
        AddLaggPort(
            lp.name,
            f"{first} is missing from {lp.name} and the policy puts it first; it joins"
            f" while {', '.join(members)} still carry the traffic"
            + _disturbs(planner, first, "join"),
            first,
            _joining_mac(planner, first),
        )
    )
    linked = first_if is not None and first_if.has_link
    return (
        f"; {first} joined first, so {lp.name} keeps a port"
        + (" with link" if linked else "")
        + " throughout"
    )


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


def _wireless(planner: Planning, name: str) -> bool:
    iface = planner.host.get(name)
    return planner.policy.wlan(name) is not None or (iface is not None and iface.is_wireless)


def _disturbs(planner: Planning, name: str, how: str) -> str:
    """The reason's warning when an action re-initialises a wireless interface.

    Every MAC set on an UP interface clears and re-sets IFF_UP
    (sys/net/if.c if_setlladdr, no equality check); on a wlan vap that
    drops the association and wpa_supplicant must associate again.  A
    port joining a lagg that has ports is given the lagg's MAC; a lagg
    whose MAC is set, or that starts running, gives it to every port whose
    MAC differs (sys/net/if_lagg.c lagg_port_create, lagg_init); the
    primary leaving gives every remaining port the new MAC
    (lagg_port_destroy).
    """
    lp = planner.policy.lagg(name)
    if lp is not None:
        hit = [p for p in lp.ports if _wireless(planner, p) and planner.host.lagg_of(p) == name]
    else:
        hit = [name] if _wireless(planner, name) else []
    if not hit:
        return ""
    what = {"init": "gives the ports their MAC", "join": "sets its MAC",
            "mac": "sets the MAC", "leave": "re-sets the ports' MACs"}[how]  # fmt: skip
    return (
        f"; this {what} and re-initialises {', '.join(hit)}: the Wi-Fi association"
        " drops and wpa_supplicant must associate again"
    )


def _free_for(planner: Planning, port: str, lagg: str) -> bool:
    owner = planner.host.lagg_of(port)
    if owner is not None and owner != lagg:
        planner.notes.append(f"{port} is a port of {owner}, not {lagg}; left alone")
        return False
    return True


def _add_reason(planner: Planning, lagg: str, port: str) -> str:
    if port in planner.created:
        return f"{port} was just created and is not yet a port of {lagg}"
    if port in planner.attached:
        return f"{port} was re-created (ATTACH) and is missing from {lagg}"
    if planner.host.get(port) is None:
        return f"{port} is not a port of {lagg} (the capture does not show {port} itself)"
    return f"{port} exists but is missing from {lagg}"


def _target_mac(planner: Planning, lp: LaggPolicy, mem: LaggMemory) -> str | None:
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


def _failback_hold(
    planner: Planning, lp: LaggPolicy, lagg: Lagg, wanted: list[str], mem: LaggMemory
) -> str | None:
    """The primary kept out of the lagg while its link is not yet trusted, or None.

    The kernel fails back at once (sys/net/if_lagg.c lagg_link_active), so
    the only way to hold traffic on the backup is for the primary not to be
    a member: it leaves when it loses its link (no traffic moves then) and
    rejoins, as primary, once its link has lasted ``failback_hold``.
    """
    if lp.proto != LaggProto.FAILOVER or lp.failback_hold <= 0 or len(wanted) < 2:
        return None
    first = wanted[0]
    first_if = planner.host.get(first)
    if first_if is None:
        return None
    backup_link = any((i := planner.host.get(p)) is not None and i.has_link for p in wanted[1:])
    since = mem.primary_link_since
    if not first_if.has_link:
        planner.memory = planner.memory.with_lagg(lp.name, replace(mem, primary_link_since=None))
        return first if backup_link else None
    if since is None:
        since = planner.now
    planner.memory = planner.memory.with_lagg(lp.name, replace(mem, primary_link_since=since))
    if first in lagg.port_names or not backup_link:
        return None
    if planner.now - since < lp.failback_hold:
        planner.notes.append(
            f"{lp.name}: {first} has had its link for {planner.now - since:.0f}s of"
            f" {lp.failback_hold:g}s (failback_hold); traffic stays on the backup"
        )
        planner.wake.append(since + lp.failback_hold)
        return first
    return None
