"""Cadence compliance for a period, by the platform's own rules (the ones the today page applies,
:mod:`app.activities.cadence`): each pair is held to the rule of its volunteer's kind as resolved
for the child's village (regional overrides win), teachers' weekly talks only in term time, and a
priority child's first home visit within its working-day limit.

An obligation is judged only when its whole window lies inside the period up to its last day
(today while it runs) and the pair was active for all of it; the first window follows the
engine's 7-day grace. A visit counts as that window's talk. A pair complies when it met every
obligation judged; pairs with nothing to judge are left out of the denominators.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.activities.cadence import GRACE_DAYS
from app.activities.models import CareLog
from app.activities.periods import add_working_days, in_term, next_period, period_of
from app.activities.services import RuleBook
from app.children.models import Child
from app.core.dates import CHINA
from app.core.models import Division
from app.extensions import db
from app.matching.models import Pair
from app.reports.common import Period, pct, pct_text
from app.reports.scope import Region, places, subtree_ids
from app.volunteers.models import VOLUNTEER_KINDS, Volunteer

OBLIGATIONS = {"talk": "谈心", "visit": "入户看望", "first_visit": "重点对象首次看望"}
PERIOD_NAMES = {"week": "周", "month": "月", "quarter": "季度", "term": "学期"}


@dataclass
class PairResult:
    pair_id: int
    child: str
    village: str
    township_id: int | None
    township: str
    volunteer: str
    kind: str
    judged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    met: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    missed: list[str] = field(default_factory=list)

    @property
    def counted(self) -> bool:
        return any(self.judged.values())

    @property
    def compliant(self) -> bool:
        return self.counted and not self.missed


@dataclass
class Compliance:
    obligations: list[dict]  # per obligation: label, due, met, pct, pct_text
    by_kind: list[dict]  # per volunteer kind: label, rule, pairs, compliant, pct_text
    by_township: list[dict]
    total: dict
    failing: list[dict]  # the non-compliant pairs: child, village, volunteer, kind, missed


def _windows(every: str, paired_on: date, ended_on: date | None, start: date, end: date, term_only: bool):
    """The obligation windows of ``every`` to judge: whole inside [start, end], from the pair's
    first window (grace included) and not after it ended."""
    if every == "none":
        return
    first = period_of(every, paired_on)
    if (first.end - paired_on).days + 1 <= GRACE_DAYS:
        first = next_period(every, first)
    window = max(first, period_of(every, start))
    for _ in range(600):
        if window.end > end:
            return
        if window.start >= start and (ended_on is None or ended_on >= window.end) and (
                not term_only or in_term(window.start)):
            yield window
        window = next_period(every, window)


def _label(every: str, window) -> str:
    if every == "month":
        return f"{window.start.year}年{window.start.month}月"
    if every == "week":
        return f"{window.start.month}月{window.start.day}日当周"
    if every == "quarter":
        return f"{window.start.year}年第{(window.start.month - 1) // 3 + 1}季度"
    return f"{window.start.month}月{window.start.day}日起学期"


def _china_day(value) -> date | None:
    return value.astimezone(CHINA).date() if value is not None else None


def evaluate(region: Region, period: Period, as_of: date) -> Compliance:
    """Compliance of ``region``'s pairs for ``period``, judged on what was logged by ``as_of``."""
    end = min(period.end, as_of)
    labels = places(region)
    book = RuleBook()
    rows = db.session.execute(
        sa.select(Pair.id, Pair.started_at, Pair.created_at, Pair.ended_at, Child.name, Child.tier,
                  Child.division_id, Division.path, Volunteer.name, Volunteer.kind)
        .join(Child, Child.id == Pair.child_id).join(Division, Division.id == Child.division_id)
        .join(Volunteer, Volunteer.id == Pair.volunteer_id)
        .where(Pair.status != "proposed", Child.division_id.in_(subtree_ids(region)))
        .order_by(Pair.id)).all()
    logs: dict[int, list[tuple[str, date]]] = defaultdict(list)
    ids = [r.id for r in rows]
    for start in range(0, len(ids), 5000):
        for pair_id, kind, day in db.session.execute(
                sa.select(CareLog.pair_id, CareLog.kind, CareLog.occurred_on)
                .where(CareLog.pair_id.in_(ids[start:start + 5000]), CareLog.occurred_on <= end)):
            logs[pair_id].append((kind, day))
    results = []
    for r in rows:
        paired_on = _china_day(r.started_at or r.created_at)
        ended_on = _china_day(r.ended_at)
        if paired_on > end or (ended_on is not None and ended_on < period.start):
            continue
        place = labels.get(r.division_id)
        res = PairResult(r.id, r.name, place.label if place else "", place.township_id if place else None,
                         place.township if place else "", r[8], r.kind)
        rule = book.for_path(r.path).get(r.kind)
        if rule is None:
            continue
        own = [(k, d) for k, d in logs[r.id] if d >= paired_on]
        for obligation, every, kinds, term_only in (("talk", rule.talk_every, ("talk", "visit"), rule.talk_term_only),
                                                    ("visit", rule.visit_every, ("visit",), False)):
            for window in _windows(every, paired_on, ended_on, period.start, end, term_only):
                res.judged[obligation] += 1
                if any(k in kinds and d in window for k, d in own):
                    res.met[obligation] += 1
                else:
                    res.missed.append(f"{_label(every, window)}{OBLIGATIONS[obligation]}")
        if r.tier in ("urgent", "key") and rule.first_visit_days > 0:
            deadline = add_working_days(paired_on, rule.first_visit_days)
            if period.start <= deadline <= end:
                res.judged["first_visit"] += 1
                if any(k == "visit" and paired_on <= d <= deadline for k, d in own):
                    res.met["first_visit"] += 1
                else:
                    res.missed.append(f"{OBLIGATIONS['first_visit']}（{rule.first_visit_days}个工作日内）")
        results.append(res)
    return _summarise(results, book, region)


def _rate(pairs: list[PairResult]) -> dict:
    counted = [p for p in pairs if p.counted]
    ok = sum(p.compliant for p in counted)
    return {"pairs": len(counted), "compliant": ok, "pct": pct(ok, len(counted)), "pct_text": pct_text(pct(ok, len(counted)))}


def _rule_text(rule) -> str:
    talk = "不要求谈心" if rule.talk_every == "none" else f"每{PERIOD_NAMES[rule.talk_every]}谈心" + (
        "（学期内）" if rule.talk_term_only else "")
    visit = "不要求看望" if rule.visit_every == "none" else f"每{PERIOD_NAMES[rule.visit_every]}入户看望"
    first = f"；重点对象{rule.first_visit_days}个工作日内首次看望" if rule.first_visit_days else ""
    return f"{talk}、{visit}{first}"


def _summarise(results: list[PairResult], book: RuleBook, region: Region) -> Compliance:
    obligations = []
    for code, label in OBLIGATIONS.items():
        due = sum(p.judged[code] for p in results)
        met = sum(p.met[code] for p in results)
        obligations.append({"label": label, "due": due, "met": met, "pct": pct(met, due),
                            "pct_text": pct_text(pct(met, due))})
    default_rules = book.for_path(region.path)
    by_kind = [{"label": label, "rule": _rule_text(default_rules[code]) if code in default_rules else "",
                **_rate([p for p in results if p.kind == code])} for code, label in VOLUNTEER_KINDS.items()]
    towns: dict[int | None, list[PairResult]] = defaultdict(list)
    names: dict[int | None, str] = {}
    for p in results:
        towns[p.township_id].append(p)
        names[p.township_id] = p.township or "（未分乡镇）"
    by_township = [{"label": names[t], **_rate(ps)} for t, ps in sorted(towns.items(), key=lambda kv: names[kv[0]])]
    failing = [{"child": p.child, "village": p.village, "volunteer": p.volunteer,
                "kind": VOLUNTEER_KINDS.get(p.kind, p.kind), "missed": "、".join(p.missed)}
               for p in sorted(results, key=lambda p: (p.township, p.village, p.pair_id)) if p.counted and p.missed]
    return Compliance(obligations, by_kind, by_township, _rate(results), failing)
