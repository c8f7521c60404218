"""CSRF on every form, security headers, error pages, locale and dates."""
from datetime import date, datetime, timezone

from app.core.web import format_date


def test_post_without_csrf_token_is_refused(client, world):
    response = client.post("/login", data={"username": "coord_a", "password": "secret-pass-1"})
    assert response.status_code == 400
    assert "表单安全校验失败" in response.get_data(as_text=True)


def test_security_headers(client, world):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_inline_script_in_pages(browser, world):
    browser.login("coord_a")
    for path in ("/", "/children/", "/login"):
        html = browser.get(path).get_data(as_text=True)
        assert "<script>" not in html and "onclick=" not in html and "style=" not in html


def test_404_page_is_chinese_with_request_id(client, world):
    response = client.get("/no/such/page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and "页面不存在" in html
    assert response.headers["X-Request-Id"] in html


def test_500_shows_no_traceback(app, client, world):
    from app.core.permissions import PUBLIC, policy

    @app.route("/boom")
    @policy(PUBLIC)
    def boom():
        raise RuntimeError("secret internals")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and "服务器出错" in html
    assert "secret internals" not in html and "Traceback" not in html


def test_view_without_policy_is_refused(app, client, world):
    @app.route("/forgotten")
    def forgotten():
        return "leak"

    response = client.get("/forgotten")
    assert response.status_code == 403 and "leak" not in response.get_data(as_text=True)


def test_english_can_be_chosen(browser, world):
    token = browser.token()
    browser.client.post("/language", data={"locale": "en", "csrf_token": token, "next": "/login"})
    html = browser.get("/login").get_data(as_text=True)
    assert 'lang="en"' in html and "Log in" in html


def test_chinese_date_format(app):
    with app.test_request_context():
        assert format_date(date(2026, 11, 22)) == "2026年11月22日"
        # 2026-11-22 20:00 UTC is already the 23rd in China
        assert format_date(datetime(2026, 11, 22, 20, 0, tzinfo=timezone.utc)) == "2026年11月23日"
