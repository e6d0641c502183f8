"""Host programs laggroam starts: per reconcile, per event without a daemon, and the old way.

Counts, not timings, carry the claim: on FreeBSD each program is a fork and
exec (and ``service NAME status`` a /bin/sh that reads rc.subr and every
rc.conf file), while the simulator's stand-ins are Python programs whose
start-up is reported separately.  Every count is of the argv laggroam hands
the runner, on the seed laptop, so it is what a real host would be asked.

* converged: a reconcile with nothing to do;
* one action: after an unplug of em0 (the renewal ``renew_dhcp = on-failover``
  asks for), observe, act, verify;
* after resume: suspend and resume in the simulator, then the reconcile with
  the RESUME event;
* per event, no daemon: what the hook's detached ``laggroam apply --coalesce
  --devd LINE`` runs for an unplug (chaining the stock rule and the
  reconcile), plus the hook and the one-shot themselves;
* observation: the seven programs the observation ran before (``ifconfig -a``,
  ``sysctl net.wlan.devices``, four ``service ... status``, ``wpa_cli``)
  against ``observe()`` now, both as processes, timed interleaved.
"""

import contextlib
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from laggroam_sim import standin
from laggroam_sim.site import site_of

from bench.simhost import Laptop, sim
from bench.stats import Row, Summary, interleaved, ratio, time_argv, time_call
from laggroam.config import policy
from laggroam.core.event import Event
from laggroam.core.programs import Programs
from laggroam.devd import chain
from laggroam.edge import system as system_mod
from laggroam.edge.reconcile import observe_for, reconcile
from laggroam.edge.runner import Result, run
from laggroam.edge.store import Store
from laggroam.edge.system import System

CONVERGED_TARGET = 3
# Before: ifconfig -a, sysctl, four service ... status, wpa_cli (converged);
# 15-17 after one cable event; 21-23 processes per event without a daemon.
BEFORE = {"converged": "7", "one action": "15-17", "after resume": "15-17", "event": "21-23"}
# laggroam's own processes for one event without a daemon: the hook and the one-shot.
OWN_PROCESSES = 2


def in_process(sim_dir: Path, calls: list[str]) -> System:
    """The product's System on the stand-ins, run in this process, every argv counted."""
    bin_dir = str((sim_dir / "bin").resolve())

    def runner(argv: Sequence[str], timeout: float) -> Result:
        args = tuple(argv)
        calls.append(Path(args[0]).name)
        if str(Path(args[0]).parent) != bin_dir:
            return run(args, timeout=timeout)
        done = standin.execute(Path(args[0]).name, list(args[1:]), sim_dir)
        return Result(args, done.status, done.out, done.err)

    return System(site_of(sim_dir).programs, runner=runner)


def per_reconcile(laptop: Laptop) -> dict[str, int]:
    pol = policy.load(laptop.policy_path)
    store = Store(laptop.state_dir)
    calls: list[str] = []
    system = in_process(laptop.sim_dir, calls)
    for _ in range(3):
        if reconcile(system, pol, store).converged:
            break
    counts = {}
    cases: list[tuple[str, Callable[[], None], list[Event]]] = [
        ("converged", lambda: None, []),
        ("one action", lambda: sim(laptop.sim_dir, "unplug", "em0"), [Event("LINK_DOWN", "em0")]),
        ("after resume", lambda: _suspend_resume(laptop), [Event("RESUME")]),
    ]
    for name, world, events in cases:
        world()
        calls.clear()
        reconcile(system, pol, store, events)
        counts[name] = len(calls)
    sim(laptop.sim_dir, "plug", "em0")
    reconcile(system, pol, store, [Event("LINK_UP", "em0")])
    return counts


def _suspend_resume(laptop: Laptop) -> None:
    sim(laptop.sim_dir, "suspend")
    sim(laptop.sim_dir, "resume")


def per_event(laptop: Laptop) -> int:
    """Programs the one-shot ``apply --coalesce --devd LINE`` starts for an unplug."""
    from laggroam.admin import cli

    sim(laptop.sim_dir, "unplug", "em0")
    calls: list[str] = []

    def counting(
        argv: Sequence[str], timeout: float = 10.0, env: Mapping[str, str] | None = None
    ) -> Result:
        calls.append(Path(argv[0]).name)
        return run(argv, timeout=timeout, env=env)

    line = "!system=IFNET subsystem=em0 type=LINK_DOWN"
    argv = ["-c", str(laptop.policy_path), "--sim", str(laptop.sim_dir)]
    argv += ["apply", "--coalesce", "--devd", line]
    with (
        _patched(system_mod, "run", counting),
        _patched(chain, "run", counting),
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        cli.main(argv)
    sim(laptop.sim_dir, "plug", "em0")
    # a chained stock rule is a shell that runs one program (service dhclient ...)
    shells = sum(1 for c in calls if c in ("sh", "bash"))
    return len(calls) + shells + OWN_PROCESSES


@contextlib.contextmanager
def _patched(module: object, name: str, value: object) -> Iterator[None]:
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)


def old_observation(programs: Programs) -> list[list[str]]:
    """The argv lists the observation ran before, for the seed laptop's policy."""
    return [
        [programs.ifconfig, "-a"],
        [programs.sysctl, "-n", "net.wlan.devices"],
        *([programs.service, "dhclient", "status", i] for i in ("lagg0", "em0", "wlan0")),
        [programs.service, "wpa_supplicant", "status", "wlan0"],
        [programs.wpa_cli, "-i", "wlan0", "status"],
    ]


def run_bench(samples: int, warmup: int = 1) -> list[Row]:
    laptop = Laptop()
    try:
        counts = per_reconcile(laptop)
        event = per_event(laptop)
        pol = policy.load(laptop.policy_path)
        system = System(site_of(laptop.sim_dir).programs)
        old = old_observation(system.programs)

        def the_old_way() -> tuple[float, float]:
            wall = cpu = 0.0
            for argv in old:
                w, c = time_argv(argv, ok=(0, 1))  # status: 1 is "not running"
                wall, cpu = wall + w, cpu + c
            return wall, cpu

        results = interleaved(
            samples,
            {
                "old": the_old_way,
                "new": lambda: time_call(lambda: observe_for(system, pol)),
                "standin": lambda: time_argv([system.programs.ifconfig, "-a"]),
            },
            warmup=warmup,
        )
    finally:
        laptop.remove()
    rows = []
    for name, count in counts.items():
        target = f"<= {CONVERGED_TARGET}" if name == "converged" else ""
        rows.append(
            Row(
                "programs",
                f"host programs per reconcile, {name} (seed laptop)",
                Summary(count, count, count, 1),
                "programs",
                f"before: {BEFORE[name]}",
                target=target,
                met=count <= CONVERGED_TARGET if name == "converged" else None,
            )
        )
    rows.append(
        Row(
            "programs",
            "processes per cable event without a daemon (hook, one-shot, its programs)",
            Summary(event, event, event, 1),
            "processes",
            f"before: {BEFORE['event']}",
        )
    )
    (old_wall, old_cpu), (new_wall, new_cpu) = results["old"], results["new"]
    standin_wall = results["standin"][0]
    rows.append(
        Row(
            "programs",
            "observation: the old 7 programs (service ... status) against observe() now",
            new_wall.scaled(1000),
            "ms",
            "the old way",
            old_wall.scaled(1000),
            ratio(new_wall, old_wall),
            ratio(new_cpu, old_cpu),
            note=(
                f"a stand-in start (ifconfig -a) costs {standin_wall.median * 1000:.0f} ms here;"
                " on FreeBSD service(8) is a /bin/sh reading rc.subr and rc.conf, dearer than"
                " the C programs it replaces, so the ratio there is lower still"
            ),
        )
    )
    return rows
