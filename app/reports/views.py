"""Report pages: pick a report, issue it (now or in the background), download, verify, dashboards."""
from __future__ import annotations

import hashlib

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core import audit
from app.core.dates import today_cn
from app.core.models import Division, Organisation
from app.core.permissions import PUBLIC, deny, divisions_scope, has_permission, policy
from app.extensions import db
from app.reports import service
from app.reports.common import ParameterError, current_quarter, recent_quarters, recent_years
from app.reports.jobs import submit
from app.reports.models import IssuedReport, ReportJob
from app.reports.registry import KINDS, Kind, ReportRequest
from app.reports.scope import OutOfScope, resolve_region
from app.reports.storage import stored_file

bp = Blueprint("reports", __name__, url_prefix="/reports")
MIME = {"pdf": "application/pdf",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@bp.route("/")
@policy("reports.view")
def index():
    kinds = [k for k in KINDS.values() if has_permission(current_user, k.permission) and k.subject == "region"]
    issued = db.session.scalars(sa.select(IssuedReport).where(IssuedReport.issued_by_id == current_user.id)
                                .order_by(IssuedReport.id.desc()).limit(20)).all()
    jobs = db.session.scalars(sa.select(ReportJob).where(ReportJob.requested_by_id == current_user.id)
                              .order_by(ReportJob.id.desc()).limit(10)).all()
    return render_template("reports/index.html", kinds=kinds, issued=issued, jobs=jobs, KINDS=KINDS)


def _regions(kind) -> tuple[list, list]:
    """(divisions, schools) the user may pick for ``kind``."""
    divisions = []
    if current_user.role not in ("school_staff", "volunteer"):
        divisions = db.session.scalars(sa.select(Division).where(divisions_scope(current_user),
                                                                 Division.level.in_(kind.levels))
                                       .order_by(Division.code).limit(2000)).all()
    schools = []
    if kind.schools:
        stmt = sa.select(Organisation).where(Organisation.kind == "school")
        if current_user.role == "school_staff":
            stmt = stmt.where(Organisation.id == current_user.organisation_id)
        elif current_user.role != "admin":
            stmt = stmt.where(Organisation.division_id.in_(sa.select(Division.id).where(divisions_scope(current_user))))
        schools = db.session.scalars(stmt.order_by(Organisation.name).limit(500)).all()
    return divisions, schools


def _period_from_form(form) -> str | None:
    """The chosen quarter or year, or the typed date range when both its ends are given."""
    start, end = (form.get("start") or "").strip(), (form.get("end") or "").strip()
    if start or end:
        return f"{start}..{end}"
    return form.get("period") or None


def _request_from_form(kind_code: str, **ids) -> ReportRequest:
    form = request.form
    return ReportRequest(kind_code, form.get("format", "pdf"), division_id=form.get("division", type=int),
                         organisation_id=form.get("school", type=int), period=_period_from_form(form),
                         volunteer_id=ids.get("volunteer_id") or form.get("volunteer", type=int),
                         child_id=ids.get("child_id"), reveal=form.get("reveal") == "1")


def _issue_or_queue(req: ReportRequest, form_page):
    """Issue ``req`` now and send the file, or queue it and show the job page."""
    try:
        prepared = service.prepare(req, current_user)
        if prepared.kind.background and service.estimate_rows(prepared) > current_app.config.get(
                "REPORTS_SYNC_ROWS", 3000):
            job = submit(req, current_user)
            return redirect(url_for("reports.job", token=job.token))
        row = service.issue(req, current_user)
    except OutOfScope:
        abort(404)
    except service.ReportDenied as exc:
        deny(str(exc))
    except ParameterError as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
        return form_page(), 400
    db.session.commit()
    return _send(row)


def _send(row: IssuedReport):
    path = stored_file(row)
    if path is None:
        abort(404)
    return send_file(path, mimetype=MIME[row.file_format], as_attachment=True,
                     download_name=f"{row.number}-{row.title}.{row.file_format}")


def _region_form(kind_code: str):
    kind = KINDS[kind_code]

    def page():
        divisions, schools = _regions(kind)
        return render_template("reports/form.html", kind=kind, divisions=divisions, schools=schools,
                               quarters=recent_quarters(today_cn()), years=recent_years(today_cn()),
                               ranges=kind.ranges, current=request.form.get("period")
                               or current_quarter(today_cn()))

    if request.method == "POST":
        return _issue_or_queue(_request_from_form(kind_code), page)
    return page()


def _region_view(kind: Kind):
    """The form of a region kind (pick the region and the period, then issue or queue it)."""
    def view():
        return _region_form(kind.code)

    view.__name__ = kind.code
    return policy(kind.permission)(view)


for _kind in KINDS.values():  # every region kind of the registry gets its form, /reports/<code-with-dashes>
    if _kind.subject == "region":
        bp.add_url_rule(f"/{_kind.path}", endpoint=_kind.code, view_func=_region_view(_kind), methods=["GET", "POST"])


@bp.route("/child/<int:child_id>", methods=["GET", "POST"])
@policy("children.export")
def child_file(child_id: int):
    from app.children.models import Child
    from app.core.permissions import get_in_scope_or_404
    from app.children.scope import children_scope

    child = get_in_scope_or_404(Child, child_id, children_scope)
    if request.method == "POST":
        return _issue_or_queue(_request_from_form("child_file", child_id=child.id),
                               lambda: render_template("reports/person.html", kind=KINDS["child_file"], child=child))
    return render_template("reports/person.html", kind=KINDS["child_file"], child=child)


@bp.route("/certificate/<int:volunteer_id>", methods=["GET", "POST"])
@policy("reports.certificate")
def certificate(volunteer_id: int):
    from app.core.permissions import get_in_scope_or_404
    from app.volunteers.scope import volunteers_scope
    from app.volunteers.models import Volunteer

    volunteer = get_in_scope_or_404(Volunteer, volunteer_id, volunteers_scope)

    def page():
        return render_template("reports/person.html", kind=KINDS["certificate"], volunteer=volunteer,
                               quarters=recent_quarters(today_cn()))

    if request.method == "POST":
        return _issue_or_queue(_request_from_form("certificate", volunteer_id=volunteer.id), page)
    return page()


@bp.route("/find")
@policy("reports.view")
def find():
    """Children (for a child's file) and volunteers (for a certificate) whose name matches ``q``."""
    from app.children.models import Child
    from app.children.scope import children_scope
    from app.volunteers.scope import volunteers_scope
    from app.volunteers.models import Volunteer

    q = (request.args.get("q") or "").strip()[:32]
    children, volunteers = [], []
    if q:
        like = f"%{q}%"
        if has_permission(current_user, "children.export"):
            children = db.session.scalars(sa.select(Child).where(children_scope(current_user), Child.name.like(like))
                                          .order_by(Child.name).limit(50)).all()
        volunteers = db.session.scalars(sa.select(Volunteer).where(volunteers_scope(current_user),
                                                                   Volunteer.name.like(like))
                                        .order_by(Volunteer.name).limit(50)).all()
    from app.core import audit
    from app.core.idcard import mask_query

    audit.record("report.find", object_type="children",
                 detail={"q": mask_query(q), "children": len(children), "volunteers": len(volunteers)})
    html = render_template("reports/find.html", q=q, children=children, volunteers=volunteers)
    db.session.commit()  # after rendering: a commit would expire the rows the page shows
    return html


@bp.route("/my-certificate")
@policy("volunteers.self")
def my_certificate():
    from app.volunteers.models import Volunteer

    volunteer_id = db.session.scalar(sa.select(Volunteer.id).where(Volunteer.user_id == current_user.id))
    if volunteer_id is None:
        abort(404)
    return redirect(url_for("reports.certificate", volunteer_id=volunteer_id))


def _own_job(token: str) -> ReportJob:
    job = db.session.scalar(sa.select(ReportJob).where(ReportJob.token == token))
    if job is None or (job.requested_by_id != current_user.id and current_user.role != "admin"):
        abort(404)
    return job


@bp.route("/jobs/<token>")
@policy("reports.view")
def job(token: str):
    job = _own_job(token)
    return render_template("reports/job.html", job=job, kind=KINDS[job.kind])


@bp.route("/jobs/<token>/download")
@policy("reports.view")
def job_download(token: str):
    job = _own_job(token)
    if job.status != "done" or job.issued_report is None:
        abort(404)
    return _download(job.issued_report)


@bp.route("/issued/<int:report_id>/download")
@policy("reports.view")
def issued_download(report_id: int):
    row = db.session.get(IssuedReport, report_id)
    if row is None or (row.issued_by_id != current_user.id and current_user.role != "admin"):
        abort(404)
    return _download(row)


def _download(row: IssuedReport):
    audit.record("report.download", row, detail={"number": row.number, "kind": row.kind})
    kind = KINDS.get(row.kind)
    if kind is not None and kind.audit_download:
        kind.audit_download(row)
    db.session.commit()
    return _send(row)


@bp.route("/verify")
@policy(PUBLIC)
def verify_lookup():
    code = "".join(ch for ch in (request.args.get("code") or "").upper() if ch.isalnum())[:16]
    if code:
        return redirect(url_for("reports.verify", code=code))
    return render_template("reports/verify.html", row=None, code="")


@bp.route("/verify/<code>", methods=["GET", "POST"])
@policy(PUBLIC)
def verify(code: str):
    row = db.session.scalar(sa.select(IssuedReport).where(IssuedReport.verification_code == code.upper()[:16],
                                                          IssuedReport.sha256.is_not(None)))
    match = None
    if request.method == "POST" and row is not None:
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            flash(_("请选择要核验的文件。"), "error")
        else:
            digest = hashlib.sha256(upload.read()).hexdigest()
            match = digest == row.sha256
    status = 404 if row is None else 200
    return render_template("reports/verify.html", row=row, code=code, match=match,
                           kind=KINDS.get(row.kind) if row else None), status


def _dashboard_region(levels):
    """The region in ``?division=`` (404 if out of scope), else the user's own; for an admin
    without a division, the first county."""
    division_id = request.args.get("division", type=int)
    if division_id is None and current_user.division_id is None:
        division_id = db.session.scalar(sa.select(Division.id).where(Division.level == "county")
                                        .order_by(Division.code))
    try:
        return resolve_region(current_user, division_id=division_id, levels=levels)
    except OutOfScope:
        abort(404)


@bp.route("/dashboard")
@policy("reports.dashboard")
def dashboard():
    from app.reports import dashboard as dash

    region = _dashboard_region(("province", "city", "county", "township"))

    def list_url(metric, division_id, month):
        return url_for("reports.dashboard_list", metric=metric, division=division_id, month=month)

    data = dash.build(region, current_user, list_url)
    return render_template("reports/dashboard.html", region=region, d=data)


@bp.route("/dashboard/list")
@policy("reports.dashboard")
def dashboard_list():
    from app.reports import dashboard as dash

    metric = request.args.get("metric", "uncovered")
    region = _dashboard_region(("province", "city", "county", "township", "village"))
    rows = dash.list_rows(metric, region, current_user, request.args.get("month", ""))
    if rows is None:
        abort(404)
    audit.record("report.dashboard_list", object_type="divisions", object_id=region.id,
                 detail={"metric": metric, "count": len(rows)})
    db.session.commit()
    return render_template("reports/list.html", region=region, metric=metric, rows=rows[:500], total=len(rows),
                           month=request.args.get("month", ""))
