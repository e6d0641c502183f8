"""Measure the daemon on a simulated laptop: reload latency and reconciles per flap.

    .venv/bin/python tests/daemon/measure.py [--saves 20] [--flaps 200]

Reload latency: a valid policy is saved by rename (write a temporary file,
os.replace) and the clock runs until the daemon's status file shows the new
policy generation; the policy's debounce is 100 ms.  Reconciles per flap:
em0's cable is unplugged and plugged in the simulated world, each change
followed by the hook's message (a few ms apart, so never ``debounce`` of
quiet), ending unplugged; the new decision-journal records are counted.
"""

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from daemonhelp import POLICY, Daemon, flap, new_laptop, save_by_rename, sim


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _generation(want: int) -> Callable[[dict[str, Any]], bool]:
    return lambda status: bool(status["generation"] == want)


def reload_latency(daemon: Daemon, saves: int) -> list[float]:
    gen = daemon.wait_ready()["generation"]
    latencies = []
    for i in range(saves):
        text = POLICY.replace("proto = failover", f"proto = failover\nfailback_hold = {i % 2}s")
        started = time.monotonic()
        save_by_rename(daemon.policy_path, text)
        gen += 1
        daemon.wait_status(f"generation {gen}", _generation(gen))
        latencies.append(time.monotonic() - started)
    return latencies


def measure_flap(daemon: Daemon, pairs: int) -> tuple[int, int, float]:
    """(messages, reconciles, seconds flapping) for ``pairs`` unplug/plug and a last unplug."""
    before = daemon.wait_status("quiet", lambda s: not s["busy"] and s["queue"] == 0)
    n = len(daemon.journal())
    sent, seconds = flap(daemon, pairs)
    daemon.wait_status(
        "all handled",
        lambda s: s["accepted"] == before["accepted"] + sent and not s["busy"] and not s["queue"],
    )
    return sent, len(daemon.journal()) - n, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--flaps", type=int, default=200)
    args = parser.parse_args()
    template = Path(tempfile.mkdtemp(prefix="lgrt", dir="/tmp")) / "sim"
    sim(template, "init", "laptop")
    base = new_laptop(template)
    daemon = Daemon(base).start()
    try:
        lat = reload_latency(daemon, args.saves)
        print(
            f"reload latency over {len(lat)} rename-saves (debounce 100 ms):"
            f" p50 {percentile(lat, 50) * 1000:.0f} ms, p95 {percentile(lat, 95) * 1000:.0f} ms,"
            f" max {max(lat) * 1000:.0f} ms"
        )
        # The flap runs under the sample policy's pacing: debounce 100 ms, max_delay 1 s.
        save_by_rename(daemon.policy_path, POLICY)
        sent, reconciles, seconds = measure_flap(daemon, args.flaps)
        print(
            f"flap: {sent} LINK_DOWN/LINK_UP messages in {seconds:.2f} s"
            f" -> {reconciles} reconcile(s) (debounce 100 ms, max_delay 1 s)"
        )
        print(f"end state: lagg0 active port {daemon.observe().laggs()['lagg0'].active}")
    finally:
        daemon.stop()
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(template.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
