"""On a phone, a refused form shows what to fix where the person is looking: the error summary
at the top is scrolled into view and focused, its links lead to the fields, and what was typed
(passwords included) is still there."""
from __future__ import annotations


def test_refused_sign_up_shows_the_summary_in_view_and_keeps_what_was_typed(phone, live_server):
    phone.go("/volunteers/register")
    phone.page.check("input[name=kind][value=loving_mother]")
    phone.page.fill("#name", "张爱华")
    phone.page.fill("#id_number", "52262619750412")  # too short
    phone.page.fill("#phone", "13900001111")
    phone.page.fill("#password", "1234567890")  # a common password
    phone.page.fill("#password2", "1234567890")
    phone.page.check("input[name=accept_conduct]")
    assert phone.js("() => document.querySelector('#id_number').inputMode") == "numeric"
    assert phone.js("() => document.querySelector('#phone').inputMode") == "tel"
    phone.page.click("button[type=submit]")
    phone.page.wait_for_load_state()
    summary = phone.page.locator("#error-summary")
    assert summary.is_visible()
    assert phone.js("() => document.activeElement && document.activeElement.id") == "error-summary"
    box = phone.js("() => { const r = document.getElementById('error-summary').getBoundingClientRect();"
                   " return [r.top, window.innerHeight]; }")
    assert 0 <= box[0] < box[1]  # in the viewport
    text = summary.inner_text()
    for words in ("请选择组织", "请选择居住的村（社区）", "身份证号应为18位，您填了14位", "这个密码太常见"):
        assert words in text, text
    assert phone.page.input_value("#name") == "张爱华" and phone.page.input_value("#password") == "1234567890"
    phone.page.click("#error-summary a[href='#division_id']")
    assert phone.js("() => location.hash") == "#division_id"
    assert phone.problems == []
