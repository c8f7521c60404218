"""The OpenAPI description is valid: JSON Schema 2020-12 schemas (OpenAPI 3.1), every reference
resolves, every path parameter is declared, every operation has an id of its own and documents
the JSON error shape. (That it lists exactly the routes is test_api_core's
test_openapi_matches_the_routes; that the app keeps to it is test_api_fuzz.)"""
import re

import jsonschema_rs

from app.api.openapi import document


def _walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}/{i}")


def _schemas(doc):
    yield from doc["components"]["schemas"].items()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for p in op.get("parameters", []):
                yield f"{method} {path} {p['name']}", p["schema"]
            for media in op.get("requestBody", {}).get("content", {}).values():
                yield f"{method} {path} body", media["schema"]
            for status, answer in op["responses"].items():
                for media in answer.get("content", {}).values():
                    yield f"{method} {path} {status}", media["schema"]


def test_the_openapi_description_is_valid(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc == document() and doc["openapi"] == "3.1.0"
    for name, schema in _schemas(doc):
        assert jsonschema_rs.meta.is_valid(schema), name
    for where, node in _walk(doc):
        if "$ref" in node:
            target = doc
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            assert isinstance(target, dict), where
    ids = []
    for path, ops in doc["paths"].items():
        declared = set(re.findall(r"{(\w+)}", path))
        for method, op in ops.items():
            in_path = {p["name"] for p in op.get("parameters", []) if p["in"] == "path" and p["required"]}
            assert in_path == declared, (method, path)
            assert op["summary"] and op["responses"]
            assert any(code.startswith("2") for code in op["responses"])
            errors = [answer["content"]["application/json"]["schema"] for code, answer in op["responses"].items()
                      if code[0] in "45"]
            assert errors and all(e == {"$ref": "#/components/schemas/Error"} for e in errors), (method, path)
            ids.append(op["operationId"])
    assert len(ids) == len(set(ids)) >= 9
