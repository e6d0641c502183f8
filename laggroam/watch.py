"""Watch the policy file for saves, editors' rename-on-save included.

The *directory* is watched, never the file: an editor that saves by writing
a temporary file and renaming it over the policy leaves a watch on the old
inode behind.  Only the policy's own name counts, as the source or the
destination of an event, whatever its type; on FreeBSD 14 watchdog uses
kqueue with one descriptor per directory entry, so the directory must be the
policy's own (python-on-freebsd.md §1).
"""

import logging
import os
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

log = logging.getLogger(__name__)


class _Handler(FileSystemEventHandler):
    def __init__(self, name: str, poke: Callable[[], None]) -> None:
        self.name = name
        self.poke = poke

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory:
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
        self._observer = Observer()
        self._observer.daemon = True
        self._observer.schedule(
            _Handler(self.policy.name, poke), str(self.policy.parent), recursive=False
        )

    def start(self) -> None:
        self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=5)
