"""Watch the policy file for saves, editors' rename-on-save included.

The *directory* is watched, never the file: an editor that saves by writing
a temporary file and renaming it over the policy leaves a watch on the old
inode behind.  Only the policy's own name counts, as the source or the
destination of an event that may change it (reads are ignored).  On FreeBSD
watchdog uses kqueue, which opens one descriptor per directory entry and
stats them all at every wake-up, so the directory should be the policy's
own; a crowded one (a policy put straight into /usr/local/etc) is polled
every two seconds instead (python-on-freebsd.md sections 1.2 and 1.6).
"""

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from watchdog.events import (
    EVENT_TYPE_CLOSED_NO_WRITE,
    EVENT_TYPE_OPENED,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

log = logging.getLogger(__name__)

# inotify also reports opening and closing a file unchanged; the daemon's own
# read of the policy would then schedule the next reload, for ever.
_READS = frozenset({EVENT_TYPE_OPENED, EVENT_TYPE_CLOSED_NO_WRITE})
# More entries than this in the policy's directory, and kqueue is not worth it.
KQUEUE_MAX_ENTRIES = 32
POLL_SECONDS = 2.0


def uses_kqueue(platform: str = sys.platform) -> bool:
    """watchdog picks kqueue on the BSDs, FSEvents on macOS (watchdog/observers/__init__.py)."""
    return "bsd" in platform


def choose_observer(directory: Path, platform: str = sys.platform) -> BaseObserver:
    """watchdog's native observer, or polling for a crowded directory under kqueue."""
    if uses_kqueue(platform):
        try:
            entries = len(os.listdir(directory))
        except OSError:
            entries = 0
        if entries > KQUEUE_MAX_ENTRIES:
            log.info(
                "%s has %d entries: polling it every %gs instead of one kqueue descriptor each",
                directory,
                entries,
                POLL_SECONDS,
            )
            return PollingObserver(timeout=POLL_SECONDS)
    return Observer()


class _Handler(FileSystemEventHandler):
    def __init__(self, name: str, poke: Callable[[], None]) -> None:
        self.name = name
        self.poke = poke

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in _READS:
            return
        names = {os.path.basename(os.fsdecode(event.src_path))}
        dest = getattr(event, "dest_path", "")
        if dest:
            names.add(os.path.basename(os.fsdecode(dest)))
        if self.name in names:
            self.poke()


class PolicyWatch:
    """Calls ``poke`` (from watchdog's thread) whenever the policy may have changed."""

    def __init__(self, policy: Path, poke: Callable[[], None]) -> None:
        self.policy = policy.absolute()
        self._observer = choose_observer(self.policy.parent)
        self._observer.daemon = True
        self._observer.schedule(
            _Handler(self.policy.name, poke), str(self.policy.parent), recursive=False
        )

    def start(self) -> None:
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=5)
