"""The report registry is the one place that says what a kind does, and the reports package
imports without cycles."""
import ast
from pathlib import Path

import pytest

REPORTS = Path(__file__).resolve().parents[2] / "app" / "reports"


def test_every_kind_declares_its_builder_template_and_writers(app):
    from app.reports.registry import KINDS

    assert {"ledger", "visits", "assessment", "roster", "roster_stats", "bulletin", "child_file",
            "certificate"} <= set(KINDS)
    for kind in KINDS.values():
        assert callable(kind.build), kind.code
        assert kind.pdf or (Path(app.root_path).parent / "templates" / kind.template).is_file(), kind.code
        assert ("xlsx" in kind.formats) == (kind.excel is not None), kind.code
        assert kind.permission and kind.doc_title


def test_a_kind_offering_excel_without_a_writer_is_refused():
    from app.reports.kind import Kind

    with pytest.raises(ValueError, match="no Excel writer"):
        Kind("x", "x", "reports.view", ("pdf", "xlsx"), "region", lambda p, user: None)


def test_every_region_kind_has_its_form_with_its_own_policy(app):
    from app.reports.registry import KINDS

    rules = {r.endpoint: r for r in app.url_map.iter_rules()}
    for kind in KINDS.values():
        if kind.subject != "region":
            continue
        rule = rules[f"reports.{kind.code}"]
        assert rule.rule == "/reports/" + kind.code.replace("_", "-")
        assert app.view_functions[rule.endpoint].policy == kind.permission


def _compared_strings(tree: ast.AST) -> set[str]:
    """Every string literal compared against (``x == "a"``, ``x in ("a", "b")``, ``match`` cases)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in [node.left, *node.comparators]:
                elts = side.elts if isinstance(side, (ast.Tuple, ast.List, ast.Set)) else [side]
                out |= {e.value for e in elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
        elif isinstance(node, ast.MatchValue) and isinstance(node.value, ast.Constant):
            out.add(node.value.value)
    return out


def test_no_module_branches_on_a_kind():
    """No ``if kind == "ledger"`` chains anywhere in the package: what differs by kind is declared
    in the registry."""
    from app.reports.registry import KINDS

    for path in sorted(REPORTS.glob("*.py")):
        branched = _compared_strings(ast.parse(path.read_text(encoding="utf-8"))) & set(KINDS)
        assert not branched, (path.name, branched)


def _module_imports(path: Path) -> set[str]:
    """The app.reports modules imported at module level (not inside functions)."""
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app.reports"):
            if node.module == "app.reports":
                found |= {f"app.reports.{a.name}" for a in node.names}
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("app.reports.")}
    return found


def test_no_import_cycles_in_the_reports_package():
    graph = {f"app.reports.{p.stem}": _module_imports(p) for p in REPORTS.glob("*.py") if p.stem != "__init__"}
    state: dict[str, int] = {}

    def visit(node, trail):
        if state.get(node) == 1:
            raise AssertionError(" → ".join(trail + [node]))
        if state.get(node) == 2:
            return
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, trail + [node])
        state[node] = 2

    for module in sorted(graph):
        visit(module, [])
    assert "app.reports.service" not in graph["app.reports.render"]
