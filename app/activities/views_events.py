"""School events: create (once or weekly), sign-in list, sign-in code, summary and photos."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.activities import events as event_service
from app.activities import forms, services, vocab
from app.activities.blueprint import bp
from app.activities.models import EventAttendance, SchoolEvent
from app.children.models import Child
from app.core.errors import show_on_form
from app.core.dates import CHINA
from app.core.models import Division, Organisation
from app.core.permissions import divisions_scope, policy
from app.volunteers.scope import volunteers_scope
from app.extensions import db
from app.orgs.services import ORGANISER_KINDS
from app.volunteers.models import Volunteer


def event_or_404(event_id: int) -> SchoolEvent:
    """An event in the user's scope.

    :raise 404: when it does not exist or is out of scope.
    """
    event = db.session.scalar(sa.select(SchoolEvent).where(SchoolEvent.id == event_id,
                                                           event_service.events_scope(current_user)))
    if event is None:
        abort(404)
    return event


def _schools():
    """Schools, 儿童之家 (children homes) and organisers (关工委, 妇联, social organisations, …) the
    user may organise events for."""
    if current_user.role == "school_staff":
        return [current_user.organisation] if current_user.organisation_id else []

    kinds = ("school", "children_home") + ORGANISER_KINDS
    return db.session.scalars(sa.select(Organisation).join(Division, Organisation.division_id == Division.id)
                              .where(Organisation.kind.in_(kinds), divisions_scope(current_user))
                              .order_by(Division.path, Organisation.name)).all()


#: an organiser's invitation list is its region's children; a county holds thousands, so it is capped
ORGANISER_INVITE_MAX = 500


def _villages(school: Organisation) -> list[Division]:
    """The villages an organiser's invitation list can be narrowed to (its region's, in the user's scope)."""
    if school.kind in ("school", "children_home"):
        return []
    return db.session.scalars(sa.select(Division).where(Division.id.in_(school.division.subtree_ids()),
                                                        Division.level == "village", divisions_scope(current_user))
                              .order_by(Division.code)).all()


def _pupils(school: Organisation, village: Division | None = None):
    """Children who may be invited: a school's pupils; at a 儿童之家, the children of its village;
    for an organiser (关工委, 妇联, …), the children of its region or of one of its villages, priority
    children first."""
    if school.kind == "school":
        where = Child.school_id == school.id
    elif school.kind == "children_home":
        where = Child.division_id == school.division_id
    else:
        region = village.subtree_ids() if village is not None else school.division.subtree_ids()
        return db.session.scalars(sa.select(Child).where(Child.division_id.in_(region), Child.status == "active")
                                  .order_by(Child.tier != "urgent", Child.tier != "key", Child.name_pinyin)
                                  .limit(ORGANISER_INVITE_MAX)).all()
    return db.session.scalars(sa.select(Child).where(where, Child.status == "active")
                              .order_by(Child.grade, Child.name_pinyin)).all()


def _volunteers(school: Organisation):
    """Approved volunteers the user may invite: those in their scope and those living around the school."""

    around = school.division.subtree_ids()
    return db.session.scalars(sa.select(Volunteer)
                              .where(sa.or_(volunteers_scope(current_user), Volunteer.division_id.in_(around)),
                                     Volunteer.status == "approved")
                              .order_by(Volunteer.name)).all()


@bp.route("/events")
@policy("events.manage")
def events():
    page = db.paginate(sa.select(SchoolEvent).where(event_service.events_scope(current_user))
                       .order_by(SchoolEvent.starts_at.desc()), page=request.args.get("page", 1, type=int),
                       per_page=30, error_out=False)
    counts = dict(db.session.execute(
        sa.select(EventAttendance.event_id, sa.func.count())
        .where(EventAttendance.event_id.in_([e.id for e in page.items]), EventAttendance.attended.is_(True))
        .group_by(EventAttendance.event_id)).all())
    return render_template("activities/events.html", page=page, counts=counts)


@bp.route("/events/new", methods=["GET", "POST"])
@policy("events.manage")
def event_new():
    schools = _schools()
    school = next((s for s in schools if s.id == request.values.get("school", type=int)), None)
    if school is None and len(schools) == 1:
        school = schools[0]
    if school is None:
        return render_template("activities/event_school.html", schools=schools)
    villages = _villages(school)
    village = next((v for v in villages if v.id == request.values.get("village", type=int)), None)
    pupils, volunteers = _pupils(school, village), _volunteers(school)
    form = forms.EventForm()
    form.children.choices = [(c.id, f"{c.name} {c.grade or ''}") for c in pupils]
    form.volunteers.choices = [(v.id, v.name) for v in volunteers]
    if request.method == "GET":
        form.organiser.data = current_user.display_name
        form.place.data = school.name
    if form.validate_on_submit():
        data = event_service.EventInput(
            kind=form.kind.data, title=form.title.data, day=form.day.data, start=form.start.data,
            duration_minutes=form.duration_minutes.data, place=form.place.data or "",
            organiser=form.organiser.data or "", weeks=form.weeks.data, class_name=form.class_name.data or "",
            child_ids=form.children.data,
            volunteer_ids=form.volunteers.data)
        try:
            sessions = event_service.create_event(current_user, school, data, [c.id for c in pupils],
                                                  [v.id for v in volunteers])
            db.session.commit()
            flash(_("已创建活动，共 %(n)s 次。", n=len(sessions)), "success")
            return redirect(url_for("activities.event_detail", event_id=sessions[0].id))
        except services.ActivityError as exc:
            db.session.rollback()
            show_on_form(form, exc)
    status = 400 if request.method == "POST" else 200
    classes = sorted({c.class_name for c in pupils if c.class_name}) if school.kind == "school" else []
    return render_template("activities/event_form.html", form=form, school=school, classes=classes,
                           villages=villages, village=village), status


def _detail(event: SchoolEvent, status: int = 200, attendance_form=None, summary_form=None):
    series = db.session.scalars(sa.select(SchoolEvent).where(SchoolEvent.series_key == event.series_key)
                                .order_by(SchoolEvent.starts_at)).all() if event.series_key else []
    kids = [r for r in event.attendance if r.child_id]
    vols = [r for r in event.attendance if r.volunteer_id]
    if attendance_form is None:
        attendance_form = forms.AttendanceForm(children=[r.child_id for r in kids if r.attended],
                                               volunteers=[r.volunteer_id for r in vols if r.attended])
    attendance_form.children.choices = [(r.child_id, r.child.name) for r in kids]
    attendance_form.volunteers.choices = [(r.volunteer_id, r.volunteer.name) for r in vols]
    summary_form = summary_form or forms.SummaryForm(summary=event.summary)
    return render_template("activities/event_detail.html", event=event, series=series, kids=kids, vols=vols,
                           attendance_form=attendance_form, summary_form=summary_form, vocab=vocab,
                           hours=event.duration_minutes / 60), status


@bp.route("/events/<int:event_id>")
@policy("events.manage")
def event_detail(event_id: int):
    return _detail(event_or_404(event_id))


@bp.route("/events/<int:event_id>/attendance", methods=["POST"])
@policy("events.manage")
def event_attendance(event_id: int):
    event = event_or_404(event_id)
    form = forms.AttendanceForm()
    form.children.choices = [(r.child_id, "") for r in event.attendance if r.child_id]
    form.volunteers.choices = [(r.volunteer_id, "") for r in event.attendance if r.volunteer_id]
    if not form.validate_on_submit():
        return _detail(event, 400, attendance_form=form)
    try:
        kids, vols = event_service.set_attendance(current_user, event, form.children.data, form.volunteers.data)
    except services.ActivityError as exc:
        db.session.rollback()
        form.children.errors = list(form.children.errors) + [_(exc.message)]
        return _detail(event, 400, attendance_form=form)
    db.session.commit()
    flash(_("已保存签到：学生 %(k)s 人，志愿者 %(v)s 人。", k=kids, v=vols), "success")
    return redirect(url_for("activities.event_detail", event_id=event.id))


@bp.route("/events/<int:event_id>/summary", methods=["POST"])
@policy("events.manage")
def event_summary(event_id: int):
    event = event_or_404(event_id)
    form = forms.SummaryForm()
    if form.validate_on_submit():
        uploads = [f.read() for f in request.files.getlist("photos") if f and f.filename]
        try:
            photos = services.prepare_photos(uploads)
            event_service.save_summary(current_user, event, form.summary.data or "")
            services.attach_photos(current_user, photos, current_app.config["UPLOAD_DIR"], event=event)
            db.session.commit()
            flash(_("活动小结已保存"), "success")
            return redirect(url_for("activities.event_detail", event_id=event.id))
        except services.ActivityError as exc:
            db.session.rollback()
            form.photos.errors = list(form.photos.errors) + [_(exc.message)]
    return _detail(event, 400, summary_form=form)


@bp.route("/checkin", methods=["GET", "POST"])
@policy("volunteers.self")
def checkin():
    form = forms.CheckinForm()
    if form.validate_on_submit():
        try:
            event = event_service.check_in(current_user, form.code.data)
            db.session.commit()
            local = event.starts_at.astimezone(CHINA)
            flash(_("签到成功：%(t)s（%(d)s）", t=event.title, d=f"{local:%m-%d %H:%M}"), "success")
            return redirect(url_for("activities.today"))
        except services.ActivityError as exc:
            db.session.rollback()
            form.code.errors = list(form.code.errors) + [_(exc.message)]
    status = 400 if request.method == "POST" else 200
    return render_template("activities/checkin.html", form=form), status
