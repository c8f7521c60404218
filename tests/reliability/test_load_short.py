"""Load, short: ten volunteers logging visits and browsing for ten seconds against gunicorn
answer every request without an error. No latency assertion: timing belongs to
``bench/reliability/load.py`` (see bench/reliability/README.md)."""
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.reliability.test_crash_loop import require_postgresql

SCRIPT = ROOT / "bench" / "reliability" / "load.py"


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_load_short(kind):
    if kind == "postgresql":
        require_postgresql()
    done = subprocess.run([sys.executable, str(SCRIPT), "--db", kind, "--users", "10", "--duration", "10",
                           "--think", "0.2,0.6", "--workers", "2", "--html-rate", "0.3", "--warmup", "2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, f"{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
    assert "errors: 0;" in done.stdout
