"""The syntax of policy values: each key's raw text to a Python value, or ValueError.

Each converter judges one value on its own, with nothing of the rest of the
file, and says in its ValueError what is wrong in words an administrator can
act on; :mod:`laggroam.config.policy` puts the section, key and line in front.  Apart
from them, the validation there holds only the rules that need more than one
value (a port listed by two laggs, ``max_delay`` shorter than ``debounce``).
"""

import configparser
import difflib
import re
from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import TypeVar

from laggroam.config.policyread import short
from laggroam.core.duration import parse_duration
from laggroam.core.ifname import ifname_problem

__all__ = [
    "RESTART_WPA",
    "SUN_PATH_MAX",
    "boolean",
    "choice",
    "closest",
    "create_args",
    "duration",
    "group",
    "hint",
    "ifname",
    "interval",
    "mac",
    "member",
    "path",
    "positive_duration",
    "restart_wpa",
    "scalar",
    "socket_path",
]

# sun_path is 104 bytes on FreeBSD, NUL included (freebsd-src sys/sys/un.h).
SUN_PATH_MAX = 104

RESTART_WPA = ("on-attach", "on-resume", "on-stuck")

_MAC_RE = re.compile(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}")
# Words of `ifconfig wlanN create ...`: what regdomain, country, wlanaddr,
# wlanmode and friends need, and nothing a shell would interpret.
_CREATE_WORD_RE = re.compile(r"[A-Za-z0-9._:,/+=@-]+")
_CREATE_WORD_CHARS = "letters, digits and . _ : , / + = @ -"
# pw(8) refuses these in group names, a leading '-', control and 8-bit
# characters; '$' only as the last character (freebsd-src usr.sbin/pw/pw_user.c
# pw_checkname).
_GROUP_BAD_CHARS = frozenset(' ,\t:+&#%$^()!@~*?<>=|\\/"')


# No key or name is longer; difflib's cost grows with the word's length.
_MAX_SUGGESTED = 64


def closest(word: str, choices: Iterable[str]) -> str | None:
    if len(word) > _MAX_SUGGESTED:
        return None
    close = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def hint(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'debounce'?"`` for a near miss, else nothing."""
    close = closest(word, choices)
    return f"; did you mean {close!r}?" if close else ""


def scalar(raw: str) -> str:
    value = raw.strip()
    if any(c.isspace() for c in value):
        raise ValueError(f"{short(value)} is not a single word")
    return value


def choice(choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip()
        if value not in choices:
            tip = hint(value, choices)
            raise ValueError(f"{short(value)} is not one of {', '.join(choices)}{tip}")
        return value

    return parse


_Word = TypeVar("_Word", bound=StrEnum)


def member(kind: type[_Word]) -> Callable[[str], _Word]:
    """A value that is one of the words of ``kind``, as that enum's member.

    Parsed once here, so the rest of laggroam compares members, not strings;
    the error is the one ``choice`` gives for the same words.
    """
    words = tuple(m.value for m in kind)
    check = choice(words)

    def parse(raw: str) -> _Word:
        return kind(check(raw))

    return parse


def boolean(raw: str) -> bool:
    value = raw.strip()
    state = configparser.ConfigParser.BOOLEAN_STATES.get(value.lower())
    if state is None:
        raise ValueError(f"{short(value)} is not a boolean; use yes or no")
    return state


def path(raw: str) -> str:
    value = scalar(raw)
    if not value.startswith("/"):
        raise ValueError(f"{short(value)} is not an absolute path")
    if not value.isprintable():
        raise ValueError(f"{short(value)} has unprintable characters")
    return value


def socket_path(raw: str) -> str:
    value = path(raw)
    if value.endswith("/"):
        raise ValueError(f"{short(value)} names a directory, not a socket")
    if len(value.encode("utf-8", "surrogatepass")) >= SUN_PATH_MAX:
        raise ValueError(
            f"{short(value)} is longer than {SUN_PATH_MAX - 1} bytes, "
            "the limit of a unix socket path on FreeBSD"
        )
    return value


def ifname(raw: str) -> str:
    value = raw.strip()
    problem = ifname_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def group(raw: str) -> str:
    value = scalar(raw)
    body = value.removesuffix("$")
    bad = any(c in _GROUP_BAD_CHARS or not c.isprintable() for c in body)
    if not body or body.startswith("-") or bad or not value.isascii():
        raise ValueError(f"{short(value)} is not a valid group name")
    return value


def mac(value: str) -> str:
    if _MAC_RE.fullmatch(value) is None:
        raise ValueError(f"{short(value)} is not a MAC address like 00:11:22:33:44:55")
    address = value.lower()
    if int(address[:2], 16) & 1:
        # The I/G bit: a group (multicast or broadcast) address is no station's.
        raise ValueError(f"{address} is a multicast or broadcast address, not a station's")
    if address == "00:00:00:00:00:00":
        raise ValueError(f"{address} is the all-zero address of a lagg without ports")
    return address


def duration(raw: str) -> float:
    return parse_duration(scalar(raw))


def positive_duration(raw: str) -> float:
    seconds = duration(raw)
    if seconds <= 0:
        raise ValueError("must be longer than 0")
    return seconds


def interval(raw: str) -> float:
    seconds = duration(raw)
    if 0 < seconds < 1:
        raise ValueError("must be 0 (off) or at least 1s")
    return seconds


def restart_wpa(raw: str) -> frozenset[str]:
    words = raw.split()
    if words == ["none"]:
        return frozenset()
    for word in words:
        if word not in RESTART_WPA:
            tip = "" if word == "none" else hint(word, RESTART_WPA)
            raise ValueError(
                f"{short(word)} is not one of {', '.join(RESTART_WPA)} (or 'none' alone){tip}"
            )
        if words.count(word) > 1:
            raise ValueError(f"{word} is listed twice")
    return frozenset(words)


def create_args(raw: str) -> tuple[str, ...]:
    words = raw.split()
    for word in words:
        if _CREATE_WORD_RE.fullmatch(word) is None:
            bad = next(c for c in word if _CREATE_WORD_RE.fullmatch(c) is None)
            raise ValueError(
                f"word {short(word)} has {bad!r}; only {_CREATE_WORD_CHARS} are allowed"
            )
        if word.lower() == "wlandev":
            raise ValueError("'wlandev' comes from the 'parent' key; leave it out here")
    return tuple(words)
