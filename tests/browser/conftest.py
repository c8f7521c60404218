"""Browser tests: headless Chromium (Debian's ``chromium``, driven by Playwright) on a phone-sized
screen against a live server on a free loopback port, with a migrated SQLite file of test data.

Where Chromium is missing the tests are skipped with a message — except with ``CI=true``,
where they fail (``make system-deps`` installs it).
"""
from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.conftest import IN_CI

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}


@dataclass
class LiveServer:
    url: str
    app: object
    ids: dict  # child_a, child_b, pupil_a, volunteer_a (user id)

    def query(self, stmt):
        """Run ``stmt`` against the server's database (a fresh session: sees every commit)."""
        with self.app.app_context():
            try:
                return db.session.execute(stmt).all()
            finally:
                db.session.remove()

    def count(self, model, *where) -> int:
        return self.query(sa.select(sa.func.count()).select_from(model).where(*where))[0][0]


@pytest.fixture
def live_server(sqlite_template, tmp_path):
    """The app served over HTTP from a thread, on a copy of the migrated database with the test
    world of tests/factories.py (region A's volunteer ``vol_a`` is paired with child A)."""
    from tests.factories import build_world

    path = tmp_path / "live.db"
    shutil.copy(sqlite_template, path)
    app = create_app({"PROFILE": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "UPLOAD_DIR": str(tmp_path / "uploads")})
    with app.app_context():
        world = build_world()
        ids = {"child_a": world.a.child.id, "child_b": world.b.child.id, "pupil_a": world.a.pupil.id,
               "volunteer_a": world.a.users["volunteer"].id}
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app, ids)
    server.shutdown()
    thread.join(5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (make system-deps) to run the browser tests"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Phone:
    """A phone-sized browser context that records CSP violations and script errors."""

    def __init__(self, context, base: str):
        self.context, self.base = context, base
        self.problems: list[str] = []
        self.page = context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.set_default_timeout(15_000)

    def _console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.problems.append(f"CSP: {text}")
        elif message.type == "error" and "Failed to load resource" not in text:
            self.problems.append(f"console error: {text}")

    def go(self, path: str):
        return self.page.goto(self.base + path)

    def login(self, username: str, password: str = "secret-pass-1") -> None:
        if "/login" not in self.page.url:
            self.go("/login")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()

    def js(self, script: str, arg=None):
        return self.page.evaluate(script, arg)

    def wait_until(self, script: str, arg=None, timeout: float = 15):
        """Wait until ``script`` (a function, which may return a promise) gives a truthy value."""
        deadline = time.monotonic() + timeout
        last = None
        while True:
            try:
                if self.js(script, arg):
                    return
            except PlaywrightError as exc:  # the page navigated while the script ran: try again
                last = exc
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {script} ({last})")
            self.page.wait_for_timeout(200)

    def wait_for_worker(self) -> None:
        """Wait until the service worker is active and controls the page. A page whose navigation
        was under way while the worker activated is not claimed: the next load is."""
        self.js("() => navigator.serviceWorker.ready.then(() => true)")
        if not self.js("() => !!navigator.serviceWorker.controller"):
            self.page.reload()
        self.wait_until("() => !!navigator.serviceWorker.controller")

    def cached(self, path: str) -> bool:
        return self.js("""path => caches.open('xiangban-pages')
            .then(c => c.match(path, {ignoreVary: true})).then(r => !!r)""", path)

    def outbox(self) -> list[dict]:
        """The outbox of the signed-in user as plain data (photos described, not copied)."""
        return self.js("""() => XB.outbox.list(XB.user() || XB.lastUser()).then(items => items.map(i => ({
            id: i.id, status: i.status, error: i.error, logId: i.logId, body: i.body,
            photos: (i.photos || []).map(p => ({type: p.blob.type, size: p.blob.size, done: p.done}))})))""")


@pytest.fixture
def phone(chromium, live_server):
    context = chromium.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                                   locale="zh-CN", timezone_id="Asia/Shanghai", service_workers="allow")
    device = Phone(context, live_server.url)
    yield device
    context.close()
