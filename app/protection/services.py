"""Write side of the tracked duties. Functions flush and audit, never commit (the view commits).

A guardianship gap opens by itself for every active child whose guardianship is missing or
inadequate (:func:`gap_reason`), on every save of the child (:func:`sync_child`) and by
``flask --app wsgi protection backfill`` for children saved before. It closes only through
:func:`close_gap`, which records a capable guardian on the child's record: a later edit of the
record alone never closes it, so the means (parent returned, entrusted guardian, temporary
guardianship and where) are always known for the bulletin.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from app.core import audit
from app.core.errors import UserError
from app.core.dates import today_cn
from app.core.i18n import N_
from app.extensions import db
from app.protection import vocab
from app.protection.models import DutyItem, DutyStep


class ProtectionError(UserError):
    """Input an item cannot be saved with; ``message`` is Chinese (N_-marked), ``field`` the form field."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message, field=field)


# --------------------------------------------------------------------------------------------
# rules
# --------------------------------------------------------------------------------------------

#: relations that name a parent: the parent at home lacking capacity is no capable guardian
PARENT_WORDS = ("父亲", "母亲", "父", "母", "爸爸", "妈妈")


def _no_capable_carer(child) -> bool:
    name = (child.guardian_name or "").strip()
    return not name or (child.guardian_relation or "").strip() in PARENT_WORDS


def gap_reason(child) -> str | None:
    """Why ``child``'s guardianship is missing or inadequate, or None when it is not.

    无人监护 and 受委托监护人监护能力不足 always; a parent away and the other without capacity
    only while nobody else (an entrusted relative) is recorded as guardian."""
    if child.status != "active":
        return None
    kind = child.guardianship_type or ""
    if kind in ("none", "entrusted_weak"):
        return kind
    if (kind == "parent_incapable" or child.one_parent_away_other_incapable) and _no_capable_carer(child):
        return "parent_incapable"
    return None


def effective_guardianship_clause():
    """SQL: the child has a capable guardian recorded (有效监护), the numerator of 有效监护率;
    the complement of :func:`gap_reason` among recorded types (a blank type is not counted:
    nobody has checked)."""
    from app.children.models import Child

    incapable_parent = sa.or_(Child.guardianship_type == "parent_incapable",
                              Child.one_parent_away_other_incapable.is_(True))
    no_carer = sa.or_(sa.func.coalesce(Child.guardian_name, "") == "",
                      Child.guardian_relation.in_(PARENT_WORDS))
    return sa.and_(Child.guardianship_type.in_(("good", "fair", "parent_incapable")),
                   sa.not_(sa.and_(incapable_parent, no_carer)))


def village_director(division_id: int):
    """The village's child director (the owner of its items), or None."""
    from app.auth.models import User

    return db.session.scalar(sa.select(User).where(User.role == "village_director",
                                                   User.division_id == division_id,
                                                   User.active.is_(True)).order_by(User.id))


def open_item_of(child_id: int, kind: str) -> DutyItem | None:
    return db.session.scalar(sa.select(DutyItem).where(DutyItem.child_id == child_id, DutyItem.kind == kind,
                                                       DutyItem.status == "open").order_by(DutyItem.id))


def _clean(text: str | None, limit: int | None = None) -> str | None:
    text = (text or "").strip()
    return (text[:limit] if limit else text) or None


def open_item(actor, child, kind: str, reason: str, *, on_date: date | None = None, summary: str = "",
              detail: dict[str, Any] | None = None, log_id: int | None = None,
              deadline: date | None = None) -> DutyItem:
    """Open an item of ``kind`` for ``child`` owned by the village director, with its first step.

    :raise ProtectionError: unknown kind, or a deadline before the opening day.
    """
    if kind not in vocab.KINDS:
        raise ProtectionError("kind", N_("事项类型无效"))
    on_date = on_date or today_cn()
    days = vocab.DEADLINE_DAYS["gap_none" if (kind, reason) == ("gap", "none") else kind]
    deadline = deadline or on_date + timedelta(days=days)
    if deadline < on_date:
        raise ProtectionError("deadline", N_("期限不能早于登记日期"))
    owner = village_director(child.division_id)
    item = DutyItem(kind=kind, child_id=child.id, division_id=child.division_id, reason=reason,
                    summary=_clean(summary), owner_id=owner.id if owner else None, opened_on=on_date,
                    deadline=deadline, status="open", detail=dict(detail or {}), log_id=log_id,
                    created_by_id=getattr(actor, "id", None))
    db.session.add(item)
    db.session.flush()
    _step(actor, item, "opened", on_date, notes=summary)
    audit.record("duty.open", item, user=actor, detail={"kind": kind, "reason": reason, "child_id": child.id,
                                                         "deadline": deadline.isoformat()})
    return item


def _person(actor) -> str:
    return (getattr(actor, "display_name", None) or "系统")[:64]


def _step(actor, item: DutyItem, action: str, on_date: date, *, person: str | None = None,
          result: str | None = None, notes: str | None = None) -> DutyStep:
    step = DutyStep(item_id=item.id, action=action, on_date=on_date, person=(person or _person(actor))[:64],
                    result=result, notes=_clean(notes), actor_id=getattr(actor, "id", None))
    db.session.add(step)
    db.session.flush()
    return step


def sync_child(actor, child, on_date: date | None = None) -> list[DutyItem]:
    """Open the items the child's record calls for and that are not open yet; returns the new ones.

    A gap for missing or inadequate guardianship; a dropout item for 辍学; a hukou item for 无户籍.
    Nothing closes here: each item closes with its outcome recorded (see the module docstring).
    """
    if child.status != "active" or child.id is None:
        return []
    from app.protection.agreements import follow_child

    follow_child(actor, child, on_date)
    wanted = []
    reason = gap_reason(child)
    if reason:
        wanted.append(("gap", reason))
    if child.schooling == "dropped_out":
        wanted.append(("dropout", "dropped_out"))
    if child.has_hukou is False:
        wanted.append(("hukou", "no_hukou"))
    opened = []
    for kind, why in wanted:
        if open_item_of(child.id, kind) is None:
            detail = {"school": child.school_name or (child.school.name if child.school else None)} \
                if kind == "dropout" else {}
            opened.append(open_item(actor, child, kind, why, on_date=on_date, detail=detail))
    return opened


def backfill(actor=None, on_date: date | None = None) -> list[DutyItem]:
    """:func:`sync_child` for every active child (for children saved before this feature)."""
    from app.children.models import Child

    opened = []
    for child in db.session.scalars(sa.select(Child).where(Child.status == "active").order_by(Child.id)):
        opened.extend(sync_child(actor, child, on_date))
    return opened


# --------------------------------------------------------------------------------------------
# progress and closing
# --------------------------------------------------------------------------------------------

def _check_open(item: DutyItem) -> None:
    if not item.is_open:
        raise ProtectionError("action", N_("事项已办结，不能再变更"))


def _check_date(on_date: date | None, item: DutyItem, field: str = "on_date") -> date:
    if on_date is None:
        raise ProtectionError(field, N_("请填写日期"))
    if on_date > today_cn():
        raise ProtectionError(field, N_("日期不能晚于今天"))
    if on_date < item.opened_on:
        raise ProtectionError(field, N_("日期不能早于登记日期"))
    return on_date


def add_step(actor, item: DutyItem, action: str, on_date: date | None, person: str, *,
             result: str | None = None, notes: str = "") -> DutyStep:
    """Record progress: a 劝返 attempt (with its result), the written report when persuasion fails,
    the hukou application, or a note.

    :raise ProtectionError: closed item, an action the kind does not have, bad date, no person,
        an attempt without a result, a written report without its text.
    """
    _check_open(item)
    if action not in vocab.KIND_ACTIONS[item.kind]:
        raise ProtectionError("action", N_("此类事项没有这一步骤"))
    on_date = _check_date(on_date, item)
    if not (person or "").strip():
        raise ProtectionError("person", N_("请填写经办人"))
    if action == "attempt" and result not in vocab.ATTEMPT_RESULTS:
        raise ProtectionError("result", N_("请选择劝返结果"))
    if action in ("written_report", "note", "applied") and not (notes or "").strip():
        raise ProtectionError("notes", N_("请填写内容（报告对象、申请的派出所或进展情况）"))
    step = _step(actor, item, action, on_date, person=person.strip(),
                 result=result if action == "attempt" else None, notes=notes)
    if action == "applied":
        item.detail = {**(item.detail or {}), "police_station": _clean(notes, 128), "applied_on": on_date.isoformat()}
    audit.record("duty.step", item, user=actor, detail={"action": action, "on_date": on_date.isoformat(),
                                                         "result": step.result, "step_id": step.id})
    return step


@dataclass
class GuardianInput:
    """The capable guardian a gap closes with (written to the child's record)."""

    name: str
    relation: str
    phone: str = ""
    guardianship_type: str = "fair"
    confirmed: bool = False


def close_gap(actor, item: DutyItem, means: str, on_date: date | None, guardian: GuardianInput, *,
              placement: str | None = None, note: str = "") -> DutyItem:
    """Close a guardianship gap: effective guardianship by ``means`` with a capable ``guardian``.

    Writes the guardian's name, relation, phone and the guardianship type on the child's record
    (audited as a change of the child) and closes the item.

    :raise ProtectionError: not a gap, closed, unknown means, temporary guardianship without its
        placement, no guardian, a type that is not capable, not confirmed, bad date.
    """
    from app.children.services import save_child

    if item.kind != "gap":
        raise ProtectionError("means", N_("只有监护待落实事项需要登记监护人"))
    _check_open(item)
    if means not in vocab.GAP_MEANS:
        raise ProtectionError("means", N_("请选择落实监护的方式"))
    if means == "temporary" and placement not in vocab.PLACEMENTS:
        raise ProtectionError("placement", N_("临时监护请选择由谁提供（近亲属、村居委会、救助管理机构或儿童福利机构）"))
    on_date = _check_date(on_date, item)
    if not (guardian.name or "").strip():
        raise ProtectionError("guardian_name", N_("请填写落实后的监护人（或临时监护机构）名称"))
    if not (guardian.relation or "").strip():
        raise ProtectionError("guardian_relation", N_("请填写监护人与儿童的关系"))
    if guardian.guardianship_type not in vocab.CAPABLE_TYPES:
        raise ProtectionError("guardianship_type", N_("只有具备监护能力（监护情况较好或一般）才能办结"))
    if not guardian.confirmed:
        raise ProtectionError("confirmed", N_("请确认已核实该监护人具备监护能力"))
    child = item.child
    values = {"guardian_name": guardian.name.strip()[:64], "guardian_relation": guardian.relation.strip()[:32],
              "guardianship_type": guardian.guardianship_type}
    if (guardian.phone or "").strip():
        values["guardian_phone"] = guardian.phone.strip()[:32]
    save_child(actor, child, values, on_date=today_cn(), action="child.guardian_confirmed",
               detail={"duty_item_id": item.id, "means": means, "placement": placement}, check_unique=False)
    item.status, item.outcome, item.outcome_on = "closed", means, on_date
    item.placement = placement if means == "temporary" else None
    item.outcome_note, item.closed_by_id = _clean(note), getattr(actor, "id", None)
    _step(actor, item, "closed", on_date, notes=note or vocab.GAP_MEANS[means])
    db.session.flush()
    audit.record("duty.close", item, user=actor, detail={"kind": "gap", "means": means, "placement": item.placement,
                                                          "guardian_name": values["guardian_name"],
                                                          "on_date": on_date.isoformat()})
    return item


@dataclass
class Schooling:
    """Where a dropout is back at school (written to the child's record on closing)."""

    level: str | None = None
    school_name: str = ""
    grade: str = ""


def _dropout_record(actor, item: DutyItem, outcome: str, schooling: Schooling | None) -> None:
    """The record follows the dropout's outcome: back at school at ``schooling.level`` (and the
    school and grade when given), or 不在学 for a lawful deferral; the 辍学 flag would otherwise
    stay and count the child as a dropout in every report.

    :raise ProtectionError: a return without the level of school.
    """
    from app.children.services import save_child

    if vocab.DROPOUT_BACK_AT_SCHOOL[outcome]:
        if schooling is None or schooling.level not in vocab.RETURN_SCHOOLING:
            raise ProtectionError("schooling", N_("请选择返校后的就学阶段（小学、初中、高中或中职）"))
        values = {"schooling": schooling.level}
        if (schooling.school_name or "").strip():
            values["school_name"] = schooling.school_name.strip()[:128]
        if (schooling.grade or "").strip():
            values["grade"] = schooling.grade.strip()[:32]
    else:
        values = {"schooling": "not_in_school"}
    save_child(actor, item.child, values, on_date=today_cn(), action="child.dropout_returned",
               detail={"duty_item_id": item.id, "outcome": outcome}, check_unique=False)


def close_item(actor, item: DutyItem, outcome: str, on_date: date | None, note: str = "", *,
               schooling: Schooling | None = None) -> DutyItem:
    """Close a dropout, hukou or finding item with its ``outcome`` (gaps: :func:`close_gap`).

    A dropout's closing writes its schooling on the child's record (:func:`_dropout_record`);
    a hukou item's sets 有户籍.

    :raise ProtectionError: a gap, closed, unknown outcome, bad date, a finding closed without
        saying what was done, a dropout back at school without the level.
    """
    if item.kind == "gap":
        raise ProtectionError("outcome", N_("监护待落实事项须登记具备监护能力的监护人后办结"))
    _check_open(item)
    if outcome not in vocab.OUTCOMES[item.kind]:
        raise ProtectionError("outcome", N_("请选择办结结果"))
    on_date = _check_date(on_date, item, "outcome_on")
    if not (note or "").strip():
        raise ProtectionError("note", N_("请写明办理情况（例如返校的学校和年级、户口登记的派出所、整改措施）"))
    if item.kind == "dropout":
        _dropout_record(actor, item, outcome, schooling)
    if item.kind == "hukou" and item.child.has_hukou is False:
        from app.children.services import save_child

        # the record follows the registration (the 无户籍 flag would otherwise stay)
        save_child(actor, item.child, {"has_hukou": True}, on_date=today_cn(), action="child.hukou_registered",
                   detail={"duty_item_id": item.id}, check_unique=False)
    item.status, item.outcome, item.outcome_on = "closed", outcome, on_date
    item.outcome_note, item.closed_by_id = _clean(note), getattr(actor, "id", None)
    _step(actor, item, "closed", on_date, notes=note)
    db.session.flush()
    audit.record("duty.close", item, user=actor, detail={"kind": item.kind, "outcome": outcome,
                                                          "on_date": on_date.isoformat()})
    return item


def findings_from_log(actor, child, log) -> list[DutyItem]:
    """The director's items a care log calls for: a safety hazard ticked (有隐患, the 隐患台账),
    a need the child stated, a follow-up the visitor asked for. One item of each, with the log."""
    from app.activities import vocab as activity_vocab

    found = []
    hazards = [activity_vocab.SAFETY_ITEMS[k] for k, v in (log.safety or {}).items()
               if v == "problem" and k in activity_vocab.SAFETY_ITEMS]
    if hazards:
        text = "安全检查有隐患：" + "、".join(hazards)
        if log.living_conditions:
            text += f"。{log.living_conditions}"
        found.append(("hazard", text))
    if (log.needs or "").strip():
        found.append(("need", log.needs.strip()))
    if (log.follow_up or "").strip():
        found.append(("follow_up", log.follow_up.strip()))
    return [open_item(actor, child, "finding", reason, on_date=min(log.occurred_on, today_cn()), summary=summary,
                      log_id=log.id) for reason, summary in found]
