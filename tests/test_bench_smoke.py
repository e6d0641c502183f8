"""The benchmarks run: each once, with tiny sizes (bench/run.py --quick).

No timing is judged here -- a shared machine makes thresholds flaky -- only
that every benchmark produces its rows and that the facts that are not
timings hold (every storm message taken, the storm's end state, the idle
daemon's threads).
"""

import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest

# bench/ is a package at the checkout's root, beside laggroam/.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import cost, run
from bench.stats import Row, Summary, percentile
from laggroam.core import plan
from laggroam.core.memory import Memory


def test_summary_and_percentile() -> None:
    s = Summary.of([3.0, 1.0, 2.0, 10.0])
    assert (s.median, s.low, s.high, s.n) == (2.5, 1.0, 10.0, 4)
    assert s.scaled(1000).median == 2500.0
    assert percentile(list(range(1, 101)), 95) == 95
    with pytest.raises(ValueError, match="no samples"):
        Summary.of([])


def test_big_host_is_converged_under_its_policy() -> None:
    pol, host = cost.big_host()
    assert len(host.interfaces) == 64
    assert len(host.laggs()) == 8
    assert plan.plan(pol, host, Memory(), (), time.time()).actions == ()


def test_table_marks_a_missed_target() -> None:
    rows = [
        Row(
            "held",
            "hook",
            Summary(12.0, 11.0, 13.0, 3),
            "ms",
            "bare",
            Summary(8, 8, 8, 3),
            1.5,
            target="<= 1.2x",
            met=False,
            note="slow",
        ),
    ]
    text = run.render(rows)
    assert "12.0 ms [11.0-13.0]" in text
    assert "1.50x" in text and "NO" in text
    assert "held: hook: slow" in text


def test_unknown_benchmark_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        run.main(["--only", "nope"])
    assert exc.value.code == 2
    assert "unknown benchmark 'nope'" in capsys.readouterr().err


def test_every_benchmark_runs_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert run.main(["--quick", "--json"]) == 0
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    rows = out["rows"]
    by_what = {r["what"]: r for r in rows}
    assert {r["bench"] for r in rows} == {
        "programs", "growth", "held", "cost", "storm", "reload", "rss", "startup", "idle",
        "flood", "parse", "regex",
    }  # fmt: skip
    # the counts that carry the claims: a converged laptop is asked three programs
    assert by_what["host programs per reconcile, converged (seed laptop)"]["met"] is True
    growth = [r for r in rows if r["what"].startswith("programs per converged reconcile")]
    assert growth and all(r["value"]["median"] == 2 for r in growth)
    for r in rows:
        if r["bench"] in ("held", "startup"):
            assert r["value"]["median"] > 0 and r["ref_value"]["median"] > 0
            assert r["ratio"] > 0
    # The hooks ran both ways, with and without a daemon.
    assert sum(r["bench"] == "held" for r in rows) == 6
    accepted = next(r for r in rows if r["what"].startswith("events accepted"))
    assert accepted["extra"]["sent"] == 200
    assert accepted["value"]["median"] == 200
    assert by_what["end state = last event's truth (em0 down)"]["met"] is True
    assert by_what["plan(), seed laptop, converged"]["note"] == "0 action(s) planned"
    # The flood's bounds are judged in make bench; here only that each row was measured.
    assert sum(r["bench"] == "flood" for r in rows) == 3
    assert all(r["value"] is not None for r in rows if r["bench"] in ("flood", "parse"))
    idle = next(r for r in rows if r["bench"] == "idle")
    assert idle["extra"]["threads"] >= 2
