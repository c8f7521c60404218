"""The engine is the pure solver: importing it (and the command line's package) in a fresh
interpreter loads neither Flask nor SQLAlchemy, nor any of the web application's modules."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, sys
import {module}
loaded = sorted(m for m in sys.modules
                if m.split(".")[0] in ("flask", "flask_login", "flask_wtf", "flask_babel",
                                       "sqlalchemy", "alembic", "werkzeug", "jinja2")
                or m.startswith(("app.core", "app.extensions", "app.matching.models",
                                 "app.matching.views", "app.matching.services")))
print(json.dumps({{"loaded": loaded, "engine": "app.matching.engine.driver" in sys.modules}}))
"""


@pytest.mark.parametrize("module", ["app.matching.engine", "app.matching", "app.matching.__main__"])
def test_importing_the_engine_loads_no_web_framework_or_database(module):
    out = subprocess.run([sys.executable, "-c", PROBE.format(module=module)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout)
    assert seen["loaded"] == []
    # the solver loads on first use of a name (below), not on import
    assert seen["engine"] is False


def test_the_package_loads_the_engine_on_first_use():
    probe = PROBE.format(module="app.matching").replace("loaded = ", "app.matching.solve\nloaded = ", 1)
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout)
    assert seen == {"loaded": [], "engine": True}


def test_the_web_app_starts_without_loading_the_solver():
    """The app reads the skill vocabulary from engine.rules; scipy and OR-Tools must wait for a
    solve (they cost every command about 0.5 s of CPU)."""
    probe = ("import json, sys\nfrom app import create_app\ncreate_app()\n"
             "print(json.dumps(sorted(m for m in ('scipy', 'ortools', 'app.matching.engine.driver')"
             " if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
