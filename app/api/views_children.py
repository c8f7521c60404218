"""The caller's children in scope with what is due (the phone's 今日待办 list).

No identity numbers ever, and the guardian's phone only masked: this list is what a phone
caches, so it holds nothing a lost phone should not give away.
"""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask import jsonify, request, url_for
from flask_login import current_user

from app.activities import queries, vocab
from app.activities.cadence import due_items, worst
from app.activities.models import CareLog
from app.activities.services import RuleBook
from app.api.blueprint import bp
from app.api.openapi import SCHEMAS, operation, ref
from app.children.models import Child
from app.core import audit
from app.core.dates import age_on, today_cn
from app.core.permissions import policy
from app.children.scope import children_scope
from app.core.phone import mask_phone
from app.extensions import db
from app.matching.models import Pair

MAX_PAGE = 100_000

SCHEMAS["DueItem"] = {
    "type": "object", "required": ["kind", "status", "due", "log_kind"],
    "properties": {"kind": {"type": "string", "enum": list(vocab.DUE_KINDS)}, "kind_label": {"type": "string"},
                   "status": {"type": "string", "enum": list(vocab.DUE_STATUSES)},
                   "status_label": {"type": "string"}, "due": {"type": "string", "format": "date"},
                   "days_overdue": {"type": "integer"}, "last_on": {"type": ["string", "null"], "format": "date"},
                   "occasion": {"type": ["string", "null"]},
                   "log_kind": {"type": "string", "description": "完成此项要填的记录类型"}},
}
SCHEMAS["Child"] = {
    "type": "object", "required": ["id", "name", "due", "forms"],
    "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "sex": {"type": "string"},
        "age": {"type": ["integer", "null"]}, "tier": {"type": "string", "enum": ["urgent", "key", "normal"]},
        "village": {"type": "string"}, "school": {"type": ["string", "null"]}, "grade": {"type": ["string", "null"]},
        "guardian": {"type": "object", "properties": {
            "name": {"type": ["string", "null"]}, "relation": {"type": ["string", "null"]},
            "phone": {"type": "string", "description": "已打码，如 138****5678"}}},
        "pair": {"oneOf": [{"type": "null"}, {"type": "object", "properties": {
            "id": {"type": "integer"}, "volunteer_id": {"type": "integer"}, "volunteer_name": {"type": "string"},
            "mine": {"type": "boolean"}}}]},
        "due": {"type": "array", "items": ref("DueItem")},
        "top_status": {"type": ["string", "null"], "description": "最紧急一项的状态"},
        "forms": {"type": "object", "additionalProperties": {"type": "string"}, "description": "网页表单地址"},
    },
}
SCHEMAS["ChildPage"] = {
    "type": "object", "required": ["items", "page", "per_page", "total"],
    "properties": {"items": {"type": "array", "items": ref("Child")}, "page": {"type": "integer"},
                   "per_page": {"type": "integer"}, "total": {"type": "integer"}},
}


def _due_by_child(children: list[Child], today) -> dict[int, tuple]:
    """child id → (active pair, due items) for the given children (three queries in all)."""

    pairs = db.session.scalars(sa.select(Pair).where(Pair.child_id.in_([c.id for c in children]),
                                                     Pair.status == "active")).all()
    logs = defaultdict(list)
    for pair_id, kind, day in db.session.execute(
            sa.select(CareLog.pair_id, CareLog.kind, CareLog.occurred_on)
            .where(CareLog.pair_id.in_([p.id for p in pairs]), CareLog.occurred_on <= today)):
        logs[pair_id].append((kind, day))
    book, out = RuleBook(), {}
    for pair in pairs:
        child = pair.child
        out[child.id] = (pair, due_items(book.for_path(child.division.path), pair.volunteer.kind,
                                         queries.paired_on(pair.started_at, pair.created_at),
                                         child.tier in queries.PRIORITY_TIERS, logs.get(pair.id, ()), today,
                                         child.birth_date))
    return out


def _item_json(item) -> dict:
    return {"kind": item.kind, "kind_label": vocab.DUE_KINDS[item.kind], "status": item.status,
            "status_label": vocab.DUE_STATUSES[item.status], "due": item.due.isoformat(),
            "days_overdue": item.days_overdue, "last_on": item.last_on.isoformat() if item.last_on else None,
            "occasion": item.occasion, "log_kind": item.log_kind}


def child_json(child: Child, pair, items, today) -> dict:
    top = worst(items)
    school = child.school.name if child.school else child.school_name
    return {
        "id": child.id, "name": child.name, "sex": child.sex,
        "age": age_on(child.birth_date, today) if child.birth_date else None, "tier": child.tier,
        "village": child.division.full_name, "school": school, "grade": child.grade,
        "guardian": {"name": child.guardian_name, "relation": child.guardian_relation,
                     "phone": mask_phone(child.guardian_phone)},
        "pair": None if pair is None else {"id": pair.id, "volunteer_id": pair.volunteer_id,
                                           "volunteer_name": pair.volunteer.name,
                                           "mine": pair.volunteer.user_id == current_user.id},
        "due": [_item_json(i) for i in items], "top_status": top.status if top else None,
        "forms": {"talk": url_for("activities.log_talk", child_id=child.id),
                  "visit": url_for("activities.log_visit", child_id=child.id),
                  "holiday": url_for("activities.log_holiday", child_id=child.id),
                  "history": url_for("activities.child_logs", child_id=child.id)},
    }


@bp.route("/children")
@policy("children.view")
def children():
    """A volunteer's paired children, most urgent first; others: the active children in scope,
    by name, a page at a time."""
    today = today_cn()
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    per_page = min(max(request.args.get("per_page", 50, type=int), 1), 100)
    if current_user.role == "volunteer":
        cards = queries.volunteer_cards(current_user, today)
        total = len(cards)
        cards = cards[(page - 1) * per_page: page * per_page]
        items = [child_json(c.child, c.pair, c.items, today) for c in cards]
    else:
        stmt = (sa.select(Child).where(children_scope(current_user), Child.status == "active")
                .order_by(Child.name_pinyin, Child.id))
        total = queries.count_of(stmt)
        rows = db.session.scalars(stmt.offset((page - 1) * per_page).limit(per_page)).all()
        due = _due_by_child(rows, today)
        items = [child_json(c, *due.get(c.id, (None, [])), today) for c in rows]
    # a read of children's records, audited like the roster page
    audit.record("child.list", object_type="children",
                 detail={"via": "api", "count": len(items), "total": total, "page": page})
    db.session.commit()
    return jsonify(items=items, page=page, per_page=per_page, total=total)


operation("/api/v1/children", "get", summary="我的儿童和待办（志愿者：结对儿童，最紧急的在前）",
          parameters=[{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                      {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}],
          response=ref("ChildPage"), errors=("401", "403"))
