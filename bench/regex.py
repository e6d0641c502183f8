"""8. devd's regexes: the pathological patterns against an ordinary one, as a ratio.

A backtracking matcher takes 3 s on ``(.*)+y`` at 24 characters and 16x more
every 4; an automaton takes time linear in the value whatever the pattern.
Each row times one match of a 64-byte value on a fresh (uncached) compiled
pattern, and judges it against ``em[0-9]+`` on the same value: the target is
within 50x of the ordinary pattern, which no exponential matcher can meet.
"""

import time

from bench.stats import Row, Summary
from laggroam.devd.posixre import compile_ere

PATTERNS = ("(.*)+y", "(x|x)*y", "(x*)*y", "(x+x+)+y")
REFERENCE = "em[0-9]+"
VALUE = b"x" * 64
TARGET = 50.0


def _once(pattern: str) -> float:
    program = compile_ere.__wrapped__(pattern)
    start = time.perf_counter()
    program.search(VALUE)
    return time.perf_counter() - start


def run_bench(runs: int) -> list[Row]:
    n = max(1, runs)
    ref = Summary.of([_once(REFERENCE) for _ in range(n * 5)]).scaled(1000)
    rows = []
    for pattern in PATTERNS:
        took = Summary.of([_once(pattern) for _ in range(n * 5)]).scaled(1000)
        ratio = took.median / ref.median
        rows.append(
            Row(
                "regex",
                f"match {pattern} on 64 bytes, uncached",
                took,
                "ms",
                REFERENCE,
                ref,
                ratio,
                target=f"< {TARGET:g}x",
                met=ratio < TARGET,
            )
        )
    return rows
