"""The planner's DHCP rules: one client on the lagg, none on its ports, renewal on a change.

``renew_dhcp = on-failover`` renews when the active port changed since the
last reconcile, ``on-link-up`` when the lagg's link came back; a renewal that
failed is asked for again through its failure record.  Pure: the lagg as the
last reconcile saw it (``before``) is an argument.
"""

from dataclasses import dataclass

from laggroam.core.action import Action, RenewDhcp, StartDhclient, StopDhclient
from laggroam.core.host import Host, Interface
from laggroam.core.memory import LaggMemory
from laggroam.core.policymodel import LaggPolicy, RenewDhcpMode


@dataclass(frozen=True, slots=True)
class DhcpStep:
    """What a lagg's DHCP needs: actions in order, and what was seen but not done."""

    actions: tuple[Action, ...] = ()
    notes: tuple[str, ...] = ()


def decide(
    lp: LaggPolicy,
    host: Host,
    before: LaggMemory | None,
    *,
    exists: bool,
    created: bool,
    renew_failed: bool,
) -> DhcpStep:
    """The step for lagg ``lp``; ``exists`` counts a lagg this plan creates."""
    stops = tuple(_stop_on_ports(lp, host))
    if not lp.dhcp or not exists:
        return DhcpStep(stops)
    if created:
        return DhcpStep((*stops, StartDhclient(lp.name, f"{lp.name} was just created")))
    proc = host.dhclient.get(lp.name)
    if proc is None or proc.running is None:
        return DhcpStep(stops, (f"dhclient on {lp.name}: state unknown; not acted on",))
    iface = host.get(lp.name)
    if not proc.running:
        if iface is not None and not iface.has_link:
            # Without link dhclient gives up after about ten seconds and
            # exits (sbin/dhclient/dhclient.c); start it once lagg has link.
            return DhcpStep(
                stops, (f"no dhclient runs on {lp.name}; waiting for {lp.name}'s link",)
            )
        return DhcpStep((*stops, StartDhclient(lp.name, f"no dhclient runs on {lp.name}")))
    reason = renewal_reason(lp, iface, before)
    # The change that asked for a renewal is remembered as seen at once; a
    # renewal that failed stays asked for through its failure record.
    if reason is None and renew_failed:
        reason = f"the last lease renewal of {lp.name} failed; trying again"
    if reason is None:
        return DhcpStep(stops)
    return DhcpStep((*stops, RenewDhcp(lp.name, reason, proc.pid)))


def _stop_on_ports(lp: LaggPolicy, host: Host) -> list[Action]:
    out: list[Action] = []
    for port in lp.ports:
        proc = host.dhclient.get(port)
        if proc is not None and proc.running:
            out.append(
                StopDhclient(
                    port,
                    f"dhclient runs on {port}, a port of {lp.name}; only {lp.name} keeps a"
                    " DHCP client (two clients fight over the address)",
                )
            )
    return out


def renewal_reason(
    lp: LaggPolicy, iface: Interface | None, before: LaggMemory | None
) -> str | None:
    """Why the lease is renewed now, by the lagg's ``renew_dhcp``; None: it is not."""
    lagg = iface.lagg if iface is not None else None
    if lagg is None or before is None or iface is None:
        return None
    if lp.renew_dhcp == RenewDhcpMode.ON_FAILOVER:
        if before.active is not None and lagg.active is not None and lagg.active != before.active:
            return (
                f"traffic moved from {before.active} to {lagg.active} (failover); the"
                f" lease is renewed: dhclient first asks for the address it holds"
                f" (sbin/dhclient/dhclient.c state_reboot), which a server of the same"
                f" network grants again for {lp.name}'s unchanged MAC, while another"
                f" network's refuses it and gives a new one"
            )
        return None
    if lp.renew_dhcp == RenewDhcpMode.ON_LINK_UP and before.link is False and iface.has_link:
        return f"{lp.name}'s link came back"
    return None
