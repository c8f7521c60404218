"""The progress bulletin (专项行动进展通报): every figure of the special action's report (seed 004)
for a region and a period, computed from the tracked items, each with the link to its list.

Items count in the period of their outcome (a gap closed, a dropout back at school, a hukou
registered); case measures on their date; mandatory reports on the time they were made. The
figures are kept as plain data so that the web page, the PDF and the workbook show the same.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.protection.models import CaseMeasure, DutyItem

TITLE = "农村留守儿童关爱保护专项行动进展通报"


@dataclass
class Figure:
    key: str
    label: str
    value: int
    #: the list's path and query in the web dashboard (absolute URL added by the renderer)
    link: str | None = None
    #: a figure printed indented under the one above (a part of it)
    part: bool = False


@dataclass
class Bulletin:
    region: str
    period: str
    start: date
    end: date
    sections: list[tuple[str, list[Figure]]] = field(default_factory=list)
    paragraph: str = ""
    effective_pct: str = "—"
    agreement_pct: str = "—"

    def figure(self, key: str) -> Figure:
        return next(f for _, figures in self.sections for f in figures if f.key == key)

    def rows(self):
        """(section, label, value, link) for the workbook."""
        for title, figures in self.sections:
            for f in figures:
                yield title, ("　" if f.part else "") + f.label, f.value, f.link


def _query(**params) -> str:
    from urllib.parse import urlencode

    return urlencode({k: v for k, v in params.items() if v is not None})


def build(region, period) -> Bulletin:
    """The bulletin of ``region`` (a :class:`app.reports.scope.Region`) for ``period``."""
    from app.reports.scope import subtree_ids

    divisions = subtree_ids(region)
    start, end = period.start, period.end
    span = {"division": region.division_id, "from": start.isoformat(), "to": end.isoformat()}

    def closed(kind: str, **where) -> int:
        stmt = (sa.select(sa.func.count()).select_from(DutyItem)
                .where(DutyItem.kind == kind, DutyItem.status == "closed", DutyItem.division_id.in_(divisions),
                       DutyItem.outcome_on >= start, DutyItem.outcome_on <= end))
        for name, value in where.items():
            stmt = stmt.where(getattr(DutyItem, name) == value)
        return db.session.scalar(stmt) or 0

    def item_link(kind: str, **extra) -> str:
        return "/duties/?" + _query(kind=kind, status="closed", **extra, **span)

    def measures(kind: str, status: str = "done") -> int:
        from app.activities.models import ProtectionCase

        return db.session.scalar(
            sa.select(sa.func.count()).select_from(CaseMeasure)
            .join(ProtectionCase, ProtectionCase.id == CaseMeasure.case_id)
            .where(ProtectionCase.division_id.in_(divisions), CaseMeasure.kind == kind, CaseMeasure.status == status,
                   CaseMeasure.on_date >= start, CaseMeasure.on_date <= end)) or 0

    def measure_link(kind: str, status: str = "done") -> str:
        return "/duties/measures?" + _query(kind=kind, status=status, **span)

    guardianship = [
        Figure("gaps_closed", "得到有效监护的无人监护和父或母一方无监护能力儿童", closed("gap"), item_link("gap")),
        Figure("temp_village", "由村（居）委会提供临时监护", closed("gap", outcome="temporary",
                                                              placement="village_committee"),
               item_link("gap", outcome="temporary", placement="village_committee"), True),
        Figure("temp_rescue", "由救助管理机构提供临时监护", closed("gap", outcome="temporary", placement="rescue_station"),
               item_link("gap", outcome="temporary", placement="rescue_station"), True),
        Figure("temp_welfare", "由儿童福利机构提供临时监护", closed("gap", outcome="temporary",
                                                            placement="welfare_institution"),
               item_link("gap", outcome="temporary", placement="welfare_institution"), True),
        Figure("temp_relatives", "由其他近亲属临时监护", closed("gap", outcome="temporary", placement="relatives"),
               item_link("gap", outcome="temporary", placement="relatives"), True),
        Figure("entrusted", "指定受委托监护人", closed("gap", outcome="entrusted"), item_link("gap", outcome="entrusted"),
               True),
        Figure("parent_returned", "父母一方返乡监护", closed("gap", outcome="parent_returned"),
               item_link("gap", outcome="parent_returned"), True),
        Figure("gaps_open", "期末仍待落实监护的儿童", _open_at_end("gap", divisions, end),
               "/duties/?" + _query(kind="gap", status="open", division=region.division_id)),
    ]
    agreement_rate, agreement_figures = _agreements(region, divisions, start, end)
    reporting = [
        Figure("reports", "强制报告案件", _cases_reported(divisions, period), None),
    ]
    school = [
        Figure("dropouts_returned", "帮助失学辍学儿童返校复学", closed("dropout", outcome="returned"),
               item_link("dropout", outcome="returned")),
        Figure("dropouts_open", "期末仍在劝返的辍学儿童", _open_at_end("dropout", divisions, end),
               "/duties/?" + _query(kind="dropout", status="open", division=region.division_id)),
        Figure("hukou_registered", "为无户籍儿童办理户口登记", closed("hukou", outcome="registered"),
               item_link("hukou", outcome="registered")),
        Figure("hukou_open", "期末仍待登记户口的儿童", _open_at_end("hukou", divisions, end),
               "/duties/?" + _query(kind="hukou", status="open", division=region.division_id)),
    ]
    accountability = [
        Figure("criticism", "批评教育失职父母", measures("criticism"), measure_link("criticism")),
        Figure("penalty", "治安管理处罚", measures("public_security_penalty"), measure_link("public_security_penalty")),
        Figure("criminal", "依法追究失职父母刑事责任", measures("criminal_liability"),
               measure_link("criminal_liability")),
        Figure("revoked", "依法撤销失职父母监护权", measures("revocation", "granted"),
               measure_link("revocation", "granted")),
    ]
    hazards = [
        Figure("hazards_fixed", "走访发现的安全隐患已整改", closed("finding", reason="hazard"),
               item_link("finding", reason="hazard")),
        Figure("hazards_open", "隐患台账：期末未整改的安全隐患", _open_at_end("finding", divisions, end, reason="hazard"),
               "/duties/?" + _query(kind="finding", reason="hazard", status="open", division=region.division_id)),
    ]
    result = Bulletin(region.name, period.label, start, end, [
        ("落实家庭监护责任、临时监护责任", guardianship + agreement_figures),
        ("落实强制报告责任", reporting),
        ("落实控辍保学责任、户口登记责任", school),
        ("依法打击遗弃行为", accountability),
        ("安全隐患排查整改", hazards),
    ])
    result.effective_pct = _effective_pct(divisions)
    result.agreement_pct = _pct(agreement_rate.signed, agreement_rate.needing)
    result.paragraph = paragraph(result)
    return result


def _agreements(region, divisions, start: date, end: date):
    """(signing rate on the period's last day, figures): 确认书 signed in the period, and the
    children needing one without one in force on that day (today while the period runs)."""
    from app.children.models import Child
    from app.core.dates import today_cn
    from app.protection import agreements

    day = min(end, today_cn())
    scope = Child.division_id.in_(divisions)
    rate = agreements.rate_of(agreements.needing_in(scope, day), day)
    link = {"division": region.division_id, "day": day.isoformat()}
    return rate, [
        Figure("agreements_signed", "签订《委托监护责任确认书》（份）", agreements.signed_between(scope, start, end),
               "/duties/agreements?" + _query(show="signed", division=region.division_id,
                                              **{"from": start.isoformat(), "to": end.isoformat()})),
        Figure("agreements_missing", "期末应签订而未签订确认书的儿童", rate.missing,
               "/duties/agreements?" + _query(show="missing", **link)),
    ]


def _pct(part: int, whole: int) -> str:
    from app.reports.common import pct, pct_text

    return pct_text(pct(part, whole))


def _open_at_end(kind: str, divisions, end: date, **where) -> int:
    """Items opened by ``end`` and not closed by then."""
    stmt = (sa.select(sa.func.count()).select_from(DutyItem)
            .where(DutyItem.kind == kind, DutyItem.division_id.in_(divisions), DutyItem.opened_on <= end,
                   sa.or_(DutyItem.status == "open", DutyItem.outcome_on > end)))
    for name, value in where.items():
        stmt = stmt.where(getattr(DutyItem, name) == value)
    return db.session.scalar(stmt) or 0


def _cases_reported(divisions, period) -> int:
    from app.activities.models import ProtectionCase

    start, end = period.utc_bounds()
    return db.session.scalar(sa.select(sa.func.count()).select_from(ProtectionCase).where(
        ProtectionCase.division_id.in_(divisions), ProtectionCase.reported_at >= start,
        ProtectionCase.reported_at < end)) or 0


def _effective_pct(divisions) -> str:
    from app.children.models import Child
    from app.protection.services import effective_guardianship_clause
    from app.reports.common import pct, pct_text

    active = sa.select(sa.func.count()).select_from(Child).where(Child.status == "active",
                                                                  Child.division_id.in_(divisions))
    return pct_text(pct(db.session.scalar(active.where(effective_guardianship_clause())) or 0,
                        db.session.scalar(active) or 0))


def paragraph(b: Bulletin) -> str:
    """The figures as the sentence of the national report (seed 004), for this region and period."""
    f = b.figure
    temporary = "、".join(text for text in (
        f"{f('temp_village').value}人由村居委会" if f("temp_village").value else "",
        f"{f('temp_rescue').value}人由救助管理机构" if f("temp_rescue").value else "",
        f"{f('temp_welfare').value}人由儿童福利机构" if f("temp_welfare").value else "",
        f"{f('temp_relatives').value}人由其他近亲属" if f("temp_relatives").value else "") if text)
    guardianship = (f"{b.period}，{b.region}共帮助{f('gaps_closed').value}名无人监护和父或母一方无监护能力的农村留守儿童"
                    f"得到有效监护")
    if temporary:
        guardianship += f"，除{temporary}提供临时监护外"
    guardianship += (f"，{f('entrusted').value}人通过指定委托监护人、{f('parent_returned').value}人通过父母一方返乡"
                     f"落实监护责任；期末仍有{f('gaps_open').value}名儿童监护待落实，有效监护率{b.effective_pct}。"
                     f"签订《委托监护责任确认书》{f('agreements_signed').value}份，确认书签订率{b.agreement_pct}"
                     f"（{f('agreements_missing').value}名儿童尚未签订）。")
    return (guardianship
            + f"发现并报告强制报告案件{f('reports').value}件。"
            + f"帮助{f('dropouts_returned').value}名失学辍学农村留守儿童返校复学；"
            + f"为{f('hukou_registered').value}名无户籍农村留守儿童办理户口登记；"
            + f"批评教育失职父母{f('criticism').value}人，治安管理处罚{f('penalty').value}人，"
            + f"依法追究失职父母刑事责任{f('criminal').value}人，依法撤销失职父母监护权案例{f('revoked').value}个。"
            + f"走访发现的安全隐患整改{f('hazards_fixed').value}处，尚有{f('hazards_open').value}处限期整改。")
