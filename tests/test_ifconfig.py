"""laggroam.edge.ifconfig on every real capture in shared/fixtures/ifconfig and on edge cases."""

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from laggroam.core.host import Interface, Lagg, LaggPort
from laggroam.edge.ifbits import IFF_BITS, LAGG_PORT_BITS, decode_bits
from laggroam.edge.ifconfig import IfconfigError, parse, parse_host, parse_list

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "ifconfig"

UP_BCAST = ("UP", "BROADCAST", "RUNNING", "SIMPLEX", "MULTICAST")
LO_FLAGS = ("UP", "LOOPBACK", "RUNNING", "MULTICAST")
ND6_29 = ("PERFORMNUD", "IFDISABLED", "AUTO_LINKLOCAL")

Check = Callable[[dict[str, Interface]], None]
FACTS: dict[str, Check] = {}


def facts(name: str) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        FACTS[name] = check
        return check

    return register


def by_name(interfaces: list[Interface]) -> dict[str, Interface]:
    out = {i.name: i for i in interfaces}
    assert len(out) == len(interfaces), "duplicate interface names"
    return out


def load(name: str) -> list[Interface]:
    return parse((FIXTURES / name).read_text(encoding="utf-8"))


def ports(lagg: Lagg | None) -> list[tuple[str, tuple[str, ...]]]:
    assert lagg is not None
    return [(p.name, p.flags) for p in lagg.ports]


def assert_loopback(lo: Interface, flags: tuple[str, ...] = LO_FLAGS) -> None:
    assert lo.flags == flags
    assert lo.mtu == 16384
    assert lo.inet == ("127.0.0.1/8",)
    assert lo.inet6 == ("::1/128", "fe80::1%lo0/64")  # %zone kept, scopeid not
    assert lo.ether is None
    assert lo.lagg is None
    assert lo.status is None


@facts("bridge-stp-members-handbook.txt")
def _bridge(ifs: dict[str, Interface]) -> None:
    assert list(ifs) == ["bridge0"]
    br = ifs["bridge0"]
    assert br.flags == UP_BCAST
    assert br.ether == "d6:cf:d5:a0:94:6d"
    assert br.lagg is None and br.status is None and br.media is None
    # member: lines and their continuations are kept, not interpreted
    assert "member: fxp0 flags=1c7<LEARNING,DISCOVER,STP,AUTOEDGE,PTP,AUTOPTP>" in br.extra
    assert "member: fxp1 flags=1c7<LEARNING,DISCOVER,STP,AUTOEDGE,PTP,AUTOPTP>" in br.extra
    assert br.extra.count("role designated state forwarding") == 2


@facts("em-active-netmap-fwd.txt")
def _em_netmap(ifs: dict[str, Interface]) -> None:
    em = ifs["em0"]
    assert list(ifs) == ["em0"]
    assert em.flags == UP_BCAST and em.flags_value == 0x8843
    assert em.metric == 0 and em.mtu == 1500
    assert em.options_value == 0x4219B
    assert em.options[:3] == ("RXCSUM", "TXCSUM", "VLAN_MTU") and len(em.options) == 8
    assert em.ether == "00:25:90:6a:0f:f4"
    assert em.inet == ("10.0.30.105/24",)
    assert em.media == "Ethernet autoselect (1000baseT <full-duplex>)"
    assert em.status == "active" and em.has_link
    assert em.extra == () and em.nd6 == ND6_29


@facts("em-down-no-carrier-handbook.txt")
def _em_down(ifs: dict[str, Interface]) -> None:
    em = ifs["em0"]
    assert em.flags == ("BROADCAST", "SIMPLEX", "MULTICAST")
    assert em.flags_value == 0x8822 and not em.is_up
    assert em.status == "no carrier" and not em.has_link
    assert em.media == "Ethernet autoselect"
    assert em.ether == "00:1f:16:0f:27:5a"
    assert em.inet == () and em.inet6 == ()


@facts("em-lo0-active-ipv6-handbook.txt")
def _em_lo_handbook(ifs: dict[str, Interface]) -> None:
    assert list(ifs) == ["em0", "lo0"]
    em = ifs["em0"]
    # 8863 carries 0x20, which the printed names do not include: names win.
    assert em.flags_value == 0x8863 and em.flags == UP_BCAST
    assert em.inet == ("192.168.1.19/24",)
    assert em.inet6 == ("fe80::21f:16ff:fe0f:275a%em0/64",)
    assert em.status == "active"
    assert_loopback(ifs["lo0"])
    assert ifs["lo0"].groups == ("lo",)


@facts("em-lo0-wlan-rtwn-vht-15.txt")
def _rtwn_vht(ifs: dict[str, Interface]) -> None:
    assert list(ifs) == ["em0", "lo0", "wlan0"]
    em, wlan = ifs["em0"], ifs["wlan0"]
    assert em.flags == (*UP_BCAST, "LOWER_UP") and em.flags_value == 0x1008843
    assert em.inet6 == (
        "fe80::20c:29ff:fe84:f86%em0/64",
        "240e:341:207:a600:2d60:b653:3a68:8605/64",
    )
    assert wlan.flags == UP_BCAST  # no LOWER_UP on the associated wlan
    assert wlan.ether == "20:0d:b0:c4:ab:59"
    assert wlan.inet == ("192.168.5.23/24",)
    assert wlan.groups == ("wlan",)
    assert (wlan.ssid, wlan.channel, wlan.bssid) == ("test_5G", 153, "e4:60:4d:97:00:e8")
    assert wlan.parent == "rtwn0"
    assert wlan.media == "IEEE 802.11 Wireless Ethernet VHT mode 11ac"
    assert wlan.status == "associated" and wlan.has_link and wlan.is_wireless
    assert "wme roaming MANUAL" in wlan.extra
    assert not em.is_wireless
    assert_loopback(ifs["lo0"], (*LO_FLAGS, "LOWER_UP"))


@facts("em-no-carrier-11.0.txt")
def _em_11(ifs: dict[str, Interface]) -> None:
    em = ifs["em0"]
    assert em.is_up and "RUNNING" in em.flags
    assert em.status == "no carrier" and not em.has_link
    assert em.ether == "b8:8a:60:de:c4:1b"
    assert em.media == "Ethernet autoselect"


@facts("em-no-carrier-anonymized-mac.txt")
def _em_anon(ifs: dict[str, Interface]) -> None:
    em = ifs["em0"]
    assert em.ether == "aa:bb:cc:dd:ee:ff"
    assert em.status == "no carrier"
    assert em.options_value == 0x4219B


@facts("em-no-carrier-lo0-nomadbsd.txt")
def _nomad(ifs: dict[str, Interface]) -> None:
    assert list(ifs) == ["em0", "lo0"]
    em = ifs["em0"]
    assert em.flags == ("BROADCAST", "SIMPLEX", "MULTICAST") and em.flags_value == 0x8802
    assert em.ether == "00:22:68:0a:70:4d"
    assert em.status == "no carrier"
    assert_loopback(ifs["lo0"])


@facts("epair-jail-one-space-indent-15.0.txt")
def _epair(ifs: dict[str, Interface]) -> None:
    ep = ifs["epair40b"]
    assert ep.flags == (*UP_BCAST, "LOWER_UP")
    assert ep.options == ("RXCSUM", "VLAN_MTU", "RXCSUM_IPV6")
    assert ep.ether == "58:9c:fc:a0:74:02"
    assert ep.inet == ("10.163.0.40/24",)
    assert ep.groups == ("epair",)
    assert ep.media == "Ethernet 10Gbase-T (10Gbase-T <full-duplex>)"
    assert ep.status == "active"


@facts("ffec-lo0-wandboard-11-current.txt")
def _ffec(ifs: dict[str, Interface]) -> None:
    assert list(ifs) == ["ffec0", "lo0"]
    ffec = ifs["ffec0"]
    assert ffec.media == "Ethernet autoselect (1000baseT <full-duplex,master>)"
    assert ffec.inet == ("192.168.10.21/24",)
    assert ffec.ether == "00:1f:7b:b4:03:79"
    assert ifs["lo0"].groups == ()  # this old lo0 prints no groups: line
    assert_loopback(ifs["lo0"])


@facts("ix-sfp-cidr-inet-jc.txt")
def _ix(ifs: dict[str, Interface]) -> None:
    ix = ifs["ix0"]
    assert ix.mtu == 9000
    assert ix.inet == ("10.10.2.101/24",)  # printed in CIDR form
    assert ix.media == "Ethernet autoselect (10Gbase-SR <full-duplex,rxpause,txpause>)"
    assert ix.status == "active"
    assert "plugged: SFP/SFP+/SFP28 10G Base-SR (LC)" in ix.extra
    assert "RX: 0.49 mW (-3.02 dBm) TX: 0.66 mW (-1.74 dBm)" in ix.extra


@facts("lagg-failover-em0-em1-15.txt")
def _lagg_em_em(ifs: dict[str, Interface]) -> None:
    lagg0 = ifs["lagg0"]
    assert lagg0.lagg is not None
    assert lagg0.lagg.proto == "failover" and lagg0.lagg.hash == ("l2", "l3", "l4")
    assert ports(lagg0.lagg) == [("em0", ("MASTER", "ACTIVE")), ("em1", ())]
    assert lagg0.lagg.primary == "em0" and lagg0.lagg.active == "em0"
    assert lagg0.ether == "00:50:56:29:a9:45"
    assert lagg0.hwaddr == "00:00:00:00:00:00"
    assert lagg0.inet == ("192.168.5.5/24",)
    assert lagg0.groups == ("lagg",) and lagg0.status == "active"


@facts("lagg-failover-em0-wlan0-11.0.txt")
def _lagg_em_wlan_11(ifs: dict[str, Interface]) -> None:
    lagg0 = ifs["lagg0"]
    assert lagg0.lagg is not None
    assert ports(lagg0.lagg) == [("em0", ("MASTER", "ACTIVE")), ("wlan0", ())]
    assert lagg0.lagg.port("wlan0") == LaggPort("wlan0", (), 0)
    assert lagg0.lagg.primary == "em0" and lagg0.lagg.active == "em0"
    assert lagg0.inet == ("192.168.0.21/16",)  # netmask 0xffff0000
    assert lagg0.groups == ("lagg",)  # trailing space after 'groups: lagg'
    assert lagg0.ether == "b8:8a:60:de:c4:1b" and lagg0.options == ()


@facts("lagg-failover-em0-wlan0-port-missing-15.txt")
def _lagg_port_missing(ifs: dict[str, Interface]) -> None:
    lagg0 = ifs["lagg0"]
    assert lagg0.lagg is not None
    assert lagg0.lagg.port_names == ("em0",)  # wlan0 is not a port
    assert lagg0.lagg.primary == "em0"
    assert lagg0.ether == "20:0d:b0:c4:ab:59"
    assert lagg0.inet == ("192.168.5.7/24",)


@facts("lagg-failover-fxp-handbook.txt")
def _lagg_fxp(ifs: dict[str, Interface]) -> None:
    lagg0 = ifs["lagg0"]
    assert lagg0.lagg == Lagg(
        proto="failover",
        hash=(),
        ports=(LaggPort("fxp1", (), 0), LaggPort("fxp0", ("MASTER", "ACTIVE"), 5)),
    )
    assert lagg0.lagg.primary == "fxp0" and lagg0.lagg.active == "fxp0"
    assert lagg0.groups == ()
    assert lagg0.inet == ("10.0.0.15/24",)


@facts("lagg-failover-ndis0-nfe0-seed-blog.txt")
def _seed_blog(ifs: dict[str, Interface]) -> None:
    assert list(ifs) == ["ndis0", "nfe0", "lagg0", "tun0"]
    ndis, nfe, lagg0, tun = ifs["ndis0"], ifs["nfe0"], ifs["lagg0"], ifs["tun0"]
    # flags without <...>: names decoded from the hex
    assert ndis.flags == UP_BCAST and ndis.flags_value == 0x8843
    assert tun.flags == ("POINTOPOINT", "MULTICAST") and not tun.is_up
    assert tun.mtu == 1500 and tun.extra == ()
    assert ndis.ssid == "MY_WPA_WIFI" and ndis.channel == 1 and ndis.bssid is None
    assert ndis.status == "associated" and ndis.is_wireless
    assert ndis.laggdev == "lagg0" and ndis.lagg is None
    assert nfe.laggdev == "lagg0" and nfe.status == "no carrier"
    assert nfe.options == () and nfe.options_value == 8
    assert nfe.media == "Ethernet autoselect (none)"
    assert lagg0.lagg is not None
    # 'laggport: ndis0 flags=5' without names: MASTER|ACTIVE from LAGG_PORT_BITS
    assert ports(lagg0.lagg) == [("nfe0", ()), ("ndis0", ("MASTER", "ACTIVE"))]
    assert lagg0.lagg.primary == "ndis0" and lagg0.lagg.active == "ndis0"
    assert lagg0.inet == ("192.168.1.5/24",)
    assert {i.ether for i in ifs.values() if i.ether} == {"00:1a:73:73:92:34"}


@facts("lagg-failover-re0-wlan0-handbook.txt")
def _lagg_re_wlan(ifs: dict[str, Interface]) -> None:
    lagg0 = ifs["lagg0"]
    assert lagg0.lagg is not None
    assert ports(lagg0.lagg) == [("re0", ("MASTER", "ACTIVE")), ("wlan0", ())]
    assert lagg0.lagg.hash == ("l2", "l3", "l4")
    assert lagg0.ether == "b8:ee:65:5b:32:59"
    assert lagg0.inet == () and lagg0.groups == ("lagg",)


@facts("lagg-lacp-em-ports-flags0-15.txt")
def _lacp_em(ifs: dict[str, Interface]) -> None:
    lagg0 = ifs["lagg0"]
    assert lagg0.lagg is not None
    assert lagg0.lagg.proto == "lacp"
    assert ports(lagg0.lagg) == [("em0", ()), ("em1", ())]
    assert lagg0.lagg.primary is None and lagg0.lagg.active is None
    assert lagg0.status == "active"
    assert lagg0.hwaddr == "00:00:00:00:00:00"


@facts("lagg-lacp-fxp-handbook.txt")
def _lacp_fxp(ifs: dict[str, Interface]) -> None:
    lagg0 = ifs["lagg0"]
    lacp = ("ACTIVE", "COLLECTING", "DISTRIBUTING")
    assert lagg0.lagg is not None
    assert ports(lagg0.lagg) == [("fxp1", lacp), ("fxp0", lacp)]
    assert [p.flags_value for p in lagg0.lagg.ports] == [0x1C, 0x1C]
    assert lagg0.lagg.primary is None and lagg0.lagg.active == "fxp1"


@facts("lagg-lacp-ice-verbose-opnsense-truncated.txt")
def _lacp_ice(ifs: dict[str, Interface]) -> None:
    lagg0 = ifs["lagg0"]
    lacp = ("ACTIVE", "COLLECTING", "DISTRIBUTING")
    assert lagg0.flags == ("UP", "BROADCAST", "RUNNING", "PROMISC", "SIMPLEX", "MULTICAST")
    assert lagg0.lagg is not None
    assert lagg0.lagg.proto == "lacp" and lagg0.lagg.hash == ("l2",)
    assert ports(lagg0.lagg) == [("ice0", lacp), ("ice1", lacp)]
    assert lagg0.inet6 == ("fe80::f690:eaff:fe01:25ee%lagg0/64",)
    assert lagg0.status is None and lagg0.media is None  # truncated before them
    assert "lagg options:" in lagg0.extra and "flowid_shift: 16" in lagg0.extra
    assert "flags=0<>" in lagg0.extra  # the lagg options' flags, not the ports'
    assert "(1000,AA-AA-AA-AA-AA-AA,0023,8000,0021)]" in lagg0.extra


@facts("lagg-loadbalance-igb-no-carrier.txt")
def _loadbalance(ifs: dict[str, Interface]) -> None:
    lagg0 = ifs["lagg0"]
    assert lagg0.lagg is not None and lagg0.lagg.proto == "loadbalance"
    assert ports(lagg0.lagg) == [(f"igb{n}", ()) for n in range(4)]
    assert lagg0.status == "no carrier"
    assert lagg0.inet == ("192.168.200.2/24",)
    assert lagg0.groups == ("lagg",)


def assert_duovero(ifs: dict[str, Interface], radio: str, mac: str, addr: str) -> None:
    assert list(ifs) == ["lo0", radio, "wlan0"]
    parent, wlan = ifs[radio], ifs["wlan0"]
    assert parent.mtu == 2290 and parent.status == "associated"
    assert parent.media == "IEEE 802.11 Wireless Ethernet autoselect mode 11g"
    assert parent.ssid is None and parent.is_wireless
    assert parent.ether == wlan.ether == mac
    assert wlan.inet == (addr,)
    assert (wlan.ssid, wlan.channel, wlan.bssid) == ("jumpnow", 9, "e4:f4:c6:0d:91:f2")
    assert wlan.parent is None  # this release prints no 'parent interface:' line
    assert wlan.groups == ()
    assert "roaming MANUAL" in wlan.extra
    assert_loopback(ifs["lo0"])


@facts("rsu-wlan0-duovero-11-current.txt")
def _rsu(ifs: dict[str, Interface]) -> None:
    assert_duovero(ifs, "rsu0", "00:14:d1:6f:e6:fd", "192.168.10.120/24")


@facts("urtwn-wlan0-duovero-11-current.txt")
def _urtwn(ifs: dict[str, Interface]) -> None:
    assert_duovero(ifs, "urtwn0", "80:1f:02:70:93:0f", "192.168.10.103/24")


@facts("ue0-muge-lo0-rpi3-12.2.txt")
def _ue_muge(ifs: dict[str, Interface]) -> None:
    assert list(ifs) == ["lo0", "ue0"]
    ue = ifs["ue0"]
    assert ue.ether == "b8:27:eb:66:13:38"
    assert ue.media == "Ethernet autoselect (100baseTX <full-duplex>)"
    assert ue.status == "active" and ue.inet == ()
    assert ue.options == ("RXCSUM", "VLAN_MTU", "LINKSTATE")
    assert_loopback(ifs["lo0"])


@facts("ue0-smsc-lo0-rpi-11-current.txt")
def _ue_smsc(ifs: dict[str, Interface]) -> None:
    assert list(ifs) == ["lo0", "ue0"]
    ue = ifs["ue0"]
    assert ue.ether == "b8:27:eb:12:73:e8"
    assert ue.inet == ("192.168.10.106/24",)
    assert not ue.is_wireless
    assert_loopback(ifs["lo0"])


@facts("wlan-11g-open-no-metric-handbook.txt")
def _wlan_no_metric(ifs: dict[str, Interface]) -> None:
    wlan = ifs["wlan0"]
    assert wlan.metric is None and wlan.mtu == 1500
    assert (wlan.ssid, wlan.channel, wlan.bssid) == ("dlinkap", 11, "00:13:46:49:41:76")
    assert wlan.inet == ("192.168.1.100/24",)
    assert wlan.status == "associated"
    assert "roam:rate 5 protmode CTS wme burst" in wlan.extra


@facts("wlan-associated-ath-etsi-handbook.txt")
def _wlan_ath(ifs: dict[str, Interface]) -> None:
    wlan = ifs["wlan0"]
    assert (wlan.ssid, wlan.channel, wlan.bssid) == ("Bbox-A3BD2403", 6, "00:37:b7:56:4b:60")
    assert wlan.ether == "b8:ee:65:5b:32:59"
    assert wlan.media == "IEEE 802.11 Wireless Ethernet MCS mode 11ng"
    assert wlan.groups == ("wlan",) and wlan.inet == ()


@facts("wlan-associated-iwm-5ghz-ipv6-autoconf.txt")
def _wlan_iwm(ifs: dict[str, Interface]) -> None:
    wlan = ifs["wlan0"]
    assert wlan.options == () and wlan.options_value == 0  # 'options=0'
    assert (wlan.ssid, wlan.channel, wlan.bssid) == ("a46", 48, "32:20:9f:2e:f6:65")
    assert wlan.parent == "iwm0"
    assert wlan.inet == ("192.168.1.85/24",)
    assert wlan.inet6 == (
        "fe80::a602:b9ff:fea7:ce25%wlan0/64",
        "fd22:e107:56fb:0:a602:b9ff:fea7:ce25/64",
    )
    assert wlan.status == "associated"


@facts("wlan-hostap-wpa2-11na-handbook.txt")
def _wlan_hostap(ifs: dict[str, Interface]) -> None:
    wlan = ifs["wlan0"]
    assert "PROMISC" in wlan.flags
    assert wlan.status == "running" and wlan.has_link
    assert (wlan.ssid, wlan.channel, wlan.bssid) == ("No5ignal", 36, "04:f0:21:16:8e:10")
    assert wlan.media == "IEEE 802.11 Wireless Ethernet autoselect mode 11na <hostap>"
    assert wlan.groups == ("wlan",)  # groups: is the last line here
    assert wlan.inet6 == ("fe80::6f0:21ff:fe16:8e10%wlan0/64",)


def test_every_fixture_has_facts() -> None:
    files = {p.name for p in FIXTURES.iterdir() if p.is_file()}
    assert len(files) >= 28
    assert files - FACTS.keys() == set(), "fixture without asserted facts"
    assert FACTS.keys() - files == set(), "facts for a fixture that is gone"


@pytest.mark.parametrize("name", sorted(FACTS))
def test_fixture_facts(name: str) -> None:
    FACTS[name](by_name(load(name)))


@pytest.mark.parametrize("name", sorted(FACTS))
def test_fixture_indentation_does_not_matter(name: str) -> None:
    """Tab, one space, eight spaces or none: the same interfaces come out."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    lines = text.splitlines()
    want = parse(text)
    for indent in ("\t", " ", "        ", ""):
        redone = "\n".join(indent + ln.lstrip() if ln[:1].isspace() else ln for ln in lines)
        assert parse(redone) == want


FIELDS: tuple[str, ...] = ("flags", "ether", "hwaddr", "media", "status")
FIELDS += ("ssid", "bssid", "parent", "groups", "channel", "mtu", "options", "laggdev")


@pytest.mark.parametrize("name", ["lagg-failover-em0-em1-15.txt", "em-lo0-wlan-rtwn-vht-15.txt"])
def test_detail_line_order_does_not_matter(name: str) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    want = {i.name: i for i in parse(text)}
    blocks: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        if not line[:1].isspace():
            blocks.append([line])
        else:
            blocks[-1].append(line)
    rng = random.Random(7)
    for _ in range(5):
        shuffled = []
        for header, *details in blocks:
            rng.shuffle(details)
            shuffled += [header, *details]
        got = {i.name: i for i in parse("\n".join(shuffled))}
        assert got.keys() == want.keys()
        for ifname, iface in got.items():
            # laggport order is meaningful and is the only order kept; the rest
            # must not depend on the order of the lines
            exp = want[ifname]
            assert sorted(iface.extra) == sorted(exp.extra)
            if exp.lagg is not None:
                assert iface.lagg is not None
                assert sorted(iface.lagg.ports, key=lambda p: p.name) == sorted(
                    exp.lagg.ports, key=lambda p: p.name
                )
            for f in FIELDS:
                assert getattr(iface, f) == getattr(exp, f), f
            # several addresses keep the order of their lines
            assert sorted(iface.inet + iface.inet6) == sorted(exp.inet + exp.inet6)


# --- header ----------------------------------------------------------------


def one(text: str) -> Interface:
    (iface,) = parse(text)
    return iface


def test_flags_without_names_are_decoded_from_hex() -> None:
    iface = one("lo0: flags=1008049 metric 0 mtu 16384\n")
    assert iface.flags == ("UP", "LOOPBACK", "RUNNING", "MULTICAST", "LOWER_UP")
    assert iface.flags_value == 0x1008049


def test_flags_zero() -> None:
    iface = one("pflog0: flags=0<> metric 0 mtu 33152\n")
    assert iface.flags == () and iface.flags_value == 0 and not iface.is_up


def test_decode_bits_skips_unnamed_bits() -> None:
    assert decode_bits(0x8843, IFF_BITS) == UP_BCAST
    assert decode_bits(0x4000000, IFF_BITS) == ()
    assert decode_bits(0x3F, LAGG_PORT_BITS) == (
        "MASTER",
        "STACK",
        "ACTIVE",
        "COLLECTING",
        "DISTRIBUTING",
        "DISABLED",
    )


def test_truncated_header_keeps_what_it_has() -> None:
    text = "em0: flags=8843<UP,BROAD\n\tether 00:11:22:33:44:55\nlo0: flags=8049 mtu 16384\n"
    em, lo = parse(text)
    assert em.name == "em0" and em.flags == UP_BCAST  # from the hex
    assert em.mtu is None and em.metric is None
    assert em.extra == ("em0: flags=8843<UP,BROAD",)
    assert em.ether == "00:11:22:33:44:55"
    assert lo.name == "lo0" and lo.mtu == 16384


def test_vlan_and_dotted_names() -> None:
    text = (
        "vlan0.100: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500\n"
        "\tether 00:11:22:33:44:55\n"
        "\tgroups: vlan\n"
        "\tvlan: 100 vlanproto: 802.1q vlanpcp: 0 parent interface: em0\n"
    )
    iface = one(text)
    assert iface.name == "vlan0.100"
    assert iface.parent is None and not iface.is_wireless
    assert iface.extra == ("vlan: 100 vlanproto: 802.1q vlanpcp: 0 parent interface: em0",)


def test_ue_parent_interface_is_not_a_wlan_parent() -> None:
    # ifue.c prints "parent interface: ure0" for USB Ethernet too
    iface = one(
        "ue0: flags=8843<UP> metric 0 mtu 1500\n\tparent interface: ure0\n"
        "\tmedia: Ethernet autoselect (1000baseT <full-duplex>)\n\tstatus: active\n"
    )
    assert iface.parent is None and not iface.is_wireless
    assert "parent interface: ure0" in iface.extra


def test_description_is_kept_whole() -> None:
    iface = one("em0: flags=8843<UP> metric 0 mtu 1500\n\tdescription: uplink: media: x\n")
    assert iface.description == "uplink: media: x"
    assert iface.media is None


def test_hwaddr_and_media_on_one_line() -> None:
    iface = one(
        "em0: flags=8843<UP> metric 0 mtu 1500\n"
        "\tether 00:aa:bb:cc:dd:ee hwaddr 00:11:22:33:44:55 media: Ethernet autoselect\n"
        "\tstatus: active\n"
    )
    assert iface.ether == "00:aa:bb:cc:dd:ee"
    assert iface.hwaddr == "00:11:22:33:44:55"
    assert iface.media == "Ethernet autoselect"
    assert iface.status == "active" and iface.extra == ()


def test_media_and_status_on_one_line() -> None:
    iface = one("em0: flags=8843<UP> mtu 1500\n\tmedia: Ethernet autoselect status: no carrier\n")
    assert iface.media == "Ethernet autoselect" and iface.status == "no carrier"


# --- addresses -------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "cidr"),
    [
        ("inet 10.0.0.5 netmask 0xffffff00 broadcast 10.0.0.255", "10.0.0.5/24"),
        ("inet 10.0.0.5 netmask 0xfffffffc", "10.0.0.5/30"),
        ("inet 10.0.0.5 netmask 255.255.0.0 broadcast 10.0.255.255", "10.0.0.5/16"),
        ("inet 10.10.2.101/24 broadcast 10.10.2.255", "10.10.2.101/24"),
        ("inet 10.0.0.1 --> 10.0.0.2 netmask 0xffffffff", "10.0.0.1/32"),
        ("inet 192.0.2.1 netmask 0xffffff00 broadcast 192.0.2.255 vhid 1", "192.0.2.1/24"),
    ],
)
def test_inet(line: str, cidr: str) -> None:
    assert one(f"x0: flags=1<UP> mtu 1500\n\t{line}\n").inet == (cidr,)


@pytest.mark.parametrize(
    "line",
    [
        "inet 10.0.0.5",  # no netmask: the prefix length is not known
        "inet 10.0.0.5 netmask 0xff00ff00",  # not contiguous
        "inet 10.0.0.300 netmask 0xffffff00",
        "inet 10.0.0.5 netmask",
        "inet",
    ],
)
def test_inet_not_understood_goes_to_extra(line: str) -> None:
    iface = one(f"x0: flags=1<UP> mtu 1500\n\t{line}\n")
    assert iface.inet == () and iface.extra == (line,)


@pytest.mark.parametrize(
    ("line", "cidr"),
    [
        ("inet6 fe80::1%lo0 prefixlen 64 scopeid 0x2", "fe80::1%lo0/64"),
        ("inet6 2001:db8::1 prefixlen 64 autoconf pltime 3600 vltime 7200", "2001:db8::1/64"),
        ("inet6 2001:db8::1/56", "2001:db8::1/56"),
        ("inet6 2001:db8::1 prefixlen 64 tentative", "2001:db8::1/64"),
    ],
)
def test_inet6(line: str, cidr: str) -> None:
    assert one(f"x0: flags=1<UP> mtu 1500\n\t{line}\n").inet6 == (cidr,)


@pytest.mark.parametrize("line", ["inet6 fe80::1%lo0", "inet6 zz::1 prefixlen 64", "inet6 ::1/129"])
def test_inet6_not_understood_goes_to_extra(line: str) -> None:
    iface = one(f"x0: flags=1<UP> mtu 1500\n\t{line}\n")
    assert iface.inet6 == () and iface.extra == (line,)


@pytest.mark.parametrize(
    "mac", ["00:1a:2b:3c:4d:5e", "00-1a-2b-3c-4d-5e", "001a.2b3c.4d5e", "00:1A:2B:3C:4D:5E"]
)
def test_mac_formats_of_ifconfig_format_ether(mac: str) -> None:
    iface = one(f"x0: flags=1<UP> mtu 1500\n\tether {mac}\n\thwaddr {mac}\n")
    assert iface.ether == iface.hwaddr == "00:1a:2b:3c:4d:5e"
    assert wlan(f"ssid cafe bssid {mac}").bssid == "00:1a:2b:3c:4d:5e"


def test_bad_mac_is_not_taken() -> None:
    iface = one("x0: flags=1<UP> mtu 1500\n\tether 00:11:22\n")
    assert iface.ether is None and iface.extra == ("ether 00:11:22",)


# --- 802.11 ---------------------------------------------------------------


def wlan(ssid_line: str) -> Interface:
    return one(
        "wlan0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500\n"
        f"\t{ssid_line}\n\tmedia: IEEE 802.11 Wireless Ethernet autoselect\n"
        "\tstatus: associated\n"
    )


@pytest.mark.parametrize(
    ("line", "ssid", "channel", "bssid"),
    [
        ('ssid "My Home" channel 6 (2437 MHz 11g) bssid 00:11:22:33:44:55', "My Home", 6, ""),
        ('ssid "" channel 1 (2412 MHz 11b)', "", 1, None),
        ("ssid 0x6869ff channel 1 (2412 MHz 11b)", "0x6869ff", 1, None),
        ('ssid "a "b" c" channel 11 (2462 Mhz 11g) bssid 00:11:22:33:44:55', 'a "b" c', 11, ""),
        ('ssid "x channel 3" channel 4 (2427 MHz 11g)', "x channel 3", 4, None),
        ("ssid cafe", "cafe", None, None),
        ("ssid cafe bssid 00:11:22:33:44:55", "cafe", None, ""),
    ],
)
def test_ssid_forms(line: str, ssid: str, channel: int | None, bssid: str | None) -> None:
    iface = wlan(line)
    assert iface.ssid == ssid
    assert iface.channel == channel
    assert iface.bssid == ("00:11:22:33:44:55" if bssid == "" else bssid)
    assert iface.extra == ()


def test_several_ssids_leave_ssid_unknown() -> None:
    iface = wlan("ssid  1:foo 2:bar channel 1 (2412 MHz 11b)")
    assert iface.ssid is None and iface.bssid is None
    assert iface.extra == ("ssid  1:foo 2:bar channel 1 (2412 MHz 11b)",)
    assert iface.is_wireless


def test_old_separate_channel_line() -> None:
    iface = wlan("ssid cafe")
    assert iface.channel is None
    iface = one("ath0: flags=8843<UP> mtu 1500\n\tssid cafe\n\tchannel 6 authmode OPEN\n")
    assert iface.channel == 6 and iface.ssid == "cafe"


def _printed_ssid(ssid: str) -> str:
    # what ifieee80211.c print_string() prints for a printable SSID
    if not ssid or " " in ssid:
        return f'"{ssid}"'
    return ssid


@settings(max_examples=150, deadline=None)
@given(
    ssid=st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=32),
    channel=st.none() | st.integers(1, 196),
    bssid=st.none() | st.binary(min_size=6, max_size=6),
)
def test_ssid_line_round_trip(ssid: str, channel: int | None, bssid: bytes | None) -> None:
    assume(not ssid.lower().startswith("0x"))  # printed as hex, kept as printed
    # a raw SSID that itself is "..." without blanks prints the same as a quoted one
    assume(not (len(ssid) >= 2 and ssid[0] == ssid[-1] == '"' and " " not in ssid))
    line = f"ssid {_printed_ssid(ssid)}"
    if channel is not None:
        line += f" channel {channel} (2412 MHz 11g)"
    mac = ":".join(f"{b:02x}" for b in bssid) if bssid is not None else None
    if mac is not None:
        line += f" bssid {mac}"
    iface = wlan(line)
    assert (iface.ssid, iface.channel, iface.bssid) == (ssid, channel, mac)


# --- lagg -----------------------------------------------------------------

LAGG_HEAD = "lagg0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500\n"


def test_2007_era_lagg_block() -> None:
    # iflagg.c of 2007: "\tlagg: laggproto P" and "\t\tlaggport NAME " + printb("", ...)
    lagg0 = one(
        LAGG_HEAD + "\tlagg: laggproto failover\n"
        "\t\tlaggport em0 =5<MASTER,ACTIVE>\n\t\tlaggport wlan0 =0<>\n"
    )
    assert lagg0.lagg == Lagg(
        "failover", (), (LaggPort("em0", ("MASTER", "ACTIVE"), 5), LaggPort("wlan0", (), 0))
    )


def test_laggport_with_names_only() -> None:
    lagg0 = one(LAGG_HEAD + "\tlaggproto failover\n\tlaggport em0 <MASTER,ACTIVE>\n")
    assert lagg0.lagg is not None
    assert lagg0.lagg.ports == (LaggPort("em0", ("MASTER", "ACTIVE"), 5),)


def test_laggport_with_unknown_flags_is_reported() -> None:
    text = LAGG_HEAD + "\tlaggproto failover\n\tlaggport: em0\n\tlaggport: wlan0 flags=0<>\n"
    host = parse_host(text)
    lagg0 = host.laggs()["lagg0"]
    assert lagg0.ports == (LaggPort("em0", (), None), LaggPort("wlan0", (), 0))
    assert host.unknown == ("lagg0 laggport em0 flags",)
    assert host.get("lagg0") is not None
    assert "laggport: em0" in host.interfaces[0].extra


def test_member_of_2007_era_shows_laggdev() -> None:
    em = one("em0: flags=8843<UP> metric 0 mtu 1500\n\tlagg: laggdev lagg0\n")
    assert em.laggdev == "lagg0" and em.lagg is None and em.extra == ()


def test_member_of_2012_era_shows_its_laggs_ports_which_are_not_its_own() -> None:
    # iflagg.c (2012): a port prints " laggdev L" after the laggproto and the lagg's ports
    em = one(
        "em0: flags=8843<UP> metric 0 mtu 1500\n"
        "\tlaggproto failover laggdev lagg0\n"
        "\tlaggport: em0 flags=5<MASTER,ACTIVE>\n"
    )
    assert em.laggdev == "lagg0" and em.lagg is None
    assert em.extra == ("laggproto failover laggdev lagg0", "laggport: em0 flags=5<MASTER,ACTIVE>")


def test_lagg_without_ports() -> None:
    lagg0 = one(LAGG_HEAD + "\tlaggproto failover lagghash l2,l3,l4\n")
    assert lagg0.lagg == Lagg("failover", ("l2", "l3", "l4"), ())


def test_odd_laggproto_line_goes_to_extra() -> None:
    lagg0 = one(LAGG_HEAD + "\tlaggproto failover bogus\n")
    assert lagg0.lagg is None and lagg0.extra == ("laggproto failover bogus",)


def test_lacp_verbose_state_and_peer() -> None:
    lagg0 = one(
        LAGG_HEAD + "\tlaggproto lacp lagghash l2,l3,l4\n"
        "\tlaggport: em0 flags=1c<ACTIVE,COLLECTING,DISTRIBUTING> state=3D\n"
        "\t\t[(8000,00-11-22-33-44-55,0001,8000,0001),\n"
        "\t\t (0000,00-00-00-00-00-00,0000,0000,0000)]\n"
    )
    assert lagg0.lagg is not None
    assert lagg0.lagg.ports == (LaggPort("em0", ("ACTIVE", "COLLECTING", "DISTRIBUTING"), 0x1C),)
    assert len(lagg0.extra) == 2


# --- whole-text behaviour ---------------------------------------------------


def test_empty_and_comment_only_text_has_no_interfaces() -> None:
    assert parse("") == []
    assert parse("\n\n# just a comment\n") == []


def test_text_without_any_interface_is_an_error() -> None:
    with pytest.raises(IfconfigError) as err:
        parse("# c\n\nifconfig: interface wlan0 does not exist\nmore\n")
    assert err.value.line_no == 3
    assert "ifconfig: interface wlan0 does not exist" in err.value.message
    assert str(err.value).startswith("line 3: not ifconfig output")


def test_junk_before_the_first_interface_is_ignored_when_interfaces_follow() -> None:
    (iface,) = parse("$ ifconfig em0\nem0: flags=8843<UP> mtu 1500\n\tstatus: active\n")
    assert iface.name == "em0" and iface.status == "active" and iface.extra == ()


def test_comment_inside_an_interface_is_kept() -> None:
    iface = one("em0: flags=8843<UP> mtu 1500\n# note\n")
    assert iface.extra == ("# note",)


def test_crlf_and_trailing_blanks() -> None:
    iface = one("em0: flags=8843<UP> metric 0 mtu 1500  \r\n\tstatus: active \r\n")
    assert iface.mtu == 1500 and iface.status == "active"


def test_repeated_interface_is_kept_in_order() -> None:
    text = "em0: flags=1<UP> mtu 1500\nem0: flags=0<> mtu 1500\n"
    assert [i.flags for i in parse(text)] == [("UP",), ()]
    assert parse_host(text).get("em0") == parse(text)[0]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_parses_or_raises_ifconfig_error(text: str) -> None:
    try:
        result = parse(text)
    except IfconfigError as err:
        assert err.line_no >= 1
    else:
        assert all(isinstance(i, Interface) for i in result)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(st.characters(codec="utf-8"), max_size=80), max_size=8))
def test_garbage_detail_lines_never_lose_the_interface(lines: list[str]) -> None:
    text = LAGG_HEAD + "\tlaggproto failover\n\tlaggport: em0 flags=5<MASTER,ACTIVE>\n"
    text += "".join("\t" + ln.replace("\n", " ").replace("\r", " ") + "\n" for ln in lines)
    result = parse(text)
    assert result[0].name == "lagg0"
    assert result[0].flags == UP_BCAST


# --- parse_host / parse_list ------------------------------------------------


def test_parse_host_of_the_seed_blog() -> None:
    host = parse_host((FIXTURES / "lagg-failover-ndis0-nfe0-seed-blog.txt").read_text())
    assert host.names() == ("ndis0", "nfe0", "lagg0", "tun0")
    assert host.lagg_of("ndis0") == "lagg0" and host.lagg_of("tun0") is None
    assert host.unknown == () and host.radios is None
    assert dict(host.dhclient) == {} and dict(host.wpa) == {}


def test_parse_list() -> None:
    assert parse_list("em0 lo0 wlan0 lagg0 vlan0.100\n") == [
        "em0",
        "lo0",
        "wlan0",
        "lagg0",
        "vlan0.100",
    ]
    assert parse_list("") == []
    assert parse_list("# c\nem0\n") == ["em0"]


def test_parse_list_refuses_other_output() -> None:
    with pytest.raises(IfconfigError) as err:
        parse_list("em0: flags=8843<UP> mtu 1500\n")
    assert err.value.line_no == 1 and "'em0:'" in err.value.message
