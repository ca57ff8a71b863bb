"""The package's import graph: no cycle, and imports run one way, from the command line down.

Every import counts, at module level or inside a function (a lazy import
is an arrow all the same). The layers, top down: the command line
(``cli``, ``__main__``), the run layer (``run``), the render layer
(``render``), and the engine (every other module). The package's own
``__init__`` is its face: it loads the run layer's calls on first use.
"""

from __future__ import annotations

import ast
from pathlib import Path

import quoteverify

PACKAGE = Path(quoteverify.__file__).parent
LAYERS = {"engine": 0, "render": 1, "run": 2, "cli": 3}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, name: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        if name == "quoteverify":
            continue
        targets = {t for t in _imports(path, name) if t in modules and t not in (name, "quoteverify")}
        graph[name] = targets
    return graph


def _layer(module: str) -> str:
    parts = module.split(".")
    if parts[1:2] in (["cli"], ["__main__"]):
        return "cli"
    if parts[1:2] == ["run"]:
        return "run"
    if parts[1:2] == ["render"]:
        return "render"
    return "engine"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    state: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def test_the_graph_is_read_from_every_module():
    graph = _graph()
    assert "quoteverify.verify" in graph and "quoteverify.run.batches" in graph
    assert "quoteverify.verify" in graph["quoteverify.run.batches"]


def test_the_package_has_no_import_cycle():
    assert _cycles(_graph()) == []


def test_a_cycle_is_found_where_there_is_one():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_imports_run_one_way_from_the_command_line_down():
    upward = [
        f"{source} ({_layer(source)}) imports {target} ({_layer(target)})"
        for source, targets in sorted(_graph().items())
        for target in sorted(targets)
        if LAYERS[_layer(target)] > LAYERS[_layer(source)]
    ]
    assert upward == []
