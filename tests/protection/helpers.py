"""Builders of duty items, shared with the route-policy matrix (tests/core/test_policies.py)."""
from __future__ import annotations

from app.extensions import db
from app.core.dates import today_cn
from app.protection import agreements, services


def agreement_input(**overrides) -> agreements.AgreementInput:
    """A 确认书 entrusting the factory child's recorded guardian (王奶奶, 祖母), signed today."""
    values = dict(entrusted_by="both", parent_names="王大山、李小花", guardian_name="王奶奶", guardian_relation="祖母",
                  signed_on=today_cn())
    values.update(overrides)
    return agreements.AgreementInput(**values)


def protection_objects(world, region: str) -> dict:
    """One open guardianship gap and one 确认书 about the region's paired child, made once per world."""
    cache = world.__dict__.setdefault("_protection_objects", {})
    if region not in cache:
        r = getattr(world, region)
        item = services.open_item(r.users["village_director"], r.child, "gap", "none")
        agreement = agreements.record(r.users["village_director"], r.child, agreement_input())
        db.session.commit()
        cache[region] = {"item_id": item.id, "agreement_id": agreement.id}
    return cache[region]
