"""What the simulated devd has done: its cursor in the journal, its log, its one-at-a-time lock.

devd reads /dev/devctl one event at a time (freebsd-src sbin/devd/devd.cc
``event_loop``); the simulator's journal stands for that stream, and
``DIR/devd.delivered`` holds the sequence number of the last event devd has
taken.  ``DIR/devd.log`` records per event the rule run, its commands, their
exit status and how long devd was held.  Whoever delivers -- a stand-in under
the host's lock (``devdinline``) or ``devd.deliver`` after it -- holds
``DIR/devd.lock``, so that events are taken once each and in order.
"""

import contextlib
import errno
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from laggroam_sim.atomicfile import write_atomic

DELIVERED = "devd.delivered"
LOG = "devd.log"
LOCK = "devd.lock"


@dataclass(frozen=True, slots=True)
class Delivery:
    """What devd did with one event."""

    seq: int
    line: str
    rule: str | None  # FILE:LINE of the rule run, None when no rule matched
    commands: tuple[str, ...]
    statuses: tuple[int | None, ...]  # None: did not finish (timeout, not started)
    held: float  # seconds devd spent on this event before reading the next one
    started: float  # wall clock (time.time()) when devd took the event
    output: str = ""  # what the actions wrote (devd itself gives them /dev/null)
    error: str | None = None  # why the line was not an event

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> "Delivery":
        return cls(
            seq=int(str(data["seq"])),
            line=str(data["line"]),
            rule=None if data.get("rule") is None else str(data["rule"]),
            commands=tuple(str(c) for c in _list(data.get("commands"))),
            statuses=tuple(None if s is None else int(str(s)) for s in _list(data.get("statuses"))),
            held=float(str(data["held"])),
            started=float(str(data["started"])),
            output=str(data.get("output", "")),
            error=None if data.get("error") is None else str(data["error"]),
        )

    def describe(self) -> str:
        """A few lines for ``laggroam sim devd``."""
        lines = [f"devd: {self.seq} {self.line}"]
        if self.error is not None:
            lines.append(f"  not an event: {self.error}")
        elif self.rule is None:
            lines.append("  no rule matches")
        else:
            lines.append(f"  rule {self.rule}")
        for command, status in zip(self.commands, self.statuses, strict=True):
            lines.append(f"  $ {command}")
            lines.append(f"    {'did not finish' if status is None else f'exit {status}'}")
        lines.extend(f"  | {text}" for text in self.output.splitlines())
        lines.append(f"  devd held {self.held * 1000:.0f} ms")
        return "\n".join(lines)


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []


def delivered(sim_dir: Path) -> int:
    """The sequence number of the last event devd has taken (0: none)."""
    try:
        text = (Path(sim_dir) / DELIVERED).read_text().strip()
    except FileNotFoundError:
        return 0
    return int(text) if text.isdigit() else 0


def set_delivered(sim_dir: Path, seq: int) -> None:
    write_atomic(Path(sim_dir) / DELIVERED, f"{seq}\n")


def log(sim_dir: Path, deliveries: list[Delivery]) -> None:
    """Append deliveries to ``DIR/devd.log``, one JSON object a line."""
    if deliveries:
        with open(Path(sim_dir) / LOG, "a", encoding="utf-8") as f:
            f.write("".join(json.dumps(one.to_json()) + "\n" for one in deliveries))


def read_log(sim_dir: Path) -> list[Delivery]:
    """Every delivery recorded in ``DIR/devd.log``, oldest first."""
    try:
        text = (Path(sim_dir) / LOG).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    found = []
    for line in text.splitlines():
        with contextlib.suppress(ValueError, KeyError, TypeError):
            data = json.loads(line)
            if isinstance(data, dict):
                found.append(Delivery.from_json(data))
    return found


def try_lock(sim_dir: Path) -> int | None:
    """Take the one-delivery-at-a-time lock without waiting: its fd, or None when taken."""
    fd = os.open(Path(sim_dir) / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
            raise
        return None
    return fd


@contextlib.contextmanager
def devd_lock(sim_dir: Path) -> Iterator[bool]:
    """The one-delivery-at-a-time lock; yields False when a delivery is under way."""
    fd = try_lock(sim_dir)
    try:
        yield fd is not None
    finally:
        if fd is not None:
            os.close(fd)


class Inline:
    """The events an operation delivered while it held the host (``devdinline``).

    devd may take them there only while it holds ``DIR/devd.lock`` and has
    taken every earlier event; they are numbered when the journal gets them,
    so their log lines and the cursor are written then (``commit``).
    """

    def __init__(self) -> None:
        self.fd: int | None = None
        self.may: bool | None = None  # None: not asked yet
        self.done: list[Delivery] = []  # seq: the event's index in this operation

    def commit(self, sim_dir: Path, first_seq: int) -> None:
        """Log what was delivered, numbered from ``first_seq``, and move the cursor."""
        if not self.done:
            return
        log(sim_dir, [replace(one, seq=first_seq + one.seq) for one in self.done])
        set_delivered(sim_dir, first_seq + self.done[-1].seq)
        self.done = []

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        self.may = None
