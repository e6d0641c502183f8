"""The observed state of a host: what laggroam saw, never what it guesses.

Every field that observation could not establish is ``None`` (or listed in
``Host.unknown``), so the planner can tell "not running" from "not known" and
never act on a guess.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# Port states for which a failover lagg uses the port, read off ifconfig's
# "status:" line: Ethernet "active", 802.11 station "associated", hostap
# "running" (freebsd-src sbin/ifconfig/ifmedia.c).
LINK_STATUSES = frozenset({"active", "associated", "running"})


@dataclass(frozen=True, slots=True)
class LaggPort:
    """One ``laggport:`` line: a member and the flags lagg reports for it."""

    name: str
    flags: tuple[str, ...] = ()
    # The number after "flags=", when printed (the seed-blog copy lost the
    # names, a 2007-era layout lost the number); None when not shown.
    flags_value: int | None = None

    @property
    def is_master(self) -> bool:
        return "MASTER" in self.flags

    @property
    def is_active(self) -> bool:
        return "ACTIVE" in self.flags


@dataclass(frozen=True, slots=True)
class Lagg:
    """The lagg(4) part of a lagg interface: protocol, hash and ports in listed order."""

    proto: str
    hash: tuple[str, ...] = ()
    ports: tuple[LaggPort, ...] = ()
    # Derived from ``ports`` once, since the planner asks for them per rule.
    port_names: tuple[str, ...] = field(init=False, repr=False, compare=False)
    # The port flagged MASTER (failover's primary), if lagg shows one.
    primary: str | None = field(init=False, repr=False, compare=False)
    # The first port flagged ACTIVE: the one carrying traffic in failover.
    active: str | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "port_names", tuple(p.name for p in self.ports))
        primary = next((p.name for p in self.ports if p.is_master), None)
        object.__setattr__(self, "primary", primary)
        object.__setattr__(self, "active", next((p.name for p in self.ports if p.is_active), None))

    def port(self, name: str) -> LaggPort | None:
        return next((p for p in self.ports if p.name == name), None)


@dataclass(frozen=True, slots=True)
class Inet6Addr:
    """One ``inet6`` line: address, prefix length, flags, lifetimes when printed.

    ``pltime``/``vltime`` are the seconds left, as ifconfig prints them (the
    14.x/15.x netlink printer always, older ones with ``-L``); None when the
    line does not show them (infinite, or not asked for).
    """

    addr: str
    prefixlen: int
    flags: tuple[str, ...] = ()
    scope: str | None = None
    pltime: int | None = None
    vltime: int | None = None

    @property
    def link_local(self) -> bool:
        return self.addr.lower().startswith("fe80:")

    @property
    def usable(self) -> bool:
        """Chosen for new connections: not tentative, duplicated, detached nor deprecated."""
        bad = {"tentative", "duplicated", "detached", "deprecated"}
        return not bad & set(self.flags) and self.pltime != 0


@dataclass(frozen=True, slots=True)
class Interface:
    """One interface as ``ifconfig`` prints it."""

    name: str
    flags: tuple[str, ...] = ()
    flags_value: int | None = None
    metric: int | None = None
    mtu: int | None = None
    options: tuple[str, ...] = ()
    ether: str | None = None
    hwaddr: str | None = None
    inet: tuple[str, ...] = ()
    inet6: tuple[str, ...] = ()
    media: str | None = None
    status: str | None = None
    groups: tuple[str, ...] = ()
    description: str | None = None
    ssid: str | None = None
    channel: int | None = None
    bssid: str | None = None
    parent: str | None = None
    lagg: Lagg | None = None
    laggdev: str | None = None
    extra: tuple[str, ...] = ()
    # The number after "options=" (the names are in ``options``).
    options_value: int | None = None
    # Every inet6 line in detail, and the names of "nd6 options=HEX<NAMES>".
    inet6_addrs: tuple[Inet6Addr, ...] = ()
    nd6: tuple[str, ...] = ()

    @property
    def accepts_rtadv(self) -> bool:
        return "ACCEPT_RTADV" in self.nd6 and "IFDISABLED" not in self.nd6

    @property
    def is_up(self) -> bool:
        return "UP" in self.flags

    @property
    def has_link(self) -> bool:
        return self.status in LINK_STATUSES

    @property
    def is_wireless(self) -> bool:
        return (
            self.ssid is not None
            or self.parent is not None
            or "wlan" in self.groups
            or (self.media or "").startswith("IEEE 802.11")
        )


@dataclass(frozen=True, slots=True)
class Process:
    """A daemon laggroam looks after; ``running`` is None when it could not be told."""

    running: bool | None
    pid: int | None = None


@dataclass(frozen=True, slots=True)
class Supplicant:
    """wpa_supplicant on one wlan: process and ``wpa_cli status`` state."""

    running: bool | None
    pid: int | None = None
    state: str | None = None
    ssid: str | None = None
    bssid: str | None = None


@dataclass(frozen=True, slots=True)
class Host:
    """A snapshot of the host; interfaces keep the order ifconfig printed them in.

    The name index and the lagg membership are built once per snapshot, so
    every lookup the planner makes is O(1) however many interfaces the host has.
    """

    interfaces: tuple[Interface, ...] = ()
    dhclient: Mapping[str, Process] = field(default_factory=dict)
    wpa: Mapping[str, Supplicant] = field(default_factory=dict)
    radios: tuple[str, ...] | None = None
    unknown: tuple[str, ...] = ()
    # The interface list may be partial (a capture of "ifconfig lagg0"): an
    # interface not shown is not known to be absent.
    partial: bool = False
    # IPv6 default routers per interface (``ndp -rn``); None when not asked
    ipv6_routers: Mapping[str, tuple[str, ...]] | None = None
    _by_name: Mapping[str, Interface] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _laggs: Mapping[str, Lagg] = field(init=False, repr=False, compare=False, default_factory=dict)
    _owner: Mapping[str, str] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        by_name: dict[str, Interface] = {}
        laggs: dict[str, Lagg] = {}
        for iface in self.interfaces:
            by_name.setdefault(iface.name, iface)  # the first stanza of a name, as before
            if iface.lagg is not None:
                laggs[iface.name] = iface.lagg
        owner: dict[str, str] = {}
        for name, lagg in laggs.items():
            for port in lagg.ports:
                owner.setdefault(port.name, name)
        object.__setattr__(self, "_by_name", MappingProxyType(by_name))
        object.__setattr__(self, "_laggs", MappingProxyType(laggs))
        object.__setattr__(self, "_owner", MappingProxyType(owner))

    def get(self, name: str) -> Interface | None:
        return self._by_name.get(name)

    def names(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.interfaces)

    def laggs(self) -> Mapping[str, Lagg]:
        """Every lagg by name (read-only: built once per snapshot)."""
        return self._laggs

    def lagg_of(self, port: str) -> str | None:
        """The lagg whose ``laggport:`` lines list ``port``, if any."""
        return self._owner.get(port)
