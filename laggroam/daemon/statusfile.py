"""The daemon's status file, kept current without a write for every message.

``laggroam status`` reads it (see daemonstatus.py); state changes write it at
once, while a change of the socket's counters alone waits up to STATUS_EVERY
so that a flood of messages is not a flood of writes.
"""

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from laggroam.daemon.daemonstatus import STATUS_FILE
from laggroam.daemon.reload import PolicyReload
from laggroam.daemon.scheduler import Scheduler
from laggroam.edge.reconcile import Outcome
from laggroam.edge.store import Store

log = logging.getLogger(__name__)

STATUS_EVERY = 1.0  # seconds: the status file's counters lag the socket by at most this

Counters = tuple[int, int]  # messages accepted, refused


class StatusFile:
    """Writes the status atomically; knows when the counters alone make it stale."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.due: float | None = None  # when counters changed since the last write are written
        self._written: Counters = (0, 0)

    def write(self, status: dict[str, Any], counters: Counters | None) -> None:
        """Write ``status`` now; a failure is logged and survived."""
        if counters is not None:
            self._written = counters
        self.due = None
        try:
            self.store.write_atomic(STATUS_FILE, json.dumps(status, sort_keys=True) + "\n")
        except OSError as exc:
            log.warning("cannot write %s: %s", STATUS_FILE, exc.strerror)

    def stale(self, counters: Counters, now: float) -> bool:
        """True when the file should be written for its counters now, at most once a second."""
        if counters == self._written:
            self.due = None
        elif self.due is None:
            self.due = now + STATUS_EVERY
        elif now >= self.due:
            return True
        return False


@dataclass
class Progress:
    """What the daemon has done since it started: its reconciles and the one running."""

    reconciles: int = 0
    last: dict[str, Any] | None = None  # the last reconcile's journal record
    since: float | None = None  # when the running batch was handed out (wall clock)

    def ended(self, outcome: Outcome | None) -> float | None:
        """A reconcile ended; how soon its plan asked to run again (seconds), if it did."""
        self.since = None
        self.reconciles += 1
        if outcome is None:
            return None
        self.last = outcome.record(None)
        return None if outcome.wake_at is None else outcome.wake_at - time.time()

    def summary(self, reload: PolicyReload) -> str:
        """One line for the supervisor's STATUS=."""
        parts = [f"{self.reconciles} reconciles"]
        if self.last is not None:
            state = "converged" if self.last.get("converged") else "not converged"
            parts.append(f"last: {len(self.last.get('actions', []))} actions, {state}")
        if reload.fallback is not None:
            parts.append("RUNNING ON THE LAST GOOD POLICY")
        if reload.rejected:
            parts.append(f"policy rejected: {reload.rejected[0]}")
        return "; ".join(parts)


def snapshot(
    progress: Progress,
    reload: PolicyReload,
    scheduler: Scheduler,
    counters: Counters | None,
    socket_path: Path,
) -> dict[str, Any]:
    """The status file's content (daemonstatus.py reads and renders it)."""
    accepted, refused = counters or (0, 0)
    return {
        "pid": os.getpid(),
        "policy": str(reload.path),
        "policy_loaded": reload.loaded_at,
        "generation": reload.generation,
        "laggs": {lagg.name: list(lagg.ports) for lagg in reload.policy.laggs},
        "rejected": list(reload.rejected),
        "last_good": None if reload.fallback is None else reload.fallback.to_json(),
        "socket": str(socket_path),
        "queue": len(scheduler.batch),
        "busy": scheduler.busy,
        "reconciling_since": progress.since,
        "reconciles": progress.reconciles,
        "accepted": accepted,
        "refused": refused,
        "last_reconcile": progress.last,
        "time": time.time(),
    }
