"""What laggroam did and still waits for: the last reconcile, retries, holds, give-ups.

Read from the state directory (decision journal and memory) for ``laggroam
status``; nothing here observes the host.
"""

import time
from typing import Any

from laggroam.edge import pending
from laggroam.edge.store import Store


def summary(store: Store) -> dict[str, Any]:
    """The JSON ``status`` shows under "reconcile"."""
    memory = store.load_memory()
    records = store.read_journal(last=1)
    last = _last_of(records[-1]) if records else None
    now = time.time()
    return {
        "last": last,
        "waiting": pending.from_memory(memory, now),
        "held": sorted(
            name for name, lagg in memory.laggs.items() if lagg.primary_link_since is not None
        ),
    }


def _last_of(record: dict[str, Any]) -> dict[str, Any]:
    """The summary of one journal record, whatever its fields hold (it is read from disk)."""
    actions = [a for a in _list(record.get("actions")) if isinstance(a, dict)]
    when, ident = record.get("time"), record.get("id")
    sane_time = isinstance(when, int | float) and not isinstance(when, bool) and 0 <= when < 2**33
    return {
        "id": ident if isinstance(ident, str | int) and not isinstance(ident, bool) else None,
        "time": when if sane_time else None,
        "events": [str(e) for e in _list(record.get("events"))],
        "actions": [str(a.get("command")) for a in actions],
        "failed": [str(a.get("command")) for a in actions if not a.get("ok")],
        "converged": record.get("converged") is True,
        "notes": [str(n) for n in _list(record.get("notes"))],
    }


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def render(info: dict[str, Any]) -> str:
    """The lines ``status`` prints after the host's."""
    lines = []
    last = info["last"]
    if last is None:
        lines.append("last reconcile: none recorded")
    else:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(last["time"] or 0))
        state = "converged" if last["converged"] else "NOT converged"
        lines.append(
            f"last reconcile: {when} ({last['id']}), {len(last['actions'])} action(s),"
            f" {len(last['failed'])} failed, {state}"
        )
        lines.extend(f"  failed: {cmd}" for cmd in last["failed"])
        lines.extend(f"  note: {note}" for note in last["notes"])
    lines.extend(pending.render(info["waiting"]))
    return "\n".join(lines) + "\n"
