"""4. Reload latency: a policy saved by rename, until the new policy is in force.

Saved as editors save (a temporary file beside it, renamed over it); the
clock stops when the daemon's status file shows the next policy generation,
which it writes the moment the new policy replaces the old.  The policy's
debounce (100 ms) is the floor: the daemon waits that long after a save on
purpose, so that an editor's several writes make one reload.  Saves follow
each other as soon as the previous one is in force, so reconciles triggered
by earlier reloads may still be running: a worst case.
"""

import os
import time
from pathlib import Path

from bench.simhost import Laptop, daemon_on, policy_text
from bench.stats import Row, Summary, percentile

DEBOUNCE_MS = 100.0
TARGET_P95_MS = 250.0


def save_by_rename(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.swp")
    tmp.write_text(text)
    os.replace(tmp, path)


def run_bench(saves: int) -> list[Row]:
    laptop = Laptop(debounce=f"{DEBOUNCE_MS:g}ms", max_delay="1s")
    try:
        with daemon_on(laptop) as daemon:
            gen = daemon.wait_quiet()["generation"]
            latencies = []
            for i in range(saves):
                text = policy_text().replace(
                    "proto = failover", f"proto = failover\nfailback_hold = {i % 2 + 1}s"
                )
                started = time.perf_counter()
                save_by_rename(laptop.policy_path, text)
                gen += 1
                want = gen
                daemon.wait_status(
                    f"generation {want}", lambda s, want=want: s["generation"] == want
                )
                latencies.append((time.perf_counter() - started) * 1000)
    finally:
        laptop.remove()
    p50, p95 = percentile(latencies, 50), percentile(latencies, 95)
    whole = Summary.of(latencies)
    ref = Summary(DEBOUNCE_MS, DEBOUNCE_MS, DEBOUNCE_MS, 1)
    return [
        Row(
            "reload",
            f"save -> in force, p50 of {saves} saves",
            Summary(p50, whole.low, whole.high, whole.n),
            "ms",
            "the debounce",
            ref,
            p50 / DEBOUNCE_MS,
        ),
        Row(
            "reload",
            f"save -> in force, p95 of {saves} saves",
            Summary(p95, whole.low, whole.high, whole.n),
            "ms",
            "the debounce",
            ref,
            p95 / DEBOUNCE_MS,
            target=f"p95 <= {TARGET_P95_MS:g} ms",
            met=p95 <= TARGET_P95_MS,
        ),
    ]
