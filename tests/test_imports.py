"""The float layer's floors: the import graph of ``numerics/`` has no cycle, deferred imports included.

Every ``import``/``from … import`` statement anywhere in a module (top level or inside a function)
is an edge; a name imported from a package that is itself a module of the package counts as that
module.  A cycle means two modules that can only be understood together (and a deferred import that
hides it); the floors are, from the bottom: teachers and losses, the students (protocol, arrays, each
student, files), extrapolation and non-linear teachers, the drivers, the application.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _graph(folder: str) -> dict[str, set[str]]:
    base = ROOT / folder
    pkg = "tempx." + folder
    mods: dict[str, Path] = {}
    for f in base.rglob("*.py"):
        parts = list(f.relative_to(base).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join([pkg, *parts])] = f
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for m, f in mods.items():
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(pkg):
                targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in mods else node.module for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith(pkg)]
            else:
                continue
            graph[m] |= {t for t in targets if t in mods and t != m}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(v: str) -> list[str] | None:
        state[v] = 1
        path.append(v)
        for w in sorted(graph[v]):
            if state.get(w) == 1:
                return path[path.index(w):] + [w]
            if w not in state and (found := visit(w)):
                return found
        state[v] = 2
        path.pop()
        return None

    for v in sorted(graph):
        if v not in state and (found := visit(v)):
            return found
    return None


def test_the_float_layer_has_no_import_cycle() -> None:
    cycle = _cycle(_graph("numerics"))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
    # and the graph sees deferred imports: the flow driver imports the NDF integrator, students import losses
    g = _graph("numerics")
    assert "tempx.numerics.drivers.ndf" in g["tempx.numerics.drivers.limit"]
    assert "tempx.numerics.losses" in g["tempx.numerics.students.dense"]
    assert "tempx.numerics.students.dense" in g["tempx.numerics.students.init"]
