"""The OpenAPI 3 description of /api/v1, assembled from the operations each API module declares."""
from __future__ import annotations

from typing import Any

#: path → method → operation object; API modules add theirs with :func:`operation`.
PATHS: dict[str, dict[str, dict]] = {}
SCHEMAS: dict[str, dict] = {
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"$ref": "#/components/schemas/ErrorBody"}},
    },
    "ErrorBody": {
        "type": "object", "required": ["status", "code", "message"],
        "properties": {"status": {"type": "integer"}, "code": {"type": "string"},
                       "message": {"type": "string", "description": "中文说明"},
                       "message_en": {"type": "string"}, "request_id": {"type": ["string", "null"]},
                       "fields": {"type": "object", "additionalProperties": {"type": "string"},
                                  "description": "输入项名称 → 中文说明"}},
    },
}

ERROR_TEXT = {"400": "请求有误（不是 JSON、缺少内容或表单校验码失效：code csrf_failed）", "401": "未登录或令牌无效",
              "403": "没有权限", "404": "不存在或无权查看", "413": "文件过大", "422": "内容未通过校验",
              "503": "服务器繁忙，请稍后重试"}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _errors(codes) -> dict:
    return {code: {"description": ERROR_TEXT[code], "content": _json({"$ref": "#/components/schemas/Error"})}
            for code in codes}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def id_parameter(name: str, description: str) -> dict:
    """A path parameter holding a database id."""
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}


def operation(path: str, method: str, *, summary: str, response: dict, request: dict | None = None,
              parameters: list | None = None, status: str = "200", tag: str = "volunteer",
              description: str | None = None, request_type: str = "application/json",
              also: dict[str, tuple[str, dict]] | None = None, errors=("400", "401", "403", "404", "422")) -> None:
    """Declare one operation (``path`` in OpenAPI form, e.g. ``/api/v1/logs/{log_id}``).

    ``also`` adds further success answers (status → (description, schema)); ``errors`` lists the
    error statuses the operation may answer with the JSON error shape.
    """
    responses: dict[str, Any] = {status: {"description": "OK", "content": _json(response)}}
    for code, (text, schema) in (also or {}).items():
        responses[code] = {"description": text, "content": _json(schema)}
    op: dict[str, Any] = {"summary": summary, "tags": [tag],
                          "operationId": f"{method}_{path}".replace("/", "_").replace("{", "").replace("}", ""),
                          "responses": {**responses, **_errors(errors)}}
    if description:
        op["description"] = description
    if request is not None:
        op["requestBody"] = {"required": True, "content": {request_type: {"schema": request}}}
    if parameters:
        op["parameters"] = parameters
    PATHS.setdefault(path, {})[method.lower()] = op


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "相伴 Xiangban API", "version": "1",
                 "description": "志愿者手机端与离线同步接口。Auth: the browser session (send X-CSRFToken on writes; "
                                "GET /api/v1/csrf gives a fresh token) or a personal token: "
                                "`Authorization: Bearer xb_…` (settings page, or `flask --app wsgi users token NAME`). "
                                "Every error is `{\"error\": {status, code, message (中文), message_en, request_id, "
                                "fields?}}`. Logs are idempotent on their client-generated `client_uuid`."},
        "servers": [{"url": "/"}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                           "session": {"type": "apiKey", "in": "cookie", "name": "xiangban_session"}}},
        "security": [{"bearer": []}, {"session": []}],
    }
