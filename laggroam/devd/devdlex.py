"""devd.conf's tokens, as devd's own lexer (freebsd-src sbin/devd/token.l) makes them.

Apart from the parser (``devdconf``) so that the grammar reads as parse.y
does, over a stream of tokens; the character sets are shared with the
``$name`` expansion (``devdexpand``).

Lexer (token.l), longest match, first rule on ties:

* blanks/tabs skipped; ``\\n`` counts a line; ``;`` ``{`` ``}``;
* ``#...`` and ``//...`` comments run to the end of the line -- flex's ``$`` needs a
  newline after them, so such a comment on a last line without newline is *not* a
  comment (its ``#`` is skipped as a stray character and its words become tokens);
* ``/* ... */`` ends at the first ``*/``; an unterminated one is not a comment;
* numbers ``[0-9]+`` (``atoi``), identifiers ``[A-Za-z][A-Za-z0-9_-]*``, keywords
  (``options set directory pid-file attach detach device-name media-type class
  subdevice action match nomatch notify``);
* strings ``"[^"]+"``: no escape for ``"`` at all, may span lines, must not be empty;
  the only escape is backslash-newline, which drops itself and the blanks after it;
* any other character (``-``, ``,``, ``=``, ``\\r``, a lone ``"``...) matches flex's
  default rule: echoed to devd's stdout and otherwise ignored.  So ``notify -5 {`` has
  priority 5 and ``match "x" ""`` is a syntax error.  Each such character is reported
  in :attr:`ConfigFile.warnings`.
"""

from collections.abc import Iterator
from dataclasses import dataclass

C_SPACE = frozenset(" \t\n\v\f\r")
ALPHA = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
ID_CHARS = ALPHA | frozenset("0123456789_-")
KEYWORDS = frozenset(
    {
        "options",
        "set",
        "directory",
        "pid-file",
        "attach",
        "detach",
        "device-name",
        "media-type",
        "class",
        "subdevice",
        "action",
        "match",
        "nomatch",
        "notify",
    }
)


@dataclass(frozen=True)
class Token:
    kind: str  # ";", "{", "}", "NUMBER", "STRING", "ID", a keyword, or "EOF"
    text: str  # the matched text
    value: str | int
    line: int  # devd's lineno after the token's action ran


def _atoi(digits: str) -> int:
    """FreeBSD atoi: strtol (saturating at LONG_MAX) truncated to a 32-bit int."""
    value = min(int(digits), 2**63 - 1) & 0xFFFFFFFF
    return value - 2**32 if value >= 2**31 else value


def _string_value(yytext: str) -> str:
    """token.l's STRING action: drop the quotes; backslash-newline eats following blanks."""
    n = len(yytext) - 2
    out: list[str] = []
    i = 1
    while i <= n:
        if yytext[i] == "\\" and yytext[i + 1] == "\n":
            i += 2
            while yytext[i] in C_SPACE:
                i += 1
        out.append(yytext[i])
        i += 1
    return "".join(out)


def tokens(text: str, path: str, warnings: list[str]) -> list[Token]:
    """token.l's scanner over the whole file: its tokens in order, then EOF.

    A list, not a generator: the parser takes them one by one either way, and
    a stray character's warning only counts in a file that parses.
    """
    return list(_scan(text, path, warnings))


def _scan(text: str, path: str, warnings: list[str]) -> Iterator[Token]:
    """Blanks and comments skipped, tokens in order, then EOF."""
    lineno = 1
    i = 0
    while i < len(text):
        skipped = _skipped(text, i, lineno)
        if skipped is not None:
            i, lineno = skipped
            continue
        found = _token_at(text, i, lineno)
        if found is not None:
            tok, i = found
            lineno = tok.line
            yield tok
            continue
        warnings.append(f"{path}:{lineno}: stray character {text[i]!r} ignored (flex default rule)")
        i += 1
    yield Token("EOF", "", "", lineno)


def _skipped(text: str, i: int, lineno: int) -> tuple[int, int] | None:
    """Blanks, a newline or a comment at ``i``: (where scanning goes on, its line), or None."""
    c = text[i]
    if c in " \t":
        while i < len(text) and text[i] in " \t":
            i += 1
        return i, lineno
    if c == "\n":
        return i + 1, lineno + 1
    if c == "#" or text.startswith("//", i):
        end = text.find("\n", i)
        if end >= 0:  # flex "$": only just before a newline
            return end, lineno
    if text.startswith("/*", i):
        end = text.find("*/", i + 2)
        if end >= 0:
            return end + 2, lineno + text.count("\n", i, end + 2)
    return None


def _token_at(text: str, i: int, lineno: int) -> tuple[Token, int] | None:
    """The token starting at ``i`` and where the next one may start, or None (a stray
    character); a string's token carries the line it ends on."""
    c = text[i]
    if c in ";{}":
        return Token(c, c, c, lineno), i + 1
    if c.isascii() and c.isdigit():
        j = i
        while j < len(text) and text[j].isascii() and text[j].isdigit():
            j += 1
        return Token("NUMBER", text[i:j], _atoi(text[i:j]), lineno), j
    if c == '"':
        end = text.find('"', i + 1)
        if end > i + 1:
            yytext = text[i : end + 1]
            line = lineno + yytext.count("\n")
            return Token("STRING", yytext, _string_value(yytext), line), end + 1
    if c in ALPHA:
        j = i + 1
        while j < len(text) and text[j] in ID_CHARS:
            j += 1
        word = text[i:j]
        return Token(word if word in KEYWORDS else "ID", word, word, lineno), j
    return None
