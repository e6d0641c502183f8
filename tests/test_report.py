"""laggroam.admin.report: the status JSON contract and the text view, on real captures."""

import json
from pathlib import Path

import pytest

from laggroam.admin.report import host_json, render_text
from laggroam.core.host import Host, Interface, Lagg, LaggPort, Process, Supplicant
from laggroam.edge.ifconfig import parse_host

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "ifconfig"

INTERFACE_KEYS = [
    "flags",
    "mtu",
    "ether",
    "hwaddr",
    "inet",
    "inet6",
    "media",
    "status",
    "ssid",
    "bssid",
    "parent",
    "groups",
]


def fixture(*names: str) -> Host:
    return parse_host("".join((FIXTURES / n).read_text(encoding="utf-8") for n in names))


def test_host_json_of_the_11_0_laptop_lagg() -> None:
    assert host_json(fixture("lagg-failover-em0-wlan0-11.0.txt")) == {
        "interfaces": {
            "lagg0": {
                "flags": ["UP", "BROADCAST", "RUNNING", "SIMPLEX", "MULTICAST"],
                "mtu": 1500,
                "ether": "b8:8a:60:de:c4:1b",
                "hwaddr": None,
                "inet": ["192.168.0.21/16"],
                "inet6": [],
                "media": "Ethernet autoselect",
                "status": "active",
                "ssid": None,
                "bssid": None,
                "parent": None,
                "groups": ["lagg"],
            }
        },
        "laggs": {
            "lagg0": {
                "proto": "failover",
                "ports": [
                    {"name": "em0", "flags": ["MASTER", "ACTIVE"]},
                    {"name": "wlan0", "flags": []},
                ],
                "primary": "em0",
                "active": "em0",
            }
        },
    }


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir()))
def test_host_json_keys_and_order_on_every_fixture(name: str) -> None:
    host = fixture(name)
    doc = host_json(host)
    assert list(doc) == ["interfaces", "laggs"]
    interfaces = doc["interfaces"]
    assert isinstance(interfaces, dict)
    assert list(interfaces) == list(host.names())
    for data in interfaces.values():
        assert list(data) == INTERFACE_KEYS  # no dhclient/wpa keys: none observed
    laggs = doc["laggs"]
    assert isinstance(laggs, dict)
    assert list(laggs) == list(host.laggs())
    for lagg in laggs.values():
        assert list(lagg) == ["proto", "ports", "primary", "active"]
    assert json.loads(json.dumps(doc)) == doc


def test_host_json_of_the_wlan_and_the_seed_blog() -> None:
    doc = host_json(fixture("wlan-associated-iwm-5ghz-ipv6-autoconf.txt"))
    wlan = doc["interfaces"]["wlan0"]  # type: ignore[index]
    assert wlan["ssid"] == "a46"
    assert wlan["bssid"] == "32:20:9f:2e:f6:65"
    assert wlan["parent"] == "iwm0"
    assert wlan["inet6"] == [
        "fe80::a602:b9ff:fea7:ce25%wlan0/64",
        "fd22:e107:56fb:0:a602:b9ff:fea7:ce25/64",
    ]
    seed = host_json(fixture("lagg-failover-ndis0-nfe0-seed-blog.txt"))
    assert seed["laggs"] == {
        "lagg0": {
            "proto": "failover",
            "ports": [
                {"name": "nfe0", "flags": []},
                {"name": "ndis0", "flags": ["MASTER", "ACTIVE"]},
            ],
            "primary": "ndis0",
            "active": "ndis0",
        }
    }
    assert seed["interfaces"]["tun0"]["flags"] == ["POINTOPOINT", "MULTICAST"]  # type: ignore[index]


def test_host_json_lacp_has_no_primary() -> None:
    doc = host_json(fixture("lagg-lacp-em-ports-flags0-15.txt"))
    assert doc["laggs"] == {
        "lagg0": {
            "proto": "lacp",
            "ports": [{"name": "em0", "flags": []}, {"name": "em1", "flags": []}],
            "primary": None,
            "active": None,
        }
    }


def test_host_json_adds_dhclient_and_wpa_only_where_observed() -> None:
    base = fixture("lagg-failover-em0-wlan0-11.0.txt", "em-lo0-wlan-rtwn-vht-15.txt")
    host = Host(
        interfaces=base.interfaces,
        dhclient={"lagg0": Process(running=True, pid=812), "em0": Process(running=None)},
        wpa={"wlan0": Supplicant(running=True, pid=640, state="COMPLETED", ssid="test_5G")},
    )
    ifs = host_json(host)["interfaces"]
    assert isinstance(ifs, dict)
    assert ifs["lagg0"]["dhclient"] == {"running": True, "pid": 812}
    assert ifs["em0"]["dhclient"] == {"running": None, "pid": None}
    assert ifs["wlan0"]["wpa_supplicant"] == {"running": True, "pid": 640, "state": "COMPLETED"}
    assert "wpa_supplicant" not in ifs["lagg0"] and "dhclient" not in ifs["wlan0"]
    assert list(ifs["lo0"]) == INTERFACE_KEYS


def test_host_json_repeated_name_keeps_the_first() -> None:
    host = Host(interfaces=(Interface("em0", mtu=1500), Interface("em0", mtu=9000)))
    assert host_json(host)["interfaces"] == {
        "em0": dict.fromkeys(INTERFACE_KEYS)
        | {"flags": [], "mtu": 1500}
        | {"inet": [], "inet6": [], "groups": []}
    }


# --- text ------------------------------------------------------------------


def test_text_of_the_11_0_laptop() -> None:
    text = render_text(fixture("lagg-failover-em0-wlan0-11.0.txt"), {"lagg0": ["em0", "wlan0"]})
    assert text == (
        "lagg0: laggproto failover lagghash l2,l3,l4, status active\n"
        "  primary em0, active em0\n"
        "  ether  b8:8a:60:de:c4:1b\n"
        "  inet   192.168.0.21/16\n"
        "  port   flags          link\n"
        "  em0    MASTER,ACTIVE  not shown\n"
        "  wlan0  -              not shown\n"
    )


def test_text_with_the_ports_own_lines() -> None:
    # the same laptop: em0 unplugged (its own capture), lagg0 (capture 2)
    host = fixture("em-no-carrier-11.0.txt", "lagg-failover-em0-wlan0-11.0.txt")
    text = render_text(host, {"lagg0": ["em0", "wlan0"]})
    assert "  em0    MASTER,ACTIVE  no carrier\n" in text
    assert "  wlan0  -              not shown\n" in text
    assert "warning" not in text


def test_text_warns_about_the_missing_port() -> None:
    text = render_text(
        fixture("lagg-failover-em0-wlan0-port-missing-15.txt"), {"lagg0": ["em0", "wlan0"]}
    )
    assert text.endswith(
        "  port  flags          link\n"
        "  em0   MASTER,ACTIVE  not shown\n"
        "warning: lagg0 lacks port wlan0 that the policy lists\n"
    )
    assert text.count("warning:") == 1
    assert "  inet   192.168.5.7/24\n" in text


def test_text_without_policy_has_no_warning() -> None:
    text = render_text(fixture("lagg-failover-em0-wlan0-port-missing-15.txt"))
    assert "warning" not in text


def test_text_warns_about_a_missing_lagg() -> None:
    text = render_text(fixture("em-lo0-wlan-rtwn-vht-15.txt"), {"lagg0": ["em0", "wlan0"]})
    assert text == (
        "no lagg interface (interfaces: em0 lo0 wlan0)\n"
        "warning: the host lacks lagg0 that the policy lists\n"
    )


def test_text_of_an_empty_host() -> None:
    assert render_text(Host()) == "no interfaces\n"


def test_text_of_the_seed_blog_shows_the_wireless_primary() -> None:
    text = render_text(fixture("lagg-failover-ndis0-nfe0-seed-blog.txt"))
    assert text == (
        "lagg0: laggproto failover, status active\n"
        "  primary ndis0, active ndis0\n"
        "  ether  00:1a:73:73:92:34\n"
        "  inet   192.168.1.5/24\n"
        "  port   flags          link        wireless\n"
        "  nfe0   -              no carrier\n"
        "  ndis0  MASTER,ACTIVE  associated  ssid MY_WPA_WIFI\n"
    )


def test_text_of_lacp_lists_every_active_port() -> None:
    text = render_text(fixture("lagg-lacp-fxp-handbook.txt"))
    assert "  primary none, active fxp1, fxp0\n" in text
    assert "  fxp1  ACTIVE,COLLECTING,DISTRIBUTING  not shown\n" in text


def test_text_with_daemons_down_port_and_quoted_ssid() -> None:
    wlan = Interface(
        "wlan0",
        flags=("UP",),
        flags_value=1,
        status="associated",
        ssid="My Home",
        bssid="00:11:22:33:44:55",
        groups=("wlan",),
    )
    em = Interface("em0", flags=(), flags_value=0, status="no carrier")
    lagg0 = Interface(
        "lagg0",
        status="active",
        ether="00:11:22:33:44:55",
        inet6=("fe80::1%lagg0/64",),
        lagg=Lagg(
            "failover",
            ports=(LaggPort("em0", ("MASTER",), 1), LaggPort("wlan0", ("ACTIVE",), 4)),
        ),
    )
    host = Host(
        interfaces=(em, wlan, lagg0),
        dhclient={"lagg0": Process(running=True, pid=99)},
        wpa={"wlan0": Supplicant(running=True, pid=7, state="COMPLETED")},
    )
    assert render_text(host) == (
        "lagg0: laggproto failover, status active\n"
        "  primary em0, active wlan0\n"
        "  ether     00:11:22:33:44:55\n"
        "  inet6     fe80::1%lagg0/64\n"
        "  dhclient  running (pid 99)\n"
        "  port   flags   link               wireless\n"
        "  em0    MASTER  no carrier (down)\n"
        '  wlan0  ACTIVE  associated         ssid "My Home" bssid 00:11:22:33:44:55'
        " wpa_supplicant running (pid 7) COMPLETED\n"
    )


def test_text_of_a_lagg_without_ports_and_unknown_flags() -> None:
    host = Host(
        interfaces=(
            Interface("lagg0", lagg=Lagg("failover")),
            Interface("lagg1", lagg=Lagg("failover", ports=(LaggPort("em1"),))),
        )
    )
    assert render_text(host, {"lagg1": ["em1"]}) == (
        "lagg0: laggproto failover, status ?\n"
        "  primary none, active none\n"
        "  ether  ?\n"
        "  no laggport\n"
        "\n"
        "lagg1: laggproto failover, status ?\n"
        "  primary none, active none\n"
        "  ether  ?\n"
        "  port  flags  link\n"
        "  em1   ?      not shown\n"
    )
