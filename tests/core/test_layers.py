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
    functions or classes' methods (those run later, not at import)."""
    for node in body:
        yield node
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
