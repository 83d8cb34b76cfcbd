"""Parsing untrusted input: request bodies, JSON fields and query parameters.

Why: one place decides what a bad value looks like to the client, so every
endpoint answers the same `400 validation_error` (or `invalid_json`, `413
payload_too_large`) quoting the field, the bad value and what is allowed,
and nothing reaches SQLite unchecked.
"""

from __future__ import annotations

import json
import math
from typing import Any

from starlette.requests import Request

from refapp.server.errors import ApiError

MAX_BODY_BYTES = 8 * 1024 * 1024  # a 5 MiB file in base64 plus JSON framing


async def read_body(request: Request, max_bytes: int = MAX_BODY_BYTES) -> bytes:
    """The raw request body, refusing more than `max_bytes` with 413."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise ApiError(400, "bad_request", f"Content-Length {declared!r} is not a number") from None
        if size > max_bytes:
            raise _too_large(size, max_bytes)
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > max_bytes:
            raise _too_large(total, max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(size: int, max_bytes: int) -> ApiError:
    return ApiError(413, "payload_too_large", f"request body of {size} bytes exceeds the limit of {max_bytes} bytes")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """Decode a JSON object body; anything else is `400 invalid_json`."""
    if not raw.strip():
        raise ApiError(400, "invalid_json", "the request body is empty; send a JSON object")
    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, "invalid_json", f"the request body is not valid JSON: {exc}") from None
    except RecursionError:
        raise ApiError(400, "invalid_json", "the request body is nested too deeply") from None
    if not isinstance(value, dict):
        raise ApiError(400, "invalid_json", f"expected a JSON object, got {type(value).__name__}")
    return value


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(400, "validation_error", f"{field}: {message}")


def get_str(body: dict[str, Any], field: str, *, max_len: int = 10_000, required: bool = True,
            allow_empty: bool = False) -> str | None:
    """A string field, stripped of nothing, bounded in length."""
    if field not in body or body[field] is None:
        if required:
            raise _invalid(field, "is required (a string)")
        return None
    value = body[field]
    if not isinstance(value, str):
        raise _invalid(field, f"must be a string, got {json.dumps(value)[:60]}")
    if not allow_empty and not value.strip():
        raise _invalid(field, "must not be empty")
    if len(value) > max_len:
        raise _invalid(field, f"is {len(value)} characters long; at most {max_len} allowed")
    return value


def get_int(body: dict[str, Any], field: str, *, minimum: int, maximum: int,
            required: bool = True, default: int | None = None) -> int | None:
    """An integer field (JSON booleans and floats are refused)."""
    if field not in body or body[field] is None:
        if required:
            raise _invalid(field, f"is required (an integer {minimum}..{maximum})")
        return default
    value = body[field]
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(field, f"must be an integer {minimum}..{maximum}, got {json.dumps(value)[:60]}")
    if not minimum <= value <= maximum:
        raise _invalid(field, f"{value} is out of range; allowed {minimum}..{maximum}")
    return value


def get_number(body: dict[str, Any], field: str, *, minimum: float, maximum: float) -> float | int:
    """A finite JSON number within bounds (booleans refused)."""
    value = body.get(field)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _invalid(field, f"must be a number {minimum:g}..{maximum:g}, got {json.dumps(value)[:60]}")
    if not minimum <= value <= maximum:
        raise _invalid(field, f"{value} is out of range; allowed {minimum:g}..{maximum:g}")
    return value


def get_choice(body: dict[str, Any], field: str, choices: tuple[str, ...], *, required: bool = True) -> str | None:
    """A string field restricted to `choices`."""
    if field not in body or body[field] is None:
        if required:
            raise _invalid(field, f"is required; one of {', '.join(choices)}")
        return None
    value = body[field]
    if value not in choices:
        raise _invalid(field, f"{json.dumps(value)[:60]} is not allowed; one of {', '.join(choices)}")
    return value


def query_int(request: Request, name: str, *, default: int, minimum: int, maximum: int) -> int:
    """An integer query parameter with bounds; bad values are 400."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "validation_error", f"query parameter {name}={raw!r} is not an integer") from None
    if not minimum <= value <= maximum:
        raise ApiError(400, "validation_error",
                       f"query parameter {name}={value} is out of range; allowed {minimum}..{maximum}")
    return value


def path_id(request: Request, name: str = "id") -> int:
    """A positive integer id from the path; anything else is 404 (no such record)."""
    raw = str(request.path_params.get(name, ""))
    if not raw.isdigit() or len(raw) > 18:
        raise ApiError(404, "not_found", f"{raw!r} is not a valid id")
    return int(raw)
