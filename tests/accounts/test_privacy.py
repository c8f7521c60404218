"""Privacy defects found by the security review, each with the test that failed before its fix."""
from __future__ import annotations

import io
import re
import time
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from app.core.audit import AuditEntry
from app.core.idcard import mask_id_number
from tests.activities.helpers import make_log


def _entries(db, action):
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)
                              .order_by(AuditEntry.id)).all()


def _timeline(html: str) -> str:
    return html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]


def _visit_entries(html: str) -> list[str]:
    return [li for li in _timeline(html).split("<li") if "入户看望" in li]


def test_child_timeline_hides_who_filed_a_mandatory_report(login, world, db):
    make_log(world.user("volunteer"), world.a.child, "visit", concerns=["alone"])
    db.session.commit()
    reporter = world.a.volunteer.name
    visit = _visit_entries(login("auditor").get(f"/children/{world.a.child.id}").get_data(as_text=True))
    assert visit and all(reporter not in li and "报告人已隐去" in li for li in visit), visit
    for role in ("coordinator", "volunteer"):  # a handler, and the reporter herself
        visit = _visit_entries(login(role).get(f"/children/{world.a.child.id}").get_data(as_text=True))
        assert visit and all(reporter in li for li in visit)


def _cells(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return " ".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                    for v in row if v is not None)


def test_auditor_exports_are_masked_and_revealing_exports_are_audited(login, world, db):
    child = world.a.child
    full, masked = child.id_number, mask_id_number(child.id_number)
    auditor = login("auditor")
    for path in ("/children/export.xlsx", f"/children/{child.id}/form.xlsx"):
        response = auditor.get(path)
        assert response.status_code == 200
        text = _cells(response.data)
        assert full not in text and masked in text, path
        assert child.guardian_phone not in text
    assert _entries(db, "child.reveal_id") == []
    coordinator = login("coordinator")
    for path in ("/children/export.xlsx", f"/children/{child.id}/form.xlsx"):
        assert full in _cells(coordinator.get(path).data)
    reveals = _entries(db, "child.reveal_id")
    assert [e.detail["via"] for e in reveals] == ["export", "export_form"]
    assert {e.username for e in reveals} == {"coord_a"}


def test_edit_page_masks_numbers_and_reveal_is_audited(login, world, db):
    child = world.a.child
    full = child.id_number
    browser = login("coordinator")
    html = browser.get(f"/children/{child.id}/edit").get_data(as_text=True)
    assert full not in html and mask_id_number(full) in html and "13812345678" not in html
    assert _entries(db, "child.reveal_id") == []
    revealed = browser.post(f"/children/{child.id}/edit/reveal", {}, token_from=f"/children/{child.id}/edit")
    page = revealed.get_data(as_text=True)
    assert revealed.status_code == 200 and full in page and "13812345678" in page
    entry = _entries(db, "child.reveal_id")[-1]
    assert entry.detail["via"] == "edit" and entry.object_id == str(child.id)
    assert login("auditor").get(f"/children/{child.id}/edit").status_code == 403
    assert login("auditor").post(f"/children/{child.id}/edit/reveal", {}, token_from="/").status_code == 403


def test_saving_the_masked_form_keeps_the_stored_numbers(login, world, db):
    from app.children.models import Child
    from app.core.phone import mask_phone
    from tests.children.test_views_form import form_data

    child = world.a.child
    full, phone = child.id_number, child.guardian_phone
    data = form_data(world, name=child.name, sex="male", birth_date=child.birth_date.isoformat(),
                     id_number=mask_id_number(full), guardian_phone=mask_phone(phone), guardian_name="王爷爷",
                     guardian_relation="祖父", school_id="", school_name="", father_phone="",
                     mother_phone="", village_contact_phone="", consent_guardian_name=None, consent_date=None)
    browser = login("coordinator")
    response = browser.post(f"/children/{child.id}/edit", data, token_from=f"/children/{child.id}/edit")
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.get(Child, child.id)
    assert saved.id_number == full and saved.guardian_phone == phone and saved.guardian_name == "王爷爷"
    # a refused save shows the numbers masked again, not the stored ones
    data["name"] = ""
    page = browser.post(f"/children/{child.id}/edit", data, token_from=f"/children/{child.id}/edit")
    assert full not in page.get_data(as_text=True) and mask_id_number(full) in page.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/children/99999999999999999999999", "/children/9223372036854775808/edit",
                                  "/volunteers/18446744073709551616", "/activities/logs/99999999999999999999"])
def test_ids_beyond_any_row_answer_404(login, world, path):
    assert login("admin").get(path).status_code == 404


@pytest.mark.parametrize("path", ["/children/?division=99999999999999999999&school=-99999999999999999999",
                                  "/activities/overdue?village=99999999999999999999999"])
def test_huge_numbers_in_filters_are_ignored(login, world, path):
    assert login("coordinator").get(path).status_code == 200


NAMELESS = b'--XX\r\nContent-Disposition: form-data\r\n\r\nhello\r\n--XX--\r\n'


@pytest.mark.parametrize("path", ["/api/v1/logs/1/photos", "/login", "/volunteers/register"])
def test_a_nameless_multipart_part_is_a_bad_request(client, world, path):
    response = client.post(path, data=NAMELESS, content_type="multipart/form-data; boundary=XX")
    assert response.status_code == 400


def test_find_by_id_number_keeps_it_out_of_urls_and_audit(login, world, db):
    child = world.a.child
    browser = login("coordinator")
    response = browser.post("/children/find-id", {"id_number": child.id_number}, token_from="/children/")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/children/{child.id}")
    assert child.id_number not in response.headers["Location"]
    out = browser.post("/children/find-id", {"id_number": world.b.child.id_number}, token_from="/children/")
    assert out.headers["Location"].endswith("/children/")  # out of scope: not found
    browser.get(f"/children/?q={child.id_number}")  # an old bookmark still works, but is not logged in full
    details = [str(e.detail) for e in db.session.scalars(sa.select(AuditEntry))]
    assert not any(child.id_number in d or world.b.child.id_number in d for d in details)
    found = _entries(db, "child.find_id")
    assert [e.detail["found"] for e in found] == [True, False]


def _big_roster(rows: int) -> bytes:
    book = Workbook()
    book.active.append(["姓名"])
    buf = io.BytesIO()
    book.save(buf)
    body = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>王{i}</t></is></c></row>'
                   for i in range(1, rows + 1))
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                data = re.sub(r"<sheetData>.*</sheetData>|<sheetData/>", f"<sheetData>{body}</sheetData>",
                              text, flags=re.S).encode()
            dst.writestr(info.filename, data)
    return out.getvalue()


def test_an_oversized_roster_is_refused_before_parsing():
    from app.children.roster import RosterFileError, check_workbook_bytes, parse_roster

    data = _big_roster(100_000)
    started = time.monotonic()
    with pytest.raises(RosterFileError) as refused:
        check_workbook_bytes(data)
    assert refused.value.code == "too_many_rows"
    with pytest.raises(RosterFileError):
        parse_roster(data)
    assert time.monotonic() - started < 15
    check_workbook_bytes(_big_roster(1_000))  # a normal roster passes


def test_truncate_cannot_empty_the_audit_log(app, db, world):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    db.session.add(AuditEntry(action="test.keep"))
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(sa.text("TRUNCATE audit_log"))
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) >= 1


def test_reads_of_children_and_volunteers_are_audited(login, world, db, client):
    from tests.api.helpers import token_for

    response = client.get("/api/v1/children", headers={"Authorization": f"Bearer {token_for('coord_a')}"})
    assert response.status_code == 200
    assert any(e.detail.get("via") == "api" and e.username == "coord_a" for e in _entries(db, "child.list"))
    coordinator = login("coordinator")
    assert coordinator.get("/reports/find?q=儿童").status_code == 200
    assert [e.detail["q"] for e in _entries(db, "report.find")] == ["儿童"]
    assert coordinator.get("/volunteers/").status_code == 200
    assert _entries(db, "volunteer.list")[-1].username == "coord_a"


def test_audit_page_shows_the_detail(login, world, db):
    login("coordinator").get("/children/?q=儿童a")
    html = login("admin").get("/audit?action=child.list").get_data(as_text=True)
    assert "儿童a" in html and "count" in html
