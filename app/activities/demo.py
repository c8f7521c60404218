"""Demo care activity for the demo county: a few months of talks, visits and holiday activities
for the existing pairs (a few pairs left overdue), one open mandatory-report case, and a weekly
四点半课堂 with attendance. Deterministic for a given seed and day."""
from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from app.activities.cadence import DEFAULT_RULES
from app.activities.cases import open_case, record_reports
from app.activities.models import CareLog, EventAttendance, SchoolEvent
from app.activities.periods import MID_AUTUMN, in_term, next_period, period_of
from app.activities.queries import paired_on
from app.core.dates import CHINA, today_cn
from app.core.models import Organisation, utcnow
from app.extensions import db
from app.auth.models import User
from app.children.models import Child
from app.matching.models import Pair
from app.volunteers.models import Volunteer

TALKS = [
    "聊了这周在学校的情况，数学小测验进步了，很开心。",
    "孩子说想念在广东打工的妈妈，约好周末一起给妈妈打视频电话。",
    "问了作业完成情况，奶奶说孩子晚上看电视到很晚，和孩子约定九点前睡觉。",
    "孩子和同桌闹了点矛盾，聊了怎么和同学相处。",
    "天气转冷，提醒孩子添衣服，问了学校食堂吃得好不好。",
    "孩子说最近喜欢画画，答应下次带彩笔来。",
    "电话里孩子话不多，说有点累，下周上门看看。",
]
MOODS = ["happy", "calm", "calm", "calm", "lonely", "happy", "anxious"]
VISIT_NOTES = [
    ("房屋是砖木结构，屋里整洁，冬天有电烤炉取暖。", "情绪稳定，见到我很高兴。", "作业基本能完成，语文较弱。"),
    ("厨房灶台旁的电线老化，已提醒爷爷请电工更换。", "有点内向，聊了一会儿就放开了。", "成绩中等，数学需要辅导。"),
    ("家里米和菜充足，饮用自来水。", "说想爸爸妈妈，晚上有时会哭。", "期中考试进步明显。"),
    ("住房较旧但安全，门锁完好。", "开朗活泼，主动带我看了他养的小鸡。", "按时上学，老师反映表现不错。"),
]
SKIP_RATE = 0.12  # periods without a log, as in real ledgers
OVERDUE_EVERY = 9  # every 9th pair has let its latest deadlines pass


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _day_in(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _periods(every: str, start: date, today: date, term_only: bool = False):
    """The periods from the one holding ``start`` to the one holding ``today``."""
    period = period_of(every, start)
    while period.start <= today:
        if not term_only or in_term(period.start):
            yield period
        period = next_period(every, period)


def _log_dates(rng, every, start, today, term_only, stop_early) -> list[date]:
    dates = []
    periods = list(_periods(every, start, today, term_only))
    if stop_early:
        periods = periods[:-2]  # the last deadlines were missed
    for period in periods:
        first, last = max(period.start, start), min(period.end, today)
        if first <= last and rng.random() > SKIP_RATE:
            dates.append(_day_in(rng, first, last))
    return dates


def _add_log(rng, pair, author, kind, day, **fields) -> CareLog:
    log = CareLog(client_uuid=_uuid(rng), kind=kind, child_id=pair.child_id, pair_id=pair.id,
                  volunteer_id=pair.volunteer_id, author_id=author.id, occurred_on=day,
                  created_at=datetime.combine(day, time(20, 30), CHINA).astimezone(timezone.utc),
                  participants=["child"] if kind == "talk" else ["child", "guardian"], concerns=[], **fields)
    db.session.add(log)
    return log


def _seed_pair(rng, n, pair, author, today) -> int:
    rule = DEFAULT_RULES[pair.volunteer.kind]
    start = paired_on(pair.started_at, pair.created_at)
    stop_early = n % OVERDUE_EVERY == 4
    count = 0
    for day in _log_dates(rng, rule.talk_every, start, today, rule.talk_term_only, stop_early):
        _add_log(rng, pair, author, "talk", day, mode=rng.choice(["in_person", "phone", "phone", "video"]),
                 duration_minutes=rng.choice([15, 20, 30, 40]), content=rng.choice(TALKS), mood=rng.choice(MOODS))
        count += 1
    for day in _log_dates(rng, rule.visit_every, start, today, False, stop_early):
        living, emotions, study = rng.choice(VISIT_NOTES)
        safety = {"wiring": "problem" if "电线" in living else "ok", "doors": "ok", "water": "ok", "food": "ok"}
        _add_log(rng, pair, author, "visit", day, start_time=time(rng.choice([9, 10, 15, 16]), 0),
                 duration_minutes=rng.choice([45, 60, 90]), guardian_present=rng.random() < .85, safety=safety,
                 living_conditions=living, emotions=emotions, study=study, help_given="带去了文具和牛奶",
                 follow_up="下次带数学练习册" if rng.random() < .5 else None)
        count += 1
    festival = max((d for d in MID_AUTUMN.values() if d <= today), default=None)
    if festival and start <= festival <= today and rng.random() < .4:
        _add_log(rng, pair, author, "holiday", festival, mode="mid_autumn", duration_minutes=90,
                 content="一起做月饼、赏月，给孩子讲中秋的故事", place="村儿童之家")
        count += 1
    return count


def seed_activities(rng_seed: int = 20261122, today: date | None = None) -> dict[str, int]:
    """Create the demo activity data from the demo pairs; returns counts. Call once, then commit."""

    rng = random.Random(rng_seed)
    today = today or today_cn()
    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    coordinator = users["coordinator"]
    pairs = db.session.scalars(sa.select(Pair).where(Pair.status == "active").order_by(Pair.id)).all()
    logs, demo_pairs = 0, 0
    for n, pair in enumerate(pairs):
        if pair.volunteer.user_id == users["volunteer"].id:
            logs += _seed_demo_volunteer(rng, pair, users["volunteer"], today, first=demo_pairs == 0)
            demo_pairs += 1
        else:
            logs += _seed_pair(rng, n, pair, coordinator, today)
    db.session.flush()
    case = _seed_case(rng, users["director"], pairs)
    sessions = _seed_tutoring(rng, users["school"], users["volunteer"], today)
    return {"care_logs": logs, "cases": 1 if case else 0, "event_sessions": sessions}


def _seed_demo_volunteer(rng, pair, author, today, first: bool) -> int:
    """The demo volunteer's children: one talked to this month but overdue for a visit, the other
    visited last month with this month's talk still to do."""
    start = paired_on(pair.started_at, pair.created_at)
    if first:
        talk_day = max(start, today.replace(day=1))
        _add_log(rng, pair, author, "talk", talk_day, mode="phone", duration_minutes=20, content=TALKS[1],
                 mood="lonely", needs="想和妈妈视频")
        return 1
    last_month = today.replace(day=1) - timedelta(days=3)
    if last_month >= start:
        living, emotions, study = VISIT_NOTES[3]
        _add_log(rng, pair, author, "visit", last_month, start_time=time(15, 0), duration_minutes=60,
                 guardian_present=True, safety={"wiring": "ok", "doors": "ok", "water": "ok", "food": "ok"},
                 living_conditions=living, emotions=emotions, study=study, help_given="送了一件冬衣")
        return 1
    return 0


def _seed_case(rng, director, pairs):
    """An open mandatory report in the director's village, nobody has acknowledged it yet."""
    child = next((p.child for p in pairs if p.child.division_id == director.division_id), None)
    if child is None:
        return None
    log = CareLog(client_uuid=_uuid(rng), kind="visit", child_id=child.id, author_id=director.id,
                  occurred_on=today_cn(), start_time=time(9, 30), duration_minutes=40, guardian_present=False,
                  safety={"wiring": "ok", "doors": "problem", "water": "ok", "food": "problem"},
                  living_conditions="家中无人，灶台冷，米缸见底", emotions="孩子说爷爷住院三天了，一直一个人在家",
                  participants=["child"], concerns=["alone", "guardian_incapable"])
    db.session.add(log)
    db.session.flush()
    case = open_case(director, child, log, log.concerns, "爷爷住院，孩子独自在家三天，无人做饭")
    case.reported_at = utcnow() - timedelta(hours=6)
    record_reports(director, case, ["police"], case.reported_at + timedelta(minutes=10),
                   f"JJ{rng.randrange(10**8):08d}")
    case.escalated_at = utcnow() - timedelta(hours=2)
    return case


def _seed_tutoring(rng, school_user, volunteer_user, today) -> int:
    """A weekly 四点半课堂 on Wednesdays: six past sessions with attendance, four to come."""

    school: Organisation = school_user.organisation
    pupils = db.session.scalars(sa.select(Child).where(Child.school_id == school.id, Child.status == "active")
                                .order_by(Child.id).limit(15)).all()
    helpers = db.session.scalars(sa.select(Volunteer).where(
        sa.or_(Volunteer.organisation_id == school.id, Volunteer.user_id == volunteer_user.id),
        Volunteer.status == "approved").order_by(Volunteer.id).limit(4)).all()
    wednesday = today - timedelta(days=(today.weekday() - 2) % 7)
    series = _uuid(rng)
    codes = set(db.session.scalars(sa.select(SchoolEvent.checkin_code)))
    for n in range(-6, 4):
        code = f"{rng.randrange(10**6):06d}"
        while code in codes:
            code = f"{rng.randrange(10**6):06d}"
        codes.add(code)
        day = wednesday + timedelta(weeks=n)
        past = day < today
        event = SchoolEvent(series_key=series, kind="tutoring", title="四点半课堂（作业辅导）",
                            organisation_id=school.id, division_id=school.division_id,
                            starts_at=datetime.combine(day, time(16, 30), CHINA), duration_minutes=90,
                            place=f"{school.name}图书室", organiser=school_user.display_name,
                            checkin_code=code, created_by_id=school_user.id,
                            summary=f"辅导作业，{len(pupils)}名学生参加，志愿者讲解了数学应用题。" if past else None)
        db.session.add(event)
        db.session.flush()
        for child in pupils:
            came = past and rng.random() < .85
            db.session.add(EventAttendance(event_id=event.id, child_id=child.id, attended=came,
                                           method="list" if came else None))
        for vol in helpers:
            came = past and rng.random() < .8
            db.session.add(EventAttendance(event_id=event.id, volunteer_id=vol.id, attended=came,
                                           method=rng.choice(["list", "code"]) if came else None))
    return 10
