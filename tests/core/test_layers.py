"""The layers of app/ (docs/architecture.md), read from the source: core is a leaf.

Every import is read, including those inside functions, so that a cycle cannot hide behind a
lazy import.
"""
from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
#: what app/core may import from app/: itself and the unbound extensions and settings
CORE_MAY_IMPORT = ("app.core", "app.extensions", "app.config")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, *, top_level_only: bool = False, source: str | None = None):
    """(line, absolute module name) of every import in ``path`` (or in ``source``, read as if it
    were that file).

    ``from X import y`` yields ``X.y`` when that is a module of app/, else ``X``; relative
    imports are resolved against the module's package.
    """
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    nodes = tree.body if top_level_only else ast.walk(tree)
    for node in _statements(nodes) if top_level_only else nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                yield node.lineno, candidate if _is_module(candidate) else base


def _statements(body):
    """Module-level statements, looking inside ``if``/``try``/``with`` blocks but not into
    functions or classes' methods (those run later, not at import), nor ``if TYPE_CHECKING:``."""
    for node in body:
        yield node
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, (ast.If, ast.Try, ast.With)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                for child in getattr(node, field, []):
                    yield from _statements([child] if not isinstance(child, ast.ExceptHandler) else child.body)
        elif isinstance(node, ast.ClassDef):
            yield from (n for n in _statements(node.body) if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))


def _is_module(dotted: str) -> bool:
    if not dotted.startswith("app."):
        return False
    path = APP.parent.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def module_graph() -> dict[str, set[str]]:
    """Module → the modules of app/ it imports when it is loaded (module-level imports only)."""
    graph = {}
    for path in sorted(APP.rglob("*.py")):
        name = module_name(path)
        graph[name] = {t for _, t in imported_modules(path, top_level_only=True)
                       if (t == "app" or t.startswith("app.")) and t != name}
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module (each an import cycle)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def one_cycle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """A shortest import path from the component's first module back to itself, for the message."""
    start, members = component[0], set(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph[node] & members):
            if nxt == start:
                return paths[node] + [start]
            if nxt not in paths:
                paths[nxt] = paths[node] + [nxt]
                queue.append(nxt)
    return component


def test_no_import_cycles_at_module_level():
    graph = module_graph()
    cycles = [" -> ".join(one_cycle(graph, c)) for c in strongly_connected(graph)]
    assert not cycles, "import cycles (move the shared name down a layer):\n" + "\n".join(cycles)


def test_the_cycle_check_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert strongly_connected(graph) == [["a", "b", "c"]]
    assert one_cycle(graph, ["a", "b", "c"]) == ["a", "b", "c", "a"]


def test_core_imports_no_feature():
    offences = []
    for path in sorted((APP / "core").rglob("*.py")):
        for line, target in imported_modules(path):
            if (target == "app" or target.startswith("app.")) and not target.startswith(CORE_MAY_IMPORT):
                offences.append(f"{path.relative_to(APP.parent)}:{line} imports {target}")
    assert not offences, "app/core must not import a feature:\n" + "\n".join(offences)


def test_the_core_check_sees_imports_inside_functions():
    # the walk must find a lazy import, the usual way a layer violation hides
    source = "def f():\n    from app.children.models import Child\n    from ..children import scope\n"
    found = [t for _, t in imported_modules(APP / "core" / "probe.py", source=source)]
    assert found == ["app.children.models", "app.children.scope"]
    assert list(imported_modules(APP / "core" / "probe.py", source=source, top_level_only=True)) == []
