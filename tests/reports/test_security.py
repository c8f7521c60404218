"""Escaping and the locked-down fetcher: stored markup prints as text; nothing outside the app's
static files (and the report's own thumbnails) is ever fetched — checked with a loopback canary."""
import http.server
import threading

import pytest

from app.core.dates import today_cn
from tests.reports.conftest import add_activity, issue, pdf_text


@pytest.fixture
def canary():
    """An HTTP server on 127.0.0.1 that records every request it receives."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def _payloads(base):
    return [f'<script>alert(1)</script><img src="{base}/img.png" onerror="alert(2)">',
            f'<link rel="stylesheet" href="{base}/x.css"><link href="file:///etc/passwd">',
            f'</style><style>@import url({base}/imp.css);</style>"\'']


def test_markup_in_records_prints_as_text_and_fetches_nothing(world, app, db, canary, tmp_path, monkeypatch):
    from app.reports import pdf as pdfmod

    base, hits = canary
    seen = []
    original = pdfmod._make_fetcher

    def spy(policy):
        fetcher = original(policy)
        seen.append(fetcher)
        return fetcher

    monkeypatch.setattr(pdfmod, "_make_fetcher", spy)
    evil = "".join(_payloads(base))
    world.a.child.name = "王<b>小</b>明"
    world.a.child.current_address = evil
    world.a.child.guardian_name = f'<img src="{base}/g.png">'
    db.session.commit()
    add_activity(world, app, content=evil)
    d = today_cn()
    quarter = f"{d.year}-Q{(d.month - 1) // 3 + 1}"
    coordinator = world.user("coordinator")
    texts = []
    for kind, params in (("child_file", {"child_id": world.a.child.id}),
                         ("ledger", {"division_id": world.a.county.id, "period": quarter}),
                         ("visits", {"division_id": world.a.village.id, "period": quarter})):
        row, data = issue(kind, coordinator, **params)
        texts.append(pdf_text(data, tmp_path))
    joined = "".join(t.replace("\n", "").replace(" ", "") for t in texts)
    assert "<script>alert(1)</script>" in joined  # shown as text, not run or dropped
    assert "file:///etc/passwd" in joined
    assert "王<b>小</b>明" in joined
    assert hits == []  # the canary received nothing
    assert seen and all(f.refused == [] for f in seen)  # nothing even tried to load them
    served = [u for f in seen for u in f.served]
    assert served and all(u.startswith("https://xiangban.invalid/static/") or "/_thumbs/" in u or u == "data:"
                          for u in served)


def test_fetcher_refuses_everything_but_static_files(app, canary, tmp_path):
    from app.reports.pdf import FetchPolicy, _make_fetcher

    base, hits = canary
    fetcher = _make_fetcher(FetchPolicy(static_dir=app.static_folder, thumbs_dir=str(tmp_path)))
    assert fetcher.fetch("https://xiangban.invalid/static/css/print.css").read().startswith(b"/*")
    for url in ("file:///etc/passwd", f"{base}/x.css", "https://example.org/x.css",
                "https://xiangban.invalid/static/../../app/config.py",
                "https://xiangban.invalid/static/%2e%2e/%2e%2e/app/config.py",
                "https://xiangban.invalid/_thumbs/../../etc/passwd",
                "https://xiangban.invalid/app/config.py",
                "data:text/html;base64,PHNjcmlwdD4=", "data:image/png;base64,iVBORw0KGgo="):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 9
    assert hits == []


def test_html_with_outside_references_renders_without_fetching(app, canary):
    """Even raw HTML that points outside (never produced by the templates) loads nothing."""
    from app.reports.pdf import FetchPolicy, render_html

    base, hits = canary
    html = (f'<link rel="stylesheet" href="{base}/a.css"><link rel="stylesheet" href="file:///etc/passwd">'
            f'<style>@import url("{base}/b.css");</style><img src="{base}/c.png"><img src="file:///etc/hostname">'
            '<p>正文</p>')
    result = render_html(html, FetchPolicy(static_dir=app.static_folder))
    assert result.pages == 1 and hits == []
    assert len(result.refused) >= 4
