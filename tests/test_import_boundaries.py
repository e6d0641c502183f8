"""The package's import rules, read from the source with ``ast`` (nothing is imported).

The core decides and never touches the host: it imports no program runner,
no file, socket or clock module, and nothing of the simulator.  And no module
of the product imports another that imports it back, directly or through others.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "laggroam"

# ARCHITECTURE.md "core: decide", with the program table the actions name and the
# policy model the planner reads.
CORE = frozenset(
    {
        "action",
        "duration",
        "event",
        "host",
        "ifname",
        "ipv6action",
        "ipv6memory",
        "ipv6plan",
        "memory",
        "plan",
        "policymodel",
        "programs",
        "whatif",
    }
)
# What the core may take from the standard library: pure data and text.
PURE_STDLIB = frozenset(
    {"collections", "dataclasses", "enum", "ipaddress", "math", "re", "types", "typing"}
)
# Never reached from the core, even through other modules.
EDGE = frozenset(
    {"runner", "system", "store", "reconcile", "daemon", "listener", "cli", "policy", "install"}
)
EDGE_STDLIB = frozenset(
    {"subprocess", "socket", "selectors", "threading", "fcntl", "signal", "os", "pathlib", "time"}
)


def _module_names() -> list[str]:
    return sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")


def _imports(name: str) -> Iterator[str]:
    """Every module ``laggroam/NAME.py`` imports, at any depth of its code, as a dotted name."""
    tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
    submodules = set(_module_names()) | {"sim"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                raise AssertionError(f"laggroam/{name}.py: relative import")
            module = node.module or ""
            if module == "laggroam":
                for alias in node.names:
                    yield f"laggroam.{alias.name}" if alias.name in submodules else module
            else:
                yield module


def _local(dotted: str) -> str | None:
    """``laggroam.plan`` -> ``plan``; ``laggroam.sim.state`` -> ``sim``; stdlib -> None."""
    parts = dotted.split(".")
    if parts[0] != "laggroam" or len(parts) == 1:
        return None
    return parts[1]


def _graph() -> dict[str, set[str]]:
    """laggroam's top-level modules and the ones each imports (sim kept as one node)."""
    graph: dict[str, set[str]] = {}
    for name in _module_names():
        graph[name] = {m for d in _imports(name) if (m := _local(d)) is not None and m != name}
    return graph


def _reach(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph.get(todo.pop(), set()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


@pytest.mark.parametrize("name", sorted(CORE))
def test_core_imports_only_core_and_pure_stdlib(name: str) -> None:
    allowed = CORE
    for dotted in _imports(name):
        local = _local(dotted)
        if local is not None:
            assert local in allowed, f"laggroam/{name}.py imports laggroam.{local}"
        elif dotted != "laggroam":
            top = dotted.split(".")[0]
            assert top in PURE_STDLIB, f"laggroam/{name}.py imports {dotted}"


@pytest.mark.parametrize("name", sorted(CORE))
def test_core_never_reaches_the_edge_or_the_simulator(name: str) -> None:
    graph = _graph()
    reached = _reach(graph, name)
    assert not reached & (EDGE | {"sim"}), f"laggroam/{name}.py reaches {sorted(reached & EDGE)}"
    stdlib = {d.split(".")[0] for m in reached | {name} for d in _imports(m) if _local(d) is None}
    assert not stdlib & EDGE_STDLIB, f"laggroam/{name}.py reaches {sorted(stdlib & EDGE_STDLIB)}"


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle among the modules of ``graph``, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, set())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_no_import_cycle_among_the_top_level_modules() -> None:
    graph = {name: deps - {"sim"} for name, deps in _graph().items()}
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_check_sees_a_cycle() -> None:
    # The action <-> system cycle this package once had, as the check would see it.
    graph = {"action": {"host", "system"}, "system": {"action", "runner"}, "host": set()}
    assert _cycle(graph) == ["action", "system", "action"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_reader_sees_every_form_of_import() -> None:
    graph = _graph()
    # ``from laggroam import ipv6plan``, ``from laggroam.action import ...``, and a
    # function-level ``from laggroam.system import ...`` (cli's lazy imports).
    assert "ipv6plan" in graph["plan"] and "action" in graph["plan"]
    assert "system" in graph["cli"] and "action" in graph["system"]
