"""The devd event journal: the lines the kernel would write to /dev/devctl.

Each kernel change appends the exact record devd would read, in devd's wire
format (freebsd-src sys/kern/kern_devctl.c ``devctl_notify``/``devaddq``):

* ``!system=SYS subsystem=SUB type=TYPE[ DATA]`` for notify events,
* ``+NAME at LOCATION PNPINFO on PARENT`` / ``-NAME at ... on PARENT`` for
  newbus attach/detach (a space is always written between location and
  pnpinfo).

The journal is ``DIR/devd.journal``, one event per line as
``SEQ<TAB>TIME<TAB>RECORD``; SEQ increases by one per event so that a later
devd consumer can ask for "events after N".  Lines are only appended.
"""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from laggroam.core.event import Event as ProductEvent

JOURNAL = "devd.journal"


@dataclass(frozen=True, slots=True)
class Event:
    """One journal entry."""

    seq: int
    at: int
    line: str


def notify(system: str, subsystem: str, type_: str, data: str = "") -> str:
    """A notify record; ``data`` is appended raw (kern_devctl.c ``devctl_notify``)."""
    line = f"!system={system} subsystem={subsystem} type={type_}"
    return f"{line} {data}" if data else line


def ifnet(ifname: str, type_: str, data: str = "") -> str:
    """An IFNET notify (ATTACH, DETACH, LINK_UP, LINK_DOWN: sys/net/if.c)."""
    return notify("IFNET", ifname, type_, data)


def attach(name: str, location: str, pnpinfo: str, parent: str) -> str:
    """A newbus attach record (kern_devctl.c ``devaddq``)."""
    return f"+{name} at {location} {pnpinfo} on {parent}"


def detach(name: str, location: str, pnpinfo: str, parent: str) -> str:
    """A newbus detach record, sent once detach has completed."""
    return f"-{name} at {location} {pnpinfo} on {parent}"


# The tail read to find the last event: far longer than any record.
TAIL = 65536


def append(sim_dir: Path, first_seq: int, at: int, lines: list[str]) -> int:
    """Append ``lines`` numbered from ``first_seq``; return the next seq.

    One write of whole lines, so a crashed process leaves at most a torn last
    line, which is dropped here and ignored by ``read``.  Not fsynced: a
    simulated host need not survive a power cut of the machine running it.
    """
    if not lines:
        return first_seq
    text = "".join(f"{first_seq + i}\t{at}\t{line}\n" for i, line in enumerate(lines))
    path = sim_dir / JOURNAL
    with open(path, "a+b") as f:
        end = f.seek(0, os.SEEK_END)
        if end:
            f.seek(max(0, end - TAIL))
            tail = f.read()
            if not tail.endswith(b"\n"):
                # drop a line torn by a crash mid-append (the caller holds the lock)
                cut = tail.rfind(b"\n")
                f.truncate(max(0, end - len(tail) + cut + 1) if cut >= 0 else end - len(tail))
        f.write(text.encode())
    return first_seq + len(lines)


def read(sim_dir: Path, after: int = 0) -> list[Event]:
    """Events with a sequence number greater than ``after``, in order.

    A torn last line (a crash mid-append) is ignored.
    """
    path = sim_dir / JOURNAL
    try:
        text = path.read_text()
    except FileNotFoundError:
        return []
    events = []
    complete = text.split("\n")[:-1]  # a last line without newline is torn
    for raw in complete:
        parts = raw.split("\t", 2)
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
            continue
        seq = int(parts[0])
        if seq > after:
            events.append(Event(seq, int(parts[1]), parts[2]))
    return events


def last_seq(sim_dir: Path) -> int:
    """The highest sequence number in the journal (0 when empty), from its tail."""
    try:
        with open(sim_dir / JOURNAL, "rb") as f:
            end = f.seek(0, os.SEEK_END)
            f.seek(max(0, end - TAIL))
            tail = f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return 0
    for raw in reversed(tail.split("\n")[:-1]):  # a last line without newline is torn
        parts = raw.split("\t", 2)
        if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
            return int(parts[0])
    events = read(sim_dir)  # no whole record in the tail: read it all
    return events[-1].seq if events else 0


def laggroam_events(sim_dir: Path, after: int = 0) -> tuple[list["ProductEvent"], int]:
    """The journal's events after ``after`` as laggroam understands them, and the
    last sequence number read: what a daemon fed by this host's devd would get."""
    from laggroam.core.event import EventError, from_devd
    from laggroam.devd.devdline import DevdLineError, parse_event

    out = []
    last = after
    for entry in read(sim_dir, after):
        last = entry.seq
        try:
            devd = parse_event(entry.line)
            event = from_devd(entry.line[:1], devd.variables)
        except (DevdLineError, EventError):
            continue
        if event is not None:
            out.append(event)
    return out, last
