"""What laggroam is waiting for between reconciles: retries in back-off, wpa restarts, give-ups.

Read from the memory alone, so that ``plan`` and ``status`` tell the same
story: a host can look right while a command waits to be tried again, and
"nothing to do" must not hide that.
"""

from typing import Any

from laggroam.core.memory import Memory

__all__ = ["from_memory", "is_waiting", "render"]


def from_memory(memory: Memory, now: float) -> dict[str, Any]:
    """The JSON both ``plan --json`` and ``status --json`` carry under "waiting"."""
    return {
        "retrying": {
            key: {
                "count": failure.count,
                "retry_at": failure.retry_at,
                "next_try_in": max(0.0, round(failure.retry_at - now, 1)),
                "last_error": failure.last_error,
            }
            for key, failure in sorted(memory.failures.items())
        },
        "wpa_restarts": {
            name: {
                "restarts": wlan.restarts,
                "next_restart": wlan.next_restart,
                "next_in": max(0.0, round(wlan.next_restart - now, 1)),
            }
            for name, wlan in sorted(memory.wlans.items())
            if wlan.restarts and not wlan.gave_up
        },
        "gave_up": sorted(name for name, wlan in memory.wlans.items() if wlan.gave_up),
    }


def is_waiting(info: dict[str, Any]) -> bool:
    return bool(info["retrying"] or info["wpa_restarts"] or info["gave_up"])


def render(info: dict[str, Any]) -> list[str]:
    """One line per thing laggroam waits for or gave up on."""
    lines = []
    for key, retry in info["retrying"].items():
        last = f"; last: {retry['last_error']}" if retry["last_error"] else ""
        lines.append(
            f"retrying: {key} failed {retry['count']} time(s),"
            f" next try {_when(retry['next_try_in'])}{last}"
        )
    for name, wlan in info["wpa_restarts"].items():
        lines.append(
            f"retrying: wpa_supplicant on {name} restarted {wlan['restarts']} time(s) without"
            f" association, next restart {_when(wlan['next_in'])}"
        )
    lines.extend(
        f"gave up: wpa_supplicant on {name} keeps failing to associate; laggroam tries again"
        " after the next association, ATTACH or resume"
        for name in info["gave_up"]
    )
    return lines


def _when(seconds: float) -> str:
    return f"in {seconds:g}s" if seconds > 0 else "at the next reconcile"
