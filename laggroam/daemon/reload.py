"""The policy in force and how a changed file replaces it, without stopping the daemon.

Validation runs in a thread so that the socket, the timers and the dispatch go
on meanwhile; a reload asked for during one runs after it.  A good file is
taken (and kept as the last good policy), a bad one is reported and the policy
in force kept; at start, a bad file falls back to the saved copy.  What the
supervisor is told about it is the daemon's business (notify.Readiness): this
module answers with a :class:`Verdict`.
"""

import enum
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from laggroam.config import policy as policy_mod
from laggroam.edge import lastgood
from laggroam.edge.store import Store

log = logging.getLogger(__name__)

Signature = tuple[int, int, int, int]
# [daemon] keys read once, at start.
RESTART_KEYS = ("socket", "state_dir", "group", "log")


def signature(path: Path) -> Signature | None:
    """What tells a saved file from the one read: device, inode, size, mtime."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def policy_names(policy: policy_mod.Policy) -> frozenset[str]:
    """Every interface the policy names: events about others cannot change its plan."""
    names = {lagg.name for lagg in policy.laggs}
    names.update(port for lagg in policy.laggs for port in lagg.ports)
    names.update(w.name for w in policy.wlans)
    names.update(w.parent for w in policy.wlans)
    return frozenset(names)


@dataclass(frozen=True)
class Loaded:
    """One validation's result, handed back to the main loop."""

    requested: bool  # SIGHUP: the supervisor waits for RELOADING=1 then READY=1
    sig: Signature | None
    result: policy_mod.Policy | policy_mod.PolicyErrors | OSError


class Verdict(enum.Enum):
    """What a finished reload means for the daemon."""

    UNREADABLE = "unreadable"  # logged; nothing else changes
    KEPT = "kept"  # the same policy, nobody asked: only the status file
    UNCHANGED = "unchanged"  # the same policy, asked for (SIGHUP): RELOADING, READY
    TAKEN = "taken"  # a new policy in force: reconcile under it; RELOADING, READY
    REFUSED = "refused"  # rejected, the policy in force kept


class PolicyReload:
    """The policy in force, its file's state, and the one reload at a time."""

    def __init__(
        self,
        path: Path,
        policy: policy_mod.Policy,
        host_path: Callable[[str], Path],
        store: Store,
        post: Callable[[Loaded], None],
    ) -> None:
        self.path = path.absolute()
        self.policy = policy
        self.loaded_at = time.time()
        self.generation = 1
        self.sig = signature(path)
        self.rejected: list[str] = []
        self.fallback: lastgood.Fallback | None = None
        self.host_path = host_path
        self.store = store
        self.post = post
        self.loading = False
        self.load_again: str | None = None

    def judge_at_start(self) -> bool:
        """Keep a copy of a good file; say loudly when running on the copy.

        True when the file changed since the command read it: reload soon.
        """
        try:
            on_disk = policy_mod.load(self.path, self.host_path)
        except (policy_mod.PolicyErrors, OSError) as exc:
            if isinstance(exc, policy_mod.PolicyErrors):
                self.rejected = [str(e) for e in exc.errors]
            else:
                self.rejected = [f"{self.path}: {exc.strerror or exc}"]
            problem = self.rejected[0] if self.rejected else "refused"
            self.fallback = lastgood.fallback(self.path, problem, self.host_path)
            if self.fallback is not None:
                log.error("%s", self.fallback.describe())
            return False
        if on_disk == self.policy:
            lastgood.remember(self.store, self.path, on_disk)
            return False
        return True

    def changed_on_disk(self) -> bool:
        return signature(self.path) != self.sig

    def start(self, *, requested: bool = False) -> None:
        """Validate the file again in a thread; one asked for meanwhile runs after it.

        systemd's Type=notify-reload sends SIGHUP and waits for RELOADING=1
        then READY=1 (systemd.service(5)), even when nothing changed: hence
        ``requested``.
        """
        if self.loading:
            self.load_again = self.load_again or (requested and "requested") or "changed"
            return
        self.loading = True
        threading.Thread(
            target=self.load, args=(requested,), name="policy-load", daemon=True
        ).start()

    def load(self, requested: bool) -> None:
        """Validate the file now and post the result (the loading thread's body)."""
        sig = signature(self.path)
        result: policy_mod.Policy | policy_mod.PolicyErrors | OSError
        try:
            result = policy_mod.load(self.path, self.host_path)
        except (policy_mod.PolicyErrors, OSError) as exc:
            result = exc
        except Exception as exc:  # the daemon outlives any bug in validation
            log.exception("policy validation crashed")
            result = policy_mod.PolicyErrors(
                [policy_mod.PolicyError(str(self.path), 1, f"validation failed: {exc!r}")]
            )
        self.post(Loaded(requested, sig, result))

    def finish(self, loaded: Loaded) -> Verdict:
        """Take or refuse what a validation found; a reload asked for meanwhile starts."""
        self.loading = False
        again, self.load_again = self.load_again, None
        result = loaded.result
        if isinstance(result, policy_mod.Policy):
            verdict = self._accept(result, loaded.sig, requested=loaded.requested)
        elif isinstance(result, policy_mod.PolicyErrors):
            verdict = self._refuse(result, loaded.sig)
        else:
            log.warning("%s: %s; keeping the last good policy", self.path, result.strerror)
            verdict = Verdict.UNREADABLE
        if again is not None:
            self.start(requested=again == "requested")
        return verdict

    def _refuse(self, exc: policy_mod.PolicyErrors, sig: Signature | None) -> Verdict:
        self.rejected = [str(e) for e in exc.errors]
        self.sig = sig
        for line in self.rejected:
            log.error("policy rejected, keeping the last good one: %s", line)
        return Verdict.REFUSED

    def _accept(self, new: policy_mod.Policy, sig: Signature | None, *, requested: bool) -> Verdict:
        self.sig = sig
        self.rejected = []
        if self.fallback is not None:
            log.warning("%s is good again; the last good copy is no longer used", self.path)
            self.fallback = None
        lastgood.remember(self.store, self.path, new)
        if new == self.policy:
            if not requested:
                return Verdict.KEPT
            log.info("policy unchanged")
            return Verdict.UNCHANGED
        self._warn_restart_needed(new.daemon)
        self.policy = new
        self.loaded_at = time.time()
        self.generation += 1
        log.info("policy reloaded from %s", self.path)
        return Verdict.TAKEN

    def _warn_restart_needed(self, new: policy_mod.DaemonPolicy) -> None:
        old = self.policy.daemon
        for key in RESTART_KEYS:
            if getattr(new, key) != getattr(old, key):
                log.warning("[daemon] %s changed: takes effect when the daemon restarts", key)
