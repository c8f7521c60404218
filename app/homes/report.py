"""儿童之家运营评估: the issued report (PDF and Excel) for the running-subsidy assessment of every
儿童之家 in a county, township or village (seed 003 篇四: "根據其服務農村留守兒童和困境兒童數量和質量，
在第三方評估的基礎上…給予日常運營補貼").

True for its period: only homes opened by the period's last day are listed; the "8有" state is
the one recorded last on or before that day (read back from the audit log, since the checklist
itself only holds today's state); evidence photos count when uploaded by then and not deleted
by then; sessions count when held inside the period (its day has come and somebody came, as in
:func:`app.homes.services.service_counts`). Every total is the sum of the rows above it, and the
report carries the checks that say so (computed from a second, independent query).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from app.activities.periods import Period as DayRange
from app.core.audit import AuditEntry
from app.core.dates import CHINA
from app.core.i18n import N_
from app.core.models import Organisation
from app.extensions import db
from app.homes.models import CHECKLIST, ChildrenHome, HomeEvidence
from app.homes.services import held_sessions, service_counts
from app.reports.common import Checks, Period, ReportMeta, cn_date, duration_text, exact_hours
from app.reports.kind import Kind, Prepared
from app.reports.scope import Region, places, subtree_ids

TITLE = "儿童之家运营评估表"
#: the Chinese labels are printed as such (reports are official Chinese documents)
CHECK_LABELS = {"sign": "有统一标牌", "premises": "有固定场所", "equipment": "有完善设备", "staff": "有人员管理",
                "files": "有儿童档案", "plan": "有活动计划", "ledger": "有活动台账", "funds": "有经费保障"}
SETTING_LABELS = {"village": "村（社区）儿童之家", "school_room": "学校关爱室"}
COLUMNS = ("序号", "村(社区)", "儿童之家", "类型", "八有达标", "证明照片", "服务儿童", "其中重点", "活动场次",
           "活动时长", "儿童到场人次", "志愿者", "家长和监护人人次")
SUMMED = ("photos", "children", "priority", "sessions", "minutes", "child_visits", "volunteers", "guests")


@dataclass
class HomeRow:
    number: int
    village: str
    name: str
    setting: str
    met: list[str]
    photos: int
    children: int
    priority: int
    sessions: int
    minutes: int  # exact; printed as 小时/分 (PDF) or hours (Excel), summed as minutes
    child_visits: int
    volunteers: int
    guests: int
    ledger: list[list[object]] = field(default_factory=list)  # the home's held sessions

    def cells(self, excel: bool = False) -> list[object]:
        return [self.number, self.village, self.name, self.setting, f"{len(self.met)}/8", self.photos, self.children,
                self.priority, self.sessions, _duration(self.minutes, excel), self.child_visits, self.volunteers,
                self.guests]


def _duration(minutes: int, excel: bool) -> object:
    return exact_hours(minutes) if excel else duration_text(minutes)


@dataclass
class HomeAssessment:
    region: str
    period: str
    as_of: str
    rows: list[HomeRow]
    total: dict[str, int]
    villages: int  # villages of the region
    villages_with_home: int
    checks: Checks = field(default_factory=Checks)

    def total_cells(self, excel: bool = False) -> list[object]:
        t = self.total
        return ["", "合计", f"{len(self.rows)}家", "", f"{sum(len(r.met) == 8 for r in self.rows)}家全部达标",
                t["photos"], t["children"], t["priority"], t["sessions"], _duration(t["minutes"], excel),
                t["child_visits"], t["volunteers"], t["guests"]]


def _end_utc(day: date) -> datetime:
    return Period(day, day, "").utc_bounds()[1]


def checklist_on(home_ids: list[int], day: date) -> dict[int, list[str]]:
    """home id → the "8有" items met as last recorded on or before ``day`` (none before the first record)."""
    if not home_ids:
        return {}
    rows = db.session.execute(
        sa.select(AuditEntry.object_id, AuditEntry.detail)
        .where(AuditEntry.action == "home.checklist", AuditEntry.object_type == "children_homes",
               AuditEntry.object_id.in_([str(h) for h in home_ids]), AuditEntry.at < _end_utc(day))
        .order_by(AuditEntry.at, AuditEntry.id)).all()
    out: dict[int, list[str]] = {h: [] for h in home_ids}
    for object_id, detail in rows:  # in time order: the last record wins
        out[int(object_id)] = [k for k in CHECKLIST if k in set((detail or {}).get("met", []))]
    return out


def photos_on(home_ids: list[int], day: date) -> dict[int, int]:
    """home id → evidence photos held on ``day``: uploaded by then, and not deleted by then."""
    end = _end_utc(day)
    out = {h: 0 for h in home_ids}
    for home_id, n in db.session.execute(
            sa.select(HomeEvidence.home_id, sa.func.count()).where(HomeEvidence.home_id.in_(home_ids),
                                                                   HomeEvidence.uploaded_at < end)
            .group_by(HomeEvidence.home_id)).all():
        out[home_id] += n
    deleted_later = db.session.execute(
        sa.select(AuditEntry.object_id, AuditEntry.detail)
        .where(AuditEntry.action == "home.evidence_delete", AuditEntry.object_type == "children_homes",
               AuditEntry.object_id.in_([str(h) for h in home_ids]), AuditEntry.at >= end)).all()
    for object_id, detail in deleted_later:
        uploaded = datetime.fromisoformat((detail or {}).get("uploaded_at", "9999-12-31T00:00:00+00:00"))
        if uploaded.tzinfo is None:
            uploaded = uploaded.replace(tzinfo=CHINA)
        if uploaded < end:
            out[int(object_id)] += 1
    return out


def _homes(region: Region, day: date) -> list[tuple[ChildrenHome, Organisation]]:
    """The homes of ``region`` that existed on ``day``: opened by then, or — with no opening date —
    created by then (the ``home.create`` audit entry; a home from before the audit log counts)."""
    rows = db.session.execute(
        sa.select(ChildrenHome, Organisation).join(Organisation, ChildrenHome.organisation_id == Organisation.id)
        .where(Organisation.division_id.in_(subtree_ids(region)))
        .order_by(Organisation.division_id, Organisation.name, ChildrenHome.id)).all()
    undated = [str(h.id) for h, _o in rows if h.opened_on is None]
    created = dict(db.session.execute(
        sa.select(AuditEntry.object_id, sa.func.min(AuditEntry.at))
        .where(AuditEntry.action == "home.create", AuditEntry.object_type == "children_homes",
               AuditEntry.object_id.in_(undated)).group_by(AuditEntry.object_id)).all()) if undated else {}
    end = _end_utc(day)

    def existed(home: ChildrenHome) -> bool:
        if home.opened_on is not None:
            return home.opened_on <= day
        at = created.get(str(home.id))
        return at is None or _aware(at) < end

    return [(h, o) for h, o in rows if existed(h)]


def _aware(at: datetime) -> datetime:
    """SQLite hands back naive UTC datetimes from an aggregate."""
    from datetime import timezone

    return at if at.tzinfo is not None else at.replace(tzinfo=timezone.utc)


def build(prepared: Prepared, user) -> HomeAssessment:
    """The registry's builder: the region and period of the request."""
    return assess(prepared.subject, prepared.period)


def assess(region: Region, period: Period) -> HomeAssessment:
    from app.core.dates import today_cn

    day = min(period.end, today_cn())  # a period not over yet: as of today
    span = DayRange(period.start, day)
    homes = _homes(region, day)
    ids = [h.id for h, _o in homes]
    met, photos = checklist_on(ids, day), photos_on(ids, day)
    counts = service_counts([o.id for _h, o in homes], span, day)
    labels = {p.id: p.label for p in places(region).values()}
    rows = []
    for number, (home, org) in enumerate(homes, start=1):
        c = counts[org.id]
        ledger = [[cn_date(e.starts_at.astimezone(CHINA).date()), e.title, e.duration_minutes, kids, vols, guests]
                  for e, kids, vols, guests in held_sessions(org.id, span, day)]
        rows.append(HomeRow(number, labels.get(org.division_id, ""), org.name, SETTING_LABELS[home.setting],
                            met[home.id], photos[home.id], c.children, c.priority_children, c.sessions,
                            sum(int(x[2]) for x in ledger), c.child_visits, c.volunteers, c.guests, ledger))
    total = {k: sum(getattr(r, k) for r in rows) for k in SUMMED}
    village_ids = {p.id for p in places(region).values() if p.level == "village"}
    with_home = {o.division_id for h, o in homes if h.setting == "village"} & village_ids
    report = HomeAssessment(region.name, period.label, cn_date(day), rows, total, len(village_ids), len(with_home))
    _check(report)
    return report


def _check(report: HomeAssessment) -> None:
    """Totals against the rows, and the rows' counts (one query) against their ledgers (another)."""
    rows = report.rows
    report.checks.add("活动场次：合计 = 各儿童之家之和", report.total["sessions"], sum(r.sessions for r in rows))
    report.checks.add("活动场次：各家合计 = 台账行数", report.total["sessions"], sum(len(r.ledger) for r in rows))
    report.checks.add("儿童到场人次：合计 = 台账之和", report.total["child_visits"],
                      sum(int(x[3]) for r in rows for x in r.ledger))
    report.checks.add("家长和监护人人次：合计 = 台账之和", report.total["guests"],
                      sum(int(x[5]) for r in rows for x in r.ledger))
    report.checks.add("活动时长（分钟）：合计 = 各儿童之家之和", report.total["minutes"], sum(r.minutes for r in rows))


def sheets(report: HomeAssessment, meta: ReportMeta):
    """The workbook's sheets: the homes with their totals, the 8有, each home's sessions, the checks."""
    from app.reports.excel import ExcelColumn as C, Sheet
    from app.reports.sheets import footer_lines, title_lines

    title = title_lines(meta)
    widths = (6, 16, 20, 16, 10, 10, 10, 10, 10, 14, 14, 10, 16)
    labels = [h + "（小时）" if h == "活动时长" else h for h in COLUMNS]  # Excel holds hours as numbers
    homes = Sheet("儿童之家", [C(h, w) for h, w in zip(labels, widths)], [r.cells(excel=True) for r in report.rows],
                  title, footer_lines(), [report.total_cells(excel=True)])
    eight = Sheet("八有", [C("儿童之家", 20)] + [C(v, 12) for v in CHECK_LABELS.values()],
                  [[r.name] + ["是" if k in r.met else "否" for k in CHECK_LABELS] for r in report.rows], title)
    entries = [[r.name] + x for r in report.rows for x in r.ledger]
    ledger = Sheet("活动台账", [C("儿童之家", 20), C("日期", 14), C("活动", 30), C("时长（分钟）", 12), C("儿童", 8),
                               C("志愿者", 8), C("家长和监护人", 12)], entries, title,
                   total_rows=[["合计", "", f"{len(entries)}场"] + [sum(int(x[k]) for x in entries) for k in (3, 4, 5, 6)]])
    checks = Sheet("数据核对", [C("核对项", 50), C("合计", 10), C("分项之和", 10), C("结果", 10)],
                   [[c.name, c.total, c.parts, "一致" if c.ok else "不一致"] for c in report.checks.items], title)
    return [homes, eight, ledger, checks]


def figures(report: HomeAssessment) -> list[tuple[str, object]]:
    """The totals printed on the public verification page (no names)."""
    return [("儿童之家", len(report.rows)), ("服务儿童（各家之和）", report.total["children"]),
            ("活动场次", report.total["sessions"]), ("活动时长", duration_text(report.total["minutes"])),
            ("有村级儿童之家的村", f"{report.villages_with_home}/{report.villages}")]


KIND = Kind("home_assessment", N_("儿童之家运营评估"), "homes.view", ("pdf", "xlsx"), "region", build,
            template="reports/pdf/home_assessment.html", doc_title=TITLE, excel=sheets, figures=figures,
            pdf_context=lambda: {"labels": CHECK_LABELS}, landscape=True)
