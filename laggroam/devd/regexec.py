"""Match a parsed POSIX ERE in time linear in the value, as regexec(3) does.

devd matches every rule's regexes against every event (freebsd-src
sbin/devd/devd.cc ``match::do_match`` calls regexec), and FreeBSD's regexec is
an automaton (lib/libc/regex/engine.c: a state-set simulation), so ``(.*)+y``
costs it nothing.  A backtracking matcher takes exponential time on such a
pattern, and one such rule anywhere in the host's devd configuration would
stall every reconcile of that event kind.  This module compiles the parse tree
of laggroam.devd.posixre to a Thompson NFA and runs it over the whole value at once:
each byte costs at most one step per instruction, whatever the pattern.  devd
compiles with REG_NOSUB, so only "does it match anywhere" is needed, and the
state sets reached are cached as a lazily built DFA, so a rule tested on many
events costs a dictionary lookup per byte.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["MAX_PROGRAM", "Alt", "Assert", "Bytes", "Cat", "Node", "Program", "Rep", "compile_tree"]

# A pattern whose bounds expand beyond this many instructions is refused, as
# regcomp refuses what it cannot allocate (REG_ESPACE).
MAX_PROGRAM = 100_000
# Cached DFA transitions per pattern before the cache starts again.
MAX_CACHE = 4096

_WORD = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")


@dataclass(frozen=True, slots=True)
class Bytes:
    """One byte out of a set (a literal, ``.``, a bracket; case folding already applied)."""

    members: frozenset[int]


@dataclass(frozen=True, slots=True)
class Assert:
    """A zero-width test: ``bol`` (^), ``eol`` ($), ``bow`` ([[:<:]]), ``eow`` ([[:>:]])."""

    kind: str


@dataclass(frozen=True, slots=True)
class Cat:
    parts: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Alt:
    branches: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Rep:
    child: Node
    low: int
    high: int | None  # None: no upper bound


Node = Bytes | Assert | Cat | Alt | Rep

# Instructions: (op, a, b, bytes)
_BYTE, _SPLIT, _JMP, _ASSERT, _MATCH = range(5)
_ASSERTS = {"bol": 0, "eol": 1, "bow": 2, "eow": 3}
_NONE: frozenset[int] = frozenset()
_Insn = tuple[int, int, int, frozenset[int]]


class _Builder:
    def __init__(self) -> None:
        self.prog: list[_Insn] = []

    def emit(self, op: int, a: int = 0, b: int = 0, members: frozenset[int] = _NONE) -> int:
        if len(self.prog) >= MAX_PROGRAM:
            raise OverflowError(f"more than {MAX_PROGRAM} instructions")
        self.prog.append((op, a, b, members))
        return len(self.prog) - 1

    def patch(self, pc: int, op: int, a: int, b: int = 0) -> None:
        self.prog[pc] = (op, a, b, _NONE)

    def node(self, node: Node) -> None:
        if isinstance(node, Bytes):
            self.emit(_BYTE, members=node.members)
        elif isinstance(node, Assert):
            self.emit(_ASSERT, _ASSERTS[node.kind])
        elif isinstance(node, Cat):
            for part in node.parts:
                self.node(part)
        elif isinstance(node, Alt):
            self.alt(node.branches)
        else:
            self.rep(node)

    def alt(self, branches: tuple[Node, ...]) -> None:
        if len(branches) == 1:
            self.node(branches[0])
            return
        split = self.emit(_SPLIT)
        self.node(branches[0])
        jump = self.emit(_JMP)
        second = len(self.prog)
        self.alt(branches[1:])
        self.patch(split, _SPLIT, split + 1, second)
        self.patch(jump, _JMP, len(self.prog))

    def rep(self, rep: Rep) -> None:
        for _ in range(rep.low):
            self.node(rep.child)
        if rep.high is None:
            loop = self.emit(_SPLIT)
            self.node(rep.child)
            self.emit(_JMP, loop)
            self.patch(loop, _SPLIT, loop + 1, len(self.prog))
            return
        holes = []
        for _ in range(rep.high - rep.low):
            holes.append(self.emit(_SPLIT))
            self.node(rep.child)
        end = len(self.prog)
        for hole in holes:
            self.patch(hole, _SPLIT, hole + 1, end)


_Key = tuple[frozenset[int], int]


@dataclass
class Program:
    """A compiled pattern: ``search(value)`` is True or None, like ``re.search``'s truth."""

    insns: tuple[_Insn, ...]
    _closures: dict[_Key, frozenset[int]] = field(default_factory=dict, repr=False)
    _steps: dict[_Key, frozenset[int]] = field(default_factory=dict, repr=False)
    # instructions visited on cache misses: the work done, for tests and benches
    work: int = 0

    def _closure(self, states: frozenset[int], ctx: int) -> frozenset[int]:
        """Every instruction reachable without consuming a byte, in context ``ctx``.

        ``ctx`` bits: 1 at the start, 2 after a word byte, 4 at the end, 8 before one.
        """
        key = (states, ctx)
        hit = self._closures.get(key)
        if hit is not None:
            return hit
        insns = self.insns
        seen: set[int] = set()
        stack = list(states)
        while stack:
            pc = stack.pop()
            if pc in seen:
                continue
            seen.add(pc)
            self.work += 1
            op, a, b, _ = insns[pc]
            if op == _SPLIT:
                stack.append(a)
                stack.append(b)
            elif op == _JMP:
                stack.append(a)
            elif op == _ASSERT and _holds(a, ctx):
                stack.append(pc + 1)
        out = frozenset(seen)
        _remember(self._closures, key, out)
        return out

    def _step(self, states: frozenset[int], byte: int) -> frozenset[int]:
        key = (states, byte)
        hit = self._steps.get(key)
        if hit is not None:
            return hit
        insns = self.insns
        self.work += len(states)
        out = frozenset(pc + 1 for pc in states if insns[pc][0] == _BYTE and byte in insns[pc][3])
        _remember(self._steps, key, out)
        return out

    def search(self, value: bytes) -> bool | None:
        """True when the pattern matches somewhere in ``value``; None when it does not."""
        match = len(self.insns) - 1
        start = frozenset({0})
        states: frozenset[int] = _NONE
        n = len(value)
        prev_word = False
        for i in range(n + 1):
            ctx = (1 if i == 0 else 0) | (2 if prev_word else 0)
            if i == n:
                ctx |= 4
            elif value[i] in _WORD:
                ctx |= 8
            # unanchored: a new thread starts at every position
            states = self._closure(states | start, ctx)
            if match in states:
                return True
            if i == n:
                break
            byte = value[i]
            states = self._step(states, byte)
            prev_word = byte in _WORD
        return None


def _remember(cache: dict[_Key, frozenset[int]], key: _Key, value: frozenset[int]) -> None:
    if len(cache) >= MAX_CACHE:
        cache.clear()
    cache[key] = value


def _holds(kind: int, ctx: int) -> bool:
    if kind == 0:  # ^
        return bool(ctx & 1)
    if kind == 1:  # $
        return bool(ctx & 4)
    if kind == 2:  # [[:<:]]: not after a word byte, before one
        return not ctx & 2 and bool(ctx & 8)
    return bool(ctx & 2) and not ctx & 8  # [[:>:]]


def compile_tree(tree: Node) -> Program:
    """The NFA of ``tree``; OverflowError past MAX_PROGRAM instructions."""
    builder = _Builder()
    builder.node(tree)
    builder.emit(_MATCH)
    return Program(tuple(builder.prog))
