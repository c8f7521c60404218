"""Print correctness: page labels true at any size, signatures kept with the last rows, the running
header, township + village names, years in dates, every village listed, photo resolution."""
import re
import subprocess
import uuid
from datetime import date, timedelta
from pathlib import Path

from app.core.dates import today_cn
from tests.reports.conftest import issue, pdf_pages, pdf_text


def _quarter():
    d = today_cn()
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def _pages_text(data: bytes, tmp_path: Path) -> list[str]:
    """The text of each page (pdftotext separates pages with form feeds)."""
    return [re.sub(r"\s+", "", page) for page in pdf_text(data, tmp_path).split("\f")][: pdf_pages(data)]


def _labels(pages: list[str]) -> list[tuple[int, int]]:
    out = []
    for page in pages:
        found = re.findall(r"第(\d+)页共(\d+)页", page)
        assert len(found) == 1, page[-200:]
        out.append((int(found[0][0]), int(found[0][1])))
    return out


def _meta(**extra):
    from app.reports.common import ReportMeta

    return ReportMeta(title="关爱服务活动台账", subtitle="甲县 · 2026年第3季度", organisation="甲县民政局",
                      issued_on="2026年10月8日", number="XB-2026-000001", code="ABCDEFGHJK",
                      verify_path="/reports/verify/ABCDEFGHJK", landscape=True, **extra)


def _big_ledger(n_rows: int, n_kinds: int):
    from app.reports import ledger
    from app.reports.common import Period

    period = Period(date(2026, 7, 1), date(2026, 9, 30), "2026年第3季度")
    rows = [ledger.LedgerRow(date(2026, 7, 1) + timedelta(days=i % 90), f"活动类型{i % n_kinds:02d}", "鱼塘村",
                             "志愿者甲", "儿童乙、志愿者甲", 2, "聊了学校的情况，孩子很开心。" * (1 + i % 4), [], 30)
            for i in range(n_rows)]
    built = ledger.Ledger("甲县", period.label, rows, period)
    by_kind = {}
    for r in rows:
        by_kind.setdefault(r.kind, [0, 0, 0])
        by_kind[r.kind][0] += 1
        by_kind[r.kind][1] += r.count
        by_kind[r.kind][2] += r.minutes
    built.summary = [{"kind": k, "activities": v[0], "participants": v[1], "hours": str(v[2]), "minutes": v[2]}
                     for k, v in sorted(by_kind.items())]
    built.total_count = sum(r.count for r in rows)
    built.total_minutes = sum(r.minutes for r in rows)
    ledger.check(built)
    return built


def test_chunked_ledger_with_a_two_page_cover_numbers_every_page_once(app, tmp_path, monkeypatch):
    """The cover's length is not assumed: a summary long enough for two pages and a table in
    several parts still give 第1页 … 第N页, each once, all naming 共N页, and the signatures sit
    on the last page with the last rows."""
    from app.reports import render
    from app.reports.registry import KINDS

    monkeypatch.setattr(render, "PAGES_PER_CHUNK", 3)
    built = _big_ledger(n_rows=260, n_kinds=40)
    data, pages = render.pdf(KINDS["ledger"], built, _meta())
    texts = _pages_text(data, tmp_path)
    assert pages == pdf_pages(data) == len(texts) and pages > 8
    assert "合计260" not in texts[0]  # the cover really takes more than one page
    assert _labels(texts) == [(n, pages) for n in range(1, pages + 1)]
    assert "盖章处" in texts[-1] and "260" in texts[-1]  # the signatures with the last row (No. 260)
    assert not any("盖章处" in t for t in texts[:-1])


def test_small_ledger_signatures_follow_the_rows(world, activity, tmp_path):
    row, data = issue("ledger", world.user("coordinator"), division_id=world.a.county.id, period=_quarter())
    texts = _pages_text(data, tmp_path)
    assert _labels(texts) == [(n, len(texts)) for n in range(1, len(texts) + 1)]
    assert "盖章处" in texts[-1] and "四点半课堂" in texts[-1]


def test_signature_block_is_never_alone_on_its_page(app, tmp_path):
    """Whatever the number of rows, the page with the signatures also holds table rows."""
    from app.reports import render, roster_stats
    from app.reports.common import Checks, ReportMeta
    from app.reports.registry import KINDS

    meta = ReportMeta(title="农村留守儿童花名册季度统计表", subtitle="甲县 · 2026年第3季度", organisation="甲县民政局",
                      number="XB-2026-000002", code="ABCDEFGHJK", landscape=True)
    alone = []
    for n in range(20, 33):
        one = {**dict.fromkeys(roster_stats.KEYS, 0), "total": 2, "male": 1, "female": 1, "6-13": 2}
        rows = [{"name": f"鱼塘{i:02d}村", **one} for i in range(n)]
        stats = roster_stats.RosterStats("甲县", "2026年第3季度", "村(社区)", rows,
                                         {"name": "合计", **{k: v * n for k, v in one.items()}}, Checks())
        assert roster_stats.check(stats).ok
        data, _ = render.pdf(KINDS["roster_stats"], stats, meta)
        last = _pages_text(data, tmp_path)[-1]
        assert "盖章处" in last
        if "合计" not in last and "鱼塘" not in last:
            alone.append(n)
    assert alone == []


def test_running_header_names_scope_and_period_on_every_page(world, app, tmp_path, monkeypatch):
    from tests.reports.conftest import add_activity

    for _ in range(4):
        add_activity(world, app, content="长内容" * 120, review=False)
    row, data = issue("ledger", world.user("coordinator"), division_id=world.a.county.id, period=_quarter())
    texts = _pages_text(data, tmp_path)
    period_label = f"{today_cn().year}年第{(today_cn().month - 1) // 3 + 1}季度"
    assert len(texts) > 2
    for text in texts:
        assert world.a.county.name in text and period_label in text and "数据截至" in text


def _second_township(world):
    """A second township in region A's county with a village of the same name as region A's."""
    from app.extensions import db
    from tests.factories import child, division

    county = world.a.county
    town = division(county.code[:6] + "102000", "乙镇", county)
    twin = division(county.code[:6] + "102201", world.a.village.name, town)
    empty = division(county.code[:6] + "102202", "无童村", town)
    kid = child(twin, name="双名村儿童")
    db.session.commit()
    return town, twin, empty, kid


def test_county_reports_name_township_and_village_and_list_every_village(world, activity, tmp_path):
    town, twin, empty, kid = _second_township(world)
    coordinator = world.user("coordinator")
    row, data = issue("roster_stats", coordinator, division_id=world.a.county.id, period=_quarter())
    text = re.sub(r"\s+", "", pdf_text(data, tmp_path))
    assert f"{world.a.township.name}{world.a.village.name}" in text
    assert f"乙镇{world.a.village.name}" in text
    assert "乙镇无童村" in text  # a village with no children is listed, with zeros
    from app.reports import roster_stats
    from app.reports.common import quarter_period
    from app.reports.scope import resolve_region

    stats = roster_stats.build(resolve_region(None, division_id=world.a.county.id), quarter_period(_quarter()))
    rows = {r["name"]: r for r in stats.rows}
    assert rows["乙镇无童村"]["total"] == 0 and rows[f"乙镇{world.a.village.name}"]["total"] == 1
    assert stats.checks.ok
    # the ledger's place column names the township too
    row, data = issue("ledger", coordinator, division_id=world.a.county.id, period=_quarter())
    assert f"{world.a.township.name}{world.a.village.name}" in re.sub(r"\s+", "", pdf_text(data, tmp_path))


def test_dates_carry_their_year_when_the_period_spans_two(world, app, tmp_path):
    from app.activities.models import CareLog
    from app.extensions import db

    r = world.a
    for day in (date(2025, 12, 30), date(2026, 1, 3)):
        db.session.add(CareLog(client_uuid=str(uuid.uuid4()), kind="talk", mode="phone", child_id=r.child.id,
                               pair_id=r.pair.id, volunteer_id=r.volunteer.id, author_id=r.users["volunteer"].id,
                               occurred_on=day, duration_minutes=30, content="跨年谈心", participants=["child"],
                               concerns=[]))
    db.session.commit()
    row, data = issue("ledger", world.user("coordinator"), division_id=r.county.id, period="2025-12-01..2026-01-31")
    text = pdf_text(data, tmp_path)
    assert "2025.12.30" in text and "2026.1.3" in text
    assert "12月30日" not in text


def test_visit_photos_print_at_150_ppi_or_more(world, activity, app, tmp_path):
    from PIL import Image

    from app.activities.models import ActivityPhoto
    from app.extensions import db

    name = uuid.uuid4().hex + ".jpg"
    path = Path(app.config["UPLOAD_DIR"]) / "activities" / name
    Image.new("RGB", (1600, 1200), (60, 120, 180)).save(path, "JPEG")
    db.session.add(ActivityPhoto(log_id=activity.visit.id, filename=name, width=1600, height=1200,
                                 size_bytes=path.stat().st_size, uploaded_by_id=world.a.users["volunteer"].id))
    db.session.commit()
    row, data = issue("visits", world.user("coordinator"), division_id=world.a.village.id, period=_quarter())
    pdf = tmp_path / "visits.pdf"
    pdf.write_bytes(data)
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    ppis = [(int(line.split()[12]), int(line.split()[13])) for line in listing.splitlines()[2:]
            if line.split()[2] == "image" and int(line.split()[3]) >= 200]
    assert ppis, listing
    assert all(min(x, y) >= 150 for x, y in ppis), listing
