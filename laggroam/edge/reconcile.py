"""One reconcile: observe, plan, execute, verify -- serialised host-wide.

Execution never stops at a failed action: each one's result is recorded, the
host is observed again until every action's effect shows or a deadline
passes.  What the results change in memory (an action whose effect never
showed is retried with back-off, a restart counted) is decided by the pure
:func:`laggroam.core.after.after`; this module runs, verifies and stores.
"""

import contextlib
import contextvars
import logging
import time
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from laggroam.config.policy import Policy
from laggroam.core.action import Action
from laggroam.core.after import RETRY_BASE, RETRY_MAX, Done, after
from laggroam.core.event import Event
from laggroam.core.host import Host
from laggroam.core.memory import Memory
from laggroam.core.plan import Plan, plan
from laggroam.core.programs import Programs
from laggroam.edge.store import Store
from laggroam.edge.system import ObserveError, System

log = logging.getLogger(__name__)

__all__ = [
    "MAX_ROUNDS",
    "RETRY_BASE",
    "RETRY_MAX",
    "VERIFY_DEADLINE",
    "Done",
    "Outcome",
    "current_id",
    "locked_reconcile",
    "observe_for",
    "reconcile",
    "touched",
]

MAX_ROUNDS = 4
VERIFY_DEADLINE = 5.0

# The id of the reconcile in progress; every log line of it carries the id.
current_id: contextvars.ContextVar[str] = contextvars.ContextVar("reconcile_id", default="-")


@dataclass
class Outcome:
    """What a reconcile did; ``converged`` when the last plan asked for nothing."""

    id: str
    events: tuple[Event, ...]
    done: list[Done] = field(default_factory=list)
    notes: tuple[str, ...] = ()
    converged: bool = False
    observed: bool = True
    error: str | None = None
    # Not run at all: the state directory was unsafe (``error`` says why).
    refused: bool = False
    seconds: float = 0.0
    wake_at: float | None = None

    @property
    def failed(self) -> list[Done]:
        return [d for d in self.done if not d.ok]

    def summary(self) -> str:
        if not self.observed:
            return f"reconcile {self.id}: host not observed: {self.error}"
        state = "converged" if self.converged else "NOT converged"
        return (
            f"reconcile {self.id}: {len(self.done)} action(s), {len(self.failed)} failed,"
            f" {state} in {self.seconds:.2f}s"
        )

    def record(self, host: Host | None) -> dict[str, Any]:
        """The decision journal's entry for this reconcile."""
        return {
            "id": self.id,
            "time": time.time(),
            "events": [str(e) for e in self.events],
            "observed": _summary(host) if host is not None else None,
            "actions": [
                {
                    "command": d.action.command(),
                    "reason": d.action.reason,
                    "ok": d.ok,
                    "detail": d.detail,
                }
                for d in self.done
            ],
            "notes": list(self.notes),
            "converged": self.converged,
            "error": self.error,
            "seconds": round(self.seconds, 3),
        }


def reconcile(
    system: System,
    policy: Policy,
    store: Store,
    events: Sequence[Event] = (),
    *,
    clock: Callable[[], float] = time.time,
    verify_deadline: float = VERIFY_DEADLINE,
) -> Outcome:
    """Run one reconcile; the caller holds the lock (see ``locked_reconcile``)."""
    outcome = Outcome(uuid.uuid4().hex[:8], tuple(events))
    token = current_id.set(outcome.id)
    try:
        return _reconcile(
            system, policy, store, outcome, clock=clock, verify_deadline=verify_deadline
        )
    finally:
        current_id.reset(token)


def _reconcile(
    system: System,
    policy: Policy,
    store: Store,
    outcome: Outcome,
    *,
    clock: Callable[[], float],
    verify_deadline: float,
) -> Outcome:
    started = time.monotonic()
    events = outcome.events
    memory = store.load_memory().after_clock_jump(clock())
    host: Host | None = None
    pending_events: Sequence[Event] = events
    try:
        host = observe_for(system, policy)
        for _ in range(MAX_ROUNDS):
            p = plan(policy, host, memory, pending_events, clock())
            memory = p.memory
            outcome.notes = p.notes
            outcome.wake_at = p.wake_at
            if not p.actions:
                outcome.converged = True
                break
            host, memory = _execute(
                system,
                policy,
                p,
                memory,
                outcome,
                before=host,
                clock=clock,
                verify_deadline=verify_deadline,
            )
            pending_events = ()
            if outcome.failed:
                break
    except ObserveError as exc:
        outcome.observed = False
        outcome.error = str(exc)
    outcome.seconds = time.monotonic() - started
    _keep(outcome, "memory", lambda: store.save_memory(memory))
    _keep(outcome, "journal", lambda: store.append_journal(outcome.record(host)))
    log.info("%s", outcome.summary())
    return outcome


def _keep(outcome: Outcome, what: str, write: Callable[[], None]) -> None:
    """Write ``what`` to the state directory; a full or read-only disk is logged, not fatal.

    The host was already acted on: losing the record of it must not lose the
    reconcile's result (the next reconcile starts from observation).
    """
    try:
        write()
    except OSError as exc:
        log.error("%s not saved (%s): %s", what, outcome.id, exc.strerror or exc)
        outcome.notes = (*outcome.notes, f"{what} not saved: {exc.strerror or exc}")


def locked_reconcile(
    system: System,
    policy: Policy,
    store: Store,
    events: Sequence[Event] = (),
    *,
    coalesce: bool = False,
    clock: Callable[[], float] = time.time,
) -> Outcome | None:
    """Reconcile under the host-wide lock.

    With ``coalesce`` (what a hook's one-shot asks for), a reconcile already
    running is asked for a follow-up -- with this call's events -- instead of
    waiting, and None is returned.  Whoever holds the lock serves every
    follow-up requested before it lets go, and looks once more after letting
    go, so a request made in that instant is not left behind.
    """
    wait: float | None = 0 if coalesce else None
    todo = list(events)
    outcome: Outcome | None = None
    served = requested = False
    while True:
        with contextlib.ExitStack() as stack:
            try:
                got = stack.enter_context(store.lock(wait=wait))
            except OSError as exc:
                # An unsafe state directory or a link planted for the lock:
                # nothing is run unserialised; the caller reports the one line.
                error = f"reconcile refused: {exc.filename or store.dir}: {exc.strerror or exc}"
                log.info("%s", error)
                return Outcome(
                    uuid.uuid4().hex[:8], tuple(events), observed=False, error=error, refused=True
                )
            if got:
                served = True
                outcome = reconcile(system, policy, store, todo, clock=clock)
                todo = []
                while (more := store.take_followup()) is not None:
                    outcome = reconcile(system, policy, store, more, clock=clock)
            elif served or requested:
                return outcome
            else:
                store.request_followup(todo)
                requested = True
        if not store.followup_pending():
            return outcome
        wait = 0


def observe_for(
    system: System, policy: Policy, *, reuse: Host | None = None, changed: Collection[str] = ()
) -> Host:
    """Observe what the policy needs: dhclient on laggs and ports, wpa on wlans.

    The radios are asked only when a wlan of the policy is missing; ``reuse``
    and ``changed`` let a verification keep the ``wpa_cli`` answers of wlans
    that no action touched (System.observe).
    """
    dhcp = [lagg.name for lagg in policy.laggs]
    dhcp += [p for lagg in policy.laggs for p in lagg.ports]
    wpa = [w.name for w in policy.wlans if w.wpa]
    return system.observe(
        dhcp_ifaces=dhcp,
        wpa_ifaces=wpa,
        wlans=[w.name for w in policy.wlans],
        reuse=reuse,
        changed=changed,
    )


def touched(actions: Sequence[Action], host: Host, programs: Programs) -> set[str]:
    """The interfaces whose state the actions may have changed.

    An action changes its target (and the port it adds or removes); an
    ifconfig change of a lagg re-programs its ports (sys/net/if_lagg.c
    lagg_port_lladdr on an ether change; lagg_init on up), so a lagg's ports
    count as touched too.
    """
    names: set[str] = set()
    for action in actions:
        names.add(action.target)
        port = getattr(action, "port", None)
        if isinstance(port, str):
            names.add(port)
        lagg = host.laggs().get(action.target)
        if lagg is not None and any(a[0] == programs.ifconfig for a in action.argvs(programs)):
            names.update(lagg.port_names)
    return names


def _execute(
    system: System,
    policy: Policy,
    p: Plan,
    memory: Memory,
    outcome: Outcome,
    *,
    before: Host,
    clock: Callable[[], float],
    verify_deadline: float,
) -> tuple[Host, Memory]:
    results = [(action, system.execute(action)[-1]) for action in p.actions]
    changed = touched(p.actions, before, system.programs)
    host = _verified(
        system,
        policy,
        [a for a, _ in results],
        before=before,
        changed=changed,
        verify_deadline=verify_deadline,
    )
    done = []
    for action, result in results:
        ok = action.done(host)
        detail = "done" if ok else (result.describe() if not result.ok else "no visible effect")
        done.append(Done(action, ok, detail))
        _log_action(outcome.id, action, ok, detail)
    outcome.done.extend(done)
    return host, after(memory, done, clock())


def _verified(
    system: System,
    policy: Policy,
    actions: Sequence[Action],
    *,
    before: Host,
    changed: Collection[str],
    verify_deadline: float,
) -> Host:
    """Observe until every action's effect shows, or the deadline passes (backing off)."""
    host = observe_for(system, policy, reuse=before, changed=changed)
    deadline = time.monotonic() + verify_deadline
    delay = 0.05
    while not all(a.done(host) for a in actions) and time.monotonic() < deadline:
        time.sleep(delay)
        delay = min(delay * 2, 0.5)
        host = observe_for(system, policy, reuse=before, changed=changed)
    return host


def _log_action(rid: str, action: Action, ok: bool, detail: str) -> None:
    """One line per action: what ran, why, and how it ended (laggroam.ini(5) log_level info).

    A failure is a warning: it is what an administrator looks for, and it is
    retried with backoff, so it is not (yet) an error.
    """
    if ok:
        log.info("reconcile %s: ran %s, because %s: done", rid, action.command(), action.reason)
    else:
        log.warning(
            "reconcile %s: ran %s, because %s: FAILED: %s",
            rid,
            action.command(),
            action.reason,
            detail,
        )


def _summary(host: Host) -> dict[str, Any]:
    laggs = {
        name: {"ports": list(lagg.port_names), "primary": lagg.primary, "active": lagg.active}
        for name, lagg in host.laggs().items()
    }
    return {"interfaces": list(host.names()), "laggs": laggs, "unknown": list(host.unknown)}
