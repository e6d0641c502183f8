"""Whether a simulated host on which laggroam is installed has settled: the one test of it.

The demo, the scenarios, the end-to-end and the daemon tests all ask it here.
The host has settled when

* devd has nothing to deliver and is not delivering;
* laggroam's daemon, if one runs, has taken every message the hooks sent it
  since the caller's ``mark`` (its ``accepted`` counter against the hook
  deliveries in devd's log: a count, not a pause), holds no queued event and
  is not reconciling;
* no one-shot ``laggroam apply`` for the host is alive and no reconcile holds
  laggroam's lock;
* and a plan over the host as observed now has no action: a further
  reconcile would do nothing.
"""

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from laggroam.config import policy as policies
from laggroam.core import plan
from laggroam.core.action import Action
from laggroam.core.host import Host
from laggroam.daemon.daemonstatus import STATUS_FILE
from laggroam.edge.reconcile import observe_for
from laggroam.edge.store import Store
from laggroam.edge.system import System
from laggroam_sim import devd, inprocess
from laggroam_sim.devdlog import Delivery

POLICY = "usr/local/etc/laggroam/laggroam.ini"
# A plan depends on the clock too (stuck_after, failback_hold): an unchanged
# host is planned again at least this often.
RECHECK = 0.5
# laggroam's rules in devd's configuration, and what a hook says when it refuses a line
HOOK_RULES = "/usr/local/etc/devd/laggroam.conf:"
REFUSED = "laggroam-hook: refused"

Stamp = tuple[tuple[int, int, int] | None, ...]


def stamp(*paths: Path) -> Stamp:
    """What the files look like now, cheaply: (mtime, size, inode) each, None if absent.

    The simulated host changes only when a stand-in or a simulator verb writes
    ``DIR/state.json`` (always by rename: a new inode), so an unchanged stamp
    of it and of laggroam's state files means an unchanged observation.
    """
    out: list[tuple[int, int, int] | None] = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            out.append(None)
        else:
            out.append((st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(out)


def host_files(sim_dir: Path, state_dir: Path, policy_path: Path) -> tuple[Path, ...]:
    """The files whose change can change what a reconcile would do."""
    return (
        Path(sim_dir) / "state.json",
        Path(sim_dir) / "devd.journal",
        policy_path,
        state_dir / "state.json",
        state_dir / "journal.jsonl",
        state_dir / STATUS_FILE,
    )


def remaining(
    system: System, pol: policies.Policy, store: Store, host: Host | None = None
) -> list[Action]:
    """What a reconcile would do now (on ``host``, or the host observed now), by the
    product's own planner: [] when converged."""
    seen = host if host is not None else observe_for(system, pol)
    return list(plan.plan(pol, seen, store.load_memory(), (), time.time()).actions)


def hook_messages(deliveries: list[Delivery]) -> int:
    """How many of these deliveries ran a hook of laggroam's that hands its line on."""
    return sum(
        1
        for d in deliveries
        if d.rule is not None and HOOK_RULES in d.rule and REFUSED not in d.output
    )


def one_shots(sim_dir: Path) -> list[int]:
    """Pids of the host's ``laggroam apply`` processes still alive (its command, or --site DIR).

    A hook's detached one-shot is invisible to the lock until it takes it
    (interpreter start, chaining); /proc shows it from its first instruction.
    Without /proc (not Linux) the list is empty and only the lock is seen.
    """
    from laggroam_sim import binscripts

    here = str(Path(sim_dir).resolve())
    command = str(binscripts.command_path(sim_dir))
    wanted = ([command, "apply"], ["--site", here, "apply"], ["--sim", here, "apply"])
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            argv = (entry / "cmdline").read_bytes().decode("utf-8", "replace").split("\0")
        except OSError:
            continue  # gone meanwhile, or not ours to read
        if _running(argv, wanted) and entry.name != str(os.getpid()):
            found.append(int(entry.name))
    return sorted(found)


def _running(argv: list[str], wanted: tuple[list[str], ...]) -> bool:
    return any(argv[i : i + len(w)] == w for w in wanted for i in range(len(argv)))


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Settled:
    """The settling test for one simulated host under one policy.

    ``policy`` gives the policy in force (the demo's: the last one that
    loaded); by default the host's installed policy file.  Observation runs
    the stand-ins in this process (``inprocess``) unless ``system`` is given.
    """

    def __init__(
        self,
        sim_dir: Path,
        policy_path: Path | None = None,
        *,
        policy: Callable[[], policies.Policy] | None = None,
        system: System | None = None,
    ) -> None:
        self.dir = Path(sim_dir).resolve()
        self.policy_path = policy_path or devd.root_of(self.dir) / POLICY
        self._policy = policy or (lambda: policies.load(str(self.policy_path)))
        self.system = system or inprocess.system(self.dir)
        self._planned: tuple[Stamp, float, list[str]] | None = None
        self._log_mark = 0
        self._accepted_mark = 0
        self._daemon_pid: object = None  # the daemon counted for; marked when one appears

    def store(self, pol: policies.Policy) -> Store:
        return Store(devd.root_of(self.dir) / pol.daemon.state_dir.lstrip("/"))

    def daemon_status(self, store: Store) -> dict[str, Any]:
        """The daemon's status file; {} when there is none or no daemon runs."""
        try:
            data = json.loads((store.dir / STATUS_FILE).read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) and _alive(data.get("pid")) else {}

    def mark(self) -> None:
        """Count the hooks' messages to the daemon from here on."""
        self._log_mark = len(devd.read_log(self.dir))
        status = self.daemon_status(self.store(self._policy()))
        self._accepted_mark = int(status.get("accepted", 0))
        self._daemon_pid = status.get("pid")

    def taken(self) -> tuple[int, int]:
        """(messages the daemon accepted, messages the hooks sent it) since ``mark``."""
        sent = hook_messages(devd.read_log(self.dir)[self._log_mark :])
        status = self.daemon_status(self.store(self._policy()))
        return int(status.get("accepted", 0)) - self._accepted_mark, sent

    def look(self) -> list[str]:
        """[] when the host has settled; otherwise what is still going on."""
        devd.deliver(self.dir)  # a running devd would have
        if not devd.idle(self.dir):
            return ["devd is delivering events"]
        pol = self._policy()
        store = self.store(pol)
        waiting = self._daemon(store)
        if waiting:
            return waiting
        if shots := one_shots(self.dir):  # one walk of /proc per look: it costs ms
            return [f"laggroam apply running: pid {' '.join(map(str, shots))}"]
        return self._quiet(pol, store)

    def _daemon(self, store: Store) -> list[str]:
        status = self.daemon_status(store)
        if not status:
            return []
        if status.get("busy"):
            return ["the daemon is reconciling"]
        if status.get("queue"):
            return [f"the daemon holds {status['queue']} event(s)"]
        if status.get("pid") != self._daemon_pid:
            self.mark()  # another daemon: it counts its messages from its start
        accepted, sent = self.taken()
        if accepted < sent:
            return [f"the daemon has taken {accepted} of the hooks' {sent} message(s)"]
        return []

    def _quiet(self, pol: policies.Policy, store: Store) -> list[str]:
        """Under laggroam's lock for a moment: a follow-up asked meanwhile, or the plan.

        A hook's one-shot that meets the lock busy asks the holder for a
        follow-up and exits.  A follow-up request found while this look holds
        the lock will be served by nobody -- asked of the look itself, or left
        behind by a holder that had already made its last check
        (reconcile.locked_reconcile checks before it unlocks) -- so the look
        runs that follow-up reconcile, as asked.
        """
        with store.lock(wait=0) as got:
            if not got:
                return ["a reconcile is running"]
            asked = store.take_followup() is not None
            left = [] if asked else self._plan(pol, store)
        if asked or store.take_followup() is not None:
            _apply(self.dir)
            return ["a follow-up reconcile was asked for"]
        return left

    def _plan(self, pol: policies.Policy, store: Store) -> list[str]:
        key = stamp(*host_files(self.dir, store.dir, self.policy_path))
        last = self._planned
        if last is not None and last[0] == key and time.monotonic() - last[1] < RECHECK:
            return last[2]  # nothing changed since the last plan
        left = [a.command() for a in remaining(self.system, pol, store)]
        self._planned = (key, time.monotonic(), left)
        return left

    def wait(self, timeout: float, poll: float = 0.02) -> list[str]:
        """Look until the host settles: [] then, or what is still going on at the deadline."""
        deadline = time.monotonic() + timeout
        while True:
            left = self.look()
            if not left:
                return []
            if time.monotonic() >= deadline:
                return [f"not settled after {timeout:g} s", *left]
            time.sleep(poll)


def _apply(sim_dir: Path) -> None:
    laggroam = Path(sys.executable).with_name("laggroam")
    subprocess.run(
        [str(laggroam), "--sim", str(sim_dir), "apply"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
