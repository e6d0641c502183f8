"""The daemon's status file, kept current without a write for every message.

``laggroam status`` reads it (see daemonstatus.py); state changes write it at
once, while a change of the socket's counters alone waits up to STATUS_EVERY
so that a flood of messages is not a flood of writes.
"""

import json
import logging
from typing import Any

from laggroam.daemon.daemonstatus import STATUS_FILE
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
