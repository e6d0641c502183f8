"""devd.conf files -> rules, with the grammar and parse-time semantics of devd(8) itself.

laggroam reads the same files devd reads to know which rule devd runs for an event (and
which stock rule its own snippet shadows), so it must accept exactly what devd accepts and
reject exactly what makes devd die.  Sources: the lexer freebsd-src sbin/devd/token.l, the
grammar sbin/devd/parse.y, file order and parse-time expansion sbin/devd/devd.cc, the
language sbin/devd/devd.conf.5.

The lexer (token.l) is ``devdlex``, the ``$name`` expansion ``devdexpand``.

Grammar (parse.y): ``options { (directory STR; | pid-file STR; | set ID STR;)+ };`` and
``(attach|detach|nomatch|notify) NUMBER { statement* };`` where a statement is
``match STR STR; | device-name STR; | media-type STR; | class STR; | subdevice STR; |
action STR;``.  A block with no statement parses but adds no rule.  An empty file is fine.

Parse-time semantics (devd.cc): ``match`` regexes get a leading ``!`` stripped (inversion)
and ``$name`` expanded from the ``set`` variables known *so far*, unquoted, wrapped in
``^...$`` (``match::match``, ``expand_string(.., "^", "$")``).  Files are parsed in
order: the main file, then each ``directory`` in order, each file whose name ends in
``.conf`` in readdir(3) order (``config::parse``, ``parse_files_in_dir``).  A syntax error
anywhere makes devd exit with ``Cannot parse FILE at line N``, N being the lexer's line
after reading the offending token.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal, cast

from laggroam.devd.devdexpand import expand_string
from laggroam.devd.devdlex import Token, tokens
from laggroam.devd.devdline import fix_value

__all__ = [
    "KINDS",
    "Action",
    "Config",
    "ConfigFile",
    "DevdConfError",
    "Match",
    "MediaType",
    "Rule",
    "Statement",
    "load_config",
    "load_devd",
    "parse_text",
]

RuleKind = Literal["notify", "attach", "detach", "nomatch"]
KINDS: tuple[RuleKind, ...] = ("notify", "attach", "detach", "nomatch")


class DevdConfError(Exception):
    """A devd.conf file devd would refuse; ``str()`` is ``FILE:LINE: message``."""

    def __init__(self, path: str | os.PathLike[str], line: int | None, message: str) -> None:
        self.path = os.fspath(path)
        self.line = line
        self.message = message
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {message}")


# --- the parsed form ---------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    """``match "VAR" "RE"`` (or ``device-name``/``class``/``subdevice "RE"``)."""

    keyword: str  # as written: match, device-name, class, subdevice
    variable: str
    source: str  # the regex as written, with its "!" if any
    inverted: bool
    regex: str  # what devd hands to regcomp: "^" + expanded + "$"
    line: int


@dataclass(frozen=True)
class MediaType:
    """``media-type "TYPE"``: tested with SIOCGIFMEDIA at match time."""

    name: str
    line: int


@dataclass(frozen=True)
class Action:
    """``action "CMD"``: expanded with shell quoting when run."""

    command: str
    line: int


Statement = Match | MediaType | Action


@dataclass(frozen=True)
class Rule:
    """One ``notify|attach|detach|nomatch N { ... };`` block, with where it came from."""

    kind: RuleKind
    priority: int
    statements: tuple[Statement, ...]
    path: str
    line: int
    order: int = 0  # position in devd's parse order, across all files

    @property
    def tests(self) -> tuple[Match | MediaType, ...]:
        return tuple(s for s in self.statements if not isinstance(s, Action))

    @property
    def actions(self) -> tuple[Action, ...]:
        return tuple(s for s in self.statements if isinstance(s, Action))

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class ConfigFile:
    """One parsed file: its rules in file order and its ``options``."""

    path: str
    rules: tuple[Rule, ...]
    directories: tuple[str, ...]
    pid_file: str | None
    sets: tuple[tuple[str, str], ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class Config:
    """Every file devd parsed, in parse order, and the final ``set`` variable table."""

    files: tuple[ConfigFile, ...]
    variables: Mapping[str, str] = field(hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "variables", MappingProxyType(dict(self.variables)))

    def rules(self, kind: str) -> tuple[Rule, ...]:
        """The rules of one kind in devd's order: priority high to low, ties in parse
        order (devd.cc ``sort_vector`` is a ``stable_sort`` with ``epv_greater``)."""
        found = [r for f in self.files for r in f.rules if r.kind == kind]
        return tuple(sorted(found, key=lambda r: -r.priority))

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(w for f in self.files for w in f.warnings)


# --- parser (parse.y) --------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str, path: str, variables: dict[str, str], order: int) -> None:
        self.path = path
        self.warnings: list[str] = []
        self.toks = iter(tokens(text, path, self.warnings))
        self.tok = next(self.toks)
        self.variables = variables  # devd's global var table; `set` writes it
        self.order = order
        self.rules: list[Rule] = []
        self.directories: list[str] = []
        self.pid_file: str | None = None
        self.sets: list[tuple[str, str]] = []

    def fail(self, expected: str) -> DevdConfError:
        tok = self.tok
        got = "end of file" if tok.kind == "EOF" else repr(tok.text)
        return DevdConfError(self.path, tok.line, f"syntax error: {got}, expected {expected}")

    def take(self, kind: str, expected: str | None = None) -> Token:
        if self.tok.kind != kind:
            raise self.fail(expected or _describe(kind))
        tok = self.tok
        self.tok = next(self.toks)
        return tok

    def parse(self) -> None:
        while self.tok.kind != "EOF":
            if self.tok.kind == "options":
                self.options_block()
            elif self.tok.kind in KINDS:
                self.event_block()
            else:
                raise self.fail("options, attach, detach, nomatch or notify")

    def options_block(self) -> None:
        self.take("options")
        self.take("{")
        count = 0
        while True:
            kind = self.tok.kind
            if kind == "directory":
                self.take(kind)
                self.directories.append(str(self.take("STRING").value))
            elif kind == "pid-file":
                self.take(kind)
                self.pid_file = str(self.take("STRING").value)
            elif kind == "set":
                self.take(kind)
                name = str(self.take("ID", "a variable name").value)
                value = fix_value(str(self.take("STRING").value))
                self.variables[name] = value
                self.sets.append((name, value))
            elif count and kind == "}":
                break
            else:
                want = "directory, pid-file or set"
                raise self.fail(want if count == 0 else f"{want} or '}}'")
            self.take(";")
            count += 1
        self.take("}")
        self.take(";")

    def event_block(self) -> None:
        head = self.take(self.tok.kind)
        kind = cast(RuleKind, head.kind)
        priority = int(self.take("NUMBER", "a priority number").value)
        self.take("{")
        statements: list[Statement] = []
        while self.tok.kind != "}":
            statements.append(self.statement())
        self.take("}")
        self.take(";")
        if statements:  # parse.y: an empty block is accepted and dropped
            rule = Rule(kind, priority, tuple(statements), self.path, head.line, self.order)
            self.rules.append(rule)
            self.order += 1

    def statement(self) -> Statement:
        tok = self.tok
        kind = tok.kind
        if kind == "match":
            self.take(kind)
            var = str(self.take("STRING").value)
            source = str(self.take("STRING").value)
            stmt: Statement = self.match(kind, var, source, tok.line)
        elif kind in ("device-name", "class", "subdevice"):
            self.take(kind)
            stmt = self.match(kind, kind, str(self.take("STRING").value), tok.line)
        elif kind == "media-type":
            self.take(kind)
            stmt = MediaType(str(self.take("STRING").value), tok.line)
        elif kind == "action":
            self.take(kind)
            stmt = Action(str(self.take("STRING").value), tok.line)
        else:
            raise self.fail("match, device-name, media-type, class, subdevice, action or '}'")
        self.take(";")
        return stmt

    def match(self, keyword: str, var: str, source: str, line: int) -> Match:
        inverted = source.startswith("!")
        body = source[1:] if inverted else source
        regex = "^" + expand_string(body, lambda v: self.variables.get(v, ""), quote=False) + "$"
        return Match(keyword, var, source, inverted, regex, line)


def _describe(kind: str) -> str:
    return {
        "STRING": 'a "string"',
        "NUMBER": "a number",
        "ID": "a name",
        ";": "';'",
        "{": "'{'",
        "}": "'}'",
    }.get(kind, kind)


def _parse(text: str, path: str, variables: dict[str, str], order: int) -> tuple[ConfigFile, int]:
    parser = _Parser(text, path, variables, order)
    parser.parse()
    cf = ConfigFile(
        path=path,
        rules=tuple(parser.rules),
        directories=tuple(parser.directories),
        pid_file=parser.pid_file,
        sets=tuple(parser.sets),
        warnings=tuple(parser.warnings),
    )
    return cf, parser.order


def parse_text(
    text: str,
    path: str | os.PathLike[str] = "<string>",
    variables: Mapping[str, str] | None = None,
) -> ConfigFile:
    """Parse one file's text; ``variables`` are ``set`` values from earlier files."""
    cf, _ = _parse(text, os.fspath(path), dict(variables or {}), 0)
    return cf


# --- loading files in devd's order ------------------------------------------------------


DirOrder = Literal["readdir", "sorted"]


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        # devd.cc parse_one_file: err(1, "Cannot open config file %s")
        raise DevdConfError(path, None, f"cannot open config file: {exc.strerror}") from None
    # devd is byte-transparent (C locale); surrogateescape keeps any byte round-trippable.
    return data.decode("utf-8", "surrogateescape")


def _conf_files(directory: Path, order: DirOrder) -> list[Path]:
    """devd.cc ``parse_files_in_dir``: names ending in ``.conf`` (dotfiles too) in
    readdir(3) order; a directory that cannot be opened is silently skipped."""
    try:
        with os.scandir(directory) as it:
            names = [e.name for e in it if e.name.endswith(".conf")]
    except OSError:
        return []
    if order == "sorted":
        names.sort()
    return [directory / name for name in names]


class _Loader:
    def __init__(self, order: DirOrder) -> None:
        self.order = order
        self.variables: dict[str, str] = {}
        self.files: list[ConfigFile] = []
        self.rule_order = 0

    def file(self, path: Path) -> ConfigFile:
        cf, self.rule_order = _parse(_read(path), str(path), self.variables, self.rule_order)
        self.files.append(cf)
        return cf

    def directory(self, path: Path) -> None:
        for conf in _conf_files(path, self.order):
            self.file(conf)

    def config(self) -> Config:
        return Config(tuple(self.files), self.variables)


def load_config(paths: Sequence[str | os.PathLike[str]], *, order: DirOrder = "readdir") -> Config:
    """Parse ``paths`` in sequence: a file is parsed, a directory contributes its
    ``*.conf`` files (readdir order by default -- devd's; ``"sorted"`` for tests).
    ``directory`` options inside the files are recorded but not followed; see
    :func:`load_devd` for devd's full algorithm."""
    loader = _Loader(order)
    for p in paths:
        path = Path(p)
        if path.is_dir():
            loader.directory(path)
        else:
            loader.file(path)
    return loader.config()


def load_devd(
    conf: str | os.PathLike[str] = "/etc/devd.conf",
    *,
    root: str | os.PathLike[str] | None = None,
    order: DirOrder = "readdir",
) -> Config:
    """devd.cc ``config::parse``: ``conf``, then every ``directory`` named by the
    ``options`` blocks, in order.  ``root`` re-roots absolute directory names (a
    site's /etc/devd lives under its root)."""
    loader = _Loader(order)
    loader.file(Path(conf))
    done = 0
    # Directories named by files inside a directory are also followed; devd's loop would
    # append to the vector it iterates (undefined behaviour), this follows them in order.
    while done < sum(len(f.directories) for f in loader.files):
        dirs = [d for f in loader.files for d in f.directories]
        name = dirs[done]
        done += 1
        path = Path(name)
        if root is not None and path.is_absolute():
            path = Path(root) / path.relative_to(path.anchor)
        loader.directory(path)
    return loader.config()
