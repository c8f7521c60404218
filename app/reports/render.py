"""From a report's plain-data context to PDF (templates under ``templates/reports/pdf``) and to
Excel (each kind's writer in :mod:`app.reports.sheets`). What a kind needs is read from its
:class:`~app.reports.kind.Kind`; this module knows no kind by name."""
from __future__ import annotations

import base64
import logging
import os
from contextlib import ExitStack
from dataclasses import asdict
from functools import partial
from typing import Any, Callable

from flask import current_app
from markupsafe import Markup, escape

from app.reports import excel, textgrid
from app.reports.common import ReportMeta, duration_text
from app.reports.kind import Kind
from app.reports.ledger import grid_cells
from app.reports.pdf import FetchPolicy, Rendered, RenderPool, merge_pdfs, render_chunks
from app.reports.storage import reports_root
from app.reports.textgrid import Column
from app.reports.thumbs import PRINT_SIDE, thumbnail_url, thumbs_dir

log = logging.getLogger(__name__)
PAGES_PER_CHUNK = 40  # bounds each renderer process's memory (~200 MB)
LANDSCAPE_BODY_PT = (210 - 16 - 18) * textgrid.PT_PER_MM  # A4 landscape minus the @page margins
LEDGER_LINE_PT = 10.5
LEDGER_COLUMNS = [Column("序号", 7, "right"), Column("日期", 10), Column("活动类型", 18), Column("地点", 16),
                  Column("组织者", 10), Column("参与人", 26), Column("人数", 6, "right"), Column("活动内容", 79),
                  Column("照片", 22), Column("志愿服务时长", 12, "right")]
#: the signature block after the last rows of a ledger (fixed height, see ledger.html); the
#: layout keeps room for it on the last page so it is never alone on a page of its own
LEDGER_SIGN_MM = 30


def ledger_parts_rows() -> int:
    """A ledger with more rows than this has more table pages than one part whatever its layout
    (a row takes at least a line and its rule): its renderers can start before the layout."""
    return PAGES_PER_CHUNK * int(LANDSCAPE_BODY_PT // (LEDGER_LINE_PT + 0.5))


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


def pdf(kind: Kind, context: Any, meta: ReportMeta, *, progress: Callable[[int, str], None] | None = None,
        pool: RenderPool | None = None) -> tuple[bytes, int]:
    """(PDF bytes, page count) of a report: the kind's own renderer, else its template.
    ``pool``: renderer processes started beforehand (see :func:`early_pool`)."""
    return (kind.pdf or html_pdf)(kind, context, meta, progress, pool)


def early_pool(kind: Kind, rows: Callable[[], int]) -> RenderPool | None:
    """Renderer processes started now, before the report's data is gathered, when ``rows()`` (a
    lower bound of its size) says its PDF will surely be rendered in parts; else None. The
    caller stops them (``with``)."""
    if kind.early_render is None or _workers() < 2 or rows() <= kind.early_render():
        return None
    return RenderPool(_workers())


def html_pdf(kind: Kind, context: Any, meta: ReportMeta, progress=None, pool=None) -> tuple[bytes, int]:
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


def ledger_grid(ledger) -> textgrid.Grid:
    textgrid.keep_widths_in(reports_root())
    rows = []
    period = getattr(ledger, "period_obj", None)
    thumb = partial(thumbnail_url, current_app.config["UPLOAD_DIR"], str(reports_root()))
    for i, r in enumerate(ledger.rows, start=1):
        urls = [u for u in map(thumb, r.photos[:3]) if u] if r.photos else []
        rows.append((grid_cells(i, r, period), urls))
    columns = LEDGER_COLUMNS
    if period is not None and period.start.year != period.end.year:
        # dates carry their year (2025.12.30): the date column takes 2 half-widths from the content
        columns = [Column(c.label, c.width + {"日期": 2, "活动内容": -2}.get(c.label, 0), c.align) for c in columns]
    return textgrid.layout(columns, rows, page_height_pt=LANDSCAPE_BODY_PT - 2, line_pt=LEDGER_LINE_PT,
                           image_column=8, last_page_reserve_pt=LEDGER_SIGN_MM * textgrid.PT_PER_MM + 2)


def ledger_pdf(kind: Kind, ledger, meta: ReportMeta, progress=None, pool: RenderPool | None = None
               ) -> tuple[bytes, int]:
    """The ledger: a cover (summary and checks), then the table pages, then the signatures.

    A small ledger is one document numbered by WeasyPrint itself. A big one is rendered in
    parts of ``PAGES_PER_CHUNK`` table pages, whose count the layout knows in advance, after
    the cover; each part is told its first page number and the true total. The cover's length
    depends on the summary: a summary of a few activity types fits one page and the cover is
    rendered with the parts; a longer one is rendered alone first. Every document's page count
    is checked, and should one differ the numbers are recomputed from the real counts and
    everything rendered again — so the labels are consecutive and name the true total.

    The renderer processes of a ledger that is surely big start before its layout (or earlier:
    ``pool``), and each document goes to them as soon as its HTML is written.
    """
    with ExitStack() as stack:
        if pool is None and len(ledger.rows) > ledger_parts_rows():
            pool = stack.enter_context(RenderPool(_workers()))
        grid = ledger_grid(ledger)
        rules = "data:image/svg+xml;base64," + _b64(textgrid.rules_svg(grid))
        policy = FetchPolicy(**{**asdict(_policy()), "allowed_data": frozenset({rules} | _meta_data(meta))})
        doc = _LedgerDoc(kind, ledger, meta, rules)
        if len(grid.pages) <= PAGES_PER_CHUNK:
            result = render_chunks([doc.html(grid, "all", grid.pages, 1, 0, chunked=False)], policy)
            if progress:
                progress(90, "正在生成PDF（1/1）")
            _check_refused(result)
            return result.pdf, result.pages
        pool = pool or stack.enter_context(RenderPool(_workers()))
        expected = [len(grid.pages[s:s + PAGES_PER_CHUNK]) for s in range(0, len(grid.pages), PAGES_PER_CHUNK)]
        cover_pages = 1 if len(ledger.summary) <= ONE_PAGE_COVER_KINDS else pool.render(
            doc.html(grid, "cover", [], 1, 1 + sum(expected)), policy).pages
        for html in doc.documents(grid, cover_pages, expected):
            pool.submit(html, policy)
        del grid  # the measured cells of every row, idle while the workers render: they need only the HTML
        return _ledger_parts(pool, doc, policy, [cover_pages] + expected, progress)


def _ledger_parts(pool: RenderPool, doc: _LedgerDoc, policy: FetchPolicy, expected: list[int], progress
                  ) -> tuple[bytes, int]:
    """The submitted cover and parts, checked against their ``expected`` page counts and merged."""
    def on_chunk(done: int, count: int) -> None:
        if progress:
            progress(20 + int(70 * done / count), f"正在生成PDF（{done}/{count}）")

    rendered = pool.results(on_chunk)
    actual = [r.pages for r in rendered]
    if actual != expected:
        # A document broke differently from the count: number again from the real counts.
        log.warning("ledger document pages %s != expected %s; numbering again", actual, expected)
        for html in doc.documents(ledger_grid(doc.ledger), actual[0], actual[1:]):
            pool.submit(html, policy)
        rendered = pool.results(on_chunk)
    pool.close()  # before merging: the merge is the app process's own peak
    result = Rendered(merge_pdfs([r.pdf for r in rendered]), sum(r.pages for r in rendered),
                      [u for r in rendered for u in r.refused], [u for r in rendered for u in r.served])
    _check_refused(result)
    return result.pdf, result.pages


#: a ledger's summary of at most this many activity types keeps its cover to one page (the
#: count is checked once rendered; a longer summary's cover is rendered alone first)
ONE_PAGE_COVER_KINDS = 12


class _LedgerDoc:
    """The HTML documents of a ledger rendered in parts: the cover, then the table parts."""

    def __init__(self, kind: Kind, ledger, meta: ReportMeta, rules: str):
        self.kind, self.ledger, self.meta, self.rules = kind, ledger, meta, rules

    def html(self, grid, part: str, pages: list, first_page: int, total: int, chunked: bool = True) -> str:
        return _template(self.kind.template, meta=self.meta, r=self.ledger, grid=grid, rules=self.rules, pages=pages,
                         cover=part in ("cover", "all"), last=part in ("last", "all"), first_page=first_page,
                         total_pages=total, chunked=chunked, rows_html=rows_html)

    def documents(self, grid, cover_pages: int, counts: list[int]):
        """The cover and the table parts, numbered for a cover of ``cover_pages`` pages and parts
        of ``counts`` pages, each written when asked for."""
        total = cover_pages + sum(counts)
        yield self.html(grid, "cover", [], 1, total)
        first = cover_pages + 1
        for k, count in enumerate(counts):
            pages = grid.pages[k * PAGES_PER_CHUNK:(k + 1) * PAGES_PER_CHUNK]
            yield self.html(grid, "last" if k == len(counts) - 1 else "table", pages, first, total)
            first += count


def rows_html(grid: textgrid.Grid, page: textgrid.GridPage) -> Markup:
    """The rows of one table page as HTML: a row's thumbnails, then its text lines. Written here
    rather than by a template loop, which took about a second for a county quarter's 40,000 rows."""
    xs = [f"{grid.image_x(k):.1f}" for k in range(max((len(r.images) for r in page.rows), default=0))]
    out = []
    for row in page.rows:
        images = "".join(f'<img src="{escape(src)}" alt="" style="left: {x}pt">' for src, x in zip(row.images, xs))
        out.append(f'<div class="lr{" hasimg" if row.images else ""}">{images}{escape(NEWLINE.join(row.lines))}</div>')
    return Markup("".join(out))  # nosec B704 - every text and URL above is escaped


NEWLINE = "\n"


def _meta_data(meta: ReportMeta) -> frozenset[str]:
    """The data: URLs the report's own header/footer use (the QR code)."""
    return frozenset({meta.qr}) if meta.qr else frozenset()


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
