"""Which directory events count as a save of the policy (laggroam/daemon/watch.py).

Reading the policy must not count: inotify reports opens and unchanged
closes, and the daemon reads the policy on every reload, so counting them
made each reload schedule the next one, every ``debounce``, for ever.
"""

from pathlib import Path

import pytest
from daemonhelp import save_by_rename, wait_for
from watchdog.events import (
    DirModifiedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
    FileSystemEvent,
)
from watchdog.observers.polling import PollingObserver

from laggroam.daemon.watch import KQUEUE_MAX_ENTRIES, PolicyWatch, _Handler, choose_observer

POLICY = "/etc/laggroam/laggroam.ini"
SWAP = "/etc/laggroam/.laggroam.ini.swp"
OTHER = "/etc/laggroam/other.ini"


def pokes(event: FileSystemEvent) -> int:
    count = []
    _Handler("laggroam.ini", lambda: count.append(1)).on_any_event(event)
    return len(count)


@pytest.mark.parametrize(
    "event",
    [
        FileModifiedEvent(POLICY),
        FileClosedEvent(POLICY),
        FileCreatedEvent(POLICY),
        FileDeletedEvent(POLICY),
        FileAttribEvent(POLICY),
        FileMovedEvent(SWAP, POLICY),  # an editor's save by rename
        FileMovedEvent(POLICY, f"{POLICY}~"),  # a backup made by rename
    ],
)
def test_changes_to_the_policy_count(event: FileSystemEvent) -> None:
    assert pokes(event) == 1


@pytest.mark.parametrize(
    "event",
    [
        FileOpenedEvent(POLICY),
        FileClosedNoWriteEvent(POLICY),
        FileModifiedEvent(OTHER),
        FileModifiedEvent(SWAP),
        FileMovedEvent(SWAP, OTHER),
        DirModifiedEvent("/etc/laggroam"),
    ],
)
def test_reads_and_other_files_do_not(event: FileSystemEvent) -> None:
    assert pokes(event) == 0


def test_a_real_watch_sees_a_rename_save(tmp_path: Path) -> None:
    policy = tmp_path / "laggroam.ini"
    policy.write_text("[daemon]\n")
    seen: list[int] = []
    watch = PolicyWatch(policy, lambda: seen.append(1))
    watch.start()
    try:
        save_by_rename(policy, "[daemon]\ndebounce = 1s\n")
        wait_for("the save", lambda: seen)
    finally:
        watch.stop()


def test_a_crowded_directory_is_polled_under_kqueue_only(tmp_path: Path) -> None:
    small, crowded = tmp_path / "laggroam", tmp_path / "etc"
    small.mkdir()
    crowded.mkdir()
    (small / "laggroam.ini").write_text("")
    for i in range(KQUEUE_MAX_ENTRIES + 1):
        (crowded / f"f{i}.conf").write_text("")
    assert isinstance(choose_observer(crowded, "freebsd14"), PollingObserver)
    assert not isinstance(choose_observer(small, "freebsd14"), PollingObserver)
    assert not isinstance(choose_observer(crowded, "linux"), PollingObserver)
