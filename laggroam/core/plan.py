"""The brain: from policy, observed host, memory and events to an ordered plan.

Pure (sans-IO): no program runs, no file is read, no clock is read -- ``now``
is an argument.  Level-triggered: every rule compares the policy with what was
observed, so a lost event or a restart loses nothing, and a converged host
yields no action at all.  Events only add what observation cannot see (a wlan
that is a new instance, a resume).  This module holds the order of the passes
and the wlan rules; the others live beside it: ``laggplan`` (the lagg, its
ports and MAC), ``wpaplan``, ``dhcpplan``, ``ipv6plan``.  What a reconcile's
results change in memory is ``after``'s.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace

from laggroam.core import dhcpplan, ipv6plan, laggplan, wpaplan
from laggroam.core.action import Action, BringUp, CreateWlan, RenewDhcp
from laggroam.core.event import Event
from laggroam.core.host import Host
from laggroam.core.ipv6memory import NetMemory
from laggroam.core.laggmac import ZERO_MAC, own_mac
from laggroam.core.memory import LaggMemory, Memory, WlanMemory
from laggroam.core.policymodel import LaggPolicy, Policy, WlanPolicy
from laggroam.core.whatif import Prediction, active_before, predict
from laggroam.core.wpaplan import MAX_WPA_RESTARTS

# MAX_WPA_RESTARTS (core.wpaplan), own_mac and ZERO_MAC (core.laggplan) are
# named here too, for those who read plan's.
__all__ = ["MAX_WPA_RESTARTS", "ZERO_MAC", "Plan", "own_mac", "plan", "predict_for"]


@dataclass(frozen=True, slots=True)
class Plan:
    """Actions in execution order, the memory to keep, and what was seen but not done."""

    actions: tuple[Action, ...]
    memory: Memory
    notes: tuple[str, ...] = ()
    wake_at: float | None = None


def plan(policy: Policy, host: Host, memory: Memory, events: Sequence[Event], now: float) -> Plan:
    """Decide what brings ``host`` to ``policy``; see the module docstring."""
    planner = _Planner(policy, host, memory, events, now)
    for wlan in policy.wlans:
        planner.wlan(wlan)
    for lagg in policy.laggs:
        planner.lagg(lagg)
    for wlan in policy.wlans:
        planner.supplicant(wlan)
    for lagg in policy.laggs:
        planner.dhcp(lagg)
    for lagg in policy.laggs:
        planner.ipv6(lagg)
    return planner.result()


def predict_for(
    policy: Policy, host: Host, memory: Memory, events: Sequence[Event], now: float
) -> tuple[Prediction, Memory]:
    """The prediction ``plan --event`` plans on, and the memory to plan it with.

    The memory is what a reconcile of the observed snapshot would record (the
    active port, each lagg's link), so that the planner compares the
    predicted host with the observed one, as a real reconcile after the
    event would compare it with the last one.
    """
    seen = plan(policy, host, memory, [], now).memory
    parents = {w.name: w.parent for w in policy.wlans if w.parent}
    joined = {name: m.lp_lladdr for name, m in seen.laggs.items()}
    return predict(host, events, parents, joined), seen


class _Planner:
    def __init__(
        self, policy: Policy, host: Host, memory: Memory, events: Sequence[Event], now: float
    ) -> None:
        self.policy = policy
        self.host = host
        self.memory = memory
        self.initial = memory
        self.now = now
        self.partial = host.partial
        self.events = tuple(events)
        self.attached = {e.ifname for e in events if e.kind == "ATTACH"}
        self.resumed = any(e.kind == "RESUME" for e in events)
        self.actions: list[Action] = []
        self.notes: list[str] = []
        self.created: set[str] = set()
        self.new_instances: set[str] = set()
        self.wake: list[float] = []

    # -- helpers -----------------------------------------------------------

    def add(self, action: Action) -> None:
        failure = self.memory.failures.get(action.key)
        if failure is not None and failure.retry_at > self.now:
            self.notes.append(
                f"{action.command()}: failed {failure.count} time(s)"
                f" ({failure.last_error or 'no effect'}); next try in"
                f" {failure.retry_at - self.now:.0f}s"
            )
            self.wake.append(failure.retry_at)
            return
        self.actions.append(action)

    def exists(self, name: str) -> bool:
        """Known to exist now, or about to be created by this plan."""
        return self.host.get(name) is not None or name in self.created

    def may_exist(self, name: str) -> bool:
        return self.exists(name) or self.partial

    def result(self) -> Plan:
        return Plan(
            tuple(self.actions),
            self.memory,
            tuple(self.notes),
            min(self.wake) if self.wake else None,
        )

    # -- wlan interfaces ---------------------------------------------------

    def wlan(self, w: WlanPolicy) -> None:
        iface = self.host.get(w.name)
        mem = self.memory.wlan(w.name)
        if iface is None and not w.parent:
            self.notes.append(f"{w.name} is missing; it is not a wlan laggroam can create")
            if not self.partial:
                self.memory = self.memory.with_wlan(w.name, replace(mem, present=False))
            return
        if iface is None:
            if self.host.radios is None:
                if not self.partial:
                    self.notes.append(
                        f"{w.name} is missing and whether its radio {w.parent} is attached"
                        " could not be observed"
                    )
            elif w.parent in self.host.radios:
                self.add(
                    CreateWlan(
                        w.name,
                        f"{w.name} is missing while its radio {w.parent} is attached",
                        w.parent,
                        w.create_args,
                    )
                )
                self.add(BringUp(w.name, f"{w.name} was just created"))
                self.created.add(w.name)
                self.new_instances.add(w.name)
            else:
                self.notes.append(f"{w.name}: radio {w.parent} is not attached; waiting for it")
            if not self.partial:
                self.memory = self.memory.with_wlan(w.name, replace(mem, present=False))
            return
        if w.name in self.attached or mem.present is False:
            self.new_instances.add(w.name)
        if not iface.is_up:
            self.add(BringUp(w.name, f"{w.name} is down"))
        self.memory = self.memory.with_wlan(w.name, replace(mem, present=True))

    # -- laggs (laggroam.core.laggplan) ------------------------------------

    def lagg(self, lp: LaggPolicy) -> None:
        laggplan.plan_lagg(self, lp)

    # -- wpa_supplicant ----------------------------------------------------

    def supplicant(self, w: WlanPolicy) -> None:
        """Keep wpa_supplicant running on ``w``; restart it only when stuck (core.wpaplan)."""
        if not w.wpa or not self.exists(w.name):
            return
        seen = wpaplan.WpaSituation(
            self.now,
            created=w.name in self.created,
            new_instance=w.name in self.new_instances,
            resumed=self.resumed,
        )
        step = wpaplan.decide(w, self.host, self.memory.wlan(w.name), seen)
        self.notes.extend(step.notes)
        self.wake.extend(step.wake)
        for action in step.actions:
            self.add(action)
        if step.memory is not None:
            self._keep(w.name, step.memory)

    def _keep(self, name: str, mem: WlanMemory) -> None:
        self.memory = self.memory.with_wlan(name, mem)

    # -- IPv6 (laggroam.core.ipv6plan) -------------------------------------------

    def ipv6(self, lp: LaggPolicy) -> None:
        step = ipv6plan.decide(
            lp,
            self.host,
            self.initial.lagg(lp.name),
            self.memory.ipv6.get(lp.name),
            dhcp_failed=RenewDhcp(lp.name, "").key in self.memory.failures,
        )
        if step.memory != self.memory.ipv6.get(lp.name, NetMemory()):
            self.memory = replace(self.memory, ipv6={**self.memory.ipv6, lp.name: step.memory})
        self.notes.extend(step.notes)
        for action in step.actions:
            self.add(action)

    # -- DHCP --------------------------------------------------------------

    def _before(self, name: str) -> LaggMemory | None:
        """The lagg as the last reconcile saw it; without memory, inferred from the events.

        A one-shot reconcile right after install has no memory, but a port's
        link event says what the port's link was before it, and so which port
        carried the traffic then (whatif.active_before, lagg_link_active's
        rule): the first failover is then renewed like every later one.
        """
        before = self.initial.laggs.get(name)
        if before is not None and before.active is not None:
            return before
        inferred = next(
            (a for e in self.events if (a := active_before(self.host, name, e)) is not None),
            None,
        )
        if inferred is None:
            return before
        iface = self.host.get(name)
        link = iface.has_link if iface is not None else None
        return replace(before or LaggMemory(), active=inferred, link=link)

    def dhcp(self, lp: LaggPolicy) -> None:
        step = dhcpplan.decide(
            lp,
            self.host,
            self._before(lp.name),
            exists=self.exists(lp.name),
            created=lp.name in self.created,
            renew_failed=RenewDhcp(lp.name, "").key in self.memory.failures,
        )
        self.notes.extend(step.notes)
        for action in step.actions:
            self.add(action)
