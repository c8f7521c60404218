"""Benchmark: import (parse + validate) of a 10,000-row messy roster.

Generates a deterministic messy workbook (merged two-level header with shuffled columns and
unknown extra columns, dates in every accepted form, IDs with spaces, lower-case x, full-width
digits, phones stored as numbers, blank and note rows, a repeated header, ~3 % bad rows),
then measures :func:`app.children.roster.parse_roster`:

* time: median of 3 runs in this process;
* memory: peak resident set size (``ru_maxrss``) of a fresh subprocess that parses once.

Goals: ≤ 10 s and ≤ 500 MB. Usage::

    .venv/bin/python bench/roster/bench_import.py [--rows 10000] [--check]

``--check`` exits with status 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402
from openpyxl.utils import get_column_letter  # noqa: E402

from app.children.roster import parse_roster, roster_columns  # noqa: E402
from app.core.idcard import make_id_number  # noqa: E402

OUT = ROOT / "bench" / "out"
GOAL_SECONDS = 10.0
GOAL_MB = 500.0
REFERENCE = date(2026, 9, 30)
PLACES = [
    ("思旸镇", "红旗村"),
    ("客楼镇", "岩门村"),
    ("水尾镇", "鱼塘村"),
    ("天马镇", "平溪村"),
    ("龙田镇", "大寨村"),
    ("大有镇", "中心村"),
    ("注溪镇", "坪地村"),
    ("凯本镇", "竹林村"),
    ("平庄镇", "新寨村"),
    ("羊桥土家族乡", "龙洞村"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
GIVEN = "梓涵子轩浩宇欣怡雨桐诗琪佳俊博文思远晨曦天佑若一嘉明华丽秀英芳海东强志"
SCHOOLING = {
    range(0, 3): "未入园",
    range(3, 6): "幼儿园",
    range(6, 12): "小学",
    range(12, 15): "初中",
    range(15, 17): "高中",
}


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}"


def _date_cell(born: date, rng: random.Random) -> Any:
    forms = [
        lambda d: d,
        lambda d: f"{d:%Y-%m-%d}",
        lambda d: f"{d.year}/{d.month}/{d.day}",
        lambda d: f"{d.year}.{d.month}.{d.day}",
        lambda d: f"{d:%Y%m%d}",
        lambda d: f"{d.year}年{d.month}月{d.day}日",
        lambda d: (d - date(1899, 12, 30)).days,
    ]
    return rng.choice(forms)(born)


def _id_cell(number: str, rng: random.Random) -> str:
    forms = [
        lambda n: n,
        lambda n: n.lower(),
        lambda n: f"{n[:6]} {n[6:14]} {n[14:]}",
        lambda n: n.translate(str.maketrans("0123456789X", "０１２３４５６７８９ｘ")),
    ]
    return rng.choice(forms)(number)


def _child(i: int, rng: random.Random) -> dict[str, Any]:
    born = REFERENCE - timedelta(days=rng.randint(30, 16 * 365 - 30))
    number = make_id_number("522626", born, rng.randint(0, 999))
    township, village = rng.choice(PLACES)
    age = (REFERENCE - born).days // 365
    both = rng.random() < 0.8
    kind = rng.choice(
        ["监护情况较好", "监护情况一般", "受委托监护人监护能力不足", "父或母无监护能力", "无人监护"]
    )
    row = {
        "seq": i + 1,
        "name": _name(rng),
        "sex": "男" if int(number[16]) % 2 else "女",
        "ethnicity": rng.choice("汉苗侗") + "族",
        "birth_date": _date_cell(born, rng),
        "id_number": _id_cell(number, rng),
        "has_hukou": rng.choice(["是", "√", "有"]),
        "registered_address": f"贵州省黔东南州岑巩县{township}{village}",
        "current_address": f"岑巩县{township}{village}{i % 12 + 1}组",
        "township": township,
        "village": village,
        "health": "健康",
        "disability": None,
        "illness": None,
        "schooling": next(v for r, v in SCHOOLING.items() if age in r),
        "school_name": f"{township}中心小学",
        "grade": None,
        "boarding": rng.choice(["是", "否"]),
        "father_name": _name(rng),
        "father_work_place": "广东省东莞市",
        "father_phone": int(_mobile(rng)),
        "mother_name": _name(rng),
        "mother_work_place": "浙江省杭州市" if both else None,
        "mother_phone": _mobile(rng),
        "both_parents_away": "是" if both else "否",
        "one_parent_away_other_incapable": "否" if both else "是",
        "guardian_name": None if kind == "无人监护" else _name(rng),
        "guardian_relation": rng.choice(["祖父", "祖母", "外祖母", "姑姑"]),
        "guardian_phone": f"+86 {_mobile(rng)}",
        "guardianship_type": kind,
        "income_sources": "、".join(
            rng.sample(["打工收入", "种养殖业", "政府救助", "亲朋接济"], 2)
        ),
        "assistance": rng.choice(["低保", "医疗救助", "无", "临时救助"]),
        "village_contact_name": _name(rng),
        "village_contact_phone": _mobile(rng),
        "x_note": "核实",
        "x_code": i,
    }
    if rng.random() < 0.03:  # planted errors
        field, value = rng.choice(
            [("name", None), ("father_phone", "1380013"), ("schooling", "读书")]
        )
        row[field] = value
    return row


def generate(path: Path, rows: int, seed: int = 20260930) -> None:
    """Write the messy roster to ``path`` (deterministic for a given seed and size)."""
    rng = random.Random(seed)
    columns = [(c.field, c.group, c.header) for c in roster_columns()] + [
        ("x_note", None, "核实情况"),
        ("x_code", None, "统计编码"),
    ]
    blocks: list[list[tuple[str, str | None, str]]] = []
    for col in columns:
        if blocks and col[1] and blocks[-1][0][1] == col[1]:
            blocks[-1].append(col)
        else:
            blocks.append([col])
    rng.shuffle(blocks)
    columns = [c for block in blocks for c in block]
    wb = Workbook()
    ws = wb.active
    ws.append(["农村留守儿童基本情况登记表"])
    ws.append(
        ["填报单位(盖章):岑巩县民政局", None, None, None, None, f"填报日期:{REFERENCE:%Y-%m-%d}"]
    )
    top, bottom = _two_level(ws, columns)
    ws.append(top)
    ws.append(bottom)
    for i in range(rows):
        child = _child(i, rng)
        ws.append([child.get(field) for field, _, _ in columns])
        if i % 500 == 499:
            ws.append([])
            ws.append([f"备注:以上为第{i // 500 + 1}批"])
        if i == rows // 2:
            ws.append([h or "" for h in top])
            ws.append([h or "" for h in bottom])
    OUT.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _two_level(ws: Any, columns: list[tuple[str, str | None, str]]) -> tuple[list[Any], list[Any]]:
    top: list[Any] = []
    bottom: list[Any] = []
    for i, (_, group, header) in enumerate(columns):
        letter = get_column_letter(i + 1)
        if group is None:
            top.append(header)
            bottom.append(None)
            ws.merge_cells(f"{letter}3:{letter}4")
            continue
        first = i == 0 or columns[i - 1][1] != group
        top.append(group if first else None)
        bottom.append(header)
        if first:
            width = sum(1 for c in columns[i:] if c[1] == group)
            ws.merge_cells(f"{letter}3:{get_column_letter(i + width)}3")
    return top, bottom


def measure_time(path: Path, runs: int = 3) -> tuple[float, dict[str, int]]:
    """Median wall time of ``runs`` parses, and the counts of the last one."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = parse_roster(path, max_bytes=200 * 1024 * 1024)
        times.append(time.perf_counter() - start)
    counts = {
        "data_rows": len(result.rows),
        "good": len(result.good_rows),
        "bad": len(result.bad_rows),
        "skipped": len(result.skipped),
    }
    return statistics.median(times), counts


def measure_memory(path: Path) -> float:
    """Peak RSS in MB of a fresh interpreter that imports the module and parses once."""
    code = (
        "import resource, sys; sys.path.insert(0, sys.argv[2]);"
        "from app.children.roster import parse_roster;"
        "parse_roster(sys.argv[1], max_bytes=200 * 1024 * 1024);"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip()) / 1024  # Linux reports KiB


def main() -> int:
    """Generate the roster, measure it and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args()
    path = OUT / f"roster-{args.rows}.xlsx"
    start = time.perf_counter()
    generate(path, args.rows)
    generated = time.perf_counter() - start
    seconds, counts = measure_time(path)
    peak_mb = measure_memory(path)
    report = {
        "rows": args.rows,
        "file_mb": round(path.stat().st_size / 1024 / 1024, 2),
        "generate_s": round(generated, 2),
        "parse_validate_median_s": round(seconds, 2),
        "rows_per_s": round(args.rows / seconds),
        "peak_rss_mb": round(peak_mb, 1),
        "goal_s": GOAL_SECONDS,
        "goal_mb": GOAL_MB,
        **counts,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    ok = seconds <= GOAL_SECONDS and peak_mb <= GOAL_MB
    print("goals met" if ok else "GOAL MISSED")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
