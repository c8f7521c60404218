"""What the reliability scripts share: a fresh migrated database, seeded volunteers with their
children and API tokens, a gunicorn server in its own process group, and a tiny HTTP client.

Loopback only: the server binds 127.0.0.1 on a free port and every request goes there.
"""
from __future__ import annotations

import glob
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

GUNICORN = (str(Path(sys.executable).with_name("gunicorn")) if Path(sys.executable).with_name("gunicorn").exists()
            else shutil.which("gunicorn") or "gunicorn")
PASSWORD = "load-test-pass-1"
HOST = "127.0.0.1"


# --- the database ---------------------------------------------------------------------------

@dataclass
class Database:
    """A migrated, empty database; ``drop()`` removes it (scratch PostgreSQL databases only)."""

    kind: str
    url: str
    scratch: bool = False

    def drop(self) -> None:
        if self.kind == "postgresql" and self.scratch:
            from tests.conftest import drop_scratch_database

            drop_scratch_database(self.url)

    @property
    def sqlite_path(self) -> str:
        return self.url.removeprefix("sqlite:///")


def pg_unavailable() -> str | None:
    """None when the test PostgreSQL server answers, else why not (tests/conftest.py's check)."""
    from tests.conftest import pg_available

    return pg_available()


def prepare_database(kind: str, workdir: Path, suffix: str) -> Database:
    """A fresh database of ``kind`` migrated to head with Alembic.

    SQLite: a file in ``workdir``. PostgreSQL: a scratch database beside ``TEST_DATABASE_URL``.

    :raise RuntimeError: when PostgreSQL is unreachable or refuses CREATE DATABASE.
    """
    from tests.conftest import create_scratch_database, upgrade_database

    if kind == "sqlite":
        db = Database("sqlite", f"sqlite:///{workdir / f'{suffix}.db'}")
    else:
        reason = pg_unavailable()
        if reason:
            raise RuntimeError(f"PostgreSQL not reachable: {reason}")
        url = create_scratch_database(suffix)
        if url is None:
            raise RuntimeError("PostgreSQL refused CREATE DATABASE; a scratch database is needed")
        db = Database("postgresql", url, scratch=True)
    upgrade_database(db.url)
    return db


# --- seeding ---------------------------------------------------------------------------------

@dataclass
class Seeded:
    """One volunteer as a client sees it: login, API token and paired children."""

    user_id: int
    username: str
    token: str
    child_ids: list[int] = field(default_factory=list)


def seed_volunteers(url: str, count: int, children_each=(2, 3), *, real_password_hash: bool = False,
                    rng=None) -> list[Seeded]:
    """One county with a township, ten villages and a women's federation branch, and ``count``
    approved volunteers (users with role ``volunteer``), each actively paired with 2–3 children
    and holding an API token. All users share :data:`PASSWORD`.

    ``real_password_hash`` stores an argon2id hash with the production parameters (a login then
    costs what it costs in production); otherwise the cheap test parameters.
    """
    import random

    from app import create_app
    from app.extensions import db

    rng = rng or random.Random(1)
    app = create_app({"PROFILE": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        out = _seed(count, children_each, rng, _password_hash(real_password_hash))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return out


def _password_hash(real: bool) -> str:
    from argon2 import PasswordHasher, Type

    from app.auth.passwords import hash_password
    from app.config import Config

    return PasswordHasher(type=Type.ID, **Config.PASSWORD_HASH).hash(PASSWORD) if real else hash_password(PASSWORD)


def _seed(count: int, children_each, rng, password_hash: str) -> list[Seeded]:
    from app.api.models import ApiToken
    from app.auth.models import User
    from app.core.idcard import make_id_number
    from app.extensions import db
    from app.matching.models import Pair
    from app.volunteers.models import Volunteer
    from tests import factories

    province = factories.division("520000000000", "贵州省")
    city = factories.division("522600000000", "黔东南州", province)
    county = factories.division("522626000000", "岑巩县", city)
    township = factories.division("522626101000", "思旸镇", county, 27.17, 108.82)
    villages = [factories.division(f"522626101{200 + v:03d}", f"村{v}", township, 27.17 + v / 100, 108.82)
                for v in range(10)]
    fed = factories.organisation("岑巩县妇联", "womens_federation", county)
    users = [User(username=f"vol{n:04d}", display_name=f"志愿者{n}", role="volunteer",
                  division=villages[n % 10], organisation=fed, password_hash=password_hash)
             for n in range(count)]
    db.session.add_all(users)
    db.session.flush()
    seeded, pairs, k = [], [], 0
    for n, user in enumerate(users):
        birth = date(1965 + n % 30, 1 + n % 12, 1 + n % 28)
        vol = Volunteer(kind="loving_mother", organisation=fed, name=user.display_name, sex="female",
                        birth_date=birth, id_number=make_id_number("522626", birth, n % 500 * 2),
                        phone="13987654321", division=user.division, capacity=3, status="approved",
                        skills=["psych"], user_id=user.id)
        kids = [_child(user.division, k + i) for i in range(rng.randint(*children_each))]
        k += len(kids)
        db.session.add(vol)
        db.session.add_all(kids)
        _, secret = ApiToken.issue(user, "reliability")
        seeded.append((user, vol, kids, secret))
    db.session.flush()
    started = datetime.now(timezone.utc) - timedelta(days=30)
    for user, vol, kids, _secret in seeded:
        pairs += [Pair(child_id=c.id, volunteer_id=vol.id, status="active", started_at=started) for c in kids]
        vol.active_pairs = len(kids)
    db.session.add_all(pairs)
    db.session.flush()
    return [Seeded(u.id, u.username, secret, [c.id for c in kids]) for u, _v, kids, secret in seeded]


def _child(village, k: int):
    from app.children.models import Child
    from app.children.services import apply_derived, refresh_search_keys
    from app.core.dates import today_cn
    from app.core.idcard import make_id_number

    today = today_cn()
    birth = date(today.year - 6 - k % 10, 1 + k // 10 % 12, 1 + k // 120 % 28)
    sex = ("male", "female")[k % 2]
    c = Child(name=f"儿童{k}", sex=sex, birth_date=birth, id_number=make_id_number("522626", birth, k % 499 + 1),
              has_hukou=True, ethnicity="汉族", division=village, health="healthy", schooling="primary",
              both_parents_away=True, guardianship_type="fair", guardian_name="王奶奶", guardian_relation="祖母",
              guardian_phone="13812345678", income_sources=["wages"], assistance=["none"])
    apply_derived(c, today)
    refresh_search_keys(c)
    return c


# --- the server ------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """``gunicorn -w W -b 127.0.0.1:PORT wsgi:app`` in its own process group (a new session),
    so that one ``killpg`` takes the master and every worker at once. Output goes to ``log``."""

    def __init__(self, database_url: str, workers: int, log: Path, *, port: int | None = None,
                 threads: int = 1, extra_env: dict | None = None):
        self.port = port or free_port()
        self.workers, self.threads, self.log = workers, threads, log
        self.env = {**os.environ, "DATABASE_URL": database_url, "XIANGBAN_CONFIG": "development",
                    "LOG_LEVEL": "WARNING", **(extra_env or {})}
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        # gunicorn 27's control socket defaults to one path per user: two servers would share it
        argv = [GUNICORN, "-w", str(self.workers), "-b", f"{HOST}:{self.port}", "--graceful-timeout", "10",
                "--no-control-socket"]
        if self.threads > 1:
            argv += ["--threads", str(self.threads)]
        with open(self.log, "ab") as out:
            out.write(f"\n=== start {self.starts + 1} at {time.strftime('%H:%M:%S')}: {' '.join(argv)}\n".encode())
            self.proc = subprocess.Popen([*argv, "wsgi:app"], cwd=ROOT, env=self.env, stdout=out,
                                         stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         start_new_session=True)
        self.starts += 1

    def wait_healthy(self, timeout: float = 90.0) -> float:
        """Seconds until ``/healthz`` answered 200.

        :raise RuntimeError: the server exited or did not answer in time (with its log's tail).
        """
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                status, _, _ = request(self.port, "GET", "/healthz", timeout=2)
                if status == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn not healthy after {timeout:.0f} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL the whole process group, then wait until the port refuses connections."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._wait_gone()

    def stop(self) -> None:
        """SIGTERM (graceful), SIGKILL after 30 s."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self._wait_gone()

    def _wait_gone(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                return
            except PermissionError:
                return
            time.sleep(0.02)

    def settle(self, timeout: float = 30.0) -> None:
        """Wait until the server is idle (under 0.1 CPU second per second): every worker booted."""
        deadline, last = time.monotonic() + timeout, self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(1)
            now = self.cpu_seconds()
            if now - last < 0.1:
                return
            last = now

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the live processes of the server's group."""
        total, tick = 0.0, os.sysconf("SC_CLK_TCK")
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.proc.pid:  # field 5 of stat: the process group
                total += (int(fields[11]) + int(fields[12])) / tick
        return total

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


# --- HTTP ------------------------------------------------------------------------------------

def request(port: int, method: str, path: str, body=None, headers: dict | None = None,
            timeout: float = 10.0) -> tuple[int, dict, bytes]:
    """One request on a fresh connection: (status, lower-cased headers, body bytes)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        return send(conn, method, path, body, headers)
    finally:
        conn.close()


def send(conn: http.client.HTTPConnection, method: str, path: str, body=None,
         headers: dict | None = None, jar: dict | None = None) -> tuple[int, dict, bytes]:
    """One request on ``conn`` (reopened by http.client when the server closed it). A dict body
    is sent as JSON; ``jar`` (name → value) supplies cookies and takes the ones set."""
    headers = dict(headers or {})
    if isinstance(body, dict):
        body = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    if jar:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if jar is not None:
        for cookie in response.headers.get_all("Set-Cookie") or ():
            name, _, value = cookie.split(";", 1)[0].partition("=")
            jar[name.strip()] = value.strip()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


# --- what clients send ------------------------------------------------------------------------

TALK_MODES = ("in_person", "phone", "video")
MOODS = ("happy", "calm", "lonely", "sad")


def china_today() -> date:
    return (datetime.now(timezone.utc) + timedelta(hours=8)).date()


def log_body(rng, client_uuid: str, child_id: int, *, concern_rate: float = 0.0) -> dict:
    """A LogCreate body: a home visit (with the safety check) or a talk, a few days back; with
    probability ``concern_rate`` a visit ticks a mandatory-report situation (opens a case)."""
    day = (china_today() - timedelta(days=rng.randint(1, 60))).isoformat()
    if rng.random() < 0.4:
        body = {"client_uuid": client_uuid, "child_id": child_id, "kind": "visit", "occurred_on": day,
                "guardian_present": True, "participants": ["child", "guardian"],
                "safety": {"wiring": "ok", "doors": "ok", "water": "ok", "food": rng.choice(("ok", "problem"))},
                "living_conditions": "住房安全，饮食正常", "content": "入户看望，和奶奶聊了学习情况",
                "duration_minutes": rng.randint(20, 90)}
        if rng.random() < concern_rate:
            body.update(concerns=["alone"], concern_note="孩子独自在家")
        return body
    return {"client_uuid": client_uuid, "child_id": child_id, "kind": "talk", "occurred_on": day,
            "mode": rng.choice(TALK_MODES), "mood": rng.choice(MOODS), "participants": ["child"],
            "content": "聊了学校里的事情，孩子说想妈妈了", "duration_minutes": rng.randint(5, 60)}


# --- PostgreSQL tools --------------------------------------------------------------------------

def find_pg_amcheck() -> str | None:
    """``pg_amcheck`` on PATH, else in the Debian/Ubuntu server package directory."""
    found = shutil.which("pg_amcheck")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_amcheck"))
    return candidates[-1] if candidates else None


def pg_command_args(url: str) -> list[str]:
    """``-h -p -U -d`` arguments for a PostgreSQL client program from a SQLAlchemy URL."""
    u = sa.engine.make_url(url)
    args = ["-h", u.host or HOST, "-p", str(u.port or 5432), "-U", u.username or "postgres"]
    return args + ["-d", u.database]


def loadavg() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def run_on_scratch_database(kind: str, name: str, keep: bool, run) -> int:
    """Make a work directory and a migrated scratch database (``kind``: sqlite or postgresql),
    call ``run(db, workdir)`` and return its exit status; both are removed afterwards unless
    ``keep`` or the run failed (then their paths are printed). Status 2 when set-up fails."""
    workdir = Path(tempfile.mkdtemp(prefix=f"xb-{name}-{kind}-"))
    print(f"{name}: {kind}, work dir {workdir}, load average {loadavg()}", flush=True)
    try:
        db = prepare_database(kind, workdir, name)
    except RuntimeError as exc:
        print(f"cannot set up: {exc}", file=sys.stderr)
        return 2
    status = 2
    try:
        status = run(db, workdir)
    finally:
        if keep or status != 0:
            print(f"kept: {db.url} and {workdir / 'gunicorn.log'}")
        else:
            db.drop()
            shutil.rmtree(workdir, ignore_errors=True)
    return status
