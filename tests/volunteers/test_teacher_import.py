"""A school imports its teachers from Excel: every bad row with every reason, nothing or only the
good rows saved as the user chooses, one account per ID and phone, screening still required."""
import io
import re
from datetime import date

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from app.auth.models import User
from app.core.audit import AuditEntry
from app.core.idcard import make_id_number
from app.volunteers.models import Volunteer
from tests import factories
from tests.volunteers.test_volunteers import screen

GOOD_ID = make_id_number("522626", date(1985, 3, 2), 135)  # male
OTHER_ID = make_id_number("522626", date(1990, 7, 9), 246)  # female


def workbook(rows, header=("姓名", "手机号码", "身份证号码", "居住村（社区）", "可结对人数")) -> io.BytesIO:
    """Columns deliberately not in the template's order, a title row above the header."""
    wb = Workbook()
    ws = wb.active
    ws.append(["某某小学教师名单"])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


ROWS = [
    ("王老师", "13800002222", GOOD_ID, "a村", 4),
    ("", "1380000", GOOD_ID[:17] + ("0" if GOOD_ID[17] != "0" else "1"), "没有这个村", 12),  # every field wrong
    ("李老师", "13800002222", OTHER_ID, "a村", ""),  # phone twice in the file
]


def upload(browser, rows, choice="all_or_nothing", header=None, **extra):
    book = workbook(rows, header) if header else workbook(rows)
    data = {"file": (book, "教师.xlsx"), "choice": choice, **extra}
    return browser.post("/volunteers/import", data, token_from="/volunteers/import",
                        content_type="multipart/form-data")


def teachers(db):
    return db.session.scalars(sa.select(Volunteer).where(Volunteer.kind == "teacher")).all()


def test_bad_rows_are_all_reported_and_nothing_is_saved_by_default(browser, world, db):
    browser.login("school_a")
    response = upload(browser, ROWS)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.findall(r'class="primary">第(\d+)行<', html) == ["4", "5"]  # title row 1, header row 2
    for reason in ("姓名不能为空", "校验位", "联系电话格式错误", "居住村（社区）“没有这个村”不在本县",
                   "可结对人数应为0到10的整数", "与第3行的手机号码重复"):
        assert reason in html, reason
    assert "一行都没有保存" in html
    assert teachers(db) == []


def test_only_the_good_rows_when_chosen_with_a_one_time_password(browser, world, db, client):
    browser.login("school_a")
    response = upload(browser, ROWS, choice="good_only")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    (teacher,) = teachers(db)
    assert (teacher.name, teacher.sex, teacher.capacity, teacher.status) == ("王老师", "male", 4, "applied")
    assert teacher.organisation_id == world.a.school.id and teacher.division_id == world.a.village.id
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "volunteer.import"))
    password = re.search(r"<code>([^<]+)</code>", html)[1]
    user = db.session.get(User, teacher.user_id)
    assert user.password_hash and password not in user.password_hash

    # the teacher logs in, confirms the code of conduct; then the coordinator can approve
    browser.logout()
    assert browser.login("13800002222", password).headers["Location"].endswith("/account")
    # the one-time password passed through the school's hands: the teacher chooses their own first
    assert browser.post("/account", {"current": password, "new": "teacher-own-pass", "confirm": "teacher-own-pass"},
                        token_from="/account").status_code == 302
    assert "行为守则" in browser.get("/volunteers/me").get_data(as_text=True)
    assert browser.post("/volunteers/me/conduct", {"accept": "y"}, token_from="/volunteers/me").status_code == 302
    browser.logout()
    browser.login("coord_a")
    response = screen(browser, teacher, decision="approve", background_check_date="2026-10-01",
                      background_check_result="clear", training_completed_at="2026-10-10")
    assert response.status_code == 302
    db.session.refresh(teacher)
    assert teacher.status == "approved"


def test_an_id_already_registered_is_refused(browser, world, db):
    factories.volunteer(world.a.village, world.a.federation, name="已注册").id_number = OTHER_ID
    db.session.commit()
    browser.login("school_a")
    html = upload(browser, [("李老师", "13900003333", OTHER_ID, "a村", 2)], choice="good_only").get_data(as_text=True)
    assert "该证件号码已注册" in html and teachers(db) == []


def test_hostile_and_headerless_files_get_a_specific_message(browser, world, db):
    browser.login("school_a")
    response = browser.post("/volunteers/import", {"file": (io.BytesIO(b"\x00garbage" * 100), "x.xlsx"),
                                                   "choice": "good_only"},
                            token_from="/volunteers/import", content_type="multipart/form-data")
    assert response.status_code == 422 and "Excel" in response.get_data(as_text=True)
    response = upload(browser, [("王老师", "13800002222")], header=("名字", "电话"))
    assert response.status_code == 422 and "找不到表头" in response.get_data(as_text=True)
    assert teachers(db) == []


def test_coordinator_picks_a_school_in_the_region_and_others_cannot_import(browser, world, db):
    browser.login("coord_a")
    html = browser.get("/volunteers/import").get_data(as_text=True)
    assert "a小学" in html and "b小学" not in html
    # a school outside the coordinator's region is refused, nothing saved
    response = upload(browser, ROWS[:1], choice="good_only", school_id=str(world.b.school.id))
    assert response.status_code == 422 and teachers(db) == []
    assert upload(browser, ROWS[:1], choice="good_only", school_id=str(world.a.school.id)).status_code == 200
    assert len(teachers(db)) == 1
    browser.logout()
    browser.login("vol_a")
    assert browser.get("/volunteers/import").status_code == 403


def test_template_has_the_columns_and_instructions(browser, world):
    browser.login("school_a")
    response = browser.get("/volunteers/import/template.xlsx")
    wb = load_workbook(io.BytesIO(response.data))
    assert [c.value for c in wb["教师名单"][1]] == ["姓名", "身份证号码", "手机号码", "居住村（社区）", "可结对人数",
                                                  "最远路程（公里）"]
    assert "填写说明" in wb.sheetnames
