"""The assessor's sample (抽样核查): draw a reproducible random sample of a region's children per
village, record the verification of each sampled record (a call or a visit), and the report of
the discrepancy rate per village. Services take the acting user, flush, audit, never commit.
"""
from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.children.models import Child
from app.core import audit
from app.core.dates import CHINA, today_cn
from app.core.i18n import N_
from app.core.models import Division, utcnow
from app.extensions import db
from app.reports.common import Checks, ParameterError, Period, cn_date, pct, pct_text
from app.reports.models import CHECK_METHODS, DISCREPANCIES, VerificationItem, VerificationSample
from app.reports.roster_stats import as_of_day, on_roster
from app.reports.scope import Region, places, subtree_ids, villages

MAX_PER_VILLAGE = 50
NOTE_MAX = 500


class SampleError(ParameterError):
    """A sample or a verification that cannot be recorded; ``field`` names the form field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def roster_by_village(region: Region, day: date) -> dict[int, list[int]]:
    """village id → ids of the children on ``region``'s roster on ``day``, in id order."""
    _, end_utc = Period(day, day, "").utc_bounds()
    registered = sa.or_(Child.registered_on <= day, sa.and_(Child.registered_on.is_(None), Child.created_at < end_utc))
    rows = on_roster(db.session.execute(
        sa.select(Child.id, Child.status, Child.closed_at, Child.division_id)
        .where(registered, Child.division_id.in_(subtree_ids(region))).order_by(Child.id)).all(), day)
    out: dict[int, list[int]] = {}
    for r in rows:
        out.setdefault(r.division_id, []).append(r.id)
    return out


def pick(seed: int, village_code: str, ids: list[int], n: int) -> list[int]:
    """The sample of one village: the same seed, village and roster always give the same children
    (a generator seeded per village, so adding a village elsewhere changes nothing here)."""
    rng = random.Random(f"{seed}:{village_code}")
    return sorted(rng.sample(ids, min(n, len(ids))))


def draw(actor, region: Region, period: Period, per_village: int, seed: int | None = None) -> VerificationSample:
    """Draw up to ``per_village`` children of each village of ``region`` from the roster of the
    period's last day (today while it runs), with ``seed`` (a new random one when None).

    :raise SampleError: a sample size outside 1–50, a negative seed.
    """
    if not 1 <= per_village <= MAX_PER_VILLAGE:
        raise SampleError("per_village", N_("每村抽取人数应为1到50"))
    if seed is None:
        seed = secrets.randbelow(10**9)
    elif not 0 <= seed < 10**12:
        raise SampleError("seed", N_("随机种子应为0到999999999999之间的整数"))
    day = as_of_day(period)
    sample = VerificationSample(division_id=region.division_id, period=period.as_param(), period_label=period.label,
                                as_of=day, seed=seed, per_village=per_village, drawn_by_id=getattr(actor, "id", None))
    db.session.add(sample)
    roster = roster_by_village(region, day)
    listed = villages(region)
    codes = dict(db.session.execute(sa.select(Division.id, Division.code).where(
        Division.id.in_([v.id for v in listed]))).all())
    position = 0
    for village in listed:
        for child_id in pick(seed, codes[village.id], roster.get(village.id, []), per_village):
            position += 1
            sample.items.append(VerificationItem(child_id=child_id, village_id=village.id, position=position,
                                                 discrepancies=[]))
    db.session.flush()
    audit.record("sample.draw", sample, user=actor, detail={"division_id": region.division_id, "period": sample.period,
                                                            "seed": seed, "per_village": per_village,
                                                            "children": position})
    return sample


@dataclass
class CheckInput:
    method: str
    checked_on: date | None
    reached: bool
    care_confirmed: bool
    discrepancies: list[str] = field(default_factory=list)
    note: str = ""


def record_check(actor, item: VerificationItem, data: CheckInput) -> VerificationItem:
    """Record how ``item`` was verified (a later record replaces an earlier one, audited).

    :raise SampleError: an unknown method or finding, no date, a date in the future or before
        the sample was drawn, a confirmation without reaching the family, a note too long.
    """
    _validate(item, data)
    before = {"method": item.method, "checked_on": item.checked_on.isoformat() if item.checked_on else None,
              "reached": item.reached, "care_confirmed": item.care_confirmed, "discrepancies": item.discrepancies}
    item.method, item.checked_on, item.reached = data.method, data.checked_on, data.reached
    item.care_confirmed = data.care_confirmed if data.reached else None
    item.discrepancies = list(dict.fromkeys(data.discrepancies))
    item.note = data.note.strip() or None
    item.checked_by_id, item.checked_at = getattr(actor, "id", None), utcnow()
    db.session.flush()
    audit.record("sample.check", item, user=actor, detail={"sample_id": item.sample_id, "child_id": item.child_id,
                                                           "before": before, "method": data.method,
                                                           "reached": data.reached,
                                                           "discrepancies": item.discrepancies})
    return item


def _validate(item: VerificationItem, data: CheckInput) -> None:
    if data.method not in CHECK_METHODS:
        raise SampleError("method", N_("请选择核实方式（电话或入户）"))
    if data.checked_on is None:
        raise SampleError("checked_on", N_("请填写核实日期"))
    if data.checked_on > today_cn():
        raise SampleError("checked_on", N_("核实日期不能晚于今天"))
    if data.checked_on < item.sample.drawn_at.astimezone(CHINA).date():
        raise SampleError("checked_on", N_("核实日期不能早于抽样日期"))
    if not set(data.discrepancies) <= set(DISCREPANCIES):
        raise SampleError("discrepancies", N_("不符情况无效"))
    if data.care_confirmed and not data.reached:
        raise SampleError("care_confirmed", N_("未联系上时不能确认关爱情况"))
    if len(data.note or "") > NOTE_MAX:
        raise SampleError("note", N_("说明最多500字"))


def latest_sample(division_id: int, period: Period) -> VerificationSample | None:
    return db.session.scalar(sa.select(VerificationSample).where(
        VerificationSample.division_id == division_id, VerificationSample.period == period.as_param())
        .order_by(VerificationSample.id.desc()))


@dataclass
class VillageResult:
    label: str
    roster: int = 0
    sampled: int = 0
    checked: int = 0
    reached: int = 0
    confirmed: int = 0
    differing: int = 0

    @property
    def rate(self) -> float | None:
        """The discrepancy rate: records found differing among those verified."""
        return pct(self.differing, self.checked)

    @property
    def rate_text(self) -> str:
        return pct_text(self.rate)


COUNTS = ("roster", "sampled", "checked", "reached", "confirmed", "differing")


@dataclass
class SampleReport:
    region: str
    period: str
    as_of: str
    seed: int
    per_village: int
    drawn_on: str
    villages: list[VillageResult]
    items: list[list[object]]
    total: VillageResult = field(default_factory=lambda: VillageResult("合计"))
    checks: Checks = field(default_factory=Checks)


def build(region: Region, period: Period) -> SampleReport:
    """The verification results of the latest sample of ``region`` for ``period``.

    :raise ParameterError: no sample drawn yet for this region and period.
    """
    sample = latest_sample(region.division_id, period)
    if sample is None:
        raise ParameterError(N_("该地区该期间尚未抽样：请先在“抽样核查”页面抽取样本"))
    roster = roster_by_village(region, sample.as_of)
    labels = {p.id: p.label for p in places(region).values()}
    results = {v.id: VillageResult(v.label, roster=len(roster.get(v.id, []))) for v in villages(region)}
    names = dict(db.session.execute(sa.select(Child.id, Child.name).where(
        Child.id.in_([i.child_id for i in sample.items]))).all())
    rows = []
    for item in sample.items:
        v = results.setdefault(item.village_id, VillageResult(labels.get(item.village_id, "")))
        v.sampled += 1
        differs = bool(item.discrepancies)
        if item.method:
            v.checked += 1
            v.reached += bool(item.reached)
            v.confirmed += bool(item.care_confirmed)
            v.differing += differs
        rows.append(_item_row(item, v.label, names.get(item.child_id, "")))
    report = SampleReport(region.name, period.label, cn_date(sample.as_of), sample.seed, sample.per_village,
                          cn_date(sample.drawn_at), list(results.values()), rows)
    for name in COUNTS:
        setattr(report.total, name, sum(getattr(v, name) for v in report.villages))
    report.checks.add("抽取：各村之和 = 样本人数", len(sample.items), report.total.sampled)
    report.checks.add("已核实：各村之和 = 明细中已核实", sum(1 for r in rows if r[4]), report.total.checked)
    return report


def _item_row(item: VerificationItem, village: str, name: str) -> list[object]:
    """序号, 村, 姓名, 核实方式, 核实日期, 联系上, 关爱属实, 不符情况, 说明."""
    yes_no = {True: "是", False: "否", None: ""}
    return [item.position, village, name, CHECK_METHODS.get(item.method or "", ""),
            cn_date(item.checked_on) if item.checked_on else "", yes_no[item.reached] if item.method else "",
            yes_no[item.care_confirmed] if item.method else "",
            "、".join(DISCREPANCIES[d] for d in item.discrepancies) if item.method else "未核实",
            item.note or ""]


def figures(r: SampleReport) -> list[tuple[str, object]]:
    t = r.total
    return [("随机种子", r.seed), ("每村抽取", r.per_village), ("抽取人数", t.sampled), ("已核实", t.checked),
            ("有不符", t.differing), ("不符率", t.rate_text)]

