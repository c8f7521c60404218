"""A big ledger's parts: the fast row layout and row HTML write exactly what the plain versions
wrote, and a ledger rendered by worker processes started before its layout, fed part by part,
still numbers every page once with the true total."""
import pytest
from markupsafe import Markup

from app.reports import textgrid
from app.reports.textgrid import Column
from tests.reports.conftest import pdf_pages
from tests.reports.test_print import _big_ledger, _labels, _meta, _pages_text

COLUMNS = [Column("序号", 7, "right"), Column("日期", 10), Column("地点", 16), Column("人数", 6, "right"),
           Column("活动内容", 30), Column("时长", 12, "right")]


def _plain_row(columns, cells, min_lines=1):
    """format_row as first written: every cell wrapped and padded on every call."""
    wrapped = [textgrid.wrap_widths(cell, col.width - 2) for cell, col in zip(cells, columns)]
    height = max(min_lines, max(len(w) for w in wrapped))
    lines = []
    for k in range(height):
        parts = []
        for w, col in zip(wrapped, columns):
            text, used = w[k] if k < len(w) else ("", 0)
            if col.align == "right" and text:
                parts.append(" " * (col.width - 1 - used) + text + " ")
            else:
                parts.append(" " + text + " " * (col.width - 1 - used))
        lines.append("".join(parts).rstrip())
    return lines


def test_fast_row_layout_writes_what_the_plain_one_did():
    long = "孩子说想念在广东打工的妈妈，约好周末一起给妈妈打视频电话。" * 4
    rows = [
        [1, "7月1日", "鱼塘村·村委会", 2, "聊了学校的情况。", "45分"],
        [12345, "2025.12.30", "", 0, long, ""],
        [7, None, "a\tb", 3, "第一行\n第二行，很长很长很长很长很长很长很长很长很长很长很长很长", "1小时5分"],
        [8, "7月2日", "鱼塘村" * 9, 1234567, "，，，，，，，，，，，，，，，，，，，，", "x" * 40],
        ["", "", "", "", "", ""],
    ]
    for cells in rows:
        for min_lines in (1, 2, 5):
            assert textgrid.format_row(COLUMNS, cells, min_lines) == _plain_row(COLUMNS, cells, min_lines)
            assert textgrid.format_row(COLUMNS, cells, min_lines) == _plain_row(COLUMNS, cells, min_lines)  # cached


def test_row_html_matches_the_template_loop_and_escapes(app):
    from app.reports.render import rows_html

    rows = [([1, "7月1日", "<b>&\"'", 2, "内容 </div>", "1分"], ["https://x.invalid/_thumbs/a.jpg"] * 3),
            ([2, "7月2日", "村", 1, "无照片", ""], []),
            ([3, "7月3日", "村", 1, "一张", ""], ["https://x.invalid/_thumbs/b.jpg?&"])]
    grid = textgrid.layout(COLUMNS, rows, page_height_pt=400, image_column=4)
    loop = app.jinja_env.from_string(
        "{%- for row in page.rows %}<div class=\"lr{% if row.images %} hasimg{% endif %}\">\n"
        "{%- for src in row.images %}<img src=\"{{ src }}\" alt=\"\" style=\"left: "
        "{{ '%.1f'|format(grid.image_x(loop.index0)) }}pt\">{% endfor -%}\n"
        "{{ row.lines|join('\\n') }}</div>{% endfor %}")
    page = grid.pages[0]
    html = rows_html(grid, page)
    assert isinstance(html, Markup) and "<b>" not in html and "</div>\"" not in html
    assert str(html) == loop.render(grid=grid, page=page)


def test_ledger_rendered_by_early_workers_numbers_every_page_once(app, tmp_path, monkeypatch):
    """Two worker processes, started before the layout (the ledger is surely longer than a
    part), get the cover and each part as soon as it is written."""
    from app.reports import render
    from app.reports.registry import KINDS

    events = []
    started = render.RenderPool

    class Spy(started):
        def __init__(self, workers):
            events.append(("pool", workers))
            super().__init__(workers)

    layout = render.ledger_grid
    monkeypatch.setattr(render, "RenderPool", Spy)
    monkeypatch.setattr(render, "ledger_grid", lambda ledger: events.append(("layout",)) or layout(ledger))
    monkeypatch.setattr(render, "PAGES_PER_CHUNK", 2)
    app.config["REPORTS_PDF_WORKERS"] = 2
    built = _big_ledger(n_rows=230, n_kinds=3)
    assert len(built.rows) > render.ledger_parts_rows()
    data, pages = render.pdf(KINDS["ledger"], built, _meta())
    assert events[:2] == [("pool", 2), ("layout",)]
    texts = _pages_text(data, tmp_path)
    assert pages == pdf_pages(data) == len(texts) and pages > 6
    assert _labels(texts) == [(n, pages) for n in range(1, pages + 1)]
    assert "盖章处" in texts[-1] and "230" in texts[-1]
    assert not any("盖章处" in t for t in texts[:-1])


def test_a_ledger_not_foreseen_as_big_starts_its_workers_after_the_layout(app, tmp_path, monkeypatch):
    from app.reports import render
    from app.reports.registry import KINDS

    monkeypatch.setattr(render, "PAGES_PER_CHUNK", 3)
    built = _big_ledger(n_rows=100, n_kinds=3)
    assert len(built.rows) <= render.ledger_parts_rows()
    data, pages = render.pdf(KINDS["ledger"], built, _meta())
    texts = _pages_text(data, tmp_path)
    assert pages == len(texts) > 3
    assert _labels(texts) == [(n, pages) for n in range(1, pages + 1)]


def test_font_width_table_is_kept_and_read_back(tmp_path, monkeypatch):
    monkeypatch.setitem(textgrid._widths_folder, "path", tmp_path)
    textgrid._font_widths.cache_clear()
    try:
        first = textgrid._font_widths()
        if first is None:
            pytest.skip("the monospaced CJK font is not installed")
        assert (tmp_path / textgrid.WIDTHS_FILE).exists()
        textgrid._font_widths.cache_clear()
        monkeypatch.setattr(textgrid, "_read_widths", lambda *args: pytest.fail("the font was read again"))
        assert textgrid._font_widths() == first and first[ord("中")] == 2 and first[ord("a")] == 1
    finally:
        textgrid._font_widths.cache_clear()


def test_reports_render_without_pages(tmp_path, monkeypatch):
    """The report worker and ``flask reports render`` build the app without any feature's pages
    (faster to start): a chunked ledger still renders there, numbered and signed."""
    from app import create_app
    from app.reports import jobs, render, worker
    from app.reports.cli import reports_cli
    from app.reports.registry import KINDS

    assert reports_cli.commands["render"].routeless and reports_cli.commands["worker"].routeless
    built = {}
    monkeypatch.setattr(worker, "has_app_context", lambda: False)
    monkeypatch.setattr(worker, "create_app", lambda **kw: built.update(kw) or create_app(
        {"PROFILE": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"}, **kw))
    monkeypatch.setattr(jobs, "run_job", lambda job_id: built.update(job=job_id))
    worker.run_job(7)
    assert built == {"routes": False, "job": 7}

    bare = create_app({"PROFILE": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                       "REPORTS_DIR": str(tmp_path / "reports"), "REPORTS_PDF_WORKERS": 1}, routes=False)
    assert "reports.index" not in bare.view_functions
    monkeypatch.setattr(render, "PAGES_PER_CHUNK", 3)
    with bare.app_context():
        data, pages = render.pdf(KINDS["ledger"], _big_ledger(n_rows=150, n_kinds=3), _meta())
    texts = _pages_text(data, tmp_path)
    assert _labels(texts) == [(n, pages) for n in range(1, pages + 1)] and pages > 3
    assert "盖章处" in texts[-1]
