"""after(): the memory a reconcile keeps from its results, with no process and no clock."""

from laggroam.core.action import (
    AddLaggPort,
    BringUp,
    RemoveLaggPort,
    RenewDhcp,
    RestartWpa,
)
from laggroam.core.after import (
    MAX_WPA_BACKOFF,
    RETRY_BASE,
    RETRY_MAX,
    Done,
    after,
    retry_delay,
    wpa_backoff,
)
from laggroam.core.memory import Failure, LaggMemory, Memory, WlanMemory

NOW = 1_000_000.0
UP = BringUp("em0", "em0 is down")
MAC = "00:1a:73:73:92:34"
OTHER = "00:1b:21:00:00:02"


def test_nothing_ran_nothing_changes() -> None:
    memory = Memory(failures={"BringUp em0": Failure(2, NOW + 9, "x")})
    assert after(memory, [], NOW) == memory


def test_a_failure_is_held_back_and_doubles_each_time_up_to_the_cap() -> None:
    memory = Memory()
    seen = []
    for n in range(1, 10):
        memory = after(memory, [Done(UP, False, "ifconfig: exit 1")], NOW)
        failure = memory.failures[UP.key]
        assert failure.count == n
        seen.append(failure.retry_at - NOW)
    assert seen[:4] == [RETRY_BASE, 2 * RETRY_BASE, 4 * RETRY_BASE, 8 * RETRY_BASE]
    assert seen[-1] == RETRY_MAX
    assert memory.failures[UP.key].last_error == "ifconfig: exit 1"


def test_a_failure_keeps_a_bounded_detail() -> None:
    memory = after(Memory(), [Done(UP, False, "e" * 5000)], NOW)
    assert len(memory.failures[UP.key].last_error) == 200


def test_success_forgets_the_failure_of_the_same_change_only() -> None:
    renew = RenewDhcp("lagg0", "renew")
    memory = Memory(
        failures={UP.key: Failure(3, NOW + 40, "x"), renew.key: Failure(1, NOW + 5, "y")}
    )
    kept = after(memory, [Done(UP, True, "done")], NOW)
    assert set(kept.failures) == {renew.key}


def test_retry_delay_and_wpa_backoff_are_capped() -> None:
    assert retry_delay(1) == RETRY_BASE
    assert retry_delay(60) == RETRY_MAX
    assert wpa_backoff(20, 0) == 20
    assert wpa_backoff(20, 2) == 80
    assert wpa_backoff(20, 40) == MAX_WPA_BACKOFF


def test_a_wpa_restart_counts_and_pushes_the_next_one_back() -> None:
    restart = RestartWpa("wlan0", "stuck", old_pid=640, stuck_after=20.0)
    memory = Memory(wlans={"wlan0": WlanMemory(present=True, unassociated_since=NOW - 30)})
    once = after(memory, [Done(restart, True, "done")], NOW)
    assert once.wlan("wlan0") == WlanMemory(
        present=True, unassociated_since=NOW - 30, restarts=1, next_restart=NOW + 20
    )
    twice = after(once, [Done(restart, True, "done")], NOW + 25)
    assert twice.wlan("wlan0").restarts == 2
    assert twice.wlan("wlan0").next_restart == NOW + 25 + 40


def test_a_wpa_restart_that_did_not_come_up_still_counts_and_is_retried() -> None:
    restart = RestartWpa("wlan0", "stuck", stuck_after=20.0)
    memory = after(Memory(), [Done(restart, False, "no visible effect")], NOW)
    assert memory.wlan("wlan0").restarts == 1
    assert memory.failures[restart.key].count == 1


def test_a_port_that_joined_is_remembered_with_the_mac_it_joined_with() -> None:
    memory = after(
        Memory(),
        [
            Done(AddLaggPort("lagg0", "join", "em0", MAC), True, "done"),
            Done(AddLaggPort("lagg0", "join", "wlan0", MAC), True, "done"),
        ],
        NOW,
    )
    assert memory.lagg("lagg0").lp_lladdr == {"em0": MAC, "wlan0": MAC}


def test_a_join_that_failed_or_whose_mac_is_unknown_is_not_remembered() -> None:
    memory = after(
        Memory(),
        [
            Done(AddLaggPort("lagg0", "join", "em0", MAC), False, "no visible effect"),
            Done(AddLaggPort("lagg0", "join", "wlan0", None), True, "done"),
        ],
        NOW,
    )
    assert memory.lagg("lagg0").lp_lladdr == {}
    assert AddLaggPort("lagg0", "", "em0").key in memory.failures


def test_a_port_that_left_is_forgotten_and_one_that_rejoined_has_its_new_mac() -> None:
    memory = Memory(laggs={"lagg0": LaggMemory(active="em0", lp_lladdr={"em0": MAC, "wlan0": MAC})})
    result = after(
        memory,
        [
            Done(RemoveLaggPort("lagg0", "hold", "em0"), True, "done"),
            Done(RemoveLaggPort("lagg0", "reorder", "wlan0", "em0"), True, "done"),
            Done(AddLaggPort("lagg0", "rejoin", "wlan0", OTHER), True, "done"),
        ],
        NOW,
    )
    assert result.lagg("lagg0") == LaggMemory(active="em0", lp_lladdr={"wlan0": OTHER})


def test_a_removal_that_failed_keeps_what_the_port_joined_with() -> None:
    memory = Memory(laggs={"lagg0": LaggMemory(lp_lladdr={"em0": MAC})})
    result = after(memory, [Done(RemoveLaggPort("lagg0", "hold", "em0"), False, "x")], NOW)
    assert result.lagg("lagg0").lp_lladdr == {"em0": MAC}
