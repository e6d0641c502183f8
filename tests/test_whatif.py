"""The what-if model and ``plan --event``: predictions of the kernel's reaction, then a plan."""

from dataclasses import replace

from hosts import WLAN_MAC, em0, lagg0, laptop, port, with_interfaces, wlan0

from laggroam.config import policy
from laggroam.core.action import AddLaggPort, RenewDhcp
from laggroam.core.event import Event
from laggroam.core.host import Host, Process
from laggroam.core.memory import Memory
from laggroam.core.plan import plan, predict_for
from laggroam.core.whatif import active_before, link_active, predict

NOW = 1_000_000.0
POLICY = """
[lagg0]
ports = em0 wlan0
ether = wlan0
dhcp = yes
renew_dhcp = on-failover
[wlan0]
parent = iwn0
wpa = yes
restart_wpa = on-attach on-resume on-stuck
"""


def lagg_of(host: Host) -> tuple[tuple[str, ...], str | None, str | None, str | None]:
    iface = host.get("lagg0")
    assert iface is not None and iface.lagg is not None
    return iface.lagg.port_names, iface.lagg.primary, iface.lagg.active, iface.status


def test_link_down_of_the_primary_moves_traffic_to_the_backup() -> None:
    p = predict(laptop(), [Event("LINK_DOWN", "em0")])
    assert lagg_of(p.host) == (("em0", "wlan0"), "em0", "wlan0", "active")
    em = p.host.get("em0")
    assert em is not None and not em.has_link
    assert any("lagg_link_active" in a and "wlan0" in a for a in p.assumptions)


def test_link_down_of_every_port_leaves_the_lagg_without_link() -> None:
    p = predict(laptop(), [Event("LINK_DOWN", "em0"), Event("LINK_DOWN", "wlan0")])
    assert lagg_of(p.host) == (("em0", "wlan0"), "em0", None, "no carrier")


def test_link_up_of_the_primary_fails_back_at_once() -> None:
    host = with_interfaces(
        laptop(), em0(link=False), wlan0(), lagg0(port("em0", "MASTER"), port("wlan0", "ACTIVE"))
    )
    p = predict(host, [Event("LINK_UP", "em0")])
    assert lagg_of(p.host)[2] == "em0"


def test_a_down_port_does_not_gain_link() -> None:
    host = with_interfaces(
        laptop(), em0(link=False, up=False), wlan0(), lagg0(port("em0", "MASTER"), port("wlan0"))
    )
    p = predict(host, [Event("LINK_UP", "em0")])
    assert any("em0 is down" in a for a in p.assumptions)
    assert not p.host.get("em0").has_link  # type: ignore[union-attr]


def test_attach_of_a_wlan_is_a_new_instance_outside_the_lagg() -> None:
    p = predict(laptop(), [Event("ATTACH", "wlan0")])
    assert lagg_of(p.host)[:3] == (("em0",), "em0", "em0")
    w = p.host.get("wlan0")
    assert w is not None and not w.has_link and w.ether == WLAN_MAC
    assert p.host.wpa["wlan0"].state == "SCANNING"


def test_attach_of_the_primary_wlan_moves_the_primary_and_the_mac() -> None:
    host = with_interfaces(
        laptop(), em0(ether="b8:8a:60:de:c4:1b"), wlan0(),
        lagg0(port("em0"), port("wlan0", "MASTER", "ACTIVE")),
    )  # fmt: skip
    p = predict(host, [Event("ATTACH", "wlan0")], joined={"lagg0": {"em0": "02:00:00:00:00:01"}})
    lagg = p.host.get("lagg0")
    assert lagg is not None and lagg.lagg is not None
    assert lagg.lagg.primary == "em0" and lagg.ether == "02:00:00:00:00:01"


def test_resume_on_a_native_radio_keeps_wlan0_and_drops_its_association() -> None:
    host = with_interfaces(
        laptop(), em0(link=False), wlan0(), lagg0(port("em0", "MASTER"), port("wlan0", "ACTIVE"))
    )
    p = predict(host, [Event("RESUME")])
    assert lagg_of(p.host)[0] == ("em0", "wlan0")
    assert not p.host.get("wlan0").has_link  # type: ignore[union-attr]
    assert any("iwn0's driver resumes its vaps in place" in a for a in p.assumptions)


def test_resume_on_a_usb_radio_recreates_wlan0() -> None:
    usb = replace(wlan0(), parent="rtwn0")
    host = with_interfaces(
        laptop(), em0(), usb, lagg0(port("em0", "MASTER", "ACTIVE"), port("wlan0"))
    )
    p = predict(host, [Event("RESUME")])
    assert lagg_of(p.host)[0] == ("em0",)
    assert any("USB radio" in a for a in p.assumptions)


def test_link_active_follows_if_lagg_rule() -> None:
    host = laptop()
    lagg = host.get("lagg0").lagg  # type: ignore[union-attr]
    assert link_active(host, lagg) == "em0"  # type: ignore[arg-type]
    assert link_active(host, lagg, lambda n: n != "em0") == "wlan0"  # type: ignore[arg-type]
    assert link_active(host, lagg, lambda n: False) is None  # type: ignore[arg-type]


def test_active_before_a_link_down_is_the_port_that_lost_it() -> None:
    failed_over = with_interfaces(
        laptop(), em0(link=False), wlan0(), lagg0(port("em0", "MASTER"), port("wlan0", "ACTIVE"))
    )
    assert active_before(failed_over, "lagg0", Event("LINK_DOWN", "em0")) == "em0"
    assert active_before(laptop(), "lagg0", Event("LINK_UP", "em0")) == "wlan0"
    assert active_before(laptop(), "lagg0", Event("RESUME")) is None


def test_plan_on_a_prediction_of_link_down_renews_the_lease() -> None:
    pol = policy.loads(POLICY)
    prediction, memory = predict_for(pol, laptop(), Memory(), [Event("LINK_DOWN", "em0")], NOW)
    result = plan(pol, prediction.host, memory, [Event("LINK_DOWN", "em0")], NOW)
    renew = [a for a in result.actions if isinstance(a, RenewDhcp)]
    assert len(renew) == 1
    assert "traffic moved from em0 to wlan0" in renew[0].reason


def test_plan_on_a_prediction_of_attach_re_adds_the_wlan() -> None:
    pol = policy.loads(POLICY)
    events = [Event("ATTACH", "wlan0")]
    prediction, memory = predict_for(pol, laptop(), Memory(), events, NOW)
    result = plan(pol, prediction.host, memory, events, NOW)
    adds = [a for a in result.actions if isinstance(a, AddLaggPort)]
    assert [a.port for a in adds] == ["wlan0"]
    assert "re-created (ATTACH)" in adds[0].reason


def test_first_failover_without_memory_is_renewed() -> None:
    # No reconcile ran since install: nothing remembers em0 was active, but
    # the event says em0 had its link before it lost it.
    pol = policy.loads(POLICY)
    failed_over = with_interfaces(
        laptop(), em0(link=False), wlan0(), lagg0(port("em0", "MASTER"), port("wlan0", "ACTIVE"))
    )
    result = plan(pol, failed_over, Memory(), [Event("LINK_DOWN", "em0")], NOW)
    assert [type(a) for a in result.actions] == [RenewDhcp]


def test_a_flap_in_one_batch_renews_nothing() -> None:
    pol = policy.loads(POLICY)
    events = [Event("LINK_DOWN", "em0"), Event("LINK_UP", "em0")]
    result = plan(pol, laptop(), Memory(), events, NOW)
    assert result.actions == ()


def test_the_renewal_reason_does_not_promise_the_same_address_on_another_network() -> None:
    pol = policy.loads(POLICY)
    failed_over = with_interfaces(
        laptop(dhclient={"lagg0": Process(True, 812)}),
        em0(link=False), wlan0(), lagg0(port("em0", "MASTER"), port("wlan0", "ACTIVE")),
    )  # fmt: skip
    (renew,) = plan(pol, failed_over, Memory(), [Event("LINK_DOWN", "em0")], NOW).actions
    assert "another network's refuses it and gives a new one" in renew.reason
