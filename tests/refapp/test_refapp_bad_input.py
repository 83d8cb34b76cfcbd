"""Bad input is always a 4xx with {"error", "detail"}, never a 500."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from starlette.testclient import TestClient

from refapp_helpers import key_headers

BIG_FILE = base64.b64encode(b"\0" * (5 * 1024 * 1024 + 1)).decode()

# (id, method, path, json body or raw bytes, auth?, idempotency key?, status, error code)
CASES: list[tuple[str, str, str, Any, bool, bool, int, str]] = [
    ("no-token", "GET", "/api/contacts", None, False, False, 401, "unauthorized"),
    ("login-not-json", "POST", "/api/auth/login", b"{nope", False, False, 400, "invalid_json"),
    ("login-array", "POST", "/api/auth/login", [1, 2], False, False, 400, "invalid_json"),
    ("login-username-number", "POST", "/api/auth/login", {"username": 5, "password": "demo"}, False, False,
     400, "validation_error"),
    ("unknown-route", "GET", "/api/nothing", None, True, False, 404, "not_found"),
    ("wrong-method", "DELETE", "/api/contacts", None, True, False, 405, "method_not_allowed"),
    ("contact-unknown-id", "GET", "/api/contacts/999999", None, True, False, 404, "not_found"),
    ("contact-id-not-number", "GET", "/api/contacts/abc", None, True, False, 404, "not_found"),
    ("contacts-negative-offset", "GET", "/api/contacts?offset=-1", None, True, False, 400, "validation_error"),
    ("contacts-limit-text", "GET", "/api/contacts?limit=ten", None, True, False, 400, "validation_error"),
    ("contacts-limit-zero", "GET", "/api/contacts?limit=0", None, True, False, 400, "validation_error"),
    ("messages-unknown-conversation", "GET", "/api/conversations/9999/messages", None, True, False, 404,
     "not_found"),
    ("appointments-bad-date", "GET", "/api/appointments?from=2024-13-45", None, True, False, 400,
     "validation_error"),
    ("appointments-negative-days", "GET", "/api/appointments?days=-3", None, True, False, 400,
     "validation_error"),
    ("search-empty", "GET", "/api/search?q=", None, True, False, 400, "validation_error"),
    ("changes-negative-since", "GET", "/api/changes?since=-5", None, True, False, 400, "validation_error"),
    ("note-no-key", "POST", "/api/contacts/1/notes", {"text": "x"}, True, False, 400, "idempotency_key_required"),
    ("note-bad-json", "POST", "/api/contacts/1/notes", b'{"text": ', True, True, 400, "invalid_json"),
    ("note-nan", "POST", "/api/contacts/1/notes", b'{"text": NaN}', True, True, 400, "invalid_json"),
    ("note-deeply-nested", "POST", "/api/contacts/1/notes", b"[" * 100_000 + b"]" * 100_000, True, True, 400,
     "invalid_json"),
    ("note-not-utf8", "POST", "/api/contacts/1/notes", b'{"text": "\xff"}', True, True, 400, "invalid_json"),
    ("note-text-number", "POST", "/api/contacts/1/notes", {"text": 42}, True, True, 400, "validation_error"),
    ("note-text-missing", "POST", "/api/contacts/1/notes", {}, True, True, 400, "validation_error"),
    ("note-unknown-contact", "POST", "/api/contacts/424242/notes", {"text": "x"}, True, True, 404, "not_found"),
    ("opp-bad-stage", "PATCH", "/api/opportunities/1", {"stage": "maybe"}, True, True, 400, "validation_error"),
    ("opp-negative-value", "PATCH", "/api/opportunities/1", {"value": -1}, True, True, 400, "validation_error"),
    ("opp-value-string", "PATCH", "/api/opportunities/1", {"value": "100"}, True, True, 400, "validation_error"),
    ("opp-value-bool", "PATCH", "/api/opportunities/1", {"value": True}, True, True, 400, "validation_error"),
    ("opp-empty-patch", "PATCH", "/api/opportunities/1", {}, True, True, 400, "validation_error"),
    ("opp-unknown", "PATCH", "/api/opportunities/5555", {"stage": "won"}, True, True, 404, "not_found"),
    ("file-too-large", "POST", "/api/files", {"contact_id": 1, "filename": "big.bin",
                                              "content_type": "application/octet-stream",
                                              "data_base64": BIG_FILE}, True, True, 413, "file_too_large"),
    ("file-bad-base64", "POST", "/api/files", {"contact_id": 1, "filename": "a", "content_type": "text/plain",
                                               "data_base64": "***"}, True, True, 400, "validation_error"),
    ("body-too-large", "POST", "/api/files", b"x" * (9 * 1024 * 1024), True, True, 413, "payload_too_large"),
    ("sms-contact-string", "POST", "/api/messages/sms", {"contact_id": "1", "body": "hi"}, True, True, 400,
     "validation_error"),
    ("email-no-subject", "POST", "/api/messages/email", {"contact_id": 1, "body": "hi"}, True, True, 400,
     "validation_error"),
    ("call-unknown-contact", "POST", "/api/calls", {"contact_id": 10**9}, True, True, 404, "not_found"),
    ("payment-negative", "POST", "/api/payments", {"contact_id": 1, "amount_cents": -5, "kind": "pos"}, True,
     True, 400, "validation_error"),
    ("payment-float-cents", "POST", "/api/payments", {"contact_id": 1, "amount_cents": 1.5, "kind": "pos"},
     True, True, 400, "validation_error"),
    ("payment-bad-kind", "POST", "/api/payments", {"contact_id": 1, "amount_cents": 5, "kind": "cash"}, True,
     True, 400, "validation_error"),
    ("workflow-unknown", "POST", "/api/workflows/77/run", {"contact_id": 1}, True, True, 404, "not_found"),
    ("seed-negative", "POST", "/_admin/seed", {"contacts": -1}, False, False, 400, "validation_error"),
    ("activity-bad-kind", "POST", "/_admin/activity", {"kind": "weather"}, False, False, 400, "validation_error"),
    ("config-unknown-bug", "POST", "/_admin/config", {"bugs": ["no-such-bug"]}, False, False, 400, "unknown_bug"),
]


@pytest.mark.parametrize("name,method,path,body,with_auth,with_key,status,code", CASES, ids=[c[0] for c in CASES])
def test_bad_request_is_a_json_4xx(client: TestClient, auth: dict[str, str], name: str, method: str, path: str,
                                   body: Any, with_auth: bool, with_key: bool, status: int, code: str) -> None:
    headers = key_headers(auth) if with_key else dict(auth) if with_auth else {}
    if isinstance(body, bytes):
        r = client.request(method, path, content=body, headers={**headers, "Content-Type": "application/json"})
    else:
        r = client.request(method, path, json=body, headers=headers)
    assert r.status_code == status, r.text[:300]
    payload = r.json()
    assert payload["error"] == code and isinstance(payload["detail"], str) and payload["detail"]


def test_bad_requests_applied_nothing(client: TestClient, auth: dict[str, str]) -> None:
    before = client.get("/_admin/snapshot").json()
    for _name, method, path, body, with_auth, with_key, _status, _code in CASES:
        if path.startswith("/api/") and method != "GET" and not isinstance(body, bytes):
            client.request(method, path, json=body, headers=key_headers(auth) if with_key else auth)
    assert client.get("/_admin/snapshot").json() == before
    assert client.get("/_admin/mutations").json()["items"] == []
