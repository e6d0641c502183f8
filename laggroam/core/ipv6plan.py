"""IPv6 follows the laptop: a pure decision from a snapshot, memory and policy.

Why it is needed (freebsd-src): a lagg keeps its link through a failover
(sys/net/if_lagg.c ``lagg_linkstate``: up while any port is up), and
rtsold(8) solicits routers again only when an interface comes back after a
link failure (usr.sbin/rtsold/rtsold.8), so after a failover to another
network nothing asks the new router for its prefix until its next
unsolicited advertisement (RFC 4861 MaxRtrAdvInterval, 600 s by default).
The old network's autoconf addresses and default router stay until their
lifetimes run out, and an advertisement cannot shorten a valid lifetime
below two hours (RFC 4862 5.5.3 e; sys/netinet6/nd6_rtr.c ``prelist_update``).

What this module decides, per lagg that accepts router advertisements
(``nd6 options`` shows ACCEPT_RTADV, from ``ifconfig_lagg0_ipv6="inet6
accept_rtadv"``):

1. A *trigger*: traffic moved to another port (failover), or the lagg's
   link came back.  ``renew_ipv6 = on-failover`` / ``on-link-up`` solicit at
   once; ``on-network-change`` first tells a port change from a network
   change.
2. The *evidence*, in this order: the active wlan's SSID seen before on the
   same network; the IPv4 subnet after the DHCP renewal the trigger asked for
   (renew_dhcp); routers or prefixes advertised that the network never had;
   if nothing tells, routers are solicited once to learn it -- a solicitation
   changes no address.
3. On another network: the old network's autoconf addresses are removed,
   deprecated or kept (``old_prefixes``), its default router flushed (``ndp
   -R``, host-wide, so only when no other interface accepts advertisements),
   and routers solicited.  On the same network nothing is done.
"""

import ipaddress
from collections.abc import Collection
from dataclasses import dataclass, replace

from laggroam.core.action import Action
from laggroam.core.host import Host, Interface
from laggroam.core.ipv6action import (
    DeleteAddress6,
    DeprecateAddress6,
    FlushRouters6,
    SolicitRouters,
)
from laggroam.core.ipv6memory import NetMemory
from laggroam.core.memory import LaggMemory
from laggroam.core.policymodel import LaggPolicy, OldPrefixes, RenewDhcpMode, RenewIpv6Mode


@dataclass(frozen=True, slots=True)
class Evidence:
    """What observation says about the network a lagg is on now."""

    active: str | None
    ssid: str | None
    bssid: str | None
    subnets4: tuple[str, ...]
    prefixes6: tuple[str, ...]
    routers6: tuple[str, ...]

    def text(self) -> str:
        via = self.active or "no port"
        if self.ssid is not None:
            via += f" (ssid {self.ssid}" + (f", bssid {self.bssid})" if self.bssid else ")")
        return (
            f"via {via}; IPv4 {_list(self.subnets4)}; prefixes {_list(self.prefixes6)};"
            f" routers {_list(self.routers6)}"
        )


@dataclass(frozen=True, slots=True)
class Ipv6Step:
    """The actions of one lagg's IPv6, its memory afterwards, and what was seen."""

    actions: tuple[Action, ...]
    memory: NetMemory
    notes: tuple[str, ...] = ()


def _list(items: Collection[str]) -> str:
    return ", ".join(items) if items else "none"


def evidence(host: Host, iface: Interface) -> Evidence:
    """The observable identity of the lagg's network (see the module docstring)."""
    active = iface.lagg.active if iface.lagg is not None else None
    port = host.get(active) if active is not None else None
    ssid = port.ssid if port is not None and port.is_wireless else None
    bssid = port.bssid if port is not None and port.is_wireless else None
    subnets = []
    for cidr in iface.inet:
        net = ipaddress.ip_interface(cidr).network
        if not net.is_link_local and str(net) not in subnets:
            subnets.append(str(net))
    prefixes = []
    for a in iface.inet6_addrs:
        if a.link_local or "autoconf" not in a.flags or not a.usable:
            continue
        net6 = str(ipaddress.ip_interface(f"{a.addr}/{a.prefixlen}").network)
        if net6 not in prefixes:
            prefixes.append(net6)
    routers = (host.ipv6_routers or {}).get(iface.name, ())
    return Evidence(active, ssid, bssid, tuple(subnets), tuple(prefixes), tuple(routers))


def decide(
    lp: LaggPolicy,
    host: Host,
    before: LaggMemory,
    mem: NetMemory | None,
    *,
    dhcp_failed: bool = False,
) -> Ipv6Step:
    """One plan's IPv6 decision for ``lp``; ``before`` is the lagg's memory at plan start."""
    mem = mem or NetMemory()
    iface = host.get(lp.name)
    if lp.renew_ipv6 == RenewIpv6Mode.NEVER or iface is None or iface.lagg is None:
        return Ipv6Step((), mem)
    if not iface.accepts_rtadv:
        return Ipv6Step((), mem)
    ev = evidence(host, iface)
    trigger, dhcp_follows = _trigger(lp, iface, before, ev)
    # the evidence is shown while a change is examined; a settled lagg is quiet
    notes = [f"{lp.name} IPv6 evidence: {ev.text()}"] if trigger or mem.pending else []
    actions: list[Action] = []
    if trigger is not None:
        mem = replace(mem, pending=trigger, waits_dhcp=dhcp_follows, probed=False)
        if lp.renew_ipv6 in (RenewIpv6Mode.ON_FAILOVER, RenewIpv6Mode.ON_LINK_UP) and _mode_fires(
            lp, trigger
        ):
            actions.append(SolicitRouters(lp.name, f"{trigger}; renew_ipv6 = {lp.renew_ipv6}"))
            mem = replace(mem, probed=True)
    if mem.pending is None:
        return Ipv6Step((), _learn(mem, ev, iface), tuple(notes))
    # IPv4 tells the network only when it came from the network's DHCP server,
    # after the renewal the change asked for
    fresh4 = lp.dhcp and not (trigger is not None and dhcp_follows) and not dhcp_failed
    verdict, why = _compare(ev, mem, fresh4)
    notes.append(
        f"{lp.name} was on: IPv4 {_list(mem.subnets4)}; prefixes {_list(mem.prefixes6)};"
        f" routers {_list(mem.routers6)}; SSIDs {_list(mem.ssids)}"
    )
    if verdict == "same":
        notes.append(f"{lp.name}: {mem.pending}: same network ({why}); IPv6 left as it is")
        done = replace(mem, pending=None, waits_dhcp=False, probed=False)
        return Ipv6Step(tuple(actions), _learn(done, ev, iface), tuple(notes))
    if verdict == "changed":
        step = _retire(lp, host, iface, ev, mem, why=why, fresh4=fresh4)
        return Ipv6Step((*actions, *step.actions), step.memory, (*notes, *step.notes))
    if trigger is not None and dhcp_follows:
        notes.append(f"{lp.name}: {trigger}: the DHCP renewal will tell the network")
        return Ipv6Step(tuple(actions), mem, tuple(notes))
    if not mem.probed:
        reason = f"{mem.pending}; {why}: routers are asked, which changes no address"
        actions.append(SolicitRouters(lp.name, reason))
        return Ipv6Step(tuple(actions), replace(mem, probed=True, waits_dhcp=False), tuple(notes))
    notes.append(f"{lp.name}: {mem.pending}: no router told the network; IPv6 left as it is")
    done = replace(mem, pending=None, waits_dhcp=False, probed=False)
    return Ipv6Step(tuple(actions), done, tuple(notes))


def _trigger(
    lp: LaggPolicy, iface: Interface, before: LaggMemory, ev: Evidence
) -> tuple[str | None, bool]:
    """(what happened, whether a DHCP renewal follows it in this plan)."""
    if before.active is not None and ev.active is not None and before.active != ev.active:
        why = f"traffic moved from {before.active} to {ev.active} (failover)"
        return why, lp.dhcp and lp.renew_dhcp == RenewDhcpMode.ON_FAILOVER
    if before.link is False and iface.has_link:
        # dhclient re-requests its lease on link up by itself (sbin/dhclient/dhclient.c)
        return f"{lp.name}'s link came back", lp.dhcp
    return None, False


def _mode_fires(lp: LaggPolicy, trigger: str) -> bool:
    failover = trigger.endswith("(failover)")
    return failover if lp.renew_ipv6 == RenewIpv6Mode.ON_FAILOVER else not failover


def _compare(ev: Evidence, mem: NetMemory, fresh4: bool) -> tuple[str, str]:
    """("same" | "changed" | "unknown", the evidence that decided)."""
    if ev.ssid is not None and ev.ssid in mem.ssids:
        return "same", f"{ev.active} is on SSID {ev.ssid}, seen on this network before"
    if fresh4 and ev.subnets4 and mem.subnets4:
        if set(ev.subnets4) & set(mem.subnets4):
            return "same", f"IPv4 is still {_list(ev.subnets4)} after the renewal"
        return "changed", (
            f"IPv4 is {_list(ev.subnets4)} after the renewal, the network had {_list(mem.subnets4)}"
        )
    new_routers = set(ev.routers6) - set(mem.routers6)
    new_prefixes = set(ev.prefixes6) - set(mem.prefixes6) - set(mem.retired)
    if (new_routers or new_prefixes) and (mem.routers6 or mem.prefixes6):
        seen = sorted(new_prefixes) + sorted(new_routers)
        return "changed", f"{_list(seen)} advertised, never seen on the network it was on"
    if mem.probed and ev.prefixes6 and set(ev.prefixes6) <= set(mem.prefixes6):
        return "same", "asked, the routers advertise only this network's prefixes"
    if not (mem.subnets4 or mem.prefixes6 or mem.routers6):
        return "same", "nothing is known of the network it was on"
    return "unknown", "neither the SSID nor IPv4 tells the network"


def _retire(
    lp: LaggPolicy, host: Host, iface: Interface, ev: Evidence, mem: NetMemory, *, why: str,
    fresh4: bool,
) -> Ipv6Step:  # fmt: skip
    """Another network: the old one's addresses and router go as old_prefixes says; solicit."""
    old = set(mem.prefixes6) | set(mem.retired)
    actions: list[Action] = []
    notes: list[str] = []
    head = f"{mem.pending}: another network ({why})"
    for a in iface.inet6_addrs:
        net = str(ipaddress.ip_interface(f"{a.addr}/{a.prefixlen}").network)
        if a.link_local or "autoconf" not in a.flags or net not in old:
            continue
        if lp.old_prefixes == OldPrefixes.REMOVE:
            actions.append(DeleteAddress6(lp.name, f"{head}; {a.addr} of {net} is off-link here:"
                                          " old_prefixes = remove", a.addr))  # fmt: skip
        elif lp.old_prefixes == OldPrefixes.DEPRECATE and a.usable:
            actions.append(DeprecateAddress6(
                lp.name, f"{head}; {a.addr} of {net} stays for open connections but new ones"
                " avoid it: old_prefixes = deprecate", a.addr, a.prefixlen, a.vltime or 0,
            ))  # fmt: skip
        elif lp.old_prefixes == OldPrefixes.KEEP:
            notes.append(
                f"{lp.name}: {a.addr} of {net} left to its lifetimes (old_prefixes = keep)"
            )
    old_routers = tuple(r for r in ev.routers6 if r in mem.routers6)
    others = [i.name for i in host.interfaces if i.accepts_rtadv and i.name != lp.name]
    if old_routers and lp.old_prefixes != OldPrefixes.KEEP:
        if others:
            notes.append(
                f"{lp.name}: old default router {_list(old_routers)} left to its lifetime:"
                f" ndp -R is host-wide and {_list(others)} also accept advertisements"
            )
        else:
            actions.append(FlushRouters6(
                lp.name, f"{head}; router {_list(old_routers)} is not on this link and would"
                " stay the default router", old_routers,
            ))  # fmt: skip
    actions.append(SolicitRouters(lp.name, f"{head}; the new network's router is asked now"))
    kept = tuple(sorted(old)) if lp.old_prefixes != OldPrefixes.REMOVE else ()
    learned = NetMemory(
        subnets4=ev.subnets4 if fresh4 else (),
        prefixes6=tuple(p for p in ev.prefixes6 if p not in old),
        routers6=tuple(r for r in ev.routers6 if r not in mem.routers6),
        ssids=(ev.ssid,) if ev.ssid is not None else (),
        retired=kept,
    )
    return Ipv6Step(tuple(actions), learned, tuple(notes))


def _learn(mem: NetMemory, ev: Evidence, iface: Interface) -> NetMemory:
    """A settled lagg teaches what its network looks like."""
    if not iface.has_link:
        return mem
    prefixes = tuple(p for p in ev.prefixes6 if p not in mem.retired)
    routers = ev.routers6
    ssids = mem.ssids
    if ev.ssid is not None and ev.ssid not in ssids:
        ssids = (*ssids, ev.ssid)
    return replace(
        mem,
        subnets4=ev.subnets4 or mem.subnets4,
        prefixes6=prefixes or mem.prefixes6,
        routers6=routers or mem.routers6,
        ssids=ssids,
    )
