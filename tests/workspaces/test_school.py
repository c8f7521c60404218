"""School workspace: the school's own pupils only — teacher proxy parents, classes, the contact
book with audited reveal and export, the school's care cadence."""
import io
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from openpyxl import load_workbook

from app.activities import events as event_service
from app.core.audit import AuditEntry
from app.core.dates import CHINA, today_cn
from app.school import cadence, queries
from tests import factories
from tests.conftest import Browser


def _login(app, username):
    b = Browser(app.test_client())
    assert b.login(username).status_code == 302
    return b


def _teacher(world, region="a", name="张老师"):
    r = getattr(world, region)
    return factories.volunteer(r.village, r.school, name=name, kind="teacher")


def test_pupils_without_a_teacher_proxy(app, world, db):
    pupil = world.a.pupil
    other_school = factories.organisation("别的小学", "school", world.a.township)
    outsider_teacher = factories.volunteer(world.a.village, other_school, name="外校老师", kind="teacher")
    factories.pair(pupil, outsider_teacher)  # a teacher of another school is no proxy parent here
    db.session.commit()
    b = _login(app, "school_a")
    page = b.get("/school/pupils?no_proxy=1").get_data(as_text=True)
    assert pupil.name in page and "未落实" in page
    assert world.a.child.name not in page  # not a pupil of this school
    assert queries.figures(world.user("school_staff"), world.a.school.id)["no_proxy"] == 1

    own = _teacher(world)
    pupil2 = factories.child(world.a.village, name="第二名学生", school=world.a.school)
    factories.pair(pupil2, own)
    db.session.commit()
    page = b.get("/school/pupils?no_proxy=1").get_data(as_text=True)
    assert pupil.name in page and "第二名学生" not in page
    listed = b.get("/school/pupils").get_data(as_text=True)
    assert "张老师" in listed and "第二名学生" in listed


def test_teacher_due_and_overdue(app, world, db):
    teacher = _teacher(world)
    p = factories.pair(world.a.pupil, teacher)
    p.started_at = datetime.now(timezone.utc) - timedelta(days=60)
    db.session.commit()
    rows = queries.teacher_rows(world.user("school_staff"), world.a.school.id, today_cn())
    assert [r.name for r in rows] == ["张老师"]
    assert rows[0].count("talk", "overdue") == 1  # weekly talk, none in 60 days
    page = _login(app, "school_a").get("/school/teachers").get_data(as_text=True)
    assert "张老师" in page and "已逾期" in page and world.a.pupil.name in page
    # the school of region B sees nothing of it
    assert "张老师" not in _login(app, "school_b").get("/school/teachers").get_data(as_text=True)


def test_overdue_pages_open_to_school_staff(app, world):
    b = _login(app, "school_a")
    for path in ("/activities/overdue", "/activities/overdue/pairs", "/activities/overdue/no-carer"):
        assert b.get(path).status_code == 200, path


def test_set_class_and_class_lists(app, world, db):
    b = _login(app, "school_a")
    response = b.post("/school/pupils/class", {"child_ids": [str(world.a.pupil.id)], "class_name": " 三年级2班 "},
                      token_from="/school/pupils")
    assert response.status_code == 302
    db.session.expire_all()
    assert world.a.pupil.class_name == "三年级2班"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "child.class_set"))
    assert entry.object_id == str(world.a.pupil.id) and entry.detail["to"] == "三年级2班"
    page = b.get("/school/pupils?class=三年级2班").get_data(as_text=True)
    assert world.a.pupil.name in page
    assert "三年级2班" in b.get("/school/").get_data(as_text=True)
    # a child of another school: refused with a message, nothing changed
    response = b.post("/school/pupils/class", {"child_ids": [str(world.b.pupil.id)], "class_name": "一班"},
                      token_from="/school/pupils")
    assert response.status_code == 400 and "只能为本校在读学生设置班级" in response.get_data(as_text=True)
    db.session.expire_all()
    assert world.b.pupil.class_name is None
    response = b.post("/school/pupils/class", {"class_name": "一班"}, token_from="/school/pupils")
    assert response.status_code == 400 and "请先勾选学生" in response.get_data(as_text=True)
    assert 'value="一班"' in response.get_data(as_text=True)  # what was typed is kept


def test_contact_book_masked_reveal_and_export_audited(app, world, db):
    world.a.pupil.father_name = "王大力"
    world.a.pupil.father_phone = "13900001111"
    world.a.pupil.boarding = True
    db.session.commit()
    b = _login(app, "school_a")
    page = b.get("/school/contacts").get_data(as_text=True)
    assert "王大力" in page and "13900001111" not in page and "13812345678" not in page
    assert world.a.child.name not in page and world.b.pupil.name not in page

    revealed = b.post("/school/contacts/reveal", {}, token_from="/school/contacts")
    text = revealed.get_data(as_text=True)
    assert revealed.status_code == 200 and "13900001111" in text and "13812345678" in text
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "school.contacts_reveal"))
    assert entry is not None and entry.username == "school_a" and entry.detail["child_ids"] == [world.a.pupil.id]

    export = b.post("/school/contacts/export", {"boarding": "1"}, token_from="/school/contacts")
    assert export.status_code == 200
    ws = load_workbook(io.BytesIO(export.data)).active
    values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    assert values[1][1] == "姓名" and values[2][1] == world.a.pupil.name and values[2][5] == "13900001111"
    assert len(values) == 3
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "school.contacts_export"))
    assert entry is not None and entry.detail["child_ids"] == [world.a.pupil.id]


def test_out_of_scope_and_other_roles(app, world):
    assert _login(app, "coord_a").get("/school/").status_code == 403
    assert _login(app, "director_a").get("/school/contacts").status_code == 403
    b = _login(app, "school_b")
    assert world.a.pupil.name not in b.get("/school/pupils").get_data(as_text=True)
    assert world.a.pupil.name not in b.post("/school/contacts/reveal", {}, token_from="/school/contacts").get_data(as_text=True)


def _held_event(world, kind, day, present=True):
    r = world.a
    data = event_service.EventInput(kind=kind, title="活动", day=day, start=time(15), child_ids=[r.pupil.id])
    event = event_service.create_event(r.users["school_staff"], r.school, data, [r.pupil.id], [])[0]
    if present:
        event_service.set_attendance(r.users["school_staff"], event, [r.pupil.id], [], today=day)
    return event


def test_school_cadence(world, db):
    today = date(2026, 12, 4)
    world.a.pupil.class_name = "三年级2班"
    other = factories.child(world.a.village, name="四班学生", school=world.a.school, class_name="四年级1班")
    _held_event(world, "class_meeting", date(2026, 11, 10))  # last month, 三年级2班 present
    _held_event(world, "class_meeting", date(2026, 12, 2), present=False)  # nobody came: not held
    _held_event(world, "care_theme", date(2026, 10, 8))  # this (autumn) term
    db.session.commit()
    items = cadence.school_cadence(world.a.school.id, ["三年级2班", other.class_name], today)
    theme = [i for i in items if i.kind == "care_theme"]
    assert [i.status for i in theme] == ["overdue", "done"]  # spring term: none; autumn: held 8 October
    assert theme[1].held_on == date(2026, 10, 8)
    meetings = {(i.class_name, i.period.start.month): i for i in items if i.kind == "class_meeting"}
    assert meetings[("三年级2班", 11)].status == "done"
    assert meetings[("三年级2班", 12)].status == "due_later"  # the December one was not held
    assert meetings[("四年级1班", 11)].status == "overdue" and meetings[("四年级1班", 11)].days_overdue == 4
    assert meetings[("四年级1班", 12)].status == "due_later"
    # a planned event (its day still ahead) counts for nothing either
    assert cadence.school_cadence(world.a.school.id, [], date(2026, 10, 7))[1].status != "done"


def test_workspace_page(app, world, db):
    world.a.pupil.class_name = "三年级2班"
    db.session.commit()
    page = _login(app, "school_a").get("/school/").get_data(as_text=True)
    assert "学校工作台" in page and "没有教师代理家长的留守学生" in page and "主题关爱教育活动" in page
    assert "主题班会" in page and "三年级2班" in page
    assert datetime.now(CHINA)  # page rendered in China time


def test_demo_school(app, db):
    from app.auth.models import User
    from app.demo.seed import seed

    seed()
    staff = db.session.scalar(sa.select(User).where(User.username == "school"))
    classes = [c for c, _n in queries.classes(staff, staff.organisation_id) if c != queries.NO_CLASS]
    assert len(classes) >= 2
    items = cadence.school_cadence(staff.organisation_id, classes, today_cn())
    assert {"done", "overdue"} <= {i.status for i in items if i.kind == "class_meeting"}
    b = Browser(app.test_client())
    assert b.login("school", "xiangban-demo").status_code == 302
    for path in ("/school/", "/school/pupils", "/school/teachers", "/school/contacts"):
        assert b.get(path).status_code == 200, path


def test_home_page_lines_point_at_the_school_workspace(app, world, db):
    from app.home import todo

    world.a.pupil.class_name = "三年级2班"
    db.session.commit()
    with app.test_request_context("/"):  # providers build their links with url_for
        found = {i.key: i for i in todo.todo_for(world.user("school_staff"), today_cn())}
        other = {i.key: i for i in todo.todo_for(world.user("school_staff", "b"), today_cn())}
    assert found["school.no_teacher"].url == "/school/pupils?no_proxy=1"
    # last month's class meeting of 三年级2班 was never held
    assert found["school.cadence_overdue"].count >= 1 and found["school.cadence_overdue"].url == "/school/"
    assert other["school.cadence_overdue"].count == found["school.cadence_overdue"].count - 1  # no classes there
