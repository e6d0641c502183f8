"""The IPv6 decision on pure snapshots: port change or network change, and what follows."""

import json

from laggroam.config.policy import LaggPolicy, loads
from laggroam.core import ipv6plan
from laggroam.core.host import Host
from laggroam.core.ipv6action import (
    DeleteAddress6,
    DeprecateAddress6,
    FlushRouters6,
    SolicitRouters,
)
from laggroam.core.ipv6memory import NetMemory
from laggroam.core.memory import LaggMemory, Memory
from laggroam.core.programs import Programs
from laggroam.edge.ifconfig import parse

HOME4, CAFE4 = "192.168.1.101", "10.20.30.101"
HOME6, CAFE6 = "2001:db8:1:1:aaaa::1", "2001:db8:ca:fe:bbbb::1"
HOME_R, CAFE_R = "fe80::1%lagg0", "fe80::2%lagg0"
ND6_RTADV = "nd6 options=23<PERFORMNUD,ACCEPT_RTADV,AUTO_LINKLOCAL>"


def host(
    active: str, inet: str, inet6: tuple[str, ...], routers: tuple[str, ...], *,
    ssid: str = "cafe", nd6: str = ND6_RTADV, extra: str = "",
) -> Host:  # fmt: skip
    flags = {"em0": ("5<MASTER,ACTIVE>", "0<>"), "wlan0": ("1<MASTER>", "4<ACTIVE>")}[active]
    lines = [
        "em0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500",
        f"\tstatus: {'active' if active == 'em0' else 'no carrier'}",
        "wlan0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500",
        f"\tssid {ssid} channel 36 (5180 MHz 11a) bssid e4:60:4d:97:00:e8",
        "\tgroups: wlan",
        "\tstatus: associated",
        "lagg0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> metric 0 mtu 1500",
        f"\tinet {inet} netmask 0xffffff00 broadcast 1.1.1.255",
        "\tinet6 fe80::1234%lagg0 prefixlen 64 scopeid 0x4",
        *(f"\tinet6 {a} prefixlen 64 autoconf pltime 3600 vltime 7200" for a in inet6),
        "\tlaggproto failover lagghash l2,l3,l4",
        f"\tlaggport: em0 flags={flags[0]}",
        f"\tlaggport: wlan0 flags={flags[1]}",
        "\tgroups: lagg",
        "\tstatus: active",
        f"\t{nd6}",
    ]
    text = "\n".join(lines) + "\n" + extra
    return Host(interfaces=tuple(parse(text)), ipv6_routers={"lagg0": routers})


def lagg(extra: str = "") -> LaggPolicy:
    return loads(f"[lagg0]\nports = em0 wlan0\n{extra}").laggs[0]


AT_HOME = NetMemory(subnets4=("192.168.1.0/24",), prefixes6=("2001:db8:1:1::/64",),
                    routers6=(HOME_R,))  # fmt: skip
WAS_ON_EM0 = LaggMemory(active="em0", link=True)
NOW_ON_WLAN0 = LaggMemory(active="wlan0", link=True)


def decide(lp: LaggPolicy, h: Host, before: LaggMemory, mem: NetMemory | None) -> ipv6plan.Ipv6Step:
    return ipv6plan.decide(lp, h, before, mem)


def test_failover_to_another_network_retires_the_old_one_after_the_dhcp_renewal() -> None:
    lp = lagg()
    # round 1: the failover is seen; the renewal it asks for will tell the network
    first = decide(lp, host("wlan0", HOME4, (HOME6,), (HOME_R,)), WAS_ON_EM0, AT_HOME)
    assert first.actions == ()
    assert first.memory.pending == "traffic moved from em0 to wlan0 (failover)"
    assert any("DHCP renewal will tell" in n for n in first.notes)
    # round 2: the lease is the cafe's
    second = decide(lp, host("wlan0", CAFE4, (HOME6,), (HOME_R,)), NOW_ON_WLAN0, first.memory)
    kinds = [type(a) for a in second.actions]
    assert kinds == [DeleteAddress6, FlushRouters6, SolicitRouters]
    assert [a.command() for a in second.actions] == [
        f"ifconfig lagg0 inet6 {HOME6} delete", "ndp -R", "rtsol lagg0",
    ]  # fmt: skip
    assert "IPv4 is 10.20.30.0/24 after the renewal" in second.actions[0].reason
    assert second.memory.pending is None and second.memory.subnets4 == ("10.20.30.0/24",)
    assert second.memory.ssids == ("cafe",)
    # the evidence is shown in plan
    assert any(n.startswith("lagg0 IPv6 evidence: via wlan0 (ssid cafe") for n in second.notes)


def test_the_actions_prove_their_effect_on_a_fresh_observation() -> None:
    after = host("wlan0", CAFE4, (CAFE6,), (CAFE_R,))
    assert DeleteAddress6("lagg0", "", HOME6).done(after)
    assert FlushRouters6("lagg0", "", (HOME_R,)).done(after)
    assert SolicitRouters("lagg0", "").done(after)
    before = host("wlan0", CAFE4, (HOME6,), (HOME_R,))
    assert not DeleteAddress6("lagg0", "", HOME6).done(before)
    assert not FlushRouters6("lagg0", "", (HOME_R,)).done(before)


def test_same_network_by_ipv4_changes_nothing_and_learns_the_ssid() -> None:
    lp = lagg()
    first = decide(lp, host("wlan0", HOME4, (HOME6,), (HOME_R,), ssid="home"), WAS_ON_EM0, AT_HOME)
    second = decide(
        lp, host("wlan0", HOME4, (HOME6,), (HOME_R,), ssid="home"), NOW_ON_WLAN0, first.memory
    )
    assert first.actions == second.actions == ()
    assert any("same network (IPv4 is still 192.168.1.0/24" in n for n in second.notes)
    assert second.memory.pending is None and second.memory.ssids == ("home",)
    # next time the SSID alone tells, at once
    back = decide(lp, host("em0", HOME4, (HOME6,), (HOME_R,)), NOW_ON_WLAN0, second.memory)
    again = decide(lp, host("wlan0", HOME4, (HOME6,), (HOME_R,), ssid="home"), WAS_ON_EM0,
                   back.memory)  # fmt: skip
    assert again.actions == () and again.memory.pending is None
    assert any("SSID home, seen on this network before" in n for n in again.notes)


def test_never_and_a_lagg_without_accept_rtadv_do_nothing() -> None:
    h = host("wlan0", CAFE4, (HOME6,), (HOME_R,))
    assert decide(lagg("renew_ipv6 = never\n"), h, WAS_ON_EM0, AT_HOME).actions == ()
    plain = host("wlan0", CAFE4, (), (), nd6="nd6 options=29<PERFORMNUD,IFDISABLED,AUTO_LINKLOCAL>")
    step = decide(lagg(), plain, WAS_ON_EM0, AT_HOME)
    assert step.actions == () and step.notes == ()


def test_on_failover_solicits_at_once() -> None:
    step = decide(lagg("renew_ipv6 = on-failover\n"), host("wlan0", HOME4, (HOME6,), (HOME_R,)),
                  WAS_ON_EM0, AT_HOME)  # fmt: skip
    assert [a.command() for a in step.actions] == ["rtsol lagg0"]
    assert "renew_ipv6 = on-failover" in step.actions[0].reason


def test_deprecate_keeps_the_remaining_valid_lifetime() -> None:
    lp = lagg("old_prefixes = deprecate\n")
    mem = NetMemory(AT_HOME.subnets4, AT_HOME.prefixes6, AT_HOME.routers6, pending="x")
    step = decide(lp, host("wlan0", CAFE4, (HOME6,), (HOME_R,)), NOW_ON_WLAN0, mem)
    assert isinstance(step.actions[0], DeprecateAddress6)
    assert step.actions[0].argv(Programs())[2:] == [
        "inet6", HOME6, "prefixlen", "64", "autoconf", "deprecated", "vltime", "7200",
    ]  # fmt: skip
    assert step.memory.retired == ("2001:db8:1:1::/64",)


def test_keep_and_a_second_rtadv_interface_leave_the_router() -> None:
    mem = NetMemory(AT_HOME.subnets4, AT_HOME.prefixes6, AT_HOME.routers6, pending="x")
    kept = decide(lagg("old_prefixes = keep\n"), host("wlan0", CAFE4, (HOME6,), (HOME_R,)),
                  NOW_ON_WLAN0, mem)  # fmt: skip
    assert [a.command() for a in kept.actions] == ["rtsol lagg0"]
    assert any("left to its lifetimes (old_prefixes = keep)" in n for n in kept.notes)
    other = f"em1: flags=8843<UP> metric 0 mtu 1500\n\t{ND6_RTADV}\n"
    shared = decide(lagg(), host("wlan0", CAFE4, (HOME6,), (HOME_R,), extra=other),
                    NOW_ON_WLAN0, mem)  # fmt: skip
    assert [type(a) for a in shared.actions] == [DeleteAddress6, SolicitRouters]
    assert any("ndp -R is host-wide and em1 also accept" in n for n in shared.notes)


def test_without_ipv4_evidence_routers_are_asked_and_their_answer_decides() -> None:
    lp = lagg("dhcp = no\n")
    first = decide(lp, host("wlan0", HOME4, (HOME6,), (HOME_R,)), WAS_ON_EM0, AT_HOME)
    assert [a.command() for a in first.actions] == ["rtsol lagg0"]
    assert "changes no address" in first.actions[0].reason and first.memory.probed
    # the cafe's router answered: its prefix was never the network's
    second = decide(lp, host("wlan0", HOME4, (HOME6, CAFE6), (HOME_R, CAFE_R)), NOW_ON_WLAN0,
                    first.memory)  # fmt: skip
    assert [type(a) for a in second.actions] == [DeleteAddress6, FlushRouters6, SolicitRouters]
    assert second.memory.prefixes6 == ("2001:db8:ca:fe::/64",)
    # on the same network only its own prefix answers
    same = decide(lp, host("wlan0", HOME4, (HOME6,), (HOME_R,)), NOW_ON_WLAN0, first.memory)
    assert same.actions == () and same.memory.pending is None


def test_link_comeback_is_a_trigger() -> None:
    step = decide(lagg("renew_ipv6 = on-link-up\n"), host("em0", HOME4, (HOME6,), (HOME_R,)),
                  LaggMemory(active="em0", link=False), AT_HOME)  # fmt: skip
    assert [a.command() for a in step.actions] == ["rtsol lagg0"]


def test_memory_round_trips_through_json() -> None:
    net = NetMemory(AT_HOME.subnets4, AT_HOME.prefixes6, AT_HOME.routers6, ("home",), "p", True,
                    False, ("2001:db8::/64",))  # fmt: skip
    mem = Memory(ipv6={"lagg0": net})
    assert Memory.from_json(json.loads(json.dumps(mem.to_json()))) == mem
    assert Memory.from_json({"version": 1}).ipv6 == {}
