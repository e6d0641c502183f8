"""The long-running part: events in, debounced, one reconcile at a time.

The main thread owns the socket, the timers and the signals; one worker thread
runs reconciles (and chains the stock devd rules laggroam shadowed), so the
socket keeps accepting while a reconcile runs.  When a batch goes (debounce,
max_delay, interval, wake_at, stop) is decided by scheduler.py, which does no
I/O: this loop feeds it messages, results and the time, sleeps until its next
deadline and hands what falls due to the worker.  The policy is reloaded on
save (watchdog), on SIGHUP, and by a stat comparison at each periodic
reconcile; a bad policy is reported and the last good one kept.
"""

import contextlib
import logging
import os
import queue
import selectors
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from laggroam.config import policy as policy_mod
from laggroam.daemon import pidfile
from laggroam.daemon.batchrun import BatchWork
from laggroam.daemon.listener import Listener, ListenerError
from laggroam.daemon.notify import Notifier
from laggroam.daemon.scheduler import Dispatch, Scheduler
from laggroam.daemon.statusfile import Counters, StatusFile
from laggroam.daemon.watch import PolicyWatch
from laggroam.devd import chain
from laggroam.devd.intake import Intake
from laggroam.edge import lastgood
from laggroam.edge.reconcile import Outcome
from laggroam.edge.store import Store
from laggroam.edge.system import System
from laggroam.exitcodes import EX_CANTCREAT, EX_OK

log = logging.getLogger(__name__)


def _policy_names(policy: policy_mod.Policy) -> frozenset[str]:
    """Every interface the policy names: events about others cannot change its plan."""
    names = {lagg.name for lagg in policy.laggs}
    names.update(port for lagg in policy.laggs for port in lagg.ports)
    names.update(w.name for w in policy.wlans)
    names.update(w.parent for w in policy.wlans)
    return frozenset(names)


def _signature(path: Path) -> tuple[int, int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class Daemon:
    """See the module docstring; ``run()`` returns the process exit status."""

    def __init__(
        self,
        policy_path: Path,
        policy: policy_mod.Policy,
        system: System,
        host_path: Callable[[str], Path],
        *,
        chain_root: Path | None = None,
        chain_path: str = chain.DEVD_PATH,
        socket_path: Path | None = None,
    ) -> None:
        self.policy_path = policy_path.absolute()
        self.policy = policy
        self.policy_loaded = time.time()
        self.generation = 1
        self.policy_sig = _signature(policy_path)
        self.rejected: list[str] = []
        self.system = system
        self.host_path = host_path
        self.socket_path = socket_path or host_path(policy.daemon.socket)
        self.store = Store(host_path(policy.daemon.state_dir))
        self.work = BatchWork(
            system,
            self.store,
            chain_root=chain_root,
            chain_path=chain_path,
            stopping=lambda: self.scheduler.stopping,
        )
        self.notifier = Notifier()
        self.scheduler = Scheduler(policy.daemon, _policy_names(policy))
        self.loading = False
        self.load_again: str | None = None
        self.fallback: lastgood.Fallback | None = None
        self.next_watchdog: float | None = None
        self.ready_sent = False
        self.started: float | None = None
        self.reconciles = 0
        self.last: dict[str, Any] | None = None
        self.posted: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self.jobs: queue.SimpleQueue[Dispatch | None] = queue.SimpleQueue()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self.selector = selectors.DefaultSelector()
        self.listener: Listener | None = None
        self._pid_fd: int | None = None
        self.status_file = StatusFile(self.store)

    # -- life cycle --------------------------------------------------------

    def run(self) -> int:
        code = self._acquire_pidfile()
        if code != EX_OK:
            return code
        self._judge_policy_file()
        try:
            self.listener = Listener(
                self.socket_path,
                self._queue_message,
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
        interval = self.notifier.watchdog_interval()
        self.next_watchdog = time.monotonic() if interval else None
        log.info("started: policy %s, socket %s", self.policy_path, self.socket_path)
        self.scheduler.on_start(time.monotonic())
        try:
            self._loop(interval)
        finally:
            self.notifier.stopping()
            self.jobs.put(None)
            stop_by = self.scheduler.stop_by or time.monotonic()
            worker.join(timeout=max(0.0, stop_by - time.monotonic()))
            if worker.is_alive():
                log.warning("a reconcile was still running at exit; the next start repairs")
            if watch is not None:
                watch.stop()
            self.listener.close()
            self._write_status()
            log.info("stopped")
        return EX_OK

    def _acquire_pidfile(self) -> int:
        try:
            self._pid_fd = pidfile.acquire(self.store, self.policy.daemon.group)
        except pidfile.PidfileError as exc:
            log.error("%s", exc)
            print(f"laggroam: {exc}", file=sys.stderr)
            return exc.code
        return EX_OK

    def _start_watch(self) -> PolicyWatch | None:
        try:
            watch = PolicyWatch(self.policy_path, lambda: self._post("policy-changed", None))
            watch.start()
        except OSError as exc:
            log.warning(
                "not watching %s (%s); SIGHUP and the periodic check still reload",
                self.policy_path,
                exc,
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

    def _loop(self, watchdog_interval: float | None) -> None:
        assert self.listener is not None
        while not self.scheduler.finished(time.monotonic()):
            now = time.monotonic()
            deadline = self._next_deadline(now)
            timeout = None if deadline is None else max(0.0, deadline - now)
            for key, _ in self.selector.select(timeout):
                if key.data == "listen":
                    for conn in self.listener.accept():
                        self.selector.register(conn, selectors.EVENT_READ, "client")
                elif key.data == "wake":
                    with contextlib.suppress(BlockingIOError):
                        while self._wake_r.recv(4096):
                            pass
                else:
                    self.listener.readable(key.fd)
            self._drain_posted()
            now = time.monotonic()
            self.listener.expire(now)
            if self.scheduler.take_reload(now):
                self._reload()
            if watchdog_interval and self.next_watchdog and now >= self.next_watchdog:
                self.notifier.watchdog()
                self.next_watchdog = now + watchdog_interval
            self._maybe_dispatch(now)
            self._status_if_counted(now)

    def _status_if_counted(self, now: float) -> None:
        """Keep the status file's counters current, at most once a second."""
        counters = self._counters()
        if counters is not None and self.status_file.stale(counters, now):
            self._write_status()

    def _next_deadline(self, now: float) -> float | None:
        candidates = [
            self.scheduler.next_deadline(),
            self.status_file.due,
            self.next_watchdog,
            self.listener.next_deadline() if self.listener else None,
        ]
        return min((c for c in candidates if c is not None), default=None)

    def _maybe_dispatch(self, now: float) -> None:
        dispatch = self.scheduler.take_due(now)
        if dispatch is None:
            return
        if dispatch.periodic and _signature(self.policy_path) != self.policy_sig:
            self._reload()
        self.started = time.time()
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
                self.started = None
                self._write_status()
            elif kind == "loaded":
                self._on_loaded(*value)

    def _on_signal(self, signum: int) -> None:
        if signum == signal.SIGHUP:
            log.info("SIGHUP: reloading the policy")
            self.scheduler.cancel_reload()
            self._reload(requested=True)
        elif self.scheduler.on_stop(time.monotonic()):
            log.info("signal %d: finishing and exiting", signum)
            # No more connections: a flood must not keep the loop from ending.
            if self.listener is not None:
                self._unregister(self.listener.sock)

    # -- events ------------------------------------------------------------

    def _queue_message(self, intake: Intake) -> None:
        self.scheduler.on_message(intake, time.monotonic())

    # -- the worker --------------------------------------------------------

    def _worker(self) -> None:
        while True:
            dispatch = self.jobs.get()
            if dispatch is None:
                return
            self._post(*self.work.run(dispatch, self.policy, self.scheduler.names))

    def _on_done(self, outcome: Outcome | None) -> None:
        self.started = None
        self.reconciles += 1
        wake_in = None
        if outcome is not None:
            self.last = outcome.record(None)
            if outcome.wake_at is not None:
                wake_in = outcome.wake_at - time.time()
        self.scheduler.on_done(time.monotonic(), wake_in)
        summary = self._summary()
        if not self.ready_sent:
            self.notifier.ready(summary)
            self.ready_sent = True
        else:
            self.notifier.status(summary)
        self._write_status()

    # -- policy reload -----------------------------------------------------

    def _reload(self, *, requested: bool = False) -> None:
        """Load the policy again, off the main thread; ``requested`` (SIGHUP) always
        answers RELOADING/READY.

        Validation runs in a thread so that the socket, the timers and the
        dispatch go on meanwhile; a reload asked for during one runs after it.
        systemd's Type=notify-reload sends SIGHUP and waits for RELOADING=1
        then READY=1 (systemd.service(5)), even when nothing changed.
        """
        if self.loading:
            self.load_again = self.load_again or (requested and "requested") or "changed"
            return
        self.loading = True
        threading.Thread(
            target=self._load_policy, args=(requested,), name="policy-load", daemon=True
        ).start()

    def _load_policy(self, requested: bool) -> None:
        sig = _signature(self.policy_path)
        result: policy_mod.Policy | Exception
        try:
            result = policy_mod.load(self.policy_path, self.host_path)
        except (policy_mod.PolicyErrors, OSError) as exc:
            result = exc
        except Exception as exc:  # the daemon outlives any bug in validation
            log.exception("policy validation crashed")
            result = policy_mod.PolicyErrors(
                [policy_mod.PolicyError(str(self.policy_path), 1, f"validation failed: {exc!r}")]
            )
        self._post("loaded", (requested, sig, result))

    def _on_loaded(
        self, requested: bool, sig: tuple[int, int, int, int] | None, result: object
    ) -> None:
        self.loading = False
        again, self.load_again = self.load_again, None
        if isinstance(result, policy_mod.Policy):
            self._accept(result, sig, requested=requested)
        elif isinstance(result, policy_mod.PolicyErrors):
            self._refuse(result, sig, requested=requested)
        elif isinstance(result, OSError):
            log.warning("%s: %s; keeping the last good policy", self.policy_path, result.strerror)
        if again is not None:
            self._reload(requested=again == "requested")

    def _refuse(
        self,
        exc: policy_mod.PolicyErrors,
        sig: tuple[int, int, int, int] | None,
        *,
        requested: bool,
    ) -> None:
        self.rejected = [str(e) for e in exc.errors]
        self.policy_sig = sig
        for line in self.rejected:
            log.error("policy rejected, keeping the last good one: %s", line)
        if requested and self.ready_sent:
            self.notifier.reloading()
            self.notifier.ready(self._summary())
        else:
            self.notifier.status(self._summary())
        self._write_status()

    def _accept(
        self,
        new: policy_mod.Policy,
        sig: tuple[int, int, int, int] | None,
        *,
        requested: bool,
    ) -> None:
        self.policy_sig = sig
        self.rejected = []
        if self.fallback is not None:
            log.warning("%s is good again; the last good copy is no longer used", self.policy_path)
            self.fallback = None
        lastgood.remember(self.store, self.policy_path, new)
        if new == self.policy and not requested:
            self._write_status()
            return
        if self.ready_sent:
            self.notifier.reloading()
        if new == self.policy:
            log.info("policy unchanged")
        else:
            self._warn_restart_needed(new.daemon)
            self.policy = new
            self.policy_loaded = time.time()
            self.generation += 1
            log.info("policy reloaded from %s", self.policy_path)
            self.scheduler.on_policy(new.daemon, _policy_names(new), time.monotonic())
        self._notify_reloaded()
        self._write_status()

    def _judge_policy_file(self) -> None:
        """At start: keep a copy of a good file; say loudly when running on the copy."""
        try:
            on_disk = policy_mod.load(self.policy_path, self.host_path)
        except (policy_mod.PolicyErrors, OSError) as exc:
            if isinstance(exc, policy_mod.PolicyErrors):
                self.rejected = [str(e) for e in exc.errors]
            else:
                self.rejected = [f"{self.policy_path}: {exc.strerror or exc}"]
            problem = self.rejected[0] if self.rejected else "refused"
            self.fallback = lastgood.fallback(self.policy_path, problem, self.host_path)
            if self.fallback is not None:
                log.error("%s", self.fallback.describe())
            return
        if on_disk == self.policy:
            lastgood.remember(self.store, self.policy_path, on_disk)
        else:
            self.scheduler.reload_soon(time.monotonic())  # changed since the command read it

    def _notify_reloaded(self) -> None:
        """READY=1 after a reload, once the first reconcile has made us ready at all."""
        if self.ready_sent:
            self.notifier.ready(self._summary())
        else:
            self.notifier.status(self._summary())

    def _warn_restart_needed(self, new: policy_mod.DaemonPolicy) -> None:
        old = self.policy.daemon
        for key in ("socket", "state_dir", "group", "log"):
            if getattr(new, key) != getattr(old, key):
                log.warning("[daemon] %s changed: takes effect when the daemon restarts", key)

    # -- status ------------------------------------------------------------

    def _summary(self) -> str:
        parts = [f"{self.reconciles} reconciles"]
        if self.last is not None:
            state = "converged" if self.last.get("converged") else "not converged"
            parts.append(f"last: {len(self.last.get('actions', []))} actions, {state}")
        if self.fallback is not None:
            parts.append("RUNNING ON THE LAST GOOD POLICY")
        if self.rejected:
            parts.append(f"policy rejected: {self.rejected[0]}")
        return "; ".join(parts)

    def status(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "policy": str(self.policy_path),
            "policy_loaded": self.policy_loaded,
            "generation": self.generation,
            "laggs": {lagg.name: list(lagg.ports) for lagg in self.policy.laggs},
            "rejected": list(self.rejected),
            "last_good": None if self.fallback is None else self.fallback.to_json(),
            "socket": str(self.socket_path),
            "queue": len(self.scheduler.batch),
            "busy": self.scheduler.busy,
            "reconciling_since": self.started,
            "reconciles": self.reconciles,
            "accepted": self.listener.counters.accepted if self.listener else 0,
            "refused": self.listener.counters.refused if self.listener else 0,
            "last_reconcile": self.last,
            "time": time.time(),
        }

    def _counters(self) -> Counters | None:
        if self.listener is None:
            return None
        return (self.listener.counters.accepted, self.listener.counters.refused)

    def _write_status(self) -> None:
        self.status_file.write(self.status(), self._counters())
