"""The deployment kit (deploy/): its files agree with the app, and deploy/check.py boots the
production configuration on the local PostgreSQL and Redis and checks health, a login and a
report job through RQ (bounded: the script gives up after CHECK_TIMEOUT seconds)."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import IN_CI, PG_URL, ROOT, pg_available

DEPLOY = ROOT / "deploy"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _require_services() -> None:
    reasons = []
    if reason := pg_available():
        reasons.append(f"PostgreSQL at {PG_URL}: {reason}")
    try:
        from redis import Redis

        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        reasons.append(f"Redis at {REDIS_URL}: {exc}")
    if reasons and IN_CI:
        pytest.fail("; ".join(reasons))
    if reasons:
        pytest.skip("; ".join(reasons))


def test_check_script_boots_production_and_passes():
    _require_services()
    env = {**os.environ, "CHECK_PG_URL": PG_URL, "CHECK_REDIS_URL": REDIS_URL.rsplit("/", 1)[0] + "/14",
           "CHECK_TIMEOUT": "240"}
    done = subprocess.run([sys.executable, str(DEPLOY / "check.py")], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, f"{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
    for line in ("a short SECRET_KEY is refused", "with HSTS", "the audit log has the client's address",
                 "a report job went through RQ and was downloaded", "all checks passed"):
        assert line in done.stdout


def test_units_run_commands_that_exist(app):
    units = {p.name: p.read_text() for p in (DEPLOY / "systemd").iterdir()}
    assert set(units) == {"xiangban.service", "xiangban-worker.service", "xiangban-escalate.service",
                          "xiangban-escalate.timer", "xiangban-backup.service", "xiangban-backup.timer"}
    assert "gunicorn -c deploy/gunicorn.conf.py wsgi:app" in units["xiangban.service"]
    assert "rq worker" in units["xiangban-worker.service"] and " reports'" in units["xiangban-worker.service"]
    from app.reports.jobs import QUEUE

    assert QUEUE == "reports"
    runner = app.test_cli_runner()
    for unit, command in (("xiangban-escalate.service", ["cases", "escalate"]),
                          ("xiangban-backup.service", ["db-backup"])):
        assert "flask --app wsgi " + " ".join(command) in units[unit]
        assert runner.invoke(args=[*command, "--help"]).exit_code == 0, command
    for timer in ("xiangban-escalate.timer", "xiangban-backup.timer"):
        assert re.search(r"^(OnCalendar|OnUnitActiveSec)=", units[timer], re.M)
    for service in ("xiangban.service", "xiangban-worker.service"):
        assert "EnvironmentFile=/etc/xiangban/env" in units[service]


def test_nginx_sample_and_gunicorn_settings_agree_with_the_app(app):
    nginx = (DEPLOY / "nginx" / "xiangban.conf").read_text()
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"):
        assert f"proxy_set_header {header}" in nginx
    assert "listen 443 ssl" in nginx and "return 301 https://" in nginx and "alias /srv/xiangban/static/" in nginx
    body_mb = int(re.search(r"client_max_body_size (\d+)m;", nginx).group(1))
    assert body_mb * 1024 * 1024 >= app.config["MAX_CONTENT_LENGTH"]
    settings: dict = {}
    exec((DEPLOY / "gunicorn.conf.py").read_text(), settings)  # noqa: S102 - our own settings file
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", nginx).group(1))
    assert settings["timeout"] < read_timeout and settings["workers"] >= 1 and "%(U)s" in settings["access_log_format"]
    env = (DEPLOY / "env.example").read_text()
    assert "PROXY_COUNT=1" in env and "XIANGBAN_CONFIG=production" in env
