"""Durations: 300ms, 20s, 5m, a bare 0; seconds as a float."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from laggroam.core.duration import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0", 0.0),
        ("000", 0.0),
        ("0s", 0.0),
        ("0ms", 0.0),
        ("300ms", 0.3),
        ("1.5s", 1.5),
        ("20s", 20.0),
        ("5m", 300.0),
        (" 2m ", 120.0),
        ("1440m", 86400.0),
    ],
)
def test_parse(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is not a duration"),
        ("300", "'300' has no unit; write 300ms, 300s or 300m"),
        ("1h", "unknown unit 'h'"),
        ("5 s", "is not a duration"),
        ("5S", "is not a duration"),
        ("-1s", "is not a duration"),
        (".5s", "is not a duration"),
        ("1e3s", "is not a duration"),
        ("1441m", "longer than a day"),
        ("9" * 400 + "s", "longer than a day"),
        ("٣s", "is not a duration"),
    ],
)
def test_parse_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0s"), (0.3, "300ms"), (1.5, "1500ms"), (20, "20s"), (300, "5m")]
)
def test_format(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=86_400_000))
def test_format_parses_back(millis: int) -> None:
    assert parse_duration(format_duration(millis / 1000)) == pytest.approx(millis / 1000)
