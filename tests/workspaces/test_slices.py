"""Events for one class, deleting checklist evidence, the pupil list's dropout entry point."""
import re
from datetime import date, time
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from app.activities import events as event_service
from app.activities.models import SchoolEvent
from app.activities.photos import photo_path
from app.core.audit import AuditEntry
from app.homes.models import HomeEvidence
from app.protection.models import DutyItem
from app.school import cadence
from tests import factories
from tests.activities.helpers import jpeg_bytes
from tests.conftest import Browser
from tests.workspaces.helpers import make_home


def _login(app, username):
    b = Browser(app.test_client())
    assert b.login(username).status_code == 302
    return b


def test_event_for_one_class_counts_for_that_class(app, world, db):
    r = world.a
    r.pupil.class_name = "三年级2班"
    other = factories.child(r.village, name="四班学生", school=r.school, class_name="四年级1班")
    db.session.commit()
    b = _login(app, "school_a")
    url = f"/activities/events/new?school={r.school.id}"
    form = b.get(url).get_data(as_text=True)
    assert 'name="class_name"' in form and '<option value="四年级1班">' in form
    # a 四年级1班 meeting the 三年级 pupil attended (a teacher sat in): it counts for 四年级1班 only
    response = b.post(url, {"school": str(r.school.id), "kind": "class_meeting", "title": "安全班会",
                            "day": "2026-11-10", "start": "15:00", "duration_minutes": "45", "weeks": "1",
                            "class_name": " 四年级1班 ", "children": [str(r.pupil.id)]}, token_from=url)
    assert response.status_code == 302
    event = db.session.scalar(sa.select(SchoolEvent).where(SchoolEvent.title == "安全班会"))
    assert event.class_name == "四年级1班"
    event_service.set_attendance(r.users["school_staff"], event, [r.pupil.id], [], today=date(2026, 11, 10))
    db.session.commit()
    assert "班级 四年级1班" in b.get(f"/activities/events/{event.id}").get_data(as_text=True)
    items = cadence.school_cadence(r.school.id, ["三年级2班", other.class_name], date(2026, 12, 4))
    november = {i.class_name: i.status for i in items if i.kind == "class_meeting" and i.period.start.month == 11}
    assert november == {"三年级2班": "overdue", "四年级1班": "done"}
    # too long a class name: a clear message, what was typed kept
    long = b.post(url, {"school": str(r.school.id), "kind": "class_meeting", "title": "班会X", "day": "2026-11-10",
                        "start": "15:00", "duration_minutes": "45", "weeks": "1", "class_name": "班" * 33},
                  token_from=url)
    assert long.status_code == 400 and "班级名称最多32个字" in long.get_data(as_text=True)
    assert 'value="班会X"' in long.get_data(as_text=True)


def test_a_home_event_cannot_carry_a_class(world, db):
    home = make_home(world.user("coordinator"), world.a.village)
    data = event_service.EventInput(kind="other", title="x", day=date(2026, 11, 10), start=time(15),
                                    class_name="一班")
    try:
        event_service.create_event(world.user("coordinator"), home.organisation, data, [], [])
    except event_service.ActivityError as exc:
        assert exc.field == "class_name"
    else:
        raise AssertionError("a 儿童之家 activity took a class")


def test_delete_evidence_photo_audited_and_file_removed(app, world, db):
    home = make_home(world.user("coordinator"), world.a.village, photos={"sign": [jpeg_bytes(), jpeg_bytes()]})
    db.session.commit()
    first, second = home.evidence
    first_id, second_id = first.id, second.id
    path = photo_path(current_app.config["UPLOAD_DIR"], first.filename)
    assert Path(path).is_file()
    page = f"/homes/{home.id}"
    # read-only roles and other regions may not
    assert _login(app, "supervisor_a").post(f"/homes/evidence/{first.id}/delete", {"confirm": "1"},
                                            token_from="/").status_code == 403
    assert _login(app, "coord_b").post(f"/homes/evidence/{first.id}/delete", {"confirm": "1"},
                                       token_from="/").status_code == 404
    b = _login(app, "director_a")
    assert f'form="delete-evidence-{first.id}"' in b.get(page).get_data(as_text=True)
    unconfirmed = b.post(f"/homes/evidence/{first.id}/delete", {}, token_from=page)
    assert unconfirmed.status_code == 400 and "请确认要删除这张照片" in unconfirmed.get_data(as_text=True)
    assert db.session.get(HomeEvidence, first.id) is not None
    response = b.post(f"/homes/evidence/{first.id}/delete", {"confirm": "1"}, token_from=page)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(HomeEvidence, first_id) is None and db.session.get(HomeEvidence, second_id) is not None
    assert not Path(path).exists()
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "home.evidence_delete"))
    assert entry.detail["evidence_id"] == first_id and entry.detail["item"] == "sign"
    assert entry.user_id == world.user("village_director").id
    assert b.get(f"/homes/evidence/{first_id}").status_code == 404
    assert b.post(f"/homes/evidence/{first_id}/delete", {"confirm": "1"}, token_from=page).status_code == 404


def test_pupil_list_leads_to_the_dropout_tracker(app, world, db):
    r = world.a
    b = _login(app, "school_a")
    page = b.get("/school/pupils").get_data(as_text=True)
    new = f"/duties/children/{r.pupil.id}/new?kind=dropout"
    assert new.replace("&", "&amp;") in page or new in page
    form = b.get(new)
    assert form.status_code == 200
    assert re.search(r'<input checked[^>]*value="dropout"', form.get_data(as_text=True))  # the dropout form
    response = b.post(f"/duties/children/{r.pupil.id}/new", {"kind": "dropout", "summary": "连续两周未到校"},
                      token_from=new)
    assert response.status_code == 302, response.get_data(as_text=True)
    item = db.session.scalar(sa.select(DutyItem).where(DutyItem.child_id == r.pupil.id))
    assert item.kind == "dropout"
    # once open, the list leads to that item instead of a second one
    assert f"/duties/{item.id}" in b.get("/school/pupils").get_data(as_text=True)
