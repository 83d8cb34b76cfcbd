"""The ledger: what crossed the HTTP layer, in arrival order, as typed entries.

The addon (:mod:`harness.net.mitm_addon`) appends one JSON line per request
when it finishes; ``seq`` is the arrival order, ``t_start``/``t_end`` are
``time.monotonic()`` seconds (the harness's clock). This module reads the
file back (a torn last line from a crash is skipped), sorts by ``seq``, and
turns entries into the timeline's ``request`` events (name ``METHOD /path``,
layer ``http``; see docs/architecture.md).

Usage::

    entries = read_ledger(run_dir / "ledger.jsonl")
    timeline.extend_sorted(request_events(entries))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from harness.timeline import iter_jsonl


@dataclass(frozen=True)
class LedgerEntry:
    """One request that reached the HTTP layer, with its status or the fault that replaced it."""

    seq: int
    t_start: float
    t_end: float
    method: str
    host: str
    path: str
    status: int | None
    fault: str | None
    key: str | None
    req_size: int
    req_sha256: str
    markers: tuple[str, ...]
    port: int = 0
    scheme: str = "http"
    rule: str | None = None
    delay_ms: int = 0
    error: str | None = None
    wall_start: float | None = None
    http_version: str = "HTTP/1.1"
    req_headers: dict[str, str] = field(default_factory=dict)
    req_text: str = ""
    resp_size: int | None = None
    resp_headers: dict[str, str] = field(default_factory=dict)
    resp_type: str = ""
    #: for bulk writes: which write identity carries which marker (the addon's ``marker_keys``)
    marker_keys: dict[str, str] = field(default_factory=dict)
    #: the proxy passed it on to the backend (an entry without a status: applied or not, only a read-back says)
    forwarded: bool = False

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "LedgerEntry":
        return cls(
            seq=int(d["seq"]), t_start=float(d["t_start"]), t_end=float(d["t_end"]),
            method=str(d["method"]), host=str(d["host"]), path=str(d["path"]),
            status=d.get("status"), fault=d.get("fault"), key=d.get("key"),
            req_size=int(d.get("req_size", 0)), req_sha256=str(d.get("req_sha256", "")),
            markers=tuple(d.get("markers") or ()), port=int(d.get("port") or 0), scheme=str(d.get("scheme", "http")),
            rule=d.get("rule"), delay_ms=int(d.get("delay_ms") or 0), error=d.get("error"),
            wall_start=d.get("wall_start"), http_version=str(d.get("http_version", "HTTP/1.1")),
            req_headers=dict(d.get("req_headers") or {}), req_text=str(d.get("req_text", "")),
            resp_size=d.get("resp_size"), resp_headers=dict(d.get("resp_headers") or {}),
            resp_type=str(d.get("resp_type", "")), marker_keys=dict(d.get("marker_keys") or {}),
            forwarded=bool(d.get("forwarded", False)),
        )

    @property
    def name(self) -> str:
        return f"{self.method} {self.path.split('?', 1)[0]}"

    @property
    def delivered(self) -> bool:
        """Did the client receive a response from the backend (no fault replaced or lost it)?"""
        return self.status is not None and self.fault in (None, "http_delay")

    def event_data(self) -> dict[str, Any]:
        """The ``request`` event's data (docs/architecture.md)."""
        return {"method": self.method, "path": self.path, "host": self.host, "status": self.status,
                "fault": self.fault, "key": self.key, "req_size": self.req_size, "req_sha256": self.req_sha256,
                "markers": list(self.markers), "t_start": self.t_start, "t_end": self.t_end, "seq": self.seq,
                **({"marker_keys": dict(self.marker_keys)} if self.marker_keys else {}),
                **({"forwarded": True} if self.forwarded and self.status is None else {})}


def read_ledger(path: Path, *, since_seq: int = 0) -> list[LedgerEntry]:
    """Every entry with ``seq > since_seq``, in arrival order; a missing file is an empty ledger."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        out = [e for e in parse_entries(fh) if e.seq > since_seq]
    out.sort(key=lambda e: e.seq)
    return out


def parse_entries(lines: Iterable[str | bytes]) -> list[LedgerEntry]:
    """Ledger entries from JSON lines (torn or malformed lines skipped), in file order."""
    out: list[LedgerEntry] = []
    for d in iter_jsonl(lines):
        try:
            out.append(LedgerEntry.from_dict(d))
        except (ValueError, KeyError, TypeError):
            continue
    return out


def request_events(entries: Iterable[LedgerEntry]) -> list[tuple[float, str, str, str, dict[str, Any]]]:
    """Records for :meth:`harness.timeline.Timeline.extend_sorted` (at each request's ``t_start``)."""
    return [(e.t_start, "request", e.name, "http", e.event_data()) for e in entries]


__all__ = ["LedgerEntry", "parse_entries", "read_ledger", "request_events"]
