"""The simulator's store: one JSON file, a lock, atomic writes.

``Sim.open(dir)`` takes an exclusive ``flock`` on ``DIR/lock``, loads
``DIR/state.json``, yields a ``Sim`` and, when the block ends without an
exception, appends the devd events it produced to the journal and writes the
state back (temporary file, ``os.replace``).
A crashed process leaves the previous state or the new one, never a mix.
"""

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path

from laggroam_sim import devdlog, journal
from laggroam_sim.atomicfile import write_atomic
from laggroam_sim.model import SimState, from_json, to_json

STATE = "state.json"
LOCK = "lock"
ROOT = "root"  # the simulated host's /


class SimError(Exception):
    """A refused simulator operation; the message is one line for the user."""


class Sim:
    """An open simulated host: its state plus what the current operation did."""

    def __init__(self, sim_dir: Path, state: SimState) -> None:
        self.dir = sim_dir
        self.state = state
        self.events: list[str] = []
        self.notes: list[str] = []
        self.devd_seen = 0  # this operation's events devd has taken (devdinline)
        self.inline = devdlog.Inline()
        self.loaded = ""  # the JSON read at open: an unchanged host is not rewritten
        self.pidfiles_loaded: dict[str, int] = dict(state.pidfiles)

    @classmethod
    @contextlib.contextmanager
    def open(cls, sim_dir: Path, *, new: SimState | None = None) -> Iterator["Sim"]:
        """Lock, load (or start from ``new``), yield, then save on success."""
        sim_dir = Path(sim_dir)
        if new is not None:
            sim_dir.mkdir(parents=True, exist_ok=True)
        elif not (sim_dir / STATE).exists():
            raise SimError(
                f"{sim_dir}: no simulated host here (run: laggroam-sim --dir {sim_dir} init laptop)"
            )
        with _locked(sim_dir):
            text = ""
            if new is not None:
                state = new
            else:
                text, state = _read(sim_dir)
            state.next_seq = max(state.next_seq, journal.last_seq(sim_dir) + 1)
            sim = cls(sim_dir, state)
            sim.loaded = text
            try:
                yield sim
                sim.save()
            finally:
                sim.inline.release()

    def save(self) -> None:
        """Journal first, then the state, so no event is numbered twice; then
        what devd took of them while the host was held."""
        first = self.state.next_seq
        self.state.next_seq = journal.append(self.dir, first, self.state.now, self.events)
        self.inline.commit(self.dir, first)
        self.state.log.extend(self.notes)
        del self.state.log[:-200]
        text = _dump(self.state)
        if text != self.loaded:
            write_atomic(self.dir / STATE, text)
        sync_pidfiles(self.dir / ROOT, self.pidfiles_loaded, self.state.pidfiles)

    def emit(self, line: str) -> None:
        """Record a devd event produced by the current operation."""
        self.events.append(line)

    def note(self, text: str) -> None:
        """Record a human-readable change made by the current operation."""
        self.notes.append(text)

    def alloc_pid(self) -> int:
        self.state.next_pid += 1
        return self.state.next_pid

    def alloc_index(self) -> int:
        index = self.state.next_index
        self.state.next_index += 1
        return index


def _dump(state: SimState) -> str:
    # Compact, so that json's C encoder does the work (``indent`` selects the
    # pure-Python one); ``python -m json.tool DIR/state.json`` shows it indented.
    return json.dumps(to_json(state), separators=(",", ":")) + "\n"


def _read(sim_dir: Path) -> tuple[str, SimState]:
    """``DIR/state.json`` as text and as a state; a damaged file is a SimError naming it."""
    path = sim_dir / STATE
    try:
        text = path.read_text()
        return text, from_json(SimState, json.loads(text))
    except (OSError, ValueError) as exc:
        raise SimError(f"{path}: {exc}") from exc


def load(sim_dir: Path) -> SimState:
    """Read ``DIR/state.json``; a damaged file is a SimError naming it."""
    return _read(sim_dir)[1]


def read_only(sim_dir: Path) -> SimState:
    """The current state, read under the lock (for listing commands)."""
    if not (Path(sim_dir) / STATE).exists():
        raise SimError(f"{sim_dir}: no simulated host here")
    with _locked(Path(sim_dir)):
        return load(Path(sim_dir))


@contextlib.contextmanager
def _locked(sim_dir: Path) -> Iterator[None]:
    fd = os.open(sim_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def sync_pidfiles(root: Path, before: dict[str, int], now: dict[str, int]) -> None:
    """Keep the daemons' pidfiles under the simulated / as the state has them.

    rc.subr and laggroam read the pidfile itself (libexec/rc/rc.subr
    check_pidfile): the file holds the pid and a newline
    (lib/libutil/pidfile.c pidfile_write).  Written atomically, like the state.
    """
    for path in before.keys() - now.keys():
        (root / path.lstrip("/")).unlink(missing_ok=True)
    for path, pid in now.items():
        full = root / path.lstrip("/")
        if before.get(path) != pid or not full.exists():
            full.parent.mkdir(parents=True, exist_ok=True)
            tmp = full.with_name(f".{full.name}.{os.getpid()}.tmp")
            tmp.write_text(f"{pid}\n")
            os.replace(tmp, full)
