"""The simulated host's state as plain dataclasses, and their JSON form.

Everything the simulator knows lives in one ``SimState`` so that separate
processes (the CLI, the stand-in programs, hooks, the daemon) share one host
through ``DIR/state.json``.  Only data here; behaviour lives in kernel.py,
world.py, daemons.py and rc.py.
"""

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, TypeVar

ZERO_MAC = "00:00:00:00:00:00"


@dataclass
class Inet:
    """One IPv4 address on an interface, with the DHCP server's prefix."""

    addr: str
    prefixlen: int


@dataclass
class Inet6:
    """One IPv6 address: flags as ifconfig names them, lifetimes as absolute sim times.

    ``preferred``/``expire`` are the kernel's ia6t_preferred / ia6t_expire
    (0: infinite; sys/netinet6/in6_var.h struct in6_addrlifetime); ``prefix``
    is the RA prefix an autoconf address was formed from (ia6_ndpr).
    """

    addr: str
    prefixlen: int
    flags: list[str] = field(default_factory=list)
    preferred: int = 0
    expire: int = 0
    prefix: str | None = None


@dataclass
class DefRouter:
    """An entry of the default router list (sys/netinet6/nd6.h struct nd_defrouter)."""

    addr: str
    expire: int
    flags: str = ""


@dataclass
class Prefix6:
    """An entry of the prefix list (struct nd_prefix): learned from an RA."""

    prefix: str
    vltime: int
    pltime: int
    expire: int
    routers: list[str] = field(default_factory=list)


@dataclass
class Iface:
    """One ifnet.

    ``kind`` is ``ether`` (a wired NIC: em0, ue0), ``wlan`` (a cloned 802.11
    vap), ``lagg`` or ``loop``.  ``link`` is the link state the kernel last
    reported (and announced through devd); ``mac`` is the current link-level
    address, ``hwaddr`` the permanent one.
    """

    name: str
    index: int
    kind: str
    mac: str
    hwaddr: str
    up: bool = False
    mtu: int = 1500
    link: bool = False
    inet: list[Inet] = field(default_factory=list)
    caps: int = 0
    # wired: the segment the cable is plugged into (None: unplugged)
    cable: str | None = None
    media_subtype: str = "1000baseT <full-duplex>"
    # wlan: parent radio and current association
    parent: str | None = None
    country: str = "US"
    bssid: str | None = None
    # lagg: protocol, ports in list order, the primary; member: its lagg and
    # the MAC it had when it joined (lp_lladdr in sys/net/if_lagg.c)
    proto: str = "failover"
    ports: list[str] = field(default_factory=list)
    primary: str | None = None
    lagg: str | None = None
    saved_mac: str | None = None
    # a USB/PCI driver device that carries this ifnet (ue0 on axge0)
    device: str | None = None
    # IPv6 (laggroam_sim.nd6): nd6 flags ND6_IFF_IFDISABLED / ACCEPT_RTADV,
    # addresses, and the routers and prefixes learned on this interface
    ifdisabled: bool = True
    accept_rtadv: bool = False
    inet6: list[Inet6] = field(default_factory=list)
    defrouters: list[DefRouter] = field(default_factory=list)
    prefixes6: list[Prefix6] = field(default_factory=list)


@dataclass
class Radio:
    """A wireless NIC driver instance (iwn0): a newbus device, not an ifnet."""

    name: str
    mac: str
    attached: bool = True
    bus: str = "pci2"
    location: str = "slot=0 function=0 dbsf=pci0:2:0:0"
    pnpinfo: str = "vendor=0x8086 device=0x4238 subvendor=0x8086 subdevice=0x1111 class=0x028000"
    # some drivers cannot send with an overridden MAC (handbook note, reference 3.5)
    mac_override_ok: bool = True
    # what suspend/resume does to the device (laggroam_sim.radios): "in-place"
    # (vaps suspended and resumed, wlan0 kept), "re-enumerate" (USB: detached
    # at suspend, attached at resume), "rc-detach" (devctl detach/attach from
    # rc.suspend/rc.resume), "dead" (vap kept, radio silent until re-attached)
    resume: str = "in-place"
    # ndis(4) of the FreeBSD 7 era: the driver's own ifnet is the 802.11
    # interface (no wlan vap); False for every vap-era driver
    own_ifnet: bool = False
    # resumed without its firmware state ("dead" drivers): no association
    # until the device detaches and attaches again
    silent: bool = False


@dataclass
class UsbDevice:
    """A hot-pluggable Ethernet dongle: newbus device ``driver`` carrying ``ifname``."""

    driver: str
    ifname: str
    mac: str
    attached: bool = False
    bus: str = "uhub0"
    # disconnected by a suspend; attaches again on resume
    resume_attach: bool = False


@dataclass
class Ipv6Router:
    """A router advertising one prefix; lifetimes in seconds.

    Defaults are RFC 4861 6.2.1's: AdvPreferredLifetime 7 days,
    AdvValidLifetime 30 days, AdvDefaultLifetime 3 x MaxRtrAdvInterval;
    ``interval`` is the time between unsolicited advertisements
    (MaxRtrAdvInterval 600 s); ``next_ra`` the sim time of the next one.
    """

    prefix: str
    router: str
    pltime: int = 604800
    vltime: int = 2592000
    lifetime: int = 1800
    interval: int = 600
    next_ra: int = 600


@dataclass
class Segment:
    """A switch segment (a LAN); may run a DHCP server on ``subnet``."""

    name: str
    subnet: str | None = None
    next_host: int = 100
    leases: dict[str, str] = field(default_factory=dict)
    lacp_partner: bool = False
    # an IPv6 router sending advertisements on this segment (None: IPv4 only)
    ipv6: Ipv6Router | None = None


@dataclass
class AccessPoint:
    """An 802.11 access point bridging to a segment."""

    name: str
    ssid: str
    bssid: str
    segment: str
    channel: int = 6
    in_range: bool = True


@dataclass
class Process:
    """A simulated process; pids are allocated by the sim."""

    pid: int
    prog: str
    argv: list[str]
    ifname: str


@dataclass
class Supplicant:
    """wpa_supplicant's view of one wlan (exists while the process runs)."""

    ifname: str
    pid: int
    state: str = "SCANNING"
    hung: bool = False
    ap: str | None = None
    removed: bool = False


@dataclass
class Dhclient:
    """dhclient on one interface: its lease (address and the segment it came from)."""

    ifname: str
    pid: int
    addr: str | None = None
    prefixlen: int = 24
    segment: str | None = None
    link_seen: bool = False


@dataclass
class WriteCall:
    """One state-changing stand-in invocation (a converged host sees none)."""

    at: int
    prog: str
    argv: list[str]


@dataclass
class SimState:
    """The whole simulated host and world."""

    release: str = "15.0"
    now: int = 0
    next_pid: int = 1000
    next_index: int = 1
    next_seq: int = 1
    suspended: bool = False
    # devd runs (rc.d/devd starts it at boot) and hands each event to the
    # first rule of its configuration (laggroam_sim.devd); "service devd
    # stop" clears it and the kernel keeps the events for the next devd
    devd: bool = True
    rc_conf: dict[str, str] = field(default_factory=dict)
    wpa_networks: list[str] = field(default_factory=list)
    interfaces: dict[str, Iface] = field(default_factory=dict)
    radios: dict[str, Radio] = field(default_factory=dict)
    usb: dict[str, UsbDevice] = field(default_factory=dict)
    segments: dict[str, Segment] = field(default_factory=dict)
    aps: dict[str, AccessPoint] = field(default_factory=dict)
    processes: dict[str, Process] = field(default_factory=dict)
    pidfiles: dict[str, int] = field(default_factory=dict)
    supplicants: dict[str, Supplicant] = field(default_factory=dict)
    dhclients: dict[str, Dhclient] = field(default_factory=dict)
    # /var/db/dhclient.leases.IF: the last address bound on each interface
    lease_files: dict[str, str] = field(default_factory=dict)
    write_calls: list[WriteCall] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    # wpa_supplicant.conf has ctrl_interface= (wpa_cli can talk to it)
    wpa_ctrl_interface: bool = True
    # re-initialisations (IFF_UP bounces by if_setlladdr) and wlan
    # re-associations, per interface name, for the scenario figures
    reinits: dict[str, int] = field(default_factory=dict)
    reassociations: dict[str, int] = field(default_factory=dict)
    # lease changes per interface: to another address of the same network
    # (what must not happen while roaming) and to another network's
    readdressed: dict[str, int] = field(default_factory=dict)
    renumbered: dict[str, int] = field(default_factory=dict)
    # per lagg: times it lost its link, simulated ms spent without it, and
    # since when (ms clock, kernel.clock_ms) while it is without
    link_losses: dict[str, int] = field(default_factory=dict)
    link_down_ms: dict[str, int] = field(default_factory=dict)
    link_down_since: dict[str, int] = field(default_factory=dict)
    # router solicitations sent, per interface (rtsol, rtsold), for the scenario figures
    solicitations: dict[str, int] = field(default_factory=dict)
    # rtsold(8)'s view of each interface's link, to see it come back
    rtsold_links: dict[str, bool] = field(default_factory=dict)
    # kern.vm_guest: "none" on bare metal (sys/kern/subr_param.c), as on a laptop
    vm_guest: str = "none"


T = TypeVar("T")


# Per class and per type, what encoding and decoding need, worked out once:
# the stand-ins read and write the whole host at every call.
_FIELDS: dict[type, tuple[str, ...]] = {}
_HINTS: dict[type, dict[str, Any]] = {}
_SHAPE: dict[Any, tuple[Any, tuple[Any, ...]]] = {}
_SCALARS = (str, int, bool, float, type(None))


def _fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def to_json(obj: Any) -> Any:
    """A dataclass tree as JSON-ready dicts and lists."""
    cls = type(obj)
    if cls in _SCALARS:
        return obj
    if cls is dict:
        return {str(k): to_json(v) for k, v in obj.items()}
    if cls is list:
        return [to_json(v) for v in obj]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {name: to_json(getattr(obj, name)) for name in _fields(cls)}
    if isinstance(obj, dict):
        return {str(k): to_json(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [to_json(v) for v in obj]
    return obj


def from_json(cls: type[T], data: Any, where: str = "state") -> T:
    """Rebuild ``cls`` from JSON data, checking every field's type."""
    return typing.cast(T, _decode(cls, data, where))


def _shape(tp: Any) -> tuple[Any, tuple[Any, ...]]:
    shape = _SHAPE.get(tp)
    if shape is None:
        shape = _SHAPE[tp] = (typing.get_origin(tp), typing.get_args(tp))
    return shape


def _decode(tp: Any, data: Any, where: str) -> Any:
    if tp is str or tp is int or tp is bool:
        return _scalar(tp, data, where)
    origin, args = _shape(tp)
    if origin in (types.UnionType, typing.Union):
        if data is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _decode(inner[0], data, where)
    if origin is list:
        return _decode_list(args[0], data, where)
    if origin is dict:
        return _decode_dict(args[1], data, where)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _decode_dataclass(tp, data, where)
    raise ValueError(f"{where}: unsupported type {tp!r}")


def _decode_list(item: Any, data: Any, where: str) -> list[Any]:
    if not isinstance(data, list):
        raise ValueError(f"{where}: expected a list")
    if item is str and all(type(v) is str for v in data):
        return list(data)  # the common case, checked in one pass
    return [_decode(item, v, f"{where}[{i}]") for i, v in enumerate(data)]


def _decode_dict(value: Any, data: Any, where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected an object")
    if (value is str or value is int) and all(type(v) is value for v in data.values()):
        return dict(data)  # JSON object keys are strings already
    return {str(k): _decode(value, v, f"{where}.{k}") for k, v in data.items()}


def _decode_dataclass(tp: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected an object")
    hints = _HINTS.get(tp)
    if hints is None:
        hints = _HINTS[tp] = typing.get_type_hints(tp)
    names = _fields(tp)
    kwargs = {}
    for name in names:
        if name in data:
            kwargs[name] = _decode(hints[name], data[name], f"{where}.{name}")
    if len(kwargs) != len(data):
        unknown = set(data) - set(names)
        raise ValueError(f"{where}: unknown field {sorted(unknown)[0]!r}")
    return tp(**kwargs)


def _scalar(tp: type, data: Any, where: str) -> Any:
    if tp is bool:
        if not isinstance(data, bool):
            raise ValueError(f"{where}: expected true or false")
        return data
    if tp is int:
        if not isinstance(data, int) or isinstance(data, bool):
            raise ValueError(f"{where}: expected an integer")
        return data
    if not isinstance(data, str):
        raise ValueError(f"{where}: expected a string")
    return data
