"""Batch sync: a phone sends everything its outbox holds in one request; each item is saved in its
own transaction and answered on its own, so a bad item never blocks the good ones."""
from __future__ import annotations

from flask import jsonify

from app.api.blueprint import bp
from app.core.errors import invalid
from app.api.inputs import BadRequest, json_object
from app.api.views_logs import not_json, save_log_item
from app.api.openapi import SCHEMAS, operation, ref
from app.core.i18n import N_
from app.core.permissions import policy

MAX_ITEMS = 50

SCHEMAS["SyncResult"] = {
    "type": "object", "required": ["index", "status"],
    "properties": {"index": {"type": "integer"}, "client_uuid": {"type": ["string", "null"]},
                   "status": {"type": "integer", "enum": [200, 201, 403, 404, 422, 503],
                              "description": "201 新建，200 已保存过，其余见 error"},
                   "log": ref("Log"), "created": {"type": "boolean"},
                   "case": {"oneOf": [ref("CaseRef"), {"type": "null"}]}, "show_alert": {"type": "boolean"},
                   "error": ref("ErrorBody")},
}
SCHEMAS["SyncResponse"] = {
    "type": "object", "required": ["results", "created", "existing", "failed"],
    "properties": {"results": {"type": "array", "items": ref("SyncResult")}, "created": {"type": "integer"},
                   "existing": {"type": "integer"}, "failed": {"type": "integer"}},
}


@bp.route("/sync", methods=["POST"])
@policy("activities.log")
def sync():
    try:
        items = json_object().get("items")
    except BadRequest:
        return not_json()
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        return jsonify(error=invalid({"items": N_("应为1到50条记录的列表")})), 422
    results = []
    for index, item in enumerate(items):
        uuid = item.get("client_uuid") if isinstance(item, dict) else None
        entry = {"index": index, "client_uuid": uuid if isinstance(uuid, str) else None}
        if isinstance(item, dict):
            status, payload = save_log_item(item)
        else:
            status, payload = 422, invalid({"items": N_("每条记录应为 JSON 对象")})
        entry["status"] = status
        entry.update(payload if status < 400 else {"error": payload})
        if status < 400:
            entry["client_uuid"] = payload["log"]["client_uuid"]
        results.append(entry)
    counts = [r["status"] for r in results]
    return jsonify(results=results, created=counts.count(201), existing=counts.count(200),
                   failed=sum(1 for s in counts if s >= 400))


operation("/api/v1/sync", "post", summary="批量上传手机离线保存的记录（逐条处理、逐条回复）",
          description="每条记录单独保存（各自一个事务）；某条出错不影响其他条。每条的 status：201 新建，200 已保存过"
                      "（同一 client_uuid 同一内容），404 儿童不在范围内，422 内容未通过校验或 uuid_conflict。"
                      "照片随后逐张上传：POST /api/v1/logs/{log_id}/photos。",
          request={"type": "object", "required": ["items"],
                   "properties": {"items": {"type": "array", "minItems": 1, "maxItems": MAX_ITEMS,
                                            "items": ref("LogCreate")}}},
          response=ref("SyncResponse"), errors=("400", "401", "403", "422"))
