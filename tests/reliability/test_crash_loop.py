"""Crash safety, short: three kill -9s of gunicorn while a client posts visit logs; nothing
acknowledged is lost or duplicated and the database passes its integrity check.

The full run (20 kills) is ``bench/reliability/crash_loop.py``; see bench/reliability/README.md.
"""
import subprocess
import sys

import pytest

from tests.conftest import IN_CI, PG_URL, ROOT, pg_available

SCRIPT = ROOT / "bench" / "reliability" / "crash_loop.py"


def require_postgresql() -> None:
    """Skip without a PostgreSQL server, except in CI (tests/conftest.py's rule)."""
    reason = pg_available()
    if reason and IN_CI:
        pytest.fail(f"PostgreSQL is required in CI but not reachable at {PG_URL}: {reason}")
    if reason:
        pytest.skip(f"PostgreSQL not reachable at {PG_URL} ({reason})")


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_crash_loop_short(kind):
    if kind == "postgresql":
        require_postgresql()
    done = subprocess.run([sys.executable, str(SCRIPT), "--db", kind, "--kills", "3", "--min-run", "0.3",
                           "--max-run", "1.0", "--seed", "7"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
    assert "duplicated 0, lost 0, unacknowledged rows 0" in done.stdout
