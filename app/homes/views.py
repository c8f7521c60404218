"""儿童之家 pages: coverage and list, opening a home, its checklist with evidence, its service
counts and 运营评估 report; parents and guardians at events."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.activities.models import SchoolEvent
from app.activities.periods import Period
from app.children.models import Child
from app.core import audit
from app.core.dates import CHINA, today_cn
from app.core.models import Division, Organisation
from app.core.permissions import divisions_scope, has_permission, policy
from app.extensions import db
from app.homes import services
from app.homes.blueprint import bp
from app.homes.models import CHECKLIST, GUEST_RELATIONS, ChildrenHome, EventGuest, HomeEvidence


def home_or_404(home_id: int) -> ChildrenHome:
    """A home in the user's scope.

    :raise 404: when it does not exist or is out of scope.
    """
    home = db.session.scalar(services.homes_query(current_user).where(ChildrenHome.id == home_id))
    if home is None:
        abort(404)
    return home


def _year() -> Period:
    year = request.args.get("year", type=int) or today_cn().year
    if not 2000 <= year <= 2100:
        abort(404)
    return Period(date(year, 1, 1), date(year, 12, 31))


@bp.route("/")
@policy("homes.view")
def index():
    homes = db.session.scalars(services.homes_query(current_user)).all()
    period = _year()
    counts = services.service_counts([h.organisation_id for h in homes], period, today_cn())
    return render_template("homes/index.html", homes=homes, counts=counts, period=period,
                           coverage=services.coverage(current_user))


def _villages():
    return db.session.scalars(sa.select(Division).where(divisions_scope(current_user), Division.level == "village")
                              .order_by(Division.code)).all()


def _schools():
    return db.session.scalars(sa.select(Organisation).where(
        Organisation.kind == "school", Organisation.division_id.in_(
            sa.select(Division.id).where(divisions_scope(current_user)))).order_by(Organisation.name)).all()


@bp.route("/new", methods=["GET", "POST"])
@policy("homes.manage")
def new():
    villages, schools = _villages(), _schools()
    values, errors = dict(request.form), {}
    if request.method == "POST":
        village = next((v for v in villages if v.id == request.form.get("division_id", type=int)), None)
        school = next((s for s in schools if s.id == request.form.get("school_id", type=int)), None)
        opened = None
        if request.form.get("opened_on"):
            try:
                opened = date.fromisoformat(request.form["opened_on"])
            except ValueError:
                errors["opened_on"] = _("日期格式应为 年-月-日")
        if village is None:
            errors["division_id"] = _("请选择您负责范围内的村（社区）")
        if not errors:
            try:
                home = services.create_home(current_user, village, request.form.get("name", ""),
                                            request.form.get("setting", "village"), school, opened)
                db.session.commit()
                flash(_("已建立儿童之家：%(name)s", name=home.organisation.name), "success")
                return redirect(url_for("homes.detail", home_id=home.id))
            except services.HomeError as exc:
                db.session.rollback()
                errors[exc.field] = _(exc.message)
    elif len(villages) == 1:
        values["division_id"] = str(villages[0].id)
        values["name"] = f"{villages[0].name}儿童之家"
    return render_template("homes/new.html", villages=villages, schools=schools, values=values,
                           errors=errors), 400 if errors else 200


def _detail(home: ChildrenHome, errors: dict | None = None, status: int = 200):
    period = _year()
    counts = services.service_counts([home.organisation_id], period, today_cn())[home.organisation_id]
    events = db.session.scalars(sa.select(SchoolEvent).where(SchoolEvent.organisation_id == home.organisation_id)
                                .order_by(SchoolEvent.starts_at.desc()).limit(50)).all()
    by_item: dict[str, list[HomeEvidence]] = {}
    for row in home.evidence:
        by_item.setdefault(row.item, []).append(row)
    return render_template("homes/detail.html", home=home, counts=counts, period=period, events=events,
                           evidence=by_item, errors=errors or {},
                           can_manage=has_permission(current_user, "homes.manage"),
                           can_events=has_permission(current_user, "events.manage")), status


@bp.route("/<int:home_id>")
@policy("homes.view")
def detail(home_id: int):
    return _detail(home_or_404(home_id))


@bp.route("/<int:home_id>/checklist", methods=["POST"])
@policy("homes.manage")
def checklist(home_id: int):
    home = home_or_404(home_id)
    uploads = {item: [f.read() for f in request.files.getlist(f"photos_{item}") if f and f.filename]
               for item in CHECKLIST}
    try:
        photos = services.prepare_evidence({k: v for k, v in uploads.items() if v})
        services.save_checklist(current_user, home, request.form.getlist("met"),
                                {k: request.form.get(f"note_{k}", "") for k in CHECKLIST}, photos,
                                current_app.config["UPLOAD_DIR"])
    except services.HomeError as exc:
        db.session.rollback()
        return _detail(home_or_404(home_id), {exc.field: _(exc.message)}, 400)
    db.session.commit()
    flash(_("已保存“八有”核查情况"), "success")
    return redirect(url_for("homes.detail", home_id=home.id))


@bp.route("/evidence/<int:evidence_id>")
@policy("homes.view")
def evidence(evidence_id: int):
    from app.activities.photos import photo_path

    row = db.session.get(HomeEvidence, evidence_id)
    if row is None:
        abort(404)
    home_or_404(row.home_id)
    path = photo_path(current_app.config["UPLOAD_DIR"], row.filename)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="image/jpeg")


@bp.route("/evidence/<int:evidence_id>/delete", methods=["POST"])
@policy("homes.manage")
def evidence_delete(evidence_id: int):
    """Delete a checklist photo (those who may change the checklist may remove its evidence)."""
    row = db.session.get(HomeEvidence, evidence_id)
    if row is None:
        abort(404)
    home = home_or_404(row.home_id)
    if request.form.get("confirm") != "1":
        return _detail(home, {row.item: _("请确认要删除这张照片")}, 400)
    path = services.delete_evidence(current_user, row, current_app.config["UPLOAD_DIR"])
    db.session.commit()
    path.unlink(missing_ok=True)  # after the commit: a rolled-back delete keeps its photo
    flash(_("已删除照片"), "success")
    return redirect(url_for("homes.detail", home_id=home.id))


@bp.route("/<int:home_id>/assessment")
@policy("homes.view")
def assessment(home_id: int):
    """运营评估: the figures a third-party assessment of the running subsidy looks at (seed 003
    篇四: "根據其服務農村留守兒童和困境兒童數量和質量，在第三方評估的基礎上…給予日常運營補貼")."""
    home = home_or_404(home_id)
    period = _year()
    today = today_cn()
    counts = services.service_counts([home.organisation_id], period, today)[home.organisation_id]
    sessions = services.held_sessions(home.organisation_id, period, today)
    village_children = db.session.scalar(sa.select(sa.func.count()).select_from(Child).where(
        Child.division_id == home.organisation.division_id, Child.status == "active")) or 0
    audit.record("home.assessment", home, detail={"year": period.start.year})
    html = render_template("homes/assessment.html", home=home, counts=counts, period=period, sessions=sessions,
                           village_children=village_children, today=today)
    db.session.commit()
    return html


# ------------------------------------------------------------------ parents and guardians at events


def _event_or_404(event_id: int) -> SchoolEvent:
    from app.activities.events import events_scope

    event = db.session.scalar(sa.select(SchoolEvent).where(SchoolEvent.id == event_id, events_scope(current_user)))
    if event is None:
        abort(404)
    return event


def _families(event: SchoolEvent) -> list[Child]:
    """Children whose family may come: those invited, and the children of the event's village
    (a home's) or school (a school's)."""
    from app.activities.models import EventAttendance

    invited = sa.select(EventAttendance.child_id).where(EventAttendance.event_id == event.id)
    org = event.organisation
    local = (Child.school_id == org.id) if org.kind == "school" else (Child.division_id == org.division_id)
    return db.session.scalars(sa.select(Child).where(Child.status == "active", sa.or_(Child.id.in_(invited), local))
                              .order_by(Child.name_pinyin).limit(1000)).all()


@bp.route("/events/<int:event_id>/guests", methods=["GET", "POST"])
@policy("events.manage")
def guests(event_id: int):
    event = _event_or_404(event_id)
    families = _families(event)
    values, errors = dict(request.form), {}
    if request.method == "POST":
        child_id = request.form.get("child_id", type=int)
        child = next((c for c in families if c.id == child_id), None)
        if child_id and child is None:
            errors["child_id"] = _("请从列表中选择儿童")
        if not errors:
            try:
                services.add_guest(current_user, event, request.form.get("name", ""),
                                   request.form.get("relation", ""), child, today_cn())
                db.session.commit()
                flash(_("已登记到场的家长或监护人"), "success")
                return redirect(url_for("homes.guests", event_id=event.id))
            except services.HomeError as exc:
                db.session.rollback()
                errors[exc.field] = _(exc.message)
    rows = db.session.scalars(sa.select(EventGuest).where(EventGuest.event_id == event.id)
                              .order_by(EventGuest.id)).all()
    day = event.starts_at.astimezone(CHINA).date()
    return render_template("homes/guests.html", event=event, rows=rows, families=families, values=values,
                           errors=errors, relations=GUEST_RELATIONS, not_yet=day > today_cn()), \
        400 if errors else 200
