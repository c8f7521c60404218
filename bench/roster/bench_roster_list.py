"""Benchmark: the roster list page with 100,000 children, on SQLite and PostgreSQL.

Loads a county (20 townships × 20 villages, 40 schools) and ``--children`` children with bulk
inserts into a temporary SQLite file and into a scratch PostgreSQL database (created beside
``--pg``, dropped afterwards), then times four pages through the Flask test client, logged in
as the county's coordinator: the first page, a filtered page (township + tier), a name search
and a search by the last four ID characters. Each figure is the median of ``--runs`` requests
after one warm-up request. Goal: < 200 ms.

Usage::

    .venv/bin/python bench/roster/bench_roster_list.py [--children 100000] [--runs 10]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--skip-pg] [--check]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

GOAL_MS = 200.0
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈单解"
GIVEN = "子涵梓轩浩宇欣怡诗琪雨桐佳琪思远俊杰嘉怡晨曦明轩若曦一诺可馨语嫣天佑文博"
PASSWORD = "bench-pass-1"


def _app(url: str):
    from app import create_app

    return create_app({"PROFILE": "testing", "SQLALCHEMY_DATABASE_URI": url})


def migrate(url: str) -> None:
    from flask_migrate import upgrade

    from app.extensions import db

    app = _app(url)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def load(url: str, n_children: int, seed: int = 20261123) -> dict:
    """Divisions, schools, a coordinator and ``n_children`` children; returns ids for the pages."""
    from app.auth.models import User
    from app.auth.passwords import hash_password
    from app.children.models import Child
    from app.children.pinyin import name_keys
    from app.children.facts import priority_categories, tier_of
    from app.core.idcard import make_id_number
    from app.core.models import Division, Organisation
    from app.extensions import db

    rng = random.Random(seed)
    app = _app(url)
    with app.app_context():
        def add_division(code, name, level, parent):
            d = Division(code=code, name=name, level=level, parent=parent, path="")
            db.session.add(d)
            db.session.flush()
            d.path = (parent.path if parent else "/") + f"{d.id}/"
            return d

        province = add_division("520000000000", "贵州省", "province", None)
        city = add_division("522600000000", "黔东南州", "city", province)
        county = add_division("522626000000", "岑巩县", "county", city)
        villages, schools = [], []
        for t in range(20):
            town = add_division(f"522626{100 + t:03d}000", f"第{t + 1}镇", "township", county)
            for v in range(20):
                villages.append(add_division(f"522626{100 + t:03d}{200 + v:03d}", f"第{v + 1}村", "village", town))
            for kind in ("中心小学", "中学"):
                school = Organisation(name=f"{town.name}{kind}", kind="school", division=town)
                db.session.add(school)
                schools.append(school)
        db.session.flush()
        db.session.add(User(username="coord", display_name="coord", role="coordinator", division=county,
                            password_hash=hash_password(PASSWORD)))
        db.session.commit()
        keys_cache: dict[str, tuple[str, str]] = {}
        today = date.today()
        batch: list[dict] = []
        start = time.perf_counter()
        for i in range(n_children):
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            keys = keys_cache.get(name) or keys_cache.setdefault(name, name_keys(name))
            born = today - timedelta(days=200 + i % 5700)
            seq = (i // 5700) * 2 + (1 if i % 2 else 0)
            number = make_id_number("522626", born, seq)
            village = villages[rng.randrange(len(villages))]
            record = {
                "health": rng.choices(["healthy", "ill", "disabled"], [90, 6, 4])[0],
                "schooling": "primary", "guardianship_type": rng.choices(["good", "fair", "none"], [45, 50, 5])[0],
                "one_parent_away_other_incapable": False, "has_hukou": True,
            }
            categories = priority_categories(record)
            batch.append({
                "name": name, "name_pinyin": keys[0], "name_initials": keys[1],
                "sex": "male" if int(number[16]) % 2 else "female", "birth_date": born, "id_number": number,
                "id_last4": number[-4:], "has_hukou": True, "division_id": village.id,
                "health": record["health"], "schooling": "primary",
                "school_id": schools[(village.parent_id + i) % len(schools)].id if i % 3 else None,
                "boarding": False, "both_parents_away": True, "one_parent_away_other_incapable": False,
                "guardianship_type": record["guardianship_type"], "income_sources": ["wages"], "assistance": ["none"],
                "is_left_behind": True, "is_orphan": False, "categories": list(categories),
                "tier": tier_of(categories), "needs": [], "status": "active",
            })
            if len(batch) == 5000:
                db.session.execute(sa.insert(Child), batch)
                batch = []
        if batch:
            db.session.execute(sa.insert(Child), batch)
        db.session.commit()
        loaded = time.perf_counter() - start
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        sample = db.session.scalars(sa.select(Child).order_by(Child.id).offset(n_children // 2).limit(1)).one()
        township = sample.division.parent_id
        info = {"township_id": township, "name": sample.name[:2], "last4": sample.id_last4,
                "pinyin": sample.name_initials.split()[0], "load_s": round(loaded, 1)}
        db.engine.dispose()
    return info


def _login(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": "coord", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, "login failed"


def time_pages(url: str, info: dict, runs: int) -> dict:
    """Median milliseconds per page variant."""
    from app.extensions import db

    app = _app(url)
    pages = {
        "first_page": "/children/",
        "filtered": f"/children/?division={info['township_id']}&tier=normal&page=2",
        "name_search": f"/children/?q={info['name']}",
        "pinyin_search": f"/children/?q={info['pinyin']}",
        "last4_search": f"/children/?q={info['last4']}",
    }
    results = {}
    with app.app_context():
        client = app.test_client()
        _login(client)
        for label, path in pages.items():
            assert client.get(path).status_code == 200  # warm-up
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
            results[label] = round(statistics.median(times), 1)
        db.engine.dispose()
    return results


def bench_sqlite(n: int, runs: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate(url)
        info = load(url, n)
        return {"load_s": info["load_s"], **time_pages(url, info, runs)}


def bench_postgresql(n: int, runs: int, server_url: str) -> dict:
    name = f"xiangban_bench_roster_{os.getpid()}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = server_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        migrate(url)
        info = load(url, n)
        return {"load_s": info["load_s"], **time_pages(url, info, runs)}
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--check", action="store_true", help="exit 1 when a median misses the goal")
    args = parser.parse_args()
    report = {"children": args.children, "runs": args.runs, "goal_ms": GOAL_MS,
              "sqlite": bench_sqlite(args.children, args.runs)}
    if not args.skip_pg:
        report["postgresql"] = bench_postgresql(args.children, args.runs, args.pg)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    medians = [v for db_name in ("sqlite", "postgresql") if db_name in report
               for k, v in report[db_name].items() if k != "load_s"]
    ok = all(m < GOAL_MS for m in medians)
    print("goal met" if ok else "GOAL MISSED")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
