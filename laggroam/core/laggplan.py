"""The planner's lagg rules: the lagg, its protocol, its ports in order, the failback hold.

FreeBSD has no verb to re-order a lagg's ports, and the first remaining port
becomes primary when the primary leaves (sys/net/if_lagg.c lagg_port_destroy).
These rules act through the planner (``laggwork.Planning``): its host, policy
and memory, and its ``add``, which holds back an action still in failure
back-off.  The MAC the lagg and its ports must wear is ``laggmac``.  Pure.
"""

from dataclasses import replace

from laggroam.core.action import (
    AddLaggPort,
    BringUp,
    CreateLagg,
    RemoveLaggPort,
    SetEther,
    SetLaggProto,
)
from laggroam.core.host import Interface, Lagg
from laggroam.core.laggmac import first_joiner_mac, joining_mac, keep_lagg_mac, target_mac_of
from laggroam.core.laggwork import LaggWork, Planning, disturbs, is_wireless
from laggroam.core.memory import LaggMemory
from laggroam.core.policymodel import LaggPolicy, LaggProto


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
    work = LaggWork(
        lp, iface, lagg, mem, list(lagg.port_names), wanted, held, target_mac_of(planner, lp, mem)
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
        keep_lagg_mac(planner, work, remaining)
    elif work.target_mac is not None and to_add:
        first_joiner_mac(planner, work, to_add[0])
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


def _reorder(planner: Planning, work: LaggWork) -> None:
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


def _leave(planner: Planning, work: LaggWork) -> None:
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
            reason += disturbs(planner, lp.name, "leave")
        elif is_wireless(planner, port):
            reason += disturbs(planner, port, "mac")
        planner.add(RemoveLaggPort(lp.name, reason, port, rejoin))


def _join(planner: Planning, work: LaggWork, remaining: list[str], to_add: list[str]) -> None:
    lp, iface = work.lp, work.iface
    if iface is not None and not iface.is_up:
        # After the MAC: lagg_init, on the transition to running, gives
        # each port the lagg's MAC once (sys/net/if_lagg.c lagg_init),
        # where a MAC set on a running lagg would bounce it first.
        planner.add(BringUp(lp.name, f"{lp.name} is down{disturbs(planner, lp.name, 'init')}"))
    for port in to_add:
        reason = _add_reason(planner, lp.name, port)
        if remaining or port != to_add[0]:
            reason += disturbs(planner, port, "join")
        planner.add(AddLaggPort(lp.name, reason, port, joining_mac(planner, port)))


def _remember(planner: Planning, work: LaggWork) -> None:
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
            + disturbs(planner, first, "join"),
            first,
            joining_mac(planner, first),
        )
    )
    linked = first_if is not None and first_if.has_link
    return (
        f"; {first} joined first, so {lp.name} keeps a port"
        + (" with link" if linked else "")
        + " throughout"
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
