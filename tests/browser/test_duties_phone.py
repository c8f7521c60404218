"""On a 390-px phone a village director sees the children lacking a 委托监护责任确认书 on her home
page, follows the line, records one with a photo of the signed paper after a mistake (what she
typed stays), and the child's page and the signing rate show it; nothing is wider than the screen."""
from __future__ import annotations

import io

import sqlalchemy as sa
from PIL import Image

from app.protection.models import GuardianshipAgreement


def _no_horizontal_scroll(device) -> None:
    assert device.js("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), \
        device.js("() => [document.documentElement.scrollWidth, window.innerWidth]")


def test_director_records_a_confirmation_from_her_home_page(phone, live_server, tmp_path):
    page = phone.page
    phone.login("director_a")
    phone.go("/")
    line = page.locator("a", has_text="未签订委托监护责任确认书的儿童")
    assert "2" in line.inner_text()  # region A's paired child and pupil: both parents away
    _no_horizontal_scroll(phone)
    line.click()
    page.wait_for_load_state()
    assert "/duties/agreements" in page.url and "0.0%" in page.inner_text("main")
    _no_horizontal_scroll(phone)

    page.locator("a", has_text="登记确认书").first.click()
    page.wait_for_load_state()
    _no_horizontal_scroll(phone)
    assert page.input_value("#guardian_name") == "王奶奶"  # from the child's record
    page.fill("#parent_names", "王大山、李小花")
    page.fill("#valid_until", "2020-01-01")  # before the signing: only the server can tell
    page.fill("#note", "在村委会当面签订")
    page.click("button.btn-primary")
    page.wait_for_load_state()
    summary = page.inner_text("#error-summary")
    assert "有效期至不能早于签订日期" in summary
    assert page.input_value("#parent_names") == "王大山、李小花" and page.input_value("#note") == "在村委会当面签订"

    photo = tmp_path / "signed.png"
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())
    page.fill("#valid_until", "")
    page.set_input_files("#scan", str(photo))
    page.click("button.btn-primary")
    page.wait_for_load_state()
    assert "#agreement" in page.url or "/children/" in page.url
    panel = page.inner_text("#agreement")
    assert "已签订" in panel and "王奶奶（祖母）" in panel and "下载确认书扫描件" in panel
    _no_horizontal_scroll(phone)
    [(scan, names)] = live_server.query(sa.select(GuardianshipAgreement.scan, GuardianshipAgreement.parent_names))
    assert scan and names == "王大山、李小花"

    phone.go("/duties/agreements")
    assert "50.0%" in page.inner_text("#signing-rate")
    assert phone.problems == []
