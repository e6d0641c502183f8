"""What the lagg rules share: the planner they act through, one lagg's work, the Wi-Fi warning.

``laggplan`` (the ports: join, leave, re-order, failback hold) and
``laggmac`` (the MAC the lagg and its ports must wear) both read and change
a :class:`LaggWork` through the planner (:class:`Planning`), and both warn in
an action's reason when it re-initialises a wireless port.  Pure.
"""

from dataclasses import dataclass, field
from typing import Protocol

from laggroam.core.action import Action
from laggroam.core.host import Host, Interface, Lagg
from laggroam.core.memory import LaggMemory, Memory
from laggroam.core.policymodel import LaggPolicy, Policy


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


@dataclass(slots=True)
class LaggWork:
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


def is_wireless(planner: Planning, name: str) -> bool:
    iface = planner.host.get(name)
    return planner.policy.wlan(name) is not None or (iface is not None and iface.is_wireless)


def disturbs(planner: Planning, name: str, how: str) -> str:
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
        hit = [p for p in lp.ports if is_wireless(planner, p) and planner.host.lagg_of(p) == name]
    else:
        hit = [name] if is_wireless(planner, name) else []
    if not hit:
        return ""
    what = {"init": "gives the ports their MAC", "join": "sets its MAC",
            "mac": "sets the MAC", "leave": "re-sets the ports' MACs"}[how]  # fmt: skip
    return (
        f"; this {what} and re-initialises {', '.join(hit)}: the Wi-Fi association"
        " drops and wpa_supplicant must associate again"
    )
