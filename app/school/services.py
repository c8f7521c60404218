"""Changes the school makes to its own pupils' records; flush and audit, never commit."""
from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from app.children.models import Child
from app.core import audit
from app.core.i18n import N_
from app.extensions import db
from app.core.errors import UserError

CLASS_MAX = 32


class SchoolError(UserError):
    """Bad input, with a message (Chinese source text) for the form field ``field``."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field=field)


def set_class(actor, school_id: int, child_ids: Iterable[int], class_name: str) -> list[Child]:
    """Put the given pupils of ``school_id`` into ``class_name`` ("" takes them out of any class).

    :raise SchoolError: no pupil chosen, a class name too long, or a child who is not an active
        pupil of this school (nothing is changed then).
    """
    ids = sorted({int(i) for i in child_ids})
    name = " ".join((class_name or "").split())
    if not ids:
        raise SchoolError("child_ids", N_("请先勾选学生"))
    if len(name) > CLASS_MAX:
        raise SchoolError("class_name", N_("班级名称最多32个字"))
    pupils = db.session.scalars(sa.select(Child).where(Child.id.in_(ids), Child.school_id == school_id,
                                                       Child.status == "active")).all()
    if len(pupils) != len(ids):
        raise SchoolError("child_ids", N_("只能为本校在读学生设置班级"))
    for child in pupils:
        old = child.class_name
        if (old or "") != name:
            child.class_name = name or None
            audit.record("child.class_set", child, user=actor, detail={"from": old, "to": name or None})
    db.session.flush()
    return list(pupils)


CONTACT_COLUMNS = (N_("班级"), N_("姓名"), N_("年级"), N_("寄宿"), N_("父亲"), N_("父亲电话"), N_("母亲"),
                   N_("母亲电话"), N_("监护人"), N_("与儿童关系"), N_("监护人电话"))


def contact_row(child: Child) -> list:
    return [child.class_name or "", child.name, child.grade or "", "是" if child.boarding else "否",
            child.father_name or "", child.father_phone or "", child.mother_name or "", child.mother_phone or "",
            child.guardian_name or "", child.guardian_relation or "", child.guardian_phone or ""]


def contact_book_file(school_name: str, pupils: Sequence[Child], headers: Sequence[str]) -> io.BytesIO:
    """The contact book (通讯录) of parents and guardians as an Excel workbook, full numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "通讯录"
    ws.append([f"{school_name} 留守儿童及其家长和监护人通讯录"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(list(headers))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for child in pupils:
        ws.append(contact_row(child))
    for letter, width in zip("ABCDEFGHIJK", (10, 10, 8, 6, 10, 15, 10, 15, 10, 10, 15)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf
