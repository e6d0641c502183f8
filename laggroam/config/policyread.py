"""Reading a policy file: its lines, its sections, and the line of every key.

configparser keeps no line numbers for keys and stops at the first duplicate
or stray line, while a policy's problems are all reported at once, each as
``FILE:LINE: message``.  :class:`_PolicyParser` records where every header
and key is while it reads, and :func:`read_sections` rewrites what
configparser would stop at and reads again.  The error types and their
collector live here too, with the quoting every message uses, so that reading
needs nothing from :mod:`laggroam.config.policy`, which imports this module (and
re-exports :class:`PolicyError` and :class:`PolicyErrors`).
"""

import configparser
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

__all__ = [
    "MAX_ERRORS",
    "MAX_POLICY_BYTES",
    "Errors",
    "PolicyError",
    "PolicyErrors",
    "Section",
    "label",
    "read_sections",
    "short",
    "split_lines",
]

# A policy is a few dozen lines; anything this big is the wrong file.
MAX_POLICY_BYTES = 1 << 20

# Past this many problems the file is not a policy with typos; stop listing.
MAX_ERRORS = 200
# ... and past these, stop reading: parsing any file within the size limit stays
# well under a second (bench/parse.py), and no real policy comes near them.
MAX_READ_ERRORS = 1000
MAX_SECTIONS = 512
MAX_CONTENT_LINES = 10_000  # lines other than blanks and comments

# configparser's DEFAULT section would leak its keys into every section; a
# name no header can spell (headers never contain a newline) turns it off.
_NO_DEFAULT_SECTION = "\n(laggroam has no default section)\n"
# Lines holding these are refused before parsing, so the placeholder names
# below, which contain NUL, can never collide with a name from the file.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_PLACEHOLDER_PREFIX = "\0"
# Where what cannot be read goes: duplicate sections and keys, the lines under
# a broken header or before any header.
_IGNORED = f"{_PLACEHOLDER_PREFIX}ignored"
_IGNORED_MATCH = configparser.ConfigParser.SECTCRE.match(f"[{_IGNORED}]")


# ---------------------------------------------------------------- errors


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


class Errors:
    """The problems found so far; the order of discovery is kept within a line."""

    def __init__(self, path: str) -> None:
        self.path = path
        # (line, message): an exception object each would cost more than the parse.
        self._errors: list[tuple[int, str]] = []

    def add(self, line: int, message: str) -> None:
        self._errors.append((line, message))

    def __bool__(self) -> bool:
        return bool(self._errors)

    def __len__(self) -> int:
        return len(self._errors)

    @property
    def full(self) -> bool:
        """Enough problems to fill the report: spare the cost of suggestions from now on."""
        return len(self._errors) >= MAX_ERRORS

    def sorted(self) -> list[PolicyError]:
        found = sorted(self._errors, key=lambda error: error[0])
        errors = [PolicyError(self.path, line, message) for line, message in found[:MAX_ERRORS]]
        if len(found) > MAX_ERRORS:
            rest = len(found) - MAX_ERRORS
            errors.append(PolicyError(self.path, found[MAX_ERRORS][0], f"{rest} more problems"))
        return errors


def short(value: str) -> str:
    """``value`` quoted for a message, cut short if long."""
    return repr(value if len(value) <= 40 else value[:37] + "...")


def label(section: str) -> str:
    """``[name]`` for a message, cut short if long."""
    return f"[{section if len(section) <= 40 else section[:37] + '...'}]"


# ---------------------------------------------------------------- reading


def split_lines(text: str | bytes, errors: Errors) -> list[str] | None:
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
    if _CONTROL_RE.search("".join(lines)) is None:
        return lines
    for number, line in enumerate(lines, 1):
        control = _CONTROL_RE.search(line)
        if control is not None:
            if len(errors) < MAX_READ_ERRORS:
                errors.add(number, f"control character U+{ord(control.group()):04X} in line")
            lines[number - 1] = ""
    return lines


class _StopReading(Exception):
    """Raised inside configparser's read to end it: the file is not a policy."""


class _HeaderSpy:
    """Stands in for configparser's SECTCRE: learns each header's line, and steers.

    configparser calls it once for every line that is neither blank, a
    comment nor a continuation.  A header seen twice, a ``[`` line without
    its ``]``, and a key before any header are recorded as errors and turned
    into a placeholder header, so the lines under them land in an ignored
    section and reading goes on in a single pass.
    """

    def __init__(self, parser: "_PolicyParser") -> None:
        self._parser = parser

    def match(self, value: str) -> re.Match[str] | None:
        found = configparser.ConfigParser.SECTCRE.match(value)
        parser = self._parser
        if not parser.reading:
            return found
        if found is None:
            text = value.strip()
            if text.startswith("["):
                parser.errors.add(parser.lineno, _unparsable(text))
                return parser.placeholder("broken header")
            if parser.section is None:
                parser.errors.add(parser.lineno, f"{text[:40]!r} comes before any [section] header")
                return parser.placeholder("before any section")
            return None
        name = found.group("header")
        if len(parser.section_lines) >= MAX_SECTIONS:
            parser.errors.add(parser.lineno, f"more than {MAX_SECTIONS} sections; not a policy")
            raise _StopReading
        first = parser.section_lines.get(name)
        if first is not None:
            parser.errors.add(
                parser.lineno, f"duplicate section {label(name)} (first at line {first})"
            )
            return parser.placeholder("duplicate section")
        parser.saw_header(name, value[found.end() :])
        return found


class _PolicyParser(configparser.ConfigParser):
    """configparser set up for the policy, recording where headers and keys are.

    configparser reads lazily from the iterator it is given and calls SECTCRE
    once per header line and optionxform() once per key line while reading
    (CPython Lib/configparser.py ``_read``), so both know the current line.
    """

    def __init__(self, errors: Errors) -> None:
        super().__init__(
            interpolation=None,
            # Duplicates are found (and kept out) by the spy and optionxform.
            strict=False,
            empty_lines_in_values=False,
            default_section=_NO_DEFAULT_SECTION,
            comment_prefixes=("#", ";"),
            inline_comment_prefixes=("#", ";"),
        )
        self.SECTCRE = _HeaderSpy(self)  # type: ignore[assignment]
        self.errors = errors
        self.lineno = 0
        self.line = ""
        self.reading = False
        self.section: str | None = None
        self.section_lines: dict[str, int] = {}
        self.key_lines: dict[tuple[str, str], int] = {}
        self.junk_after_header: list[tuple[int, str]] = []

    def placeholder(self, why: str) -> re.Match[str] | None:
        """A header match for the ignored section (a name with NUL cannot clash); ``why``
        is for the reader of this code."""
        self.section = _IGNORED
        return _IGNORED_MATCH

    def optionxform(self, optionstr: str) -> str:
        key = optionstr.lower()
        if not (self.reading and self.section is not None) or self.section == _IGNORED:
            return key
        if not key:
            return key
        first = self.key_lines.setdefault((self.section, key), self.lineno)
        if first != self.lineno:
            self.errors.add(
                self.lineno,
                f"duplicate key {short(key)} in {label(self.section)} (first at line {first})",
            )
            # A name ignored afterwards: the first value stays.
            return _IGNORED
        return key

    def _handle_error(
        self, exc: configparser.ParsingError | None, fpname: str, lineno: int, line: str
    ) -> configparser.ParsingError:
        # CPython's adds to one message string per bad line, quadratic in their number;
        # and its line number counts the lines given, not the file's.
        if exc is None:
            exc = configparser.ParsingError(fpname)
        self.errors.add(self.lineno, _unparsable(self.line))
        return exc

    def saw_header(self, name: str, rest: str) -> None:
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
        """The lines, with a run of blank and comment lines given as its first alone.

        configparser treats a blank and a comment line alike (each ends a
        continued value; empty_lines_in_values is off), so the run means what
        its first line does; ``lineno`` keeps the file's numbering.
        """
        content = 0
        blank_before = False
        for number, line in enumerate(lines, 1):
            text = line.strip()
            blank = not text or text[0] in "#;"
            if blank and blank_before:
                continue
            blank_before = blank
            if not blank:
                content += 1
            if len(self.errors) >= MAX_READ_ERRORS:
                self.errors.add(number, "too many problems; stopped reading here")
                raise _StopReading
            if content > MAX_CONTENT_LINES:
                self.errors.add(number, f"more than {MAX_CONTENT_LINES} lines; not a policy")
                raise _StopReading
            self.lineno = number
            self.line = line
            yield line


@dataclass(frozen=True, slots=True)
class Section:
    """A section as read: its keys and values in file order, with lines."""

    name: str
    line: int
    values: Mapping[str, str]
    key_lines: Mapping[str, int]


def read_sections(lines: list[str], errors: Errors) -> list[Section] | None:
    """Parse ``lines`` in one pass; record read-time errors; None when reading had to stop.

    configparser stops at the first duplicate or a key before any header, so
    the parser steers those into ignored placeholder sections and keys as it
    reads (see :class:`_HeaderSpy`), and every problem is found in one read.
    """
    parser = _PolicyParser(errors)
    try:
        parser.read_lines(lines, errors.path)
    except _StopReading:
        return None
    except configparser.ParsingError:
        pass  # each bad line is already recorded (_handle_error)
    except configparser.Error as exc:  # not raised with the steering above; kept total
        errors.add(getattr(exc, "lineno", None) or parser.lineno or 1, str(exc).splitlines()[0])
        return None
    for number, junk in parser.junk_after_header:
        errors.add(number, f"unexpected {junk[:40]!r} after the section header")
    return [
        Section(
            name=name,
            line=parser.section_lines.get(name, 1),
            values={k: v for k, v in parser.items(name, raw=True) if k and k != _IGNORED},
            key_lines={
                k: parser.key_lines.get((name, k), 1) for k in parser.options(name) if k != _IGNORED
            },
        )
        for name in parser.sections()
        if name != _IGNORED
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
