"""rc.conf(5) read as data: the assignment subset, never run by a shell.

rc.conf is a shell script that rc.subr sources, so anything may be in it.
laggroam reads only what ``sysrc`` and the handbook write: ``name=value``
with single, double or no quotes, backslash escapes, line continuations,
comments, several assignments on one line or separated by ``;``, and
``$name``/``${name}`` naming a variable assigned earlier in the files read.
A later assignment overrides an earlier one, as when the shell runs them.
Everything else (commands, command substitution, conditionals, functions,
``${x:-y}``) is reported with its line as not understood and skipped: its
assignments are not applied, and nothing in it is ever evaluated.
"""

import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# rc.conf is a few hundred lines; anything this big is the wrong file.
MAX_RC_BYTES = 1 << 20

# A shell variable name (POSIX XCU 3.235 Name).
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Words that open and close compound commands (sh(1) "Reserved Words");
# laggroam skips the whole construct rather than guess which branch runs.
_OPENERS = frozenset({"if", "case", "for", "while", "until", "{"})
_CLOSERS = frozenset({"fi", "esac", "done", "}"})
# Unquoted, these make a word part of a pipeline, list, redirection or subshell.
_OPERATORS = frozenset("|&<>()")
# Inside double quotes a backslash escapes only these (sh(1) "Double Quotes").
_DQ_ESCAPES = frozenset('$`"\\\n')

# Records why a word is outside the subset (the first reason wins).
_Flag = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Assignment:
    """``name=value`` as the shell would have assigned it, and where."""

    name: str
    value: str
    path: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class NotUnderstood:
    """A statement outside the subset: reported, skipped, never evaluated."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: not understood, skipped: {self.reason}"


class RcConfError(Exception):
    """A file that cannot be read at all (missing, a directory, too big)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(path, message)
        self.path = path
        self.message = message

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class RcConf:
    """The assignments of one or more rc.conf files, read in order."""

    def __init__(
        self,
        paths: Sequence[str],
        assignments: Iterable[Assignment],
        skipped: Iterable[NotUnderstood],
    ) -> None:
        self.paths = tuple(paths)
        self.assignments = tuple(assignments)
        self.skipped = tuple(skipped)
        self._last: dict[str, Assignment] = {}
        for assignment in self.assignments:
            self._last[assignment.name] = assignment

    def get(self, name: str) -> Assignment | None:
        """The assignment in effect for ``name`` (the last one), or None when unset."""
        return self._last.get(name)

    def value(self, name: str) -> str | None:
        found = self._last.get(name)
        return None if found is None else found.value

    @property
    def variables(self) -> Mapping[str, Assignment]:
        """Every variable set, with the assignment in effect, in first-set order."""
        return self._last


# ---------------------------------------------------------------- reading files


def read_rc_conf(paths: Sequence[Path | str]) -> RcConf:
    """Read ``paths`` in order, as rc.subr sources them into one shell.

    Raises RcConfError for a file that cannot be read; a file with
    statements outside the subset is still read, with those reported.
    """
    names = [os.fspath(p) for p in paths]
    env: dict[str, str] = {}
    assignments: list[Assignment] = []
    skipped: list[NotUnderstood] = []
    for name in names:
        found, problems = parse_rc_text(_read_bytes(name), name, env)
        assignments.extend(found)
        skipped.extend(problems)
    return RcConf(names, assignments, skipped)


def _read_bytes(path: str) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise RcConfError(path, exc.strerror or str(exc)) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise RcConfError(path, "not a regular file")
    with os.fdopen(fd, "rb") as f:
        try:
            data = f.read(MAX_RC_BYTES + 1)
        except OSError as exc:
            raise RcConfError(path, exc.strerror or str(exc)) from None
    if len(data) > MAX_RC_BYTES:
        raise RcConfError(path, f"larger than {MAX_RC_BYTES} bytes; not an rc.conf")
    return data


def parse_rc_text(
    text: str | bytes, path: str = "<rc.conf>", env: dict[str, str] | None = None
) -> tuple[list[Assignment], list[NotUnderstood]]:
    """The assignments in ``text`` and the statements skipped, in file order.

    ``env`` holds the variables assigned by files read before this one (for
    ``$name``) and is updated with this file's assignments.
    """
    if isinstance(text, bytes):
        # Bytes that are not UTF-8 become lone surrogates; a word holding one
        # is refused rather than guessed at.
        text = text.decode("utf-8", errors="surrogateescape")
    return _Parser(text.removeprefix("\ufeff"), path, {} if env is None else env).run()


# ---------------------------------------------------------------- the parser


UNTERMINATED = "quotes do not pair up from here"


class _Unterminated(Exception):
    """A quote that is never closed: sh(1) refuses the whole file."""

    def __init__(self, line: int, what: str) -> None:
        super().__init__(line, what)
        self.line = line
        self.what = what


@dataclass(slots=True)
class _Word:
    """One shell word: its expanded text, how it started, and any problem."""

    text: str
    line: int
    # The unquoted literal characters the word starts with: an assignment's
    # name and '=' must be there (sh(1) "Simple Commands").
    head: str
    problem: str | None


class _Parser:
    """Splits the text into statements of words and applies the assignments."""

    def __init__(self, text: str, path: str, env: dict[str, str]) -> None:
        self.text = text
        self.path = path
        self.env = env
        self.pos = 0
        self.line = 1
        self.assignments: list[Assignment] = []
        self.skipped: list[NotUnderstood] = []
        # Assignments earlier in the current statement: sh(1) performs them
        # left to right, so ``a=1 b=$a`` sets b to 1.
        self.pending: dict[str, str] = {}

    def run(self) -> tuple[list[Assignment], list[NotUnderstood]]:
        depth = 0
        block_line = 0
        try:
            while self.pos < len(self.text):
                start = self.line
                words = self._statement()
                if words is None:
                    continue
                if depth == 0 and words and words[0].text in _CLOSERS and not words[0].problem:
                    self._skip(start, f"{words[0].text!r} without its opening word")
                    continue
                opened = depth
                for word in words:
                    if word.problem is None and word.head == word.text:
                        if word.text in _OPENERS:
                            depth += 1
                        elif word.text in _CLOSERS and depth > 0:
                            depth -= 1
                if opened == 0 and depth > 0:
                    block_line = start
                    if not self._compound_is_function(words):
                        first = words[0].text
                        self._skip(start, f"{first!r} construct: its lines are skipped")
                    continue
                if opened > 0:
                    if depth == 0:
                        self._close_block(block_line, start)
                    continue
                self._apply(words, start)
        except _Unterminated as exc:
            self._skip(
                start,
                f"{UNTERMINATED}: the {exc.what} at line {exc.line} is never "
                "closed; the rest of the file is skipped",
            )
            return self.assignments, self.skipped
        if depth > 0:
            self._skip(block_line, "construct never closed; the rest of the file is skipped")
        return self.assignments, self.skipped

    def _compound_is_function(self, words: list[_Word]) -> bool:
        if any(w.text.endswith("()") or w.text == "()" for w in words):
            self._skip(words[0].line, f"function {words[0].text.removesuffix('()')!r} definition")
            return True
        return False

    def _close_block(self, first: int, last: int) -> None:
        # The construct's first line was reported when it opened; say where it ends.
        for index in range(len(self.skipped) - 1, -1, -1):
            problem = self.skipped[index]
            if problem.line == first and problem.path == self.path:
                reason = f"{problem.reason} (lines {first}-{last})"
                self.skipped[index] = NotUnderstood(self.path, first, reason)
                break

    def _skip(self, line: int, reason: str) -> None:
        self.skipped.append(NotUnderstood(self.path, line, reason))

    # ------------------------------------------------------------ statements

    def _apply(self, words: list[_Word], start: int) -> None:
        first = words[0]
        name, eq, _ = first.head.partition("=")
        if first.problem is None and (not eq or NAME_RE.fullmatch(name) is None):
            self._skip(start, f"command {_short(first.text)} is not run")
            return
        for word in words:
            if word.problem is not None:
                self._skip(word.line, word.problem)
                return
        pending: list[tuple[str, str, int]] = []
        for index, word in enumerate(words):
            name, eq, _ = word.head.partition("=")
            if not eq or NAME_RE.fullmatch(name) is None:
                command = word.text
                if index == 0:
                    self._skip(start, f"command {_short(command)} is not run")
                else:
                    self._skip(
                        start, f"assignments before command {_short(command)} apply to it alone"
                    )
                return
            pending.append((name, word.text[len(name) + 1 :], word.line))
        for name, value, line in pending:
            self.env[name] = value
            self.assignments.append(Assignment(name, value, self.path, line))

    def _statement(self) -> list[_Word] | None:
        """The words up to an unquoted newline or ';'; None for a blank or comment line."""
        words: list[_Word] = []
        text = self.text
        self.pending = {}
        while self.pos < len(text):
            c = text[self.pos]
            if c in " \t":
                self.pos += 1
            elif c == "\\" and text.startswith("\n", self.pos + 1):
                self.pos += 2
                self.line += 1
            elif c == "\n":
                self.pos += 1
                self.line += 1
                break
            elif c == ";":
                self.pos += 1
                if text.startswith(";", self.pos):
                    self.pos += 1  # ';;' of a case construct
                break
            elif c == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            else:
                word = self._word()
                name, eq, _ = word.head.partition("=")
                if eq and word.problem is None and NAME_RE.fullmatch(name):
                    self.pending[name] = word.text[len(name) + 1 :]
                words.append(word)
        return words or None

    # ------------------------------------------------------------ words

    def _word(self) -> _Word:
        text = self.text
        line = self.line
        out: list[str] = []
        head: list[str] = []
        in_head = True
        problem: str | None = None

        def flag(reason: str) -> None:
            nonlocal problem
            if problem is None:
                problem = reason

        while self.pos < len(text):
            c = text[self.pos]
            if c in " \t\n;":
                break
            if c == "\\":
                nxt = text[self.pos + 1 : self.pos + 2]
                self.pos += 2
                if nxt == "\n":
                    self.line += 1
                    continue
                in_head = False
                out.append(nxt)
                continue
            if c == "'":
                in_head = False
                out.append(self._single_quoted())
                continue
            if c == '"':
                in_head = False
                out.append(self._double_quoted(flag))
                continue
            if c == "$":
                in_head = False
                out.append(self._dollar(flag))
                continue
            if c == "`":
                in_head = False
                self._backquoted(flag)
                continue
            bad = _char_problem(c)
            if bad is not None:
                flag(bad)
            out.append(c)
            if in_head:
                head.append(c)
            self.pos += 1
        return _Word("".join(out), line, "".join(head), problem)

    def _single_quoted(self) -> str:
        """'...': every character as it is, newlines included."""
        text = self.text
        end = text.find("'", self.pos + 1)
        if end < 0:
            raise _Unterminated(self.line, "single quote")
        chunk = text[self.pos + 1 : end]
        self.line += chunk.count("\n")
        self.pos = end + 1
        return chunk

    def _backquoted(self, flag: _Flag) -> None:
        """`...`: a command substitution, skipped and flagged, never run."""
        flag("command substitution with `...` is not run")
        text = self.text
        end = text.find("`", self.pos + 1)
        if end < 0:
            raise _Unterminated(self.line, "backquote")
        self.line += text.count("\n", self.pos, end)
        self.pos = end + 1

    def _double_quoted(self, flag: _Flag) -> str:
        text = self.text
        opened = self.line
        self.pos += 1
        out: list[str] = []
        while self.pos < len(text):
            c = text[self.pos]
            if c == '"':
                self.pos += 1
                return "".join(out)
            if c == "\\" and text[self.pos + 1 : self.pos + 2] in _DQ_ESCAPES:
                nxt = text[self.pos + 1]
                self.pos += 2
                if nxt == "\n":
                    self.line += 1
                else:
                    out.append(nxt)
                continue
            if c == "$":
                out.append(self._dollar(flag))
                continue
            if c == "`":
                self._backquoted(flag)
                continue
            if c == "\n":
                self.line += 1
            elif c == "\r":
                flag("carriage return (DOS line ending); sh(1) keeps it in the value")
            elif "\udc80" <= c <= "\udcff":
                flag("bytes that are not UTF-8")
            out.append(c)
            self.pos += 1
        raise _Unterminated(opened, "double quote")

    def _dollar(self, flag: _Flag) -> str:
        """Expand ``$name`` or ``${name}`` from earlier assignments; flag anything else."""
        text = self.text
        rest = text[self.pos + 1 :]
        if rest.startswith("("):
            flag("command substitution $(...) is not run")
            self._skip_parens()
            return ""
        if rest.startswith("{"):
            end = rest.find("}")
            if end < 0:
                raise _Unterminated(self.line, "${")
            inner = rest[1:end]
            self.line += inner.count("\n")
            self.pos += end + 2
            if NAME_RE.fullmatch(inner) is None:
                flag(f"parameter expansion ${{{_clip(inner)}}}")
                return ""
            return self._lookup(inner, flag)
        found = NAME_RE.match(rest)
        if found is not None:
            self.pos += 1 + found.end()
            return self._lookup(found.group(), flag)
        if rest[:1] and (rest[0].isdigit() or rest[0] in "@*#?-$!"):
            self.pos += 2
            flag(f"special parameter ${rest[0]}")
            return ""
        self.pos += 1
        return "$"  # a lone '$' is literal in sh(1)

    def _lookup(self, name: str, flag: _Flag) -> str:
        if name in self.pending:
            return self.pending[name]
        if name in self.env:
            return self.env[name]
        flag(f"${name} is not set in the files read (it may come from elsewhere)")
        return ""

    def _skip_parens(self) -> None:
        """Step over ``$( ... )`` (nested parentheses, quotes) without evaluating it."""
        text = self.text
        depth = 0
        opened = self.line
        self.pos += 1  # at '('
        while self.pos < len(text):
            c = text[self.pos]
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    self.pos += 1
                    return
            elif c == "\n":
                self.line += 1
            elif c in "'\"":
                end = text.find(c, self.pos + 1)
                if end < 0:
                    break
                self.line += text.count("\n", self.pos, end)
                self.pos = end
            self.pos += 1
        raise _Unterminated(opened, "$(")


def _clip(text: str) -> str:
    return text if len(text) <= 30 else text[:27] + "..."


def _short(text: str) -> str:
    return repr(_clip(text))


# ---------------------------------------------------------------- where rc.subr reads


def default_rc_paths(root: Path = Path("/")) -> list[Path]:
    """The files rc.subr sources for netif, in its order, under ``root``.

    ``load_rc_config netif`` (freebsd-src libexec/rc/rc.subr) sources
    /etc/defaults/rc.conf, then ``source_rc_confs`` reads each file of
    ``rc_conf_files`` once, "/etc/rc.conf /etc/rc.conf.local" by default
    (libexec/rc/rc.conf).  Then, per service name, /etc/rc.conf.d/NAME (a
    file) or every file in /etc/rc.conf.d/NAME/ (a directory), and the same
    under /usr/local/etc (local_startup minus "/rc.d").  rc.d/netif loads
    "network" before "netif" (libexec/rc/rc.d/netif).  Only those services'
    files hold what netif applies: any other /etc/rc.conf.d/ file is not
    read by netif.  /etc/rc.conf is always listed, so a missing one is
    reported; the others only when present.
    """
    etc = root / "etc"
    paths = [etc / "rc.conf"]
    if (etc / "rc.conf.local").is_file():
        paths.append(etc / "rc.conf.local")
    for service in ("network", "netif"):
        for base in (etc, root / "usr" / "local" / "etc"):
            entry = base / "rc.conf.d" / service
            if entry.is_file():
                paths.append(entry)
            elif entry.is_dir():
                # sh(1) sorts a glob's matches and '*' skips dot files.
                found = [p for p in entry.iterdir() if not p.name.startswith(".") and p.is_file()]
                paths.extend(sorted(found, key=lambda p: os.fsencode(p.name)))
    return paths


def _char_problem(c: str) -> str | None:
    """What an unquoted character means to sh(1) that an assignment's value cannot hold."""
    if c in _OPERATORS:
        return f"shell operator {c!r}"
    if c == "\r":
        return "carriage return (DOS line ending); sh(1) keeps it in the value"
    if "\udc80" <= c <= "\udcff":
        return "bytes that are not UTF-8"
    return None
