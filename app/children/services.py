"""Write side of the registry: save, derive, close. Functions flush and audit; callers commit.

A child's record is read and written as the plain *record* dict of
:data:`app.children.vocab.RECORD_FIELDS` (the official 登记表 fields) so that the web form, the
roster import and the rules all speak the same language. Derived values (categories, tier) are
never typed: :func:`apply_derived` caches them on every save.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Mapping

import sqlalchemy as sa

from app.children import display, facts, vocab
from app.children.models import Child, ChildAssistance, Household
from app.children.pinyin import name_keys
from app.core import audit
from app.core.models import Division, Organisation
from app.extensions import db

#: Record fields that are columns of :class:`Child` (township/village are its division).
COLUMN_FIELDS: tuple[str, ...] = tuple(
    f for f in vocab.RECORD_FIELDS if f not in ("seq", "township", "village"))
#: Model fields outside the official form that the web form edits.
EXTRA_FIELDS: tuple[str, ...] = (
    "division_id", "school_id", "incapable_parent", "needs", "household_id", "assistance_records",
    "consent_guardian_name", "consent_date", "consent_scan")
#: Everything the change history follows (derived values included, so a new tier shows).
TRACKED_FIELDS: tuple[str, ...] = COLUMN_FIELDS + EXTRA_FIELDS + (
    "categories", "tier", "is_left_behind", "is_in_difficulty", "status", "closed_reason")
#: Yes/no columns that cannot be NULL, and what a blank means for each.
BOOL_DEFAULTS = {"has_hukou": True, "boarding": False, "both_parents_away": False,
                 "one_parent_away_other_incapable": False, "is_orphan": False, "rural_hukou": True}
#: Enumerated columns that cannot be NULL: a blank (a warning only) is stored as "".
REQUIRED_TEXT = ("health", "schooling", "guardianship_type")
#: Programme codes that are markers, not assistance received.
NO_ASSISTANCE = frozenset({"none"})


class DuplicateIdNumber(ValueError):
    """Another child already has this ID number."""

    def __init__(self, other: Child):
        super().__init__(f"ID number already registered (child {other.id})")
        self.other = other


def refresh_search_keys(child: Child) -> None:
    """Recompute the cached search keys (pinyin, initials, last four ID characters)."""
    child.name_pinyin, child.name_initials = name_keys(child.name)
    child.id_last4 = child.id_number[-4:] if child.id_number else None


def _none_if_blank(value: Any) -> Any:
    return None if value == "" else value


def record_of(child: Child) -> dict[str, Any]:
    """The child's fields as the plain record dict the rules and the roster files use.

    Blank text is ``None``; the school's name stands in for a missing ``school_name``.
    """
    record: dict[str, Any] = {"seq": None}
    for name in COLUMN_FIELDS:
        value = getattr(child, name)
        record[name] = (list(value or []) if name in vocab.MULTI_FIELDS else _none_if_blank(value))
    if not record["school_name"] and child.school is not None:
        record["school_name"] = child.school.name
    village = child.division
    record["village"] = village.name if village else None
    record["township"] = village.parent.name if village and village.parent else None
    return record


def derived_of(child: Child, on_date: date) -> facts.Derived:
    """Age, band, categories, tier and whether the child still qualifies, on ``on_date``."""
    return facts.derive(record_of(child), on_date)


def apply_derived(child: Child, on_date: date) -> None:
    """Cache the derived priority categories, tier and 留守/困境 status (they are never typed)."""
    derived = derived_of(child, on_date)
    child.categories = list(derived.categories)
    child.tier = derived.tier
    child.is_left_behind = derived.left_behind
    child.is_in_difficulty = derived.in_difficulty


def assistance_text(row: ChildAssistance) -> str:
    """One assistance record as plain text for the change history and the file."""
    parts = [vocab.ASSISTANCE.get(row.programme, row.programme)]
    if row.amount is not None:
        parts.append(f"{row.amount}元/月")
    if row.start_date or row.end_date:
        parts.append(f"{row.start_date or ''}—{row.end_date or ''}")
    if row.note:
        parts.append(row.note)
    return " ".join(parts)


def _set_programmes(child: Child, codes: Iterable[str]) -> None:
    """Keep the child's assistance records to ``codes`` (a roster's bare list): existing records
    of a listed programme stay with their amounts and dates, new programmes get a bare record."""
    wanted = [c for c in dict.fromkeys(codes or []) if c not in NO_ASSISTANCE]
    kept = [row for row in child.assistance_records if row.programme in wanted]
    have = {row.programme for row in kept}
    child.assistance_records = kept + [ChildAssistance(programme=c) for c in wanted if c not in have]
    child.assistance = list(codes or [])


def _set_records(child: Child, rows: Iterable[Mapping[str, Any]]) -> None:
    """Replace the child's assistance records with ``rows`` (programme, amount, start_date,
    end_date, note) from the form; the bare programme list follows them."""
    existing = list(child.assistance_records)
    records = []
    for index, row in enumerate(rows):
        record = existing[index] if index < len(existing) else ChildAssistance()
        for key in ("programme", "amount", "start_date", "end_date", "note"):
            setattr(record, key, _none_if_blank(row.get(key)))
        records.append(record)
    child.assistance_records = records
    child.assistance = list(dict.fromkeys(r.programme for r in records))


def _json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    return value


def snapshot(child: Child) -> dict[str, Any]:
    """The tracked fields of ``child`` as JSON-ready values (for change history)."""
    values = {}
    for name in TRACKED_FIELDS:
        if name == "assistance_records":
            values[name] = [assistance_text(row) for row in child.assistance_records]
        else:
            values[name] = _json(_none_if_blank(getattr(child, name)))
    return values


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list]:
    """``{field: [old, new]}`` for every field that changed; ID and phone values masked."""
    changes = {}
    for name, new in after.items():
        old = before.get(name)
        if (old or None) != (new or None) or (isinstance(old, bool) and old is not new):
            changes[name] = [display.mask(name, old), display.mask(name, new)]
    return changes


def find_by_id_number(number: str | None, exclude_id: int | None = None) -> Child | None:
    """The child holding ``number``, other than ``exclude_id`` (any scope)."""
    if not number:
        return None
    stmt = sa.select(Child).where(Child.id_number == number)
    if exclude_id is not None:
        stmt = stmt.where(Child.id != exclude_id)
    return db.session.scalar(stmt)


def _assign(child: Child, name: str, value: Any) -> None:
    if name == "division_id":
        child.division = db.session.get(Division, value)
    elif name == "school_id":
        child.school = db.session.get(Organisation, value) if value else None
    elif name == "household_id":
        child.household = db.session.get(Household, value) if value else None
    elif name == "assistance":
        _set_programmes(child, value)
    elif name == "assistance_records":
        _set_records(child, value or [])
    elif name == "child_category":
        child.child_category = value if value in vocab.CHILD_CATEGORY else "left_behind"
    elif name in BOOL_DEFAULTS:
        setattr(child, name, BOOL_DEFAULTS[name] if value is None else bool(value))
    elif name in REQUIRED_TEXT:
        setattr(child, name, value or "")
    elif name in vocab.MULTI_FIELDS or name == "needs":  # income_sources, difficulty_types
        setattr(child, name, list(value or []))
    else:
        setattr(child, name, _none_if_blank(value))


def fill_child(child: Child | None, values: Mapping[str, Any], on_date: date) -> Child:
    """Apply ``values`` to ``child`` (a new one when ``None``), then the derived values and the
    search keys. No flush, no audit: see :func:`save_child`."""
    if child is None:
        child = Child(status="active", income_sources=[], assistance=[], needs=[], categories=[],
                      difficulty_types=[], assistance_records=[])  # loaded, empty: no lazy load later
    for name, value in values.items():
        _assign(child, name, value)
    apply_derived(child, on_date)
    refresh_search_keys(child)
    return child


def audit_created(actor, child: Child, *, action: str = "child.create",
                  detail: Mapping[str, Any] | None = None) -> dict:
    """Audit a new, flushed child with every filled field as a change; returns the changes."""
    changes = diff({}, snapshot(child))
    audit.record(action, child, user=actor, detail={"changes": changes, **(detail or {})})
    return changes


def save_child(actor, child: Child | None, values: Mapping[str, Any], *, on_date: date,
               action: str | None = None, detail: Mapping[str, Any] | None = None,
               check_unique: bool = True) -> tuple[Child, dict]:
    """Create (``child`` is None) or update a child from ``values`` and audit the change.

    ``values`` maps model fields (:data:`COLUMN_FIELDS` and :data:`EXTRA_FIELDS`) to parsed
    values; ``division_id``/``school_id`` are ids. Derived categories and tier and the search
    keys are recomputed. The audit entry (``child.create``/``child.update`` unless ``action``
    is given) holds ``{"changes": {field: [old, new]}}`` with ID and phone numbers masked; an
    update that changes nothing is not audited. Flushes, never commits. ``check_unique=False``
    skips the ID lookup when the caller has already checked (the database still refuses).

    :raise DuplicateIdNumber: when another child already has the ID number.
    """
    creating = child is None
    if check_unique:
        number = values.get("id_number", None if creating else child.id_number)
        other = find_by_id_number(number, exclude_id=None if creating else child.id)
        if other is not None:
            raise DuplicateIdNumber(other)
    if creating:
        child = fill_child(None, values, on_date)
        db.session.add(child)
        db.session.flush()
        changes = audit_created(actor, child, action=action or "child.create", detail=detail)
        after_save(actor, child, on_date)
        return child, changes
    before = snapshot(child)
    fill_child(child, values, on_date)
    db.session.flush()
    changes = diff(before, snapshot(child))
    if changes:
        audit.record(action or "child.update", child, user=actor, detail={"changes": changes, **(detail or {})})
        after_save(actor, child, on_date)
    return child, changes


def after_save(actor, child: Child, on_date: date) -> None:
    """Open the tracked duties the saved record calls for (a guardianship gap for 无人监护, a
    dropout item for 辍学, a hukou item for 无户籍), so that no such child goes unnoticed."""
    from app.protection.services import sync_child

    sync_child(actor, child, on_date)


def close_child(actor, child: Child, reason: str, on_date: date, *, code: str | None = None) -> bool:
    """Close the child's case with ``reason``; active pairs end with it. False if already closed.

    ``code`` is the rule's reason code (``turned_16``/``parents_returned``) when the case closes
    because the child no longer qualifies.
    """
    if child.status == "closed":
        return False
    from app.matching.models import Pair
    from app.matching.pairs import close_pair

    child.status, child.closed_at, child.closed_reason = "closed", on_date, reason[:255]
    for pair in db.session.scalars(sa.select(Pair).where(Pair.child_id == child.id,
                                                         Pair.status.in_(("active", "proposed")))):
        close_pair(pair, f"儿童已结案：{reason}"[:255])
    db.session.flush()
    audit.record("child.close", child, user=actor, detail={
        "reason": reason, "code": code,
        "changes": {"status": ["active", "closed"], "closed_reason": [None, reason]}})
    return True


def ineligible(children: Iterable[Child], on_date: date) -> list[tuple[Child, facts.Derived]]:
    """The children that no longer qualify on ``on_date``, with the derived facts saying why."""
    found = []
    for child in children:
        derived = derived_of(child, on_date)
        if not derived.still_qualifies:
            found.append((child, derived))
    return found


def close_ineligible(actor, children: Iterable[Child], on_date: date) -> list[tuple[Child, facts.Derived]]:
    """Close every child of ``children`` that no longer qualifies; returns those closed."""
    closed = []
    for child, derived in ineligible(children, on_date):
        if close_child(actor, child, derived.reason_message or "", on_date, code=derived.reason):
            closed.append((child, derived))
    return closed
