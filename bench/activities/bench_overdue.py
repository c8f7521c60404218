"""Benchmark: the coordinator's overdue query over ~10,000 pairs.

Builds a migrated database with one county (20 townships × 20 villages), 10,000 children,
5,000 volunteers of all four kinds, 10,000 active pairs started over the last year and about
eight care logs per pair (~80,000 logs), then measures
:func:`app.activities.queries.pair_statuses` plus :func:`~app.activities.queries.summarise`
for the county coordinator — what ``/activities/overdue`` computes — as the median of several
runs, and counts the SQL statements of one run (it must not grow with the number of pairs).

Goal: median ≤ 2 s. Usage::

    .venv/bin/python bench/activities/bench_overdue.py [--pairs 10000] [--runs 5] [--db URL] [--check]

Without ``--db`` a fresh SQLite file under bench/out/ is used (PostgreSQL: pass an empty
database's URL). ``--check`` exits with status 1 when the goal is missed.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402

OUT = ROOT / "bench" / "out"
GOAL_SECONDS = 2.0
KINDS = ["loving_mother"] * 4 + ["five_elder"] * 2 + ["teacher"] * 3 + ["youth"]


def build(pairs: int, rng: random.Random, today: date) -> int:
    """Insert the county; returns the coordinator's user id."""
    from app.activities.models import CareLog
    from app.auth.models import User
    from app.children.models import Child
    from app.core.models import Division, Organisation
    from app.matching.models import Pair
    from app.volunteers.models import Volunteer

    county = Division(code="522626000000", name="岑巩县", level="county", path="")
    db.session.add(county)
    db.session.flush()
    county.path = f"/{county.id}/"
    villages = []
    for t in range(20):
        township = Division(code=f"522626{t + 100:03d}000", name=f"镇{t}", level="township", parent_id=county.id,
                            path="")
        db.session.add(township)
        db.session.flush()
        township.path = f"{county.path}{township.id}/"
        for v in range(20):
            village = Division(code=f"522626{t + 100:03d}{v + 200:03d}", name=f"村{t}-{v}", level="village",
                               parent_id=township.id, path="")
            db.session.add(village)
            db.session.flush()
            village.path = f"{township.path}{village.id}/"
            villages.append(village.id)
    org = Organisation(name="岑巩县妇联", kind="womens_federation", division_id=county.id)
    db.session.add(org)
    db.session.flush()
    coordinator = User(username="coordinator", display_name="协调员", role="coordinator", division_id=county.id,
                       password_hash="x")
    db.session.add(coordinator)
    db.session.flush()

    children = [dict(id=n + 1, name=f"儿童{n}", sex=rng.choice(["male", "female"]),
                     birth_date=date(2012 + n % 12, 1 + n % 12, 1 + n % 28), division_id=rng.choice(villages),
                     schooling="primary", guardianship_type="fair",
                     tier=rng.choices(["urgent", "key", "normal"], [15, 10, 75])[0]) for n in range(pairs)]
    db.session.execute(sa.insert(Child), children)
    volunteers = [dict(id=n + 1, kind=rng.choice(KINDS), organisation_id=org.id, name=f"志愿者{n}",
                       id_number=f"V{n:017d}", sex="female", phone="13800000000", division_id=rng.choice(villages),
                       capacity=2, active_pairs=2, status="approved") for n in range(pairs // 2)]
    db.session.execute(sa.insert(Volunteer), volunteers)
    pair_rows, log_rows = [], []
    for n in range(pairs):
        start = today - timedelta(days=rng.randint(10, 365))
        pair_rows.append(dict(id=n + 1, child_id=n + 1, volunteer_id=n // 2 + 1, status="active",
                              started_at=datetime(start.year, start.month, start.day, 2, tzinfo=timezone.utc)))
        for _ in range(rng.randint(4, 12)):
            day = start + timedelta(days=rng.randint(0, (today - start).days))
            log_rows.append(dict(client_uuid=f"{n}-{len(log_rows)}", kind=rng.choice(["talk"] * 4 + ["visit"]),
                                 child_id=n + 1, pair_id=n + 1, volunteer_id=n // 2 + 1, author_id=coordinator.id,
                                 occurred_on=day, participants=["child"], concerns=[]))
    db.session.execute(sa.insert(Pair), pair_rows)
    for i in range(0, len(log_rows), 5000):
        db.session.execute(sa.insert(CareLog), log_rows[i:i + 5000])
    db.session.commit()
    print(f"built: {pairs} children and pairs, {pairs // 2} volunteers, {len(log_rows)} care logs, "
          f"{len(villages)} villages")
    return coordinator.id


def measure(user_id: int, today: date, runs: int) -> tuple[list[float], list[float], int, int]:
    from app.activities import queries
    from app.auth.models import User

    times, cpu, statements, overdue = [], [], [], 0
    for run in range(runs):
        db.session.expunge_all()
        user = db.session.get(User, user_id)
        user.division.path  # noqa: B018 - loaded like the request's user
        seen: list[str] = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        started, started_cpu = time.perf_counter(), time.process_time()
        statuses = queries.pair_statuses(user, today)
        queries.summarise(statuses)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        sa.event.remove(db.engine, "before_cursor_execute", listener)
        statements.append(len(seen))
        overdue = sum(1 for s in statuses if s.overdue)
    return times, cpu, max(statements), overdue


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file in bench/out/)")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    url = args.db
    if url is None:
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / "activities-bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    app = create_app({"PROFILE": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from flask_migrate import upgrade

        from app.core.dates import today_cn

        upgrade()
        today = today_cn()
        user_id = build(args.pairs, random.Random(20261124), today)
        times, cpu, statements, overdue = measure(user_id, today, args.runs)
    median = statistics.median(times)
    print(f"pair_statuses + summarise, {args.pairs} pairs: median {median:.3f} s over {args.runs} runs "
          f"(min {min(times):.3f}, max {max(times):.3f}; CPU of this process: median {statistics.median(cpu):.3f} s); "
          f"{statements} SQL statements; {overdue} pairs overdue")
    ok = median <= GOAL_SECONDS
    print(f"goal ≤ {GOAL_SECONDS:g} s: {'met' if ok else 'MISSED'}")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
