"""The package's import rules, read from the source with ``ast`` (nothing is imported).

laggroam is split into sub-packages by job (ARCHITECTURE.md "Packages"), and
each may import only the ones below it: the core decides and never touches the
host; no package imports another that imports it back, directly or through
others; and no module of the product imports another that imports it back.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "laggroam"

# What each sub-package may import of the others (ARCHITECTURE.md "Packages").
ALLOWED = {
    "core": set(),
    "config": {"core"},
    "rc": {"core", "config"},
    "edge": {"core", "config"},
    "devd": {"core", "config", "edge"},
    "daemon": {"core", "config", "edge", "devd", "exitcodes"},
    "admin": {"core", "config", "rc", "edge", "devd", "daemon", "exitcodes"},
    "exitcodes": set(),
    "__main__": {"admin"},
}
# What the core may take from the standard library: pure data and text.
PURE_STDLIB = frozenset(
    {"collections", "dataclasses", "enum", "ipaddress", "math", "re", "types", "typing"}
)
EDGE_STDLIB = frozenset(
    {"subprocess", "socket", "selectors", "threading", "fcntl", "signal", "os", "pathlib", "time"}
)


def _modules() -> dict[str, Path]:
    """Every module of the product by its name below ``laggroam``: ``core.plan``, ``exitcodes``."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(path: Path) -> Iterator[str]:
    """Every module ``path`` imports, at any depth of its code, as a dotted name."""
    yield from _imports_in(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))


def _imports_in(source: str, name: str) -> Iterator[str]:
    """Every module ``source`` imports, at any depth: statements, and ``importlib.import_module``
    or ``__import__`` of a constant name."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and _is_dynamic_import(node.func):
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield first.value
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                raise AssertionError(f"{name}: relative import")
            module = node.module or ""
            for alias in node.names:
                # ``from laggroam.core import plan`` imports the module core.plan.
                sub = f"{module}.{alias.name}"
                local = sub.removeprefix("laggroam.")
                yield sub if sub.startswith("laggroam.") and local in MODULES else module


def _is_dynamic_import(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in ("__import__", "import_module")
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


def _local(dotted: str) -> str | None:
    """``laggroam.core.plan`` -> ``core.plan``; anything else (stdlib, the simulator) -> None."""
    if not dotted.startswith("laggroam."):
        return None
    return dotted.removeprefix("laggroam.")


def _package(module: str) -> str:
    return module.split(".", maxsplit=1)[0]


def _module_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        deps = {m for d in _imports(path) if (m := _local(d)) is not None}
        graph[name] = {d for d in deps if d in MODULES and d != name}
    return graph


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, deps in _module_graph().items():
        mine = _package(name)
        graph.setdefault(mine, set()).update(_package(d) for d in deps if _package(d) != mine)
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


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle among the nodes of ``graph``, or None."""
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


def test_every_package_has_its_rule() -> None:
    assert set(_package_graph()) | {_package(m) for m in MODULES} <= set(ALLOWED)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_package_imports_only_the_ones_below_it(package: str) -> None:
    extra = _package_graph().get(package, set()) - ALLOWED[package]
    assert not extra, f"laggroam/{package} imports {sorted(extra)}"


CORE = sorted(m for m in MODULES if _package(m) == "core")


@pytest.mark.parametrize("name", CORE)
def test_core_imports_only_core_and_pure_stdlib(name: str) -> None:
    for dotted in _imports(MODULES[name]):
        local = _local(dotted)
        if local is not None:
            assert _package(local) == "core", f"laggroam/{name} imports laggroam.{local}"
        elif dotted != "laggroam":
            top = dotted.split(".")[0]
            assert top in PURE_STDLIB, f"laggroam/{name} imports {dotted}"


@pytest.mark.parametrize("name", CORE)
def test_core_never_reaches_a_process_file_socket_or_clock(name: str) -> None:
    reached = _reach(_module_graph(), name) | {name}
    stdlib = {d.split(".")[0] for m in reached for d in _imports(MODULES[m]) if _local(d) is None}
    assert not stdlib & EDGE_STDLIB, f"laggroam/{name} reaches {sorted(stdlib & EDGE_STDLIB)}"


def test_no_import_cycle_among_the_packages() -> None:
    cycle = _cycle(_package_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_no_import_cycle_among_the_modules() -> None:
    cycle = _cycle(_module_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_check_sees_a_cycle() -> None:
    # The action <-> system cycle this package once had, as the check would see it.
    graph = {"action": {"host", "system"}, "system": {"action", "runner"}, "host": set()}
    assert _cycle(graph) == ["action", "system", "action"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_the_reader_sees_every_form_of_import() -> None:
    graph = _module_graph()
    # ``from laggroam.core import ipv6plan``, ``from laggroam.core.action import ...``, and
    # a function-level ``from laggroam.edge.system import ...`` (the verbs' lazy imports).
    assert {"core.ipv6plan", "core.action"} <= graph["core.plan"]
    assert "edge.system" in graph["admin.common"]
    assert "core.action" in graph["edge.system"]
    assert _package_graph()["admin"] >= {"core", "edge", "daemon"}


# -- the product and the simulator ---------------------------------------------

SIMULATOR = "laggroam_sim"
# The hooks are the product's too: Python scripts devd runs (installed from hooks/).
PRODUCT_FILES = sorted([*MODULES.values(), *(REPO / "hooks").iterdir()])


def _simulator_imports(source: str, name: str) -> list[str]:
    """What of the simulator ``source`` imports, at any depth of its code."""
    return sorted({d for d in _imports_in(source, name) if d.split(".")[0] == SIMULATOR})


@pytest.mark.parametrize("path", PRODUCT_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_module_of_the_product_imports_the_simulator(path: Path) -> None:
    found = _simulator_imports(path.read_text(encoding="utf-8"), str(path))
    assert not found, f"{path.relative_to(REPO)} imports {found}"


def test_the_simulator_check_sees_an_import_at_any_depth() -> None:
    hidden = {
        "import laggroam_sim": ["laggroam_sim"],
        "from laggroam_sim.verbs import USAGE": ["laggroam_sim.verbs"],
        "def f():\n    try:\n        from laggroam_sim import cli\n    except ImportError:\n"
        "        pass": ["laggroam_sim"],
        "class C:\n    def m(self):\n        import laggroam_sim.demo as d": ["laggroam_sim.demo"],
        "import importlib\nimportlib.import_module('laggroam_sim.cli')": ["laggroam_sim.cli"],
        "x = __import__('laggroam_sim')": ["laggroam_sim"],
        "import laggroam.edge.site\nfrom laggroam import exitcodes": [],
    }
    for source, expected in hidden.items():
        assert _simulator_imports(source, "<test>") == expected, source


# -- inside the simulator --------------------------------------------------------

SIM_PACKAGE = REPO / "sim" / SIMULATOR
SIM_MODULES = {p.stem: p for p in SIM_PACKAGE.glob("*.py") if p.stem != "__init__"}


def _sim_graph() -> dict[str, set[str]]:
    """Which of the simulator's modules each imports, at any depth (function-level too)."""
    graph: dict[str, set[str]] = {}
    for name, path in SIM_MODULES.items():
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == SIMULATOR:
                deps.update(a.name for a in node.names)  # from laggroam_sim import devd
            elif isinstance(node, ast.ImportFrom) and node.module:
                deps.add(node.module.removeprefix(f"{SIMULATOR}."))
            elif isinstance(node, ast.Import):
                deps.update(a.name.removeprefix(f"{SIMULATOR}.") for a in node.names)
        graph[name] = {d for d in deps if d in SIM_MODULES and d != name}
    return graph


def test_no_import_cycle_inside_the_simulator() -> None:
    cycle = _cycle(_sim_graph())
    assert cycle is None, "import cycle in the simulator: " + " -> ".join(cycle or [])


def test_the_simulator_graph_sees_function_level_imports() -> None:
    graph = _sim_graph()
    assert "engine" in graph["standin"]  # ``from laggroam_sim import engine`` in execute()
    assert "laggports" in graph["world"]  # ``from laggroam_sim.laggports import active_port``
    assert "devd" in graph["standinmain"]
