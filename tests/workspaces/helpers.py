"""Workspace objects for the role × route × scope matrix (tests/core/test_policies.py)."""
from __future__ import annotations

from flask import current_app

from app.extensions import db
from app.core.dates import today_cn
from app.homes import services as homes
from app.plans import services as plans
from app.rounds import services as rounds
from tests.activities.helpers import jpeg_bytes


def make_home(actor, village, name=None, photos=None):
    """A 儿童之家 in ``village`` with the given checklist photos ({item: [bytes]})."""
    home = homes.create_home(actor, village, name or f"{village.name}儿童之家")
    processed = homes.prepare_evidence(photos or {})
    homes.save_checklist(actor, home, list(processed), {}, processed, current_app.config["UPLOAD_DIR"])
    db.session.flush()
    return home


def workspace_objects(world, region: str) -> dict:
    """URL values of a 儿童之家 of ``region``'s village, one of its evidence photos and a 包片
    assignment of the village's director, a 帮扶计划 of its paired child (made once); the region's
    school as an organisation."""
    cache = world.__dict__.setdefault("_workspace_objects", {})
    if region not in cache:
        r = getattr(world, region)
        home = make_home(r.users["coordinator"], r.village, photos={"sign": [jpeg_bytes()]})
        assignment = rounds.create_assignment(r.users["coordinator"], r.users["village_director"], "area", r.village,
                                              started_on=today_cn())
        plan = plans.create_plan(r.users["coordinator"], r.child, r.pair, "", "期末数学及格", "每周三16:30",
                                 "辅导数学作业", today_cn())
        db.session.commit()
        cache[region] = {"plan_id": plan.id, "home_id": home.id, "evidence_id": home.evidence[0].id, "assignment_id": assignment.id,
                         "org_id": r.school.id}
    return cache[region]
