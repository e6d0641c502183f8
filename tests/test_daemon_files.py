"""The daemon's pid file and status file, without a daemon."""

import json
import os
from pathlib import Path

import pytest

from laggroam.daemon import pidfile
from laggroam.daemon.daemonstatus import PID_FILE, STATUS_FILE
from laggroam.daemon.statusfile import STATUS_EVERY, StatusFile
from laggroam.edge.store import Store
from laggroam.exitcodes import EX_CANTCREAT, EX_UNAVAILABLE


def test_the_pid_file_holds_our_pid_and_keeps_a_second_daemon_out(tmp_path: Path) -> None:
    store = Store(tmp_path / "state")
    fd = pidfile.acquire(store, None)
    try:
        assert (store.dir / PID_FILE).read_text() == f"{os.getpid()}\n"
        with pytest.raises(pidfile.PidfileError) as caught:
            pidfile.acquire(store, None)
        assert caught.value.code == EX_UNAVAILABLE
        assert f"another laggroam daemon is running (pid {os.getpid()}," in str(caught.value)
    finally:
        os.close(fd)
    os.close(pidfile.acquire(store, None))  # free again once the holder is gone


def test_a_missing_group_is_named(tmp_path: Path) -> None:
    with pytest.raises(pidfile.PidfileError) as caught:
        pidfile.acquire(Store(tmp_path / "state"), "no-such-group-laggroam")
    assert caught.value.code == EX_CANTCREAT
    assert str(caught.value) == "[daemon] group 'no-such-group-laggroam' does not exist"


def test_counters_alone_are_written_at_most_once_a_second(tmp_path: Path) -> None:
    store = Store(tmp_path / "state")
    status = StatusFile(store)
    status.write({"reconciles": 1}, (0, 0))
    assert json.loads((store.dir / STATUS_FILE).read_text()) == {"reconciles": 1}
    assert not status.stale((0, 0), 10.0) and status.due is None
    assert not status.stale((3, 1), 10.0)
    assert status.due == pytest.approx(10.0 + STATUS_EVERY)
    assert not status.stale((5, 1), 10.5)
    assert status.stale((5, 1), 10.0 + STATUS_EVERY)
    status.write({"reconciles": 1, "accepted": 5}, (5, 1))
    assert status.due is None and not status.stale((5, 1), 20.0)


def test_a_status_that_cannot_be_written_is_logged_and_survived(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = Store(tmp_path / "state")
    store.ensure()
    (store.dir / STATUS_FILE).mkdir()  # a rename cannot replace a directory
    status = StatusFile(store)
    status.stale((1, 0), 0.0)
    status.write({"reconciles": 0}, (1, 0))
    assert f"cannot write {STATUS_FILE}" in caplog.text
    assert status.due is None and not status.stale((1, 0), 5.0)
