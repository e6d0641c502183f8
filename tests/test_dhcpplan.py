"""dhcpplan.decide(): a lagg's DHCP rules on hand-built hosts, without a planner."""

from hosts import em0, lagg0, laptop, port, with_interfaces, wlan0

from laggroam.config import policy
from laggroam.core.action import RenewDhcp, StartDhclient, StopDhclient
from laggroam.core.dhcpplan import decide, renewal_reason
from laggroam.core.host import Process
from laggroam.core.memory import LaggMemory

LAGG = policy.loads("[lagg0]\nports = em0 wlan0\n").laggs[0]
ON_LINK_UP = policy.loads("[lagg0]\nports = em0 wlan0\nrenew_dhcp = on-link-up\n").laggs[0]
SEEN = {"exists": True, "created": False, "renew_failed": False}


def test_a_converged_lagg_needs_nothing() -> None:
    step = decide(LAGG, laptop(), LaggMemory(active="em0", link=True), **SEEN)
    assert step.actions == () and step.notes == ()


def test_a_client_on_a_port_is_stopped_before_anything_else() -> None:
    host = laptop(dhclient={"lagg0": Process(False), "em0": Process(True, 7)})
    step = decide(LAGG, host, None, **SEEN)
    assert [type(a) for a in step.actions] == [StopDhclient, StartDhclient]
    assert step.actions[0].target == "em0"


def test_an_unknown_client_is_a_note_and_without_link_it_waits() -> None:
    host = with_interfaces(laptop(), em0(link=False), wlan0(link=False), lagg0(link=False))
    step = decide(LAGG, laptop(interfaces=host.interfaces, dhclient={}), None, **SEEN)
    assert step.actions == ()
    assert step.notes == ("dhclient on lagg0: state unknown; not acted on",)
    stopped = laptop(interfaces=host.interfaces, dhclient={"lagg0": Process(False)})
    assert decide(LAGG, stopped, None, **SEEN).notes == (
        "no dhclient runs on lagg0; waiting for lagg0's link",
    )


def test_a_failover_renews_and_a_failed_renewal_is_asked_for_again() -> None:
    moved = with_interfaces(
        laptop(), em0(link=False), wlan0(), lagg0(port("em0", "MASTER"), port("wlan0", "ACTIVE"))
    )
    step = decide(LAGG, moved, LaggMemory(active="em0", link=True), **SEEN)
    assert [type(a) for a in step.actions] == [RenewDhcp]
    assert "traffic moved from em0 to wlan0" in step.actions[0].reason
    again = decide(LAGG, laptop(), LaggMemory(active="em0"), **{**SEEN, "renew_failed": True})
    assert [a.reason for a in again.actions] == [
        "the last lease renewal of lagg0 failed; trying again"
    ]


def test_on_link_up_renews_only_when_the_link_came_back() -> None:
    iface = laptop().get("lagg0")
    assert renewal_reason(ON_LINK_UP, iface, LaggMemory(active="em0", link=False)) == (
        "lagg0's link came back"
    )
    assert renewal_reason(ON_LINK_UP, iface, LaggMemory(active="wlan0", link=True)) is None
    assert renewal_reason(LAGG, iface, None) is None
