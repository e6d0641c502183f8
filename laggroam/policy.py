"""The policy file: which laggs laggroam keeps right, and how.

The ini file is read with configparser (no interpolation, no DEFAULT magic,
strict) and validated in one pass into frozen dataclasses, so the daemon can
swap a new policy in whole or keep the last good one.  Every problem found is
reported at once, each as ``FILE:LINE: message``; configparser keeps no line
numbers for keys, so :class:`_PolicyParser` records them while it reads.
``man/laggroam.ini.5`` documents the format for administrators.
"""

import configparser
import difflib
import errno
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from laggroam.duration import format_duration, parse_duration
from laggroam.ifname import ifname_problem

DEFAULT_PATH = "/usr/local/etc/laggroam/laggroam.ini"

# A policy is a few dozen lines; anything this big is the wrong file.
MAX_POLICY_BYTES = 1 << 20

# Past this many problems the file is not a policy with typos; stop listing.
MAX_ERRORS = 200

# lagg(4) protocols (freebsd-src share/man/man4/lagg.4, Dd January 16, 2023),
# spelt as in the LAGG_PROTOS table of sys/net/if_lagg.h.  That table also
# has "default" (an alias of failover) and, in older trees, "fec" (Cisco
# EtherChannel, no longer in lagg(4)); the policy names the protocol outright.
LAGG_PROTOS = ("failover", "lacp", "loadbalance", "roundrobin", "broadcast", "none")
# LAGG_MAX_PORTS (freebsd-src sys/net/if_lagg.h).
LAGG_MAX_PORTS = 32
# sun_path is 104 bytes on FreeBSD, NUL included (freebsd-src sys/sys/un.h).
SUN_PATH_MAX = 104

RENEW_DHCP = ("never", "on-failover", "on-link-up")
RESTART_WPA = ("on-attach", "on-resume", "on-stuck")
LOG_TARGETS = ("syslog", "stderr")
# syslog(3) priority names, lowest to highest, that laggroam logs at.
LOG_LEVELS = ("debug", "info", "notice", "warning", "err")

_DAEMON = "daemon"
# configparser's DEFAULT section would leak its keys into every section; a
# name no header can spell (headers never contain a newline) turns it off.
_NO_DEFAULT_SECTION = "\n(laggroam has no default section)\n"
# Lines holding these are refused before parsing, so the placeholder names
# below, which contain NUL, can never collide with a name from the file.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_PLACEHOLDER_PREFIX = "\0"
_MAX_READ_RETRIES = 100

_WLAN_NAME_RE = re.compile(r"wlan[0-9]+")
_MAC_RE = re.compile(r"[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}")
# Words of `ifconfig wlanN create ...`: what regdomain, country, wlanaddr,
# wlanmode and friends need, and nothing a shell would interpret.
_CREATE_WORD_RE = re.compile(r"[A-Za-z0-9._:,/+=@-]+")
_CREATE_WORD_CHARS = "letters, digits and . _ : , / + = @ -"
# pw(8) refuses these in group names, a leading '-', control and 8-bit
# characters; '$' only as the last character (freebsd-src usr.sbin/pw/pw_user.c
# pw_checkname).
_GROUP_BAD_CHARS = frozenset(' ,\t:+&#%$^()!@~*?<>=|\\/"')


@dataclass(frozen=True, slots=True)
class DaemonPolicy:
    """The ``[daemon]`` section: how the daemon listens, logs and paces itself."""

    debounce: float = 0.3
    socket: str = "/var/run/laggroam.sock"
    state_dir: str = "/var/db/laggroam"
    log: str = "syslog"
    log_level: str = "info"
    interval: float = 60.0
    group: str | None = None
    max_delay: float = 5.0


@dataclass(frozen=True, slots=True)
class LaggPolicy:
    """One lagg: its ports in priority order (the first is the primary) and its care."""

    name: str
    ports: tuple[str, ...]
    proto: str
    ether: str
    ether_defaulted: bool
    dhcp: bool
    renew_dhcp: str
    failback_hold: float
    line: int

    @property
    def primary(self) -> str:
        return self.ports[0]


@dataclass(frozen=True, slots=True)
class WlanPolicy:
    """One wlan vap that laggroam creates and keeps wpa_supplicant on."""

    name: str
    parent: str
    wpa: bool
    wpa_conf: str
    restart_wpa: frozenset[str]
    stuck_after: float
    create_args: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Policy:
    """A whole, valid policy."""

    path: str
    daemon: DaemonPolicy
    laggs: tuple[LaggPolicy, ...]
    wlans: tuple[WlanPolicy, ...]

    def lagg(self, name: str) -> LaggPolicy | None:
        return next((lagg for lagg in self.laggs if lagg.name == name), None)

    def wlan(self, name: str) -> WlanPolicy | None:
        return next((wlan for wlan in self.wlans if wlan.name == name), None)

    def lagg_of(self, port: str) -> LaggPolicy | None:
        """The lagg that lists ``port`` among its ports, if any."""
        return next((lagg for lagg in self.laggs if port in lagg.ports), None)


class PolicyError(Exception):
    """One problem in a policy file, at a line."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(path, line, message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class PolicyErrors(Exception):
    """Every problem found in a policy file, in line order."""

    def __init__(self, errors: Iterable[PolicyError]) -> None:
        self.errors = tuple(errors)
        super().__init__(self.errors)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


# ---------------------------------------------------------------- entry points


def load(path: str | os.PathLike[str]) -> Policy:
    """Read and validate the policy at ``path``.

    OSError (missing, unreadable, a directory, a symlink loop) propagates for
    the caller to report; a FIFO or device is refused as "not a regular file"
    without blocking on it.
    """
    name = os.fspath(path)
    fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as f:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), name)
        if not stat.S_ISREG(mode):
            raise PolicyErrors([PolicyError(name, 1, "not a regular file")])
        data = f.read(MAX_POLICY_BYTES + 1)
    return loads(data, name)


def loads(text: str | bytes, path: str = "<policy>") -> Policy:
    """Validate policy ``text``; raise PolicyErrors listing every problem."""
    errors = _Errors(path)
    lines = _lines(text, errors)
    if lines is None:
        raise PolicyErrors(errors.sorted())
    parsed = _read(lines, errors)
    policy = _Validator(path, errors).policy(parsed) if parsed is not None else None
    if errors or policy is None:
        raise PolicyErrors(errors.sorted())
    return policy


# ---------------------------------------------------------------- errors


class _Errors:
    """The problems found so far; the order of discovery is kept within a line."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._errors: list[PolicyError] = []

    def add(self, line: int, message: str) -> None:
        self._errors.append(PolicyError(self.path, line, message))

    def __bool__(self) -> bool:
        return bool(self._errors)

    def sorted(self) -> list[PolicyError]:
        found = sorted(self._errors, key=lambda error: error.line)
        if len(found) > MAX_ERRORS:
            rest = len(found) - MAX_ERRORS
            line = found[MAX_ERRORS].line
            found = [*found[:MAX_ERRORS], PolicyError(self.path, line, f"{rest} more problems")]
        return found


def _closest(word: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def _hint(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'debounce'?"`` for a near miss, else nothing."""
    close = _closest(word, choices)
    return f"; did you mean {close!r}?" if close else ""


# ---------------------------------------------------------------- reading


def _lines(text: str | bytes, errors: _Errors) -> list[str] | None:
    """The file's lines, or None after recording why it cannot be read at all."""
    data = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    if len(data) > MAX_POLICY_BYTES:
        errors.add(1, f"file is larger than {MAX_POLICY_BYTES} bytes; not a policy")
        return None
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad_line = data.count(b"\n", 0, exc.start) + 1
            errors.add(bad_line, f"not UTF-8: invalid byte 0x{data[exc.start]:02x}")
            return None
    # Some editors start UTF-8 files with a byte-order mark; it is not content.
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    for number, line in enumerate(lines, 1):
        control = _CONTROL_RE.search(line)
        if control is not None:
            errors.add(number, f"control character U+{ord(control.group()):04X} in line")
            lines[number - 1] = ""
    return lines


class _HeaderSpy:
    """Stands in for configparser's SECTCRE to learn each header's line."""

    def __init__(self, parser: "_PolicyParser") -> None:
        self._parser = parser

    def match(self, value: str) -> re.Match[str] | None:
        found = configparser.ConfigParser.SECTCRE.match(value)
        if found is not None:
            self._parser.saw_header(found.group("header"), value[found.end() :])
        return found


class _PolicyParser(configparser.ConfigParser):
    """configparser set up for the policy, recording where headers and keys are.

    configparser reads lazily from the iterator it is given and calls SECTCRE
    once per header line and optionxform() once per key line while reading
    (CPython Lib/configparser.py ``_read``), so both know the current line.
    """

    def __init__(self) -> None:
        super().__init__(
            interpolation=None,
            strict=True,
            empty_lines_in_values=False,
            default_section=_NO_DEFAULT_SECTION,
            comment_prefixes=("#", ";"),
            inline_comment_prefixes=("#", ";"),
        )
        self.SECTCRE = _HeaderSpy(self)  # type: ignore[assignment]
        self.lineno = 0
        self.reading = False
        self.section: str | None = None
        self.section_lines: dict[str, int] = {}
        self.key_lines: dict[tuple[str, str], int] = {}
        self.junk_after_header: list[tuple[int, str]] = []

    def optionxform(self, optionstr: str) -> str:
        key = optionstr.lower()
        if self.reading and self.section is not None:
            self.key_lines.setdefault((self.section, key), self.lineno)
        return key

    def saw_header(self, name: str, rest: str) -> None:
        if not self.reading:
            return
        self.section = name
        self.section_lines.setdefault(name, self.lineno)
        if rest.strip():
            self.junk_after_header.append((self.lineno, rest.strip()))

    def read_lines(self, lines: list[str], source: str) -> None:
        self.reading = True
        try:
            self.read_file(self._numbered(lines), source=source)
        finally:
            self.reading = False

    def _numbered(self, lines: list[str]) -> Iterator[str]:
        for number, line in enumerate(lines, 1):
            self.lineno = number
            yield line


@dataclass(frozen=True, slots=True)
class _Section:
    """A section as read: its keys and values in file order, with lines."""

    name: str
    line: int
    values: Mapping[str, str]
    key_lines: Mapping[str, int]


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _read(lines: list[str], errors: _Errors) -> list[_Section] | None:
    """Parse ``lines``; record read-time errors; None when reading had to stop.

    configparser stops at the first duplicate or a key before any header.  To
    still report everything in one go, the offending line is rewritten into a
    placeholder section or key (ignored afterwards) and the file read again.
    """
    ignored_sections: set[str] = set()
    ignored_keys: set[tuple[str, str]] = set()
    unparsable: set[int] = set()
    for _ in range(_MAX_READ_RETRIES):
        parser = _PolicyParser()
        try:
            parser.read_lines(lines, errors.path)
        except configparser.DuplicateSectionError as exc:
            first = parser.section_lines.get(exc.section, exc.lineno or 0)
            number = exc.lineno or 1
            errors.add(number, f"duplicate section {_label(exc.section)} (first at line {first})")
            placeholder = f"{_PLACEHOLDER_PREFIX}duplicate section {number}"
            lines[number - 1] = f"{_indent(lines[number - 1])}[{placeholder}]"
            ignored_sections.add(placeholder)
            continue
        except configparser.DuplicateOptionError as exc:
            number = exc.lineno or 1
            line = lines[number - 1]
            first = parser.key_lines.get((exc.section, exc.option), number)
            if exc.option:
                errors.add(
                    number,
                    f"duplicate key {_short(exc.option)} in {_label(exc.section)} "
                    f"(first at line {first})",
                )
            else:
                errors.add(number, f"missing key before {line.strip()[:1]!r}")
            delimiter = min(i for i in (line.find("="), line.find(":")) if i >= 0)
            placeholder = f"{_PLACEHOLDER_PREFIX}duplicate key {number}"
            lines[number - 1] = f"{_indent(line)}{placeholder} {line[delimiter:]}"
            ignored_keys.add((exc.section, placeholder))
            continue
        except configparser.MissingSectionHeaderError as exc:
            number = exc.lineno or 1
            errors.add(
                number,
                f"{lines[number - 1].strip()[:40]!r} comes before any [section] header",
            )
            # Whatever follows up to the next header lands in an ignored section.
            placeholder = f"{_PLACEHOLDER_PREFIX}before any section"
            lines[number - 1] = f"[{placeholder}]"
            ignored_sections.add(placeholder)
            continue
        except configparser.ParsingError as exc:
            for number, _text in exc.errors:
                if number not in unparsable:
                    unparsable.add(number)
                    errors.add(number, _unparsable(lines[number - 1]))
            headers = [n for n, _ in exc.errors if lines[n - 1].lstrip().startswith("[")]
            if headers:
                # A broken header: keep the keys below it out of the section above.
                for number in headers:
                    placeholder = f"{_PLACEHOLDER_PREFIX}broken header {number}"
                    lines[number - 1] = f"[{placeholder}]"
                    ignored_sections.add(placeholder)
                continue
        except configparser.Error as exc:  # not raised by 3.11's reader; kept total
            errors.add(getattr(exc, "lineno", None) or 1, str(exc).splitlines()[0])
            return None
        break
    else:
        errors.add(parser.lineno or 1, "too many problems; stopped reading here")
        return None
    for number, junk in parser.junk_after_header:
        errors.add(number, f"unexpected {junk[:40]!r} after the section header")
    return [
        _Section(
            name=name,
            line=parser.section_lines.get(name, 1),
            values={
                k: v for k, v in parser.items(name, raw=True) if k and (name, k) not in ignored_keys
            },
            key_lines={k: parser.key_lines.get((name, k), 1) for k in parser.options(name)},
        )
        for name in parser.sections()
        if name not in ignored_sections
    ]


def _unparsable(line: str) -> str:
    text = line.strip()
    if text.startswith("[") and "]" not in text:
        return f"cannot parse {text[:40]!r}: a section header needs a closing ']'"
    if not text.partition("=")[0].strip() and "=" in text:
        return f"missing key before '=' in {text[:40]!r}"
    message = f"cannot parse {text[:40]!r}: expected 'key = value', a [section] header or a comment"
    if line[:1].isspace():
        message += "; a blank or comment line ends a continued value"
    return message


# ---------------------------------------------------------------- values


def _scalar(raw: str) -> str:
    value = raw.strip()
    if any(c.isspace() for c in value):
        raise ValueError(f"{_short(value)} is not a single word")
    return value


def _short(value: str) -> str:
    """``value`` quoted for a message, cut short if long."""
    return repr(value if len(value) <= 40 else value[:37] + "...")


def _label(section: str) -> str:
    """``[name]`` for a message, cut short if long."""
    return f"[{section if len(section) <= 40 else section[:37] + '...'}]"


def _choice(choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip()
        if value not in choices:
            hint = _hint(value, choices)
            raise ValueError(f"{_short(value)} is not one of {', '.join(choices)}{hint}")
        return value

    return parse


def _boolean(raw: str) -> bool:
    value = raw.strip()
    state = configparser.ConfigParser.BOOLEAN_STATES.get(value.lower())
    if state is None:
        raise ValueError(f"{_short(value)} is not a boolean; use yes or no")
    return state


def _path(raw: str) -> str:
    value = _scalar(raw)
    if not value.startswith("/"):
        raise ValueError(f"{_short(value)} is not an absolute path")
    if not value.isprintable():
        raise ValueError(f"{_short(value)} has unprintable characters")
    return value


def _socket_path(raw: str) -> str:
    value = _path(raw)
    if value.endswith("/"):
        raise ValueError(f"{_short(value)} names a directory, not a socket")
    if len(value.encode("utf-8", "surrogatepass")) >= SUN_PATH_MAX:
        raise ValueError(
            f"{_short(value)} is longer than {SUN_PATH_MAX - 1} bytes, "
            "the limit of a unix socket path on FreeBSD"
        )
    return value


def _ifname(raw: str) -> str:
    value = raw.strip()
    problem = ifname_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _group(raw: str) -> str:
    value = _scalar(raw)
    body = value.removesuffix("$")
    bad = any(c in _GROUP_BAD_CHARS or not c.isprintable() for c in body)
    if not body or body.startswith("-") or bad or not value.isascii():
        raise ValueError(f"{_short(value)} is not a valid group name")
    return value


def _mac(value: str) -> str:
    if _MAC_RE.fullmatch(value) is None:
        raise ValueError(f"{_short(value)} is not a MAC address like 00:11:22:33:44:55")
    mac = value.lower()
    if int(mac[:2], 16) & 1:
        # The I/G bit: a group (multicast or broadcast) address is no station's.
        raise ValueError(f"{mac} is a multicast or broadcast address, not a station's")
    if mac == "00:00:00:00:00:00":
        raise ValueError(f"{mac} is the all-zero address of a lagg without ports")
    return mac


def _duration(raw: str) -> float:
    return parse_duration(_scalar(raw))


def _positive_duration(raw: str) -> float:
    seconds = _duration(raw)
    if seconds <= 0:
        raise ValueError("must be longer than 0")
    return seconds


def _interval(raw: str) -> float:
    seconds = _duration(raw)
    if 0 < seconds < 1:
        raise ValueError("must be 0 (off) or at least 1s")
    return seconds


def _restart_wpa(raw: str) -> frozenset[str]:
    words = raw.split()
    if words == ["none"]:
        return frozenset()
    for word in words:
        if word not in RESTART_WPA:
            hint = "" if word == "none" else _hint(word, RESTART_WPA)
            raise ValueError(
                f"{_short(word)} is not one of {', '.join(RESTART_WPA)} (or 'none' alone){hint}"
            )
        if words.count(word) > 1:
            raise ValueError(f"{word} is listed twice")
    return frozenset(words)


def _create_args(raw: str) -> tuple[str, ...]:
    words = raw.split()
    for word in words:
        if _CREATE_WORD_RE.fullmatch(word) is None:
            bad = next(c for c in word if _CREATE_WORD_RE.fullmatch(c) is None)
            raise ValueError(
                f"word {_short(word)} has {bad!r}; only {_CREATE_WORD_CHARS} are allowed"
            )
        if word.lower() == "wlandev":
            raise ValueError("'wlandev' comes from the 'parent' key; leave it out here")
    return tuple(words)


# ---------------------------------------------------------------- validation

_T = TypeVar("_T")

_DAEMON_KEYS = (
    "debounce",
    "socket",
    "state_dir",
    "log",
    "log_level",
    "interval",
    "group",
    "max_delay",
)
_LAGG_KEYS = ("ports", "proto", "ether", "dhcp", "renew_dhcp", "failback_hold")
_WLAN_KEYS = ("parent", "wpa", "wpa_conf", "restart_wpa", "stuck_after", "create_args")
_KIND_KEYS = {"daemon": _DAEMON_KEYS, "lagg": _LAGG_KEYS, "wlan": _WLAN_KEYS}
_KIND_LABELS = {"daemon": "[daemon]", "lagg": "a lagg section", "wlan": "a wlan section"}


class _Fields:
    """One section's values, parsed key by key; each failure becomes an error."""

    def __init__(self, section: _Section, kind: str, errors: _Errors) -> None:
        self.section = section
        self.errors = errors
        self.failed: set[str] = set()
        for key, line in section.key_lines.items():
            if key in section.values and key not in _KIND_KEYS[kind]:
                hint = _hint(key, _KIND_KEYS[kind])
                for other, keys in _KIND_KEYS.items():
                    if not hint and other != kind and key in keys:
                        hint = f"; it belongs in {_KIND_LABELS[other]}"
                for other, keys in _KIND_KEYS.items():
                    near = _closest(key, keys)
                    if not hint and other != kind and near:
                        hint = f"; did you mean {near!r}, which belongs in {_KIND_LABELS[other]}?"
                errors.add(
                    line,
                    f"{_label(section.name)} unknown key {_short(key)} "
                    f"in {_KIND_LABELS[kind]}{hint}",
                )

    def has(self, key: str) -> bool:
        return key in self.section.values

    def line(self, key: str) -> int:
        return self.section.key_lines.get(key, self.section.line)

    def error(self, key: str, message: str) -> None:
        self.failed.add(key)
        self.errors.add(self.line(key), f"{_label(self.section.name)} {key}: {message}")

    def get(self, key: str, parse: Callable[[str], _T], default: _T) -> _T:
        raw = self.section.values.get(key)
        if raw is None:
            return default
        if not raw.strip():
            self.error(key, "empty value")
            return default
        try:
            return parse(raw)
        except ValueError as exc:
            self.error(key, str(exc))
            return default

    def ok(self, *keys: str) -> bool:
        return not self.failed.intersection(keys)


class _Validator:
    """Turns the sections read into a Policy, recording every problem on the way."""

    def __init__(self, path: str, errors: _Errors) -> None:
        self.path = path
        self.errors = errors

    def policy(self, sections: list[_Section]) -> Policy | None:
        daemon = DaemonPolicy()
        laggs: list[_Section] = []
        wlans: list[_Section] = []
        for section in sections:
            kind = self._kind(section)
            if kind == "daemon":
                daemon = self._daemon(section)
            elif kind == "lagg":
                laggs.append(section)
            elif kind == "wlan":
                wlans.append(section)
        if not laggs:
            self.errors.add(1, "no lagg section: add one such as [lagg0] with ports = em0 wlan0")
        lagg_names = {s.name for s in laggs}
        wlan_names = {s.name for s in wlans}
        lagg_policies = self._laggs(laggs, wlan_names)
        taken = {port: lagg for lagg in lagg_policies for port in lagg.ports}
        wlan_policies = [self._wlan(s, taken, lagg_names, wlan_names) for s in wlans]
        if self.errors:
            return None
        return Policy(self.path, daemon, tuple(lagg_policies), tuple(wlan_policies))

    def _kind(self, section: _Section) -> str | None:
        name, values = section.name, section.values
        if name == _DAEMON:
            return "daemon"
        if "ports" in values and "parent" in values:
            self.errors.add(
                section.line,
                f"{_label(name)} has both 'ports' (a lagg) and 'parent' (a wlan); "
                "give each its own section",
            )
            return None
        if "ports" not in values and "parent" not in values:
            hint = _hint(name, [_DAEMON])
            for key in values:
                near = _closest(key, ["ports", "parent"])
                if near and not hint:
                    hint = f"; did you mean {near!r} instead of {key!r}?"
            self.errors.add(
                section.line,
                f"unknown section {_label(name)}: a lagg section needs 'ports', "
                f"a wlan section needs 'parent'{hint}",
            )
            return None
        problem = ifname_problem(name)
        if problem is not None:
            self.errors.add(
                section.line, f"section {_label(name)} is not an interface name: {problem}"
            )
        return "lagg" if "ports" in values else "wlan"

    def _daemon(self, section: _Section) -> DaemonPolicy:
        f = _Fields(section, "daemon", self.errors)
        defaults = DaemonPolicy()
        daemon = DaemonPolicy(
            debounce=f.get("debounce", _duration, defaults.debounce),
            socket=f.get("socket", _socket_path, defaults.socket),
            state_dir=f.get("state_dir", _path, defaults.state_dir),
            log=f.get("log", _choice(LOG_TARGETS), defaults.log),
            log_level=f.get("log_level", _choice(LOG_LEVELS), defaults.log_level),
            interval=f.get("interval", _interval, defaults.interval),
            group=f.get("group", _group, defaults.group),
            max_delay=f.get("max_delay", _duration, defaults.max_delay),
        )
        if f.ok("debounce", "max_delay") and daemon.max_delay < daemon.debounce:
            key = "max_delay" if f.has("max_delay") else "debounce"
            f.error(
                key,
                f"max_delay ({format_duration(daemon.max_delay)}) is shorter than "
                f"debounce ({format_duration(daemon.debounce)})",
            )
        return daemon

    def _laggs(self, sections: list[_Section], wlan_names: set[str]) -> list[LaggPolicy]:
        lagg_names = {s.name for s in sections}
        claimed: dict[str, tuple[str, int]] = {}
        return [self._lagg(s, lagg_names, wlan_names, claimed) for s in sections]

    def _lagg(
        self,
        section: _Section,
        lagg_names: set[str],
        wlan_names: set[str],
        claimed: dict[str, tuple[str, int]],
    ) -> LaggPolicy:
        """One lagg section; ``claimed`` maps ports of earlier laggs to (lagg, line)."""
        f = _Fields(section, "lagg", self.errors)
        no_ports: tuple[str, ...] = ()
        ports = f.get("ports", partial(_ports, lagg=section.name, lagg_names=lagg_names), no_ports)
        for port in ports:
            if port in claimed:
                other, line = claimed[port]
                # The kernel would refuse it with EBUSY (freebsd-src sys/net/if_lagg.c).
                f.error("ports", f"{port} is already a port of {other} (line {line})")
            else:
                claimed[port] = (section.name, f.line("ports"))
        dhcp = f.get("dhcp", _boolean, True)
        renew = f.get("renew_dhcp", _choice(RENEW_DHCP), "on-failover" if dhcp else "never")
        if not dhcp and renew != "never" and f.ok("dhcp", "renew_dhcp"):
            f.error("renew_dhcp", f"{renew} needs dhcp = yes")
        if f.has("ether"):
            known = ports if f.ok("ports") else None
            ether = f.get("ether", partial(_ether, lagg=section.name, ports=known), "keep")
        else:
            ether = _default_ether(ports, wlan_names)
        return LaggPolicy(
            name=section.name,
            ports=ports,
            proto=f.get("proto", _choice(LAGG_PROTOS), "failover"),
            ether=ether,
            ether_defaulted=not f.has("ether"),
            dhcp=dhcp,
            renew_dhcp=renew,
            failback_hold=f.get("failback_hold", _duration, 0.0),
            line=section.line,
        )

    def _wlan(
        self,
        section: _Section,
        taken: Mapping[str, LaggPolicy],
        lagg_names: set[str],
        wlan_names: set[str],
    ) -> WlanPolicy:
        f = _Fields(section, "wlan", self.errors)
        parent = f.get("parent", _ifname, "")
        if f.ok("parent"):
            if parent in taken:
                lagg = taken[parent]
                f.error(
                    "parent",
                    f"{parent} is a port of {lagg.name} (line {lagg.line}); "
                    f"the wlan, not its radio, is the lagg port",
                )
            elif parent in lagg_names:
                f.error("parent", f"{parent} is a lagg, not a radio")
            elif parent in wlan_names:
                f.error("parent", f"{parent} is a wlan, not a radio")
        return WlanPolicy(
            name=section.name,
            parent=parent,
            wpa=f.get("wpa", _boolean, True),
            wpa_conf=f.get("wpa_conf", _path, "/etc/wpa_supplicant.conf"),
            restart_wpa=f.get("restart_wpa", _restart_wpa, frozenset(RESTART_WPA)),
            stuck_after=f.get("stuck_after", _positive_duration, 20.0),
            create_args=f.get("create_args", _create_args, ()),
            line=section.line,
        )


def _ports(raw: str, lagg: str, lagg_names: set[str]) -> tuple[str, ...]:
    ports = raw.split()
    for port in ports:
        problem = ifname_problem(port)
        if problem is not None:
            raise ValueError(problem)
        if port == lagg:
            # The kernel refuses it too: EINVAL (freebsd-src sys/net/if_lagg.c).
            raise ValueError(f"{lagg} cannot be a port of itself")
        if port in lagg_names:
            raise ValueError(f"{port} is a lagg of this policy; laggroam does not stack laggs")
        if ports.count(port) > 1:
            raise ValueError(f"{port} is listed twice")
    if len(ports) > LAGG_MAX_PORTS:
        raise ValueError(f"{len(ports)} ports; lagg(4) takes at most {LAGG_MAX_PORTS}")
    return tuple(ports)


def _ether(raw: str, lagg: str, ports: tuple[str, ...] | None) -> str:
    """A port of ``lagg``, a unicast MAC or ``keep``; ports None: not checkable."""
    value = _scalar(raw)
    if value == "keep":
        return value
    if ":" in value:
        return _mac(value)
    problem = ifname_problem(value)
    if problem is not None:
        raise ValueError(f"{_short(value)} is not a port, a MAC address or 'keep'")
    if ports is not None and value not in ports:
        listed = " ".join(ports) or "none"
        raise ValueError(f"{value} is not a port of {lagg} (ports: {listed})")
    return value


def _default_ether(ports: tuple[str, ...], wlan_names: set[str]) -> str:
    """The first wireless port: one with a wlan section, else one named wlanN; else keep.

    Wired NICs take a new MAC while some wireless ones cannot, so every port
    wears the wireless MAC (share/man/man4/lagg.4 EXAMPLES; FreeBSD Handbook,
    advanced networking, failover between Ethernet and wireless).
    """
    for port in ports:
        if port in wlan_names:
            return port
    for port in ports:
        if _WLAN_NAME_RE.fullmatch(port):
            return port
    return "keep"
