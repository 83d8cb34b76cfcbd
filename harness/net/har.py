"""HAR 1.2 export of the ledger, to open a run's traffic in browser dev tools.

Chrome/Firefox dev tools ("Import HAR") show every request that crossed the
HTTP layer with its timing; a request whose response was replaced or lost
(``refuse``, ``drop_response``, a held request that never finished) appears
with status 0 and the fault as its status text, the way dev tools show a
failed request. Headers and bodies are already redacted in the ledger.

Usage::

    write_har(lab.ledger(), run_dir / "traffic.har")
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import parse_qsl, urlsplit

from harness.net.ledger import LedgerEntry


def _headers(h: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in h.items()]


def _status_text(e: LedgerEntry) -> str:
    if e.fault and not e.delivered:
        return f"harness fault: {e.fault}" + (f" ({e.error})" if e.error else "")
    try:
        return HTTPStatus(e.status or 0).phrase
    except ValueError:
        return ""


def har_entry(e: LedgerEntry) -> dict[str, Any]:
    default_port = 443 if e.scheme == "https" else 80
    netloc = e.host if e.port in (0, default_port) else f"{e.host}:{e.port}"
    url = f"{e.scheme}://{netloc}{e.path}"
    started = datetime.fromtimestamp(e.wall_start or 0, tz=timezone.utc).isoformat().replace("+00:00", "Z")
    total_ms = max(0.0, (e.t_end - e.t_start) * 1000)
    status = e.status if e.delivered or e.fault in ("http_status", "captive_portal") else 0
    req: dict[str, Any] = {
        "method": e.method, "url": url, "httpVersion": e.http_version, "cookies": [],
        "headers": _headers(e.req_headers),
        "queryString": [{"name": k, "value": v} for k, v in parse_qsl(urlsplit(e.path).query)],
        "headersSize": -1, "bodySize": e.req_size,
    }
    if e.req_size:
        req["postData"] = {"mimeType": e.req_headers.get("content-type", e.req_headers.get("Content-Type", "")),
                           "text": e.req_text}
    return {
        "startedDateTime": started,
        "time": round(total_ms, 3),
        "request": req,
        "response": {
            "status": status or 0, "statusText": _status_text(e), "httpVersion": e.http_version, "cookies": [],
            "headers": _headers(e.resp_headers),
            "content": {"size": e.resp_size or 0, "mimeType": e.resp_type or "x-unknown"},
            "redirectURL": "", "headersSize": -1, "bodySize": e.resp_size if e.resp_size is not None else -1,
        },
        "cache": {},
        "timings": {"blocked": -1, "dns": -1, "connect": -1, "send": 0, "wait": round(total_ms, 3), "receive": 0,
                    "ssl": -1},
        "comment": f"seq {e.seq}" + (f"; fault {e.fault}" if e.fault else "") + (
            f"; markers {' '.join(e.markers)}" if e.markers else ""),
        "_harness": {"seq": e.seq, "fault": e.fault, "rule": e.rule, "key": e.key, "markers": list(e.markers),
                     "req_sha256": e.req_sha256, "t_start": e.t_start, "t_end": e.t_end},
    }


def to_har(entries: Iterable[LedgerEntry]) -> dict[str, Any]:
    """A HAR 1.2 document of ``entries`` (arrival order)."""
    return {"log": {"version": "1.2", "creator": {"name": "offline-harness", "version": "0.1.0"}, "pages": [],
                    "entries": [har_entry(e) for e in sorted(entries, key=lambda e: e.seq)]}}


def write_har(entries: Iterable[LedgerEntry], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_har(entries), indent=1), encoding="utf-8")
    return path


__all__ = ["har_entry", "to_har", "write_har"]
