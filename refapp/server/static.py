"""The web client's files: `/` (index.html), `/web/...` and `/sw.js`.

Why: the harness drives the client in a browser straight from the backend,
so the backend serves refapp/web/ as it is on disk (the client may be half
written: serve what exists). `Cache-Control: no-cache` makes the browser
revalidate, so a changed client is picked up; the service worker's own
cache is what keeps the shell available offline (R27). `/sw.js` is served
at the root with `Service-Worker-Allowed: /` so its scope can be `/`.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from refapp.server.errors import ApiError

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
NO_CACHE = {"Cache-Control": "no-cache"}
TYPES = {
    ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8", ".html": "text/html; charset=utf-8", ".json": "application/json",
    ".webmanifest": "application/manifest+json", ".svg": "image/svg+xml", ".png": "image/png",
    ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8", ".map": "application/json",
}


def _serve(relative: str, extra: dict[str, str] | None = None) -> Response:
    root = WEB_DIR.resolve()
    target = (root / relative).resolve()
    if root not in target.parents or not target.is_file():
        raise ApiError(404, "not_found", f"no file web/{relative}")
    media_type = TYPES.get(target.suffix.lower())
    return FileResponse(target, media_type=media_type, headers={**NO_CACHE, **(extra or {})})


async def index(request: Request) -> Response:
    """The web client's entry page."""
    return _serve("index.html")


async def web_file(request: Request) -> Response:
    """A static file of the web client under /web/."""
    return _serve(str(request.path_params["path"]))


async def service_worker(request: Request) -> Response:
    """The service worker, at root scope."""
    return _serve("sw.js", {"Service-Worker-Allowed": "/"})
