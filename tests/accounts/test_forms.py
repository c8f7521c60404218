"""Forms people trip on: no silent defaults, an error summary naming and linking the fields,
typed values kept (passwords too), numeric keyboards, screening that keeps what was typed, and a
paper-signed code of conduct recorded by a coordinator."""
from __future__ import annotations

import io
import re
from datetime import date

import sqlalchemy as sa
from PIL import Image

from app.core.audit import AuditEntry
from app.volunteers.models import Volunteer
from tests.volunteers.test_volunteers import registration


def _select(html: str, name: str) -> str:
    return re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)


def test_sign_up_preselects_no_organisation_and_no_village(browser, world):
    html = browser.get("/volunteers/register").get_data(as_text=True)
    for name in ("organisation_id", "division_id"):
        select = _select(html, name)
        assert re.search(r'<option value="" selected>', select), name
        assert select.count(" selected") == 1
    assert "<optgroup" in _select(html, "division_id")  # township, then its villages
    assert re.search(r'name="phone"[^>]*inputmode="tel"|inputmode="tel"[^>]*name="phone"', html)
    assert re.search(r'name="id_number"[^>]*inputmode="numeric"|inputmode="numeric"[^>]*name="id_number"', html)


def test_sign_up_without_choices_is_refused_with_a_linked_summary_and_keeps_what_was_typed(browser, world, db):
    data = registration(world, organisation_id="", division_id="")
    response = browser.post("/volunteers/register", data, token_from="/volunteers/register")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#organisation_id"' in summary and "请选择组织" in summary
    assert 'href="#division_id"' in summary and "请选择居住的村（社区）" in summary
    assert 'value="张爱华"' in html and 'value="long-enough-pw"' in html  # name and password kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Volunteer).where(Volunteer.name == "张爱华")) == 0


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 200, 200)).save(buf, "PNG")
    return buf.getvalue()


def test_screening_keeps_what_was_entered_when_approval_is_refused(login, world, db):
    applicant = world.a.volunteer
    applicant.status, applicant.code_of_conduct_accepted_at = "applied", None
    db.session.commit()
    browser = login("coordinator")
    path = f"/volunteers/{applicant.id}/screen"
    response = browser.post(path, {"background_check_date": "2026-11-01", "background_check_result": "clear",
                                   "training_completed_at": "2026-11-20", "interview_notes": "很耐心",
                                   "decision": "approve", "reason": ""}, token_from=path)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    top = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert "行为守则确认" in top and 'href="#decision' in top
    db.session.expire_all()
    saved = db.session.get(Volunteer, applicant.id)
    assert saved.background_check_result == "clear" and saved.interview_notes == "很耐心"
    assert saved.training_completed_at == date(2026, 11, 20) and saved.status == "applied"
    # the coordinator records the paper-signed code of conduct, then approval goes through
    recorded = browser.client.post(f"/volunteers/{applicant.id}/conduct-paper", data={
        "csrf_token": browser.token(path), "signed_on": "2026-11-25",
        "scan": (io.BytesIO(_png()), "signed.png")}, content_type="multipart/form-data")
    assert recorded.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Volunteer, applicant.id)
    assert saved.code_of_conduct_accepted_at.date() == date(2026, 11, 25) and saved.code_of_conduct_scan
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "volunteer.conduct_paper"))
    scan = browser.get(f"/volunteers/{applicant.id}/conduct-scan")
    assert scan.status_code == 200 and scan.data == _png()
    approved = browser.post(path, {"background_check_date": "2026-11-01", "background_check_result": "clear",
                                   "training_completed_at": "2026-11-20", "decision": "approve"}, token_from=path)
    assert approved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Volunteer, applicant.id).status == "approved"


def test_paper_conduct_needs_a_real_scan_and_a_date(login, world, db):
    browser = login("coordinator")
    path = f"/volunteers/{world.a.volunteer.id}/screen"
    response = browser.client.post(f"/volunteers/{world.a.volunteer.id}/conduct-paper", data={
        "csrf_token": browser.token(path), "signed_on": "", "scan": (io.BytesIO(b"not an image"), "x.png")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "请填写签署日期" in response.get_data(as_text=True)
    assert login("volunteer").post(f"/volunteers/{world.a.volunteer.id}/conduct-paper", {},
                                   token_from="/").status_code == 403


def test_child_form_summary_names_and_links_fields(login, world):
    from tests.children.test_views_form import form_data

    browser = login("coordinator")
    response = browser.post("/children/new", form_data(world, name="", guardian_phone="123"),
                            token_from="/children/new")
    html = response.get_data(as_text=True)
    summary = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#name"' in summary and 'href="#guardian_phone"' in summary
    assert re.search(r'inputmode="tel"[^>]*name="guardian_phone"|name="guardian_phone"[^>]*inputmode="tel"', html)
