"""Cadence compliance by the platform's own rules: per volunteer kind, regional overrides, first
visits for priority children; by kind and township, with the non-compliant pairs listed."""
import uuid
from datetime import date, datetime, time, timedelta

from app.core.dates import CHINA
from tests.reports.test_period_truth import _previous_quarter


def _log(world, kind, day):
    from app.activities.models import CareLog
    from app.extensions import db

    r = world.a
    db.session.add(CareLog(client_uuid=str(uuid.uuid4()), kind=kind, mode="phone" if kind == "talk" else None,
                           child_id=r.child.id, pair_id=r.pair.id, volunteer_id=r.volunteer.id,
                           author_id=r.users["volunteer"].id, occurred_on=day, duration_minutes=30, content="谈心",
                           participants=["child"], concerns=[]))


def _setup(world, kind: str, started: date | None = None, tier: str = "normal"):
    """A pair of ``kind`` made before the previous quarter, a talk in each of its months and one
    home visit: enough for the default monthly-talk + quarterly-visit rule."""
    from app.extensions import db

    _, period = _previous_quarter()
    r = world.a
    r.volunteer.kind = kind
    r.child.tier = tier
    r.pair.status = "active"
    r.pair.started_at = datetime.combine(started or period.start - timedelta(days=60), time(9), CHINA)
    for m in range(3):
        month_start = date(period.start.year, period.start.month + m, 1)
        _log(world, "talk", month_start + timedelta(days=9))
    _log(world, "visit", period.start + timedelta(days=14))
    db.session.commit()
    return period


def _evaluate(world, period):
    from app.reports import compliance
    from app.reports.scope import resolve_region

    return compliance.evaluate(resolve_region(None, division_id=world.a.county.id), period, period.end)


def test_a_monthly_talk_and_a_visit_satisfy_the_default_rule(world):
    period = _setup(world, "loving_mother")
    result = _evaluate(world, period)
    assert result.total == {"pairs": 1, "compliant": 1, "pct": 100.0, "pct_text": "100.0%"}
    assert result.failing == []
    talk = next(o for o in result.obligations if o["label"] == "谈心")
    assert (talk["due"], talk["met"]) == (3, 3)


def test_regional_override_is_applied(world):
    from app.activities.models import CadenceRule
    from app.extensions import db

    period = _setup(world, "loving_mother")
    db.session.add(CadenceRule(division_id=world.a.county.id, volunteer_kind="loving_mother", talk_every="week",
                               talk_term_only=False, visit_every="quarter", first_visit_days=5))
    db.session.commit()
    result = _evaluate(world, period)
    assert result.total["compliant"] == 0 and len(result.failing) == 1
    talk = next(o for o in result.obligations if o["label"] == "谈心")
    assert talk["due"] >= 12 and talk["met"] == 4  # three talks and the visit (a visit is also a talk)
    assert "当周谈心" in result.failing[0]["missed"]
    row = next(k for k in result.by_kind if k["label"] == "爱心妈妈")
    assert row["pairs"] == 1 and row["compliant"] == 0 and "每周谈心" in row["rule"]


def test_teachers_are_held_to_their_weekly_term_time_rule(world):
    from app.activities.periods import in_term, period_of

    period = _setup(world, "teacher")
    result = _evaluate(world, period)
    weeks = set()
    day = period.start
    while day <= period.end:
        week = period_of("week", day)
        if week.start >= period.start and week.end <= period.end and in_term(week.start):
            weeks.add(week)
        day += timedelta(days=1)
    talk = next(o for o in result.obligations if o["label"] == "谈心")
    assert talk["due"] == len(weeks)
    if len(weeks) > 3:  # three talks cannot cover every term week
        assert result.failing and result.failing[0]["volunteer"] == world.a.volunteer.name
        assert "当周谈心" in result.failing[0]["missed"]


def test_priority_child_first_visit_within_working_days(world):
    _, period = _previous_quarter()
    started = period.start + timedelta(days=20)
    _setup(world, "loving_mother", started=started, tier="key")
    result = _evaluate(world, period)
    first = next(o for o in result.obligations if o["label"] == "重点对象首次看望")
    assert first["due"] == 1 and first["met"] == 0  # the visit was before the pairing
    assert "重点对象首次看望" in result.failing[0]["missed"]
    town = result.by_township[0]
    assert town["label"] == world.a.township.name and town["pairs"] == 1


def test_assessment_uses_the_compliance(world, tmp_path):
    from app.reports import assessment
    from app.reports.scope import resolve_region

    period = _setup(world, "loving_mother")
    a = assessment.build(resolve_region(None, division_id=world.a.county.id), period)
    assert a.cadence[-1]["label"] == "结对全部达标" and a.cadence[-1]["done"] == 1
    assert a.compliance.total["pairs"] == 1
