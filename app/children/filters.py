"""The roster's filters as read from, and written back to, the query string."""
from __future__ import annotations

from flask import request

from app.children import vocab
from app.children.queries import RosterFilters


def filters_from_request() -> RosterFilters:
    """The roster filters of the current request; unknown codes are ignored."""
    args = request.args
    category = args.get("category", "")
    guardianship = args.get("guardianship", "")
    return RosterFilters(
        q=args.get("q", "")[:64],
        division_id=args.get("division", type=int),
        school_id=args.get("school", type=int),
        tier=args.get("tier", ""),
        category=category if category in vocab.PRIORITY_CATEGORIES else "",
        guardianship_type=guardianship if guardianship in vocab.GUARDIANSHIP_TYPE else "",
        status=args.get("status", "active"),
    )


def filter_args(f: RosterFilters) -> dict:
    """The filters as query-string values (for pager and export links)."""
    values = {"q": f.q, "division": f.division_id, "school": f.school_id, "tier": f.tier,
              "category": f.category, "guardianship": f.guardianship_type, "status": f.status}
    return {k: v for k, v in values.items() if v not in (None, "", "active")}
