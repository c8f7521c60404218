"""Benchmark: a 10,000-row roster import through the web pages (upload → preview → confirm).

Uses the messy workbook of ``bench_import.py`` (generated if missing), a temporary SQLite
database holding a county with the workbook's townships and villages, and a coordinator. In a
fresh interpreter, it posts the upload, renders the preview (parse, validation against the
county, duplicate look-up in the database, the page with every bad row), then confirms "only
the good rows". Reports the wall time (and the CPU time, which does not depend on what else the
machine is doing) of upload + preview (goal ≤ 10 s) and of the
confirmation, and the peak resident memory of the process after the preview (goal ≤ 500 MB)
and after the confirmation.

Usage::

    .venv/bin/python bench/roster/bench_import_web.py [--rows 10000] [--check]
"""
from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

GOAL_SECONDS = 10.0
GOAL_MB = 500.0
PASSWORD = "bench-pass-1"


def prepare(url: str) -> None:
    """Migrate and load the county of the benchmark workbook and a coordinator."""
    from flask_migrate import upgrade

    from app import create_app
    from app.auth.models import User
    from app.auth.passwords import hash_password
    from app.core.models import Division
    from app.extensions import db
    from bench_import import PLACES

    app = create_app({"PROFILE": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()

        def add(code, name, level, parent):
            d = Division(code=code, name=name, level=level, parent=parent, path="")
            db.session.add(d)
            db.session.flush()
            d.path = (parent.path if parent else "/") + f"{d.id}/"
            return d

        county = add("522626000000", "岑巩县", "county", add("522600000000", "黔东南州", "city", None))
        towns: dict[str, Division] = {}
        for n, (town, village) in enumerate(PLACES):
            if town not in towns:
                towns[town] = add(f"522626{100 + len(towns):03d}000", town, "township", county)
            add(f"522626{towns[town].code[6:9]}{200 + n:03d}", village, "village", towns[town])
        db.session.add(User(username="coord", display_name="coord", role="coordinator", division=county,
                            password_hash=hash_password(PASSWORD)))
        db.session.commit()
        db.engine.dispose()


def run_web(url: str, workbook: Path) -> dict:
    """Upload, preview and confirm through the test client; returns timings and counts."""
    from app import create_app

    app = create_app({"PROFILE": "testing", "SQLALCHEMY_DATABASE_URI": url,
                      "IMPORT_DIR": str(Path(url.removeprefix("sqlite:///")).parent / "imports")})
    client = app.test_client()
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/login").get_data(as_text=True))[1]
    client.post("/login", data={"username": "coord", "password": PASSWORD, "csrf_token": token})
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").get_data(as_text=True))[1]
    start, cpu = time.perf_counter(), time.process_time()
    with workbook.open("rb") as fh:
        upload = client.post("/children/import", data={"csrf_token": token, "file": (fh, workbook.name)},
                             content_type="multipart/form-data")
    preview = client.get(upload.headers["Location"])
    preview_s, preview_cpu = time.perf_counter() - start, time.process_time() - cpu
    preview_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    html = preview.get_data(as_text=True)
    counts = dict((label, int(n)) for n, label in re.findall(
        r'stat-num">(\d+)</span><span class="stat-label">([^<]+)', html))
    import_token = re.search(r"token=([\w-]+)", upload.headers["Location"])[1]
    start = time.perf_counter()
    done = client.post("/children/import/confirm", data={"csrf_token": token, "token": import_token,
                                                         "choice": "good"})
    confirm_s = time.perf_counter() - start
    assert preview.status_code == 200 and done.status_code == 200
    return {"upload_and_preview_s": round(preview_s, 2), "upload_and_preview_cpu_s": round(preview_cpu, 2),
            "load_average": round(__import__("os").getloadavg()[0], 1), "preview_page_kb": len(html) // 1024,
            "confirm_save_s": round(confirm_s, 2), "counts": counts,
            "peak_rss_after_preview_mb": round(preview_rss, 1),
            "peak_rss_after_confirm_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)  # internal: url, workbook
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_web(args.child[0], Path(args.child[1]))))
        return 0
    from bench_import import OUT, generate

    workbook = OUT / f"roster-{args.rows}.xlsx"
    if not workbook.exists():
        generate(workbook, args.rows)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        prepare(url)
        out = subprocess.run([sys.executable, __file__, "--child", url, str(workbook)],
                             capture_output=True, text=True)
        if out.returncode:
            print(out.stderr[-3000:], file=sys.stderr)
            return 2
    report = {"rows": args.rows, **json.loads(out.stdout.strip().splitlines()[-1]),
              "goal_s": GOAL_SECONDS, "goal_mb": GOAL_MB}
    print(json.dumps(report, ensure_ascii=False, indent=2))
    ok = report["upload_and_preview_s"] <= GOAL_SECONDS and report["peak_rss_after_preview_mb"] <= GOAL_MB
    print("goals met" if ok else "GOAL MISSED")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
