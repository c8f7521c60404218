"""Issuing a report: check scope, build the plain-data context, number it, render the PDF or the
workbook, checksum and store the file, and audit. Functions flush and audit, never commit.

Used the same way by the web views, the background jobs and ``flask reports render``.
"""
from __future__ import annotations

import base64
import hashlib
import io
import logging
import secrets
from contextlib import nullcontext
from datetime import timedelta
from typing import Any, Callable

import segno
import sqlalchemy as sa

from app.activities.models import CareLog
from app.children.models import Child
from app.core import audit
from app.core.i18n import N_
from app.core.dates import CHINA, today_cn
from app.core.models import utcnow
from app.core.permissions import has_permission
from app.children.scope import children_scope
from app.volunteers.scope import volunteers_scope
from app.extensions import db
from app.reports import render
from app.reports.common import ParameterError, Period, ReportMeta, cn_date, current_quarter, parse_period
from app.reports.models import IssuedReport
from app.reports.registry import Prepared, ReportRequest, kind_of
from app.reports.scope import OutOfScope, Region, issuer_name, resolve_region, subtree_ids
from app.reports.storage import VERIFY_PREFIX, reports_dir, site_url
from app.volunteers.models import Volunteer

log = logging.getLogger(__name__)
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed by hand
CODE_LENGTH = 10
Progress = Callable[[int, str], None]


class ReportDenied(PermissionError):
    """The user's role may not issue this report (403)."""


def prepare(req: ReportRequest, user) -> Prepared:
    """Check ``req`` for ``user`` (None: the command line, which may see everything).

    :raise KeyError: unknown kind. :raise ReportDenied: role not allowed (403).
    :raise OutOfScope: subject missing or outside the user's scope (404).
    :raise ParameterError: bad period, format, or a reveal the user may not do.
    """
    kind = kind_of(req.kind)
    if user is not None and not has_permission(user, kind.permission):
        raise ReportDenied(kind.permission)
    if req.file_format not in kind.formats:
        raise ParameterError(N_("不支持的文件格式"))
    if req.reveal and user is not None and not has_permission(user, "children.reveal"):
        raise ReportDenied("children.reveal")
    period = None
    if kind.period_required or req.period:
        period = parse_period(req.period, current_quarter(today_cn()))
        if not kind.ranges and ".." in (req.period or ""):
            raise ParameterError(kind.ranges_refused)
    issuer = issuer_name(user)
    if kind.subject == "child":
        subject = _get(Child, req.child_id, children_scope, user)
        return Prepared(req, kind, subject, period, subject.division_id, issuer)
    if kind.subject == "volunteer" or (kind.by_volunteer and req.volunteer_id):
        volunteer = _get(Volunteer, req.volunteer_id, volunteers_scope, user)
        if period is None:  # the last twelve months
            start = today_cn() - timedelta(days=365)
            period = Period(start, today_cn(), f"{cn_date(start)}至{cn_date(today_cn())}")
        issuer = kind.issuer(volunteer) if kind.issuer else issuer
        return Prepared(req, kind, volunteer, period, volunteer.division_id, issuer)
    region = resolve_region(user, division_id=req.division_id, organisation_id=req.organisation_id,
                            levels=kind.levels, schools=kind.schools)
    return Prepared(req, kind, region, period, region.division_id, issuer)


def _get(model, object_id, scope, user):
    if object_id is None:
        raise OutOfScope(None)
    stmt = sa.select(model).where(model.id == object_id)
    if user is not None:
        stmt = stmt.where(scope(user))
    row = db.session.scalar(stmt)
    if row is None:
        raise OutOfScope(object_id)
    return row


def build_context(prepared: Prepared, user) -> Any:
    """The plain-data context of the report (the same object feeds the PDF and the workbook)."""
    return prepared.kind.build(prepared, user)


def subject_name(prepared: Prepared) -> str:
    subject = prepared.subject
    return getattr(subject, "name", "") or ""


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def issue(req: ReportRequest, user, *, progress: Progress | None = None) -> IssuedReport:
    """Issue the report ``req`` as ``user``: the numbered, checksummed file is stored under
    ``instance/reports/files`` and an :class:`IssuedReport` row is added (flushed, not committed).
    Call it with no unflushed writes pending in the session (the number is reserved on a
    connection of its own, see :func:`_reserve_number`), and commit afterwards.

    :raise: as :func:`prepare`.
    """
    progress = progress or (lambda pct, msg: None)
    site = site_url()
    prepared = prepare(req, user)
    pool = render.early_pool(prepared.kind, lambda: estimate_rows(prepared)) if req.file_format == "pdf" else None
    with pool or nullcontext():
        return _issue(prepared, user, site, progress, pool)


def _issue(prepared: Prepared, user, site: str, progress: Progress, pool) -> IssuedReport:
    """:func:`issue` once checked; ``pool``: renderer processes already started, or None."""
    req = prepared.request
    progress(5, "正在汇总数据")
    context = build_context(prepared, user)
    kind = prepared.kind
    subtitle = " · ".join(x for x in (subject_name(prepared), prepared.period.label if prepared.period else "") if x)
    row = db.session.get(IssuedReport, _reserve_number(
        kind=kind.code, file_format=req.file_format, title=kind.doc_title, parameters=req.as_params(),
        organisation=prepared.organisation[:128], division_id=prepared.division_id,
        issued_by_id=getattr(user, "id", None), issued_by_name=(getattr(user, "display_name", None) or "命令行")[:64]))
    verify_url = site + VERIFY_PREFIX + row.verification_code
    meta = ReportMeta(title=kind.doc_title, subtitle=subtitle, organisation=row.organisation,
                      issued_on=cn_date(today_cn()), issued_by=row.issued_by_name, number=row.number,
                      code=row.verification_code, verify_path=VERIFY_PREFIX + row.verification_code,
                      landscape=kind.landscape, verify_url=verify_url, qr=qr_data_url(verify_url),
                      as_of=as_of_text(prepared.period))
    progress(20, "正在排版")
    if req.file_format == "pdf":
        data, pages = render.pdf(kind, context, meta, progress=progress, pool=pool)
    else:
        data, pages = render.xlsx(kind, context, meta), None
    progress(95, "正在保存")
    row.sha256 = hashlib.sha256(data).hexdigest()
    row.page_count, row.size_bytes = pages, len(data)
    row.filename = f"{row.number}.{req.file_format}"
    row.figures = {"items": key_figures(context, prepared)}
    (reports_dir() / row.filename).write_bytes(data)
    _audit(prepared, row, context, user)
    db.session.flush()
    return row


def key_figures(c, prepared: Prepared) -> list[list[str]]:
    """The few totals an assessor compares paper against on the public verification page: the
    scope and period, the kind's own figures, and whether its checks agree."""
    period = [("期间", prepared.period.label)] if prepared.period else []
    scope = [("范围", prepared.subject.name)] if isinstance(prepared.subject, Region) else []
    rows = list(prepared.kind.figures(c))
    checks = getattr(c, "checks", None)
    if checks is not None and getattr(checks, "items", None):
        rows.append(("数据核对", "一致" if checks.ok else "存在不一致"))
    return [[label, str(value)] for label, value in scope + period + rows]


def qr_data_url(url: str) -> str:
    """A data: URL of an SVG QR code of ``url`` (segno, pure Python; medium error correction so
    a stamped or folded page still scans)."""
    out = io.BytesIO()
    segno.make_qr(url, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False, svgns=True)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def as_of_text(period: Period | None) -> str:
    """数据截至 date for a period not yet over (its figures can still change), else ''."""
    today = today_cn()
    if period is None or period.end < today:
        return ""
    return cn_date(today)


def _reserve_number(**values) -> int:
    """Insert the report's row in its own short transaction and give it its number.

    The number must be printed on the pages before the file exists, and rendering may take a
    while: holding a write transaction open meanwhile would block every other writer on SQLite
    (and the job's own progress updates). A render that fails leaves a numbered row without a
    checksum — a void number, never reused and never shown as verifiable.
    """
    issued_at = utcnow()
    with db.engine.begin() as conn:
        new_id = conn.execute(sa.insert(IssuedReport).values(
            issued_at=issued_at, verification_code=new_code(), **values)).inserted_primary_key[0]
        conn.execute(sa.update(IssuedReport).where(IssuedReport.id == new_id).values(
            number=f"XB-{issued_at.astimezone(CHINA).year}-{new_id:06d}"))
    return new_id


def _audit(prepared: Prepared, row: IssuedReport, context, user) -> None:
    detail = {"kind": row.kind, "number": row.number, "format": row.file_format, "sha256": row.sha256,
              "parameters": row.parameters}
    audit.record("report.issue", row, detail=detail, user=user)
    if prepared.kind.audit_issue:
        prepared.kind.audit_issue(prepared, row, context, user)
    child_ids = getattr(context, "child_ids", None)
    if child_ids:
        audit.record("children.export", object_type="children", user=user,
                     detail={"report": row.number, "children": child_ids[:1000], "count": len(child_ids)})


def estimate_rows(prepared: Prepared) -> int:
    """A quick estimate of the report's size, to decide whether to run it in the background."""
    if prepared.kind.subject != "region" or not isinstance(prepared.subject, Region):
        return 0
    region, period = prepared.subject, prepared.period
    stmt = sa.select(sa.func.count()).select_from(CareLog).join(Child, Child.id == CareLog.child_id)
    stmt = stmt.where(Child.school_id == region.id) if region.is_school else stmt.where(
        Child.division_id.in_(subtree_ids(region)))
    if period is not None:
        stmt = stmt.where(CareLog.occurred_on >= period.start, CareLog.occurred_on <= period.end)
    if prepared.kind.counts_children:
        return (db.session.scalar(stmt) or 0) + (db.session.scalar(
            sa.select(sa.func.count()).select_from(Child).where(Child.division_id.in_(subtree_ids(region)))) or 0)
    return db.session.scalar(stmt) or 0
