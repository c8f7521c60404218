"""Volunteer registration, screening, capacity, pause and exit."""
from datetime import date

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.core.audit import AuditEntry
from app.core.idcard import make_id_number
from app.matching.models import Pair
from app.matching.pairs import PairingError, activate_pair
from app.volunteers.models import Volunteer
from tests import factories

BIRTH = date(1975, 4, 12)


def registration(world, **overrides):
    data = {
        "kind": "loving_mother", "organisation_id": world.a.federation.id, "name": "张爱华",
        "id_number": make_id_number("522626", BIRTH, 124), "sex": "female", "phone": "13900001111",
        "password": "long-enough-pw", "password2": "long-enough-pw", "division_id": world.a.village.id,
        "capacity": "2", "max_km": "8", "skills": ["psych", "guardianship"], "prefer_gender": "",
        "prefer_age_band": "", "availability": "周末", "accept_conduct": "y",
    }
    data.update(overrides)
    return data


def test_registration_form_is_chinese(browser, world):
    html = browser.get("/volunteers/register").get_data(as_text=True)
    assert "志愿者报名" in html and "爱心妈妈" in html and "入职查询" in html


def test_register_creates_application_and_login(browser, world, db):
    response = browser.post("/volunteers/register", registration(world), token_from="/volunteers/register")
    assert response.status_code == 302
    vol = db.session.scalar(sa.select(Volunteer).where(Volunteer.name == "张爱华"))
    assert vol.status == "applied" and vol.capacity == 2 and vol.skills == ["psych", "guardianship"]
    assert vol.code_of_conduct_accepted_at is not None
    user = db.session.get(User, vol.user_id)
    assert user.username == "13900001111" and user.role == "volunteer"
    assert browser.login("13900001111", "long-enough-pw").status_code == 302
    assert "待审核" in browser.get("/volunteers/me").get_data(as_text=True)


@pytest.mark.parametrize("overrides, message", [
    ({"id_number": make_id_number("522626", BIRTH, 124)[:17] + "0"}, "身份证号最后一位不对，请核对"),
    ({"id_number": "52262619750412"}, "身份证号应为18位，您填了14位"),
    ({"sex": "male"}, "性别与身份证号码不一致"),
    ({"phone": "12345"}, "手机号应为11位数字"),
    ({"kind": "five_elder"}, "所选组织不招募这一类志愿者"),
    ({"capacity": "0"}, "人数应在1到10之间"),
    ({"accept_conduct": ""}, "需要同意行为守则"),
    ({"password2": "different-pw"}, "两次输入的密码不一致"),
])
def test_registration_refusals_say_why_and_save_nothing(browser, world, db, overrides, message):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Volunteer))
    response = browser.post("/volunteers/register", registration(world, **overrides), token_from="/volunteers/register")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert "张爱华" in html  # what was typed is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Volunteer)) == before


def test_one_account_per_id_number_without_telling_anyone_it_is_registered(browser, world, db):
    from app.core.audit import AuditEntry

    first = browser.post("/volunteers/register", registration(world), token_from="/volunteers/register")
    again = browser.post("/volunteers/register", registration(world, phone="13900002222"),
                         token_from="/volunteers/register")
    # the same answer as a new application: the public page does not confirm the ID number
    assert again.status_code == first.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert "该证件号码已注册" not in browser.get("/login").get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Volunteer).where(Volunteer.name == "张爱华")) == 1
    assert db.session.scalar(sa.select(User).where(User.username == "13900002222")) is None
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "volunteer.register_duplicate"))
    assert entry is not None and "*" in entry.detail["id_number"]


@pytest.fixture
def applicant(world, db):
    vol = factories.volunteer(world.a.village, world.a.federation, name="申请人", status="applied")
    vol.code_of_conduct_accepted_at = vol.created_at
    db.session.commit()
    return vol


def screen(browser, vol, **data):
    form = {"background_check_date": "", "background_check_result": "", "training_completed_at": "",
            "interview_notes": "", "decision": "save", "reason": ""}
    form.update(data)
    return browser.post(f"/volunteers/{vol.id}/screen", form, token_from=f"/volunteers/{vol.id}/screen")


def test_approval_needs_record_check_and_training(browser, world, db, applicant):
    browser.login("coord_a")
    response = screen(browser, applicant, decision="approve")
    assert response.status_code == 422 and "尚不能通过审核" in response.get_data(as_text=True)
    response = screen(browser, applicant, decision="approve", background_check_date="2026-10-01",
                      background_check_result="found", training_completed_at="2026-10-10")
    assert "入职查询（需无违法犯罪记录）" in response.get_data(as_text=True)
    db.session.refresh(applicant)
    assert applicant.status == "applied"
    response = screen(browser, applicant, decision="approve", background_check_date="2026-10-01",
                      background_check_result="clear", training_completed_at="2026-10-10")
    assert response.status_code == 302
    db.session.refresh(applicant)
    assert applicant.status == "approved" and applicant.matchable and applicant.volunteer_number
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "volunteer.screen.approve"))


def test_rejection_needs_a_reason(browser, world, db, applicant):
    browser.login("coord_a")
    assert "不通过时请填写理由" in screen(browser, applicant, decision="reject").get_data(as_text=True)
    assert screen(browser, applicant, decision="reject", reason="未参加培训").status_code == 302
    db.session.refresh(applicant)
    assert applicant.status == "rejected" and applicant.decision_reason == "未参加培训"


def test_screening_out_of_scope_is_404(browser, world, applicant):
    browser.login("coord_b")
    assert browser.get(f"/volunteers/{applicant.id}/screen").status_code == 404


def test_pause_resume_and_exit(browser, world, db):
    vol = world.a.volunteer
    browser.login("coord_a")
    path = f"/volunteers/{vol.id}/status"
    assert browser.post(path, {"action": "pause", "reason": "住院"}, token_from=f"/volunteers/{vol.id}").status_code == 302
    db.session.refresh(vol)
    assert vol.status == "paused" and not vol.matchable
    browser.post(path, {"action": "resume"}, token_from=f"/volunteers/{vol.id}")
    db.session.refresh(vol)
    assert vol.status == "approved"
    # ending service needs a reason, then closes the pairs and frees the child
    browser.post(path, {"action": "exit", "reason": ""}, token_from=f"/volunteers/{vol.id}")
    db.session.refresh(vol)
    assert vol.status == "approved"
    browser.post(path, {"action": "exit", "reason": "外出务工"}, token_from=f"/volunteers/{vol.id}")
    db.session.refresh(vol)
    assert vol.status == "exited" and vol.active_pairs == 0
    pair = db.session.scalar(sa.select(Pair).where(Pair.volunteer_id == vol.id))
    assert pair.status == "closed" and "外出务工" in pair.end_reason  # history kept
    assert db.session.scalar(sa.select(Pair).where(Pair.child_id == world.a.child.id, Pair.status == "active")) is None


def test_volunteer_can_leave_by_themselves(browser, world, db):
    browser.login("vol_a")
    browser.post("/volunteers/me/status", {"action": "exit", "reason": "搬家"}, token_from="/volunteers/me")
    vol = db.session.get(Volunteer, world.a.volunteer.id)
    db.session.refresh(vol)
    assert vol.status == "exited"


def test_capacity_never_below_pairs(browser, world, db):
    browser.login("vol_a")
    response = browser.post("/volunteers/me", {"capacity": "0"}, token_from="/volunteers/me")
    assert "名额不能少于此数" in response.get_data(as_text=True)
    assert browser.post("/volunteers/me", {"capacity": "3"}, token_from="/volunteers/me").status_code == 302


def test_full_volunteer_cannot_take_another_child(world, db):
    vol = factories.volunteer(world.a.village, world.a.federation, name="满额", capacity=1)
    c1 = factories.child(world.a.village, name="甲")
    c2 = factories.child(world.a.village, name="乙")
    db.session.commit()
    activate_pair(c1.id, vol.id)
    db.session.commit()
    with pytest.raises(PairingError) as err:
        activate_pair(c2.id, vol.id)
    assert err.value.code == "volunteer_full"
    db.session.rollback()
    # the database itself refuses going past capacity, whoever writes
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.update(Volunteer).where(Volunteer.id == vol.id).values(active_pairs=2))
        db.session.commit()
    db.session.rollback()


def test_child_has_at_most_one_active_carer(world, db):
    other = factories.volunteer(world.a.village, world.a.federation, name="另一位")
    db.session.commit()
    with pytest.raises(PairingError) as err:
        activate_pair(world.a.child.id, other.id)
    assert err.value.code == "child_paired"
    db.session.rollback()
    db.session.refresh(other)
    assert other.active_pairs == 0


def test_paused_volunteer_cannot_be_paired(world, db):
    vol = factories.volunteer(world.a.village, world.a.federation, name="暂停者", status="paused")
    c = factories.child(world.a.village, name="丙")
    db.session.commit()
    with pytest.raises(PairingError) as err:
        activate_pair(c.id, vol.id)
    assert err.value.code == "volunteer_not_approved"
