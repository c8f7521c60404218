"""What the one-child page (一人一档) shows besides the record itself."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.children import display, households, reviews, services, timeline
from app.children.consent import CONSENT_AGE
from app.children.forms import SECTIONS
from app.children.models import Child
from app.children.queries import change_history
from app.extensions import db

#: The page's sections: the form's, with the stored scan instead of the upload field.
DETAIL_SECTIONS = tuple(
    (title, tuple({"consent_file": "consent_scan", "urban_hukou": "rural_hukou"}.get(f, f)
                  for f in fields if f != "school_id"))
    for title, fields in SECTIONS)


def history_rows(child: Child) -> list[dict]:
    """The change history as rows: when, who, what, and the changed fields as texts."""
    rows = []
    for entry in change_history(child):
        detail = entry.detail or {}
        # ID and phone numbers were masked when the entry was written: show them as stored
        changes = [(display.label(name), display.value(name, old, reveal=True),
                    display.value(name, new, reveal=True))
                   for name, (old, new) in (detail.get("changes") or {}).items()]
        rows.append({"entry": entry, "changes": changes, "detail": detail})
    return rows


def child_page_context(child: Child, user, today: date) -> dict:
    """Derived facts, pairs, this quarter's review, consent status, timeline and history."""
    from app.matching.models import Pair

    derived = services.derived_of(child, today)
    pairs = db.session.scalars(
        sa.select(Pair).where(Pair.child_id == child.id).order_by(Pair.created_at.desc())).all()
    consent_needed = derived.age is not None and derived.age < CONSENT_AGE
    return {
        "derived": derived,
        "pairs": pairs,
        "active_pair": next((p for p in pairs if p.status == "active"), None),
        "review": reviews.review_of(child, today),
        "quarter_deadline": reviews.quarter_deadline(today),
        "consent_needed": consent_needed,
        "consent_missing": consent_needed and not child.consent_date,
        "events": timeline.events_for(child, user),
        "history": history_rows(child),
        "sections": DETAIL_SECTIONS,
        "siblings": households.siblings(child),
    }
