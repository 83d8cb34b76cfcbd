"""The OpenAPI 3.0 document at /openapi.json, built from the route table.

Why: API tools and fuzzers (and people) can read the contract from the
running server. Summaries come from the handlers' docstrings; request
bodies are declared here next to the paths they belong to. refapp/API.md
stays the normative contract.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.routing import BaseRoute, Route

_ID = {"type": "integer", "minimum": 1}
_STR = {"type": "string", "minLength": 1}


def _obj(required: list[str], **props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/auth/login"): _obj(["username", "password"], username=_STR, password={"type": "string"}),
    ("POST", "/api/auth/refresh"): _obj(["refresh_token"], refresh_token=_STR),
    ("POST", "/api/contacts/{id}/notes"): _obj(["text"], text={**_STR, "maxLength": 10000}),
    ("PATCH", "/api/opportunities/{id}"): _obj(
        [], name={**_STR, "maxLength": 200},
        stage={"type": "string", "enum": ["lead", "qualified", "proposal", "won", "lost"]},
        value={"type": "number", "minimum": 0, "maximum": 1e12}),
    ("POST", "/api/files"): _obj(["contact_id", "filename", "content_type", "data_base64"], contact_id=_ID,
                                 filename={**_STR, "maxLength": 255}, content_type={**_STR, "maxLength": 100},
                                 data_base64={"type": "string", "format": "byte"}),
    ("POST", "/api/messages/sms"): _obj(["contact_id", "body"], contact_id=_ID, body={**_STR, "maxLength": 1600}),
    ("POST", "/api/messages/email"): _obj(["contact_id", "subject", "body"], contact_id=_ID,
                                          subject={**_STR, "maxLength": 200}, body={**_STR, "maxLength": 20000}),
    ("POST", "/api/calls"): _obj(["contact_id"], contact_id=_ID),
    ("POST", "/api/payments"): _obj(["contact_id", "amount_cents", "kind"], contact_id=_ID,
                                    amount_cents={"type": "integer", "minimum": 1, "maximum": 100000000},
                                    kind={"type": "string", "enum": ["invoice", "pos"]}),
    ("POST", "/api/workflows/{id}/run"): _obj(["contact_id"], contact_id=_ID),
}
QUERIES: dict[str, list[tuple[str, str]]] = {
    "/api/contacts": [("offset", "integer"), ("limit", "integer")],
    "/api/conversations/{id}/messages": [("before", "integer"), ("limit", "integer")],
    "/api/appointments": [("from", "string"), ("days", "integer")],
    "/api/search": [("q", "string"), ("limit", "integer")],
    "/api/changes": [("since", "integer"), ("limit", "integer")],
    "/_admin/mutations": [("since", "integer")],
}
PUBLIC = {"/api/health", "/api/auth/login", "/api/auth/refresh", "/client-config.json", "/openapi.json", "/",
          "/web/{path:path}", "/sw.js"}
ERROR = {"description": "error", "content": {"application/json": {"schema": _obj(
    ["error", "detail"], error={"type": "string"}, detail={"type": "string"})}}}


def _operation(method: str, path: str, route: Route) -> dict[str, Any]:
    doc = (route.endpoint.__doc__ or route.name or "").strip().splitlines()
    op: dict[str, Any] = {"summary": doc[0] if doc else path, "operationId": f"{method.lower()}_{route.name}",
                          "responses": {"200": {"description": "OK"}, "4XX": ERROR}}
    params: list[dict[str, Any]] = []
    for name in re.findall(r"{(\w+)(?::\w+)?}", path):
        params.append({"name": name, "in": "path", "required": True,
                       "schema": {"type": "string"} if name == "path" else _ID})
    for name, kind in QUERIES.get(path, []) if method == "GET" else []:
        params.append({"name": name, "in": "query", "required": name == "q", "schema": {"type": kind}})
    body = BODIES.get((method, path))
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if path.startswith("/api/") and path not in PUBLIC:
        op["security"] = [{"bearer": []}]
    if body is not None and path.startswith("/api/") and path not in PUBLIC:
        params.append({"name": "Idempotency-Key", "in": "header", "required": True, "schema": _STR})
        op["responses"]["201"] = {"description": "Created"}
    if params:
        op["parameters"] = params
    return op


def build(routes: list[BaseRoute]) -> dict[str, Any]:
    """The OpenAPI document for the given Starlette routes."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        if not isinstance(route, Route) or route.methods is None:
            continue
        openapi_path = re.sub(r"{(\w+):\w+}", r"{\1}", route.path)
        for method in sorted(route.methods - {"HEAD"}):
            paths.setdefault(openapi_path, {})[method.lower()] = _operation(method, route.path, route)
    return {
        "openapi": "3.0.3",
        "info": {"title": "refapp", "version": "1.0",
                 "description": "Reference CRM backend for offline-harness (see refapp/API.md)."},
        "paths": paths,
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }
