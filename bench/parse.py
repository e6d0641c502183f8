"""5. The worst policy under the 1 MiB limit: how long ``laggroam check`` takes on it.

A policy is read on the daemon's reload and by every ``check``; whatever the
file holds, reading it must take well under a second.  Each shape below
fills the size limit with one kind of trouble that once cost time: unknown
keys (each a spelling suggestion), keys near valid ones, unknown sections,
duplicate sections and keys (each once a full re-read), broken headers, keys
before any header, a ports line with tens of thousands of ports, tens of
thousands of valid laggs and wlans, control characters, and a single huge
key.  The figure is the slowest shape's ``laggroam check`` wall time,
interpreter start included.
"""

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.simhost import REPO
from bench.stats import Row, Summary
from laggroam.config.policy import MAX_POLICY_BYTES

TARGET = 1.0
LAGG = "[lagg0]\nports = em0 wlan0\n"


def _fill(head: str, line: Callable[[int], str], tail: str = "") -> str:
    """``head``, then ``line(i)`` for i = 0, 1, ... while the whole stays within the limit."""
    parts = [head]
    size = len(head) + len(tail)
    i = 0
    while True:
        text = line(i)
        if size + len(text) > MAX_POLICY_BYTES:
            break
        parts.append(text)
        size += len(text)
        i += 1
    parts.append(tail)
    return "".join(parts)


SHAPES: dict[str, Callable[[], str]] = {
    "unknown keys": lambda: _fill(LAGG, lambda i: f"key{i} = x\n"),
    "keys near valid ones": lambda: _fill(LAGG, lambda i: f"port{i % 10}s{i} = x\n"),
    "unknown sections": lambda: _fill(LAGG, lambda i: f"[sect{i}]\nportz = x\n"),
    "duplicate sections": lambda: _fill(LAGG, lambda i: "[lagg0]\n"),
    "duplicate keys": lambda: _fill(LAGG, lambda i: "ports = em0\n"),
    "duplicate keys, many sections": lambda: _fill("", lambda i: f"[x{i}]\na = 1\na = 2\n"),
    "broken headers": lambda: _fill(LAGG, lambda i: f"[lagg{i}\n"),
    "keys before any header": lambda: _fill("", lambda i: f"k{i} = v\n", LAGG),
    "unparsable lines": lambda: _fill(LAGG, lambda i: f"word{i}\n"),
    "one ports line": lambda: _fill("[lagg0]\nports =", lambda i: f" e{i}"),
    "valid laggs": lambda: _fill("", lambda i: f"[lagg{i}]\nports = em{i}\n"),
    "wlans": lambda: _fill(LAGG, lambda i: f"[wlan{i + 1}]\nparent = iwn{i}\n"),
    "control characters": lambda: _fill(LAGG, lambda i: "a = \x01\n"),
    "one huge key": lambda: LAGG + "k" * (MAX_POLICY_BYTES - len(LAGG) - 10) + " = x\n",
    "continued value": lambda: _fill(LAGG + "ether = keep\n", lambda i: "  x\n"),
    "blank lines": lambda: _fill(LAGG, lambda i: "\n"),
    "comments": lambda: _fill(LAGG, lambda i: "#\n"),
    "512 sections of long values": lambda: _fill(
        "", lambda i: f"[lagg{i}]\nports = em{i}\nether = {'x' * 2000}\n"
    ),
}


def _check(path: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "laggroam", "-c", str(path), "check"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
        check=False,
    )
    seconds = time.perf_counter() - started
    if "Traceback" in done.stderr:
        raise RuntimeError(f"check crashed on {path}: {done.stderr[-2000:]}")
    return seconds


def run_bench(runs: int) -> list[Row]:
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="lgrp") as tmp:
        Path(tmp).chmod(0o755)
        for name, make in SHAPES.items():
            path = Path(tmp) / "laggroam.ini"
            path.write_bytes(make().encode("utf-8"))
            times[name] = min(_check(path) for _ in range(max(1, runs)))
    worst = max(times, key=lambda n: times[n])
    ref = [_baseline() for _ in range(max(1, runs))]
    seconds = times[worst]
    return [
        Row(
            "parse",
            f"check on the worst 1 MiB policy ({worst})",
            Summary(seconds, min(times.values()), seconds, len(times)),
            "s",
            "check on the sample",
            Summary.of(ref),
            seconds / min(ref),
            target=f"< {TARGET:g} s",
            met=seconds < TARGET,
            note=", ".join(f"{n} {t:.2f}" for n, t in sorted(times.items(), key=lambda x: -x[1])),
            extra={"shapes": times},
        )
    ]


def _baseline() -> float:
    return _check(REPO / "conf" / "laggroam.ini.sample")
