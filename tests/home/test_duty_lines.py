"""The six responsibilities on the home page: each line counts the user's scope only, is most
urgent when overdue, links to the list that shows the same rows, and goes when the work is done."""
from datetime import timedelta

from app.activities import cases as case_service
from app.core.dates import today_cn
from app.home import todo
from app.protection import agreements, measures, services
from tests.protection.helpers import agreement_input


def by_key(user):
    return {i.key: i for i in todo.todo_for(user, today_cn())}


def test_director_sees_her_open_items_with_deadlines_and_they_go_when_done(world, db, login):
    director, a, today = world.user("village_director"), world.a, today_cn()
    gap = services.open_item(director, a.child, "gap", "none")
    services.open_item(director, a.pupil, "dropout", "dropped_out", on_date=today - timedelta(days=40))
    services.open_item(director, a.child, "finding", "hazard", summary="电线裸露")
    services.open_item(director, a.child, "finding", "need", summary="冬衣")
    services.open_item(world.user("village_director", "b"), world.b.child, "gap", "none")  # not hers
    db.session.commit()
    lines = by_key(director)
    assert lines["duties.gaps.none"].count == 1 and lines["duties.gaps.none"].urgency == todo.HIGH
    assert lines["duties.gaps.none"].due == gap.deadline
    assert lines["duties.dropout"].urgency == todo.HIGH and "1 项已逾期" in lines["duties.dropout"].detail
    assert lines["duties.hazards"].count == 1 and lines["duties.findings"].count == 1
    assert lines["duties.agreements.missing"].count == 2  # the child and the pupil: both parents away
    assert "duties.hukou" not in lines and "duties.gaps" not in lines
    html = login("village_director").get("/").get_data(as_text=True)
    assert "无人监护儿童，须7天内落实监护" in html and 'href="/duties/?kind=gap&amp;reason=none"' in html
    assert "未签订委托监护责任确认书的儿童" in html
    # the same rows on the linked list
    listing = login("village_director").get("/duties/?kind=gap&reason=none").get_data(as_text=True)
    assert a.child.name in listing and world.b.child.name not in listing
    # done: the lines go
    services.close_gap(director, gap, "entrusted", today, services.GuardianInput("王姑姑", "姑姑", confirmed=True))
    for c in (a.child, a.pupil):
        agreements.record(director, c, agreement_input(guardian_name=c.guardian_name,
                                                        guardian_relation=c.guardian_relation))
    db.session.commit()
    lines = by_key(director)
    assert "duties.gaps.none" not in lines and "duties.agreements.missing" not in lines


def test_agreements_to_renew_and_measures_due(world, db, login):
    director, today = world.user("village_director"), today_cn()
    agreements.record(director, world.a.child, agreement_input(valid_until=today + timedelta(days=10)))
    case = case_service.open_case(world.user("volunteer"), world.a.child, None, ["alone"], "独自在家")
    measures.add_measure(director, case, "referral_psych", today, status="planned", due_on=today + timedelta(days=3))
    measures.add_measure(director, case, "referral_legal", today, status="planned", due_on=today + timedelta(days=30))
    db.session.commit()
    lines = by_key(director)
    renew = lines["duties.agreements.renew"]
    assert renew.count == 1 and renew.due == today + timedelta(days=10) and renew.urgency == todo.NORMAL
    assert lines["duties.measures"].count == 1 and lines["duties.measures"].due == today + timedelta(days=3)
    assert "duties.measures" not in by_key(world.user("village_director", "b"))
    listing = login("village_director").get(lines["duties.measures"].url).get_data(as_text=True)
    assert listing.count('class="primary"') == 2  # every pending one, the soonest first
    assert listing.index("转介：心理疏导") < listing.index("转介：法律援助")


def test_school_staff_and_supervisor_lines_follow_their_scope(world, db, login):
    director = world.user("village_director")
    services.open_item(director, world.a.pupil, "dropout", "dropped_out")
    services.open_item(director, world.a.child, "hukou", "no_hukou")  # not a pupil of school_a
    services.open_item(director, world.a.child, "gap", "none")
    db.session.commit()
    school = by_key(world.user("school_staff"))
    assert school["duties.dropout"].count == 1 and "duties.hukou" not in school and "duties.gaps.none" not in school
    supervisor = by_key(world.user("township_supervisor"))
    assert {"duties.dropout", "duties.hukou", "duties.gaps.none"} <= set(supervisor)
    assert not {"duties.dropout", "duties.gaps.none"} & set(by_key(world.user("township_supervisor", "b")))
    html = login("township_supervisor").get("/").get_data(as_text=True)
    assert "辍学儿童待劝返复学" in html and "/duties/?kind=dropout" in html
