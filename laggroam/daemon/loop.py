"""The long-running part: events in, debounced, one reconcile at a time.

The main thread owns the socket, the timers and the signals; one worker thread
runs reconciles (and chains the stock devd rules laggroam shadowed), so the
socket keeps accepting while a reconcile runs.  When a batch goes (debounce,
max_delay, interval, wake_at, stop) is decided by scheduler.py, which does no
I/O: this loop feeds it what arrives and the time, sleeps until its next
deadline and hands what falls due to the worker.  The policy is reloaded on
save (watchdog), on SIGHUP, and by a stat comparison at each periodic
reconcile (reload.py); the supervisor is told by notify.Readiness.
"""

import contextlib
import logging
import queue
import selectors
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

from laggroam.config import policy as policy_mod
from laggroam.daemon import pidfile
from laggroam.daemon.batchrun import BatchWork
from laggroam.daemon.listener import Listener, ListenerError
from laggroam.daemon.notify import Notifier, Readiness
from laggroam.daemon.reload import Loaded, PolicyReload, Verdict, policy_names
from laggroam.daemon.scheduler import Dispatch, Scheduler
from laggroam.daemon.statusfile import Counters, Progress, StatusFile, snapshot
from laggroam.daemon.watch import PolicyWatch
from laggroam.edge.reconcile import Outcome
from laggroam.edge.site import Site
from laggroam.edge.store import Store
from laggroam.edge.system import System
from laggroam.exitcodes import EX_CANTCREAT, EX_OK

log = logging.getLogger(__name__)


class Daemon:
    """See the module docstring; ``run()`` returns the process exit status."""

    def __init__(
        self,
        policy_path: Path,
        policy: policy_mod.Policy,
        system: System,
        site: Site,
        *,
        socket_path: Path | None = None,
    ) -> None:
        self.socket_path = socket_path or site.path(policy.daemon.socket)
        self.store = Store(site.path(policy.daemon.state_dir))
        self.reload = PolicyReload(
            policy_path, policy, site.path, self.store, lambda done: self._post("loaded", done)
        )
        self.work = BatchWork(
            system,
            self.store,
            chain_root=site.root,
            chain_path=site.programs.path,
            stopping=lambda: self.scheduler.stopping,
        )
        self.readiness = Readiness(Notifier())
        self.scheduler = Scheduler(policy.daemon, policy_names(policy))
        self.progress = Progress()
        self.posted: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self.jobs: queue.SimpleQueue[Dispatch | None] = queue.SimpleQueue()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self.selector = selectors.DefaultSelector()
        self.listener: Listener | None = None
        self._pid_fd: int | None = None  # held open: the lock lasts as long as the process
        self.status_file = StatusFile(self.store)

    @property
    def policy(self) -> policy_mod.Policy:
        return self.reload.policy

    # -- life cycle --------------------------------------------------------

    def run(self) -> int:
        code = self._acquire_pidfile()
        if code != EX_OK:
            return code
        if self.reload.judge_at_start():
            self.scheduler.reload_soon(time.monotonic())  # changed since the command read it
        try:
            self.listener = Listener(
                self.socket_path,
                lambda intake: self.scheduler.on_message(intake, time.monotonic()),
                on_drop=self._unregister,
            )
        except (ListenerError, OSError) as exc:
            log.error("cannot listen: %s", exc)
            print(f"laggroam: {exc}", file=sys.stderr)
            return EX_CANTCREAT
        watch = self._start_watch()
        worker = threading.Thread(target=self._worker, name="reconcile", daemon=True)
        worker.start()
        self._install_signals()
        self.selector.register(self.listener.sock, selectors.EVENT_READ, "listen")
        self.selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        self.readiness.start(time.monotonic())
        log.info("started: policy %s, socket %s", self.reload.path, self.socket_path)
        self.scheduler.on_start(time.monotonic())
        try:
            self._loop()
        finally:
            self._shut_down(worker, watch)
        return EX_OK

    def _shut_down(self, worker: threading.Thread, watch: PolicyWatch | None) -> None:
        self.readiness.stopping()
        self.jobs.put(None)
        stop_by = self.scheduler.stop_by or time.monotonic()
        worker.join(timeout=max(0.0, stop_by - time.monotonic()))
        if worker.is_alive():
            log.warning("a reconcile was still running at exit; the next start repairs")
        if watch is not None:
            watch.stop()
        if self.listener is not None:
            self.listener.close()
        self._write_status()
        log.info("stopped")

    def _acquire_pidfile(self) -> int:
        try:
            self._pid_fd = pidfile.acquire(self.store, self.policy.daemon.group)
        except pidfile.PidfileError as exc:
            log.error("%s", exc)
            print(f"laggroam: {exc}", file=sys.stderr)
            return exc.code
        return EX_OK

    def _start_watch(self) -> PolicyWatch | None:
        path = self.reload.path
        try:
            watch = PolicyWatch(path, lambda: self._post("policy-changed", None))
            watch.start()
        except OSError as exc:
            log.warning(
                "not watching %s (%s); SIGHUP and the periodic check still reload", path, exc
            )
            return None
        return watch

    def _install_signals(self) -> None:
        def handler(signum: int, _frame: FrameType | None) -> None:
            self._post("signal", signum)

        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, handler)

    def _post(self, kind: str, value: Any) -> None:
        """Hand something to the main loop from any thread (or a signal handler)."""
        self.posted.put((kind, value))
        with contextlib.suppress(BlockingIOError, OSError):
            self._wake_w.send(b"\0")

    def _unregister(self, sock: socket.socket) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(sock)

    # -- the main loop -----------------------------------------------------

    def _loop(self) -> None:
        while not self.scheduler.finished(time.monotonic()):
            now = time.monotonic()
            deadline = self._next_deadline()
            timeout = None if deadline is None else max(0.0, deadline - now)
            for key, _ in self.selector.select(timeout):
                self._readable(key.data, key.fd)
            self._drain_posted()
            now = time.monotonic()
            if self.listener is not None:
                self.listener.expire(now)
            if self.scheduler.take_reload(now):
                self.reload.start()
            self.readiness.ping_if_due(now)
            self._maybe_dispatch(now)
            self._status_if_counted(now)

    def _readable(self, what: str, fd: int) -> None:
        assert self.listener is not None
        if what == "listen":
            for conn in self.listener.accept():
                self.selector.register(conn, selectors.EVENT_READ, "client")
        elif what == "wake":
            with contextlib.suppress(BlockingIOError):
                while self._wake_r.recv(4096):
                    pass
        else:
            self.listener.readable(fd)

    def _status_if_counted(self, now: float) -> None:
        """Keep the status file's counters current, at most once a second."""
        counters = self._counters()
        if counters is not None and self.status_file.stale(counters, now):
            self._write_status()

    def _next_deadline(self) -> float | None:
        candidates = [
            self.scheduler.next_deadline(),
            self.status_file.due,
            self.readiness.next_ping,
            self.listener.next_deadline() if self.listener else None,
        ]
        return min((c for c in candidates if c is not None), default=None)

    def _maybe_dispatch(self, now: float) -> None:
        dispatch = self.scheduler.take_due(now)
        if dispatch is None:
            return
        if dispatch.periodic and self.reload.changed_on_disk():
            self.reload.start()
        self.progress.since = time.time()
        self.jobs.put(dispatch)
        self._write_status()

    def _drain_posted(self) -> None:
        while True:
            try:
                kind, value = self.posted.get_nowait()
            except queue.Empty:
                return
            if kind == "signal":
                self._on_signal(value)
            elif kind == "policy-changed":
                self.scheduler.on_file_changed(time.monotonic())
            elif kind == "done":
                self._on_done(value)
            elif kind == "chained":
                self.scheduler.on_chained()
                self.progress.since = None
                self._write_status()
            elif kind == "loaded":
                self._on_loaded(value)

    def _on_signal(self, signum: int) -> None:
        if signum == signal.SIGHUP:
            log.info("SIGHUP: reloading the policy")
            self.scheduler.cancel_reload()
            self.reload.start(requested=True)
        elif self.scheduler.on_stop(time.monotonic()):
            log.info("signal %d: finishing and exiting", signum)
            # No more connections: a flood must not keep the loop from ending.
            if self.listener is not None:
                self._unregister(self.listener.sock)

    # -- the worker --------------------------------------------------------

    def _worker(self) -> None:
        while True:
            dispatch = self.jobs.get()
            if dispatch is None:
                return
            self._post(*self.work.run(dispatch, self.policy, self.scheduler.names))

    def _on_done(self, outcome: Outcome | None) -> None:
        wake_in = self.progress.ended(outcome)
        self.scheduler.on_done(time.monotonic(), wake_in)
        self.readiness.reconciled(self.progress.summary(self.reload))
        self._write_status()

    def _on_loaded(self, loaded: Loaded) -> None:
        verdict = self.reload.finish(loaded)
        if verdict is Verdict.TAKEN:
            new = self.reload.policy
            self.scheduler.on_policy(new.daemon, policy_names(new), time.monotonic())
        if verdict in (Verdict.TAKEN, Verdict.UNCHANGED):
            self.readiness.reloaded(self.progress.summary(self.reload))
        elif verdict is Verdict.REFUSED:
            self.readiness.refused(self.progress.summary(self.reload), requested=loaded.requested)
        if verdict is not Verdict.UNREADABLE:
            self._write_status()

    # -- status ------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        counters = self._counters()
        return snapshot(self.progress, self.reload, self.scheduler, counters, self.socket_path)

    def _counters(self) -> Counters | None:
        if self.listener is None:
            return None
        return (self.listener.counters.accepted, self.listener.counters.refused)

    def _write_status(self) -> None:
        self.status_file.write(self.status(), self._counters())
