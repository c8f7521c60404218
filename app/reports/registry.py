"""The report kinds: each declares who may issue it, what it is about, its builder, its PDF
template (or renderer) and its Excel writer. The service, the views, the jobs and the command
line read this table and nothing else; none of them names a kind.

To add a kind: declare a :class:`~app.reports.kind.Kind` (in the feature package that owns its
data, importing only :mod:`app.reports.kind` and the report helpers it needs) and list it in
``_DECLARED`` below. A region kind gets its form at ``/reports/<code with dashes>`` (endpoint
``reports.<code>``) with no view code of its own.
"""
from __future__ import annotations

from app.core.i18n import N_
from app.homes import report as home_report
from app.protection import bulletin as bulletin_report
from app.reports import (agreement_rate, assessment, certificate, child_file, figures, home_activities, ledger,
                         render, roster, roster_stats, sampling, sheets, visits, volunteer_roster)
from app.reports.kind import Kind, Prepared, ReportRequest
from app.reports.scope import Region
from app.reports.storage import site_url

__all__ = ["KINDS", "Kind", "Prepared", "ReportRequest", "kind_of"]
ROSTER_PERIODS = N_("花名册统计按季度或年度出具")


def _child_file(p: Prepared, user):
    return child_file.build(p.subject, revealed=p.request.reveal)


def _certificate(p: Prepared, user):
    return certificate.build(p.subject, p.period, handler=getattr(user, "display_name", "") or "系统")


def _visits(p: Prepared, user):
    """A region's visits, or one volunteer's."""
    by = {"region": p.subject} if isinstance(p.subject, Region) else {"volunteer": p.subject}
    return visits.build(p.period, **by)


def _of_region(build):
    """A builder of the form ``build(region, period)``."""
    return lambda p, user: build(p.subject, p.period)


_DECLARED = (
    Kind("child_file", N_("一人一档"), "children.export", ("pdf",), "child", _child_file,
         template="reports/pdf/child_file.html", doc_title="农村留守儿童一人一档", period_required=False,
         figures=figures.records, audit_issue=child_file.audit_issue, audit_download=child_file.audit_download),
    Kind("certificate", N_("志愿服务记录证明"), "reports.certificate", ("pdf",), "volunteer", _certificate,
         template="reports/pdf/certificate.html", doc_title="志愿服务记录证明", period_required=False,
         figures=figures.certificate, issuer=lambda volunteer: volunteer.organisation.name),
    Kind("ledger", N_("活动台账"), "reports.view", ("pdf", "xlsx"), "region", _of_region(ledger.build),
         template="reports/pdf/ledger.html", doc_title="关爱服务活动台账", excel=sheets.ledger,
         pdf=render.ledger_pdf, figures=figures.ledger, landscape=True, background=True, schools=True,
         early_render=render.ledger_parts_rows),
    Kind("visits", N_("走访记录"), "reports.view", ("pdf", "xlsx"), "region", _visits,
         template="reports/pdf/visits.html", doc_title="入户走访记录", excel=sheets.visits,
         pdf_context=lambda: {"thumb": render.print_photo_url}, figures=figures.visits, background=True,
         levels=("village",), by_volunteer=True),
    Kind("assessment", N_("考核汇总"), "reports.assess", ("pdf", "xlsx"), "region", _of_region(assessment.build),
         template="reports/pdf/assessment.html", doc_title="关爱服务工作考核汇总表", excel=sheets.assessment,
         figures=figures.assessment, background=True, levels=("county", "township"), counts_children=True),
    Kind("roster", N_("花名册"), "reports.assess", ("pdf", "xlsx"), "region", _of_region(roster.build),
         template="reports/pdf/roster.html", doc_title="农村留守儿童和困境儿童花名册", excel=sheets.roster,
         figures=figures.roster, landscape=True, background=True, ranges_refused=ROSTER_PERIODS,
         counts_children=True),
    Kind("roster_stats", N_("花名册季度统计"), "reports.assess", ("pdf", "xlsx"), "region",
         _of_region(roster_stats.build), template="reports/pdf/roster_stats.html", doc_title="农村留守儿童花名册季度统计表",
         excel=sheets.roster_stats, pdf_context=lambda: {"columns": roster_stats.COLUMNS},
         figures=figures.roster_stats, landscape=True, background=True, ranges_refused=ROSTER_PERIODS,
         counts_children=True),
    Kind("volunteer_roster", N_("志愿者花名册"), "reports.assess", ("pdf", "xlsx"), "region",
         _of_region(volunteer_roster.build), template="reports/pdf/volunteer_roster.html",
         doc_title="关爱农村留守儿童志愿者花名册", excel=sheets.volunteer_roster, figures=volunteer_roster.figures,
         landscape=True, background=True),
    Kind("home_activities", N_("儿童之家活动记录"), "reports.view", ("pdf", "xlsx"), "region",
         _of_region(home_activities.build), template="reports/pdf/home_activities.html",
         doc_title="儿童之家活动记录", excel=sheets.home_activities, figures=home_activities.figures,
         pdf_context=lambda: {"cells": home_activities.session_cells}, landscape=True, background=True),
    Kind("agreement_rate", N_("委托监护签订率"), "reports.assess", ("pdf", "xlsx"), "region",
         _of_region(agreement_rate.build), template="reports/pdf/agreement_rate.html",
         doc_title="委托监护责任确认书签订情况", excel=sheets.agreement_rate, figures=agreement_rate.figures,
         background=True, counts_children=True),
    Kind("sample_check", N_("抽样核查结果"), "reports.assess", ("pdf", "xlsx"), "region", _of_region(sampling.build),
         template="reports/pdf/sample_check.html", doc_title="关爱服务抽样核查结果", excel=sheets.sample_check,
         figures=sampling.figures, levels=("county", "township"), landscape=True),
    Kind("bulletin", N_("专项行动进展通报"), "reports.assess", ("pdf", "xlsx"), "region",
         _of_region(bulletin_report.build), template="reports/pdf/bulletin.html",
         doc_title="农村留守儿童关爱保护专项行动进展通报", excel=sheets.bulletin,
         pdf_context=lambda: {"base": site_url()}, figures=figures.records),
    home_report.KIND,
)
KINDS: dict[str, Kind] = {k.code: k for k in _DECLARED}


def kind_of(code: str) -> Kind:
    """:raise KeyError: for an unknown kind."""
    return KINDS[code]
