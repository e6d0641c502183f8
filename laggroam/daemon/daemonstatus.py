"""The running daemon as ``laggroam status`` sees it, without loading the daemon.

Reading the status file must not import the daemon's modules (watchdog alone
costs tens of milliseconds at every ``laggroam status``).
"""

import fcntl
import json
import os
import time
from typing import Any

from laggroam.edge.store import Store

STATUS_FILE = "daemon.json"
PID_FILE = "daemon.pid"


def read_status(store: Store) -> dict[str, Any] | None:
    """The running daemon's status, or None when no daemon holds the pid lock.

    A pid file this user may not read leaves it unknown (``running`` None):
    a daemon may well run, and saying "not running" would be a lie.
    """
    path = store.dir / PID_FILE
    try:
        fd = store.open_file(PID_FILE, os.O_RDONLY)
    except PermissionError as exc:
        return {"running": None, "error": f"{exc.filename or path}: {exc.strerror}"}
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        running = True
    else:
        running = False
    finally:
        os.close(fd)
    if not running:
        return None
    try:
        data = json.loads(store.read(STATUS_FILE))
    except (OSError, ValueError):
        data = None
    if not isinstance(data, dict):
        return {"running": True}
    data["running"] = True
    return data


def render_status(status: dict[str, Any] | None) -> str:
    """The daemon block of ``laggroam status``."""
    if status is None:
        return "daemon: not running\n"
    if status.get("running") is None:
        return f"daemon: unknown, the state is not readable ({status.get('error', '?')})\n"
    lines = [f"daemon: running (pid {status.get('pid', '?')})"]
    if "policy" in status:
        lines.append(f"  policy    {status['policy']} (generation {status.get('generation', '?')})")
    last_good = status.get("last_good")
    if isinstance(last_good, dict):
        saved = time.localtime(float(last_good.get("saved", 0)))
        lines.append(
            f"  POLICY FILE REFUSED: running on the last good copy (sha256"
            f" {str(last_good.get('sha256', '?'))[:12]}, saved"
            f" {time.strftime('%Y-%m-%d %H:%M:%S', saved)})"
        )
    for rejected in status.get("rejected") or []:
        lines.append(f"  rejected  {rejected}")
    busy = " (reconciling now)" if status.get("busy") else ""
    if "queue" in status:
        lines.append(f"  queue     {status['queue']} event(s) waiting{busy}")
    last = status.get("last_reconcile")
    if isinstance(last, dict):
        state = "converged" if last.get("converged") else "NOT converged"
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(last.get("time", 0))))
        lines.append(
            f"  last      {last.get('id', '?')} at {when}: "
            f"{len(last.get('actions', []))} action(s), {state}"
        )
    lines.append(
        f"  socket    {status.get('socket', '?')}: {status.get('accepted', 0)} accepted,"
        f" {status.get('refused', 0)} refused"
    )
    return "\n".join(lines) + "\n"
