"""From a report's plain-data context to PDF (templates under ``templates/reports/pdf``) and to
Excel (each kind's writer in :mod:`app.reports.sheets`). What a kind needs is read from its
:class:`~app.reports.kind.Kind`; this module knows no kind by name."""
from __future__ import annotations

import base64
import logging
import os
from dataclasses import asdict
from typing import Any, Callable

from flask import current_app
from markupsafe import Markup

from app.reports import excel, textgrid
from app.reports.common import ReportMeta, duration_text
from app.reports.kind import Kind
from app.reports.ledger import grid_cells
from app.reports.pdf import FetchPolicy, Rendered, merge_pdfs, render_chunks, render_each
from app.reports.storage import reports_root
from app.reports.textgrid import Column
from app.reports.thumbs import PRINT_SIDE, thumbnail_url, thumbs_dir

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
    return FetchPolicy(static_dir=current_app.static_folder, thumbs_dir=str(thumbs_dir(str(reports_root()))))


def _workers() -> int:
    configured = current_app.config.get("REPORTS_PDF_WORKERS")
    if configured:
        return int(configured)
    return max(1, min(2, os.cpu_count() or 1))


def pdf(kind: Kind, context: Any, meta: ReportMeta, *, progress: Callable[[int, str], None] | None = None
        ) -> tuple[bytes, int]:
    """(PDF bytes, page count) of a report: the kind's own renderer, else its template."""
    return (kind.pdf or html_pdf)(kind, context, meta, progress)


def html_pdf(kind: Kind, context: Any, meta: ReportMeta, progress=None) -> tuple[bytes, int]:
    """The kind's template rendered as one document (with the kind's extra template variables)."""
    extra = kind.pdf_context() if kind.pdf_context else {}
    html = _template(kind.template, meta=meta, r=context, **extra)
    policy = FetchPolicy(**{**asdict(_policy()), "allowed_data": _meta_data(meta)})
    result = render_chunks([html], policy)
    _check_refused(result)
    return result.pdf, result.pages


def xlsx(kind: Kind, context: Any, meta: ReportMeta) -> bytes:
    """The workbook of a report, from the kind's Excel writer."""
    return excel.build_workbook(kind.excel(context, meta), title=meta.title)


def _check_refused(result: Rendered) -> None:
    if result.refused:
        log.warning("report rendering refused %d URL(s): %s", len(result.refused), result.refused[:5])


def print_photo_url(filename: str) -> str | None:
    """A visit photo's print thumbnail (≥ 150 ppi at its printed size), or None when missing."""
    return thumbnail_url(current_app.config["UPLOAD_DIR"], str(reports_root()), filename, PRINT_SIDE)


def _thumb_url(filename: str) -> str | None:
    return thumbnail_url(current_app.config["UPLOAD_DIR"], str(reports_root()), filename)


def ledger_grid(ledger) -> textgrid.Grid:
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


def ledger_pdf(kind: Kind, ledger, meta: ReportMeta, progress=None) -> tuple[bytes, int]:
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
        return _template(kind.template, meta=meta, r=ledger, grid=grid, rules=rules, pages=pages,
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
    everything = [cover] + parts
    result = Rendered(merge_pdfs([r.pdf for r in everything]), sum(r.pages for r in everything),
                      [u for r in everything for u in r.refused], [u for r in everything for u in r.served])
    _check_refused(result)
    return result.pdf, result.pages


def render_parts(chunks: list[str], policy: FetchPolicy, on_chunk) -> list[Rendered]:
    """Render each chunk as its own document (in worker processes when configured)."""
    return render_each(chunks, policy, workers=_workers(), progress=on_chunk)


def _meta_data(meta: ReportMeta) -> frozenset[str]:
    """The data: URLs the report's own header/footer use (the QR code)."""
    return frozenset({meta.qr}) if meta.qr else frozenset()


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
