"""API errors: every bad input becomes a 4xx with `{"error", "detail"}`.

Why: the harness and the client tell failures apart by the `error` code, and
client input must never produce a 500. Handlers raise `ApiError`; the app
turns it (and Starlette's own 404/405) into that JSON shape.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response


class ApiError(Exception):
    """A client error with an HTTP status, a stable code and a human detail.

        raise ApiError(404, "not_found", "contact 7 does not exist")
    """

    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None):
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers or {}


def error_response(status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The one JSON shape of every error."""
    return JSONResponse({"error": code, "detail": detail}, status_code=status, headers=headers)


async def handle_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.detail, exc.headers)


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    detail = exc.detail
    if exc.status_code == 404:
        detail = f"no route for {request.method} {request.url.path}"
    return error_response(exc.status_code, code, str(detail), dict(exc.headers or {}))


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    """A bug in refapp itself, not in the input: still JSON, named as such."""
    return error_response(500, "internal_error", f"{type(exc).__name__}: {exc}")
