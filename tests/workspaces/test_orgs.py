"""Organisations: listed, created and edited within one's scope; organisers such as 关工委 hold events."""
import sqlalchemy as sa

from app.activities.models import SchoolEvent
from app.core.audit import AuditEntry
from app.core.models import Organisation
from tests import factories
from tests.conftest import Browser


def _login(app, username):
    b = Browser(app.test_client())
    assert b.login(username).status_code == 302
    return b


def test_coordinator_creates_and_edits_an_organisation(app, world, db):
    b = _login(app, "coord_a")
    page = "/orgs/new"
    form = b.get(page).get_data(as_text=True)
    assert 'value="five_elders"' in form and 'value="children_home"' not in form  # homes are opened elsewhere
    data = {"name": "a县关工委", "kind": "five_elders", "division_id": str(world.a.county.id),
            "contact_person": "李主任", "contact_phone": "13812345678"}
    assert b.post(page, data, token_from=page).status_code == 302
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == "a县关工委"))
    assert org.kind == "five_elders" and org.contact_phone == "13812345678"
    listing = b.get("/orgs/?kind=five_elders").get_data(as_text=True)
    assert "a县关工委" in listing and "138****5678" in listing and "13812345678" not in listing
    # bad input: a clear message, what was typed kept
    again = b.post(page, {**data, "name": "另一个", "contact_phone": "12"}, token_from=page)
    assert again.status_code == 400 and "电话号码格式不正确" in again.get_data(as_text=True)
    assert 'value="李主任"' in again.get_data(as_text=True)
    twin = b.post(page, {**data, "contact_phone": ""}, token_from=page)
    assert twin.status_code == 400 and "这个地区已有同名的机构" in twin.get_data(as_text=True)
    outside = b.post(page, {**data, "name": "b县关工委", "division_id": str(world.b.county.id)}, token_from=page)
    assert outside.status_code == 400 and "请选择您负责范围内的地区" in outside.get_data(as_text=True)
    # edit: the phone is not shown in full; left empty it stays
    edit = f"/orgs/{org.id}/edit"
    page_html = b.get(edit).get_data(as_text=True)
    assert "13812345678" not in page_html and "138****5678" in page_html
    assert b.post(edit, {**data, "name": "a县关心下一代工作委员会", "contact_phone": ""}, token_from=edit).status_code == 302
    db.session.expire_all()
    org = db.session.get(Organisation, org.id)
    assert org.name == "a县关心下一代工作委员会" and org.contact_phone == "13812345678"
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_type == "organisations")).all()
    assert actions == ["organisation.create", "organisation.update"]
    # out of scope: 404; read-only roles: 403 on changes
    assert _login(app, "coord_b").get(edit).status_code == 404
    assert _login(app, "supervisor_a").get("/orgs/").status_code == 200
    assert _login(app, "supervisor_a").get(page).status_code == 403
    assert _login(app, "vol_a").get("/orgs/").status_code == 403


def test_organiser_holds_an_event(app, world, db):
    r = world.a
    org = factories.organisation("a县关工委", "five_elders", r.county)
    urgent = factories.child(r.village, name="紧急儿童")
    urgent.tier = "urgent"
    db.session.commit()
    b = _login(app, "coord_a")
    choose = b.get("/activities/events/new").get_data(as_text=True)
    assert "a县关工委" in choose and "关工委" in choose
    url = f"/activities/events/new?school={org.id}"
    form = b.get(url).get_data(as_text=True)
    assert "紧急儿童" in form and 'name="class_name"' not in form  # no class for an organiser's event
    response = b.post(url, {"school": str(org.id), "kind": "safety_law", "title": "五老讲法进乡村", "day": "2026-11-10",
                            "start": "15:00", "duration_minutes": "60", "weeks": "1", "children": [str(urgent.id)]},
                      token_from=url)
    assert response.status_code == 302
    event = db.session.scalar(sa.select(SchoolEvent).where(SchoolEvent.title == "五老讲法进乡村"))
    assert event.organisation_id == org.id and event.division_id == r.county.id
    assert [a.child_id for a in event.attendance] == [urgent.id]
    # the invitation list narrowed to one village; a child of another village is not offered nor invited
    other = factories.child(factories.division("522626101202", "a二村", r.township), name="二村孩子")
    db.session.commit()
    assert "二村孩子" in b.get(url).get_data(as_text=True)
    narrowed = f"{url}&village={r.village.id}"
    form = b.get(narrowed).get_data(as_text=True)
    assert "紧急儿童" in form and "二村孩子" not in form
    assert b.post(narrowed, {"school": str(org.id), "village": str(r.village.id), "kind": "other", "title": "一村活动",
                             "day": "2026-11-11", "start": "15:00", "duration_minutes": "60", "weeks": "1",
                             "children": [str(urgent.id), str(other.id)]}, token_from=narrowed).status_code == 302
    one = db.session.scalar(sa.select(SchoolEvent).where(SchoolEvent.title == "一村活动"))
    assert [a.child_id for a in one.attendance] == [urgent.id]
    # another region's coordinator cannot hold it nor see it
    other = _login(app, "coord_b")
    assert "a县关工委" not in other.get("/activities/events/new").get_data(as_text=True)
    assert other.get(f"/activities/events/{event.id}").status_code == 404
