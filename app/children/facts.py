"""Facts derived from a child record at a date: age and age band, the left-behind and 困境
statuses, priority categories and tier, and why a child no longer qualifies.

Split from :mod:`app.children.rules` (validation) so that each stays small; both work on the
same plain *records* (see :data:`app.children.vocab.RECORD_FIELDS`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from app.children import vocab
from app.children.rules import (
    COMPULSORY_SCHOOL_AGES,
    DIFFICULTY_MAX_AGE,
    LEFT_BEHIND_MAX_AGE,
    _away_too_short,
    _difficulty_age_ok,
    age_on,
    difficulty_types,
    effective_birth_date,
)


REASONS: dict[str, tuple[str, str]] = {
    "turned_16": ("已年满16周岁", "Has turned 16"),
    "turned_18": ("已年满18周岁", "Has turned 18"),
    "parents_returned": ("父母已返乡,不再符合留守儿童条件", "The parents have returned home"),
    "no_difficulty": ("不再符合留守儿童或困境儿童条件", "No longer left-behind or in difficulty"),
}


@dataclass(frozen=True)
class Derived:
    """Facts derived from a record at a date (see :func:`derive`)."""

    age: int | None
    age_band: str | None
    categories: tuple[str, ...]
    tier: str
    still_qualifies: bool
    reason: str | None = None
    reason_message: str | None = None
    reason_message_en: str | None = None
    left_behind: bool = False
    in_difficulty: bool = False
    difficulty_types: tuple[str, ...] = ()

    @property
    def category(self) -> str | None:
        """``left_behind``, ``difficulty``, ``both``, or ``None`` when neither holds."""
        if self.left_behind and self.in_difficulty:
            return "both"
        return "left_behind" if self.left_behind else "difficulty" if self.in_difficulty else None

    def as_dict(self) -> dict[str, Any]:
        """Return the facts as a JSON-ready dict."""
        data = asdict(self)
        data["categories"] = list(self.categories)
        data["difficulty_types"] = list(self.difficulty_types)
        data["category"] = self.category
        return data


def age_band(age: int | None) -> str | None:
    """The statistics band of an age: ``0-5``, ``6-13``, ``14-16`` (14 and 15), ``16-17``, and
    ``18+`` for orphans still in study; ``None`` for an unknown or negative age."""
    if age is None or age < 0:
        return None
    if age >= DIFFICULTY_MAX_AGE:
        return "18+"
    return "0-5" if age <= 5 else "6-13" if age <= 13 else "14-16" if age <= 15 else "16-17"


def left_behind_on(record: Mapping[str, Any], age: int | None, on_date: date) -> bool:
    """Whether the facts make a left-behind child: both parents away, or one away and the other
    without capacity, for half a year or more; under 16; rural household registration."""
    away = record.get("both_parents_away") is True or record.get("one_parent_away_other_incapable") is True
    return (away and not _away_too_short(record, on_date) and record.get("rural_hukou") is not False
            and (age is None or age < LEFT_BEHIND_MAX_AGE))


def in_registry_age(record: Mapping[str, Any], age: int | None) -> bool:
    """Whether a child in difficulty is still of registry age (under 18, or an orphan in study)."""
    return _difficulty_age_ok(record, age)


def in_difficulty_on(record: Mapping[str, Any], age: int | None) -> bool:
    """Whether the facts make a child in difficulty (a 困境 type or an orphan) of registry age."""
    kinds = difficulty_types(record)
    return bool(kinds or record.get("is_orphan") is True) and _difficulty_age_ok(record, age)


def priority_categories(record: Mapping[str, Any], age: int | None = None) -> tuple[str, ...]:
    """Priority categories (重点对象) of a record, in :data:`vocab.PRIORITY_CATEGORIES` order.

    ``not_in_school`` counts as ``dropout`` only at compulsory school age (6-15); with an
    unknown ``age`` it does not count. ``dropped_out`` always counts.
    """
    schooling, health, kind = (
        record.get("schooling"),
        record.get("health"),
        record.get("guardianship_type"),
    )
    found = {
        "no_guardian": kind == "none",
        "one_parent_incapable": record.get("one_parent_away_other_incapable") is True
        or kind == "parent_incapable",
        "dropout": schooling == "dropped_out"
        or (schooling == "not_in_school" and age in COMPULSORY_SCHOOL_AGES),
        "no_hukou": record.get("has_hukou") is False,
        "ill": health == "ill",
        "disabled": health == "disabled",
    }
    return tuple(code for code in vocab.PRIORITY_CATEGORIES if found[code])


def tier_of(categories: Collection[str]) -> str:
    """``urgent`` for no guardian or a parent without capacity, ``key`` for any other
    priority category, else ``normal``.
    """
    if any(c in vocab.URGENT_CATEGORIES for c in categories):
        return "urgent"
    return "key" if categories else "normal"


def _reason(record: Mapping[str, Any], age: int | None, on_date: date) -> str:
    """Why a child on the registry no longer qualifies (neither left-behind nor in difficulty)."""
    if (record.get("is_orphan") is True or difficulty_types(record)) and age is not None:
        return "turned_18"
    if age is not None and age >= LEFT_BEHIND_MAX_AGE:
        return "turned_16"
    away = record.get("both_parents_away") is True or record.get("one_parent_away_other_incapable") is True
    return "no_difficulty" if away else "parents_returned"


def derive(record: Mapping[str, Any], on_date: date) -> Derived:
    """Derive age, age band, priority categories, tier, the categories and whether the child
    still qualifies.

    Turning 16 ends only the left-behind status: a child in difficulty stays on the registry to
    18 (orphans in study beyond). A child who is neither any more stops qualifying, with the
    reason ``turned_16``, ``turned_18``, ``parents_returned`` or ``no_difficulty``. Never raises;
    with an unknown birth date the age is ``None`` and only the other facts decide.
    """
    born = effective_birth_date(record)
    age = age_on(born, on_date) if born else None
    categories = priority_categories(record, age)
    left_behind = left_behind_on(record, age, on_date)
    difficult = in_difficulty_on(record, age)
    reason = None if left_behind or difficult else _reason(record, age, on_date)
    zh, en = REASONS[reason] if reason else (None, None)
    return Derived(
        age, age_band(age), categories, tier_of(categories), reason is None, reason, zh, en,
        left_behind, difficult, difficulty_types(record),
    )
