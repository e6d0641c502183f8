"""The devd matcher takes time linear in the value on the classic pathological patterns.

A backtracking matcher takes exponential time on ``(.*)+y`` against ``xxx...``;
FreeBSD's regexec is an automaton (lib/libc/regex/engine.c) and answers at
once.  These tests count the matcher's work (instructions visited), not the
clock: doubling the value must at most double the work.
"""

import re

import pytest

from laggroam.devd.posixre import EreError, compile_ere
from laggroam.devd.regexec import MAX_PROGRAM

PATHOLOGICAL = [
    "(.*)+y",
    "(x|x)*y",
    "(x*)*y",
    "(x|xx)*y",
    "(x+x+)+y",
    "^(x?){20}x{20}$",
    "(.*){9}y",
]


def _work(pattern: str, value: bytes) -> tuple[bool, int]:
    # a fresh program each time, so that no cached state hides work
    program = compile_ere.__wrapped__(pattern)
    hit = program.search(value) is not None
    return hit, program.work


@pytest.mark.parametrize("pattern", PATHOLOGICAL)
def test_work_grows_linearly_with_the_value(pattern: str) -> None:
    small_hit, small = _work(pattern, b"x" * 40)
    large_hit, large = _work(pattern, b"x" * 80)
    assert large <= 2 * small + 50, (pattern, small, large)
    # and the answers are regexec's: no "y" anywhere, so no match
    expected = pattern.startswith("^")
    assert small_hit == (expected and re.fullmatch(r"x{20,40}", "x" * 40) is not None)
    assert not large_hit


@pytest.mark.parametrize("pattern", PATHOLOGICAL)
def test_a_value_that_matches_is_found(pattern: str) -> None:
    if pattern.startswith("^"):
        assert compile_ere(pattern).search(b"x" * 30) is not None
    else:
        assert compile_ere(pattern).search(b"x" * 30 + b"y") is not None


def test_work_per_byte_is_bounded_by_the_program() -> None:
    """Each byte visits each instruction at most twice (closure and step)."""
    program = compile_ere.__wrapped__("(.*)+y")
    n = 1000
    assert program.search(b"x" * n) is None
    assert program.work <= 2 * (n + 1) * len(program.insns)


def test_a_cached_program_does_no_more_work_on_the_same_kind_of_value() -> None:
    program = compile_ere.__wrapped__("(x|x)*y")
    program.search(b"x" * 200)
    first = program.work
    program.search(b"x" * 200)
    assert program.work == first  # every transition came from the cache


def test_bounds_that_expand_past_the_limit_are_refused_like_regcomp() -> None:
    with pytest.raises(EreError) as info:
        compile_ere("((((a{255}){255}){255}){255})")
    assert info.value.code == "REG_ESPACE"
    assert str(MAX_PROGRAM) in str(info.value)
