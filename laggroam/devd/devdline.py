"""One devd event line -> its variables, split exactly the way devd(8) splits it.

laggroam must see an event as devd sees it, or its rules and the stock rule it chains to
would be matched against different variables than the real ones.  This module reproduces
devd's own splitting (freebsd-src sbin/devd/devd.cc ``process_event``, ``set_vars``,
``chop_var`` and ``var_list::fix_value``), quirks included:

* ``!`` notify: ``key=value`` pairs straight after the ``!`` (no leading blank allowed).
* ``+`` attach / ``-`` detach: ``device-name`` is the text up to the first space, then
  blanks and an optional ``at ``, the pairs, blanks, and ``on PARENT`` sets ``bus`` to the
  whole rest of the line.
* ``?`` nomatch: the same without a device name (the text up to the first space is
  dropped).
* A key is any run of ``[A-Za-z0-9_-]`` (even an empty one); a value is a run of
  non-blanks or a ``"..."`` in which ``\\"`` does not end the value.  Parsing stops
  silently at the first token that is not ``key=value`` (or at an unterminated quote).
* Every value, including ``*``, ``_``, ``device-name`` and ``bus``, goes through
  ``fix_value``, which deletes the backslash of each ``\\"`` and keeps other backslashes.
* ``*`` is the whole line, ``_`` the line without its first character, ``timestamp``
  the time devd processed it (``"%jd.%06ld"``).  They are set first, so a pair in the
  line (``_=x``, ``timestamp=x``) overrides them; a later pair overrides an earlier one.

Lines devd would not run any rule for raise :class:`DevdLineError`:

* empty line, or a first character other than ``! + - ?``: ``find_and_execute``
  ignores unknown types;
* ``+``/``-``/``?`` without any space: ``process_event`` returns before matching
  ("Can't happen?");
* longer than the kernel's record: ``DEVCTL_BUFFER`` is ``1024 - sizeof(void *)``
  including the trailing newline and the sbuf's NUL, and an event that does not fit is
  dropped by the kernel (freebsd-src sys/kern/kern_devctl.c; reference §1.1), so such a
  line can never reach devd;
* a NUL byte: devd works on C strings and would silently cut the line there; the kernel
  never emits one, so a NUL means the line did not come from devctl;
* bytes that are not UTF-8: devd itself is byte-transparent (C locale), but laggroam
  handles variables as text, and the kernel's IFNET events are ASCII.

Trailing newlines are stripped first, as devd's ``event_loop`` does (only ``\\n``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = [
    "DEVCTL_BUFFER",
    "KINDS",
    "MAX_LINE_BYTES",
    "DevdEvent",
    "DevdLineError",
    "devd_timestamp",
    "fix_value",
    "parse_event",
]

# sizeof(void *) on the 64-bit platforms laggroam targets (amd64, arm64).
DEVCTL_BUFFER = 1024 - 8
# The sbuf keeps one byte for its NUL and the record ends in "\n"
# (freebsd-src sys/kern/kern_devctl.c ``devctl_queue``/``sbuf_finish``).
MAX_LINE_BYTES = DEVCTL_BUFFER - 2

# First character -> devd statement (freebsd-src sbin/devd/devd.cc, the constants
# ``notify``, ``attach``, ``detach``, ``nomatch`` and ``find_and_execute``).
KINDS: Mapping[str, str] = MappingProxyType(
    {"!": "notify", "+": "attach", "-": "detach", "?": "nomatch"}
)

# C-locale isspace(3) and config::is_id_char (isalpha || isdigit || '_' || '-').
_C_SPACE = frozenset(" \t\n\v\f\r")
_ID_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class DevdLineError(ValueError):
    """A line devd would never run a rule for (or that cannot come from the kernel)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DevdEvent:
    """An event as devd sees it: its statement kind and the variables rules test."""

    kind: str
    variables: Mapping[str, str] = field(hash=False)
    line: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "variables", MappingProxyType(dict(self.variables)))

    def get(self, name: str) -> str:
        """The variable's value, or "" when unset (devd.cc ``config::get_variable``)."""
        return self.variables.get(name, "")


def fix_value(value: str) -> str:
    """Delete the backslash of every ``\\"`` (devd.cc ``var_list::fix_value``)."""
    return value.replace('\\"', '"')


def devd_timestamp(ns: int | None = None) -> str:
    """``timestamp`` as devd formats a timeval: ``"%jd.%06ld"`` (``ns``: nanoseconds
    since the epoch, default now)."""
    sec, rest = divmod(time.time_ns() if ns is None else ns, 1_000_000_000)
    return f"{sec}.{rest // 1000:06d}"


def _set_vars(text: str, pos: int, out: dict[str, str]) -> int:
    """devd.cc ``set_vars``/``chop_var``: read pairs from ``pos``; return where it stopped."""
    n = len(text)
    while pos < n:
        walker = pos
        while walker < n and text[walker] in _ID_CHARS:
            walker += 1
        if walker >= n or text[walker] != "=":
            return pos
        key = text[pos:walker]
        walker += 1
        if walker < n and text[walker] == '"':
            walker += 1
            start = walker
            while walker < n and text[walker] != '"':
                if text[walker] == "\\" and walker + 1 < n and text[walker + 1] == '"':
                    walker += 1
                walker += 1
            if walker >= n:
                return pos  # unterminated quote: chop_var fails, the pair is not set
            value = text[start:walker]
            walker += 1
        else:
            start = walker
            while walker < n and text[walker] not in _C_SPACE:
                walker += 1
            value = text[start:walker]
            if walker < n:
                walker += 1
        while walker < n and text[walker] in _C_SPACE:
            walker += 1
        out[key] = fix_value(value)
        pos = walker
    return pos


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _C_SPACE:
        pos += 1
    return pos


def parse_event(line: str | bytes, *, timestamp: str | None = None) -> DevdEvent:
    """Split one devd event line; ``timestamp`` defaults to now, in devd's format."""
    if isinstance(line, bytes):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DevdLineError(f"event line is not UTF-8 (byte {exc.start})") from None
    else:
        text = line
    text = text.rstrip("\n")
    if "\0" in text:
        raise DevdLineError("event line contains a NUL byte; the kernel never sends one")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise DevdLineError("event line is not valid text (lone surrogate)") from None
    if size > MAX_LINE_BYTES:
        raise DevdLineError(
            f"event line is {size} bytes; the kernel drops records over {MAX_LINE_BYTES}"
        )
    if not text:
        raise DevdLineError("empty event line")
    kind = KINDS.get(text[0])
    if kind is None:
        raise DevdLineError(
            f"event line starts with {text[0]!r}, not one of '!', '+', '-', '?'; devd ignores it"
        )
    rest = text[1:]
    variables: dict[str, str] = {
        "*": fix_value(text),
        "_": fix_value(rest),
        "timestamp": devd_timestamp() if timestamp is None else timestamp,
    }
    if kind == "notify":
        _set_vars(rest, 0, variables)
        return DevdEvent(kind, variables, text)
    space = rest.find(" ")
    if space < 0:
        raise DevdLineError(f"{kind} event line has no space; devd drops it unmatched")
    if kind != "nomatch":
        variables["device-name"] = fix_value(rest[:space])
    pos = _skip_space(rest, space + 1)
    if rest.startswith("at ", pos):
        pos += 3
    pos = _skip_space(rest, _set_vars(rest, pos, variables))
    if rest.startswith("on ", pos):
        variables["bus"] = fix_value(rest[pos + 3 :])
    return DevdEvent(kind, variables, text)
