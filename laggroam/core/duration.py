"""Durations as the policy writes them: ``300ms``, ``20s``, ``5m`` or a bare ``0``.

A unit is required for anything but zero, because a bare ``300`` is as likely
to mean milliseconds as seconds; the policy stores seconds as a float.
"""

import re

UNITS: dict[str, float] = {"ms": 0.001, "s": 1.0, "m": 60.0}

# A day is far beyond any sensible debounce, hold or timer, and keeps every
# value a small, exact-enough float.
MAX_SECONDS = 86400.0

_DURATION_RE = re.compile(r"(?P<number>[0-9]+(?:\.[0-9]+)?)(?P<unit>[a-z]*)")


def parse_duration(text: str) -> float:
    """Seconds in ``text``, or ValueError saying what a duration looks like."""
    value = text.strip()
    match = _DURATION_RE.fullmatch(value)
    if match is None:
        raise ValueError(f"{value!r} is not a duration; write it like 300ms, 20s or 5m")
    number, unit = match.group("number"), match.group("unit")
    if unit == "":
        if float(number) == 0:
            return 0.0
        raise ValueError(f"{value!r} has no unit; write {number}ms, {number}s or {number}m")
    if unit not in UNITS:
        raise ValueError(f"{value!r} has an unknown unit {unit!r}; use ms, s or m")
    seconds = float(number) * UNITS[unit]
    if seconds > MAX_SECONDS:
        raise ValueError(f"{value!r} is longer than a day")
    return seconds


def format_duration(seconds: float) -> str:
    """The shortest policy spelling of ``seconds`` (``0.3`` -> ``300ms``)."""
    if seconds == 0:
        return "0s"
    millis = round(seconds * 1000)
    if millis % 60000 == 0:
        return f"{millis // 60000}m"
    if millis % 1000 == 0:
        return f"{millis // 1000}s"
    return f"{millis}ms"
