"""laggroam's files in ``state_dir``: memory, the decision journal, the reconcile lock.

Every write is atomic (temporary file, fsync, rename) with mode 0600, and no
file is opened through a symbolic link, so a crash loses at most the write in
progress and a link planted in the directory steers nothing.  Every file is
opened without blocking and refused unless it is a regular file, so a FIFO or
device planted here cannot hang the daemon, ``status`` or ``apply``.

A directory the daemon shared with the policy's ``group`` (mode 0750) gets
files of mode 0640 in that group: its members can read the status, the
journal and the memory, and change nothing.
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

from laggroam.core.event import Event, EventError, parse_event_text
from laggroam.core.memory import Memory

log = logging.getLogger(__name__)

STATE_FILE = "state.json"
JOURNAL_FILE = "journal.jsonl"
LOCK_FILE = "reconcile.lock"
PENDING_FILE = "pending"
JOURNAL_MAX_BYTES = 256 * 1024
# One reconcile's record; a bigger one is replaced by a short note saying so.
JOURNAL_MAX_RECORD = 32 * 1024
MAX_STATE_BYTES = 1024 * 1024
PRIVATE_DIR, SHARED_DIR = 0o700, 0o750
PRIVATE_FILE, SHARED_FILE = 0o600, 0o640


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

    def share_with(self, gid: int | None) -> None:
        """Let group ``gid`` read the state (None: nobody but the owner); the daemon calls this."""
        self.ensure()
        if gid is None:
            os.chmod(self.dir, PRIVATE_DIR, follow_symlinks=False)
        else:
            os.chown(self.dir, -1, gid, follow_symlinks=False)
            os.chmod(self.dir, SHARED_DIR, follow_symlinks=False)
        self.ensure()
        for entry in os.scandir(self.dir):
            with contextlib.suppress(OSError):
                fd = self.open_file(entry.name, os.O_RDONLY)
                os.close(fd)

    def open_file(self, name: str, flags: int) -> int:
        """Open a state file: no link followed, never blocking, regular files only.

        The file's mode and group follow the directory's sharing (see the
        module docstring), whoever created it.
        """
        path = self.dir / name
        shared_gid = _shared_gid(os.lstat(self.dir))
        base = os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
        fd = os.open(path, flags | base, PRIVATE_FILE if shared_gid is None else SHARED_FILE)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise OSError(errno.EINVAL, "not a regular file; not used", str(path))
            _fix_mode(fd, st, shared_gid)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def read(self, name: str, limit: int = MAX_STATE_BYTES) -> bytes:
        """A state file's first ``limit`` bytes; OSError when missing or not a regular file."""
        fd = self.open_file(name, os.O_RDONLY)
        try:
            return _read_upto(fd, limit)
        finally:
            os.close(fd)

    # -- memory ------------------------------------------------------------

    def load_memory(self) -> Memory:
        """The remembered state; empty (with a warning) when missing or damaged."""
        path = self.dir / STATE_FILE
        try:
            raw = self.read(STATE_FILE)
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
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        for _ in range(8):
            tmp = self.dir / f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
            try:
                fd = self.open_file(tmp.name, flags)
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
        """One JSON line per reconcile; past the bound the oldest records go.

        A record longer than ``JOURNAL_MAX_RECORD`` is replaced by a short one
        that says so, so one huge record can neither make the journal
        unreadable nor push out every other.
        """
        self.ensure()
        line = json.dumps(record, sort_keys=True) + "\n"
        if len(line) > JOURNAL_MAX_RECORD:
            line = json.dumps(_cut_record(record, len(line)), sort_keys=True) + "\n"
        fd = self.open_file(JOURNAL_FILE, os.O_RDWR | os.O_CREAT | os.O_APPEND)
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
            self._trim_journal()

    def _trim_journal(self) -> None:
        """Keep the newest whole records, about half the bound's worth."""
        data = self._read_tail(JOURNAL_FILE, JOURNAL_MAX_BYTES // 2)
        newline = data.find(b"\n")
        keep = data[newline + 1 :] if newline >= 0 else b""
        self.write_atomic(JOURNAL_FILE, keep.decode("utf-8", "replace"))

    def _read_tail(self, name: str, limit: int) -> bytes:
        """The last ``limit`` bytes of a state file (the newest journal records)."""
        fd = self.open_file(name, os.O_RDONLY)
        try:
            size = os.fstat(fd).st_size
            start = max(0, size - limit)
            chunks = []
            while start < size:
                chunk = os.pread(fd, min(size - start, 1 << 16), start)
                if not chunk:
                    break
                chunks.append(chunk)
                start += len(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)

    def read_journal(self, last: int = 20) -> list[dict[str, Any]]:
        """The newest ``last`` undamaged records, oldest first; damaged lines are skipped."""
        try:
            data = self._read_tail(JOURNAL_FILE, 4 * JOURNAL_MAX_BYTES)
        except OSError:
            return []
        records: list[dict[str, Any]] = []
        # Newest first, so damaged lines at the end never hide the good ones before them.
        for line in reversed(data.decode("utf-8", "replace").splitlines()):
            if len(records) >= last:
                break
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict):
                    records.append(record)
        records.reverse()
        return records

    # -- serialising reconciles ---------------------------------------------

    @contextlib.contextmanager
    def lock(self, wait: float | None) -> Iterator[bool]:
        """Hold the host-wide reconcile lock; yields False when not had within ``wait``.

        ``wait=None`` blocks; ``wait=0`` tries once.
        """
        self.ensure()
        try:
            fd = self.open_file(LOCK_FILE, os.O_RDWR | os.O_CREAT)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EINVAL):
                raise
            # A read-only or full file system: flock works on a read-only
            # descriptor of the lock file that is already there.
            fd = self.open_file(LOCK_FILE, os.O_RDONLY)
        try:
            got = _flock(fd, wait)
            yield got
        finally:
            os.close(fd)

    def request_followup(self, events: Sequence[Event] = ()) -> None:
        """Ask the lock holder for one more reconcile, with these events (hooks coalesce so).

        Each request is one line appended with O_APPEND, so requests made at
        the same moment by several processes are all kept.  An event travels
        as its text, the form of ``--event`` (the one-shot has already chained
        the devd line it came from), and is read back by the same parser.
        """
        self.ensure()
        line = json.dumps([str(e) for e in events]) + "\n"
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        path = self.dir / PENDING_FILE
        try:
            fd = self.open_file(PENDING_FILE, flags)
        except OSError as exc:
            # ENXIO: a FIFO nobody reads (O_NONBLOCK, open(2)).
            if exc.errno not in (errno.ELOOP, errno.EINVAL, errno.ENXIO):
                raise
            os.unlink(path)  # a link or special file planted here is replaced, never used
            fd = self.open_file(PENDING_FILE, flags)
        try:
            _write_all(fd, line.encode("utf-8"))
        finally:
            os.close(fd)

    def followup_pending(self) -> bool:
        return os.path.lexists(self.dir / PENDING_FILE)

    def take_followup(self) -> list[Event] | None:
        """The events of every follow-up requested so far (once), or None when none was.

        Anything unreadable in the file is dropped: it is a hint, and the
        reconcile that serves it observes the host anyway.
        """
        taken = self.dir / f".{PENDING_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        try:
            os.rename(self.dir / PENDING_FILE, taken)
        except FileNotFoundError:
            return None
        try:
            data = self.read(taken.name)
        except OSError:
            data = b""
        finally:
            with contextlib.suppress(OSError):
                os.unlink(taken)
        events: list[Event] = []
        for line in data.decode("utf-8", "replace").splitlines():
            with contextlib.suppress(ValueError):
                value = json.loads(line)
                if isinstance(value, list):
                    events.extend(_handed_events(value, events))
        return events


def _handed_events(texts: list[Any], seen: list[Event]) -> list[Event]:
    """The readable events of one hand-over line that are not in ``seen`` yet."""
    out: list[Event] = []
    for text in texts:
        if isinstance(text, str):
            with contextlib.suppress(EventError):
                event = parse_event_text(text)
                if event not in seen and event not in out:
                    out.append(event)
    return out


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


def _read_upto(fd: int, limit: int) -> bytes:
    """Up to ``limit`` bytes; a descriptor that would block reads as what it gave so far."""
    chunks: list[bytes] = []
    got = 0
    while got < limit:
        try:
            chunk = os.read(fd, min(limit - got, 1 << 16))
        except BlockingIOError:
            break
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _shared_gid(st: os.stat_result) -> int | None:
    """The group a state directory is shared with (mode 0750), or None."""
    return st.st_gid if stat.S_IMODE(st.st_mode) == SHARED_DIR else None


def _fix_mode(fd: int, st: os.stat_result, shared_gid: int | None) -> None:
    """Make a file we own match the directory's sharing; another's is left alone."""
    if st.st_uid != os.geteuid():
        return
    mode = SHARED_FILE if shared_gid is not None else PRIVATE_FILE
    with contextlib.suppress(OSError):
        if shared_gid is not None and st.st_gid != shared_gid:
            os.fchown(fd, -1, shared_gid)
        if stat.S_IMODE(st.st_mode) != mode:
            os.fchmod(fd, mode)


def _cut_record(record: dict[str, Any], size: int) -> dict[str, Any]:
    """What is kept of a record too big for the journal: who, when, and that it was cut."""
    kept: dict[str, Any] = {k: record[k] for k in ("id", "time", "converged") if k in record}
    kept["notes"] = [f"record of {size} bytes cut to its summary (limit {JOURNAL_MAX_RECORD})"]
    return kept
