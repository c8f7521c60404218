import sqlalchemy as sa
from flask import (Response, abort, current_app, flash, redirect, render_template, request, send_file,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user

from app.core.errors import show_on_form
from app.core import audit
from app.core.dates import today_cn
from app.core.models import Division, Organisation, utcnow
from app.core.permissions import PUBLIC, get_in_scope_or_404, policy
from app.volunteers.scope import volunteers_scope
from app.extensions import db
from app.matching.models import Pair
from app.volunteers import services, teachers
from app.volunteers.forms import (CapacityForm, ConductForm, PaperConductForm, RegistrationForm, ScreeningForm,
                                  StatusForm, TeacherImportForm)
from app.volunteers.models import VOLUNTEER_KINDS, VOLUNTEER_STATUSES, Volunteer
from app.volunteers.blueprint import bp
from app.children import consent


@bp.route("/")
@policy("volunteers.view")
def roster():
    status = request.args.get("status", "")
    kind = request.args.get("kind", "")
    stmt = sa.select(Volunteer).where(volunteers_scope(current_user))
    if status in VOLUNTEER_STATUSES:
        stmt = stmt.where(Volunteer.status == status)
    if kind in VOLUNTEER_KINDS:
        stmt = stmt.where(Volunteer.kind == kind)
    if request.args.get("room"):
        stmt = stmt.where(Volunteer.status == "approved", Volunteer.active_pairs < Volunteer.capacity)
    page = db.paginate(stmt.order_by(Volunteer.status, Volunteer.name), page=request.args.get("page", 1, type=int),
                       per_page=50, error_out=False)
    load = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(Volunteer.active_pairs), 0), sa.func.coalesce(sa.func.sum(Volunteer.capacity), 0))
        .where(volunteers_scope(current_user), Volunteer.status == "approved")).one()
    audit.record("volunteer.list", object_type="volunteers",
                 detail={"count": page.total, "page": page.page, "status": status, "kind": kind})
    html = render_template("volunteers/roster.html", page=page, status=status, kind=kind,
                           kinds=VOLUNTEER_KINDS, statuses=VOLUNTEER_STATUSES, load=load)
    db.session.commit()  # the audit entry, after rendering (a commit expires the rows shown)
    return html


@bp.route("/register", methods=["GET", "POST"])
@policy(PUBLIC)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = RegistrationForm()
    form.organisation_id.choices = services.organisation_choices()
    form.division_id.choices = services.village_choices()
    if form.validate_on_submit():
        info = getattr(form.id_number, "id_info", None)
        if info is not None and info.sex != form.sex.data:
            form.sex.errors.append(_("性别与身份证号码不一致"))
        else:
            try:
                services.register(services.Registration(
                    kind=form.kind.data, organisation_id=form.organisation_id.data, name=form.name.data.strip(),
                    id_number=form.id_number.data, sex=form.sex.data, birth_date=info.birth_date,
                    phone=form.phone.data, password=form.password.data, division_id=form.division_id.data,
                    capacity=form.capacity.data, max_km=float(form.max_km.data), skills=form.skills.data,
                    prefer_gender=form.prefer_gender.data, prefer_age_band=form.prefer_age_band.data,
                    availability=form.availability.data))
                db.session.commit()
                flash(_("报名成功！请等待组织审核。您可以用手机号码和密码登录查看进度。"), "success")
                return redirect(url_for("auth.login"))
            except services.AlreadyRegistered:
                # Same answer as a new application: the page must not confirm that this ID number
                # belongs to a volunteer. The attempt is audited with the number masked.
                db.session.rollback()
                from app.core.idcard import mask_id_number

                audit.record_now("volunteer.register_duplicate", object_type="volunteers",
                                 detail={"id_number": mask_id_number(form.id_number.data)})
                flash(_("报名成功！请等待组织审核。您可以用手机号码和密码登录查看进度。"), "success")
                return redirect(url_for("auth.login"))
            except services.VolunteerError as exc:
                db.session.rollback()
                show_on_form(form, exc, "name")
    return render_template("volunteers/register.html", form=form), 200 if request.method == "GET" or not form.errors else 422


@bp.route("/me", methods=["GET", "POST"])
@policy("volunteers.self")
def me():
    volunteer = db.session.scalar(sa.select(Volunteer).where(Volunteer.user_id == current_user.id))
    if volunteer is None:
        abort(404)
    capacity_form = CapacityForm(obj=volunteer)
    status_form = StatusForm()
    if capacity_form.validate_on_submit() and "capacity" in request.form:
        try:
            services.set_capacity(volunteer, capacity_form.capacity.data)
            db.session.commit()
            flash(_("已更新可结对人数。"), "success")
            return redirect(url_for("volunteers.me"))
        except services.VolunteerError as exc:
            db.session.rollback()
            show_on_form(capacity_form, exc, "capacity")
    pairs = db.session.scalars(sa.select(Pair).where(Pair.volunteer_id == volunteer.id)
                               .order_by(Pair.status, Pair.started_at.desc())).all()
    return render_template("volunteers/me.html", volunteer=volunteer, pairs=pairs, hours=_service_hours(volunteer),
                           capacity_form=capacity_form, status_form=status_form, conduct_form=ConductForm())


@bp.route("/me/conduct", methods=["POST"])
@policy("volunteers.self")
def accept_conduct():
    """A volunteer whose school imported them confirms the code of conduct themselves."""
    volunteer = db.session.scalar(sa.select(Volunteer).where(Volunteer.user_id == current_user.id))
    if volunteer is None:
        abort(404)
    form = ConductForm()
    if not form.validate_on_submit():
        flash(_("请勾选确认行为守则"), "error")
    elif volunteer.code_of_conduct_accepted_at is None:
        volunteer.code_of_conduct_accepted_at = utcnow()
        audit.record("volunteer.conduct_accepted", volunteer)
        db.session.commit()
        flash(_("已确认行为守则。"), "success")
    return redirect(url_for("volunteers.me"))


def _import_schools() -> list[Organisation]:
    """Schools whose teachers the current user may import: their own school, or the schools
    in their region."""
    if current_user.role == "school_staff":
        org = current_user.organisation
        return [org] if org is not None and org.kind == "school" else []
    stmt = sa.select(Organisation).where(Organisation.kind == "school")
    if current_user.role != "admin":
        if current_user.division is None:
            return []
        stmt = stmt.join(Division, Organisation.division_id == Division.id).where(
            Division.within(current_user.division))
    return list(db.session.scalars(stmt.order_by(Organisation.name)))


@bp.route("/import", methods=["GET", "POST"])
@policy("volunteers.import")
def import_teachers_form():
    schools = _import_schools()
    form = TeacherImportForm(school_id=schools[0].id if len(schools) == 1 else None)
    form.school_id.choices = [(s.id, s.name) for s in schools]
    rows = created = None
    school = None
    if form.validate_on_submit():
        school = next((s for s in schools if s.id == form.school_id.data), None)
        if school is None:
            form.school_id.errors.append(_("请选择学校"))
        else:
            try:
                rows = teachers.read_teachers(form.file.data.read(), school)
            except teachers.TeacherFileError as exc:
                show_on_form(form, exc, "file")
    if rows is not None:
        bad = [r for r in rows if r.reasons]
        if bad and form.choice.data == "all_or_nothing":
            created = []
        else:
            created = teachers.import_teachers(rows, school, by=current_user)
            db.session.commit()
        status = 422 if bad and not created else 200
        return render_template("volunteers/import.html", form=form, rows=rows, bad=bad, created=created,
                               school=school), status
    return render_template("volunteers/import.html", form=form), 422 if form.errors else 200


@bp.route("/import/template.xlsx")
@policy("volunteers.import")
def teacher_template():
    return Response(teachers.template_workbook(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''teachers-template.xlsx"})


@bp.route("/me/status", methods=["POST"])
@policy("volunteers.self")
def my_status():
    volunteer = db.session.scalar(sa.select(Volunteer).where(Volunteer.user_id == current_user.id))
    if volunteer is None:
        abort(404)
    return _apply_status(volunteer, url_for("volunteers.me"))


@bp.route("/applications")
@policy("volunteers.review")
def applications():
    rows = db.session.scalars(sa.select(Volunteer).where(volunteers_scope(current_user), Volunteer.status == "applied")
                              .order_by(Volunteer.created_at)).all()
    return render_template("volunteers/applications.html", volunteers=rows)


@bp.route("/<int:volunteer_id>")
@policy("volunteers.view")
def detail(volunteer_id: int):
    volunteer = get_in_scope_or_404(Volunteer, volunteer_id, volunteers_scope)
    pairs = db.session.scalars(sa.select(Pair).where(Pair.volunteer_id == volunteer.id)
                               .order_by(Pair.status, Pair.started_at.desc())).all()
    audit.record("volunteer.view", volunteer)
    db.session.commit()
    return render_template("volunteers/detail.html", volunteer=volunteer, pairs=pairs, status_form=StatusForm(),
                           hours=_service_hours(volunteer))


@bp.route("/<int:volunteer_id>/screen", methods=["GET", "POST"])
@policy("volunteers.review")
def screen(volunteer_id: int):
    volunteer = get_in_scope_or_404(Volunteer, volunteer_id, volunteers_scope)
    form = ScreeningForm(obj=volunteer)
    if form.validate_on_submit():
        try:
            services.screen(volunteer, user=current_user, check_date=form.background_check_date.data,
                            check_result=form.background_check_result.data,
                            training_date=form.training_completed_at.data, notes=form.interview_notes.data,
                            decision=form.decision.data, reason=form.reason.data)
            db.session.commit()
            flash({"approve": _("已通过审核，该志愿者现在可以参与结对。"), "reject": _("已记录不通过及理由。"),
                   "save": _("已保存审核记录。")}[form.decision.data], "success")
            return redirect(url_for("volunteers.detail", volunteer_id=volunteer.id))
        except services.VolunteerError as exc:
            db.session.rollback()
            show_on_form(form, exc, "decision")
            _save_screening_facts(volunteer, form)
    return render_template("volunteers/screen.html", volunteer=volunteer, form=form, today=today_cn(),
                           conduct_form=PaperConductForm()), 422 if form.errors else 200


def _save_screening_facts(volunteer: Volunteer, form: ScreeningForm) -> None:
    """A refused decision must not lose the check, training and notes that were typed: save
    them without deciding, and say so."""
    try:
        services.screen(volunteer, user=current_user, check_date=form.background_check_date.data,
                        check_result=form.background_check_result.data,
                        training_date=form.training_completed_at.data, notes=form.interview_notes.data,
                        decision="save", reason=form.reason.data)
        db.session.commit()
        flash(_("填写的审核记录已保存，但审核结论未能提交，请看上面的说明。"), "warning")
    except services.VolunteerError:
        db.session.rollback()


@bp.route("/<int:volunteer_id>/conduct-paper", methods=["POST"])
@policy("volunteers.review")
def record_paper_conduct(volunteer_id: int):
    """A coordinator records a code of conduct signed on paper: the date and a scan or photo."""

    volunteer = get_in_scope_or_404(Volunteer, volunteer_id, volunteers_scope)
    form = PaperConductForm()
    if form.validate_on_submit():
        data = form.scan.data.read() if form.scan.data else b""
        try:
            stored = consent.store_scan(current_app.config["UPLOAD_DIR"], data)
        except consent.ScanError as exc:
            show_on_form(form, exc, "scan")
        else:
            services.record_paper_conduct(volunteer, form.signed_on.data, stored, user=current_user)
            db.session.commit()
            flash(_("已记录纸质签署的行为守则。"), "success")
            return redirect(url_for("volunteers.screen", volunteer_id=volunteer.id))
    return render_template("volunteers/screen.html", volunteer=volunteer, form=ScreeningForm(obj=volunteer),
                           today=today_cn(), conduct_form=form), 422


@bp.route("/<int:volunteer_id>/conduct-scan")
@policy("volunteers.review")
def conduct_scan(volunteer_id: int):
    volunteer = get_in_scope_or_404(Volunteer, volunteer_id, volunteers_scope)
    path = consent.scan_path(current_app.config["UPLOAD_DIR"], volunteer.code_of_conduct_scan or "")
    if path is None:
        flash(_("没有纸质签署的行为守则扫描件。"), "info")
        return redirect(url_for("volunteers.screen", volunteer_id=volunteer.id))
    audit.record("volunteer.conduct_scan_view", volunteer)
    db.session.commit()
    return send_file(path, mimetype=consent.mimetype(path.name), as_attachment=True,
                     download_name=f"conduct-{volunteer.id}{path.suffix}", max_age=0)


@bp.route("/<int:volunteer_id>/status", methods=["POST"])
@policy("volunteers.review")
def set_status(volunteer_id: int):
    volunteer = get_in_scope_or_404(Volunteer, volunteer_id, volunteers_scope)
    return _apply_status(volunteer, url_for("volunteers.detail", volunteer_id=volunteer.id))


def _apply_status(volunteer: Volunteer, back: str):
    form = StatusForm()
    if not form.validate_on_submit():
        flash(_("请选择操作。"), "error")
        return redirect(back)
    try:
        closed = services.change_status(volunteer, form.action.data, form.reason.data, user=current_user)
        db.session.commit()
    except services.VolunteerError as exc:
        db.session.rollback()
        flash(exc.translated(), "error")
        return redirect(back)
    if form.action.data == "exit":
        flash(_("已结束服务；%(n)s 名结对儿童已回到待匹配名单。", n=closed), "success")
    else:
        flash(_("状态已更新。"), "success")
    return redirect(back)


def _service_hours(volunteer: Volunteer) -> float:
    """Service hours from logged activities (travel excluded), when the activities feature is installed."""
    try:
        from app.activities.services import service_hours
    except ImportError:
        return 0.0
    return service_hours(volunteer)
