"""``flask --app wsgi <command>``: commands load when they run; a routeless command's app has no pages."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from app.core.commands import LazyCommands, needs_routes
from app.factory import CLI_COMMANDS

ROOT = Path(__file__).resolve().parents[2]


def _declared_commands() -> dict[str, str]:
    """Command name → package, read from every ``app/<package>/cli.py``'s ``COMMANDS``."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "app").glob("*/cli.py")):
        package = path.parent.name
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not any(isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "COMMANDS" for t in n.targets)
                   for n in tree.body):
            continue
        for command in __import__(f"app.{package}.cli", fromlist=["COMMANDS"]).COMMANDS:
            found[command.name] = package
    return found


def test_the_command_table_names_every_command_of_every_package():
    assert CLI_COMMANDS == _declared_commands()


def test_looking_up_one_command_loads_only_its_package():
    group = LazyCommands({"children": "children", "users": "auth"})
    ctx = click.Context(group)
    assert group.get_command(ctx, "children").name == "children"
    assert set(group.commands) == {"children"}
    assert group.get_command(ctx, "nope") is None
    assert group.list_commands(ctx) == ["children", "users"]


@pytest.mark.parametrize(("argv", "needed"), [
    (["/srv/.venv/bin/gunicorn", "wsgi:app"], True),
    (["/srv/.venv/bin/flask", "--app", "wsgi", "run"], True),
    (["/srv/.venv/bin/flask", "--app", "wsgi", "routes"], True),
    (["/srv/.venv/bin/flask", "--app", "wsgi", "children"], True),
    (["/srv/.venv/bin/flask", "--app", "wsgi", "children", "close-ineligible"], True),
    (["/srv/.venv/bin/flask", "--app", "wsgi", "reports", "issue"], True),
    (["/srv/.venv/bin/flask", "--app", "wsgi", "children", "import", "f.xlsx", "--dry-run"], False),
    (["/srv/.venv/bin/flask", "-A", "wsgi", "--debug", "children", "import", "f.xlsx"], False),
    (["/srv/.venv/lib/python3.11/site-packages/flask/__main__.py", "--app", "wsgi", "children", "import", "f"],
     False),
    (["/srv/tools/children", "import", "f.xlsx"], True),  # not flask's command line
    ([], True),
])
def test_only_a_routeless_command_of_the_flask_command_line_goes_without_pages(argv, needed):
    assert needs_routes(argv, CLI_COMMANDS) is needed


def test_a_routeless_start_imports_no_page(tmp_path):
    """What the roster import's process loads: models and its command, no view and no report."""
    probe = ("import sys; sys.argv = ['flask', '--app', 'wsgi', 'children', 'import', 'f.xlsx'];"
             "import wsgi;"
             "print(len(wsgi.app.blueprints), sorted(m for m in sys.modules if m.startswith('app.') and"
             " (m.rsplit('.', 1)[-1].startswith('views') or m in ('app.reports.registry', 'app.demo.seed'))))")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "LOG_LEVEL": "WARNING"}
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout.split(maxsplit=1)
    assert out == ["0", "[]\n"]
