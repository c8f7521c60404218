"""Benchmark: the whole dry-run import process against python-calamine's bare read of the file.

Issue #20's goal: ``flask children import FILE --dry-run --report R.xlsx`` — interpreter start,
app start, reading, every check and the rejected-rows workbook — takes at most 6× the CPU time
of a process that only reads the same file with python-calamine. Both are timed as whole
processes (user + system CPU of the finished child, from ``os.wait4``), interleaved A B A B in
the same run so that a drift of the machine's speed hits both; the ratio is taken pair by pair
and its median is quoted.

A third process shows the floor the ratio stands on: the same command with ``--help`` builds the
same app (interpreter, Flask's command line, Flask-Migrate and Alembic, SQLAlchemy, every model)
and stops before reading the file.

Setup (done once in a scratch folder): an 8,000-row messy roster (see ``bench_import.py``), a
SQLite database migrated to head with the county, townships and villages the roster names.

Usage::

    .venv/bin/python bench/roster/bench_dry_run.py [--rows 8000] [--runs 5] [--setup-only]

``--setup-only`` prints the two commands (and their environment) for another timer.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.roster.bench_import import PLACES, generate  # noqa: E402

GOAL_RATIO = 6.0
COUNTY = ("522626000000", "岑巩县", "522600000000")

#: The reference process: python-calamine reads every cell of the first sheet, nothing else.
BARE_READ = (
    "import sys, python_calamine as c;"
    "c.CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_index(0).to_python(skip_empty_area=False)"
)


def _divisions_csv() -> str:
    lines = ["code,name,parent_code", "520000000000,贵州省,", "522600000000,黔东南苗族侗族自治州,520000000000",
             ",".join(COUNTY)]
    towns: dict[str, str] = {}
    for n, (town, village) in enumerate(PLACES):
        if town not in towns:
            towns[town] = f"522626{101 + len(towns):03d}000"
            lines.append(f"{towns[town]},{town},{COUNTY[0]}")
        lines.append(f"{towns[town][:9]}{201 + n:03d},{village},{towns[town]}")
    return "\n".join(lines) + "\n"


def setup(folder: Path, rows: int) -> tuple[Path, dict[str, str]]:
    """The roster file and the environment of a migrated scratch database holding its places."""
    roster = folder / f"roster-{rows}.xlsx"
    if not roster.exists():
        generate(roster, rows)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}", "LOG_LEVEL": "WARNING"}
    if not (folder / "bench.db").exists():
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
        csv = folder / "divisions.csv"
        csv.write_text(_divisions_csv(), encoding="utf-8")
        subprocess.run([*flask, "divisions", "load", str(csv)], cwd=ROOT, env=env, check=True,
                       capture_output=True)
    return roster, env


def commands(roster: Path, report: Path) -> tuple[list[str], list[str], list[str]]:
    """(the dry-run import, the bare read, the app start alone) as argument lists."""
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "children", "import"]
    dry_run = [*flask, str(roster), "--dry-run", "--report", str(report), "--division", COUNTY[0]]
    return dry_run, [sys.executable, "-c", BARE_READ, str(roster)], [*flask, "--help"]


def cpu_seconds(argv: list[str], env: dict[str, str]) -> float:
    """User + system CPU seconds of one whole process (its output is discarded)."""
    process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):  # 1: rows were rejected, as planted
        raise SystemExit(f"{argv[:6]} exited {process.returncode}")
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=8000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "xiangban-bench-roster")
    parser.add_argument("--setup-only", action="store_true")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    roster, env = setup(args.folder, args.rows)
    dry_run, bare, start = commands(roster, args.folder / "rejected.xlsx")
    if args.setup_only:
        print(f"DATABASE_URL={env['DATABASE_URL']}")
        print("A:", " ".join(dry_run))
        print("B:", " ".join(bare[:2]), repr(bare[2]), bare[3])
        return 0
    cpu_seconds(dry_run, env)  # warm-up: file cache, .pyc files
    cpu_seconds(bare, env)
    pairs, starts = [], []
    for _ in range(args.runs):
        a = cpu_seconds(dry_run, env)
        b = cpu_seconds(bare, env)
        pairs.append((a, b))
        starts.append(cpu_seconds(start, env) / b)
    ratios = [a / b for a, b in pairs]
    report = {
        "rows": args.rows,
        "runs": args.runs,
        "dry_run_cpu_median_s": round(statistics.median(a for a, _ in pairs), 3),
        "bare_read_cpu_median_s": round(statistics.median(b for _, b in pairs), 3),
        "ratio_min": round(min(ratios), 2),
        "ratio_median": round(statistics.median(ratios), 2),
        "ratio_max": round(max(ratios), 2),
        "goal_ratio": GOAL_RATIO,
        "app_start_alone_ratio_median": round(statistics.median(starts), 2),
        "measured_at": time.strftime("%Y-%m-%d %H:%M"),
    }
    print(json.dumps(report, indent=2))
    return 0 if report["ratio_median"] <= GOAL_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
