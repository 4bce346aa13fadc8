"""The house's shape, read statically from the code: the import graph of ``ccb_tui`` has no
circles and no import that points up a layer, and only ``core/store/`` imports TinyDB.

Every import counts, including those inside functions (a lazy import is still a dependency);
only imports under ``if TYPE_CHECKING:`` are left out, since they never run.

Layers, bottom up: ``core.domain`` → ``core.store`` → ``core.exchange`` / ``core.report`` →
``ui`` / web view (``serve*``) → ``cli`` → ``__main__``. Outside ``core/store/`` the store is
reached through its package (``ccb_tui.core.store``) or its public modules ``audit`` and ``paths``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import ccb_tui

PACKAGE = Path(ccb_tui.__file__).parent
STORE_PUBLIC = {"ccb_tui.core.store", "ccb_tui.core.store.audit", "ccb_tui.core.store.paths"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(mod: str) -> set[str]:
    """The ``ccb_tui`` modules ``mod`` imports (a package's ``__init__`` counts as the package)."""
    path = MODULES[mod]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "ccb_tui")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "ccb_tui":
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                out.add(sub if sub in MODULES else target)
    out.discard(mod)
    return out


GRAPH = {mod: imports_of(mod) for mod in MODULES}


def layer(mod: str) -> int:
    if mod.startswith("ccb_tui.core.domain"):
        return 0
    if mod.startswith("ccb_tui.core.store"):
        return 1
    if mod.startswith(("ccb_tui.core.exchange", "ccb_tui.core.report")):
        return 2
    if mod in ("ccb_tui", "ccb_tui.core"):
        return 0
    if mod.startswith(("ccb_tui.ui", "ccb_tui.serve")):
        return 3
    if mod.startswith("ccb_tui.cli"):
        return 4
    if mod == "ccb_tui.__main__":
        return 5
    raise AssertionError(f"{mod} has no layer: give it one here")


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_is_read() -> None:
    # a guard against a test that passes because it reads nothing
    assert len(GRAPH) > 40
    assert "ccb_tui.core.store.store" in GRAPH["ccb_tui.core.store"]
    assert "ccb_tui.core.domain.totals" in GRAPH["ccb_tui.core.report.text"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_circles() -> None:
    assert cycles(GRAPH) == []


def test_no_import_points_up_a_layer() -> None:
    up = sorted((a, b) for a, deps in GRAPH.items() for b in deps if layer(b) > layer(a))
    assert up == []


def test_ui_and_web_view_stay_apart() -> None:
    crossing = sorted((a, b) for a, deps in GRAPH.items() for b in deps
                      if a.startswith("ccb_tui.ui") and b.startswith("ccb_tui.serve")
                      or a.startswith("ccb_tui.serve") and b.startswith("ccb_tui.ui"))
    assert crossing == []


def test_outside_the_store_only_its_public_face_is_used() -> None:
    inside = [(a, b) for a, deps in GRAPH.items() for b in deps
              if b.startswith("ccb_tui.core.store") and not a.startswith("ccb_tui.core.store")
              and b not in STORE_PUBLIC]
    assert sorted(inside) == []


def test_only_the_store_imports_tinydb() -> None:
    users = []
    for mod, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            if any(n.split(".")[0] == "tinydb" for n in names):
                users.append(mod)
    assert users and all(u.startswith("ccb_tui.core.store.") for u in users), users


def test_screens_do_not_import_the_app() -> None:
    back = sorted(a for a, deps in GRAPH.items() if a.startswith("ccb_tui.ui.") and "ccb_tui.ui.app" in deps)
    assert back == []
