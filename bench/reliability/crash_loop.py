"""Crash safety: kill -9 the server while it takes visit logs; no acknowledged write is lost or
duplicated, and the database passes its integrity checks.

Runs ``gunicorn -w W wsgi:app`` (development profile) on a fresh migrated database seeded with a
county and one volunteer paired with three children. Client threads post talks and home visits
(a few tick a mandatory-report situation, which opens a case in the same transaction) with fresh
``client_uuid`` values and record a write as acknowledged only on a 200/201 JSON answer; an
unanswered write is resent later with the same UUID and the same body. The main loop SIGKILLs the
server's whole process group at random moments (seeded), restarts it and waits for ``/healthz``.
At the end every unanswered write is resent until answered, the server is stopped, and a direct
database connection checks:

- every acknowledged UUID is there exactly once, with the id, child and kind it was acknowledged
  with; no other rows; rows = distinct UUIDs sent and answered;
- a 200 ("already saved") only for a UUID whose earlier attempt may have reached the server;
- one ``log.create`` audit entry per log; a case (with its first step) for exactly the logs that
  ticked a situation — the log, its audit entry and its case commit together or not at all;
- SQLite: ``PRAGMA integrity_check`` = ok and ``PRAGMA foreign_key_check`` empty;
  PostgreSQL: orphan-row joins, every index valid (``pg_index.indisvalid``), and ``pg_amcheck``
  (heap and B-tree checks) when installed.

Usage::

    .venv/bin/python bench/reliability/crash_loop.py --db sqlite|postgresql [--kills 20] [--seed 1]
        [--workers 2] [--clients 4] [--min-run 0.5] [--max-run 3] [--keep]

Exit status 0 when every check passed, 1 on any violation, 2 when the run could not be set up.
"""
from __future__ import annotations

import argparse
import http.client
import json
import random
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
import sqlalchemy as sa  # noqa: E402

QUEUE_LIMIT = 4  # unanswered writes a client keeps before it stops making new ones
CONCERN_RATE = 0.1  # of visits


@dataclass
class Write:
    """One log as the phone knows it: its UUID, the exact body, and what the server said."""

    uuid: str
    body: dict
    attempts: int = 0
    maybe_saved: bool = False  # an earlier attempt reached the server and got no clear "no"
    acked_id: int | None = None
    acked_status: int | None = None


@dataclass
class Ledger:
    """Everything the clients saw, shared between threads (under ``lock``)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    writes: dict[str, Write] = field(default_factory=dict)
    outcomes: Counter = field(default_factory=Counter)
    violations: list[str] = field(default_factory=list)

    def note(self, outcome: str) -> None:
        with self.lock:
            self.outcomes[outcome] += 1

    def violate(self, message: str) -> None:
        with self.lock:
            self.violations.append(message)
        print(f"VIOLATION: {message}", flush=True)


class Client:
    """A phone: posts logs and keeps the unanswered ones (oldest first) to send again."""

    def __init__(self, port: int, volunteer: harness.Seeded, ledger: Ledger, rng: random.Random):
        self.port, self.volunteer, self.ledger, self.rng = port, volunteer, ledger, rng
        self.queue: deque[Write] = deque()
        self.headers = {"Authorization": f"Bearer {volunteer.token}", "Accept": "application/json"}

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            write = self.queue[0] if self.queue else self.new_write()
            if self.attempt(write) != "acked":
                if len(self.queue) < QUEUE_LIMIT:
                    self.new_write()  # offline: the volunteer keeps writing logs
                time.sleep(0.05)

    def new_write(self) -> Write:
        key = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        write = Write(key, harness.log_body(self.rng, key, self.rng.choice(self.volunteer.child_ids),
                                            concern_rate=CONCERN_RATE))
        with self.ledger.lock:
            self.ledger.writes[key] = write
        self.queue.append(write)
        return write

    def attempt(self, write: Write) -> str:
        """Send ``write`` once; returns acked, refused, in_doubt, busy or error."""
        write.attempts += 1
        conn = http.client.HTTPConnection(harness.HOST, self.port, timeout=10)
        try:
            try:
                conn.connect()
            except OSError:
                return self._outcome("refused")
            try:
                status, _, data = harness.send(conn, "POST", "/api/v1/logs", write.body, self.headers)
            except (OSError, http.client.HTTPException):
                write.maybe_saved = True
                return self._outcome("in_doubt")
        finally:
            conn.close()
        return self._answered(write, status, data)

    def _answered(self, write: Write, status: int, data: bytes) -> str:
        if status == 503:
            return self._outcome("busy")
        try:
            payload = json.loads(data)
        except ValueError:
            payload = None
        if status not in (200, 201) or not isinstance(payload, dict):
            if status >= 500:
                write.maybe_saved = True
            else:
                self.queue.remove(write)  # a refusal: sending it again would not help
            self.ledger.violate(f"{write.uuid}: HTTP {status} {data[:400]!r}")
            return self._outcome("error")
        log = payload.get("log") or {}
        if log.get("client_uuid") != write.uuid or payload.get("created") is not (status == 201):
            self.ledger.violate(f"{write.uuid}: answer {status} does not match: {data[:400]!r}")
        if status == 200 and not write.maybe_saved:
            self.ledger.violate(f"{write.uuid}: 200 (already saved) but no earlier attempt reached the server")
        write.acked_id, write.acked_status = log.get("id"), status
        self.queue.remove(write)
        return self._outcome("acked")

    def _outcome(self, name: str) -> str:
        self.ledger.note(name)
        return name


def resend_all(clients: list[Client], ledger: Ledger, deadline: float) -> None:
    """Send every unanswered write until answered (503s and connection trouble are retried)."""
    for client in clients:
        while client.queue and time.monotonic() < deadline:
            write = client.queue[0]
            if client.attempt(write) != "acked":
                time.sleep(0.2)
        for write in client.queue:
            ledger.violate(f"{write.uuid}: still unanswered after the final resends")


# --- the checks --------------------------------------------------------------------------------

def check_rows(conn, ledger: Ledger, violations: list[str]) -> dict:
    """Compare the care_logs table with the ledger; ``violations`` collects what is wrong."""
    rows = conn.execute(sa.text("SELECT id, client_uuid, child_id, kind, concerns FROM care_logs")).all()
    counts = Counter(r.client_uuid for r in rows)
    acked = {w.uuid: w for w in ledger.writes.values() if w.acked_id is not None}
    dupes = [u for u, n in counts.items() if n > 1]
    lost = [u for u in acked if u not in counts]
    unexpected = [u for u in counts if u not in acked]
    for row in rows:
        w = acked.get(row.client_uuid)
        if w and (row.id != w.acked_id or row.child_id != w.body["child_id"] or row.kind != w.body["kind"]):
            violations.append(f"{row.client_uuid}: row (id {row.id}, child {row.child_id}, {row.kind}) differs "
                              f"from the acknowledgement (id {w.acked_id})")
    for name, items in (("duplicated", dupes), ("lost", lost), ("unacknowledged rows", unexpected)):
        if items:
            violations.append(f"{len(items)} {name}: {items[:5]}")
    if len(rows) != len(acked):
        violations.append(f"{len(rows)} rows for {len(acked)} distinct acknowledged UUIDs")
    _check_side_rows(conn, rows, violations)
    return {"rows": len(rows), "acked": len(acked), "duplicated": len(dupes), "lost": len(lost),
            "unexpected": len(unexpected)}


def _check_side_rows(conn, rows, violations: list[str]) -> None:
    """One audit entry per log; one case (with a first step) exactly for logs with concerns."""
    audits = Counter(r[0] for r in conn.execute(sa.text(
        "SELECT object_id FROM audit_log WHERE action = 'log.create' AND object_type = 'care_logs'")))
    cases = Counter(r[0] for r in conn.execute(sa.text("SELECT log_id FROM protection_cases")))
    stepless = conn.execute(sa.text(
        "SELECT count(*) FROM protection_cases c WHERE NOT EXISTS "
        "(SELECT 1 FROM protection_case_steps s WHERE s.case_id = c.id)")).scalar()
    bad_audit = [r.id for r in rows if audits.get(str(r.id)) != 1]
    expected_cases = {r.id for r in rows if _concerns(r.concerns)}
    bad_case = [r.id for r in rows if cases.get(r.id, 0) != (1 if r.id in expected_cases else 0)]
    if bad_audit or len(audits) != len(rows):
        violations.append(f"audit entries: {len(audits)} for {len(rows)} logs; wrong for log ids {bad_audit[:5]}")
    if bad_case or sum(cases.values()) != len(expected_cases):
        violations.append(f"cases: {sum(cases.values())} for {len(expected_cases)} logs with concerns; "
                          f"wrong for log ids {bad_case[:5]}")
    if stepless:
        violations.append(f"{stepless} protection cases without their first step")


def _concerns(value) -> list:
    return json.loads(value) if isinstance(value, str) else list(value or [])


def check_sqlite(conn, violations: list[str]) -> str:
    integrity = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
    fk = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    if integrity != ["ok"]:
        violations.append(f"PRAGMA integrity_check: {integrity[:5]}")
    if fk:
        violations.append(f"PRAGMA foreign_key_check: {fk[:5]}")
    return f"integrity_check {'ok' if integrity == ['ok'] else 'FAILED'}, foreign_key_check {len(fk)} rows"


PG_ORPHANS = {
    "care_logs→children": "care_logs l LEFT JOIN children c ON c.id = l.child_id WHERE c.id IS NULL",
    "care_logs→users": "care_logs l LEFT JOIN users u ON u.id = l.author_id WHERE u.id IS NULL",
    "care_logs→pairs": "care_logs l LEFT JOIN pairs p ON p.id = l.pair_id WHERE l.pair_id IS NOT NULL AND p.id IS NULL",
    "cases→care_logs": ("protection_cases c LEFT JOIN care_logs l ON l.id = c.log_id "
                        "WHERE c.log_id IS NOT NULL AND l.id IS NULL"),
    "steps→cases": ("protection_case_steps s LEFT JOIN protection_cases c ON c.id = s.case_id "
                    "WHERE c.id IS NULL"),
}


def check_postgresql(conn, url: str, violations: list[str]) -> str:
    for name, join in PG_ORPHANS.items():
        orphans = conn.execute(sa.text(f"SELECT count(*) FROM {join}")).scalar()
        if orphans:
            violations.append(f"{orphans} orphan rows {name}")
    invalid = conn.execute(sa.text(
        "SELECT indexrelid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND NOT (i.indisvalid AND i.indisready)")).scalars().all()
    unique_uuid = conn.execute(sa.text(
        "SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
        "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'care_logs'::regclass AND i.indisunique "
        "AND i.indisvalid AND i.indnatts = 1 AND a.attname = 'client_uuid'")).scalar()
    if invalid:
        violations.append(f"invalid indexes: {invalid}")
    if unique_uuid != 1:
        violations.append("no valid unique index on care_logs.client_uuid")
    return (f"orphan joins 0/{len(PG_ORPHANS)} checked, indexes valid: {not invalid}, "
            f"unique client_uuid index valid: {unique_uuid == 1}; {run_pg_amcheck(url, violations)}")


def run_pg_amcheck(url: str, violations: list[str]) -> str:
    binary = harness.find_pg_amcheck()
    if binary is None:
        return "pg_amcheck not installed: skipped"
    argv = [binary, *harness.pg_command_args(url), "--install-missing", "--heapallindexed", "--no-password"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        violations.append(f"pg_amcheck exit {done.returncode}: {(done.stdout + done.stderr)[-800:]}")
        return "pg_amcheck FAILED"
    return "pg_amcheck ok (heap + B-tree, heapallindexed)"


def verify(db: harness.Database, ledger: Ledger, violations: list[str]) -> dict:
    engine = sa.create_engine(db.url)
    try:
        with engine.connect() as conn:
            result = check_rows(conn, ledger, violations)
            result["integrity"] = (check_sqlite(conn, violations) if db.kind == "sqlite"
                                   else check_postgresql(conn, db.url, violations))
    finally:
        engine.dispose()
    return result


# --- the run -----------------------------------------------------------------------------------

def crash_loop(args, db: harness.Database, workdir: Path) -> int:
    rng = random.Random(args.seed)
    volunteer = harness.seed_volunteers(db.url, 1, (3, 3), rng=random.Random(args.seed))[0]
    server = harness.Server(db.url, args.workers, workdir / "gunicorn.log")
    ledger, stop = Ledger(), threading.Event()
    clients = [Client(server.port, volunteer, ledger, random.Random(f"{args.seed}-{i}")) for i in range(args.clients)]
    threads = [threading.Thread(target=c.run, args=(stop,), daemon=True) for c in clients]
    started, boots, acked_between = time.monotonic(), [], []
    try:
        server.start()
        boots.append(server.wait_healthy())
        for t in threads:
            t.start()
        for kill in range(args.kills):
            before = ledger.outcomes["acked"]
            time.sleep(rng.uniform(args.min_run, args.max_run))
            server.kill()
            acked_between.append(ledger.outcomes["acked"] - before)
            time.sleep(rng.uniform(0, 0.3))  # down for a moment: clients get refused and queue logs
            server.start()
            boots.append(server.wait_healthy())
            print(f"kill {kill + 1}/{args.kills}: {acked_between[-1]} acked before it; "
                  f"back in {boots[-1]:.1f} s (load {harness.loadavg()})", flush=True)
        time.sleep(args.min_run)
        stop.set()
        for t in threads:
            t.join(30)
        resend_all(clients, ledger, time.monotonic() + 120)
    finally:
        stop.set()
        server.stop()
    if not ledger.outcomes["acked"]:
        ledger.violate("no write was acknowledged at all: nothing was tested")
    tracebacks = server.log.read_text(errors="replace").count("Traceback")
    if tracebacks:
        ledger.violate(f"{tracebacks} tracebacks in {server.log}")
    violations = list(ledger.violations)
    result = verify(db, ledger, violations)
    result["quiet_kills"] = acked_between.count(0)
    report(args, ledger, result, violations, boots, time.monotonic() - started)
    return 1 if violations else 0


def report(args, ledger: Ledger, result: dict, violations: list[str], boots: list[float], seconds: float) -> None:
    writes = ledger.writes.values()
    resent = [w for w in writes if w.attempts > 1 and w.acked_id is not None]
    o = ledger.outcomes
    print(f"\ncrash loop on {args.db}: gunicorn -w {args.workers}, {args.clients} client threads, seed {args.seed}")
    print(f"  kills (SIGKILL to the process group): {args.kills} ({result['quiet_kills']} before any write since "
          f"the previous one was answered); restarts to healthy: median {sorted(boots)[len(boots) // 2]:.1f} s, "
          f"max {max(boots):.1f} s")
    print(f"  writes acknowledged: {result['acked']} (201 created: {sum(w.acked_status == 201 for w in writes)}, "
          f"200 already saved: {sum(w.acked_status == 200 for w in writes)})")
    print(f"  resent and then answered: {len(resent)} UUIDs; attempts refused {o['refused']}, "
          f"cut off in flight {o['in_doubt']}, busy 503 {o['busy']}, errors {o['error']}")
    print(f"  rows in care_logs: {result['rows']}; duplicated {result['duplicated']}, lost {result['lost']}, "
          f"unacknowledged rows {result['unexpected']}")
    print(f"  integrity: {result['integrity']}")
    print(f"  {seconds:.0f} s; load average now {harness.loadavg()}")
    for v in violations:
        print(f"  VIOLATION: {v}")
    print("RESULT: " + ("ok" if not violations else f"FAILED ({len(violations)} violations)"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=4, help="client threads")
    parser.add_argument("--min-run", type=float, default=0.5, help="least seconds up before a kill")
    parser.add_argument("--max-run", type=float, default=3.0, help="most seconds up before a kill")
    parser.add_argument("--keep", action="store_true", help="keep the database and the server log")
    args = parser.parse_args(argv)
    return harness.run_on_scratch_database(args.db, "crash", args.keep,
                                           lambda db, workdir: crash_loop(args, db, workdir))


if __name__ == "__main__":
    sys.exit(main())
