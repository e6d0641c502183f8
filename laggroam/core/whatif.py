"""What the kernel does to a host when an event happens: a small, pure model.

``plan --event`` asks "what would laggroam do if the cable were pulled now?".
Planning on the observed host with the event as a hint answers a different
question (the cable is still in), so the event is first applied to the
snapshot -- a port losing or gaining its link, a wlan re-created outside its
lagg, a resume -- as the kernel would apply it, and the planner runs on the
result.  The same rule for the active port also tells which port carried the
traffic *before* an event, for a reconcile that has no memory of it.

Every assumption the model makes is returned in words, so that a prediction
never reads as an observation.  Nothing here runs a program or reads a file.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from laggroam.core.event import Event
from laggroam.core.host import Host, Interface, Lagg, LaggPort, Supplicant
from laggroam.core.policymodel import LaggProto

# Port flag bits (sys/net/if_lagg.h LAGG_PORT_MASTER, LAGG_PORT_ACTIVE).
_MASTER, _ACTIVE = 0x01, 0x04
# What suspend/resume does to a radio driver's wlan, by driver (the facts the
# simulator's radio model is built on, each read from the driver's source):
# "in-place": iwn_suspend/iwn_resume call ieee80211_suspend_all/resume_all
# (sys/dev/iwn/if_iwn.c), iwm_resume likewise (sys/dev/iwm/if_iwm.c),
# ndis_resume re-inits (sys/dev/if_ndis/if_ndis.c): the wlan stays in its lagg
# and loses its association.  "re-created": a USB radio is disconnected at
# suspend and connected again at resume (sys/dev/usb/controller/
# usb_controller.c usb_bus_suspend/usb_bus_resume), so its wlan is destroyed
# and a new instance appears outside the lagg.  "silent": iwlwifi is built
# without CONFIG_PM_SLEEP (sys/modules/iwlwifi/Makefile): the wlan stays but
# the radio does not associate until it is re-attached.
RESUME_BY_DRIVER: Mapping[str, str] = {
    "iwn": "in-place",
    "iwm": "in-place",
    "ndis": "in-place",
    "iwlwifi": "silent",
    "rtwn": "re-created",
    "run": "re-created",
    "rum": "re-created",
    "ural": "re-created",
    "urtw": "re-created",
    "otus": "re-created",
    "rsu": "re-created",
}
# ifconfig's "status:" words (sbin/ifconfig/ifmedia.c): an Ethernet with
# carrier, an associated 802.11 station, and neither.
_LINKED = {False: "active", True: "associated"}
NO_CARRIER = "no carrier"


@dataclass(frozen=True, slots=True)
class Prediction:
    """The host as the model expects it after the events, and what it assumed."""

    host: Host
    assumptions: tuple[str, ...]


def predict(
    host: Host,
    events: Sequence[Event],
    parents: Mapping[str, str] | None = None,
    joined: Mapping[str, Mapping[str, str]] | None = None,
) -> Prediction:
    """Apply ``events`` in order to ``host`` as the kernel would.

    ``parents`` maps a wlan to its radio (from the policy) where the snapshot
    does not show it; ``joined`` gives each lagg's remembered lp_lladdr per
    port (the MAC a lagg takes when its primary leaves).
    """
    model = _Model(host, dict(parents or {}), joined or {})
    for event in events:
        model.apply(event)
    return Prediction(model.host, tuple(model.assumptions))


def link_active(
    host: Host, lagg: Lagg, has_link: Callable[[str], bool] | None = None
) -> str | None:
    """``lagg_link_active(sc, sc_primary)``: the port a failover lagg sends on.

    The primary if it is active; else the port right after the primary in the
    list if it is active; else the first active port in list order
    (sys/net/if_lagg.c lagg_link_active).  Active means link up and IFF_UP
    (sys/net/if_lagg.h LAGG_PORTACTIVE).  A port the snapshot does not show
    keeps the ACTIVE flag it was listed with.
    """

    def active(name: str) -> bool:
        iface = host.get(name)
        if iface is None:
            port = lagg.port(name)
            return port is not None and port.is_active
        link = has_link(name) if has_link is not None else iface.has_link
        return link and iface.is_up

    names = list(lagg.port_names)
    primary = lagg.primary
    if primary in names:
        if active(primary):
            return primary
        after = names.index(primary) + 1
        if after < len(names) and active(names[after]):
            return names[after]
    return next((n for n in names if active(n)), None)


def active_before(host: Host, lagg_name: str, event: Event) -> str | None:
    """The port that carried ``lagg_name``'s traffic before a port's link event.

    The event's port had the other link state before it; everything else is
    as observed.  None when the event is not about a port of a failover lagg.
    """
    iface = host.get(lagg_name)
    lagg = iface.lagg if iface is not None else None
    if lagg is None or lagg.proto != LaggProto.FAILOVER or event.ifname not in lagg.port_names:
        return None
    if event.kind not in ("LINK_UP", "LINK_DOWN"):
        return None
    before = event.kind == "LINK_DOWN"

    def had_link(name: str) -> bool:
        if name == event.ifname:
            return before
        other = host.get(name)
        return other is not None and other.has_link

    return link_active(host, lagg, had_link)


class _Model:
    def __init__(
        self, host: Host, parents: dict[str, str], joined: Mapping[str, Mapping[str, str]]
    ) -> None:
        self.host = host
        self.parents = parents
        self.joined = joined
        self.assumptions: list[str] = []

    def apply(self, event: Event) -> None:
        name = event.ifname
        if event.kind in ("LINK_UP", "LINK_DOWN") and name is not None:
            self._link(name, event.kind == "LINK_UP")
        elif event.kind == "ATTACH" and name is not None:
            self._attach(name)
        elif event.kind == "DETACH" and name is not None:
            self._leave_lagg(name)
            self._set_interfaces(tuple(i for i in self.host.interfaces if i.name != name))
            self.assumptions.append(f"{name} is destroyed; a lagg it was a port of loses it")
        elif event.kind == "RESUME":
            self._resume()
        else:
            self.assumptions.append(f"{event}: no model of the kernel's reaction; host unchanged")

    # -- events ------------------------------------------------------------

    def _link(self, name: str, up: bool) -> None:
        iface = self.host.get(name)
        if iface is None:
            self.assumptions.append(f"{name} is not in the snapshot; its link is not modelled")
            return
        if up and not iface.is_up:
            self.assumptions.append(f"{name} is down, so its link cannot come up")
            return
        status = _LINKED[iface.is_wireless] if up else NO_CARRIER
        changes: dict[str, object] = {"status": status}
        if iface.is_wireless and not up:
            changes.update(ssid="", bssid=None)
            self._supplicant(name, "SCANNING")
        self._replace(replace(iface, **changes))  # type: ignore[arg-type]
        owner = self.host.lagg_of(name)
        if owner is not None:
            active = self._recompute(owner)
            self.assumptions.append(
                f"{name} {'gains' if up else 'loses'} its link; {owner} sends on"
                f" {active or 'no port'} (sys/net/if_lagg.c lagg_link_active)"
            )
        else:
            self.assumptions.append(f"{name} {'gains' if up else 'loses'} its link")

    def _attach(self, name: str) -> None:
        iface = self.host.get(name)
        wlan = name.startswith("wlan") or (iface is not None and iface.is_wireless)
        if not wlan:
            if iface is None:
                self._set_interfaces((*self.host.interfaces, Interface(name, status=NO_CARRIER)))
            self.assumptions.append(f"{name} appears (ATTACH), down and unconfigured")
            return
        owner = self._leave_lagg(name)
        fresh = self._fresh_wlan(name, iface)
        if iface is None:
            self._set_interfaces((*self.host.interfaces, fresh))
        else:
            self._replace(fresh)
        self._supplicant(name, "SCANNING")
        where = f"outside {owner}" if owner else "outside every lagg"
        self.assumptions.append(
            f"ATTACH {name}: a new instance of {name} (its radio detached and attached),"
            f" {where}, wearing its own MAC, not yet associated; the old one left its lagg"
            " as a departing member does (sys/net/if_lagg.c lagg_port_ifdetach)"
        )

    def _resume(self) -> None:
        wlans = [i for i in self.host.interfaces if i.is_wireless or i.name in self.parents]
        if not wlans:
            self.assumptions.append("RESUME: no wireless interface; host unchanged")
        for iface in wlans:
            radio = iface.parent or self.parents.get(iface.name) or ""
            driver = radio.rstrip("0123456789")
            kind = RESUME_BY_DRIVER.get(driver)
            if kind == "re-created":
                self._attach(iface.name)
                self.assumptions.append(
                    f"RESUME: {radio} is a USB radio, re-connected at resume"
                    " (sys/dev/usb/controller/usb_controller.c usb_bus_resume)"
                )
                continue
            self._link(iface.name, False)
            why = {
                "in-place": f"{radio}'s driver resumes its vaps in place and the association drops",
                "silent": f"{radio}'s driver resumes without firmware state and stays silent",
            }.get(kind or "", f"{radio or 'its radio'}: driver not modelled, assumed to resume"
                  " in place")  # fmt: skip
            self.assumptions.append(f"RESUME: {iface.name} stays; {why}")
        self.assumptions.append("RESUME: wired ports keep the link they had (cables unchanged)")

    # -- the pieces --------------------------------------------------------

    def _fresh_wlan(self, name: str, old: Interface | None) -> Interface:
        if old is None:
            return Interface(
                name, status=NO_CARRIER, groups=("wlan",), parent=self.parents.get(name)
            )
        own = old.hwaddr if old.hwaddr and old.hwaddr != "00:00:00:00:00:00" else old.ether
        return replace(
            old, ether=own, hwaddr=None, status=NO_CARRIER, ssid="", bssid=None, laggdev=None
        )

    def _leave_lagg(self, name: str) -> str | None:
        """The port leaves its lagg as lagg_port_destroy does; the lagg it left."""
        owner = self.host.lagg_of(name)
        if owner is None:
            return None
        iface = self.host.get(owner)
        assert iface is not None and iface.lagg is not None
        lagg = iface.lagg
        ports = tuple(p for p in lagg.ports if p.name != name)
        ether = iface.ether
        primary = lagg.primary
        if primary == name:
            # The first remaining port becomes primary and the lagg takes its
            # lp_lladdr (sys/net/if_lagg.c lagg_port_destroy).
            primary = ports[0].name if ports else None
            ether = self._lp_lladdr(owner, primary) if primary else "00:00:00:00:00:00"
        ports = tuple(
            replace(p, flags=("MASTER",) if p.name == primary else (), flags_value=None)
            for p in ports
        )
        self._replace(replace(iface, ether=ether, lagg=replace(lagg, ports=ports)))
        self._recompute(owner)
        return owner

    def _lp_lladdr(self, lagg: str, port: str) -> str | None:
        remembered = self.joined.get(lagg, {}).get(port)
        if remembered:
            return remembered
        iface = self.host.get(port)
        if iface is None:
            return None
        return iface.hwaddr if iface.hwaddr else iface.ether

    def _recompute(self, name: str) -> str | None:
        """Port flags and the lagg's link after a change (lagg_port2req, lagg_linkstate)."""
        iface = self.host.get(name)
        assert iface is not None and iface.lagg is not None
        lagg = iface.lagg
        active = link_active(self.host, lagg) if lagg.proto == LaggProto.FAILOVER else None
        ports = []
        for p in lagg.ports:
            if lagg.proto != LaggProto.FAILOVER:
                ports.append(p)
                continue
            flags = tuple(f for f in ("MASTER", "ACTIVE") if _has(f, p, lagg.primary, active))
            value = sum(bit for f, bit in (("MASTER", _MASTER), ("ACTIVE", _ACTIVE)) if f in flags)
            ports.append(LaggPort(p.name, flags, value if p.flags_value is not None else None))
        # lagg_linkstate: the lagg has link when any port has (sys/net/if_lagg.c).
        linked = any((i := self.host.get(p.name)) is not None and i.has_link for p in lagg.ports)
        status = "active" if linked else NO_CARRIER
        self._replace(replace(iface, status=status, lagg=replace(lagg, ports=tuple(ports))))
        return active

    def _supplicant(self, name: str, state: str) -> None:
        sup = self.host.wpa.get(name)
        if sup is not None and sup.running:
            wpa = {**self.host.wpa, name: Supplicant(True, sup.pid, state)}
            self.host = replace(self.host, wpa=wpa)

    def _replace(self, iface: Interface) -> None:
        self._set_interfaces(
            tuple(iface if i.name == iface.name else i for i in self.host.interfaces)
        )

    def _set_interfaces(self, interfaces: tuple[Interface, ...]) -> None:
        self.host = replace(self.host, interfaces=interfaces)


def _has(flag: str, port: LaggPort, primary: str | None, active: str | None) -> bool:
    return port.name == (primary if flag == "MASTER" else active)
