"""What a reconcile's results change in memory: the one place memory follows what ran.

``plan`` records what it saw (the active port, since when a wlan is without
association); ``after`` records what was done and how it ended: a failed
action is held back with exponential back-off, a succeeded one forgotten as a
failure; a wpa_supplicant restart counts towards giving up and pushes the
next one back; a port that joined is remembered with the MAC it joined with.
Pure: the results and the time are arguments, so every rule is tested
without a process.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from laggroam.core.action import Action, AddLaggPort, RemoveLaggPort, RestartWpa
from laggroam.core.memory import Failure, LaggMemory, Memory, WlanMemory

# A failed action is retried after RETRY_BASE, then twice as long each time,
# never later than RETRY_MAX.
RETRY_BASE = 5.0
RETRY_MAX = 300.0
# wpa_supplicant restarts for "stuck" wait stuck_after, then twice as long
# each time, never longer than this.
MAX_WPA_BACKOFF = 600.0
# The journal and memory keep this much of a failure's detail.
DETAIL_MAX = 200


@dataclass(frozen=True, slots=True)
class Done:
    """One executed action and how it ended: ``ok`` when its effect was seen."""

    action: Action
    ok: bool
    detail: str


def after(memory: Memory, results: Sequence[Done], now: float) -> Memory:
    """The memory to keep once ``results`` (in the order they ran) ended at ``now``."""
    failures = dict(memory.failures)
    wlans = dict(memory.wlans)
    laggs = dict(memory.laggs)
    for done in results:
        failures = _failure(failures, done, now)
        action = done.action
        if isinstance(action, RestartWpa):
            wlans[action.target] = restarted(memory.wlan(action.target), action.stuck_after, now)
        elif isinstance(action, AddLaggPort | RemoveLaggPort) and done.ok:
            laggs[action.target] = _membership(laggs.get(action.target, LaggMemory()), action)
    return replace(memory, failures=failures, wlans=wlans, laggs=laggs)


def retry_delay(count: int) -> float:
    """How long an action that failed ``count`` times in a row is held back."""
    return min(RETRY_BASE * 2.0 ** (count - 1), RETRY_MAX)


def wpa_backoff(stuck_after: float, restarts: int) -> float:
    """How long after restart number ``restarts + 1`` the next one may come."""
    return min(stuck_after * 2.0**restarts, MAX_WPA_BACKOFF)


def restarted(wlan: WlanMemory, stuck_after: float, now: float) -> WlanMemory:
    """A wlan whose wpa_supplicant was restarted at ``now``.

    It counts whether or not the new supplicant came up: a restart that does
    not help is what the count gives up on (plan.MAX_WPA_RESTARTS).
    """
    return replace(
        wlan,
        restarts=wlan.restarts + 1,
        next_restart=now + wpa_backoff(stuck_after, wlan.restarts),
    )


def _failure(failures: dict[str, Failure], done: Done, now: float) -> dict[str, Failure]:
    key = done.action.key
    if done.ok:
        failures.pop(key, None)
        return failures
    previous = failures.get(key)
    count = previous.count + 1 if previous is not None else 1
    failures[key] = Failure(count, now + retry_delay(count), done.detail[:DETAIL_MAX])
    return failures


def _membership(lagg: LaggMemory, action: AddLaggPort | RemoveLaggPort) -> LaggMemory:
    """lp_lladdr after a port joined (with the MAC it wore) or left.

    The lagg keeps each port's MAC from when it joined and gives it back when
    it leaves (sys/net/if_lagg.c lagg_port_create, lagg_port_destroy).
    """
    macs: Mapping[str, str] = lagg.lp_lladdr
    if isinstance(action, RemoveLaggPort):
        if action.port not in macs:
            return lagg
        macs = {p: m for p, m in macs.items() if p != action.port}
    elif action.mac is None or macs.get(action.port) == action.mac:
        return lagg
    else:
        macs = {**macs, action.port: action.mac}
    return replace(lagg, lp_lladdr=macs)
