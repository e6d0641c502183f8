"""The daemon's pid file: one daemon per state directory, found by its pid.

The file holds the pid and an exclusive flock(2) for as long as the daemon
lives; a second daemon that cannot take the lock says who holds it.
"""

import fcntl
import grp
import os

from laggroam.daemon.daemonstatus import PID_FILE
from laggroam.edge.store import Store
from laggroam.exitcodes import EX_CANTCREAT, EX_UNAVAILABLE


class PidfileError(Exception):
    """The pid file could not be taken; ``code`` is the exit status to end with."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def _group_id(group: str | None) -> int | None:
    """The gid that may read the state directory; KeyError when there is no such group."""
    return None if group is None else grp.getgrnam(group).gr_gid


def acquire(store: Store, group: str | None) -> int:
    """Share the state directory with ``group``, lock the pid file, write our pid: its fd."""
    path = store.dir / PID_FILE
    try:
        store.share_with(_group_id(group))
        fd = store.open_file(PID_FILE, os.O_RDWR | os.O_CREAT)
    except KeyError:
        raise PidfileError(f"[daemon] group {group!r} does not exist", EX_CANTCREAT) from None
    except OSError as exc:
        raise PidfileError(f"{exc.filename or path}: {exc.strerror or exc}", EX_CANTCREAT) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        other = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
        os.close(fd)
        message = f"another laggroam daemon is running (pid {other}, {path})"
        raise PidfileError(message, EX_UNAVAILABLE) from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd
