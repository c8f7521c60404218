"""Coordinator and director views: overdue by township, village and volunteer; the set-based query."""
import sqlalchemy as sa

from app.activities import queries
from app.activities.cadence import Rule
from app.activities.models import CadenceRule
from app.activities.services import RuleBook
from app.core.audit import AuditEntry
from app.core.dates import today_cn
from app.matching.models import Pair
from tests import factories
from tests.activities.helpers import days_ago, make_log, start_pair_on


def _pair_of(db, child):
    return db.session.scalar(sa.select(Pair).where(Pair.child_id == child.id, Pair.status == "active"))


def test_overview_counts_link_to_their_lists(login, world, db):
    start_pair_on(_pair_of(db, world.a.child), days_ago(120))
    urgent = factories.child(world.a.village, name="紧急娃", guardianship_type="none", guardian_name=None)
    db.session.commit()
    assert urgent.tier == "urgent"
    coord = login("coordinator")
    html = coord.get("/activities/overdue").get_data(as_text=True)
    assert "有逾期事项的结对" in html and "按村" in html and world.a.volunteer.name in html
    assert f"/activities/overdue/pairs?village={world.a.village.id}" in html
    assert f"/activities/overdue/pairs?volunteer={world.a.volunteer.id}" in html
    assert "/activities/overdue/no-contact" in html and "/activities/overdue/no-carer" in html

    listing = coord.get(f"/activities/overdue/pairs?village={world.a.village.id}").get_data(as_text=True)
    assert world.a.child.name in listing and "已逾期" in listing
    by_volunteer = coord.get(f"/activities/overdue/pairs?volunteer={world.a.volunteer.id}").get_data(as_text=True)
    assert world.a.child.name in by_volunteer
    by_township = coord.get(f"/activities/overdue/pairs?township={world.a.township.id}").get_data(as_text=True)
    assert world.a.child.name in by_township
    no_contact = coord.get("/activities/overdue/no-contact").get_data(as_text=True)
    assert "紧急娃" in no_contact and "从未联系" in no_contact
    no_carer = coord.get("/activities/overdue/no-carer").get_data(as_text=True)
    assert "紧急娃" in no_carer and world.a.pupil.name in no_carer and world.a.child.name not in no_carer
    assert world.b.child.name not in coord.get("/activities/overdue/pairs").get_data(as_text=True)

    make_log(world.user("volunteer"), world.a.child, "visit")
    make_log(world.user("village_director"), urgent, "talk")
    db.session.commit()
    listing = coord.get(f"/activities/overdue/pairs?village={world.a.village.id}").get_data(as_text=True)
    assert world.a.child.name not in listing
    assert "紧急娃" not in coord.get("/activities/overdue/no-contact").get_data(as_text=True)


def test_director_sees_only_the_village(login, world, db):
    other_village = factories.division("522626101202", "另一村", world.a.township)
    kid = factories.child(other_village, name="邻村娃")
    factories.pair(kid, factories.volunteer(other_village, world.a.federation, name="邻村志愿者"))
    db.session.commit()
    statuses = queries.pair_statuses(world.user("village_director"), today_cn())
    assert {s.child_name for s in statuses} == {world.a.child.name}
    coord = queries.pair_statuses(world.user("coordinator"), today_cn())
    assert {s.child_name for s in coord} == {world.a.child.name, "邻村娃"}


def test_the_coordinator_query_does_not_grow_with_the_number_of_pairs(world, db):
    def count_queries(user):
        user.division.path  # loaded before counting, as the request's user is
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            queries.pair_statuses(user, today_cn())
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    db.session.commit()
    few = count_queries(world.user("coordinator"))
    for n in range(25):
        kid = factories.child(world.a.village, name=f"儿童{n}")
        vol = factories.volunteer(world.a.village, world.a.federation, name=f"志愿者{n}")
        factories.pair(kid, vol)
        make_log(world.user("coordinator"), kid, "talk", for_pair=True)
    db.session.commit()
    assert count_queries(world.user("coordinator")) == few <= 4


def test_coordinators_change_the_rules_for_their_region(login, world, db):
    pair = _pair_of(db, world.a.child)
    start_pair_on(pair, days_ago(3))
    make_log(world.user("volunteer"), world.a.child, "talk", on=days_ago(1))
    db.session.commit()
    coord = login("coordinator")
    page = coord.get("/activities/rules").get_data(as_text=True)
    assert "爱心妈妈" in page and "教师代理家长" in page and "系统默认" in page
    response = coord.post(f"/activities/rules?division={world.a.county.id}", {
        "volunteer_kind": "loving_mother", "loving_mother-talk_every": "week",
        "loving_mother-visit_every": "month", "loving_mother-first_visit_days": "3",
        "loving_mother-holiday_reminders": "y"}, token_from="/activities/rules")
    assert response.status_code == 302
    rule = db.session.scalar(sa.select(CadenceRule))
    assert (rule.division_id, rule.talk_every, rule.visit_every, rule.first_visit_days) == (
        world.a.county.id, "week", "month", 3)
    assert RuleBook().for_path(world.a.village.path)["loving_mother"] == Rule(
        talk_every="week", visit_every="month", first_visit_days=3, talk_term_only=False)
    assert RuleBook().for_path(world.b.village.path)["loving_mother"] == Rule()
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "cadence_rule.save"))
    assert entry.detail["after"]["talk_every"] == "week" and entry.detail["before"] is None
    assert coord.get(f"/activities/rules?division={world.b.county.id}").status_code == 404
    assert login("village_director").get("/activities/rules").status_code == 403
