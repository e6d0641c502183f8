"""POSIX extended regular expressions as FreeBSD's regcomp(3) reads them, for devd.

Regexes: devd runs in the C locale, so matching is byte-wise and case folding is ASCII.
The POSIX ERE is translated to a Python ``bytes`` pattern by a parser that follows
freebsd-src lib/libc/regex/regcomp.c (``p_ere``, ``p_ere_exp``, ``p_bracket``,
``p_b_term``): branches must be non-empty (``REG_EMPTY``), ``*+?`` without an atom or
doubled is ``REG_BADRPT``, ``{`` is a bound only before a digit (bounds up to 255),
``\\c`` is always the literal ``c`` (so ``\\d`` is ``d``), ``^``/``$`` are anchors
anywhere, ``.`` and ``[^x]`` match newlines, brackets take ``[:class:]`` (the 12 POSIX
classes), ``[=c=]`` and ``[.c.]`` for single characters, and ``[[:<:]]``/``[[:>:]]``
word boundaries.  The parse tree is matched by laggroam.devd.regexec, an automaton
like FreeBSD's own regexec, never by a backtracking matcher; a differential test
checks the result against the C library's regexec.
Limits: named collating elements (``[.hyphen.]``) are refused; back-references and the
GNU operators some libcs accept (``\\w``, ``\\s``, ``\\<``) are not recognised -- a
backslash always makes the next character literal, as in the regcomp.c that was read.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from laggroam.devd.regexec import Alt, Assert, Bytes, Cat, Node, Program, Rep, compile_tree

__all__ = ["EreError", "compile_ere"]

RE_DUP_MAX = 255  # freebsd-src include/regex.h / limits.h: bound limit of p_count


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
_ANY = Bytes(frozenset(range(256)))


def _fold(members: set[int] | frozenset[int]) -> frozenset[int]:
    """REG_ICASE in the C locale: each ASCII letter brings its other case (regcomp.c
    ``ordinary`` and ``p_bracket``, before a bracket is inverted)."""
    out = set(members)
    for b in members:
        if 65 <= b <= 90 or 97 <= b <= 122:
            out.add(b ^ 0x20)
    return frozenset(out)


# Atoms that stand for themselves: anchors and any byte (regcomp.c p_ere_exp).
_ATOMS: dict[int, Node] = {ord("^"): Assert("bol"), ord("$"): Assert("eol"), ord("."): _ANY}


def _lit(b: int) -> Bytes:
    return Bytes(_fold({b}))


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

    def parse(self) -> Node:
        out = self.ere(None)
        if self.more():  # only a stray ")" stops the top level
            raise EreError("REG_EPAREN", "unmatched )")
        return out

    def ere(self, stop: int | None) -> Node:
        branches: list[Node] = []
        while True:
            parts: list[Node] = []
            while self.more() and self.peek() != ord("|") and self.peek() != stop:
                parts.append(self.ere_exp())
            if not parts:
                raise EreError("REG_EMPTY", "empty alternative")
            branches.append(parts[0] if len(parts) == 1 else Cat(tuple(parts)))
            if not self.eat("|"):
                return branches[0] if len(branches) == 1 else Alt(tuple(branches))

    def is_repetition(self) -> bool:
        if not self.more():
            return False
        c = self.peek()
        if c in b"*+?":
            return True
        return c == ord("{") and self.more(2) and _isdigit(self.peek(1))

    def ere_exp(self) -> Node:
        """One atom and its repetition, if any (regcomp.c p_ere_exp)."""
        c = self.peek()
        self.i += 1
        atom = self.atom(c)
        if not self.is_repetition():
            return atom
        op = self.peek()
        self.i += 1
        if c == ord("^"):
            raise EreError("REG_BADRPT", "repetition after ^")
        if op == ord("{"):
            low, high = self.bound()
        else:
            low, high = {ord("*"): (0, None), ord("+"): (1, None), ord("?"): (0, 1)}[op]
        if self.is_repetition():
            raise EreError("REG_BADRPT", "repetition of a repetition")
        return Rep(atom, low, high)

    def atom(self, c: int) -> Node:
        """The atom that starts with ``c`` (already consumed)."""
        if c == ord("("):
            if not self.more():
                raise EreError("REG_EPAREN", "unmatched (")
            atom = Cat(()) if self.peek() == ord(")") else self.ere(ord(")"))
            if not self.eat(")"):
                raise EreError("REG_EPAREN", "unmatched (")
            return atom
        if c == ord(")"):
            raise EreError("REG_EPAREN", "unmatched )")
        if c in b"*+?":
            raise EreError("REG_BADRPT", f"{chr(c)} with nothing to repeat")
        if c == ord("\\"):
            if not self.more():
                raise EreError("REG_EESCAPE", "trailing backslash")
            atom = _lit(self.peek())
            self.i += 1
            return atom
        if c == ord("{") and self.more() and _isdigit(self.peek()):
            raise EreError("REG_BADRPT", "{ with nothing to repeat")
        if c == ord("["):
            return self.bracket()
        special = _ATOMS.get(c)
        return special if special is not None else _lit(c)

    def bound(self) -> tuple[int, int | None]:
        """``{m}``, ``{m,}`` or ``{m,n}`` after its ``{``: (low, high or None)."""
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
        return low, high

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

    def bracket(self) -> Node:
        if self.p.startswith(b"[:<:]]", self.i):
            self.i += 6
            return Assert("bow")
        if self.p.startswith(b"[:>:]]", self.i):
            self.i += 6
            return Assert("eow")
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
        folded = _fold(members)
        return Bytes(frozenset(range(256)) - folded if invert else folded)

    def b_term(self, members: set[int]) -> None:
        """One term of a bracket expression into ``members`` (regcomp.c p_b_term)."""
        first = self.peek()
        if first == ord("-"):
            raise EreError("REG_ERANGE", "invalid range start '-'")
        second = self.peek(1) if first == ord("[") and self.more(2) else 0
        if second == ord(":"):
            members.update(self.char_class())
        elif second == ord("="):
            members.add(self.equivalence_class())
        else:
            members.update(self.range_term())

    def char_class(self) -> frozenset[int]:
        """``[:name:]``: the class's bytes in the C locale."""
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
        return frozenset(cls)

    def equivalence_class(self) -> int:
        """``[=c=]``: in the C locale, the one byte itself."""
        self.i += 2
        if not self.more():
            raise EreError("REG_EBRACK", "unmatched [")
        if self.peek() in b"-]":
            raise EreError("REG_ECOLLATE", "bad equivalence class")
        value = self.coll_elem("=")
        if not self.more():
            raise EreError("REG_EBRACK", "unmatched [")
        if not self.eat2("=]"):
            raise EreError("REG_ECOLLATE", "bad equivalence class")
        return value

    def range_term(self) -> range:
        """A symbol, or a range ``a-z`` of them, in byte order."""
        low = self.symbol()
        high = low
        if self.more(2) and self.peek() == ord("-") and self.peek(1) != ord("]"):
            self.i += 1
            high = ord("-") if self.eat("-") else self.symbol()
        if low > high:  # C locale: byte order (__collate_load_error)
            raise EreError("REG_ERANGE", f"invalid range {chr(low)!r}-{chr(high)!r}")
        return range(low, high + 1)

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
def compile_ere(pattern: str) -> Program:
    """Compile a POSIX ERE as devd does (REG_EXTENDED | REG_ICASE, C locale).

    Use ``.search`` on the UTF-8 bytes of the value; raise :class:`EreError` where
    regcomp(3) would fail."""
    tree = _Ere(pattern.encode("utf-8", "surrogateescape")).parse()
    try:
        return compile_tree(tree)
    except OverflowError as exc:  # bounds that expand past what is worth allocating
        raise EreError("REG_ESPACE", f"pattern too large: {exc}") from None
