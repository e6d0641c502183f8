"""``ifconfig`` output for the simulated host, in the format of the simulated release.

Four layouts, taken from the real captures in shared/fixtures/ifconfig/:

* 15.x (netlink printer, freebsd-src sbin/ifconfig/ifconfig_netlink.c
  ``status_nl``): options, ether, hwaddr, inet, laggproto/laggport, groups,
  802.11 block, media, status, nd6; ``LOWER_UP`` in the flags
  (lagg-failover-em0-em1-15.txt, em-lo0-wlan-rtwn-vht-15.txt).
* 11.x (ioctl printer): options, ether, inet (with a trailing space), nd6,
  802.11 block, media, status, groups (trailing space), laggproto/laggport
  (lagg-failover-em0-wlan0-11.0.txt, em-no-carrier-11.0.txt).
* 12.x/13.x (ioctl printer): the 15.x order without LOWER_UP and without
  trailing spaces, ``hwaddr`` when it differs and is not all zeros
  (sbin/ifconfig/af_link.c; ue0-muge-lo0-rpi3-12.2.txt for the order).
* 7.x: options, ether, inet, media, status, the 802.11 block (``Mhz``),
  then ``laggproto``/``laggport:`` on the lagg and ``lagg: laggdev LAGG`` on
  each member, no groups, no nd6 (lagg-failover-ndis0-nfe0-seed-blog.txt,
  whose page stripped the ``<...>`` names and the indentation; both are
  printed here as ifconfig does).
"""

from dataclasses import dataclass

from laggroam_sim import kernel, laggports
from laggroam_sim.model import ZERO_MAC, Iface, SimState

# sys/net/if.h IFF_* bits; LOWER_UP is the netlink-only bit (ifconfig_netlink.c IFFBITS)
IFF_BITS = (
    (0x1, "UP"), (0x2, "BROADCAST"), (0x4, "DEBUG"), (0x8, "LOOPBACK"),
    (0x10, "POINTOPOINT"), (0x40, "RUNNING"), (0x80, "NOARP"), (0x100, "PROMISC"),
    (0x200, "ALLMULTI"), (0x800, "SIMPLEX"), (0x8000, "MULTICAST"), (0x1000000, "LOWER_UP"),
)  # fmt: skip
# sys/net/if.h IFCAP_* names as ifconfig prints them
IFCAP_BITS = (
    (0x1, "RXCSUM"), (0x2, "TXCSUM"), (0x4, "NETCONS"), (0x8, "VLAN_MTU"),
    (0x10, "VLAN_HWTAGGING"), (0x20, "JUMBO_MTU"), (0x40, "POLLING"), (0x80, "VLAN_HWCSUM"),
    (0x100, "TSO4"), (0x200, "TSO6"), (0x400, "LRO"), (0x800, "WOL_UCAST"),
    (0x1000, "WOL_MCAST"), (0x2000, "WOL_MAGIC"), (0x4000, "TOE4"), (0x8000, "TOE6"),
    (0x10000, "VLAN_HWFILTER"), (0x40000, "VLAN_HWTSO"), (0x80000, "LINKSTATE"),
    (0x100000, "NETMAP"), (0x200000, "RXCSUM_IPV6"), (0x400000, "TXCSUM_IPV6"),
    (0x800000, "HWSTATS"), (0x1000000, "TXRTLMT"), (0x2000000, "HWRXTSTMP"),
    (0x4000000, "MEXTPG"),
)  # fmt: skip
# nd6 options of lo0 in the fixtures; others are computed (nd6_options)
ND6_LOOP = "21<PERFORMNUD,AUTO_LINKLOCAL>"
# sys/netinet6/nd6.h ND6_IFF_* as ifconfig names them (sbin/ifconfig/af_nd6.c ND6BITS)
ND6_BITS = (
    (0x1, "PERFORMNUD"), (0x2, "ACCEPT_RTADV"), (0x8, "IFDISABLED"), (0x20, "AUTO_LINKLOCAL"),
    (0x800, "STABLEADDR"),
)  # fmt: skip


def nd6_options(state: SimState, iface: Iface) -> str:
    """``nd6 options=``: the fixtures' values, with ACCEPT_RTADV and IFDISABLED as set."""
    if iface.kind == "loop":
        return ND6_LOOP
    value = 0x1 | 0x20 | (0x800 if is_new(state) else 0)
    value |= (0x2 if iface.accept_rtadv else 0) | (0x8 if iface.ifdisabled else 0)
    return kernel.flag_names(value, ND6_BITS)


def _inet6_lines(state: SimState, iface: Iface, lifetimes: bool) -> list[str]:
    """One ``inet6`` line per address (sbin/ifconfig/af_inet6.c).

    Address (link-local with ``%IF``), `` prefixlen N``, the flags in the
    order print_flags() tests them, `` scopeid 0xN`` for a link-local one,
    then `` pltime P vltime V`` for finite lifetimes: always in the netlink
    printer of 14.x/15.x (``in6_status_nl`` calls ``show_lifetime``), only with
    ``-L`` in the ioctl printer (``in6_status``, ``ip6lifetime``).
    """
    order = ("anycast", "tentative", "duplicated", "detached", "deprecated", "autoconf",
             "temporary", "prefer_source")  # fmt: skip
    lines = []
    for a in iface.inet6:
        local = a.addr.startswith("fe80:")
        line = f"\tinet6 {a.addr}{'%' + iface.name if local else ''} prefixlen {a.prefixlen}"
        line += "".join(f" {f}" for f in order if f in a.flags)
        if local:
            line += f" scopeid 0x{iface.index:x}"
        if (is_new(state) or lifetimes) and (a.preferred or a.expire):
            pl = max(a.preferred - state.now, 0) if a.preferred else 0
            vl = max(a.expire - state.now, 0) if a.expire else 0
            line += f" pltime {pl} vltime {vl}"
        lines.append(line)
    return lines


def major(state: SimState) -> int:
    head = state.release.split(".", 1)[0]
    return int(head) if head.isdigit() else 15


def is_new(state: SimState) -> bool:
    """True for the 14.x/15.x (netlink) layout."""
    return major(state) >= 14


def prints_hwaddr(state: SimState, iface: Iface) -> bool:
    """af_link.c: hwaddr when it differs from ether; 13.x skips an all-zero one,
    the 15.x netlink printer shows it (lagg-failover-em0-em1-15.txt)."""
    if major(state) < 12 or iface.kind == "loop" or iface.hwaddr == iface.mac:
        return False
    return is_new(state) or iface.hwaddr != ZERO_MAC


def flags_value(state: SimState, iface: Iface) -> int:
    """IFF flags as ifconfig shows them.

    RUNNING is IFF_DRV_RUNNING, set while the interface is up.  LOWER_UP
    (15.x) follows sys/netlink/route/iface.c ``get_operstate``: Ethernet-type
    ifnets (NICs, lagg, wlan vaps) by media status ``active`` -- a vap's media
    is 802.11, so it never gets it -- while lagg members, whose if_type is
    IFT_IEEE8023ADLAG, and lo0 get it from IFF_UP.
    """
    value = 0
    if iface.up:
        value |= 0x1 | 0x40
    if iface.kind == "loop":
        value |= 0x8 | 0x8000
    else:
        value |= 0x2 | 0x800 | 0x8000
    if is_new(state):
        if iface.kind == "loop" or iface.lagg is not None:
            lower = iface.up
        elif iface.kind in ("ether", "lagg"):
            lower = status_text(state, iface) == "active"
        else:
            lower = False
        if lower:
            value |= 0x1000000
    return value


def status_text(state: SimState, iface: Iface) -> str | None:
    """The ``status:`` word(s) (sbin/ifconfig/ifmedia.c)."""
    if iface.kind == "loop":
        return None
    if iface.kind == "lagg":
        # lagg_media_status: active when any port is active (if_lagg.c)
        active = any(laggports.port_active(state.interfaces[p]) for p in iface.ports)
        return "active" if active else "no carrier"
    if iface.kind == "wlan":
        return "associated" if iface.link else "no carrier"
    return "active" if iface.link else "no carrier"


def caps_of(state: SimState, iface: Iface) -> int:
    return kernel.lagg_caps(state, iface) if iface.kind == "lagg" else iface.caps


def groups_of(iface: Iface) -> tuple[str, ...]:
    return {"lagg": ("lagg",), "wlan": ("wlan",), "loop": ("lo",)}.get(iface.kind, ())


def _netmask(prefixlen: int) -> str:
    return f"0x{(0xFFFFFFFF << (32 - prefixlen)) & 0xFFFFFFFF:08x}"


def _broadcast(addr: str, prefixlen: int) -> str:
    parts = [int(p) for p in addr.split(".")]
    value = (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]
    value |= (1 << (32 - prefixlen)) - 1
    return ".".join(str((value >> s) & 0xFF) for s in (24, 16, 8, 0))


def _inet_lines(state: SimState, iface: Iface) -> list[str]:
    lines = []
    trail = " " if major(state) == 11 else ""
    for a in iface.inet:
        line = f"\tinet {a.addr} netmask {_netmask(a.prefixlen)}"
        if iface.kind != "loop":
            line += f" broadcast {_broadcast(a.addr, a.prefixlen)}{trail}"
        lines.append(line)
    return lines


def _lagg_lines(state: SimState, iface: Iface) -> list[str]:
    # sbin/ifconfig/iflagg.c: "\tlaggproto NAME lagghash l2,l3,l4" and one
    # "\tlaggport: PORT flags=HEX<NAMES>" per port in list order; the 7-era
    # printer had no lagghash (seed capture)
    hashes = "" if major(state) < 11 else " lagghash l2,l3,l4"
    lines = [f"\tlaggproto {iface.proto}{hashes}"]
    for port in iface.ports:
        flags = kernel.flag_names(kernel.port_flags(state, iface, port), kernel.PORT_BITS)
        lines.append(f"\tlaggport: {port} flags={flags}")
    return lines


def channel_freq(channel: int) -> tuple[int, str]:
    """(MHz, mode) of an 802.11 channel."""
    if channel <= 14:
        return 2407 + 5 * channel, "11g"
    return 5000 + 5 * channel, "11a"


def _wlan_lines(state: SimState, iface: Iface) -> list[str]:
    # sbin/ifconfig/ifieee80211.c ieee80211_status: ssid, channel, bssid only
    # when non-zero, then word-wrapped attribute lines, then "parent interface:"
    # (old ifieee80211.c wrote "Mhz"; the seed capture)
    ap = next((a for a in state.aps.values() if a.bssid == iface.bssid), None)
    mhz = "Mhz" if major(state) < 11 else "MHz"
    if ap is not None and iface.bssid is not None:
        freq, mode = channel_freq(ap.channel)
        first = f"\tssid {ap.ssid} channel {ap.channel} ({freq} {mhz} {mode}) bssid {ap.bssid}"
    else:
        first = f'\tssid "" channel 1 (2412 {mhz} 11b)'
    if major(state) < 11:
        return [
            first,
            "\tauthmode WPA2/802.11i privacy ON bmiss 7 scanvalid 60 roaming MANUAL",
            "\tbintval 100",
        ]
    lines = [
        first,
        f"\tregdomain {_regdomain(iface.country)} country {iface.country} authmode WPA2/802.11i"
        " privacy ON",
        "\tdeftxkey UNDEF AES-CCM 2:128-bit txpower 15 bmiss 7 scanvalid 60",
        "\tprotmode CTS wme roaming MANUAL",
    ]
    if is_new(state) and iface.parent is not None:
        lines.append(f"\tparent interface: {iface.parent}")
    return lines


def _regdomain(country: str) -> str:
    # the regulatory domain a country code implies (as in the fixtures: SE/FR -> ETSI, US -> FCC)
    etsi = {"AT", "BE", "DE", "DK", "ES", "FI", "FR", "GB", "IE", "IT", "NL", "NO", "PT", "SE"}
    return "ETSI" if country in etsi else "FCC"


def _media_line(state: SimState, iface: Iface) -> str | None:
    if iface.kind == "loop":
        return None
    if iface.kind == "wlan":
        if iface.link and major(state) >= 11:
            return "\tmedia: IEEE 802.11 Wireless Ethernet OFDM/54Mbps mode 11g"
        return "\tmedia: IEEE 802.11 Wireless Ethernet autoselect"
    if iface.kind == "ether" and iface.link:
        return f"\tmedia: Ethernet autoselect ({iface.media_subtype})"
    if iface.kind == "ether" and major(state) < 11:
        return "\tmedia: Ethernet autoselect (none)"
    return "\tmedia: Ethernet autoselect"


def render(state: SimState, iface: Iface, *, lifetimes: bool = False) -> str:
    """The block ``ifconfig IF`` prints for one interface."""
    flags = kernel.flag_names(flags_value(state, iface), IFF_BITS)
    lines = [f"{iface.name}: flags={flags} metric 0 mtu {iface.mtu}"]
    caps = caps_of(state, iface)
    if caps:
        lines.append(f"\toptions={kernel.flag_names(caps, IFCAP_BITS)}")
    if iface.kind != "loop":
        lines.append(f"\tether {iface.mac}")
        if prints_hwaddr(state, iface):
            lines.append(f"\thwaddr {iface.hwaddr}")
    lines += _inet_lines(state, iface)
    lines += _inet6_lines(state, iface, lifetimes)
    return "\n".join(lines + _tail_lines(state, iface)) + "\n"


def _tail_lines(state: SimState, iface: Iface) -> list[str]:
    """What follows the addresses, in the order and form of the release's ifconfig."""
    media = _media_line(state, iface)
    status = status_text(state, iface)
    parts = _Tail(
        media=media,
        status=status,
        groups=groups_of(iface),
        nd6=f"\tnd6 options={nd6_options(state, iface)}",
        wlan=_wlan_lines(state, iface) if iface.kind == "wlan" else [],
        lagg=_lagg_lines(state, iface) if iface.kind == "lagg" else [],
    )
    if major(state) < 11:
        return _tail_before_11(iface, parts)
    if major(state) >= 12:
        return _tail_since_12(parts)
    return _tail_11(parts)


@dataclass(frozen=True)
class _Tail:
    media: str | None
    status: str | None
    groups: tuple[str, ...]
    nd6: str
    wlan: list[str]
    lagg: list[str]


def _tail_before_11(iface: Iface, t: _Tail) -> list[str]:
    status = f"\tstatus: {t.status}" if t.status else None
    lines = [line for line in (t.media, status) if line] + t.wlan + t.lagg
    if iface.lagg is not None:
        # 2007-era iflagg.c asked every interface SIOCGLAGGPORT
        lines.append(f"\tlagg: laggdev {iface.lagg}")
    return lines


def _tail_since_12(t: _Tail) -> list[str]:
    lines = list(t.lagg)
    if t.groups:
        lines.append("\tgroups: " + " ".join(t.groups))
    lines += t.wlan
    return [*lines, *_media_status(t), t.nd6]


def _media_status(t: _Tail) -> list[str]:
    lines = [] if t.media is None else [t.media]
    return lines if t.status is None else [*lines, f"\tstatus: {t.status}"]


def _tail_11(t: _Tail) -> list[str]:
    lines = [t.nd6, *t.wlan, *_media_status(t)]
    if t.groups:
        lines.append("\tgroups: " + " ".join(t.groups) + " ")
    return lines + t.lagg


def render_all(
    state: SimState, *, only_up: bool = False, only_down: bool = False, lifetimes: bool = False
) -> str:
    return "".join(
        render(state, i, lifetimes=lifetimes)
        for i in kernel.ordered(state)
        if _selected(i, only_up, only_down)
    )


def names(state: SimState, *, only_up: bool = False, only_down: bool = False) -> str:
    """``ifconfig -l``: names on one line (ifconfig_netlink.c ``list_interfaces_nl``)."""
    selected = [i.name for i in kernel.ordered(state) if _selected(i, only_up, only_down)]
    return " ".join(selected) + "\n"


def group_members(state: SimState, group: str) -> str:
    """``ifconfig -g GROUP``: one name per line (sbin/ifconfig/ifgroup.c ``printgroup``)."""
    return "".join(f"{i.name}\n" for i in kernel.ordered(state) if group in groups_of(i))


def _selected(iface: Iface, only_up: bool, only_down: bool) -> bool:
    if only_up:
        return iface.up
    if only_down:
        return not iface.up
    return True
