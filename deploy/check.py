"""Boot the production configuration on this machine and check it end to end.

Uses the local PostgreSQL (a scratch database, dropped afterwards) and Redis, runs the
migrations and a few commands as an administrator would, starts gunicorn with
deploy/gunicorn.conf.py and an RQ worker, then checks, through the same headers nginx sends:
the health check (and HSTS), a login, and a report job that goes through RQ and is downloaded.
Everything it started is stopped, whatever happens. Exit status 0 when every check passed.

    .venv/bin/python deploy/check.py          (or: deploy/check.sh)

Settings (environment): CHECK_PG_URL (a server URL whose user may create databases; default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres), CHECK_REDIS_URL (default
redis://127.0.0.1:6379/14), CHECK_TIMEOUT (seconds for the whole run, default 150).
"""
from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_URL = os.environ.get("CHECK_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("CHECK_REDIS_URL", "redis://127.0.0.1:6379/14")
DEADLINE = time.monotonic() + float(os.environ.get("CHECK_TIMEOUT", "150"))
HOST = "xiangban.example.cn"  # as nginx would pass it (X-Forwarded-Host)
ADMIN_PASSWORD = "check-" + secrets.token_hex(8)


def say(text: str) -> None:
    print(f"[deploy-check] {text}", flush=True)


class CheckFailed(Exception):
    pass


def left() -> float:
    remaining = DEADLINE - time.monotonic()
    if remaining <= 0:
        raise CheckFailed("out of time")
    return remaining


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- the scratch database

def admin_engine():
    import sqlalchemy as sa

    return sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})


def create_database(name: str) -> str:
    import sqlalchemy as sa

    engine = admin_engine()
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return PG_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_database(name: str) -> None:
    import sqlalchemy as sa

    engine = admin_engine()
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


# ---------------------------------------------------------------- processes

def flask(env: dict, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=min(120, left()))
    if done.returncode != 0:
        raise CheckFailed(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def start(env: dict, log: Path, *cmd: str) -> subprocess.Popen:
    out = open(log, "w")
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


# ---------------------------------------------------------------- HTTP as behind nginx

class Client:
    """Requests with the headers nginx sets (HTTPS, client address, host) and a cookie jar
    that keeps Secure cookies (the connection to gunicorn is plain HTTP on localhost)."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Forwarded-Host": HOST,
                   "Referer": f"https://{HOST}{path}", "User-Agent": "deploy-check"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=min(60, left()))
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return response, data

    def csrf(self, path: str) -> str:
        _, data = self.request("GET", path)
        match = re.search(rb'name="csrf-token" content="([^"]+)"', data)
        if not match:
            raise CheckFailed(f"no CSRF token on {path}")
        return match.group(1).decode()


def wait_healthy(client: Client, proc: subprocess.Popen) -> None:
    while True:
        if proc.poll() is not None:
            raise CheckFailed("gunicorn exited")
        try:
            response, data = client.request("GET", "/healthz")
            if response.status == 200 and b"ok" in data:
                if "max-age=" not in (response.getheader("Strict-Transport-Security") or ""):
                    raise CheckFailed("no HSTS header in production")
                return
        except OSError:
            pass
        left()
        time.sleep(0.3)


def check_login(client: Client) -> None:
    token = client.csrf("/login")
    response, _ = client.request("POST", "/login", {"csrf_token": token, "username": "admin",
                                                     "password": ADMIN_PASSWORD})
    if response.status != 302 or response.getheader("Location", "").endswith("/login"):
        raise CheckFailed(f"login failed: {response.status}")
    response, data = client.request("GET", "/audit?action=login")
    if response.status != 200 or b"203.0.113.9" not in data:
        raise CheckFailed("the audit log does not carry the client's address (ProxyFix)")


def check_report_job(client: Client) -> None:
    _, form = client.request("GET", "/reports/roster-stats")
    found = re.search(r'<option value="(\d+)">[^<]*岑巩县</option>', form.decode())
    if not found:
        raise CheckFailed("the county is not offered on the report form")
    county_id = int(found.group(1))
    token = client.csrf("/reports/roster-stats")
    response, _ = client.request("POST", "/reports/roster-stats", {"csrf_token": token, "division": str(county_id),
                                                                  "format": "xlsx"})
    location = urllib.parse.urlsplit(response.getheader("Location") or "").path
    if response.status != 302 or "/reports/jobs/" not in location:
        raise CheckFailed(f"the report was not queued: {response.status} {location}")
    download = location + "/download"
    while True:
        _, page = client.request("GET", location)
        if download.encode() in page:
            break
        if "生成失败".encode() in page:
            raise CheckFailed("the report job failed")
        left()
        time.sleep(0.5)
    response, data = client.request("GET", download)
    if response.status != 200 or data[:2] != b"PK":
        raise CheckFailed(f"the report download failed: {response.status}")


# ---------------------------------------------------------------- the run

DIVISIONS = "code,name,parent_code\n520000000000,贵州省,\n522600000000,黔东南州,520000000000\n" \
            "522626000000,岑巩县,522600000000\n"


def main() -> int:
    name = f"xiangban_deploy_check_{os.getpid()}"
    work = Path(tempfile.mkdtemp(prefix="xiangban-deploy-check-"))
    web = worker = None
    try:
        url = create_database(name)
        say(f"scratch database {name}")
        port = free_port()
        env = {**os.environ, "XIANGBAN_CONFIG": "production", "DATABASE_URL": url,
               "SECRET_KEY": secrets.token_hex(32), "REDIS_URL": REDIS_URL, "PROXY_COUNT": "1",
               "UPLOAD_DIR": str(work / "uploads"), "IMPORT_DIR": str(work / "imports"),
               "XIANGBAN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2", "SITE_URL": f"https://{HOST}",
               "REPORTS_SYNC_ROWS": "-1",  # every report to the background queue
               "PYTHONPATH": str(ROOT)}
        short = {**env, "SECRET_KEY": "x"}
        refused = subprocess.run([str(BIN / "flask"), "--app", "wsgi", "routes"], cwd=ROOT, env=short,
                                 capture_output=True, text=True, timeout=min(60, left()))
        if refused.returncode == 0:
            raise CheckFailed("production started with a 1-character SECRET_KEY")
        say("a short SECRET_KEY is refused")
        flask(env, "db", "upgrade")
        (work / "divisions.csv").write_text(DIVISIONS, encoding="utf-8")
        flask(env, "divisions", "load", str(work / "divisions.csv"))
        flask(env, "users", "create", "admin", "--role", "admin", "--password", ADMIN_PASSWORD)
        say("migrated; divisions and an administrator created")
        web = start(env, work / "gunicorn.log", str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "wsgi:app")
        worker = start(env, work / "worker.log", str(BIN / "rq"), "worker", "--url", REDIS_URL, "reports")
        client = Client(port)
        wait_healthy(client, web)
        say(f"gunicorn answers /healthz on port {port}, with HSTS")
        check_login(client)
        say("login works; the audit log has the client's address")
        check_report_job(client)
        say("a report job went through RQ and was downloaded")
        say("all checks passed")
        return 0
    except (CheckFailed, subprocess.TimeoutExpired) as exc:
        say(f"FAILED: {exc}")
        for log in sorted(work.glob("*.log")):
            say(f"--- {log.name} (last lines)")
            print("\n".join(log.read_text(errors="replace").splitlines()[-30:]), flush=True)
        return 1
    finally:
        stop(web)
        stop(worker)
        try:
            drop_database(name)
        except Exception as exc:  # noqa: BLE001 - report, but keep the first error's status
            say(f"could not drop {name}: {exc}")
        subprocess.run(["rm", "-rf", str(work)], check=False)


if __name__ == "__main__":
    sys.exit(main())
