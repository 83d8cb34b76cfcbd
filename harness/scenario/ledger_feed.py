"""Feed the lab's ledger into a scenario's timeline while the scenario runs.

The mitmproxy addon (another process) appends each request to
``ledger.jsonl`` when its exchange ends, so sequence numbers (given on
arrival) are not in file order: a slow request is written after a faster
later one. This thread therefore tails the file by byte offset, never by
sequence number, and appends a ``request`` event per entry at the request's
own monotonic arrival time. Checks sort by ``(t, seq)``, so the tailing lag
and the write order are harmless; a crash mid-scenario still leaves every
request that crossed.
"""

from __future__ import annotations

import fnmatch

import threading
from pathlib import Path

from harness.net.ledger import LedgerEntry, parse_entries
from harness.timeline import Timeline


def ledger_end(path: Path) -> int:
    """The ledger's current size in bytes: a scenario reads what is written after it."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _idle(path: str, patterns: tuple[str, ...]) -> bool:
    return any(path == p or fnmatch.fnmatchcase(path, p) for p in patterns)


class LedgerFeed:
    """Tails ``ledger.jsonl`` from byte ``offset`` into ``timeline`` until stopped (then drains once more)."""

    def __init__(self, path: Path, timeline: Timeline, *, offset: int, interval_s: float = 0.1) -> None:
        self.path = path
        self.timeline = timeline
        self.offset = offset
        self.interval_s = interval_s
        self.entries: list[LedgerEntry] = []
        self._partial = b""
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="ledger-feed", daemon=True)

    def start(self) -> "LedgerFeed":
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.poll()

    def _read_new(self) -> list[LedgerEntry]:
        try:
            with self.path.open("rb") as fh:
                fh.seek(self.offset)
                chunk = fh.read()
        except OSError:
            return []
        self.offset += len(chunk)
        data = self._partial + chunk
        lines = data.split(b"\n")
        self._partial = lines.pop()  # an incomplete last line waits for the rest
        return parse_entries(lines)

    def poll(self) -> list[LedgerEntry]:
        """Append every entry written since the last poll; returns them."""
        with self._lock:
            new = self._read_new()
            for e in new:
                self.timeline.append("request", e.name, layer="http", data=e.event_data(), t=e.t_start)
            self.entries.extend(new)
            return new

    def last_request_t(self, *, ignore_paths: tuple[str, ...] = ()) -> float | None:
        """When the last request ended, not counting the app's idle traffic (``ignore_paths``: paths or globs)."""
        with self._lock:
            return max((e.t_end for e in self.entries if not _idle(e.path.split("?", 1)[0], ignore_paths)),
                       default=None)

    def stop(self) -> list[LedgerEntry]:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self.poll()
        return list(self.entries)


__all__ = ["LedgerFeed", "ledger_end"]
