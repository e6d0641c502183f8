"""When the daemon reconciles: its timing decisions as a state machine, without I/O.

Events coalesce until ``debounce`` of quiet, bounded by ``max_delay`` so a
never-ending flap still reconciles; a reconcile also runs every ``interval``
and when the last plan asked to be woken (``wake_at``).  At most one batch is
out at a time: what arrives meanwhile waits for ``on_done``.  Time is passed
in (monotonic seconds), so every decision can be tested by feeding inputs;
the daemon is a loop that sleeps until ``next_deadline()`` and hands what
``take_due()`` returns to its worker.
"""

from dataclasses import dataclass, field
from typing import Protocol

from laggroam.core.event import Event
from laggroam.devd.devdline import DevdEvent
from laggroam.devd.intake import Intake

# Bounds of one batch under a flood (bench/flood.py measures them): events the
# plan cannot use are counted, not kept, and at most this many distinct devd
# events are chained per batch, each the latest line of its (system,
# subsystem, type).
MAX_BATCH_EVENTS = 256
MAX_BATCH_CHAIN = 64
# On a stop request: how long a running reconcile may take to finish.
STOP_GRACE = 3.0


class Pace(Protocol):
    """The policy's ``[daemon]`` timing (policy.DaemonPolicy has it), in seconds."""

    @property
    def debounce(self) -> float: ...
    @property
    def max_delay(self) -> float: ...
    @property
    def interval(self) -> float: ...  # 0: no periodic reconcile


def concerns_policy(event: DevdEvent, names: frozenset[str]) -> bool:
    """A devd event that may change the plan: about a named interface, or ACPI (resume)."""
    return event.get("system") == "ACPI" or event.get("subsystem") in names


@dataclass
class Batch:
    """Events taken in and waiting for a reconcile, deduplicated, bounded.

    One Intake serves two readers with their own order: the plan hears each
    distinct event once, in the order it first came (``events``); chaining
    runs the newest line of each distinct devd event, in the order of those
    newest lines (``devd``), as devd would have run them.
    """

    events: dict[str, Intake] = field(default_factory=dict)
    devd: dict[tuple[str, ...], Intake] = field(default_factory=dict)
    first: float | None = None
    last: float | None = None
    reasons: set[str] = field(default_factory=set)
    ignored: int = 0  # events kept out of the plan: none of the policy's interfaces
    unchained: int = 0  # devd events past MAX_BATCH_CHAIN

    def __len__(self) -> int:
        return len(self.events) + len(self.devd) + len(self.reasons)

    def heard(self) -> list[Event]:
        """The events the plan is told of, in the order they first came."""
        return [i.event for i in self.events.values() if i.event is not None]

    def to_chain(self) -> list[DevdEvent]:
        """The devd events to chain, the newest line of each, in their newest order."""
        return [i.devd for i in self.devd.values() if i.devd is not None]

    def add_event(self, intake: Intake, names: frozenset[str]) -> bool:
        """Keep the intake's event if the plan can use it; False when it was only counted."""
        event = intake.event
        if event is None:
            return False
        key = str(event)
        if key in self.events:
            return True
        if (event.ifname is not None and event.ifname not in names) or (
            len(self.events) >= MAX_BATCH_EVENTS
        ):
            self.ignored += 1
            return False
        self.events[key] = intake
        return True

    def add_devd(self, intake: Intake) -> None:
        """The latest line of each distinct devd event, up to MAX_BATCH_CHAIN of them."""
        devd = intake.devd
        if devd is None:
            return
        key = (devd.line[:1], *(devd.get(k) or "" for k in ("system", "subsystem", "type")))
        if key in self.devd:
            del self.devd[key]  # the newest line, in the newest place
        elif len(self.devd) >= MAX_BATCH_CHAIN:
            self.unchained += 1
            return
        self.devd[key] = intake

    def chain_only(self, names: frozenset[str]) -> bool:
        """Nothing the plan could use (devd events of other interfaces): chain, no reconcile."""
        return not (self.events or self.reasons) and not any(
            concerns_policy(e, names) for e in self.to_chain()
        )


@dataclass(frozen=True)
class Dispatch:
    """A batch handed out for the worker, and what it is for."""

    batch: Batch
    chain_only: bool  # run the stock rules only; answer with on_chained, not on_done
    periodic: bool  # the interval fired: the daemon checks the policy file too


class Scheduler:
    """The daemon's batch, timers and stop request; see the module docstring."""

    def __init__(self, pace: Pace, names: frozenset[str]) -> None:
        self.pace = pace
        self.names = names
        self.batch = Batch()
        self.busy = False
        self.stopping = False
        self.stop_by: float | None = None
        self.reload_at: float | None = None
        self.next_periodic: float | None = None
        self.wake_at: float | None = None

    # -- inputs ------------------------------------------------------------

    def on_start(self, now: float) -> None:
        """The first reconcile, due at once."""
        self.batch.reasons.add("start")
        self.batch.first = self.batch.last = now - self.pace.debounce

    def on_message(self, intake: Intake, now: float) -> None:
        """Queue one event taken in; only events about the policy's interfaces restart the
        debounce."""
        relevant = self.batch.add_event(intake, self.names)
        if intake.devd is not None:
            self.batch.add_devd(intake)
            relevant = relevant or concerns_policy(intake.devd, self.names)
        elif not relevant:
            return
        if self.batch.first is None:
            self.batch.first = now
        if relevant:
            self.batch.last = now

    def on_done(self, now: float, wake_in: float | None) -> None:
        """A reconcile ended; ``wake_in`` is how soon its plan asked to run again."""
        self.busy = False
        interval = self.pace.interval
        self.next_periodic = now + interval if interval > 0 else None
        if wake_in is not None:
            self.wake_at = now + max(0.0, wake_in)

    def on_chained(self) -> None:
        """A chain-only batch ended: the timers stay as they were."""
        self.busy = False

    def on_policy(self, pace: Pace, names: frozenset[str], now: float) -> None:
        """A changed policy was taken: reconcile under it now (its save was already debounced)."""
        self.pace = pace
        self.names = names
        self.batch.reasons.add("reload")
        self.batch.first = self.batch.first or now
        self.batch.last = now - pace.debounce

    def on_file_changed(self, now: float) -> None:
        """The policy file was saved: reload once the saves have been quiet for ``debounce``."""
        self.reload_at = now + self.pace.debounce

    def reload_soon(self, now: float) -> None:
        """Reload at the next turn of the loop."""
        self.reload_at = now

    def cancel_reload(self) -> None:
        """A reload is being done now (SIGHUP): the pending one is moot."""
        self.reload_at = None

    def on_stop(self, now: float) -> bool:
        """A stop request; True the first time. A running reconcile gets STOP_GRACE."""
        if self.stopping:
            return False
        self.stopping = True
        self.stop_by = now + STOP_GRACE
        return True

    # -- decisions ---------------------------------------------------------

    def batch_due(self) -> float | None:
        """When the batch goes: ``debounce`` after its last event about the policy's
        interfaces, at most ``max_delay`` after its first event of any kind (other
        devd events only ride along, so a flood of them delays nothing)."""
        if not len(self.batch) or self.batch.first is None:
            return None
        cap = self.batch.first + self.pace.max_delay
        last = self.batch.last
        return cap if last is None else min(last + self.pace.debounce, cap)

    def next_deadline(self) -> float | None:
        """The earliest moment at which something here falls due, or None."""
        candidates = [self.stop_by, self.reload_at]
        if not self.busy and not self.stopping:
            candidates += [self.batch_due(), self.next_periodic, self.wake_at]
        return min((c for c in candidates if c is not None), default=None)

    def take_reload(self, now: float) -> bool:
        """True once when the debounced reload of a saved policy falls due."""
        if self.reload_at is None or now < self.reload_at:
            return False
        self.reload_at = None
        return True

    def take_due(self, now: float) -> Dispatch | None:
        """The batch to run now, or None; while it runs, nothing else is handed out."""
        if self.busy or self.stopping:
            return None
        due = self.batch_due()
        periodic = self.next_periodic is not None and now >= self.next_periodic
        woken = self.wake_at is not None and now >= self.wake_at
        if not ((due is not None and now >= due) or periodic or woken):
            return None
        if periodic:
            self.batch.reasons.add("periodic")
        if woken:
            self.batch.reasons.add("timer")
        batch, self.batch = self.batch, Batch()
        self.busy = True
        chain_only = batch.chain_only(self.names)
        if not chain_only:  # on_done sets both again
            self.next_periodic = None
            self.wake_at = None
        return Dispatch(batch, chain_only, periodic)

    def finished(self, now: float) -> bool:
        """Stopping, and the running reconcile has ended or used up its grace."""
        return self.stopping and (not self.busy or now >= (self.stop_by or 0))
