"""The daemon's scheduling decisions, fed inputs with time passed in: no processes."""

import pytest

from laggroam.config.policy import DaemonPolicy
from laggroam.core.event import Event
from laggroam.daemon.scheduler import (
    MAX_BATCH_CHAIN,
    MAX_BATCH_EVENTS,
    STOP_GRACE,
    Dispatch,
    Scheduler,
)
from laggroam.devd.devdline import parse_event
from laggroam.devd.intake import Intake

NAMES = frozenset({"lagg0", "em0", "wlan0", "iwn0"})
PACE = DaemonPolicy(debounce=0.3, max_delay=5.0, interval=60.0)
TS = "1700000000.000000"


def link(verb: str, ifname: str) -> Intake:
    """A LINK event as a hook sends it: the event and the devd line it came from."""
    devd = parse_event(f"!system=IFNET subsystem={ifname} type={verb}", timestamp=TS)
    return Intake(Event(verb, ifname), devd, "link")


def scheduler(pace: DaemonPolicy = PACE) -> Scheduler:
    return Scheduler(pace, NAMES)


def take(s: Scheduler, now: float) -> Dispatch:
    dispatch = s.take_due(now)
    assert dispatch is not None, f"nothing due at {now}"
    return dispatch


def test_nothing_is_due_without_input() -> None:
    s = scheduler()
    assert s.next_deadline() is None
    assert s.take_due(1e9) is None


def test_the_start_reconcile_is_due_at_once() -> None:
    s = scheduler()
    s.on_start(100.0)
    assert s.next_deadline() == pytest.approx(100.0)
    dispatch = take(s, 100.0)
    assert dispatch.batch.reasons == {"start"}
    assert not dispatch.chain_only and not dispatch.periodic


def test_debounce_coalesces_a_burst_into_one_batch() -> None:
    s = scheduler()
    s.on_message(link("LINK_DOWN", "em0"), 10.0)
    assert s.next_deadline() == pytest.approx(10.3)
    s.on_message(link("LINK_UP", "em0"), 10.2)
    s.on_message(link("LINK_DOWN", "em0"), 10.4)  # the same event again: kept once
    assert s.next_deadline() == pytest.approx(10.7)
    assert s.take_due(10.69) is None
    batch = take(s, 10.8).batch
    assert list(batch.events) == ["LINK_DOWN em0", "LINK_UP em0"]
    # the devd line of each (system, subsystem, type): the newest, last
    assert [d.get("type") for d in batch.to_chain()] == ["LINK_UP", "LINK_DOWN"]


def test_max_delay_bounds_a_flood() -> None:
    s = scheduler()
    now = 0.0
    s.on_message(link("LINK_DOWN", "em0"), now)
    while now < 4.9:
        now += 0.1
        s.on_message(link("LINK_UP" if int(now * 10) % 2 else "LINK_DOWN", "em0"), now)
        assert s.next_deadline() == pytest.approx(min(now + 0.3, 5.0))
    assert s.take_due(4.99) is None
    assert take(s, 5.0).batch.first == 0.0


def test_other_interfaces_devd_events_only_ride_along() -> None:
    s = scheduler()
    s.on_message(link("LINK_DOWN", "em0"), 0.0)
    for i in range(40):  # a flood about an interface the policy does not name
        s.on_message(link("LINK_UP", "re0"), 0.1 + i * 0.1)
    assert s.next_deadline() == pytest.approx(0.3)
    batch = take(s, 0.3).batch
    assert list(batch.events) == ["LINK_DOWN em0"]
    assert batch.ignored == 40  # counted, not kept for the plan


def test_a_batch_of_other_interfaces_only_chains_and_keeps_the_timers() -> None:
    s = scheduler()
    s.on_start(0.0)
    take(s, 0.0)
    s.on_done(1.0, wake_in=30.0)
    s.on_message(link("LINK_UP", "re0"), 2.0)
    assert s.next_deadline() == pytest.approx(7.0)  # no quiet to wait for: max_delay
    dispatch = take(s, 7.0)
    assert dispatch.chain_only
    assert s.next_deadline() is None  # busy chaining
    s.on_chained()
    assert s.next_deadline() == pytest.approx(31.0)  # wake_at survived


def test_a_batch_arriving_while_a_reconcile_runs_waits_for_on_done() -> None:
    s = scheduler()
    s.on_start(0.0)
    take(s, 0.0)
    s.on_message(link("LINK_DOWN", "em0"), 0.5)
    assert s.take_due(10.0) is None
    assert s.next_deadline() is None
    s.on_done(12.0, wake_in=None)
    assert s.next_deadline() == pytest.approx(0.8)  # overdue: goes at once
    assert list(take(s, 12.0).batch.events) == ["LINK_DOWN em0"]


def test_interval_fires_after_each_reconcile() -> None:
    s = scheduler()
    s.on_start(0.0)
    take(s, 0.0)
    s.on_done(2.0, wake_in=None)
    assert s.next_deadline() == pytest.approx(62.0)
    assert s.take_due(61.9) is None
    dispatch = take(s, 62.0)
    assert dispatch.periodic and dispatch.batch.reasons == {"periodic"}
    assert s.next_periodic is None  # until the next on_done


def test_no_interval_when_it_is_zero() -> None:
    s = scheduler(DaemonPolicy(debounce=0.3, max_delay=5.0, interval=0.0))
    s.on_start(0.0)
    take(s, 0.0)
    s.on_done(1.0, wake_in=None)
    assert s.next_deadline() is None


def test_wake_at_fires_and_a_past_one_fires_at_once() -> None:
    s = scheduler()
    s.on_start(0.0)
    take(s, 0.0)
    s.on_done(1.0, wake_in=4.0)
    assert s.next_deadline() == pytest.approx(5.0)
    dispatch = take(s, 5.0)
    assert dispatch.batch.reasons == {"timer"} and not dispatch.periodic
    s.on_done(6.0, wake_in=-3.0)
    assert s.next_deadline() == pytest.approx(6.0)


def test_the_caps_on_batch_size_hold() -> None:
    names = frozenset(f"em{i}" for i in range(MAX_BATCH_EVENTS + 10))
    s = Scheduler(PACE, names)
    for i in range(MAX_BATCH_EVENTS + 10):
        s.on_message(Intake(Event("LINK_UP", f"em{i}")), 0.0)
    for i in range(MAX_BATCH_CHAIN + 5):
        s.on_message(link("LINK_UP", f"re{i}"), 0.0)
    s.on_message(link("LINK_UP", "re3"), 0.0)  # already held: replaces, not counted
    batch = take(s, 0.3).batch
    assert len(batch.events) == MAX_BATCH_EVENTS and batch.ignored == 10 + MAX_BATCH_CHAIN + 6
    assert len(batch.devd) == MAX_BATCH_CHAIN and batch.unchained == 5


def test_a_repeated_devd_event_keeps_its_newest_line_in_the_newest_place() -> None:
    s = scheduler()
    s.on_message(link("LINK_DOWN", "em0"), 0.0)
    s.on_message(link("LINK_DOWN", "wlan0"), 0.1)
    s.on_message(link("LINK_DOWN", "em0"), 0.2)
    batch = take(s, 0.5).batch
    assert [d.get("subsystem") for d in batch.to_chain()] == ["wlan0", "em0"]


def test_acpi_resume_counts_as_about_the_policy() -> None:
    s = scheduler()
    s.on_message(
        Intake(None, parse_event("!system=ACPI subsystem=Resume", timestamp=TS), "power"), 0.0
    )
    dispatch = take(s, 0.3)
    assert not dispatch.chain_only


def test_stop_hands_out_nothing_and_waits_out_the_grace() -> None:
    s = scheduler()
    s.on_start(0.0)
    take(s, 0.0)
    s.on_message(link("LINK_DOWN", "em0"), 0.1)
    assert s.on_stop(1.0) and not s.on_stop(1.5)  # only the first request counts
    assert s.stop_by == pytest.approx(1.0 + STOP_GRACE)
    assert s.next_deadline() == pytest.approx(1.0 + STOP_GRACE)
    assert not s.finished(1.0)  # the reconcile runs on
    assert s.finished(1.0 + STOP_GRACE)
    s.on_done(2.0, wake_in=None)
    assert s.finished(2.0)
    assert s.take_due(100.0) is None


def test_stop_when_idle_finishes_at_once() -> None:
    s = scheduler()
    assert s.on_stop(0.0) and s.finished(0.0)


def test_a_saved_policy_reloads_after_debounce_once() -> None:
    s = scheduler()
    s.on_file_changed(1.0)
    s.on_file_changed(1.2)  # saves restart the wait
    assert s.next_deadline() == pytest.approx(1.5)
    assert not s.take_reload(1.4)
    assert s.take_reload(1.5) and not s.take_reload(1.6)
    s.on_file_changed(2.0)
    s.cancel_reload()
    assert s.next_deadline() is None
    s.reload_soon(3.0)
    assert s.take_reload(3.0)


def test_a_taken_policy_reconciles_at_once_under_its_pace() -> None:
    s = scheduler()
    new = DaemonPolicy(debounce=2.0, max_delay=10.0, interval=0.0)
    s.on_policy(new, frozenset({"em1"}), 50.0)
    assert s.next_deadline() == pytest.approx(50.0)
    dispatch = take(s, 50.0)
    assert dispatch.batch.reasons == {"reload"}
    s.on_done(51.0, wake_in=None)
    assert s.next_deadline() is None  # the new policy's interval: none
    s.on_message(link("LINK_DOWN", "em0"), 60.0)  # no longer the policy's
    s.on_message(link("LINK_DOWN", "em1"), 60.0)
    assert s.next_deadline() == pytest.approx(62.0)
    assert list(take(s, 62.0).batch.events) == ["LINK_DOWN em1"]
