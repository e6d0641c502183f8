"""A FIFO, socket or directory planted in the state dir never blocks and is never used.

Each reader and writer of a state file runs in a thread that must finish within
a deadline generous for a loaded machine: before every state file was opened
with O_NONBLOCK and checked with fstat, opening a FIFO blocked forever.
"""

import errno
import fcntl
import os
import socket
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from laggroam.core.event import Event
from laggroam.core.memory import Memory
from laggroam.daemon.daemonstatus import PID_FILE, STATUS_FILE, read_status
from laggroam.edge import lastgood
from laggroam.edge.store import JOURNAL_FILE, LOCK_FILE, PENDING_FILE, STATE_FILE, Store

DEADLINE = 30.0
KINDS = ["fifo", "socket", "directory"]


def _finishes(call: Callable[[], Any]) -> Any:
    """``call()``'s result (or its exception), failing if it has not returned by the deadline."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # re-raised in the test's thread
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(DEADLINE)
    assert not worker.is_alive(), "blocked on a special file in the state dir"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


@pytest.fixture
def sockets() -> Iterator[list[socket.socket]]:
    held: list[socket.socket] = []
    yield held
    for sock in held:
        sock.close()


def _plant(path: Path, kind: str, sockets: list[socket.socket]) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(os.fspath(path))
        sockets.append(sock)
    else:
        path.mkdir()


@pytest.mark.parametrize("kind", KINDS)
def test_memory_on_a_special_file_is_empty(
    tmp_path: Path, kind: str, sockets: list[socket.socket]
) -> None:
    _plant(tmp_path / STATE_FILE, kind, sockets)
    assert _finishes(Store(tmp_path).load_memory) == Memory()


@pytest.mark.parametrize("kind", KINDS)
def test_journal_on_a_special_file_reads_as_empty(
    tmp_path: Path, kind: str, sockets: list[socket.socket]
) -> None:
    _plant(tmp_path / JOURNAL_FILE, kind, sockets)
    assert _finishes(lambda: Store(tmp_path).read_journal()) == []


@pytest.mark.parametrize("kind", KINDS)
def test_journal_append_to_a_special_file_is_refused(
    tmp_path: Path, kind: str, sockets: list[socket.socket]
) -> None:
    _plant(tmp_path / JOURNAL_FILE, kind, sockets)
    with pytest.raises(OSError):
        _finishes(lambda: Store(tmp_path).append_journal({"id": 1}))


@pytest.mark.parametrize("kind", KINDS)
def test_lock_on_a_special_file_is_refused(
    tmp_path: Path, kind: str, sockets: list[socket.socket]
) -> None:
    _plant(tmp_path / LOCK_FILE, kind, sockets)

    def take() -> bool:
        with Store(tmp_path).lock(wait=0) as got:
            return got

    with pytest.raises(OSError):
        _finishes(take)


def test_followup_replaces_a_fifo_and_reads_none_from_it(tmp_path: Path) -> None:
    s = Store(tmp_path)
    os.mkfifo(tmp_path / PENDING_FILE)
    assert _finishes(s.take_followup) == []
    os.mkfifo(tmp_path / PENDING_FILE)
    _finishes(lambda: s.request_followup([Event("LINK_UP", "em0")]))
    assert stat.S_ISREG(os.lstat(tmp_path / PENDING_FILE).st_mode)
    assert s.take_followup() == [Event("LINK_UP", "em0")]


def test_atomic_write_replaces_a_fifo(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / STATE_FILE)
    s = Store(tmp_path)
    _finishes(lambda: s.write_atomic(STATE_FILE, "{}\n"))
    assert (tmp_path / STATE_FILE).read_text() == "{}\n"


@pytest.mark.parametrize("kind", KINDS)
def test_status_with_a_special_pid_file_says_not_running(
    tmp_path: Path, kind: str, sockets: list[socket.socket]
) -> None:
    _plant(tmp_path / PID_FILE, kind, sockets)
    assert _finishes(lambda: read_status(Store(tmp_path))) is None


def test_status_with_a_fifo_status_file_still_says_running(tmp_path: Path) -> None:
    s = Store(tmp_path)
    fd = s.open_file(PID_FILE, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a daemon holds it
        os.mkfifo(tmp_path / STATUS_FILE)
        assert _finishes(lambda: read_status(s)) == {"running": True}
    finally:
        os.close(fd)


def test_open_file_names_the_refused_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / STATE_FILE)
    with pytest.raises(OSError) as caught:
        _finishes(lambda: Store(tmp_path).open_file(STATE_FILE, os.O_RDONLY))
    assert caught.value.errno == errno.EINVAL
    assert caught.value.filename == str(tmp_path / STATE_FILE)


@pytest.mark.parametrize("kind", KINDS)
def test_last_good_policy_on_a_special_file_is_not_used(
    tmp_path: Path, kind: str, sockets: list[socket.socket]
) -> None:
    _plant(tmp_path / lastgood.GOOD_FILE, kind, sockets)
    missing_policy = tmp_path / "absent.ini"
    found = _finishes(lambda: lastgood.fallback(missing_policy, "refused", lambda _p: tmp_path))
    assert found is None
