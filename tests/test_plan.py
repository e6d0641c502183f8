"""plan(): every rule on hand-built hosts, with the reasons an administrator reads."""

from dataclasses import replace

from hosts import EM_MAC, WLAN_MAC, em0, lagg0, laptop, port, with_interfaces, wlan0

from laggroam.config import policy
from laggroam.core.action import (
    Action,
    AddLaggPort,
    BringUp,
    CreateLagg,
    CreateWlan,
    RemoveLaggPort,
    RenewDhcp,
    RestartWpa,
    SetEther,
    SetLaggProto,
    StartDhclient,
    StartWpa,
    StopDhclient,
)
from laggroam.core.after import Done, after
from laggroam.core.event import Event
from laggroam.core.host import Host, Process, Supplicant
from laggroam.core.memory import Failure, LaggMemory, Memory, WlanMemory
from laggroam.core.plan import MAX_WPA_RESTARTS, plan

SEED = """
[lagg0]
ports = em0 wlan0
[wlan0]
parent = iwn0
create_args = country FR
"""
NOW = 1_000_000.0


def seed(extra: str = "", lagg_extra: str = "") -> policy.Policy:
    text = SEED.replace("ports = em0 wlan0", "ports = em0 wlan0\n" + lagg_extra)
    return policy.loads(text + extra)


def ran(p: object, now: float) -> Memory:
    """The memory a reconcile keeps once every action of ``p`` worked (core.after)."""
    actions: tuple[Action, ...] = p.actions  # type: ignore[attr-defined]
    memory: Memory = p.memory  # type: ignore[attr-defined]
    return after(memory, [Done(a, True, "done") for a in actions], now)


def commands(p: object) -> list[str]:
    return [a.command() for a in p.actions]  # type: ignore[attr-defined]


def test_converged_host_needs_nothing() -> None:
    result = plan(seed(), laptop(), Memory(), [], NOW)
    assert result.actions == ()
    assert result.memory.lagg("lagg0") == LaggMemory(active="em0", link=True, mac=WLAN_MAC)
    assert result.memory.wlan("wlan0").present is True


def test_converged_stays_converged_with_its_own_memory() -> None:
    first = plan(seed(), laptop(), Memory(), [], NOW)
    second = plan(seed(), laptop(), first.memory, [Event("LINK_UP", "em0")], NOW + 5)
    assert second.actions == ()


def test_recreated_wlan_is_added_back() -> None:
    host = with_interfaces(laptop(), em0(), wlan0(), lagg0(port("em0", "MASTER", "ACTIVE")))
    result = plan(seed(), host, Memory(), [Event("ATTACH", "wlan0")], NOW)
    assert commands(result) == ["ifconfig lagg0 laggport wlan0"]
    reason = result.actions[0].reason
    assert reason.startswith("wlan0 was re-created (ATTACH) and is missing from lagg0")
    # joining gives wlan0 the lagg MAC, which drops its association (if_setlladdr)
    assert "re-initialises wlan0: the Wi-Fi association drops" in result.actions[0].reason


def test_recreated_wlan_unassociated_is_looked_after_not_restarted_at_once() -> None:
    # on-attach means "look after": wpa_supplicant takes a re-created wlan0 over
    # by itself (driver_bsd.c IFAN_ARRIVAL), so it gets stuck_after to associate.
    host = with_interfaces(
        laptop(), em0(), wlan0(link=False), lagg0(port("em0", "MASTER", "ACTIVE"))
    )
    host = replace(host, wpa={"wlan0": Supplicant(True, 640, "SCANNING")})
    pol = seed(extra="restart_wpa = on-attach\n")
    result = plan(pol, host, Memory(), [Event("ATTACH", "wlan0")], NOW)
    assert commands(result) == ["ifconfig lagg0 laggport wlan0"]
    assert any("new instance (ATTACH)" in n for n in result.notes)
    assert result.wake_at == NOW + 20
    later = plan(pol, host, result.memory, [], NOW + 20)
    restart = [a for a in later.actions if isinstance(a, RestartWpa)]
    assert len(restart) == 1 and restart[0].old_pid == 640


def test_new_instance_seen_without_event_through_memory() -> None:
    host = with_interfaces(
        laptop(), em0(), wlan0(link=False), lagg0(port("em0", "MASTER", "ACTIVE"))
    )
    host = replace(host, wpa={"wlan0": Supplicant(True, 640, "SCANNING")})
    memory = Memory(wlans={"wlan0": WlanMemory(present=False)})
    pol = seed(extra="restart_wpa = on-attach\n")
    result = plan(pol, host, memory, [], NOW)
    assert result.memory.wlan("wlan0").watching
    assert not any(isinstance(a, RestartWpa) for a in result.actions)


def test_missing_wlan_with_radio_is_created_joined_and_keyed() -> None:
    host = with_interfaces(laptop(), em0(), lagg0(port("em0", "MASTER", "ACTIVE")))
    host = replace(host, wpa={})
    result = plan(seed(), host, Memory(), [], NOW)
    assert commands(result) == [
        "ifconfig wlan0 create wlandev iwn0 country FR",
        "ifconfig wlan0 up",
        "ifconfig lagg0 laggport wlan0",
        "wpa_supplicant -s -B -i wlan0 -c /etc/wpa_supplicant.conf -D bsd"
        " -P /var/run/wpa_supplicant/wlan0.pid",
    ]
    assert isinstance(result.actions[0], CreateWlan)
    assert result.actions[0].reason == "wlan0 is missing while its radio iwn0 is attached"


def test_missing_wlan_without_radio_waits() -> None:
    host = with_interfaces(laptop(radios=()), em0(), lagg0(port("em0", "MASTER", "ACTIVE")))
    result = plan(seed(), host, Memory(), [], NOW)
    assert result.actions == ()
    assert "wlan0: radio iwn0 is not attached; waiting for it" in result.notes
    assert result.memory.wlan("wlan0").present is False


def test_unknown_radios_are_not_guessed() -> None:
    host = with_interfaces(laptop(radios=None), em0(), lagg0(port("em0", "MASTER", "ACTIVE")))
    result = plan(seed(), host, Memory(), [], NOW)
    assert result.actions == ()
    assert any("could not be observed" in n for n in result.notes)


def test_wrong_primary_is_restored_by_leave_and_rejoin() -> None:
    host = with_interfaces(
        laptop(), em0(), wlan0(), lagg0(port("em0", "ACTIVE"), port("wlan0", "MASTER"))
    )
    result = plan(seed(), host, Memory(), [], NOW)
    assert commands(result) == [
        "ifconfig lagg0 -laggport wlan0",
        f"ifconfig lagg0 ether {WLAN_MAC}",
        "ifconfig lagg0 laggport wlan0",
    ]
    assert "FreeBSD has no re-order verb" in result.actions[0].reason
    assert "wlan0 is the primary of lagg0 but the policy puts em0 first" in result.actions[0].reason


def test_primary_right_order_of_others_is_not_churned() -> None:
    # Port lists are sorted by if_index, not add order (sys/net/if_lagg.c):
    # only the primary matters.
    host = with_interfaces(
        laptop(), em0(), wlan0(), lagg0(port("wlan0"), port("em0", "MASTER", "ACTIVE"))
    )
    assert plan(seed(), host, Memory(), [], NOW).actions == ()


def test_down_port_is_brought_up() -> None:
    host = with_interfaces(
        laptop(), em0(up=False), wlan0(), lagg0(port("em0", "MASTER"), port("wlan0", "ACTIVE"))
    )
    result = plan(seed(), host, Memory(), [], NOW)
    assert commands(result) == ["ifconfig em0 up"]
    assert "LAGG_PORTACTIVE" in result.actions[0].reason


def test_lagg_mac_follows_policy() -> None:
    host = with_interfaces(
        laptop(),
        em0(ether=EM_MAC),
        wlan0(ether=EM_MAC),
        lagg0(port("em0", "MASTER", "ACTIVE"), port("wlan0"), ether=EM_MAC),
    )
    host = replace(
        host,
        interfaces=tuple(
            replace(i, hwaddr=WLAN_MAC) if i.name == "wlan0" else i for i in host.interfaces
        ),
    )
    result = plan(seed(), host, Memory(), [], NOW)
    assert commands(result) == [f"ifconfig lagg0 ether {WLAN_MAC}"]
    assert isinstance(result.actions[0], SetEther)


def test_ether_keep_never_touches_macs() -> None:
    host = with_interfaces(
        laptop(),
        em0(ether=EM_MAC),
        wlan0(ether=EM_MAC),
        lagg0(port("em0", "MASTER", "ACTIVE"), port("wlan0"), ether=EM_MAC),
    )
    assert plan(seed(lagg_extra="ether = keep"), host, Memory(), [], NOW).actions == ()


def test_first_port_of_empty_lagg_wears_the_mac_before_joining() -> None:
    host = with_interfaces(laptop(), em0(ether=EM_MAC), wlan0(), lagg0(link=False))
    result = plan(seed(), host, Memory(), [], NOW)
    assert commands(result) == [
        f"ifconfig em0 ether {WLAN_MAC}",
        "ifconfig lagg0 laggport em0",
        "ifconfig lagg0 laggport wlan0",
    ]


def test_missing_lagg_is_created() -> None:
    host = with_interfaces(laptop(dhclient={}), em0(ether=EM_MAC), wlan0())
    result = plan(seed(), host, Memory(), [], NOW)
    assert [type(a) for a in result.actions] == [
        CreateLagg,
        SetLaggProto,
        BringUp,
        SetEther,
        AddLaggPort,
        AddLaggPort,
        StartDhclient,
    ]
    assert result.actions[0].reason == "lagg0 does not exist"


def test_wrong_proto_is_set() -> None:
    host = laptop()
    lagg = host.get("lagg0")
    assert lagg is not None and lagg.lagg is not None
    changed = replace(lagg, lagg=replace(lagg.lagg, proto="loadbalance"))
    host = with_interfaces(host, em0(), wlan0(), changed)
    result = plan(seed(), host, Memory(), [], NOW)
    assert commands(result) == ["ifconfig lagg0 laggproto failover"]


def test_foreign_interfaces_are_never_touched() -> None:
    host = laptop()
    ue0 = replace(em0(up=False), name="ue0")
    lagg = host.get("lagg0")
    assert lagg is not None and lagg.lagg is not None
    with_ue0 = replace(lagg, lagg=replace(lagg.lagg, ports=(*lagg.lagg.ports, port("ue0"))))
    host = with_interfaces(host, em0(), wlan0(), ue0, with_ue0)
    host = replace(host, dhclient={**host.dhclient, "ue0": Process(True, 99)})
    result = plan(seed(), host, Memory(), [], NOW)
    assert result.actions == ()
    assert "lagg0 has port ue0, which the policy does not list; left alone" in result.notes


def test_port_of_another_lagg_is_left_alone() -> None:
    host = laptop()
    lagg1 = replace(lagg0(port("wlan0", "MASTER", "ACTIVE")), name="lagg1")
    host = with_interfaces(host, em0(), wlan0(), lagg0(port("em0", "MASTER", "ACTIVE")), lagg1)
    result = plan(seed(), host, Memory(), [], NOW)
    assert result.actions == ()
    assert "wlan0 is a port of lagg1, not lagg0; left alone" in result.notes


def test_dhclient_started_on_lagg_and_stopped_on_ports() -> None:
    host = laptop(dhclient={"lagg0": Process(False), "wlan0": Process(True, 77)})
    result = plan(seed(), host, Memory(), [], NOW)
    assert commands(result) == [
        "service dhclient forcestop wlan0",
        "service dhclient forcestart lagg0",
    ]
    assert isinstance(result.actions[0], StopDhclient)
    assert "two clients fight" in result.actions[0].reason


def test_no_dhcp_policy_leaves_lagg_client_alone() -> None:
    host = laptop(dhclient={"lagg0": Process(False)})
    assert plan(seed(lagg_extra="dhcp = no"), host, Memory(), [], NOW).actions == ()


def test_unknown_dhclient_is_not_acted_on() -> None:
    host = laptop(dhclient={"lagg0": Process(None)})
    result = plan(seed(), host, Memory(), [], NOW)
    assert result.actions == ()
    assert "dhclient on lagg0: state unknown; not acted on" in result.notes


def _failed_over() -> Host:
    return with_interfaces(
        laptop(), em0(link=False), wlan0(), lagg0(port("em0", "MASTER"), port("wlan0", "ACTIVE"))
    )


def test_renew_on_failover() -> None:
    memory = Memory(laggs={"lagg0": LaggMemory(active="em0", link=True, mac=WLAN_MAC)})
    result = plan(seed(), _failed_over(), memory, [Event("LINK_DOWN", "em0")], NOW)
    assert commands(result) == ["service dhclient forcerestart lagg0"]
    action = result.actions[0]
    assert isinstance(action, RenewDhcp)
    assert action.old_pid == 812
    assert action.reason.startswith("traffic moved from em0 to wlan0 (failover)")
    assert result.memory.lagg("lagg0").active == "wlan0"


def test_no_renew_without_a_known_previous_active_port() -> None:
    assert plan(seed(), _failed_over(), Memory(), [], NOW).actions == ()


def test_renew_never() -> None:
    memory = Memory(laggs={"lagg0": LaggMemory(active="em0", link=True)})
    pol = seed(lagg_extra="renew_dhcp = never")
    assert plan(pol, _failed_over(), memory, [], NOW).actions == ()


def test_renew_on_link_up() -> None:
    memory = Memory(laggs={"lagg0": LaggMemory(active=None, link=False)})
    pol = seed(lagg_extra="renew_dhcp = on-link-up")
    result = plan(pol, laptop(), memory, [], NOW)
    assert commands(result) == ["service dhclient forcerestart lagg0"]
    assert result.actions[0].reason == "lagg0's link came back"
    failover_only = plan(seed(), laptop(), memory, [], NOW)
    assert failover_only.actions == ()


def _stuck(state: str = "SCANNING") -> Host:
    host = with_interfaces(
        laptop(), em0(), wlan0(link=False), lagg0(port("em0", "MASTER", "ACTIVE"), port("wlan0"))
    )
    return replace(host, wpa={"wlan0": Supplicant(True, 640, state)})


def test_stuck_supplicant_restarted_after_stuck_after_with_backoff() -> None:
    pol = seed()
    first = plan(pol, _stuck(), Memory(), [], NOW)
    assert first.actions == ()
    assert first.wake_at == NOW + 20
    assert first.memory.wlan("wlan0").unassociated_since == NOW

    second = plan(pol, _stuck(), first.memory, [], NOW + 21)
    assert [type(a) for a in second.actions] == [RestartWpa]
    assert "has not associated for 21s (stuck_after 20s)" in second.actions[0].reason
    # the plan only proposes the restart; its count follows the result
    assert second.memory.wlan("wlan0").restarts == 0
    restarted = ran(second, NOW + 21)
    assert restarted.wlan("wlan0").restarts == 1
    assert restarted.wlan("wlan0").next_restart == NOW + 21 + 20

    third = plan(pol, _stuck(), restarted, [], NOW + 22)
    assert third.actions == ()
    assert any("restart 1 did not help" in n for n in third.notes)


def test_stuck_supplicant_gives_up_visibly_and_recovers_on_association() -> None:
    pol = seed()
    memory = Memory(
        wlans={
            "wlan0": WlanMemory(
                present=True, unassociated_since=NOW - 1000, restarts=MAX_WPA_RESTARTS
            )
        }
    )
    result = plan(pol, _stuck(), memory, [], NOW)
    assert result.actions == ()
    assert result.memory.wlan("wlan0").gave_up is True
    again = plan(pol, _stuck(), result.memory, [], NOW + 5000)
    assert again.actions == ()
    assert any("gave up after 5 restarts" in n for n in again.notes)
    healed = plan(pol, laptop(), again.memory, [], NOW + 5001)
    assert healed.memory.wlan("wlan0") == WlanMemory(present=True)


def test_resume_is_looked_after_and_a_quick_reassociation_is_left_alone() -> None:
    # on-resume means "look after resume": the old planner restarted at once
    pol = seed(extra="restart_wpa = on-resume\n")
    result = plan(pol, _stuck(), Memory(), [Event("RESUME")], NOW)
    assert result.actions == ()
    assert result.wake_at == NOW + 20
    # it associates within stuck_after: nothing, ever
    back = plan(pol, _stuck("COMPLETED"), result.memory, [], NOW + 5)
    assert back.actions == ()
    assert plan(pol, _stuck("COMPLETED"), back.memory, [], NOW + 600).actions == ()


def test_resume_without_association_within_stuck_after_restarts() -> None:
    pol = seed(extra="restart_wpa = on-resume\n")
    result = plan(pol, _stuck(), Memory(), [Event("RESUME")], NOW)
    later = plan(pol, _stuck(), result.memory, [], NOW + 20)
    assert [type(a) for a in later.actions] == [RestartWpa]
    assert "has not associated for 20s" in later.actions[0].reason


def test_a_silent_wpa_cli_is_no_evidence_ifconfig_association_is() -> None:
    # wpa_cli answers only with ctrl_interface= in the configuration: its
    # silence says nothing; ifconfig's "status: associated" says it works
    host = with_interfaces(
        laptop(), em0(), wlan0(link=True), lagg0(port("em0", "MASTER", "ACTIVE"), port("wlan0"))
    )
    host = replace(host, wpa={"wlan0": Supplicant(True, 640, None)})
    events = [Event("RESUME"), Event("ATTACH", "wlan0")]
    memory = Memory(wlans={"wlan0": WlanMemory(present=True, unassociated_since=NOW - 999)})
    for now in (NOW, NOW + 30, NOW + 600):
        result = plan(seed(), host, memory, events if now == NOW else [], now)
        assert not any(isinstance(a, RestartWpa) for a in result.actions), now
        memory = result.memory
    # and without association on ifconfig either, the usual stuck rule applies
    silent_stuck = replace(_stuck(), wpa={"wlan0": Supplicant(True, 640, None)})
    stuck = plan(seed(), silent_stuck, Memory(), [], NOW)
    assert stuck.actions == ()
    assert [type(a) for a in plan(seed(), silent_stuck, stuck.memory, [], NOW + 20).actions] == [
        RestartWpa
    ]


def test_restart_wpa_none_never_restarts() -> None:
    pol = seed(extra="restart_wpa = none\n")
    memory = Memory(wlans={"wlan0": WlanMemory(present=True, unassociated_since=NOW - 999)})
    result = plan(pol, _stuck(), memory, [Event("RESUME"), Event("ATTACH", "wlan0")], NOW)
    assert result.actions == ()


def test_dead_supplicant_is_started() -> None:
    host = replace(_stuck(), wpa={"wlan0": Supplicant(False)})
    result = plan(seed(), host, Memory(), [], NOW)
    assert [type(a) for a in result.actions] == [StartWpa]
    assert result.actions[0].reason == "no wpa_supplicant runs on wlan0"


def test_failed_action_waits_for_its_backoff() -> None:
    host = with_interfaces(laptop(), em0(), wlan0(), lagg0(port("em0", "MASTER", "ACTIVE")))
    memory = Memory(
        failures={"AddLaggPort lagg0 wlan0": Failure(2, NOW + 10, "exit 1: Device busy")}
    )
    result = plan(seed(), host, memory, [], NOW)
    assert result.actions == ()
    assert result.wake_at == NOW + 10
    assert any("failed 2 time(s) (exit 1: Device busy)" in n for n in result.notes)
    later = plan(seed(), host, memory, [], NOW + 11)
    assert commands(later) == ["ifconfig lagg0 laggport wlan0"]


HOLD = "failback_hold = 30s"


def test_failback_hold_takes_the_primary_out_when_it_loses_link() -> None:
    result = plan(seed(lagg_extra=HOLD), _failed_over(), Memory(), [], NOW)
    assert commands(result) == ["ifconfig lagg0 -laggport em0"]
    assert isinstance(result.actions[0], RemoveLaggPort)
    assert "failback_hold" in result.actions[0].reason


def test_failback_hold_keeps_traffic_on_backup_until_link_is_stable() -> None:
    pol = seed(lagg_extra=HOLD)
    held = with_interfaces(laptop(), em0(), wlan0(), lagg0(port("wlan0", "MASTER", "ACTIVE")))
    first = plan(pol, held, Memory(), [], NOW)
    assert first.actions == ()
    assert first.wake_at == NOW + 30
    assert any("has had its link for 0s of 30s" in n for n in first.notes)
    later = plan(pol, held, first.memory, [], NOW + 31)
    # em0 joins before wlan0 leaves: lagg0 is never empty (no "primary none").
    assert commands(later) == [
        "ifconfig lagg0 laggport em0",
        "ifconfig lagg0 -laggport wlan0",
        "ifconfig lagg0 laggport wlan0",
    ]
    assert "keeps a port with link throughout" in later.actions[1].reason
    # em0 already wears the policy's MAC, so lagg0 keeps it when wlan0 leaves.
    assert not any(isinstance(a, SetEther) for a in later.actions)
    assert ran(later, NOW + 31).lagg("lagg0").lp_lladdr["em0"] == WLAN_MAC


def test_failback_gives_the_returning_primary_the_lagg_mac_before_it_joins() -> None:
    pol = seed(lagg_extra=HOLD)
    held = with_interfaces(
        laptop(), em0(ether=EM_MAC), wlan0(), lagg0(port("wlan0", "MASTER", "ACTIVE"))
    )
    first = plan(pol, held, Memory(), [], NOW)
    later = plan(pol, held, first.memory, [], NOW + 31)
    assert commands(later) == [
        f"ifconfig em0 ether {WLAN_MAC}",
        "ifconfig lagg0 laggport em0",
        "ifconfig lagg0 -laggport wlan0",
        "ifconfig lagg0 laggport wlan0",
    ]


def test_failback_hold_flap_restarts_the_clock() -> None:
    pol = seed(lagg_extra=HOLD)
    held = with_interfaces(laptop(), em0(), wlan0(), lagg0(port("wlan0", "MASTER", "ACTIVE")))
    first = plan(pol, held, Memory(), [], NOW)
    flapped = with_interfaces(
        laptop(), em0(link=False), wlan0(), lagg0(port("wlan0", "MASTER", "ACTIVE"))
    )
    second = plan(pol, flapped, first.memory, [], NOW + 20)
    assert second.memory.lagg("lagg0").primary_link_since is None
    third = plan(pol, held, second.memory, [], NOW + 35)
    assert third.actions == ()
    assert third.wake_at == NOW + 65


def test_plans_are_pure() -> None:
    host = _stuck()
    memory = Memory()
    a = plan(seed(), host, memory, [Event("RESUME")], NOW)
    b = plan(seed(), host, memory, [Event("RESUME")], NOW)
    assert a == b
    assert memory == Memory()


def test_dhclient_waits_for_link() -> None:
    host = with_interfaces(
        laptop(dhclient={"lagg0": Process(False)}),
        em0(link=False),
        wlan0(link=False),
        lagg0(port("em0", "MASTER"), port("wlan0"), link=False),
    )
    result = plan(seed(), host, Memory(), [], NOW)
    assert result.actions == ()
    assert "no dhclient runs on lagg0; waiting for lagg0's link" in result.notes


def test_primary_leaving_predicts_the_lagg_mac_from_lp_lladdr() -> None:
    # lagg_port_destroy gives lagg0 the new primary's lp_lladdr, the MAC em0
    # had when it joined (here: wlan0's, set before it joined), not em0's
    # hardware address; predicting from hwaddr planned an extra SetEther
    # that bounced lagg0 and every port.
    host = with_interfaces(
        laptop(), em0(), wlan0(), lagg0(port("em0", "ACTIVE"), port("wlan0", "MASTER"))
    )
    memory = Memory(laggs={"lagg0": LaggMemory(lp_lladdr={"em0": WLAN_MAC, "wlan0": WLAN_MAC})})
    result = plan(seed(), host, memory, [], NOW)
    assert commands(result) == ["ifconfig lagg0 -laggport wlan0", "ifconfig lagg0 laggport wlan0"]
    assert "the Wi-Fi association drops" in result.actions[0].reason


def test_a_plan_remembers_the_mac_each_port_joins_with() -> None:
    host = with_interfaces(laptop(), em0(ether=EM_MAC), wlan0(), lagg0(link=False))
    result = plan(seed(), host, Memory(), [], NOW)
    joins = {a.port: a.mac for a in result.actions if isinstance(a, AddLaggPort)}
    assert joins == {"em0": WLAN_MAC, "wlan0": WLAN_MAC}
    # remembered once they joined (core.after), and through the state file
    kept = ran(result, NOW)
    assert kept.lagg("lagg0").lp_lladdr == {"em0": WLAN_MAC, "wlan0": WLAN_MAC}
    restored = Memory.from_json(kept.to_json())
    assert restored.lagg("lagg0").lp_lladdr == {"em0": WLAN_MAC, "wlan0": WLAN_MAC}


def test_a_down_lagg_gets_its_mac_before_it_is_brought_up() -> None:
    # lagg_init re-programs the ports once on the transition to running; a MAC
    # set on a running lagg would bounce it and its ports first (if_lagg.c)
    down = replace(
        lagg0(port("em0", "MASTER", "ACTIVE"), port("wlan0"), ether=EM_MAC),
        flags=("BROADCAST", "SIMPLEX", "MULTICAST"),
    )
    wlan = replace(wlan0(ether=EM_MAC), hwaddr=WLAN_MAC)
    host = with_interfaces(laptop(), em0(ether=EM_MAC), wlan, down)
    result = plan(seed(), host, Memory(), [], NOW)
    assert commands(result) == [f"ifconfig lagg0 ether {WLAN_MAC}", "ifconfig lagg0 up"]
    assert "re-initialises wlan0" in result.actions[1].reason
    assert "re-initialises" not in result.actions[0].reason  # a down lagg is not bounced


def test_memory_refuses_a_bad_lp_lladdr_table() -> None:
    bad = {"version": 1, "laggs": {"lagg0": {"lp_lladdr": {"em0": 5}}}}
    try:
        Memory.from_json(bad)
    except ValueError as exc:
        assert "lp_lladdr" in str(exc)
    else:
        raise AssertionError("accepted")
