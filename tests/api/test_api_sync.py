"""Batch sync: each item in its own transaction, answered on its own."""
import sqlalchemy as sa

from app.activities.models import CareLog
from app.extensions import db
from tests.api.helpers import Api, log_body


def test_a_batch_reports_per_item_and_a_bad_item_never_blocks_the_good_ones(client, world):
    vol = Api(client, "vol_a")
    saved = log_body(world.a.child.id, content="早先已上传")
    assert vol.post("/api/v1/logs", saved).status_code == 201
    items = [log_body(world.a.child.id, "visit"), log_body(world.a.child.id, content=""), saved,
             log_body(world.b.child.id), "not an object", {**saved, "content": "改过的内容"},
             log_body(world.a.child.id, "holiday")]
    response = vol.post("/api/v1/sync", {"items": items})
    assert response.status_code == 200
    results = response.json["results"]
    assert [r["status"] for r in results] == [201, 422, 200, 404, 422, 422, 201]
    assert [r["index"] for r in results] == list(range(7))
    assert results[0]["log"]["kind"] == "visit" and results[0]["client_uuid"] == items[0]["client_uuid"]
    assert results[1]["error"]["fields"]["content"].startswith("请填写内容")
    assert results[2]["created"] is False
    assert results[3]["error"]["status"] == 404
    assert results[5]["error"]["code"] == "uuid_conflict"
    assert (response.json["created"], response.json["existing"], response.json["failed"]) == (2, 1, 4)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CareLog)) == 3

    again = vol.post("/api/v1/sync", {"items": items}).json  # the whole batch again: nothing new
    assert [r["status"] for r in again["results"]] == [200, 422, 200, 404, 422, 422, 200]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CareLog)) == 3


def test_a_batch_must_be_a_list_of_1_to_50(client, world):
    vol = Api(client, "vol_a")
    assert vol.post("/api/v1/sync", {"items": []}).status_code == 422
    assert vol.post("/api/v1/sync", {"items": [log_body(world.a.child.id)] * 51}).status_code == 422
    assert vol.post("/api/v1/sync", ["x"]).json["error"]["code"] == "bad_json"
    assert Api(client, "auditor_a").post("/api/v1/sync", {"items": [log_body(world.a.child.id)]}).status_code == 403
