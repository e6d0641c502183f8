"""wpaplan.decide(): one wlan's supplicant rules on hand-built hosts, without a planner."""

from dataclasses import replace

from hosts import laptop

from laggroam.config import policy
from laggroam.core.action import RestartWpa, StartWpa
from laggroam.core.host import Host, Supplicant
from laggroam.core.memory import WlanMemory
from laggroam.core.wpaplan import MAX_WPA_RESTARTS, WpaSituation, decide

NOW = 1_000_000.0
POLICY = policy.loads("[lagg0]\nports = em0 wlan0\n[wlan0]\nparent = iwn0\n")
WLAN = POLICY.wlans[0]


def _with(sup: Supplicant | None) -> Host:
    return replace(laptop(), wpa={} if sup is None else {"wlan0": sup})


def test_a_created_wlan_gets_a_supplicant_and_its_memory_is_left_alone() -> None:
    step = decide(WLAN, _with(None), WlanMemory(), WpaSituation(NOW, created=True))
    assert [type(a) for a in step.actions] == [StartWpa]
    assert step.memory is None


def test_an_unknown_state_is_a_note_not_an_action() -> None:
    step = decide(WLAN, _with(Supplicant(None)), WlanMemory(), WpaSituation(NOW))
    assert step.actions == ()
    assert step.memory is None
    assert step.notes == ("wpa_supplicant on wlan0: state unknown; not acted on",)


def test_association_forgets_the_restarts() -> None:
    mem = WlanMemory(present=True, unassociated_since=NOW - 99, restarts=3, gave_up=True)
    step = decide(WLAN, _with(Supplicant(True, 640, "COMPLETED")), mem, WpaSituation(NOW))
    assert step.memory == WlanMemory(present=True)


def test_a_stuck_supplicant_is_restarted_with_the_back_off_base_and_its_pid() -> None:
    mem = WlanMemory(present=True, unassociated_since=NOW - WLAN.stuck_after)
    step = decide(WLAN, _with(Supplicant(True, 640, "SCANNING")), mem, WpaSituation(NOW))
    assert len(step.actions) == 1
    restart = step.actions[0]
    assert isinstance(restart, RestartWpa)
    assert (restart.old_pid, restart.stuck_after) == (640, WLAN.stuck_after)
    # the count is after()'s, once the restart ran
    assert step.memory == mem


def test_before_stuck_after_it_waits_and_asks_to_be_woken() -> None:
    mem = WlanMemory(present=True, unassociated_since=NOW - 5)
    step = decide(WLAN, _with(Supplicant(True, 640, "SCANNING")), mem, WpaSituation(NOW))
    assert step.actions == ()
    assert step.wake == (NOW - 5 + WLAN.stuck_after,)


def test_it_gives_up_after_the_last_restart() -> None:
    mem = WlanMemory(present=True, unassociated_since=NOW - 999, restarts=MAX_WPA_RESTARTS)
    step = decide(WLAN, _with(Supplicant(True, 640, "SCANNING")), mem, WpaSituation(NOW))
    assert step.actions == ()
    assert step.memory is not None and step.memory.gave_up
    assert any("giving up after 5 restarts" in n for n in step.notes)


def test_a_resume_starts_a_watch_with_a_fresh_window() -> None:
    pol = policy.loads(
        "[lagg0]\nports = em0 wlan0\n[wlan0]\nparent = iwn0\nrestart_wpa = on-resume\n"
    )
    mem = WlanMemory(present=True, unassociated_since=NOW - 999, restarts=2)
    seen = WpaSituation(NOW, resumed=True)
    step = decide(pol.wlans[0], _with(Supplicant(True, 640, "SCANNING")), mem, seen)
    assert step.actions == ()
    assert step.memory == WlanMemory(present=True, unassociated_since=NOW, watching=True)
    assert step.wake == (NOW + pol.wlans[0].stuck_after,)
    assert any("the machine resumed" in n for n in step.notes)
