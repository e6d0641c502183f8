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

Regexes are POSIX EREs as FreeBSD's regcomp reads them: see :mod:`laggroam.devd.posixre`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Literal

from laggroam.devd.devdconf import Action, Config, Match, MediaType, Rule, Statement
from laggroam.devd.devdexpand import expand_string
from laggroam.devd.devdline import DevdEvent
from laggroam.devd.posixre import EreError, compile_ere

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

# devd.cc media::media -- the names devd knows; anything else is -1 like "unknown".
_MEDIA_CODES = {"ethernet": "IFM_ETHER", "802.11": "IFM_IEEE80211", "atm": "IFM_ATM"}
_UNKNOWN = "unknown"


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
