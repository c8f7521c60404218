"""From a report's plain-data context to PDF (templates under ``templates/reports/pdf``) and
to Excel (the official column order of each report)."""
from __future__ import annotations

import logging
import os
from dataclasses import asdict
from typing import Any, Callable

from flask import current_app
from markupsafe import Markup

from app.reports import excel, textgrid
from app.reports.common import SIGNATURES, ReportMeta, duration_text
from app.reports.pdf import FetchPolicy, Rendered, render_chunks
from app.reports.textgrid import Column

log = logging.getLogger(__name__)
PAGES_PER_CHUNK = 40  # bounds each renderer process's memory (~200 MB)
LANDSCAPE_BODY_PT = (210 - 16 - 18) * textgrid.PT_PER_MM  # A4 landscape minus the @page margins
LEDGER_COLUMNS = [Column("序号", 7, "right"), Column("日期", 10), Column("活动类型", 18), Column("地点", 16),
                  Column("组织者", 10), Column("参与人", 26), Column("人数", 6, "right"), Column("活动内容", 79),
                  Column("照片", 22), Column("志愿服务时长", 12, "right")]
#: the signature block after the last rows of a ledger (fixed height, see ledger.html); the
#: layout keeps room for it on the last page so it is never alone on a page of its own
LEDGER_SIGN_MM = 30


def css_string(value: object) -> Markup:
    """A CSS string literal (quotes included) that nothing in ``value`` can break out of."""
    out = []
    for ch in str(value):
        out.append(ch if ch.isalnum() and ord(ch) < 128 or ch in " -_./:" else f"\\{ord(ch):x} ")
    return Markup('"' + "".join(out) + '"')  # nosec B704 - only alphanumerics and hex escapes


def _template(name: str, **context) -> str:
    env = current_app.jinja_env
    return env.get_template(name).render(css_string=css_string, duration=duration_text, sign_mm=LEDGER_SIGN_MM,
                                         **context)


def _policy() -> FetchPolicy:
    from app.reports.service import reports_root
    from app.reports.thumbs import thumbs_dir

    return FetchPolicy(static_dir=current_app.static_folder, thumbs_dir=str(thumbs_dir(str(reports_root()))))


def _workers() -> int:
    configured = current_app.config.get("REPORTS_PDF_WORKERS")
    if configured:
        return int(configured)
    return max(1, min(2, os.cpu_count() or 1))


def pdf(kind: str, context: Any, meta: ReportMeta, *, progress: Callable[[int, str], None] | None = None
        ) -> tuple[bytes, int]:
    """(PDF bytes, page count) of a report."""
    if kind == "ledger":
        return _ledger_pdf(context, meta, progress)
    extra = {}
    if kind == "visits":
        extra["thumb"] = _print_photo_url
    if kind == "roster_stats":
        from app.reports.roster_stats import COLUMNS

        extra["columns"] = COLUMNS
    if kind == "bulletin":
        extra["base"] = site_base()
    if kind == "home_assessment":
        from app.homes.report import CHECK_LABELS

        extra["labels"] = CHECK_LABELS
    html = _template(f"reports/pdf/{kind}.html", meta=meta, r=context, **extra)
    policy = FetchPolicy(**{**asdict(_policy()), "allowed_data": _meta_data(meta)})
    result = render_chunks([html], policy)
    _check_refused(result)
    return result.pdf, result.pages


def _check_refused(result: Rendered) -> None:
    if result.refused:
        log.warning("report rendering refused %d URL(s): %s", len(result.refused), result.refused[:5])


def _print_photo_url(filename: str) -> str | None:
    from app.reports.service import reports_root
    from app.reports.thumbs import PRINT_SIDE, thumbnail_url

    return thumbnail_url(current_app.config["UPLOAD_DIR"], str(reports_root()), filename, PRINT_SIDE)


def _thumb_url(filename: str) -> str | None:
    from app.reports.service import reports_root
    from app.reports.thumbs import thumbnail_url

    return thumbnail_url(current_app.config["UPLOAD_DIR"], str(reports_root()), filename)


def ledger_grid(ledger) -> textgrid.Grid:
    from app.reports.ledger import grid_cells

    rows = []
    period = getattr(ledger, "period_obj", None)
    for i, r in enumerate(ledger.rows, start=1):
        urls = [u for u in (_thumb_url(name) for name in r.photos[:3]) if u]
        rows.append((grid_cells(i, r, period), urls))
    columns = LEDGER_COLUMNS
    if period is not None and period.start.year != period.end.year:
        # dates carry their year (2025.12.30): the date column takes 2 half-widths from the content
        columns = [Column(c.label, c.width + {"日期": 2, "活动内容": -2}.get(c.label, 0), c.align) for c in columns]
    return textgrid.layout(columns, rows, page_height_pt=LANDSCAPE_BODY_PT - 2, image_column=8,
                           last_page_reserve_pt=LEDGER_SIGN_MM * textgrid.PT_PER_MM + 2)


def _ledger_pdf(ledger, meta: ReportMeta, progress) -> tuple[bytes, int]:
    """The ledger: a cover (summary and checks), then the table pages, then the signatures.

    A small ledger is one document numbered by WeasyPrint itself. A big one is rendered in
    parts: the cover alone first (its length depends on the summary and is only known once
    rendered), then the table in parts of ``PAGES_PER_CHUNK`` pages whose count the layout knows
    in advance; each part is told its first page number and the true total. Every part's page
    count is checked, and should one differ the numbers are recomputed from the real counts and
    the parts rendered again — so the labels are consecutive and name the true total.
    """
    grid = ledger_grid(ledger)
    rules = "data:image/svg+xml;base64," + _b64(textgrid.rules_svg(grid))
    policy = FetchPolicy(**{**asdict(_policy()), "allowed_data": frozenset({rules} | _meta_data(meta))})
    starts = list(range(0, len(grid.pages), PAGES_PER_CHUNK)) or [0]

    def html(part: str, pages: list, first_page: int, total: int, chunked: bool) -> str:
        return _template("reports/pdf/ledger.html", meta=meta, r=ledger, grid=grid, rules=rules, pages=pages,
                         cover=part in ("cover", "all"), last=part in ("last", "all"), first_page=first_page,
                         total_pages=total, chunked=chunked)

    if len(starts) == 1:
        result = render_chunks([html("all", grid.pages, 1, 0, False)], policy)
        if progress:
            progress(90, "正在生成PDF（1/1）")
        _check_refused(result)
        return result.pdf, result.pages

    expected = [len(grid.pages[s:s + PAGES_PER_CHUNK]) for s in starts]

    def parts_html(cover_pages: int, counts: list[int]) -> list[str]:
        total = cover_pages + sum(counts)
        firsts = [cover_pages + 1 + sum(counts[:k]) for k in range(len(counts))]
        return [html("last" if k == len(starts) - 1 else "table", grid.pages[s:s + PAGES_PER_CHUNK], firsts[k],
                     total, True) for k, s in enumerate(starts)]

    cover = render_chunks([html("cover", [], 1, 1 + sum(expected), True)], policy)
    if cover.pages != 1:  # a long summary: print the cover again with the true total
        cover = render_chunks([html("cover", [], 1, cover.pages + sum(expected), True)], policy)

    def on_chunk(done: int, count: int) -> None:
        if progress:
            progress(20 + int(70 * done / count), f"正在生成PDF（{done}/{count}）")

    parts = render_parts(parts_html(cover.pages, expected), policy, on_chunk)
    actual = [p.pages for p in parts]
    if actual != expected:
        # A part broke differently from the layout's count: number again from the real counts.
        log.warning("ledger part pages %s != expected %s; numbering again", actual, expected)
        cover = render_chunks([html("cover", [], 1, cover.pages + sum(actual), True)], policy)
        parts = render_parts(parts_html(cover.pages, actual), policy, on_chunk)
    from app.reports.pdf import merge_pdfs

    everything = [cover] + parts
    result = Rendered(merge_pdfs([r.pdf for r in everything]), sum(r.pages for r in everything),
                      [u for r in everything for u in r.refused], [u for r in everything for u in r.served])
    _check_refused(result)
    return result.pdf, result.pages


def render_parts(chunks: list[str], policy: FetchPolicy, on_chunk) -> list[Rendered]:
    """Render each chunk as its own document (in worker processes when configured)."""
    from app.reports.pdf import render_each

    return render_each(chunks, policy, workers=_workers(), progress=on_chunk)


def _meta_data(meta: ReportMeta) -> frozenset[str]:
    """The data: URLs the report's own header/footer use (the QR code)."""
    return frozenset({meta.qr}) if meta.qr else frozenset()


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


# ------------------------------------------------------------------------------------- Excel

def _title_lines(meta: ReportMeta) -> list[str]:
    return [meta.title, meta.subtitle, f"填报单位：{meta.organisation}    填报日期：{meta.issued_on}",
            f"报表编号：{meta.number}    校验码：{meta.code}    验证：{meta.verify_path}"]


def _footer_lines() -> list[str]:
    return ["", "    ".join(f"{s}：__________" for s in SIGNATURES) + "    （盖章）"]


def xlsx(kind: str, context: Any, meta: ReportMeta) -> bytes:
    """The workbook of a report: dates are date cells, hours exact numbers shown to one decimal,
    percentages numbers formatted as percent; every sheet carries the report number and an
    autofilter on its rows, and totals (below the filtered rows) are computed from exact values."""
    from app.reports import ledger, roster_stats, visits
    from app.reports.common import exact_hours
    from app.reports.excel import ExcelColumn as C, Sheet

    title = _title_lines(meta)
    if kind == "ledger":
        widths = (6, 12, 14, 18, 12, 24, 6, 60, 6, 10)
        total = ["", "合计", f"{len(context.rows)}次", "", "", "", context.total_count, "",
                 sum(len(r.photos) for r in context.rows), exact_hours(context.total_minutes)]
        sheets = [Sheet("活动台账", [C(h, w) for h, w in zip(ledger.COLUMNS, widths)],
                        list(ledger.table_rows(context)), title, _footer_lines(), [total])]
    elif kind == "visits":
        widths = (6, 14, 10, 12, 10, 8, 30, 24, 20, 16, 16, 24, 16, 16, 10, 8, 8)
        sheets = [Sheet("走访记录", [C(h, w) for h, w in zip(visits.COLUMNS, widths)],
                        list(visits.table_rows(context)), title, _footer_lines(), [visits.total_row(context)])]
    elif kind == "roster_stats":
        cols = [C("序号", 6), C(context.group_label, 16)] + [C(h, 9) for _, h in roster_stats.COLUMNS]
        rows = list(roster_stats.table_rows(context))
        sheets = [Sheet("花名册统计", cols, rows[:-1], title,
                        [f"数据核对：{'全部一致' if context.checks.ok else '存在不一致'}"] + _footer_lines(), rows[-1:])]
    elif kind == "roster":
        from app.reports import roster

        widths = (6, 10, 6, 6, 16, 24, 16, 10, 16)
        rows = [[v.label] + row for v in context.villages for row in v.rows]
        sheets = [Sheet("花名册", [C("村(社区)", 18)] + [C(h, w) for h, w in zip(roster.COLUMNS, widths)], rows, title,
                        _footer_lines(), [["合计", f"{context.total}人"]])]
    elif kind == "assessment":
        sheets = assessment_sheets(context, meta)
    elif kind == "home_assessment":
        from app.homes.report import sheets as home_sheets

        sheets = home_sheets(context, title, _footer_lines())
    elif kind == "bulletin":
        base = site_base()
        rows = [[section, label, value, base + link if link else ""] for section, label, value, link in context.rows()]
        sheets = [Sheet("进展通报", [C("责任", 30), C("项目", 44), C("数量", 10), C("名单（网页）", 60)], rows, title,
                        [context.paragraph] + _footer_lines())]
    else:
        raise ValueError(f"no Excel version of {kind}")
    return excel.build_workbook(sheets, title=meta.title)


def assessment_sheets(a, meta: ReportMeta):
    from app.reports.common import exact_hours
    from app.reports.excel import ExcelColumn as C, Percent, Sheet

    n = [C("项目", 28), C("人数", 10)]
    t = _title_lines(meta)
    roster = [[r["band"], r["total"], r["male"], r["female"], r["left_behind"], r["difficulty"], r["orphan"],
               r["priority"]] for r in a.roster]
    events = [[r["kind"], r["sessions"], r["children"], r["volunteers"]] for r in a.events]
    vols = [[r["kind"], r["approved"], r["active"], r["logs"], exact_hours(r["minutes"])] for r in a.volunteers]
    return [
        Sheet("在册儿童", [C("年龄段", 12), C("儿童总数", 10), C("男", 8), C("女", 8), C("留守儿童", 10),
                           C("困境儿童", 10), C("孤儿", 8), C("重点对象", 10)], roster[:-1], t, total_rows=roster[-1:]),
        Sheet("重点对象", [C("类别", 30), C("人数", 10), C("有效监护", 12), C("有结对关爱人", 14)],
              [[r["label"], r["count"], r["effective"], r["covered"]] for r in a.priority], t),
        Sheet("覆盖情况", n, [["在册儿童", a.coverage["children"]], ["有效监护的儿童", a.coverage["effective"]],
                               ["有效监护率", Percent(_pct_value(a.coverage["effective"], a.coverage["children"]))],
                               ["重点对象中有效监护", a.coverage["priority_effective"]],
                               ["重点对象有效监护率", Percent(_pct_value(a.coverage["priority_effective"],
                                                                      a.coverage["priority"]))],
                               ["有结对关爱人的儿童", a.coverage["with_carer"]],
                               ["结对覆盖率", Percent(_pct_value(a.coverage["with_carer"], a.coverage["children"]))],
                               ["重点对象", a.coverage["priority"]],
                               ["已覆盖重点对象", a.coverage["priority_covered"]],
                               ["重点对象覆盖率", Percent(_pct_value(a.coverage["priority_covered"],
                                                                    a.coverage["priority"]))]], t),
        Sheet("关爱频次", [C("要求", 28), C("应达结对数", 12), C("达标结对数", 12), C("达标率", 10)],
              [[r["label"], r["pairs"], r["done"], Percent(r["pct"])] for r in a.cadence], t),
        Sheet("学校活动", [C("活动类型", 30), C("场次", 8), C("儿童出席人次", 14), C("志愿者出席人次", 14)], events, t,
              total_rows=[["合计", a.events_total["sessions"], a.events_total["children"],
                           a.events_total["volunteers"]]]),
        Sheet("强制报告", [C("案件", 8), C("村", 12), C("状态", 10), C("报告公安（小时）", 14), C("确认（小时）", 12),
                           C("应急处置（天）", 12), C("评估帮扶（天）", 12), C("监护干预（天）", 12), C("结案（天）", 10)],
              [[r["number"], r["village"], r["status"], r["police_h"], r["ack_h"], r["emergency_d"],
                r["assessment_d"], r["intervention_d"], r["closed_d"]] for r in a.cases], t),
        Sheet("志愿服务", [C("志愿者类型", 16), C("在册志愿者", 12), C("有服务记录", 12), C("服务记录条数", 12),
                           C("服务时长（小时）", 14)], vols, t, footer_lines=_footer_lines(),
              total_rows=[["合计", a.volunteers_total["approved"], "", a.volunteers_total["logs"],
                           exact_hours(a.volunteers_total["minutes"])]]),
        Sheet("数据核对", [C("核对项", 50), C("合计", 10), C("分项之和", 10), C("结果", 10)],
              [[c.name, c.total, c.parts, "一致" if c.ok else "不一致"] for c in a.checks.items], t),
    ]


def _pct_value(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


def site_base() -> str:
    """The site's absolute address (links printed on the bulletin lead to the web lists)."""
    from app.reports.service import site_url

    return site_url().rstrip("/")
