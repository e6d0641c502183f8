"""One interface's stanza of ``ifconfig`` output -> a :class:`~laggroam.core.host.Interface`.

The header line says the name, the flags, metric and mtu; every detail line
is recognised by its first word, in any order and indentation, and a line
not understood is kept verbatim in ``Interface.extra``.  The listing
(``ifconfig``) cuts the text into stanzas and keeps the parsed ones; this
module reads one.  Sources are in ``ifconfig``'s docstring.
"""

import re
from dataclasses import dataclass, field

from laggroam.core.host import Inet6Addr, Interface, Lagg, LaggPort
from laggroam.edge.ifaddr import inet6_detail, parse_inet, parse_inet6, parse_mac
from laggroam.edge.ifbits import IFF_BITS, LAGG_PORT_BITS, bit_names, encode_bits

HEADER_RE = re.compile(
    r"(?P<name>[^\s:]+): flags=(?P<hex>[0-9a-fA-F]+)(?:<(?P<names>[^<>]*)>)?"
    r"(?:\s+metric\s+(?P<metric>\d+))?(?:\s+mtu\s+(?P<mtu>\d+))?"
)
# ``options=HEX<NAMES>``; ``options=8`` and ``options=0`` lack the names.
_BITS_RE = re.compile(r"(?P<hex>[0-9a-fA-F]+)(?:<(?P<names>[^<>]*)>)?")
# ``ssid X [channel N (FREQ MHz FLAGS)] [bssid MAC]`` (ifieee80211.c
# ieee80211_status).  print_string() quotes an SSID with spaces without
# escaping inner quotes, so the quoted form runs to the last quote that still
# lets the rest of the line match.
_SSID_RE = re.compile(
    r"ssid\s+(?P<ssid>\".*\"|\S+)"
    r"(?:\s+channel\s+(?P<channel>\d+|UNDEF)(?:\s+\([^()]*\))?)?"
    r"(?:\s+bssid\s+(?P<bssid>\S+))?"
)
# ``laggport: NAME flags=HEX<NAMES> [state=HEX<NAMES>]`` (current iflagg.c),
# ``laggport NAME =HEX<NAMES>`` / ``laggport NAME <NAMES>`` (2007-era).
_LAGGPORT_RE = re.compile(
    r"laggport:?\s+(?P<name>[^\s<=]+)"
    r"(?:\s+(?:flags)?=?(?P<hex>[0-9a-fA-F]+)?(?:<(?P<names>[^<>]*)>)?)?"
    r"(?P<rest>\s+state=.*)?"
)
# A line where "media:" or "status:" follows other text (run together).
_RUN_TOGETHER = re.compile(r"\s+(?=(?:media|status):\s)")


@dataclass
class _PendingLagg:
    proto: str
    hash: tuple[str, ...]
    line: str


@dataclass
class _Builder:
    """Mutable collector for one interface; frozen into an Interface at the end."""

    name: str
    flags: tuple[str, ...]
    flags_value: int
    metric: int | None
    mtu: int | None
    options: tuple[str, ...] = ()
    options_value: int | None = None
    ether: str | None = None
    hwaddr: str | None = None
    inet: list[str] = field(default_factory=list)
    inet6: list[str] = field(default_factory=list)
    inet6_addrs: list[Inet6Addr] = field(default_factory=list)
    nd6: tuple[str, ...] = ()
    media: str | None = None
    status: str | None = None
    groups: tuple[str, ...] = ()
    description: str | None = None
    ssid: str | None = None
    saw_ssid_line: bool = False
    channel: int | None = None
    bssid: str | None = None
    parent_line: tuple[str, str] | None = None
    lagg: _PendingLagg | None = None
    ports: list[LaggPort] = field(default_factory=list)
    port_lines: list[str] = field(default_factory=list)
    laggdev: str | None = None
    extra: list[str] = field(default_factory=list)

    def is_80211(self) -> bool:
        return (
            self.saw_ssid_line
            or (self.media or "").startswith("IEEE 802.11")
            or "wlan" in self.groups
        )

    def build(self) -> Interface:
        extra = list(self.extra)
        parent = None
        if self.parent_line is not None:
            # "parent interface:" is also printed by vlan(4) and ue(4)
            # (freebsd-src sbin/ifconfig/ifvlan.c, ifue.c); only a wlan's
            # names the radio it was cloned from.
            line, value = self.parent_line
            if self.is_80211():
                parent = value
            else:
                extra.append(line)
        lagg = None
        if self.lagg is not None and self.laggdev is None:
            lagg = Lagg(proto=self.lagg.proto, hash=self.lagg.hash, ports=tuple(self.ports))
        else:
            # A member port printed by the 2007..2012-era iflagg.c shows its
            # lagg's laggproto and laggports next to "laggdev": they describe
            # the lagg, not this interface.
            if self.lagg is not None:
                extra.append(self.lagg.line)
            extra.extend(self.port_lines)
        return Interface(
            name=self.name,
            flags=self.flags,
            flags_value=self.flags_value,
            metric=self.metric,
            mtu=self.mtu,
            options=self.options,
            ether=self.ether,
            hwaddr=self.hwaddr,
            inet=tuple(self.inet),
            inet6=tuple(self.inet6),
            media=self.media,
            status=self.status,
            groups=self.groups,
            description=self.description,
            ssid=self.ssid,
            channel=self.channel,
            bssid=self.bssid,
            parent=parent,
            lagg=lagg,
            laggdev=self.laggdev,
            extra=tuple(extra),
            options_value=self.options_value,
            inet6_addrs=tuple(self.inet6_addrs),
            nd6=self.nd6,
        )


def _header(line: str) -> _Builder | None:
    """``NAME: flags=HEX<NAMES> [metric N] [mtu N]``; a truncated tail is kept in extra."""
    if ": flags=" not in line:
        return None  # the cheap test first: most lines are detail lines
    stripped = line.strip()
    m = HEADER_RE.match(stripped)
    if m is None:
        return None
    value = int(m["hex"], 16)
    b = _Builder(
        name=m["name"],
        flags=bit_names(m["names"], value, IFF_BITS),
        flags_value=value,
        metric=int(m["metric"]) if m["metric"] is not None else None,
        mtu=int(m["mtu"]) if m["mtu"] is not None else None,
    )
    if stripped[m.end() :].strip():
        b.extra.append(stripped)
    return b


def _unquote_ssid(text: str) -> str:
    # print_string() quotes SSIDs containing spaces and the empty SSID, and
    # prints non-printable ones as 0x-hex, which is kept as printed (it is the
    # form "ifconfig wlan0 ssid 0x..." accepts) (ifieee80211.c).
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        return text[1:-1]
    return text


def _ssid_line(b: _Builder, line: str) -> None:
    b.saw_ssid_line = True
    m = _SSID_RE.fullmatch(line)
    bssid = parse_mac(m["bssid"]) if m is not None and m["bssid"] is not None else None
    if m is None or (m["bssid"] is not None and bssid is None):
        # e.g. several SSIDs ("ssid  1:a 2:b"): which one is in use is unknown.
        b.extra.append(line)
        return
    b.ssid = _unquote_ssid(m["ssid"])
    if m["channel"] is not None and m["channel"].isdigit():
        b.channel = int(m["channel"])
    b.bssid = bssid


def _lagg_port(b: _Builder, line: str) -> None:
    m = _LAGGPORT_RE.fullmatch(line)
    if m is None:
        b.extra.append(line)
        return
    value = int(m["hex"], 16) if m["hex"] is not None else None
    if value is None and m["names"] is not None:
        value = encode_bits(bit_names(m["names"], None, {}), LAGG_PORT_BITS)
    if value is None and m["names"] is None:
        # Membership is a fact, the flags are not known: keep the line too.
        b.extra.append(line)
    flags = bit_names(m["names"], value, LAGG_PORT_BITS)
    b.ports.append(LaggPort(name=m["name"], flags=flags, flags_value=value))
    b.port_lines.append(line)


def _laggproto(b: _Builder, line: str, tokens: list[str]) -> None:
    """``laggproto P [lagghash H] [laggdev L]``, also after a ``lagg:`` prefix."""
    pairs = dict(zip(tokens[::2], tokens[1::2], strict=False))
    if len(tokens) % 2 or not set(pairs) <= {"laggproto", "lagghash", "laggdev"}:
        b.extra.append(line)
        return
    if "laggdev" in pairs:
        b.laggdev = pairs["laggdev"]
    if "laggproto" in pairs:
        hashes = tuple(h for h in pairs.get("lagghash", "").split(",") if h)
        b.lagg = _PendingLagg(proto=pairs["laggproto"], hash=hashes, line=line)


def _link(b: _Builder, line: str, tokens: list[str]) -> None:
    """``ether MAC`` / ``hwaddr MAC``, possibly run together on one line."""
    i = 0
    while i + 1 < len(tokens) and tokens[i] in ("ether", "hwaddr"):
        mac = parse_mac(tokens[i + 1])
        if mac is None:
            break
        if tokens[i] == "ether":
            b.ether = mac
        else:
            b.hwaddr = mac
        i += 2
    if i < len(tokens):
        b.extra.append(line if i == 0 else " ".join(tokens[i:]))


def _detail(b: _Builder, raw: str) -> None:
    line = raw.strip()
    if not line:
        return
    key, _, rest = line.partition(" ")
    rest = rest.strip()
    # The most common lines first; a line is split into words only where its
    # branch reads them.
    if key == "status:":
        b.status = rest or None
    elif key in ("ether", "hwaddr", "media:"):
        _link_or_media(b, line, key, rest)
    elif key in ("laggport:", "laggport"):
        _lagg_port(b, line)
    elif key == "inet":
        cidr = parse_inet(line.split())
        if cidr is None:
            b.extra.append(line)
        else:
            b.inet.append(cidr)
    elif key == "groups:":
        b.groups = tuple(line.split()[1:])
    elif key.startswith("options="):
        _options(b, line, key, rest)
    else:
        _rare_detail(b, line, key, rest)


def _link_or_media(b: _Builder, line: str, key: str, rest: str) -> None:
    """An ``ether``/``hwaddr``/``media:`` line, which old releases run together."""
    if "media:" in rest or "status:" in rest:
        # "hwaddr .. media: .." run together: split before media:/status:.
        parts = _RUN_TOGETHER.split(line)
        if len(parts) > 1:
            for part in parts:
                _detail(b, part)
            return
    if key == "media:":
        b.media = rest or None
    else:
        _link(b, line, line.split())


def _options(b: _Builder, line: str, key: str, rest: str) -> None:
    """``options=HEX<NAMES>``: the capabilities enabled on the interface."""
    m = _BITS_RE.fullmatch(key[len("options=") :])
    if m is None or rest:
        b.extra.append(line)
    else:
        b.options_value = int(m["hex"], 16)
        b.options = bit_names(m["names"], None, {})


def _rare_detail(b: _Builder, line: str, key: str, rest: str) -> None:
    """The detail lines a stanza shows at most once or twice."""
    tokens = line.split()
    if key == "inet6":
        cidr6 = parse_inet6(tokens)
        detail = inet6_detail(tokens, cidr6) if cidr6 is not None else None
        if cidr6 is None or detail is None:
            b.extra.append(line)
        if cidr6 is not None:
            b.inet6.append(cidr6)
        if detail is not None:
            b.inet6_addrs.append(detail)
    elif key == "nd6" and len(tokens) == 2 and tokens[1].startswith("options="):
        # sbin/ifconfig/af_nd6.c nd6_status: "nd6 options=HEX<NAMES>"
        m = _BITS_RE.fullmatch(tokens[1][len("options=") :])
        if m is None or m["names"] is None:
            b.extra.append(line)
        else:
            b.nd6 = bit_names(m["names"], None, {})
    elif key == "description:":
        b.description = rest
    elif key == "ssid":
        _ssid_line(b, line)
    elif key == "channel" and len(tokens) > 1 and tokens[1].isdigit() and b.channel is None:
        # 6.x-era layout: "channel N authmode ..." on its own line.
        b.channel = int(tokens[1])
        b.extra.append(line)
    elif tokens[:2] == ["parent", "interface:"] and len(tokens) == 3:
        b.parent_line = (line, tokens[2])
    elif key == "laggproto":
        _laggproto(b, line, tokens)
    elif key == "lagg:":
        _laggproto(b, line, tokens[1:])
    elif key == "laggdev:" and len(tokens) == 2:
        b.laggdev = tokens[1]  # libifconfig's example printer
    else:
        b.extra.append(line)


def read_stanza(lines: tuple[str, ...]) -> Interface:
    """One interface from its header line and its detail lines, in any order."""
    b = _header(lines[0])
    if b is None:  # the listing passes only lines HEADER_RE matches
        raise AssertionError(f"not an interface header: {lines[0]!r}")
    for line in lines[1:]:
        _detail(b, line)
    return b.build()
