"""Benchmark: the 活动台账 of a 10,000-child county for a quarter (~40,000 activities), and a
one-child file (一人一档). Goals: ledger ≤ 60 s, within 1.1× the time WeasyPrint alone takes on the same HTML (both
measured as whole processes in the same run) and ≤ 1 GiB for the process tree; one-child file ≤ 2 s.

    .venv/bin/python bench/reports/bench_ledger.py [--children 10000] [--runs 3] [--keep DIR]
                                                   [--warm-up] [--skip-child]

Builds the county in a temporary SQLite database with bulk inserts, then, ``--runs`` times in turn:

A. the ledger process: Python starts, builds the app as the report worker does (no pages) and
   issues the ledger through the app's own code path (``app.reports.service.issue``: queries,
   layout, HTML, rendering by its worker processes, merge, checksum, storing);
B. the WeasyPrint-alone process: Python starts, reads the exact HTML documents A handed to its
   renderers (saved as they were submitted) and renders them with the same fetcher, in the same
   batches, with the same number of worker processes, and merges them the same way.

Both are timed as whole processes from outside (wall and CPU of the process and its workers),
with the memory of the process tree sampled; the difference is the app's own share. Each A is
compared with the B that ran right after it.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, time as dtime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
QUARTER = "2026-Q3"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
GIVEN = "子涵梓轩浩宇欣怡诗琪雨桐佳琪思远俊杰嘉怡晨曦明轩若曦一诺可馨语嫣天佑文博"
Q_START, Q_END = date(2026, 7, 1), date(2026, 9, 30)


def _app(db_path: Path, work: Path, routes: bool = True):
    from app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "UPLOAD_DIR": str(work / "uploads"),
                       "REPORTS_DIR": str(work / "reports")}, routes=routes)


def generate(db_path: Path, work: Path, n_children: int) -> dict:
    """The county: 20 townships × 25 villages, children, volunteers, pairs, a quarter of care logs
    (3 monthly talks and a visit per pair), weekly school events with attendance, some photos."""
    import sqlalchemy as sa
    from PIL import Image

    from app.activities.models import ActivityPhoto, CareLog, EventAttendance, SchoolEvent
    from app.auth.models import User
    from app.children.models import Child
    from app.core.idcard import make_id_number
    from app.core.models import Division, Organisation
    from app.extensions import db
    from app.matching.models import Pair
    from app.volunteers.models import Volunteer

    rng = random.Random(7)
    app = _app(db_path, work)
    with app.app_context():
        db.create_all()
        ins = lambda model, rows: db.session.execute(sa.insert(model), rows) if rows else None  # noqa: E731
        now = datetime(2026, 6, 1, tzinfo=timezone.utc)
        divisions = [{"id": 1, "code": "520000000000", "name": "贵州省", "level": "province", "parent_id": None, "path": "/1/"},
                     {"id": 2, "code": "522600000000", "name": "黔东南州", "level": "city", "parent_id": 1, "path": "/1/2/"},
                     {"id": 3, "code": "522626000000", "name": "岑巩县", "level": "county", "parent_id": 2, "path": "/1/2/3/"}]
        villages, towns = [], []
        next_id = 4
        for t in range(20):
            tid = next_id
            next_id += 1
            towns.append(tid)
            divisions.append({"id": tid, "code": f"522626{101 + t:03d}000", "name": f"第{t + 1}镇", "level": "township",
                              "parent_id": 3, "path": f"/1/2/3/{tid}/"})
            for v in range(25):
                divisions.append({"id": next_id, "code": f"522626{101 + t:03d}{201 + v:03d}", "name": f"{t + 1}镇{v + 1}村",
                                  "level": "village", "parent_id": tid, "path": f"/1/2/3/{tid}/{next_id}/"})
                villages.append((next_id, tid))
                next_id += 1
        ins(Division, divisions)
        orgs = [{"id": 1, "name": "岑巩县妇联", "kind": "womens_federation", "division_id": 3}]
        orgs += [{"id": 2 + i, "name": f"第{i + 1}镇中心小学", "kind": "school", "division_id": t} for i, t in enumerate(towns)]
        ins(Organisation, orgs)
        ins(User, [{"id": 1, "username": "bench", "display_name": "基准测试", "role": "admin", "password_hash": "x",
                    "created_at": now, "active": True, "failed_logins": 0}])
        children = []
        for i in range(n_children):
            vid, tid = villages[i % len(villages)]
            birth = date(2012 + i % 12, 1 + i % 12, 1 + i % 28)
            sex = "male" if i % 2 else "female"
            children.append({"id": i + 1, "name": SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)] + GIVEN[(i // 7) % len(GIVEN)], "name_pinyin": "", "name_initials": "",
                             "sex": sex, "birth_date": birth, "id_number": make_id_number("522626", birth, (i % 500) * 2 + (sex == "male")) if i < 400000 else None,
                             "has_hukou": True, "division_id": vid, "health": "healthy", "schooling": "primary",
                             "school_id": 2 + towns.index(tid), "boarding": False, "both_parents_away": True,
                             "one_parent_away_other_incapable": False, "guardianship_type": "fair", "income_sources": ["wages"],
                             "assistance": [], "is_left_behind": True, "is_orphan": False, "categories": [], "tier": "normal",
                             "needs": [], "status": "active", "created_at": now, "updated_at": now,
                             "guardian_name": "王奶奶", "guardian_phone": "13812345678", "current_address": "某组"})
        # ID numbers must be unique: give each child its own sequence
        seen = set()
        for c in children:
            while c["id_number"] in seen:
                c["id_number"] = make_id_number("522626", c["birth_date"], rng.randrange(1000))
            seen.add(c["id_number"])
        ins(Child, children)
        n_vol = n_children // 3 + 1
        ins(Volunteer, [{"id": i + 1, "kind": "loving_mother", "organisation_id": 1, "name": SURNAMES[(i * 7) % len(SURNAMES)] + GIVEN[(i * 3) % len(GIVEN)] + "芳",
                         "id_number": f"52262619800101{i:04d}"[:18], "sex": "female", "phone": "13987654321",
                         "division_id": villages[i % len(villages)][0], "capacity": 3, "active_pairs": 0, "max_km": 10.0,
                         "cross_county": False, "skills": [], "status": "approved", "created_at": now} for i in range(n_vol)])
        pairs = [{"id": i + 1, "child_id": i + 1, "volunteer_id": i // 3 + 1, "status": "active", "started_at": now,
                  "created_at": now} for i in range(int(n_children * 0.9))]
        ins(Pair, pairs)
        db.session.execute(sa.update(Volunteer).values(active_pairs=3))
        talks = ["聊了这周在学校的情况，数学小测验进步了，很开心。", "孩子说想念在广东打工的妈妈，约好周末一起给妈妈打视频电话。",
                 "问了作业完成情况，奶奶说孩子晚上看电视到很晚，和孩子约定九点前睡觉。", "天气转冷，提醒孩子添衣服，问了学校食堂吃得好不好。"]
        logs, log_id = [], 0
        for p in pairs:
            for month in (7, 8, 9):
                log_id += 1
                logs.append({"id": log_id, "client_uuid": f"b-{log_id}", "kind": "talk", "mode": rng.choice(["phone", "in_person", "video"]),
                             "child_id": p["child_id"], "pair_id": p["id"], "volunteer_id": p["volunteer_id"], "author_id": 1,
                             "occurred_on": date(2026, month, rng.randint(1, 28)), "duration_minutes": rng.choice([20, 30, 45]),
                             "participants": ["child"], "content": rng.choice(talks), "concerns": [], "created_at": now, "updated_at": now})
            log_id += 1
            logs.append({"id": log_id, "client_uuid": f"b-{log_id}", "kind": "visit", "mode": None, "child_id": p["child_id"],
                         "pair_id": p["id"], "volunteer_id": p["volunteer_id"], "author_id": 1,
                         "occurred_on": date(2026, rng.choice((7, 8, 9)), rng.randint(1, 28)), "duration_minutes": 60,
                         "participants": ["child", "guardian"], "content": None, "living_conditions": "房屋整洁，门锁完好，冬天有电烤炉取暖。",
                         "help_given": "送去学习用品，提醒爷爷更换老化电线。", "concerns": [], "created_at": now, "updated_at": now})
        for start in range(0, len(logs), 5000):
            ins(CareLog, logs[start:start + 5000])
        events, attendance, ev_id = [], [], 0
        n_events = max(0, 40_000 - len(logs)) if n_children >= 10_000 else len(logs) // 10
        for k in range(n_events):
            ev_id += 1
            school = 2 + k % 20
            day = Q_START + timedelta(days=k % 90)
            events.append({"id": ev_id, "kind": "tutoring", "title": "四点半课堂", "organisation_id": school, "division_id": towns[k % 20],
                           "starts_at": datetime.combine(day, dtime(8, 30), timezone.utc), "duration_minutes": 90, "place": "学校图书室",
                           "organiser": "龙老师", "checkin_code": f"{ev_id:08d}", "summary": "作业辅导与阅读", "created_by_id": 1,
                           "created_at": now, "updated_at": now})
            for c in range(3):
                attendance.append({"event_id": ev_id, "child_id": 1 + (k * 3 + c) % n_children, "attended": True})
            attendance.append({"event_id": ev_id, "volunteer_id": 1 + k % n_vol, "attended": True})
        for start in range(0, len(events), 5000):
            ins(SchoolEvent, events[start:start + 5000])
        for start in range(0, len(attendance), 10000):
            ins(EventAttendance, attendance[start:start + 10000])
        # photos on about one activity in ten (1–3 each), small JPEGs on disk
        folder = work / "uploads" / "activities"
        folder.mkdir(parents=True, exist_ok=True)
        photos = []
        for n, log in enumerate(logs[::10]):
            for j in range(1 + n % 3):
                name = f"{n:016x}{j:016x}.jpg"
                Image.new("RGB", (320, 240), (rng.randrange(256), rng.randrange(256), rng.randrange(256))).save(folder / name, quality=80)
                photos.append({"log_id": log["id"], "filename": name, "width": 320, "height": 240, "size_bytes": 3000,
                               "uploaded_at": now, "uploaded_by_id": 1})
        ins(ActivityPhoto, photos)
        db.session.commit()
        return {"children": n_children, "pairs": len(pairs), "care_logs": len(logs), "events": len(events),
                "activities": len(logs) + len(events), "photos": len(photos)}


def render_once(db_path: Path, work: Path, kind: str, save_html: Path | None) -> dict:
    """In a fresh process: issue one report through the app and report the timings."""
    from app.reports import pdf as pdfmod
    from app.reports.registry import ReportRequest

    started = time.perf_counter()
    app = _app(db_path, work, routes=False)  # as the report worker and ``flask reports render`` build it
    with app.app_context():
        import sqlalchemy as sa

        from app.extensions import db
        from app.reports.service import issue

        weasy = {"seconds": 0.0, "since": None}
        batches: list[dict] = []  # every batch of documents given to the renderer, in order

        def save(chunks, policy, workers, each, new_batch=True):
            if save_html is None:
                return
            if new_batch:
                batches.append({"files": [], "workers": workers, "each": each})
            save_html.mkdir(parents=True, exist_ok=True)
            for html in chunks:
                name = f"batch{len(batches) - 1:02d}-chunk{len(batches[-1]['files']):03d}.html"
                (save_html / name).write_text(html, encoding="utf-8")
                batches[-1]["files"].append(name)
            (save_html / "policy.json").write_text(json.dumps({
                "static_dir": policy.static_dir, "thumbs_dir": policy.thumbs_dir,
                "allowed_data": sorted(policy.allowed_data), "batches": batches}))

        original_chunks = pdfmod.render_chunks

        def timed(chunks, policy, workers=1, progress=None):
            save(chunks, policy, workers, False)
            t = time.perf_counter()
            result = original_chunks(chunks, policy, workers=workers, progress=progress)
            weasy["seconds"] += time.perf_counter() - t
            return result

        class RecordingPool(pdfmod.RenderPool):
            """The app's pool, saving each document as it is submitted: one batch from the first
            submission to the results (rendered each on its own), timed over that span."""

            def submit(self, html, policy):
                if weasy["since"] is None:
                    weasy["since"] = time.perf_counter()
                    weasy.setdefault("first_submit", weasy["since"])
                save([html], policy, self.workers, True, new_batch=not self._pending)
                super().submit(html, policy)

            def results(self, progress=None):
                out = super().results(progress)
                weasy["results_end"] = time.perf_counter()
                weasy["seconds"] += weasy["results_end"] - weasy["since"]
                weasy["since"] = None
                return out

            def render(self, html, policy):
                save([html], policy, self.workers, True)
                t = time.perf_counter()
                result = super().render(html, policy)
                weasy["seconds"] += time.perf_counter() - t
                return result

        import app.reports.render as render_mod

        render_mod.render_chunks = timed
        render_mod.RenderPool = RecordingPool
        setup = time.perf_counter() - started
        if kind == "ledger":
            req = ReportRequest("ledger", division_id=3, period=QUARTER)
        else:
            child_id = db.session.scalar(sa.text("SELECT child_id FROM care_logs GROUP BY child_id ORDER BY count(*) DESC LIMIT 1"))
            req = ReportRequest("child_file", child_id=child_id)
        t0, c0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
        row = issue(req, None)
        t_end = time.perf_counter()
        first = t_end - t0
        c1 = resource.getrusage(resource.RUSAGE_SELF)
        own_cpu = c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime
        db.session.commit()
        warm = None
        if kind == "child_file":  # a second one, as a running server would do it
            t1 = time.perf_counter()
            issue(req, None)
            db.session.commit()
            warm = time.perf_counter() - t1
        # where the app's time goes around the renderers: before the first document reaches them,
        # and after the last is back (merge, checksum, storing)
        timeline = {"before_renderers_s": round(weasy["first_submit"] - t0, 2),
                    "after_renderers_s": round(t_end - weasy["results_end"], 2)} if "first_submit" in weasy else {}
        return {**timeline, "seconds": first, "warm_seconds": warm, "renderer_seconds": weasy["seconds"],
                "setup_seconds": setup, "pages": row.page_count, "bytes": row.size_bytes, "serial_cpu_seconds": round(own_cpu, 1)}


def weasy_only(html_dir: Path) -> dict:
    """WeasyPrint alone on the saved HTML: the same documents (cover, then the parts), the same
    fetcher and workers, merged into one PDF the same way."""
    from app.reports.pdf import FetchPolicy, merge_pdfs, render_chunks, render_each

    spec = json.loads((html_dir / "policy.json").read_text())
    policy = FetchPolicy(spec["static_dir"], spec["thumbs_dir"], frozenset(spec["allowed_data"]))
    batches = [([(html_dir / name).read_text(encoding="utf-8") for name in b["files"]], b) for b in spec["batches"]]
    t, c0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    parts = []
    for chunks, b in batches:
        if b["each"]:
            parts.extend(render_each(chunks, policy, workers=b["workers"]))
        else:
            parts.append(render_chunks(chunks, policy, workers=b["workers"]))
    pdf = merge_pdfs([r.pdf for r in parts]) if len(parts) > 1 else parts[0].pdf
    c1 = resource.getrusage(resource.RUSAGE_SELF)
    return {"seconds": time.perf_counter() - t, "pages": sum(r.pages for r in parts), "bytes": len(pdf),
            "serial_cpu_seconds": round(c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime, 1)}


class TreeMemory:
    """Peak of the summed RSS of a process and all its descendants, sampled every 50 ms."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _tree(self) -> list[int]:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    ppid = int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
                children.setdefault(ppid, []).append(int(entry))
        out, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            todo.extend(children.get(pid, []))
        return out

    def _run(self):
        while not self._stop.is_set():
            total = 0
            for pid in self._tree():
                try:
                    for line in open(f"/proc/{pid}/status"):
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1]) * 1024
                except OSError:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.05)

    def stop(self) -> int:
        self._stop.set()
        self.thread.join()
        return self.peak


#: Both processes run with Python's bytecode cache, as installed code does: with
#: PYTHONDONTWRITEBYTECODE set in the shell the app would compile its ~230 modules on every start
#: (≈ 0.5 s), while WeasyPrint and every other library load their cached bytecode.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_child(args: list[str]) -> tuple[dict, int]:
    """Run this script with ``args`` in a subprocess; (its JSON result, peak tree RSS)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                            env=CHILD_ENV)
    mem = TreeMemory(proc.pid)
    out, _ = proc.communicate()
    wall = time.perf_counter() - wall
    peak = mem.stop()
    if proc.returncode:
        raise SystemExit(f"subprocess {args} failed ({proc.returncode})")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(out.strip().splitlines()[-1])
    # CPU seconds of the subprocess and its PDF workers: unlike wall time, not inflated when
    # other programs share the machine's two cores
    result["cpu_seconds"] = round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1)
    result["load_average"] = os.getloadavg()[0]
    result["process_seconds"] = round(wall, 2)  # the whole process: start-up, queries, layout, rendering
    return result, peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--warm-up", action="store_true", help="one untimed pair first")
    parser.add_argument("--skip-child", action="store_true", help="the ledger only (no one-child file)")
    parser.add_argument("--render", nargs=3, metavar=("DB", "WORK", "KIND"), help=argparse.SUPPRESS)
    parser.add_argument("--save-html", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--weasy-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render:
        db_path, work, kind = args.render
        print(json.dumps(render_once(Path(db_path), Path(work), kind, args.save_html)))
        return
    if args.weasy_only:
        print(json.dumps(weasy_only(args.weasy_only)))
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="xb-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db_path = work / "bench.db"
    t = time.perf_counter()
    if not db_path.exists():
        print("generating…", json.dumps(generate(db_path, work, args.children), ensure_ascii=False), flush=True)
    print(f"data ready in {time.perf_counter() - t:.1f} s", flush=True)
    ledger, weasy, child = [], [], []
    if args.warm_up:  # untimed: fills the thumbnail and bytecode caches, saves the HTML
        run_child(["--render", str(db_path), str(work), "ledger", "--save-html", str(work / "html")])
        run_child(["--weasy-only", str(work / "html")])
        print("warmed up", flush=True)
    for i in range(args.runs):
        result, peak = run_child(["--render", str(db_path), str(work), "ledger", "--save-html", str(work / "html")])
        result["peak_rss"] = peak
        ledger.append(result)
        print("ledger run", i + 1, json.dumps(result), flush=True)
        result, peak = run_child(["--weasy-only", str(work / "html")])
        result["peak_rss"] = peak
        weasy.append(result)
        print("weasyprint-only run", i + 1, json.dumps(result), flush=True)
        if not args.skip_child:
            result, peak = run_child(["--render", str(db_path), str(work), "child_file"])
            child.append(result)
            print("child file run", i + 1, json.dumps(result), flush=True)
    med = lambda rows, key: statistics.median(r[key] for r in rows)  # noqa: E731
    maxrss_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    total, only = med(ledger, "seconds"), med(weasy, "seconds")
    summary = {
        "activities": "see generation line", "pages": ledger[0]["pages"],
        "ledger_total_s": round(total, 1), "weasyprint_only_s": round(only, 1), "app_share_s": round(total - only, 1),
        "ledger_process_s": med(ledger, "process_seconds"), "weasyprint_only_process_s": med(weasy, "process_seconds"),
        "ratio_to_weasyprint_alone": round(med(ledger, "process_seconds") / med(weasy, "process_seconds"), 3),
        # each A with the B that ran right after it, at the nearest load
        "pair_wall_ratios": [round(a["process_seconds"] / b["process_seconds"], 3) for a, b in zip(ledger, weasy)],
        "pair_cpu_ratios": [round(a["cpu_seconds"] / b["cpu_seconds"], 3) for a, b in zip(ledger, weasy)],
        "renderer_inside_app_s": round(med(ledger, "renderer_seconds"), 1),
        "ledger_cpu_s": med(ledger, "cpu_seconds"), "weasyprint_only_cpu_s": med(weasy, "cpu_seconds"),
        "load_average": round(med(ledger, "load_average"), 2),
        # what the wall time would be on an otherwise idle machine: the serial part (this process:
        # queries, layout, templates, merge) plus the renderer processes' CPU shared by the workers
        "ledger_idle_estimate_s": round(med(ledger, "serial_cpu_seconds")
                                        + (med(ledger, "cpu_seconds") - med(ledger, "serial_cpu_seconds")) / 2, 1),
        "weasyprint_only_idle_estimate_s": round(med(weasy, "serial_cpu_seconds")
                                                 + (med(weasy, "cpu_seconds") - med(weasy, "serial_cpu_seconds")) / 2, 1),
        "ledger_peak_tree_rss_mib": round(med(ledger, "peak_rss") / 2**20),
        "largest_single_process_maxrss_mib": round(maxrss_children / 2**20),
        "child_file_cold_s": round(med(child, "seconds"), 2) if child else None,
        "child_file_warm_s": round(med(child, "warm_seconds"), 2) if child else None,
        "goals": {"ledger_60s": total <= 60, "ledger_1GiB": med(ledger, "peak_rss") <= 2**30,
                  "ratio_1.1": med(ledger, "process_seconds") <= 1.1 * med(weasy, "process_seconds"),
                  "child_2s": med(child, "warm_seconds") <= 2 if child else None},
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
