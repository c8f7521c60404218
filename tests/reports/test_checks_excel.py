"""Cross-sum checks (and a deliberately inconsistent input), Excel column order and cell types."""
import io
import re

from openpyxl import load_workbook

from app.core.dates import today_cn
from tests.reports.conftest import issue


def _quarter():
    d = today_cn()
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def _region(world):
    from app.reports.scope import resolve_region

    return resolve_region(None, division_id=world.a.county.id)


def test_roster_stats_add_up_and_an_inconsistency_is_flagged(world, activity):
    from app.reports import roster_stats
    from app.reports.common import quarter_period

    stats = roster_stats.build(_region(world), quarter_period(_quarter()))
    assert stats.checks.ok and len(stats.checks.items) > 20
    assert stats.total["total"] == 2 and stats.total["male"] == 2  # both region-A children
    assert sum(stats.total[b] for b in ("0-5", "6-13", "14-16")) == stats.total["total"]
    stats.rows[0]["male"] += 1  # a hand-edited figure
    flagged = roster_stats.check(stats)
    assert not flagged.ok
    assert any("男 + 女 = 总数" in c.name for c in flagged.failed)
    assert any("合计行「男」" in c.name for c in flagged.failed)


def test_assessment_and_ledger_checks(world, activity, tmp_path):
    from app.reports import assessment, ledger
    from app.reports.common import quarter_period
    from app.reports.registry import KINDS
    from app.reports.render import pdf
    from app.reports.common import ReportMeta
    from tests.reports.conftest import pdf_text

    period = quarter_period(_quarter())
    a = assessment.build(_region(world), period)
    assert a.checks.ok, a.checks.failed
    assert a.coverage["children"] == 2 and a.coverage["with_carer"] == 1
    assert a.case_summary["count"] == 1 and a.cases[0]["police_h"] == "0.3"
    a.roster[0]["total"] += 5
    assert not assessment.check(a).ok
    data, _ = pdf(KINDS["assessment"], a, ReportMeta(title="关爱服务工作考核汇总表", number="XB-2026-000001", code="ABCDEFGHJK"))
    text = pdf_text(data, tmp_path)
    assert "不一致" in text and "各年龄段之和" in text
    led = ledger.build(_region(world), period)
    assert led.checks.ok and len(led.rows) == 3
    led.summary[0]["activities"] += 1
    assert not ledger.check(led).ok


def test_excel_versions_in_official_column_order(world, activity):
    from app.reports import ledger, roster_stats, visits

    coordinator = world.user("coordinator")
    row, data = issue("ledger", coordinator, division_id=world.a.county.id, period=_quarter(), file_format="xlsx")
    ws = load_workbook(io.BytesIO(data)).active
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(values) if r[0] == "序号")
    assert tuple(values[header_at][:len(ledger.COLUMNS)]) == ledger.COLUMNS
    assert values[0][0] == "关爱服务活动台账"
    assert any(row.number in (r[0] or "") and row.verification_code in (r[0] or "") for r in values[:header_at])
    assert ws.print_title_rows  # the header row repeats on every printed page

    row, data = issue("visits", coordinator, division_id=world.a.village.id, period=_quarter(), file_format="xlsx")
    values = [list(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]
    assert tuple(next(r for r in values if r[0] == "序号")[:len(visits.COLUMNS)]) == visits.COLUMNS

    row, data = issue("roster_stats", coordinator, division_id=world.a.county.id, period=_quarter(),
                      file_format="xlsx")
    values = [list(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]
    header = next(r for r in values if r[0] == "序号")
    assert header[2:2 + len(roster_stats.COLUMNS)] == [h for _, h in roster_stats.COLUMNS]

    row, data = issue("assessment", coordinator, division_id=world.a.county.id, period=_quarter(),
                      file_format="xlsx")
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[0] == "在册儿童" and "数据核对" in wb.sheetnames
    checks = list(wb["数据核对"].iter_rows(values_only=True))
    body = checks[next(i for i, r in enumerate(checks) if r[0] == "核对项") + 1:]
    assert body and all(r[3] == "一致" for r in body)


def test_excel_cells_text_and_formula_neutralised():
    from app.reports.excel import ExcelColumn, Sheet, build_workbook

    data = build_workbook([Sheet("s", [ExcelColumn("内容"), ExcelColumn("身份证号", text=True),
                                       ExcelColumn("电话", text=True)],
                                 [["=HYPERLINK(\"http://x\",\"点我\")", "522626201404039405", "01234567890"],
                                  ["+1+1", 123456789012345678, "-3"], ["@SUM(A1)", None, "\tx"]])])
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(min_row=2))
    for row in rows:
        for cell in row:
            assert cell.data_type in ("s", "inlineStr")  # text, never a formula
    assert rows[0][0].value.startswith("=HYPERLINK") and rows[0][0].quotePrefix
    assert rows[1][0].quotePrefix and rows[2][0].quotePrefix and rows[1][2].quotePrefix
    assert rows[0][1].value == "522626201404039405" and rows[0][1].number_format == "@"
    assert rows[0][2].value == "01234567890"
    assert rows[1][1].value == "123456789012345678"


def test_textgrid_wraps_by_width_and_paginates():
    from app.reports import textgrid
    from app.reports.textgrid import Column, layout, text_width, wrap

    assert text_width("中文ab") == 6
    lines = wrap("今天天气很好，我们去公园玩。" * 3, 14)
    assert all(text_width(line) <= 14 for line in lines)
    assert not any(line.startswith(("，", "。")) for line in lines)
    grid = layout([Column("序号", 6), Column("内容", 20)], [([i, "汉字" * i], []) for i in range(40)],
                  page_height_pt=200, font_pt=7.5, line_pt=10.5)
    assert sum(len(p.rows) for p in grid.pages) == 40
    for page in grid.pages:
        used = sum(len(r.lines) * 10.5 + 0.5 for r in page.rows) + 11
        assert used <= 200
    assert "<" not in textgrid.rules_svg(grid).replace("<svg", "").replace("<line", "").replace("</svg>", "")
    assert re.match(r"^ 序号", grid.header[0])
