"""The 困境 types of a child record: 监护困境 ①-④ derived from the parents' situations where
both are recorded (chosen by hand where not), 自身困境 and 生活困境 derived from health and
assistance. Pure functions on plain records, shared by the rules and the reports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.children import vocab

#: How the survey groups a parent's situation (seed 001): None is a parent able to care.
_PARENT_KIND = {"capable": None, "ill": "ill", "disabled": "ill", "prison": "custody", "rehab": "custody",
                "abandoned": "abandon", "dead": "gone", "missing": "gone"}
#: The guardianship-difficulty type of each pair of kinds (both the same: ①; a dead or missing
#: parent with an incapable one: ④). Two dead or missing parents make an orphan, not a type.
_PAIR_TYPE = {frozenset({"ill", "custody"}): "guardianship_2", frozenset({"ill", "abandon"}): "guardianship_2",
              frozenset({"abandon", "custody"}): "guardianship_3", frozenset({"gone", "ill"}): "guardianship_4",
              frozenset({"gone", "custody"}): "guardianship_4", frozenset({"gone", "abandon"}): "guardianship_4"}


def parents_guardianship_type(record: Mapping[str, Any]) -> tuple[bool, str | None]:
    """(whether both parents' situations are recorded, the 监护困境 type ①-④ they make or
    ``None``). ``(False, None)``: the type can only be chosen by hand."""
    father, mother = record.get("father_status"), record.get("mother_status")
    if father not in _PARENT_KIND or mother not in _PARENT_KIND:
        return False, None
    kinds = {_PARENT_KIND[father], _PARENT_KIND[mother]}
    if None in kinds:
        return True, None  # a parent able to care: no guardianship difficulty
    if len(kinds) == 1:
        return True, None if kinds == {"gone"} else "guardianship_1"
    return True, _PAIR_TYPE[frozenset(kinds)]


def difficulty_types(record: Mapping[str, Any]) -> tuple[str, ...]:
    """The 困境 types of a record in vocabulary order: those chosen, plus 自身困境 derived from a
    disability or a chronic illness and 生活困境 from 低保. With both parents' situations
    recorded, the 监护困境 type is theirs (a chosen one is replaced); without, it is chosen."""
    chosen = record.get("difficulty_types") or []
    found = {code for code in (chosen if isinstance(chosen, (list, tuple)) else []) if code in vocab.DIFFICULTY_TYPES}
    known, derived = parents_guardianship_type(record)
    if known:
        found = (found - vocab.GUARDIANSHIP_DIFFICULTY) | ({derived} if derived else set())
    if record.get("health") == "disabled" or record.get("chronic_illness") is True:
        found.add("self")
    assistance = record.get("assistance") or []
    if isinstance(assistance, (list, tuple)) and "subsistence" in assistance:
        found.add("living")
    return tuple(code for code in vocab.DIFFICULTY_TYPES if code in found)
