"""Reading a policy file: its lines, its sections, and the line of every key.

configparser keeps no line numbers for keys and stops at the first duplicate
or stray line, while a policy's problems are all reported at once, each as
``FILE:LINE: message``.  :class:`_PolicyParser` records where every header
and key is while it reads, and :func:`read_sections` rewrites what
configparser would stop at and reads again.  The error types and their
collector live here too, with the quoting every message uses, so that reading
needs nothing from :mod:`laggroam.policy`, which imports this module (and
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

# configparser's DEFAULT section would leak its keys into every section; a
# name no header can spell (headers never contain a newline) turns it off.
_NO_DEFAULT_SECTION = "\n(laggroam has no default section)\n"
# Lines holding these are refused before parsing, so the placeholder names
# below, which contain NUL, can never collide with a name from the file.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_PLACEHOLDER_PREFIX = "\0"
_MAX_READ_RETRIES = 100


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
class Section:
    """A section as read: its keys and values in file order, with lines."""

    name: str
    line: int
    values: Mapping[str, str]
    key_lines: Mapping[str, int]


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def read_sections(lines: list[str], errors: Errors) -> list[Section] | None:
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
            errors.add(number, f"duplicate section {label(exc.section)} (first at line {first})")
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
                    f"duplicate key {short(exc.option)} in {label(exc.section)} "
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
        Section(
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
