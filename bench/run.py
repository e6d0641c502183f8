"""Run every laggroam benchmark and print one table (``--json`` for a machine).

    make bench                       # the whole run
    .venv/bin/python bench/run.py --json --only held,storm
    .venv/bin/python bench/run.py --only flood,parse   # the hardening bounds alone

Each figure is the median of several runs with its min and max, judged as
a ratio against a reference measured in the same run (see bench/README.md).
"""

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

# Run as a script (make bench): the checkout's root holds the bench package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import cost, flood, growth, held, parse, programs, regex, reload, rest, rss, storm
from bench.stats import Row


@dataclass(frozen=True)
class Sizes:
    """How much of each benchmark to run; ``QUICK`` is the smoke test's."""

    hook_runs: int = 40
    oneshot_runs: int = 8
    plan_calls: int = 2000
    reconciles: int = 6
    storm_events: int = 10_000
    storm_window: float = 0.95
    saves: int = 50
    startup_runs: int = 10
    idle_seconds: float = 60.0
    warmup: int = 2
    observe_samples: int = 8
    growth_calls: int = 9
    growth_sizes: tuple[int, ...] = growth.SIZES
    rss_seconds: float = 120.0
    flood_events: int = 1_000_000
    parse_runs: int = 3


QUICK = Sizes(
    hook_runs=1,
    oneshot_runs=1,
    plan_calls=20,
    reconciles=1,
    storm_events=200,
    storm_window=0.1,
    saves=2,
    startup_runs=1,
    idle_seconds=0.2,
    warmup=0,
    observe_samples=1,
    growth_calls=1,
    growth_sizes=(2, 16),
    rss_seconds=0.5,
    flood_events=2000,
    parse_runs=1,
)

BENCHES: dict[str, Callable[[Sizes], list[Row]]] = {
    "programs": lambda s: programs.run_bench(s.observe_samples, min(s.warmup, 1)),
    "growth": lambda s: growth.run_bench(s.growth_calls, s.growth_sizes),
    "held": lambda s: held.run_bench(s.hook_runs, s.oneshot_runs, s.warmup),
    "cost": lambda s: cost.run_bench(s.plan_calls, s.reconciles, s.warmup),
    "storm": lambda s: storm.run_bench(s.storm_events, s.storm_window),
    "reload": lambda s: reload.run_bench(s.saves),
    "rss": lambda s: rss.run_bench(s.rss_seconds),
    "rest": lambda s: rest.run_bench(s.startup_runs, s.idle_seconds, s.warmup),
    "flood": lambda s: flood.run_bench(s.flood_events),
    "parse": lambda s: parse.run_bench(s.parse_runs),
    "regex": lambda s: regex.run_bench(s.parse_runs),
}


def machine() -> dict[str, object]:
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "loadavg": os.getloadavg(),
    }


def _num(v: float) -> str:
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    if v >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def render(rows: list[Row]) -> str:
    header = ("bench", "measure", "median [min-max]", "reference", "ratio", "cpu", "target", "ok")
    table = [header]
    for r in rows:
        value = ""
        if r.value is not None:
            value = f"{_num(r.value.median)} {r.unit}"
            if r.value.n > 1:
                value += f" [{_num(r.value.low)}-{_num(r.value.high)}]"
        ref = r.reference
        if r.ref_value is not None:
            ref += f" {_num(r.ref_value.median)} {r.unit}"
        ok = {True: "yes", False: "NO", None: ""}[r.met]
        table.append(
            (
                r.bench,
                r.what,
                value,
                ref,
                f"{r.ratio:.2f}x" if r.ratio is not None else "",
                f"{r.cpu_ratio:.2f}x" if r.cpu_ratio is not None else "",
                r.target,
                ok,
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in table
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {r.bench}: {r.what}: {r.note}" for r in rows if r.note]
    return "\n".join(lines + (["", "notes:", *notes] if notes else [])) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: proves it runs")
    parser.add_argument(
        "--only", metavar="NAMES", help=f"comma-separated subset of: {', '.join(BENCHES)}"
    )
    args = parser.parse_args(argv)
    names = list(BENCHES) if not args.only else args.only.split(",")
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHES)}")
    sizes = QUICK if args.quick else Sizes()
    started = time.monotonic()
    info = machine()
    rows: list[Row] = []
    for name in names:
        if not args.json:
            print(f"running {name}...", file=sys.stderr, flush=True)
        rows += BENCHES[name](sizes)
    seconds = time.monotonic() - started
    info["loadavg_end"] = os.getloadavg()
    if args.json:
        out = {
            "machine": info,
            "sizes": asdict(sizes),
            "seconds": round(seconds, 1),
            "rows": [r.as_json() for r in rows],
        }
        print(json.dumps(out, indent=2))
    else:
        print(
            f"laggroam benchmarks: {info['platform']}, {info['cpus']} CPU(s)"
            f" {info['cpu_model']}, Python {info['python']},"
            f" load {info['loadavg'][0]:.1f} -> {info['loadavg_end'][0]:.1f}"  # type: ignore[index]
        )
        print(render(rows), end="")
        print(f"({seconds:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
