"""School workspace pages: overview, pupils and classes, teacher proxy parents, contact book."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.children.exports import XLSX, download_name
from app.children.models import Child
from app.core import audit
from app.core.dates import today_cn
from app.core.models import Organisation
from app.core.permissions import policy
from app.extensions import db
from app.school import cadence, queries, services
from app.school.blueprint import bp


def my_school() -> Organisation:
    """The school the staff member works at.

    :raise 404: an account without a school (nothing of any school is theirs to see).
    """
    school = current_user.organisation
    if school is None or school.kind != "school":
        abort(404)
    return school


def _filters() -> queries.PupilFilters:
    return queries.PupilFilters(class_name=request.args.get("class") or None,
                                boarding=request.args.get("boarding") == "1",
                                left_behind=request.args.get("left_behind") == "1",
                                no_proxy=request.args.get("no_proxy") == "1")


def _filter_args(filters: queries.PupilFilters) -> dict:
    args = {}
    if filters.class_name is not None:
        args["class"] = filters.class_name
    for name in ("boarding", "left_behind", "no_proxy"):
        if getattr(filters, name):
            args[name] = "1"
    return args


@bp.route("/")
@policy("school.workspace")
def index():
    school = my_school()
    day = today_cn()
    classes = queries.classes(current_user, school.id)
    named = [c for c, _n in classes if c != queries.NO_CLASS]
    teachers = queries.teacher_rows(current_user, school.id, day)
    return render_template("school/index.html", school=school, today=day, figures=queries.figures(current_user, school.id),
                           classes=classes, teachers=teachers, NO_CLASS=queries.NO_CLASS,
                           duties=cadence.school_cadence(school.id, named, day))


@bp.route("/pupils")
@policy("school.workspace")
def pupils():
    school = my_school()
    filters = _filters()
    rows = db.session.scalars(queries.pupils_query(current_user, school.id, filters).limit(2000)).all()
    audit.record("school.pupil_list", object_type="children", detail={"count": len(rows), **_filter_args(filters)})
    html = render_template("school/pupils.html", school=school, rows=rows, filters=filters,
                           args=_filter_args(filters), classes=queries.classes(current_user, school.id),
                           proxies=queries.proxies(school.id, (c.id for c in rows)), NO_CLASS=queries.NO_CLASS,
                           dropouts=queries.open_dropouts(c.id for c in rows), errors={}, class_value="")
    db.session.commit()
    return html


@bp.route("/pupils/class", methods=["POST"])
@policy("school.workspace")
def set_class():
    school = my_school()
    ids = request.form.getlist("child_ids", type=int)
    class_name = request.form.get("class_name", "")
    try:
        changed = services.set_class(current_user, school.id, ids, class_name)
    except services.SchoolError as exc:
        db.session.rollback()
        filters = _filters()
        rows = db.session.scalars(queries.pupils_query(current_user, school.id, filters).limit(2000)).all()
        return render_template("school/pupils.html", school=school, rows=rows, filters=filters,
                               args=_filter_args(filters), classes=queries.classes(current_user, school.id),
                               proxies=queries.proxies(school.id, (c.id for c in rows)), NO_CLASS=queries.NO_CLASS,
                               dropouts=queries.open_dropouts(c.id for c in rows),
                               errors={exc.field: _(exc.message)}, class_value=class_name, checked=set(ids)), 400
    db.session.commit()
    name = " ".join(class_name.split())
    flash(_("已将 %(n)s 名学生设为%(c)s", n=len(changed), c=name) if name
          else _("已取消 %(n)s 名学生的班级", n=len(changed)), "success")
    return redirect(url_for("school.pupils", **_filter_args(_filters())))


@bp.route("/teachers")
@policy("school.workspace")
def teachers():
    school = my_school()
    day = today_cn()
    rows = queries.teacher_rows(current_user, school.id, day)
    classes = dict(db.session.execute(sa.select(Child.id, Child.class_name).where(
        Child.id.in_([s.child_id for r in rows for s in r.statuses]))).all())
    return render_template("school/teachers.html", school=school, rows=rows, today=day, classes=classes)


def _contact_rows(school: Organisation):
    filters = queries.PupilFilters(class_name=request.values.get("class") or None,
                                   boarding=request.values.get("boarding") == "1", left_behind=True)
    return filters, db.session.scalars(queries.pupils_query(current_user, school.id, filters).limit(2000)).all()


@bp.route("/contacts")
@policy("school.workspace")
def contacts():
    school = my_school()
    filters, rows = _contact_rows(school)
    return render_template("school/contacts.html", school=school, rows=rows, filters=filters, revealed=False,
                           classes=queries.classes(current_user, school.id), NO_CLASS=queries.NO_CLASS)


@bp.route("/contacts/reveal", methods=["POST"])
@policy("school.workspace")
def contacts_reveal():
    """Full phone numbers of the listed pupils' parents and guardians, written to the audit log."""
    school = my_school()
    filters, rows = _contact_rows(school)
    audit.record("school.contacts_reveal", object_type="children",
                 detail={"child_ids": [c.id for c in rows], "class": filters.class_name})
    flash(_("已显示完整电话号码；此操作已记入审计日志。"), "warning")
    html = render_template("school/contacts.html", school=school, rows=rows, filters=filters, revealed=True,
                           classes=queries.classes(current_user, school.id), NO_CLASS=queries.NO_CLASS)
    db.session.commit()
    return html


@bp.route("/contacts/export", methods=["POST"])
@policy("school.workspace")
def contacts_export():
    """The contact book as Excel (full numbers): audited like a reveal."""
    school = my_school()
    filters, rows = _contact_rows(school)
    buf = services.contact_book_file(school.name, rows, [_(h) for h in services.CONTACT_COLUMNS])
    audit.record("school.contacts_export", object_type="children",
                 detail={"child_ids": [c.id for c in rows], "class": filters.class_name})
    db.session.commit()
    return send_file(buf, mimetype=XLSX, as_attachment=True, download_name=download_name("通讯录", today_cn()))
