"""有效监护率 is reported apart from pairing coverage: a volunteer pair is not guardianship."""
from datetime import timedelta

from app.core.dates import today_cn
from app.protection import services
from tests import factories


def _quarter():
    d = today_cn()
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def _region(world):
    from app.reports.scope import resolve_region

    return resolve_region(None, division_id=world.a.county.id)


def test_a_paired_child_without_guardian_counts_for_coverage_but_not_for_guardianship(world, db, login):
    from app.reports import assessment, roster_stats
    from app.reports.common import quarter_period

    alone = factories.child(world.a.village, name="独居", guardianship_type="none", guardian_name=None)
    factories.pair(alone, world.a.volunteer)
    weak = factories.child(world.a.village, name="监护差", guardianship_type="entrusted_weak")
    db.session.commit()
    period = quarter_period(_quarter())
    a = assessment.build(_region(world), period)
    # 4 children: the paired child (a grandmother, fair), the pupil (fair), the two above
    assert a.coverage["children"] == 4 and a.coverage["effective"] == 2 and a.coverage["effective_pct"] == "50.0%"
    assert a.coverage["with_carer"] == 2  # the paired child and the child alone: pairs, not guardians
    no_guardian = next(r for r in a.priority if r["label"] == "无人监护")
    assert (no_guardian["count"], no_guardian["effective"], no_guardian["covered"]) == (1, 0, 1)
    stats = roster_stats.build(_region(world), period)
    assert stats.checks.ok and stats.total["effective"] == 2 and stats.total["with_carer"] == 2
    assert "已落实关爱人" not in dict(roster_stats.COLUMNS).values()

    # the gap closed later than the quarter's end did not give the child a guardian in the quarter
    gap = services.open_item(None, weak, "gap", "entrusted_weak", on_date=today_cn() - timedelta(days=1))
    services.close_gap(None, gap, "entrusted", today_cn(), services.GuardianInput("张叔", "叔叔", confirmed=True))
    gap.outcome_on = period.end + timedelta(days=1)
    db.session.commit()
    assert roster_stats.build(_region(world), period).total["effective"] == 2
    gap.outcome_on = period.end
    db.session.commit()
    assert roster_stats.build(_region(world), period).total["effective"] == 3

    dashboard = login("coordinator").get(f"/reports/dashboard?division={world.a.county.id}")
    html = dashboard.get_data(as_text=True)
    assert dashboard.status_code == 200 and "有效监护率" in html and "75.0%" in html
