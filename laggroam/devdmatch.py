"""Which devd rule runs for an event, what it runs, and why -- with devd's own semantics.

Matching (freebsd-src sbin/devd/devd.cc):

* The rules of the event's kind are tried in devd's order (priority high to low, ties in
  parse order); the **first** whose statements all match runs, and the search stops --
  also when that rule has no ``action`` (``find_and_execute``).  Statements are tested in
  order and testing stops at the first failure (``event_proc::matches``).
* ``match``: the variable's value (unset -> ``""``; event variables first, then ``set``
  variables, devd.cc ``config::get_variable`` walking its table stack) against the
  regex compiled at parse time with ``REG_EXTENDED | REG_NOSUB | REG_ICASE``; ``!``
  inverts (``match::do_match``).  If regcomp failed -- devd ignores its return value --
  regexec answers ``REG_BADPAT``: the test fails, and an inverted one succeeds.
* ``media-type``: SIOCGIFMEDIA on ``device-name``, or ``subsystem`` when that is empty,
  truncated to IFNAMSIZ-1 = 15 bytes by ``strlcpy`` (sys/net/if.h); true when the
  interface reports a valid media whose type is the one named.  Names, case-insensitive:
  ``Ethernet``, ``802.11``, ``ATM``, ``unknown``; any other name is treated like
  ``unknown``, which matches exactly when the ioctl fails (``media::media``,
  ``media::do_match``).  Here the ioctl is the ``media_of(ifname)`` callback: a media
  name, or None when the ioctl fails / reports no valid media.
* Actions are expanded with :func:`expand_action` (``$var`` shell-quoted as ``$'...'``).

Regexes: devd runs in the C locale, so matching is byte-wise and case folding is ASCII.
The POSIX ERE is translated to a Python ``bytes`` pattern by a parser that follows
freebsd-src lib/libc/regex/regcomp.c (``p_ere``, ``p_ere_exp``, ``p_bracket``,
``p_b_term``): branches must be non-empty (``REG_EMPTY``), ``*+?`` without an atom or
doubled is ``REG_BADRPT``, ``{`` is a bound only before a digit (bounds up to 255),
``\\c`` is always the literal ``c`` (so ``\\d`` is ``d``), ``^``/``$`` are anchors
anywhere, ``.`` and ``[^x]`` match newlines, brackets take ``[:class:]`` (the 12 POSIX
classes), ``[=c=]`` and ``[.c.]`` for single characters, and ``[[:<:]]``/``[[:>:]]``
word boundaries.  Every literal is emitted as ``\\xHH``, so no Python-only syntax can
leak in; a differential test checks the translation against the C library's regexec.
Limits: named collating elements (``[.hyphen.]``) are refused; back-references and the
GNU operators some libcs accept (``\\w``, ``\\s``, ``\\<``) are not recognised -- a
backslash always makes the next character literal, as in the regcomp.c that was read;
Python's backtracking matcher can be slow on pathological patterns where libc's is not.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from laggroam.devdconf import (
    Action,
    Config,
    Match,
    MediaType,
    Rule,
    Statement,
    expand_string,
)
from laggroam.devdline import DevdEvent

__all__ = [
    "EreError",
    "Explanation",
    "MediaOf",
    "RuleCheck",
    "StatementCheck",
    "compile_ere",
    "expand_action",
    "explain",
    "find_rule",
    "find_rule_excluding",
    "lint",
    "media_matches",
    "render_explanation",
    "rule_commands",
]

MediaOf = Callable[[str], str | None]

IFNAMSIZ = 16  # freebsd-src sys/net/if.h
RE_DUP_MAX = 255  # freebsd-src include/regex.h / limits.h: bound limit of p_count

# devd.cc media::media -- the names devd knows; anything else is -1 like "unknown".
_MEDIA_CODES = {"ethernet": "IFM_ETHER", "802.11": "IFM_IEEE80211", "atm": "IFM_ATM"}
_UNKNOWN = "unknown"


# --- POSIX ERE -> Python bytes regex -------------------------------------------------------


class EreError(ValueError):
    """regcomp(3) would fail; ``code`` is its REG_* name."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


def _byte_class(pred: Callable[[int], bool]) -> frozenset[int]:
    return frozenset(b for b in range(256) if pred(b))


def _isalnum(b: int) -> bool:
    return 48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122


# C-locale ctype classes (FreeBSD's C locale classifies only ASCII).
_CLASSES: dict[str, frozenset[int]] = {
    "alnum": _byte_class(_isalnum),
    "alpha": _byte_class(lambda b: 65 <= b <= 90 or 97 <= b <= 122),
    "blank": frozenset(b" \t"),
    "cntrl": _byte_class(lambda b: b < 32 or b == 127),
    "digit": _byte_class(lambda b: 48 <= b <= 57),
    "graph": _byte_class(lambda b: 33 <= b <= 126),
    "lower": _byte_class(lambda b: 97 <= b <= 122),
    "print": _byte_class(lambda b: 32 <= b <= 126),
    "punct": _byte_class(lambda b: 33 <= b <= 126 and not _isalnum(b)),
    "space": frozenset(b" \t\n\v\f\r"),
    "upper": _byte_class(lambda b: 65 <= b <= 90),
    "xdigit": frozenset(b"0123456789ABCDEFabcdef"),
}
_WORD = "[0-9A-Za-z_]"


def _lit(b: int) -> str:
    return f"\\x{b:02x}"


def _isdigit(b: int) -> bool:
    return 48 <= b <= 57


class _Ere:
    """A recursive-descent twin of regcomp.c's ERE parser that emits Python syntax."""

    def __init__(self, pattern: bytes) -> None:
        self.p = pattern
        self.i = 0

    def more(self, k: int = 1) -> bool:
        return self.i + k <= len(self.p)

    def peek(self, k: int = 0) -> int:
        return self.p[self.i + k]

    def eat(self, ch: str) -> bool:
        if self.more() and self.peek() == ord(ch):
            self.i += 1
            return True
        return False

    def eat2(self, two: str) -> bool:
        if self.p.startswith(two.encode(), self.i):
            self.i += 2
            return True
        return False

    def parse(self) -> str:
        out = self.ere(None)
        if self.more():  # only a stray ")" stops the top level
            raise EreError("REG_EPAREN", "unmatched )")
        return out

    def ere(self, stop: int | None) -> str:
        branches: list[str] = []
        while True:
            parts: list[str] = []
            while self.more() and self.peek() != ord("|") and self.peek() != stop:
                parts.append(self.ere_exp())
            if not parts:
                raise EreError("REG_EMPTY", "empty alternative")
            branches.append("".join(parts))
            if not self.eat("|"):
                return "|".join(branches)

    def is_repetition(self) -> bool:
        if not self.more():
            return False
        c = self.peek()
        if c in b"*+?":
            return True
        return c == ord("{") and self.more(2) and _isdigit(self.peek(1))

    def ere_exp(self) -> str:
        c = self.peek()
        self.i += 1
        wascaret = False
        if c == ord("("):
            if not self.more():
                raise EreError("REG_EPAREN", "unmatched (")
            inner = "" if self.peek() == ord(")") else self.ere(ord(")"))
            if not self.eat(")"):
                raise EreError("REG_EPAREN", "unmatched (")
            atom = f"(?:{inner})"
        elif c == ord(")"):
            raise EreError("REG_EPAREN", "unmatched )")
        elif c == ord("^"):
            atom, wascaret = r"\A", True
        elif c == ord("$"):
            atom = r"\Z"
        elif c in b"*+?":
            raise EreError("REG_BADRPT", f"{chr(c)} with nothing to repeat")
        elif c == ord("."):
            atom = r"[\x00-\xff]"
        elif c == ord("["):
            atom = self.bracket()
        elif c == ord("\\"):
            if not self.more():
                raise EreError("REG_EESCAPE", "trailing backslash")
            atom = _lit(self.peek())
            self.i += 1
        elif c == ord("{") and self.more() and _isdigit(self.peek()):
            raise EreError("REG_BADRPT", "{ with nothing to repeat")
        else:
            atom = _lit(c)
        if not self.is_repetition():
            return atom
        op = self.peek()
        self.i += 1
        if wascaret:
            raise EreError("REG_BADRPT", "repetition after ^")
        if op == ord("{"):
            low = self.count()
            high: int | None = low
            if self.eat(","):
                if self.more() and _isdigit(self.peek()):
                    high = self.count()
                    if low > high:
                        raise EreError("REG_BADBR", "bad bound {m,n}: m > n")
                else:
                    high = None
            if not self.eat("}"):
                while self.more() and self.peek() != ord("}"):
                    self.i += 1
                if not self.more():
                    raise EreError("REG_EBRACE", "unmatched {")
                raise EreError("REG_BADBR", "bad bound")
            rep = f"{{{low}}}" if high == low else f"{{{low},{'' if high is None else high}}}"
        else:
            rep = chr(op)
        if self.is_repetition():
            raise EreError("REG_BADRPT", "repetition of a repetition")
        return f"(?:{atom}){rep}"

    def count(self) -> int:
        value = 0
        digits = 0
        while self.more() and _isdigit(self.peek()) and value <= RE_DUP_MAX:
            value = value * 10 + self.peek() - 48
            self.i += 1
            digits += 1
        if digits == 0 or value > RE_DUP_MAX:
            raise EreError("REG_BADBR", f"bound must be 0..{RE_DUP_MAX}")
        return value

    def bracket(self) -> str:
        if self.p.startswith(b"[:<:]]", self.i):
            self.i += 6
            return f"(?<!{_WORD})(?={_WORD})"
        if self.p.startswith(b"[:>:]]", self.i):
            self.i += 6
            return f"(?<={_WORD})(?!{_WORD})"
        members: set[int] = set()
        invert = self.eat("^")
        if self.eat("]"):
            members.add(ord("]"))
        elif self.eat("-"):
            members.add(ord("-"))
        while self.more() and self.peek() != ord("]") and not self.p.startswith(b"-]", self.i):
            self.b_term(members)
        if self.eat("-"):
            members.add(ord("-"))
        if not self.eat("]"):
            raise EreError("REG_EBRACK", "unmatched [")
        body = "".join(_lit(b) for b in sorted(members))
        return f"[{'^' if invert else ''}{body}]"

    def b_term(self, members: set[int]) -> None:
        first = self.peek()
        if first == ord("-"):
            raise EreError("REG_ERANGE", "invalid range start '-'")
        second = self.peek(1) if first == ord("[") and self.more(2) else 0
        if second == ord(":"):
            self.i += 2
            if not self.more():
                raise EreError("REG_EBRACK", "unmatched [")
            if self.peek() in b"-]":
                raise EreError("REG_ECTYPE", "bad character class")
            start = self.i
            while self.more() and chr(self.peek()).isalpha() and self.peek() < 128:
                self.i += 1
            name = self.p[start : self.i].decode("ascii")
            cls = _CLASSES.get(name)
            if cls is None:
                raise EreError("REG_ECTYPE", f"unknown character class [:{name}:]")
            if not self.more():
                raise EreError("REG_EBRACK", "unmatched [")
            if not self.eat2(":]"):
                raise EreError("REG_ECTYPE", "bad character class")
            members.update(cls)
        elif second == ord("="):
            self.i += 2
            if not self.more():
                raise EreError("REG_EBRACK", "unmatched [")
            if self.peek() in b"-]":
                raise EreError("REG_ECOLLATE", "bad equivalence class")
            members.add(self.coll_elem("="))
            if not self.more():
                raise EreError("REG_EBRACK", "unmatched [")
            if not self.eat2("=]"):
                raise EreError("REG_ECOLLATE", "bad equivalence class")
        else:
            low = self.symbol()
            high = low
            if self.more(2) and self.peek() == ord("-") and self.peek(1) != ord("]"):
                self.i += 1
                high = ord("-") if self.eat("-") else self.symbol()
            if low > high:  # C locale: byte order (__collate_load_error)
                raise EreError("REG_ERANGE", f"invalid range {chr(low)!r}-{chr(high)!r}")
            members.update(range(low, high + 1))

    def symbol(self) -> int:
        if not self.more():
            raise EreError("REG_EBRACK", "unmatched [")
        if not self.eat2("[."):
            b = self.peek()
            self.i += 1
            return b
        value = self.coll_elem(".")
        if not self.eat2(".]"):
            raise EreError("REG_ECOLLATE", "bad collating element")
        return value

    def coll_elem(self, end: str) -> int:
        start = self.i
        stop = (end + "]").encode()
        while self.more() and not self.p.startswith(stop, self.i):
            self.i += 1
        if not self.more():
            raise EreError("REG_EBRACK", "unmatched [")
        name = self.p[start : self.i]
        if len(name) != 1:
            raise EreError("REG_ECOLLATE", f"unsupported collating element {name!r}")
        return name[0]


@lru_cache(maxsize=1024)
def compile_ere(pattern: str) -> re.Pattern[bytes]:
    """Compile a POSIX ERE as devd does (REG_EXTENDED | REG_ICASE, C locale).

    Use ``.search`` on the UTF-8 bytes of the value; raise :class:`EreError` where
    regcomp(3) would fail."""
    translated = _Ere(pattern.encode("utf-8", "surrogateescape")).parse()
    try:
        return re.compile(translated.encode("ascii"), re.IGNORECASE)
    except re.error as exc:  # a translation this parser let through; treat as regcomp failure
        raise EreError("REG_BADPAT", str(exc)) from None


# --- testing one statement ---------------------------------------------------------------


def _lookup(config: Config, event: DevdEvent) -> Callable[[str], str]:
    """devd.cc get_variable: the event's table first, then the ``set`` table, else ""."""

    def get(name: str) -> str:
        if name in event.variables:
            return event.variables[name]
        return config.variables.get(name, "")

    return get


@dataclass(frozen=True)
class StatementCheck:
    """One statement of a rule as devd tests it for this event."""

    statement: Statement
    outcome: Literal["matched", "failed", "not tested", "action"]
    value: str | None  # the value tested (variable value or interface name)
    detail: str


def _match_check(m: Match, get: Callable[[str], str]) -> StatementCheck:
    value = get(m.variable)
    try:
        hit = compile_ere(m.regex).search(value.encode("utf-8", "surrogateescape")) is not None
    except EreError as exc:
        ok = m.inverted  # regexec on a failed regcomp: REG_BADPAT, never a match
        why = f"regex {m.regex} does not compile ({exc}); devd's regexec never matches it"
        return StatementCheck(m, "matched" if ok else "failed", value, why)
    ok = hit != m.inverted
    verdict = "matches" if hit else "does not match"
    detail = f"{m.variable}={value!r} {verdict} {m.regex}"
    if m.inverted:
        detail += " (inverted: passes when it does not match)"
    return StatementCheck(m, "matched" if ok else "failed", value, detail)


def media_matches(name: str, ifname: str, media_of: MediaOf) -> tuple[bool, str]:
    """devd.cc media::do_match for ``media-type NAME`` on ``ifname``, with a reason."""
    want = _MEDIA_CODES.get(name.lower())  # None: "unknown" or a name devd does not know
    short = ifname.encode("utf-8", "surrogateescape")[: IFNAMSIZ - 1].decode(
        "utf-8", "surrogateescape"
    )
    have = media_of(short) if short else None
    if have is not None and have.lower() == _UNKNOWN:
        have = None
    if have is None:
        ok = want is None
        return ok, f"{short or '(no name)'}: SIOCGIFMEDIA fails or reports no valid media"
    ok = want is not None and _MEDIA_CODES.get(have.lower()) == want
    return ok, f"{short} has media type {have}"


def _media_check(m: MediaType, get: Callable[[str], str], media_of: MediaOf) -> StatementCheck:
    ifname = get("device-name") or get("subsystem")
    ok, why = media_matches(m.name, ifname, media_of)
    detail = f"{why}; rule wants {m.name}"
    return StatementCheck(m, "matched" if ok else "failed", ifname, detail)


def _check_rule(rule: Rule, get: Callable[[str], str], media_of: MediaOf) -> RuleCheck:
    checks: list[StatementCheck] = []
    failed = False
    for stmt in rule.statements:
        if isinstance(stmt, Action):
            checks.append(StatementCheck(stmt, "action", None, stmt.command))
        elif failed:
            checks.append(StatementCheck(stmt, "not tested", None, "after a failed test"))
        elif isinstance(stmt, Match):
            checks.append(_match_check(stmt, get))
        else:
            checks.append(_media_check(stmt, get, media_of))
        failed = failed or checks[-1].outcome == "failed"
    return RuleCheck(rule, not failed, True, tuple(checks))


@dataclass(frozen=True)
class RuleCheck:
    """A candidate rule: whether all its tests pass and whether devd even got to it."""

    rule: Rule
    matched: bool
    reached: bool  # False: an earlier rule matched, devd never tested this one
    checks: tuple[StatementCheck, ...]


def _candidates(
    config: Config, kind: str, exclude: Collection[str | os.PathLike[str]]
) -> list[Rule]:
    rules = config.rules(kind)
    if not exclude:
        return list(rules)
    gone = {os.path.realpath(p) for p in exclude}
    return [r for r in rules if os.path.realpath(r.path) not in gone]


def find_rule_excluding(
    config: Config,
    event: DevdEvent,
    media_of: MediaOf,
    exclude: Collection[str | os.PathLike[str]],
) -> Rule | None:
    """The rule devd would run if the files in ``exclude`` had no rules.

    This is how laggroam's hook finds the stock rule its own snippet shadows.  Only the
    excluded files' *rules* are dropped; ``set`` variables they define still apply."""
    get = _lookup(config, event)
    for rule in _candidates(config, event.kind, exclude):
        if _check_rule(rule, get, media_of).matched:
            return rule
    return None


def find_rule(config: Config, event: DevdEvent, media_of: MediaOf) -> Rule | None:
    """The first matching rule of the event's kind -- the one devd runs (or None)."""
    return find_rule_excluding(config, event, media_of, ())


def lint(config: Config) -> tuple[str, ...]:
    """``FILE:LINE: problem`` for what devd accepts silently but surely did not mean:
    stray characters, regexes regcomp rejects, media-type names devd does not know."""
    problems = list(config.warnings)
    for f in config.files:
        for rule in f.rules:
            for stmt in rule.tests:
                if isinstance(stmt, Match):
                    try:
                        compile_ere(stmt.regex)
                    except EreError as exc:
                        problems.append(
                            f"{f.path}:{stmt.line}: regex {stmt.regex} does not compile "
                            f"({exc}); devd never matches it"
                        )
                elif stmt.name.lower() not in _MEDIA_CODES and stmt.name.lower() != _UNKNOWN:
                    problems.append(
                        f"{f.path}:{stmt.line}: media-type {stmt.name!r} is not one devd "
                        "knows (Ethernet, 802.11, ATM, unknown); it acts as 'unknown'"
                    )
    return tuple(problems)


# --- actions --------------------------------------------------------------------------------


def expand_action(action: str, variables: Callable[[str], str] | dict[str, str]) -> str:
    """devd.cc expand_string for an action: ``$var`` -> ``$'value'`` (unset -> ``$''``)."""
    get = variables if callable(variables) else (lambda n: variables.get(n, ""))
    return expand_string(action, get, quote=True)


def rule_commands(config: Config, rule: Rule, event: DevdEvent) -> tuple[str, ...]:
    """The shell commands devd passes to ``/bin/sh -c``, in order, for this event."""
    get = _lookup(config, event)
    return tuple(expand_action(a.command, get) for a in rule.actions)


# --- explain ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    """Everything devd does with one event, for ``laggroam devd explain``."""

    event: DevdEvent
    candidates: tuple[RuleCheck, ...]
    chosen: Rule | None
    commands: tuple[str, ...]
    excluded: tuple[str, ...] = ()


def explain(
    config: Config,
    event: DevdEvent,
    media_of: MediaOf,
    exclude: Collection[str | os.PathLike[str]] = (),
) -> Explanation:
    """Test every rule of the event's kind in devd's order and say which one runs."""
    get = _lookup(config, event)
    checks: list[RuleCheck] = []
    chosen: Rule | None = None
    for rule in _candidates(config, event.kind, exclude):
        check = _check_rule(rule, get, media_of)
        if chosen is not None:
            check = RuleCheck(rule, check.matched, False, check.checks)
        elif check.matched:
            chosen = rule
        checks.append(check)
    commands = rule_commands(config, chosen, event) if chosen is not None else ()
    return Explanation(event, tuple(checks), chosen, commands, tuple(os.fspath(p) for p in exclude))


def _statement_text(s: Statement) -> str:
    if isinstance(s, Match):
        if s.keyword == "match":
            return f'match "{s.variable}" "{s.source}"'
        return f'{s.keyword} "{s.source}"'
    if isinstance(s, MediaType):
        return f'media-type "{s.name}"'
    return f'action "{s.command}"'


def render_explanation(expl: Explanation) -> str:
    """A human-readable account of :func:`explain`'s answer."""
    ev = expl.event
    lines = [f"event: {ev.line}", f"kind: {ev.kind}"]
    shown = {k: v for k, v in ev.variables.items() if k not in ("*", "_")}
    lines.append("variables: " + " ".join(f"{k}={v!r}" for k, v in shown.items()))
    if expl.excluded:
        lines.append("ignoring rules from: " + ", ".join(expl.excluded))
    if not expl.candidates:
        lines.append(f"no {ev.kind} rules at all")
    for n, rc in enumerate(expl.candidates, 1):
        r = rc.rule
        if not rc.reached:
            state = "not reached" + (" (would match)" if rc.matched else "")
        else:
            state = "MATCHES -> devd runs this rule" if rc.matched else "does not match"
        lines.append(f"{n:3d}. {r.where}: {r.kind} {r.priority}: {state}")
        for c in rc.checks:
            mark = {"matched": "ok ", "failed": "NO ", "not tested": " - ", "action": "   "}
            lines.append(f"       {mark[c.outcome]} {_statement_text(c.statement)}")
            if c.outcome != "action":
                lines.append(f"           {c.detail}")
    if expl.chosen is None:
        lines.append("result: no rule matches; devd does nothing")
    elif not expl.commands:
        lines.append(f"result: {expl.chosen.where} matches but has no action; devd runs nothing")
    else:
        lines.append(f"result: {expl.chosen.where} runs, each via /bin/sh -c:")
        lines.extend(f"  {cmd}" for cmd in expl.commands)
    return "\n".join(lines)
