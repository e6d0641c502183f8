"""laggroam's files in ``state_dir``: memory, the decision journal, the reconcile lock.

Every write is atomic (temporary file, fsync, rename) with mode 0600, and no
file is opened through a symbolic link, so a crash loses at most the write in
progress and a link planted in the directory steers nothing.
"""

import contextlib
import errno
import fcntl
import json
import logging
import os
import secrets
import stat
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from laggroam.memory import Memory

log = logging.getLogger(__name__)

STATE_FILE = "state.json"
JOURNAL_FILE = "journal.jsonl"
LOCK_FILE = "reconcile.lock"
PENDING_FILE = "pending"
JOURNAL_MAX_BYTES = 256 * 1024
MAX_STATE_BYTES = 1024 * 1024


class Store:
    """The state directory of one host."""

    def __init__(self, state_dir: str | Path) -> None:
        self.dir = Path(state_dir)

    def ensure(self) -> None:
        """Create the directory, and refuse one that another user could plant files in.

        A state directory that is a symbolic link, belongs to someone else or
        is group/world writable would let its files be swapped for links to
        anything root can write; PermissionError says which and why.
        """
        self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(self.dir)
        problem = None
        if stat.S_ISLNK(st.st_mode):
            problem = "is a symbolic link"
        elif st.st_uid != os.geteuid():
            problem = f"belongs to uid {st.st_uid}, not {os.geteuid()}"
        elif st.st_mode & 0o022:
            problem = f"is writable by others (mode {stat.S_IMODE(st.st_mode):04o})"
        if problem is not None:
            raise PermissionError(
                errno.EPERM, f"state directory {problem}; not used", str(self.dir)
            )

    # -- memory ------------------------------------------------------------

    def load_memory(self) -> Memory:
        """The remembered state; empty (with a warning) when missing or damaged."""
        path = self.dir / STATE_FILE
        try:
            raw = _read_nofollow(path, MAX_STATE_BYTES)
        except FileNotFoundError:
            return Memory()
        except OSError as exc:
            log.warning("%s: unreadable (%s); starting from observation alone", path, exc.strerror)
            return Memory()
        try:
            return Memory.from_json(json.loads(raw))
        except (ValueError, UnicodeDecodeError) as exc:
            log.warning("%s: damaged (%s); starting from observation alone", path, exc)
            return Memory()

    def save_memory(self, memory: Memory) -> None:
        self.write_atomic(STATE_FILE, json.dumps(memory.to_json(), sort_keys=True) + "\n")

    def write_atomic(self, name: str, text: str) -> None:
        """Replace ``name`` whole or not at all; nothing is left behind on failure.

        The temporary file is new (O_EXCL, a random name), so a link planted
        under its name is never written through.
        """
        self.ensure()
        final = self.dir / name
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        for _ in range(8):
            tmp = self.dir / f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
            try:
                fd = os.open(tmp, flags, 0o600)
                break
            except FileExistsError:
                continue
        else:
            raise FileExistsError(errno.EEXIST, "no free temporary name", str(self.dir))
        try:
            try:
                _write_all(fd, text.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, final)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    # -- journal -----------------------------------------------------------

    def append_journal(self, record: dict[str, Any]) -> None:
        """One JSON line per reconcile; the file is cut to its newer half past the bound."""
        self.ensure()
        path = self.dir / JOURNAL_FILE
        line = json.dumps(record, sort_keys=True) + "\n"
        flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(path, flags, 0o600)
        try:
            size = os.fstat(fd).st_size
            # A line cut by a crash or a full disk must not swallow this record.
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = "\n" + line
            _write_all(fd, line.encode("utf-8"))
            size = os.fstat(fd).st_size
        finally:
            os.close(fd)
        if size > JOURNAL_MAX_BYTES:
            self._trim_journal(path)

    def _trim_journal(self, path: Path) -> None:
        data = _read_nofollow(path, 4 * JOURNAL_MAX_BYTES)
        keep = data[len(data) // 2 :]
        newline = keep.find(b"\n")
        self.write_atomic(JOURNAL_FILE, keep[newline + 1 :].decode("utf-8", "replace"))

    def read_journal(self, last: int = 20) -> list[dict[str, Any]]:
        """The newest ``last`` records; damaged lines are skipped."""
        try:
            data = _read_nofollow(self.dir / JOURNAL_FILE, 4 * JOURNAL_MAX_BYTES)
        except OSError:
            return []
        records = []
        for line in data.decode("utf-8", "replace").splitlines()[-last:]:
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict):
                    records.append(record)
        return records

    # -- serialising reconciles ---------------------------------------------

    @contextlib.contextmanager
    def lock(self, wait: float | None) -> Iterator[bool]:
        """Hold the host-wide reconcile lock; yields False when not had within ``wait``.

        ``wait=None`` blocks; ``wait=0`` tries once.
        """
        self.ensure()
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            fd = os.open(self.dir / LOCK_FILE, flags, 0o600)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise
            # A read-only or full file system: flock works on a read-only
            # descriptor of the lock file that is already there.
            fd = os.open(self.dir / LOCK_FILE, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            got = _flock(fd, wait)
            yield got
        finally:
            os.close(fd)

    def request_followup(self, events: Sequence[str] = ()) -> None:
        """Ask the lock holder for one more reconcile, with these events (hooks coalesce so).

        Each request is one line appended with O_APPEND, so requests made at
        the same moment by several processes are all kept.
        """
        self.ensure()
        line = json.dumps([str(e) for e in events]) + "\n"
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC
        path = self.dir / PENDING_FILE
        try:
            fd = os.open(path, flags, 0o600)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
            os.unlink(path)  # a link planted here is replaced, never followed
            fd = os.open(path, flags, 0o600)
        try:
            _write_all(fd, line.encode("utf-8"))
        finally:
            os.close(fd)

    def followup_pending(self) -> bool:
        return os.path.lexists(self.dir / PENDING_FILE)

    def take_followup(self) -> list[str] | None:
        """The events of every follow-up requested so far (once), or None when none was."""
        taken = self.dir / f".{PENDING_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        try:
            os.rename(self.dir / PENDING_FILE, taken)
        except FileNotFoundError:
            return None
        try:
            data = _read_nofollow(taken, MAX_STATE_BYTES)
        except OSError:
            data = b""
        finally:
            with contextlib.suppress(OSError):
                os.unlink(taken)
        events: list[str] = []
        for line in data.decode("utf-8", "replace").splitlines():
            with contextlib.suppress(ValueError):
                value = json.loads(line)
                if isinstance(value, list):
                    events.extend(e for e in value if isinstance(e, str) and e not in events)
        return events


def _flock(fd: int, wait: float | None) -> bool:
    if wait is None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return True
    deadline = time.monotonic() + wait
    delay = 0.01
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise
        if time.monotonic() >= deadline:
            return False
        time.sleep(min(delay, max(deadline - time.monotonic(), 0)))
        delay = min(delay * 2, 0.2)


def _write_all(fd: int, data: bytes) -> None:
    """os.write may write less than asked (a filling disk); finish or raise."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]


def _read_nofollow(path: Path, limit: int) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        return os.read(fd, limit + 1)[:limit]
    finally:
        os.close(fd)
