"""The child form: Chinese messages from the rules, nothing saved on error, audited changes."""
from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from PIL import Image

from app.children.models import Child
from app.core.audit import AuditEntry
from app.core.dates import today_cn
from app.core.idcard import make_id_number

pytestmark = pytest.mark.usefixtures("world")

BORN = date(today_cn().year - 8, 6, 1)
NUMBER = make_id_number("522626", BORN, 702)  # female


def form_data(world, **over) -> dict:
    data = {
        "name": "张小花", "sex": "female", "ethnicity": "汉族", "birth_date": BORN.isoformat(),
        "id_number": NUMBER, "has_hukou": "y", "division_id": str(world.a.village.id),
        "registered_address": "a县a镇a村", "current_address": "a村3组", "health": "healthy",
        "schooling": "primary", "school_id": str(world.a.school.id), "grade": "二年级",
        "father_name": "张大山", "father_work_place": "广东省东莞市", "father_phone": "13912345678",
        "mother_name": "李小梅", "mother_work_place": "浙江省杭州市", "mother_phone": "13812340000",
        "both_parents_away": "y", "guardianship_type": "fair", "guardian_name": "张奶奶",
        "guardian_relation": "祖母", "guardian_phone": "138 1234 5678", "income_sources": ["wages", "farming"],
        "assistance": ["none"], "village_contact_name": "村干部", "village_contact_phone": "13700001111",
        "consent_guardian_name": "张奶奶", "consent_date": today_cn().isoformat(),
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def _count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Child))


def test_create_saves_derives_and_audits_with_masked_numbers(web, world, db):
    web.login("coordinator")
    response = web.post("/children/new", form_data(world, health="ill", illness="哮喘"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    child = db.session.scalar(sa.select(Child).where(Child.id_number == NUMBER))
    assert response.headers["Location"].endswith(f"/children/{child.id}")
    assert child.categories == ["ill"] and child.tier == "key"  # derived, never typed
    assert child.name_pinyin == "zhangxiaohua" and child.name_initials == "zxh" and child.id_last4 == NUMBER[-4:]
    assert child.guardian_phone == "13812345678"  # normalised
    assert child.school_id == world.a.school.id and child.school_name == "a小学"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "child.create"))
    changes = entry.detail["changes"]
    assert changes["name"] == [None, "张小花"]
    assert changes["id_number"] == [None, NUMBER[:4] + "*" * 10 + NUMBER[-4:]]
    assert changes["guardian_phone"] == [None, "138****5678"]
    assert NUMBER not in str(entry.detail)


def test_errors_are_chinese_nothing_is_saved_and_typed_values_stay(web, world, db):
    web.login("coordinator")
    before = _count(db)
    bad = form_data(world, name="", id_number=NUMBER[:-1] + ("0" if NUMBER[-1] != "0" else "1"),
                    father_phone="1380013", birth_date="2014-13-40", guardian_name="张奶奶的名字")
    response = web.post("/children/new", bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "姓名为空" in html
    assert "公民身份证号码校验位错误" in html
    assert "父亲联系电话:联系电话格式错误" in html
    assert "出生日期格式错误" in html
    assert "没有保存任何内容" in html
    assert 'value="张奶奶的名字"' in html and 'value="1380013"' in html  # typed values kept
    assert _count(db) == before


def test_warnings_do_not_block_saving(web, world, db):
    web.login("coordinator")
    response = web.post("/children/new", form_data(world, guardian_name="", guardian_relation="", guardian_phone=""),
                        follow_redirects=True)
    assert response.status_code == 200
    assert "请注意：未填写受委托监护人姓名" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Child).where(Child.id_number == NUMBER)) is not None


def test_no_hukou_needs_a_reason(web, world, db):
    web.login("coordinator")
    response = web.post("/children/new", form_data(world, id_number="", has_hukou=None))
    assert "未登记户口且无身份证号码的,须填写无身份证号码原因" in response.get_data(as_text=True)
    ok = web.post("/children/new", form_data(world, id_number="", has_hukou=None, no_id_reason="出生未登记"))
    assert ok.status_code == 302
    child = db.session.scalar(sa.select(Child).where(Child.name == "张小花"))
    assert child.id_number is None and "no_hukou" in child.categories and child.tier == "key"


def test_same_id_number_gives_a_clear_message(web, world, db):
    web.login("coordinator")
    existing = world.a.child
    response = web.post("/children/new", form_data(world, id_number=existing.id_number, birth_date=existing.birth_date
                                                   .isoformat(), sex="male"))
    assert response.status_code == 200
    assert "该身份证号码已登记在另一名儿童的档案中" in response.get_data(as_text=True)


def test_edit_records_field_changes_in_the_history(web, world, db):
    web.login("village_director")
    child = world.a.child
    page = web.get(f"/children/{child.id}/edit")
    assert page.status_code == 200 and 'value="王奶奶"' in page.get_data(as_text=True)
    data = form_data(world, name=child.name, sex="male", birth_date=child.birth_date.isoformat(),
                     id_number=child.id_number, guardian_name="王爷爷", guardian_relation="祖父", school_id="",
                     school_name="", consent_guardian_name=None, consent_date=None)
    assert web.post(f"/children/{child.id}/edit", data).status_code == 302
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "child.update")).one()
    assert entry.detail["changes"]["guardian_name"] == ["王奶奶", "王爷爷"]
    detail = web.get(f"/children/{child.id}").get_data(as_text=True)
    assert "修改档案" in detail and "王奶奶</del> → <ins>王爷爷" in detail


def test_only_villages_in_scope_can_be_chosen(web, world, db):
    web.login("village_director")
    response = web.post("/children/new", form_data(world, division_id=str(world.b.village.id)))
    assert response.status_code == 200
    assert "请选择您负责范围内的村（社区）" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Child).where(Child.id_number == NUMBER)) is None


def test_scope_and_roles_for_editing(web, world):
    web.login("village_director")
    assert web.get(f"/children/{world.b.child.id}/edit").status_code == 404
    assert web.post(f"/children/{world.b.child.id}/edit", {"name": "x"}).status_code == 404
    web.browser.logout()
    web.login("school_staff")
    assert web.get(f"/children/{world.a.pupil.id}/edit").status_code == 403
    assert web.get("/children/new").status_code == 403


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buf, "PNG")
    return buf.getvalue()


def _post_with_file(web, world, content: bytes, filename: str, **over):
    data = form_data(world, **over)
    data["csrf_token"] = web.browser.token("/children/")
    data["consent_file"] = (io.BytesIO(content), filename)
    return web.browser.client.post("/children/new", data=data, content_type="multipart/form-data")


def test_consent_scan_is_checked_by_content_stored_and_served_audited(web, world, db, app):
    web.login("coordinator")
    fake = _post_with_file(web, world, b"<html>not a scan</html>", "scan.pdf")
    assert fake.status_code == 200
    assert "同意书扫描件只能是 PDF、JPEG 或 PNG 文件" in fake.get_data(as_text=True)
    assert _count(db) == 4
    response = _post_with_file(web, world, _png(), "scan.exe")
    assert response.status_code == 302
    child = db.session.scalar(sa.select(Child).where(Child.id_number == NUMBER))
    assert child.consent_scan.endswith(".png") and "scan" not in child.consent_scan
    download = web.get(f"/children/{child.id}/consent")
    assert download.status_code == 200 and download.data == _png()
    assert download.headers["Content-Type"] == "image/png"
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "child.consent_view"))
    web.browser.logout()
    web.login("coordinator", "b")
    assert web.get(f"/children/{child.id}/consent").status_code == 404
    web.browser.logout()
    web.login("volunteer")
    assert web.get(f"/children/{child.id}/consent").status_code == 403
