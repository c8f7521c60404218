"""Volunteer pages: 今日待办, the log forms, a child's activity history, editing and photos."""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.activities import forms, queries, services, vocab
from app.activities.blueprint import bp
from app.activities.cadence import due_items
from app.activities.models import ActivityPhoto, CareLog, ProtectionCase
from app.activities.periods import holidays_near
from app.activities.photos import photo_path
from app.children.models import Child
from app.core.errors import show_on_form
from app.core import audit
from app.core.dates import today_cn
from app.core.permissions import deny, get_in_scope_or_404, has_permission, policy
from app.children.scope import children_scope
from app.extensions import db
from app.activities.events import events_scope
from app.activities.models import SchoolEvent
from app.home.todo import todo_for
from app.matching.models import Pair
from app.volunteers.models import Volunteer

FORMS = {"talk": forms.TalkForm, "visit": forms.VisitForm, "holiday": forms.HolidayForm}


@bp.route("/today")
@policy("volunteers.self")
def today():
    day = today_cn()
    # the to-do lines other than the paired children, which have their own cards below
    todo = [i for i in todo_for(current_user, day) if not i.key.startswith("care.")]
    return render_template("activities/today.html", cards=queries.volunteer_cards(current_user, day), today=day,
                           todo=todo,
                           upcoming=queries.upcoming_events(current_user, day), checkin_form=forms.CheckinForm(),
                           hours=_my_hours())


def _my_hours() -> float:
    volunteer = db.session.scalar(sa.select(Volunteer).where(Volunteer.user_id == current_user.id))
    return services.service_hours(volunteer) if volunteer else 0.0


def _uploads() -> list[bytes]:
    return [f.read() for f in request.files.getlist("photos") if f and f.filename]


def _float(value):
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def input_from(form, kind: str) -> services.LogInput:
    """The service input from a validated log form."""
    data = services.LogInput(kind=kind, occurred_on=form.occurred_on.data, client_uuid=form.client_uuid.data or None,
                             duration_minutes=form.duration_minutes.data, participants=form.participants.data or [],
                             lat=_float(form.lat.data), lon=_float(form.lon.data), for_pair=form.for_pair.data)
    for name in ("content", "needs", "follow_up", "living_conditions", "study", "health", "emotions",
                 "help_given", "guardian_confirmed_by", "place", "concern_note"):
        if hasattr(form, name):
            setattr(data, name, getattr(form, name).data or "")
    for name in ("mode", "mood", "start_time"):
        if hasattr(form, name):
            setattr(data, name, getattr(form, name).data or None)
    if kind in ("talk", "visit"):
        data.concerns = form.concerns.data or []
    if kind == "visit":
        data.guardian_present = form.guardian_present.data == "yes"
        data.safety = {item: getattr(form, f"safety_{item}").data or "ok" for item in vocab.SAFETY_ITEMS}
    return data


def _default_occasion(day) -> str:
    for occasion, holiday in holidays_near(day):
        if -3 <= (holiday - day).days <= 14:
            return occasion
    return "other"


def _paired_to_someone_else(child) -> bool:
    return current_user.role != "volunteer" and db.session.scalar(
        sa.select(Pair.id).where(Pair.child_id == child.id, Pair.status == "active")) is not None


@bp.route("/children/<int:child_id>/talks/new", methods=["GET", "POST"])
@policy("activities.log")
def log_talk(child_id: int):
    return log_new(child_id, "talk")


@bp.route("/children/<int:child_id>/visits/new", methods=["GET", "POST"])
@policy("activities.log")
def log_visit(child_id: int):
    return log_new(child_id, "visit")


@bp.route("/children/<int:child_id>/holidays/new", methods=["GET", "POST"])
@policy("activities.log")
def log_holiday(child_id: int):
    return log_new(child_id, "holiday")


def log_new(child_id: int, kind: str):
    """The log form of ``kind`` for a child in scope; a ticked danger leads to the 110 page."""
    child = get_in_scope_or_404(Child, child_id, children_scope)
    form = FORMS[kind]()
    if request.method == "GET":
        form.client_uuid.data = str(uuid.uuid4())
        if kind == "holiday":
            form.mode.data = _default_occasion(today_cn())
        if kind == "visit":
            form.participants.data = ["child", "guardian"]
            form.duration_minutes.data = 60
    if form.validate_on_submit():
        try:
            result = services.create_log(current_user, child, input_from(form, kind), _uploads(),
                                         upload_dir=current_app.config["UPLOAD_DIR"])
            db.session.commit()
        except services.ActivityError as exc:
            db.session.rollback()
            show_on_form(form, exc)
        except IntegrityError:  # the same client_uuid sent twice at once: keep the first
            db.session.rollback()
            existing = db.session.scalar(sa.select(CareLog).where(CareLog.client_uuid == form.client_uuid.data))
            if existing is None:
                raise
            return redirect(url_for("activities.log_detail", log_id=existing.id))
        else:
            return _after_save(result.log, result.case)
    status = 400 if request.method == "POST" else 200
    return_url = (url_for("activities.today") if current_user.role == "volunteer"
                  else url_for("activities.child_logs", child_id=child.id))  # where the phone goes once saved
    return render_template("activities/log_form.html", form=form, child=child, kind=kind, editing=None,
                           on_behalf=_paired_to_someone_else(child), return_url=return_url), status


def _after_save(log: CareLog, case) -> object:
    if case is not None:
        return redirect(url_for("activities.case_alert", case_id=case.id))
    flash(_("已保存：%(kind)s", kind=_(log.kind_label)), "success")
    if current_user.role == "volunteer":
        return redirect(url_for("activities.today"))
    return redirect(url_for("activities.child_logs", child_id=log.child_id))


@bp.route("/children/<int:child_id>")
@policy("activities.view")
def child_logs(child_id: int):
    child = get_in_scope_or_404(Child, child_id, children_scope)
    pair = db.session.scalar(sa.select(Pair).where(Pair.child_id == child.id, Pair.status == "active"))
    items = []
    if pair is not None:
        logs = db.session.execute(sa.select(CareLog.kind, CareLog.occurred_on)
                                  .where(CareLog.pair_id == pair.id)).all()
        items = due_items(services.RuleBook().for_path(child.division.path), pair.volunteer.kind,
                          queries.paired_on(pair.started_at, pair.created_at), child.tier in queries.PRIORITY_TIERS,
                          [tuple(r) for r in logs], today_cn(), child.birth_date)
    cases = []
    if has_permission(current_user, "cases.read"):
        from app.activities.cases import cases_scope

        cases = db.session.scalars(sa.select(ProtectionCase).where(ProtectionCase.child_id == child.id,
                                                                   cases_scope(current_user))
                                   .order_by(ProtectionCase.id.desc())).all()
    audit.record("log.list", child, detail={"child_id": child.id})
    db.session.commit()
    return render_template("activities/child_logs.html", child=child, pair=pair, items=items,
                           logs=queries.child_logs(child.id), cases=cases)


def log_or_404(log_id: int) -> CareLog:
    """A log whose child is in the user's scope, or which the user wrote.

    :raise 404: otherwise (no existence leak).
    """
    log = services.visible_log(current_user, log_id)
    if log is None:
        abort(404)
    return log


@bp.route("/logs/<int:log_id>")
@policy("activities.view")
def log_detail(log_id: int):
    log = log_or_404(log_id)
    audit.record("log.view", log)
    db.session.commit()
    may_edit = has_permission(current_user, "activities.log") and services.edit_permission(current_user, log)[0]
    return render_template("activities/log_detail.html", log=log, may_edit=may_edit,
                           author_hidden=services.author_hidden(current_user, log), vocab=vocab)


def _fill_from_log(form, log: CareLog) -> None:
    form.process(obj=log)
    if log.kind == "visit":
        form.guardian_present.data = "yes" if log.guardian_present else "no"
        for item in vocab.SAFETY_ITEMS:
            getattr(form, f"safety_{item}").data = (log.safety or {}).get(item, "ok")
    if log.kind in ("talk", "visit"):
        form.concerns.data = list(log.concerns or [])
    form.lat.data = log.lat or ""
    form.lon.data = log.lon or ""


@bp.route("/logs/<int:log_id>/edit", methods=["GET", "POST"])
@policy("activities.log")
def log_edit(log_id: int):
    log = log_or_404(log_id)
    allowed, needs_reason = services.edit_permission(current_user, log)
    if not allowed:
        deny("activities.edit_window")
    form = FORMS[log.kind]()
    if request.method == "GET":
        _fill_from_log(form, log)
    elif form.validate_on_submit():
        try:
            case = services.update_log(current_user, log, input_from(form, log.kind), form.reason.data or "",
                                       _uploads(), upload_dir=current_app.config["UPLOAD_DIR"])
            db.session.commit()
            if case is not None:
                return redirect(url_for("activities.case_alert", case_id=case.id))
            flash(_("修改已保存"), "success")
            return redirect(url_for("activities.log_detail", log_id=log.id))
        except services.ActivityError as exc:
            db.session.rollback()
            show_on_form(form, exc)
    status = 400 if request.method == "POST" else 200
    return render_template("activities/log_form.html", form=form, child=log.child, kind=log.kind, editing=log,
                           needs_reason=needs_reason, on_behalf=False), status


@bp.route("/photos/<int:photo_id>")
@policy("activities.view")
def photo(photo_id: int):
    row = db.session.get(ActivityPhoto, photo_id)
    if row is None:
        abort(404)
    if row.log_id is not None:
        log_or_404(row.log_id)
    elif db.session.scalar(sa.select(SchoolEvent.id).where(SchoolEvent.id == row.event_id,
                                                            events_scope(current_user))) is None:
        abort(404)
    path = photo_path(current_app.config["UPLOAD_DIR"], row.filename)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="image/jpeg")
