"""The installable app: manifest, icons, the Workbox service worker served by the app, the
offline and outbox pages, and the pages it caches holding no identity numbers."""
import json
import re

from PIL import Image

from app.config import BASE_DIR

STATIC = BASE_DIR / "static"


def test_the_service_worker_is_served_by_the_app_with_workbox_vendored(client, browser, world):
    for logged_in in (False, True):
        if logged_in:
            browser.login("vol_a")
        response = client.get("/sw.js")
        assert response.status_code == 200 and response.mimetype == "text/javascript"
        assert response.headers["Service-Worker-Allowed"] == "/"
        assert response.headers["Cache-Control"] == "no-cache"
    text = response.get_data(as_text=True)
    assert 'importScripts("/static/vendor/workbox-7.4.1/workbox-sw.js")' in text
    assert 'modulePathPrefix: "/static/vendor/workbox-7.4.1/", debug: false' in text
    assert "https://" not in text and "http://" not in text  # no CDN
    for module in re.findall(r"workbox\.(\w+)\.", text):
        if module in ("core", "routing", "strategies", "precaching", "expiration"):
            name = f"workbox-{module}.prod.js"
            assert client.get(f"/static/vendor/workbox-7.4.1/{name}").status_code == 200, name
    precache = json.loads(re.search(r"precacheAndRoute\((\[.*?\])\)", text).group(1))
    urls = {entry["url"] for entry in precache}
    assert {"/offline", "/static/css/app.css", "/static/js/outbox.js", "/static/js/pwa.js",
            "/static/manifest.webmanifest", "/static/icons/maskable-512.png"} <= urls
    assert all(len(entry["revision"]) == 16 for entry in precache)
    for url in urls - {"/offline"}:
        assert client.get(url).status_code == 200, url


def test_the_manifest_and_icons(client):
    response = client.get("/static/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert manifest["name"] == "相伴" and manifest["lang"] == "zh-CN" and manifest["display"] == "standalone"
    purposes = set()
    for icon in manifest["icons"]:
        with Image.open(STATIC / icon["src"].removeprefix("/static/")) as img:
            assert f"{img.width}x{img.height}" == icon["sizes"] and img.format == "PNG"
        purposes.add(icon["purpose"])
    assert {"192x192", "512x512"} <= {i["sizes"] for i in manifest["icons"]} and purposes == {"any", "maskable"}


def test_pages_link_the_manifest_and_the_scripts_without_inline_code(browser, world):
    html = browser.get("/login").get_data(as_text=True)
    assert 'rel="manifest"' in html and "js/pwa.js" in html and "js/outbox.js" in html
    assert 'name="xb-user"' not in html and 'id="outbox-bar"' in html
    browser.login("vol_a")
    html = browser.get("/activities/today").get_data(as_text=True)
    assert f'<meta name="xb-user" content="{world.a.users["volunteer"].id}">' in html
    assert "<script>" not in html and "style=" not in html
    form = browser.get(f"/activities/children/{world.a.child.id}/visits/new").get_data(as_text=True)
    assert "data-outbox" in form and "js/pwa-form.js" in form and 'data-return="/activities/today"' in form


def test_the_offline_page_is_public_and_personal_data_free(client, browser, world):
    assert client.get("/offline").status_code == 200
    browser.login("vol_a")
    html = client.get("/offline").get_data(as_text=True)
    assert "现在没有网络" in html and "vol_a" not in html and "csrf" not in html and "xb-user" not in html


def test_the_outbox_page_needs_a_login(client, browser, world):
    assert client.get("/outbox").status_code == 302
    browser.login("vol_a")
    html = browser.get("/outbox?leaving=1").get_data(as_text=True)
    assert 'id="outbox-list"' in html and 'id="leaving"' in html and "保留在手机上，退出登录" in html


def test_the_pages_a_phone_keeps_offline_show_no_identity_numbers(browser, world):
    """The service worker caches 今日待办, a child's history, the log forms and the outbox only."""
    sw = browser.get("/sw.js").get_data(as_text=True)
    cached = re.findall(r"/\^(.*?)\$/", sw)
    assert cached and not any("api" in pattern or pattern.startswith(r"\/children") for pattern in cached)
    browser.login("vol_a")
    child = world.a.child
    for path in ("/activities/today", f"/activities/children/{child.id}", f"/activities/children/{child.id}/talks/new",
                 f"/activities/children/{child.id}/visits/new", f"/activities/children/{child.id}/holidays/new",
                 "/outbox"):
        html = browser.get(path).get_data(as_text=True)
        assert child.id_number not in html and child.id_number[-4:] + "<" not in html, path
        assert not re.search(r"\d{6}\*{4,}\d{3}[\dX]|\d{17}[\dX]", html), path
