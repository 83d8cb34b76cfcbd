"""Feed the lab's ledger into a scenario's timeline while the scenario runs.

The mitmproxy addon (another process) appends each request to
``ledger.jsonl``; this thread tails it and appends a ``request`` event per
entry at the request's own monotonic time, so the timeline file is written
as things happen and a crash mid-scenario still leaves the requests that
crossed. Checks sort by ``(t, seq)``, so the small tailing lag is harmless.
"""

from __future__ import annotations

import threading
from pathlib import Path

from harness.net.ledger import LedgerEntry, read_ledger
from harness.timeline import Timeline


def last_seq(path: Path) -> int:
    """The ledger's last sequence number (0 when empty): a scenario reads what comes after it."""
    entries = read_ledger(path)
    return entries[-1].seq if entries else 0


class LedgerFeed:
    """Tails ``ledger.jsonl`` from ``since_seq`` into ``timeline`` until stopped (then drains once more)."""

    def __init__(self, path: Path, timeline: Timeline, *, since_seq: int, interval_s: float = 0.1) -> None:
        self.path = path
        self.timeline = timeline
        self.seq = since_seq
        self.interval_s = interval_s
        self.entries: list[LedgerEntry] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, name="ledger-feed", daemon=True)

    def start(self) -> "LedgerFeed":
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.poll()

    def poll(self) -> list[LedgerEntry]:
        """Append every entry newer than the last one seen; returns them."""
        with self._lock:
            new = read_ledger(self.path, since_seq=self.seq)
            for e in new:
                self.timeline.append("request", e.name, layer="http", data=e.event_data(), t=e.t_start)
            if new:
                self.seq = new[-1].seq
                self.entries.extend(new)
            return new

    def last_request_t(self, *, ignore_paths: tuple[str, ...] = ()) -> float | None:
        """When the last request ended, not counting the app's idle traffic (``ignore_paths``)."""
        with self._lock:
            return max((e.t_end for e in self.entries if e.path.split("?", 1)[0] not in ignore_paths), default=None)

    def stop(self) -> list[LedgerEntry]:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self.poll()
        return list(self.entries)


__all__ = ["LedgerFeed", "last_seq"]
