"""What laggroam did and still waits for: the last reconcile, retries, holds, give-ups.

Read from the state directory (decision journal and memory) for ``laggroam
status``; nothing here observes the host.
"""

import time
from typing import Any

from laggroam import pending
from laggroam.store import Store


def summary(store: Store) -> dict[str, Any]:
    """The JSON ``status`` shows under "reconcile"."""
    memory = store.load_memory()
    records = store.read_journal(last=1)
    last = records[-1] if records else None
    now = time.time()
    return {
        "last": None
        if last is None
        else {
            "id": last.get("id"),
            "time": last.get("time"),
            "events": last.get("events", []),
            "actions": [a.get("command") for a in last.get("actions", [])],
            "failed": [a.get("command") for a in last.get("actions", []) if not a.get("ok")],
            "converged": last.get("converged"),
            "notes": last.get("notes", []),
        },
        "waiting": pending.from_memory(memory, now),
        "held": sorted(
            name for name, lagg in memory.laggs.items() if lagg.primary_link_since is not None
        ),
    }


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
