"""5. Start-up as a user feels it, the daemon's memory at rest, and 6. its idle cost.

``laggroam status --json`` and ``laggroam check`` are run through the
installed console script, as a user types them, against a bare interpreter
start.  The environment ships PYTHONDONTWRITEBYTECODE=1, so both run with a
warm bytecode cache of their own (PYTHONPYCACHEPREFIX / ``-X
pycache_prefix``, filled by the warm-up runs), as an installed package's
.pyc would be.  ``status`` observes the host, so it includes the simulator's
stand-in programs it runs.  The idle cost is the daemon's CPU time and its
threads' wake-ups over a quiet minute: a polling loop would show in both.
"""

import os
import shutil
import sys
import tempfile
import time

from laggroam_sim.site import site_of

from bench.cost import counting
from bench.simhost import Laptop, daemon_on, laggroam_argv
from bench.stats import (
    Row,
    Summary,
    cpu_seconds,
    interleaved,
    ratio,
    rss_kib,
    time_argv,
    time_call,
    wakeups,
)
from laggroam.config import policy
from laggroam.edge.reconcile import observe_for
from laggroam.edge.system import System

READ_RSS = "import sys; sys.stdout.write(open('/proc/self/status').read())"


def bare_rss_kib(pycache: str) -> int:
    """A bare interpreter's resident set once started (it reads its own /proc entry)."""
    import subprocess

    out = subprocess.run(
        [sys.executable, "-X", f"pycache_prefix={pycache}", "-I", "-S", "-c", READ_RSS],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout
    for line in out.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def run_bench(runs: int, idle_seconds: float, warmup: int = 2) -> list[Row]:
    laptop = Laptop()
    pycache = tempfile.mkdtemp(prefix="lgrpyc", dir="/tmp")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = pycache
    bare = [sys.executable, "-X", f"pycache_prefix={pycache}", "-I", "-S", "-c", "pass"]
    site = [sys.executable, "-c", "pass"]
    pol = policy.load(laptop.policy_path)
    programs: list[str] = []
    counted = System(site_of(laptop.sim_dir).programs, runner=counting(programs))
    status = laggroam_argv(laptop, "status", "--json")
    check = laggroam_argv(laptop, "check")
    try:
        with daemon_on(laptop) as daemon:
            daemon.wait_quiet()
            results = interleaved(
                runs,
                {
                    "bare": lambda: time_argv(bare, env),
                    "status": lambda: time_argv(status, env),
                    "check": lambda: time_argv(check, env),
                    "site": lambda: time_argv(site, env),
                    "observe": lambda: time_call(lambda: observe_for(counted, pol)),
                },
                max(warmup, 1),  # at least one run, to fill the bytecode cache
            )
            daemon.wait_quiet()
            rest = rss_kib(daemon.pid)
            bare_rss = bare_rss_kib(pycache)
            cpu0, wake0, t0 = cpu_seconds(daemon.pid), wakeups(daemon.pid), time.monotonic()
            time.sleep(idle_seconds)
            cpu1, wake1, t1 = cpu_seconds(daemon.pid), wakeups(daemon.pid), time.monotonic()
            threads = len(os.listdir(f"/proc/{daemon.pid}/task"))
    finally:
        laptop.remove()
        shutil.rmtree(pycache, ignore_errors=True)
    rows = []
    (ref, ref_cpu) = results["bare"]
    site_ms = results["site"][0].median * 1000
    observe_ms = results["observe"][0].median * 1000
    observed = len(programs) // (runs + max(warmup, 1))
    status_ms = results["status"][0].median * 1000
    for name, what in [("status", "laggroam status --json"), ("check", "laggroam check")]:
        wall, cpu = results[name]
        rows.append(
            Row(
                "startup",
                what,
                wall.scaled(1000),
                "ms",
                "python -I -S -c pass",
                ref.scaled(1000),
                ratio(wall, ref),
                ratio(cpu, ref_cpu),
                note=(
                    f"observing the host ({observed} stand-in programs) alone takes"
                    f" {observe_ms:.0f} ms of it; {status_ms - observe_ms:.0f} ms beyond that"
                    if name == "status"
                    else f"python -c pass (site, as console scripts start): {site_ms:.1f} ms"
                ),
            )
        )
    rows.append(
        Row(
            "startup",
            "daemon RSS at rest",
            Summary(rest / 1024, rest / 1024, rest / 1024, 1),
            "MB",
            "bare interpreter RSS",
            Summary(bare_rss / 1024, bare_rss / 1024, bare_rss / 1024, 1),
            rest / bare_rss,
        )
    )
    span = t1 - t0
    cpu_ms = (cpu1 - cpu0) * 1000
    per_s = (wake1 - wake0) / span
    rows.append(
        Row(
            "idle",
            f"daemon CPU time over {span:.0f} s idle",
            Summary(cpu_ms, cpu_ms, cpu_ms, 1),
            "ms",
            "the idle span",
            Summary(span * 1000, span * 1000, span * 1000, 1),
            cpu_ms / (span * 1000),
            target="no polling loop: ~0",
            met=cpu_ms / (span * 1000) < 0.001,
            note=f"{per_s:.2f} thread wake-ups/s across {threads} threads",
            extra={"wakeups_per_second": per_s, "threads": threads},
        )
    )
    return rows
