"""Waiting, with a deadline, for a simulated host on which laggroam is installed to settle.

Once devd hands events to laggroam's hooks, the work goes on in detached
one-shot reconciles, so a test or the demo cannot know when it is over by
itself.  The host has settled when devd has nothing to deliver and is not
delivering, no one-shot ``laggroam apply`` for it is alive, no reconcile holds
laggroam's lock, and a plan over the host as observed now has no action: a
further reconcile would do nothing.
"""

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from laggroam.edge.runner import Result
from laggroam.edge.system import System
from laggroam_sim import devd, standin
from laggroam_sim.site import site_of

POLICY = "usr/local/etc/laggroam/laggroam.ini"
POLL = 0.05
# A plan depends on the clock too (stuck_after, failback_hold): an unchanged
# host is planned again at least this often.
RECHECK = 0.5

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
        state_dir / "daemon.json",
    )


def _system(sim_dir: Path) -> System:
    """The product's System on the stand-ins, run in this process (no deliveries)."""
    bin_dir = str((Path(sim_dir) / "bin").resolve())

    def runner(argv: Sequence[str], timeout: float) -> Result:
        args = tuple(argv)
        if str(Path(args[0]).parent) != bin_dir:
            return Result(args, None, error=f"not a stand-in: {args[0]}")
        started = time.monotonic()
        done = standin.execute(Path(args[0]).name, list(args[1:]), Path(sim_dir))
        return Result(args, done.status, done.out, done.err, None, time.monotonic() - started)

    return System(site_of(Path(sim_dir)).programs, runner=runner)


def quiet_plan(sim_dir: Path) -> list[str]:
    """What a reconcile would do now (empty: nothing), by the product's own planner."""
    from laggroam.config import policy
    from laggroam.core import plan
    from laggroam.edge.reconcile import observe_for
    from laggroam.edge.store import Store

    root = devd.root_of(sim_dir)
    pol = policy.load(str(root / POLICY))
    store = Store(root / pol.daemon.state_dir.lstrip("/"))
    host = observe_for(_system(sim_dir), pol)
    result = plan.plan(pol, host, store.load_memory(), (), time.time())
    return [a.command() for a in result.actions]


def wait_settled(sim_dir: Path, timeout: float = 60.0) -> list[str]:
    """Poll until the host settles; returns [] then, or what is still to do at the deadline.

    The probe takes laggroam's lock for a moment.  A hook's one-shot that
    meets the lock busy asks the holder for a follow-up and exits.  A
    follow-up request found while the probe holds the lock will be served by
    nobody -- asked of the probe itself, or left behind by a holder that had
    already made its last check (reconcile.locked_reconcile checks before it
    unlocks) -- so the probe runs that follow-up reconcile, as asked.
    """
    from laggroam.config import policy
    from laggroam.edge.store import Store

    sim_dir = Path(sim_dir).resolve()
    root = devd.root_of(sim_dir)
    pol = policy.load(str(root / POLICY))
    store = Store(root / pol.daemon.state_dir.lstrip("/"))
    deadline = time.monotonic() + timeout
    left: list[str] = []
    planned: tuple[Stamp, float, list[str]] | None = None
    files = host_files(sim_dir, store.dir, root / POLICY)
    while time.monotonic() < deadline:
        devd.deliver(sim_dir)  # a running devd would have
        if not devd.idle(sim_dir):
            left = ["devd is delivering events"]
        elif shots := one_shots(sim_dir):  # one walk of /proc per look: it costs ms
            left = [f"laggroam apply running: pid {' '.join(map(str, shots))}"]
        else:
            with store.lock(wait=0) as got:
                asked = got and store.take_followup() is not None
                if not got:
                    left = ["a reconcile is running"]
                elif (
                    planned is not None
                    and planned[0] == stamp(*files)
                    and time.monotonic() - planned[1] < RECHECK
                ):
                    left = planned[2]  # nothing changed since the last plan
                else:
                    key = stamp(*files)
                    left = quiet_plan(sim_dir)
                    planned = (key, time.monotonic(), left)
            if got and (asked or store.take_followup() is not None):
                _apply(sim_dir)
                continue
            if got and not left and devd.idle(sim_dir) and not one_shots(sim_dir):
                return []
        time.sleep(POLL)
    return [f"not settled after {timeout:g} s", *left]


def one_shots(sim_dir: Path) -> list[int]:
    """Pids of the host's ``laggroam apply`` processes still alive (its command, or --site DIR).

    A hook's detached one-shot is invisible to the lock until it takes it
    (interpreter start, chaining); /proc shows it from its first instruction.
    Without /proc (not Linux) the list is empty and only the lock is seen.
    """
    here = str(Path(sim_dir).resolve())
    command = str(standin.command_path(sim_dir))
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
