"""Roster import (花名册导入) into the database: preview, then save all good rows or none.

The workbook is read by :func:`app.children.roster.parse_roster` with the county's township and
village names, so every row is validated whole. On top of the file's own checks this module
reports rows outside the importing user's area and ID numbers already registered elsewhere,
and sorts the good rows into new children, updates of existing children (field by field, to be
ticked one by one) and unchanged children. :func:`save` writes in the caller's transaction and
never writes part of a row. The uploaded file itself is kept on disk between the preview and the
confirmation (:class:`UploadStore`); it is parsed again on confirmation: the file is the truth.
"""
from __future__ import annotations

import json
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable

import sqlalchemy as sa

from app.children import display, households, roster, services, vocab
from app.children.models import Child
from app.children.roster import RosterParseResult, RosterRow
from app.children.rules import ERROR, Issue
from app.core import audit
from app.core.models import Division, Organisation
from app.extensions import db

EXPIRY_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

SCOPE_MESSAGES = {
    "out_of_scope": ("村(社区)不在您负责的范围内", "The village is outside your area"),
    "registered_elsewhere": ("身份证号码已登记在您负责范围以外的儿童档案中",
                             "The ID number is already registered for a child outside your area"),
}


def place_key(name: str) -> str:
    """A place name folded for matching: NFKC (full-width brackets → ASCII), no spaces."""
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def _issue(code: str, field_name: str, detail: str = "") -> Issue:
    zh, en = SCOPE_MESSAGES[code]
    return Issue(code, field_name, zh, en, ERROR, detail)


# ---------------------------------------------------------------- scope


@dataclass
class ImportScope:
    """A county's places and schools, and the villages the importing user may write to."""

    county: Division
    townships: dict[str, Division]
    villages: dict[tuple[str, str], Division]
    schools: dict[tuple[int, str], Organisation]
    allowed: frozenset[int] | None = None  # village ids; None: the whole county

    @property
    def place_names(self) -> dict[str, list[str]]:
        """Township name → its village names, as :func:`roster.parse_roster` takes them."""
        names: dict[str, list[str]] = {t.name: [] for t in self.townships.values()}
        for village in self.villages.values():
            names[village.parent.name].append(village.name)
        return names

    def village_of(self, record: dict[str, Any]) -> Division | None:
        key = (place_key(record.get("township") or ""), place_key(record.get("village") or ""))
        return self.villages.get(key)

    def may_write(self, division_id: int) -> bool:
        return self.allowed is None or division_id in self.allowed

    def school_of(self, village: Division, name: str | None) -> Organisation | None:
        return self.schools.get((village.parent_id, place_key(name or ""))) if name else None


def load_scope(county: Division, allowed_village_ids: Iterable[int] | None = None) -> ImportScope:
    """The county's townships, villages and schools; ``allowed_village_ids`` limits writing."""
    below = db.session.scalars(sa.select(Division).where(
        Division.within(county), Division.id != county.id)).all()
    townships = {place_key(d.name): d for d in below if d.level == "township"}
    by_id = {d.id: d for d in below}
    villages = {(place_key(by_id[d.parent_id].name), place_key(d.name)): d
                for d in below if d.level == "village" and d.parent_id in by_id}
    schools = {(o.division_id, place_key(o.name)): o for o in db.session.scalars(
        sa.select(Organisation).where(Organisation.kind == "school",
                                      Organisation.division_id.in_([t.id for t in townships.values()])))}
    allowed = frozenset(allowed_village_ids) if allowed_village_ids is not None else None
    return ImportScope(county, townships, villages, schools, allowed)


def scope_for_user(user, county: Division) -> ImportScope:
    """The county's places, writable where ``user`` may see children."""
    from app.core.permissions import divisions_scope

    if user.role == "admin":
        return load_scope(county)
    ids = db.session.scalars(sa.select(Division.id).where(divisions_scope(user), Division.level == "village"))
    return load_scope(county, ids)


# ---------------------------------------------------------------- preview


@dataclass
class Update:
    """A good row that matches an existing child and would change it."""

    row: RosterRow
    child: Child
    changes: dict[str, tuple[str, str]]  # field → (old text, new text), numbers masked


@dataclass
class Preview:
    """What an import would do."""

    result: RosterParseResult
    new_rows: list[RosterRow] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    unchanged: list[tuple[RosterRow, Child]] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[RosterRow]:
        return self.result.bad_rows

    @property
    def fields(self) -> set[str]:
        """Record fields present in the file (absent ones are never changed)."""
        return set(self.result.mapping)

    def counts(self) -> dict[str, int]:
        return {"rows": len(self.result.rows), "bad": len(self.bad_rows), "new": len(self.new_rows),
                "updates": len(self.updates), "unchanged": len(self.unchanged)}


def preview(source: Any, scope: ImportScope, *, reference_date: date | None = None) -> Preview:
    """Parse and validate ``source`` against ``scope`` and the database.

    :raise roster.RosterFileError: when the file as a whole cannot be read.
    """
    result = roster.parse_roster(source, reference_date=reference_date,
                                 townships=list(scope.place_names), villages=scope.place_names)
    for row in result.rows:
        if row.ok:
            village = scope.village_of(row.record)
            if village is None or not scope.may_write(village.id):
                row.issues.append(_issue("out_of_scope", "village", row.record.get("village") or ""))
    found = Preview(result)
    existing = _existing(result.rows)
    for row in result.rows:
        if not row.ok:
            continue
        child = existing.get(row.row_number)
        if child is None:
            found.new_rows.append(row)
        elif not scope.may_write(child.division_id):
            row.issues.append(_issue("registered_elsewhere", "id_number"))
        else:
            changes = record_changes(row.record, child, found.fields, scope)
            if changes:
                found.updates.append(Update(row, child, changes))
            else:
                found.unchanged.append((row, child))
    return found


def _existing(rows: list[RosterRow]) -> dict[int, Child]:
    """Row number → the existing child with the row's ID number (or, without an ID number,
    the same name, birth date and no ID)."""
    by_number: dict[str, int] = {}
    without: list[RosterRow] = []
    for row in rows:
        if row.ok:
            number = row.record.get("id_number")
            if number:
                by_number[number] = row.row_number
            else:
                without.append(row)
    found: dict[int, Child] = {}
    numbers = list(by_number)
    for start in range(0, len(numbers), 500):
        for child in db.session.scalars(sa.select(Child).where(Child.id_number.in_(numbers[start:start + 500]))):
            found[by_number[child.id_number]] = child
    for row in without:
        child = db.session.scalar(sa.select(Child).where(
            Child.id_number.is_(None), Child.name == row.record.get("name"),
            Child.birth_date == row.record.get("birth_date")).limit(1))
        if child is not None:
            found[row.row_number] = child
    return found


def _same(name: str, old: Any, new: Any) -> bool:
    if name in vocab.MULTI_FIELDS:
        return set(old or []) == set(new or [])
    if name in services.BOOL_DEFAULTS:
        return bool(services.BOOL_DEFAULTS[name] if old is None else old) == bool(
            services.BOOL_DEFAULTS[name] if new is None else new)
    return (old or None) == (new or None)


def record_changes(record: dict[str, Any], child: Child, fields: set[str],
                   scope: ImportScope) -> dict[str, tuple[str, str]]:
    """Field → (old, new) display texts of what the row would change on ``child``."""
    current = services.record_of(child)
    record = _with_default_category(record)
    changes: dict[str, tuple[str, str]] = {}
    for name in services.COLUMN_FIELDS:
        if name == "registered_on" and record.get(name) is None:
            continue  # a blank 登记日期 keeps the date the child was registered on
        if name in fields and not _same(name, current.get(name), record.get(name)):
            changes[name] = (display.value(name, current.get(name)), display.value(name, record.get(name)))
    village = scope.village_of(record)
    if village is not None and village.id != child.division_id:
        changes["division_id"] = (child.division.full_name if child.division else "", village.full_name)
    if child.status == "closed":
        changes["status"] = (display.status_label("closed"), display.status_label("active"))
    return changes


def _with_default_category(record: dict[str, Any]) -> dict[str, Any]:
    """A blank 儿童类别 means 留守, as a file without the column does: re-importing an unchanged
    row must not read as a change of category."""
    if record.get("child_category"):
        return record
    return {**record, "child_category": "left_behind"}


# ---------------------------------------------------------------- save


def values_of(record: dict[str, Any], fields: set[str], scope: ImportScope,
              registered_on: date | None = None) -> dict[str, Any]:
    """The model values of a good row (only the fields the file has).

    A new child (``registered_on`` given: the import's day) is registered on the file's
    登记日期 when it has one, else on that day; an existing child keeps its date unless the
    file gives one.
    """
    record = _with_default_category(record)
    values = {name: record.get(name) for name in services.COLUMN_FIELDS if name in fields}
    if values.get("registered_on") is None:
        values.pop("registered_on", None)
        if registered_on is not None:
            values["registered_on"] = registered_on
    village = scope.village_of(record)
    values["division_id"] = village.id
    if "school_name" in fields:
        school = scope.school_of(village, record.get("school_name"))
        values["school_id"] = school.id if school else None
    return values


@dataclass
class Saved:
    created: list[Child] = field(default_factory=list)
    updated: list[Child] = field(default_factory=list)


def save(found: Preview, scope: ImportScope, actor, *, update_rows: Iterable[int] = (),
         on_date: date, source: str = "") -> Saved:
    """Create every new good row and update the existing children of ``update_rows``.

    Each child is audited ``child.import`` (with its row number and changes) and the import as
    a whole ``children.import``. Flushes; the caller commits (all rows) or rolls back (none).
    """
    saved = Saved()
    chosen = set(update_rows)
    # new children in one flush (the preview has checked their ID numbers; the database's
    # unique constraint still guards against a concurrent import)
    saved.created = [services.fill_child(None, values_of(row.record, found.fields, scope, on_date), on_date)
                     for row in found.new_rows]
    db.session.add_all(saved.created)
    db.session.flush()
    with db.session.no_autoflush:
        for row, child in zip(found.new_rows, saved.created):
            services.audit_created(actor, child, action="child.import",
                                   detail={"row": row.row_number, "created": True})
            services.after_save(actor, child, on_date)
    households.link_by_guardian_and_address(actor, saved.created)
    for update in found.updates:
        if update.row.row_number not in chosen:
            continue
        values = values_of(update.row.record, found.fields, scope)
        if update.child.status == "closed":
            values.update(status="active", closed_at=None, closed_reason=None)
        services.save_child(actor, update.child, values, on_date=on_date, action="child.import",
                            detail={"row": update.row.row_number})
        saved.updated.append(update.child)
    audit.record("children.import", object_type="divisions", object_id=scope.county.id, user=actor, detail={
        "source": source[:200], **found.counts(), "created": len(saved.created), "updated": len(saved.updated),
        "rejected_rows": [row.row_number for row in found.bad_rows][:500]})
    return saved


# ---------------------------------------------------------------- report


def report_lines(found: Preview) -> list[str]:
    """The preview as text lines (for the command line)."""
    c = found.counts()
    lines = [f"共 {c['rows']} 行数据：新增 {c['new']}，需更新 {c['updates']}，无变化 {c['unchanged']}，"
             f"未通过校验 {c['bad']}"]
    for issue in found.result.file_issues:
        lines.append(f"提示：{issue.display()}")
    for row in found.bad_rows:
        lines.append(f"第{row.row_number}行：{row.reason()}")
    for update in found.updates:
        changed = "；".join(f"{display.label(k)}：{old or '（空）'} → {new or '（空）'}"
                           for k, (old, new) in update.changes.items())
        lines.append(f"第{update.row.row_number}行 {update.child.name} 已有档案，将更新：{changed}")
    return lines


# ---------------------------------------------------------------- uploads between requests


class UploadStore:
    """Uploaded rosters kept under ``instance/imports`` by a random token bound to a user."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def _paths(self, token: str) -> tuple[Path, Path]:
        return self.folder / f"{token}.xlsx", self.folder / f"{token}.json"

    def put(self, data: bytes, user_id: int, filename: str, county_id: int) -> str:
        """Keep ``data``; returns the token. Expired uploads are removed on the way."""
        self.purge()
        self.folder.mkdir(parents=True, exist_ok=True)
        token = secrets.token_urlsafe(24)
        xlsx, meta = self._paths(token)
        xlsx.write_bytes(data)
        meta.write_text(json.dumps({"user_id": user_id, "filename": filename[:200], "county_id": county_id,
                                    "at": time.time()}), encoding="utf-8")
        return token

    def get(self, token: str | None, user_id: int) -> tuple[Path, dict] | None:
        """(file, metadata) of ``token`` if it belongs to ``user_id`` and has not expired."""
        if not token or not _TOKEN.match(token):
            return None
        xlsx, meta = self._paths(token)
        try:
            info = json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        expired = time.time() - info.get("at", 0) > EXPIRY_SECONDS
        if info.get("user_id") != user_id or expired or not xlsx.is_file():
            return None
        return xlsx, info

    def drop(self, token: str) -> None:
        if token and _TOKEN.match(token):
            for path in self._paths(token):
                path.unlink(missing_ok=True)

    def purge(self) -> None:
        """Remove uploads older than 24 hours."""
        if not self.folder.is_dir():
            return
        limit = time.time() - EXPIRY_SECONDS
        for path in self.folder.iterdir():
            if path.suffix in (".xlsx", ".json") and path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
