"""委托监护责任确认书: recording, renewing and ending them, and counting who lacks one.

A child *needs* a 确认书 while its parents are away and somebody else looks after it: both parents
away, or one away and the other without capacity (the left-behind facts of the 登记表). A 确认书
*covers* a day from its signing until it ends or lapses (see :class:`GuardianshipAgreement`).
The signing rate on a day is (children needing one that are covered) ÷ (children needing one).

Write functions flush and audit, never commit (the view commits).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from app.core import audit
from app.core.dates import today_cn
from app.core.i18n import N_
from app.extensions import db
from app.protection import vocab
from app.protection.models import GuardianshipAgreement
from app.protection.services import ProtectionError

A = GuardianshipAgreement


# --------------------------------------------------------------------------------------------
# rules and counting
# --------------------------------------------------------------------------------------------

def needs_agreement(child) -> bool:
    """Python twin of :func:`needs_clause` (a record or any object with the same attributes)."""
    return (getattr(child, "status", "active") == "active"
            and bool(child.both_parents_away or child.one_parent_away_other_incapable))


def needs_clause():
    """SQL on :class:`Child`: the child's record says it needs a 确认书 (current facts)."""
    from app.children.models import Child

    return sa.and_(Child.status == "active",
                   sa.or_(Child.both_parents_away.is_(True), Child.one_parent_away_other_incapable.is_(True)))


def covering_clause(day: date):
    """SQL on :class:`GuardianshipAgreement`: in force on ``day``."""
    return sa.and_(A.signed_on <= day, sa.or_(A.ended_on.is_(None), A.ended_on > day),
                   sa.or_(A.valid_until.is_(None), A.valid_until >= day))


def covered_ids(child_ids, day: date) -> set[int]:
    """The children among ``child_ids`` (a list or a select of ids) with a 确认书 in force on ``day``."""
    return set(db.session.scalars(sa.select(A.child_id).where(A.child_id.in_(child_ids), covering_clause(day))))


@dataclass(frozen=True)
class SigningRate:
    day: date
    needing: int
    signed: int

    @property
    def missing(self) -> int:
        return self.needing - self.signed

    @property
    def percent(self) -> float | None:
        return round(100 * self.signed / self.needing, 1) if self.needing else None


def needing_ids(user, day: date, division: int | None = None) -> list[int]:
    """Children in ``user``'s scope (within ``division`` when given) needing a 确认书 on ``day``."""
    from app.children.models import Child
    from app.children.scope import children_scope
    from app.protection.queries import in_division

    return needing_in(sa.and_(children_scope(user), in_division(Child.division_id, division)), day)


def needing_in(scope, day: date) -> list[int]:
    """Children matching ``scope`` (a clause on :class:`Child`) needing a 确认书 on ``day``: on the
    roster that day (registered by then and not closed then), with the left-behind facts on their
    record (the record's facts as they are now: they carry no history)."""
    from app.children.models import Child
    from app.reports.roster_stats import on_roster

    away = sa.or_(Child.both_parents_away.is_(True), Child.one_parent_away_other_incapable.is_(True))
    rows = db.session.execute(sa.select(Child.id, Child.status, Child.closed_at).where(
        scope, away, sa.or_(Child.registered_on.is_(None), Child.registered_on <= day)).order_by(Child.id)).all()
    return [r[0] for r in on_roster(rows, day)]


def rate_of(ids: list[int], day: date) -> SigningRate:
    """The signing rate among ``ids`` (children needing one on ``day``)."""
    return SigningRate(day, len(ids), len(covered_ids(ids, day)) if ids else 0)


def signing_rate(user, day: date, division: int | None = None) -> SigningRate:
    return rate_of(needing_ids(user, day, division), day)


def signed_between_query(scope, start: date | None, end: date | None):
    """确认书 signed from ``start`` to ``end`` (renewals included: each is a signature; those ended
    since too) for the children matching ``scope`` (a clause on :class:`Child`)."""
    from app.children.models import Child

    stmt = sa.select(A).join(Child, A.child_id == Child.id).where(scope)
    if start:
        stmt = stmt.where(A.signed_on >= start)
    if end:
        stmt = stmt.where(A.signed_on <= end)
    return stmt.order_by(A.signed_on.desc(), A.id.desc())


def signed_between(scope, start: date, end: date) -> int:
    stmt = signed_between_query(scope, start, end).order_by(None)
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0


def current_of(child_id: int, day: date | None = None) -> GuardianshipAgreement | None:
    """The child's 确认书 in force on ``day`` (today), the latest signed if several."""
    return db.session.scalar(sa.select(A).where(A.child_id == child_id, covering_clause(day or today_cn()))
                             .order_by(A.signed_on.desc(), A.id.desc()))


def history_of(child_id: int) -> list[GuardianshipAgreement]:
    return list(db.session.scalars(sa.select(A).where(A.child_id == child_id)
                                   .order_by(A.signed_on.desc(), A.id.desc())))


def lacking_query(ids: list[int], day: date):
    """The children among ``ids`` (those needing one on ``day``) without one in force then (未签订)."""
    from app.children.models import Child

    covered = sa.select(A.child_id).where(covering_clause(day))
    return (sa.select(Child).where(Child.id.in_(ids), Child.id.not_in(covered))
            .order_by(Child.division_id, Child.name, Child.id))


def signed_query(ids: list[int], day: date):
    """The 确认书 in force on ``day`` of the children among ``ids`` (已签订)."""
    return (sa.select(A).where(A.child_id.in_(ids), covering_clause(day))
            .order_by(A.signed_on.desc(), A.id.desc()))


def expiring_query(ids: list[int], day: date):
    """确认书 in force on ``day`` of the children among ``ids`` that lapse within
    :data:`vocab.AGREEMENT_RENEW_DAYS` (续签)."""
    until = day + timedelta(days=vocab.AGREEMENT_RENEW_DAYS)
    return signed_query(ids, day).where(A.valid_until.is_not(None), A.valid_until <= until) \
        .order_by(None).order_by(A.valid_until, A.id)


def agreements_scope(user):
    """Clause on :class:`GuardianshipAgreement` rows: those of children ``user`` may see."""
    from app.children.models import Child
    from app.children.scope import children_scope

    return A.child_id.in_(sa.select(Child.id).where(children_scope(user)))


# --------------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------------

@dataclass
class AgreementInput:
    entrusted_by: str
    parent_names: str
    guardian_name: str
    guardian_relation: str
    signed_on: date | None
    guardian_phone: str = ""
    valid_until: date | None = None
    note: str = ""


def _check(child, data: AgreementInput) -> None:
    if not needs_agreement(child):
        raise ProtectionError("entrusted_by", N_("档案显示父母未外出（或该儿童已结案），不需要签订委托监护责任确认书"))
    if data.entrusted_by not in vocab.ENTRUSTED_BY:
        raise ProtectionError("entrusted_by", N_("请选择委托人（父母哪一方）"))
    for field, message in (("parent_names", N_("请填写委托人（父母）姓名")),
                           ("guardian_name", N_("请填写受委托监护人姓名")),
                           ("guardian_relation", N_("请填写受委托监护人与儿童的关系"))):
        if not (getattr(data, field) or "").strip():
            raise ProtectionError(field, message)
    if data.signed_on is None:
        raise ProtectionError("signed_on", N_("请填写签订日期"))
    if data.signed_on > today_cn():
        raise ProtectionError("signed_on", N_("签订日期不能晚于今天"))
    if data.valid_until is not None and data.valid_until < data.signed_on:
        raise ProtectionError("valid_until", N_("有效期至不能早于签订日期"))


def record(actor, child, data: AgreementInput, *, scan: str | None = None) -> GuardianshipAgreement:
    """Record a signed 确认书 for ``child``. One already in force ends on the new signing day as
    renewed (the new one is its renewal), so a child never has two in force at once.

    :raise ProtectionError: the child needs none, a missing fact, a signing day in the future or
        before the one it replaces, a validity ending before the signing.
    """
    _check(child, data)
    previous = current_of(child.id, data.signed_on) or current_of(child.id)
    if previous is not None and data.signed_on < previous.signed_on:
        raise ProtectionError("signed_on", N_("签订日期不能早于现有确认书的签订日期"))
    agreement = A(child_id=child.id, entrusted_by=data.entrusted_by, parent_names=data.parent_names.strip()[:128],
                  guardian_name=data.guardian_name.strip()[:64], guardian_relation=data.guardian_relation.strip()[:32],
                  guardian_phone=(data.guardian_phone or "").strip()[:32] or None, signed_on=data.signed_on,
                  valid_until=data.valid_until, scan=scan, note=(data.note or "").strip() or None,
                  renewal_of_id=previous.id if previous else None, created_by_id=getattr(actor, "id", None))
    db.session.add(agreement)
    if previous is not None:
        _end(actor, previous, data.signed_on, "renewed")
    db.session.flush()
    _guardian_onto_record(actor, child, agreement)
    audit.record("agreement.sign", agreement, user=actor, detail={
        "child_id": child.id, "signed_on": data.signed_on.isoformat(), "renewal_of": agreement.renewal_of_id,
        "valid_until": data.valid_until.isoformat() if data.valid_until else None, "scan": bool(scan)})
    return agreement


def _guardian_onto_record(actor, child, agreement: GuardianshipAgreement) -> None:
    """The roster's 受委托监护人 is the one who signed (otherwise the next save of the record would
    end the new 确认书 as naming somebody else)."""
    from app.children.services import save_child

    values = {"guardian_name": agreement.guardian_name, "guardian_relation": agreement.guardian_relation}
    if agreement.guardian_phone:
        values["guardian_phone"] = agreement.guardian_phone
    if any((getattr(child, k) or "") != v for k, v in values.items()):
        save_child(actor, child, values, on_date=today_cn(), action="child.guardian_entrusted",
                   detail={"agreement_id": agreement.id}, check_unique=False)


def _end(actor, agreement: GuardianshipAgreement, on_date: date, reason: str) -> None:
    agreement.ended_on, agreement.end_reason = max(on_date, agreement.signed_on), reason
    agreement.ended_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record("agreement.end", agreement, user=actor, detail={"child_id": agreement.child_id, "reason": reason,
                                                                 "ended_on": agreement.ended_on.isoformat()})


def end(actor, agreement: GuardianshipAgreement, on_date: date | None, reason: str) -> GuardianshipAgreement:
    """End a 确认书 by hand (parents returned, or recorded in error); renewals go through :func:`record`.

    :raise ProtectionError: already ended, a reason that is not for ending by hand, a bad date.
    """
    if agreement.ended_on is not None:
        raise ProtectionError("reason", N_("该确认书已终止"))
    if reason not in ("parent_returned", "withdrawn"):
        raise ProtectionError("reason", N_("请选择终止原因"))
    if on_date is None or on_date > today_cn():
        raise ProtectionError("on_date", N_("终止日期不能为空，也不能晚于今天"))
    if on_date < agreement.signed_on:
        raise ProtectionError("on_date", N_("终止日期不能早于签订日期"))
    _end(actor, agreement, on_date, reason)
    return agreement


def follow_child(actor, child, on_date: date | None = None) -> None:
    """After a save of the child: a 确认书 naming a guardian the record no longer names stops
    covering (it binds that person, not the new one), so the child shows as lacking one."""
    if child.id is None:
        return
    current = current_of(child.id, on_date)
    name = (child.guardian_name or "").strip()
    if current is not None and name and name != current.guardian_name:
        _end(actor, current, on_date or today_cn(), "guardian_changed")
