"""The run's append-only event log: one record that many readers share.

Every part of a run (network conditions, schedules, the device, the user
actions the harness performs, what the app showed, the requests the proxy
saw, check verdicts, metrics) appends an :class:`Event` as it happens.
Events are written to ``timeline.jsonl`` one line at a time and flushed, so a
crash loses nothing; checks and the HTML report read the file back.

Timestamps: ``t`` is ``time.monotonic()`` seconds. On Linux CLOCK_MONOTONIC is
system-wide, so events written by other processes of the lab (the mitmproxy
addon's ledger) share the same clock. ``wall`` is Unix time for humans.

Usage::

    tl = Timeline.open(run_dir / "timeline.jsonl")
    tl.append("condition", "link.down", layer="link", data={"stream": "both"})
    events = Timeline.read(run_dir / "timeline.jsonl")
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Literal, TextIO

#: The kinds of event, and who writes them.
Kind = Literal[
    "run",          # run/scenario start and end (harness)
    "condition",    # a network condition applied or cleared (link/http/device layer)
    "schedule",     # a scheduled transition: data has scheduled_t and actual t
    "device",       # device lifecycle: airplane, background, freeze, kill, relaunch, policy
    "action",       # a user action the harness performed (add_note, open_contact, ...)
    "observation",  # something read from the app's screen (banner, indicator, list)
    "request",      # a request seen by the HTTP layer (from the ledger)
    "server",       # server-side activity the harness caused while the app was offline
    "snapshot",     # a final snapshot (backend admin state, app screen state)
    "check",        # a check verdict
    "metric",       # a measured figure (time to detect, to drain, ...)
    "log",          # anything else worth keeping (warnings, console errors)
]

KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]


def _plain(value: Any) -> Any:
    """What json cannot write: a dataclass as its fields, anything else as its text."""
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return str(value)


@dataclass(frozen=True)
class Event:
    """One thing that happened, at monotonic time ``t``.

    ``layer`` says where: link, http, device, app, backend, harness.
    ``data`` is JSON-serialisable detail; its keys use units in their names
    (``delay_ms``, ``duration_s``).
    """

    seq: int
    t: float
    kind: str
    name: str
    layer: str = "harness"
    wall: float = 0.0
    scenario: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        # the fields as they are, a dataclass inside ``data`` turned into a dict where json meets it: the same text
        # as ``asdict`` gave, without its deep copy of every event's data (a final snapshot's is large)
        return json.dumps({f.name: getattr(self, f.name) for f in fields(self)}, sort_keys=True, default=_plain)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Event":
        return cls(
            seq=int(d["seq"]),
            t=float(d["t"]),
            kind=str(d["kind"]),
            name=str(d["name"]),
            layer=str(d.get("layer", "harness")),
            wall=float(d.get("wall", 0.0)),
            scenario=d.get("scenario"),
            data=dict(d.get("data") or {}),
        )


class Timeline:
    """Thread-safe append-only event log, optionally mirrored to a JSONL file.

    >>> tl = Timeline()
    >>> e = tl.append("action", "add_note", layer="app", data={"marker": "hx0000000001"})
    >>> tl.events[0].name
    'add_note'
    """

    def __init__(self, path: Path | None = None, *, scenario: str | None = None) -> None:
        self.path = path
        self.scenario = scenario
        self._events: list[Event] = []
        self._lock = threading.Lock()
        self._fh: TextIO | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = path.open("a", encoding="utf-8")

    @classmethod
    def open(cls, path: Path, *, scenario: str | None = None) -> "Timeline":
        return cls(path, scenario=scenario)

    @property
    def events(self) -> list[Event]:
        with self._lock:
            return list(self._events)

    def append(
        self,
        kind: str,
        name: str,
        *,
        layer: str = "harness",
        data: dict[str, Any] | None = None,
        t: float | None = None,
        scenario: str | None = None,
    ) -> Event:
        """Record one event now (or at monotonic ``t``) and write it through."""
        if kind not in KINDS:
            raise ValueError(f"unknown event kind {kind!r}; expected one of {', '.join(KINDS)}")
        with self._lock:
            ev = Event(
                seq=len(self._events),
                t=time.monotonic() if t is None else t,
                kind=kind,
                name=name,
                layer=layer,
                wall=time.time(),
                scenario=scenario if scenario is not None else self.scenario,
                data=dict(data or {}),
            )
            self._events.append(ev)
            if self._fh is not None:
                self._fh.write(ev.to_json() + "\n")
                self._fh.flush()
            return ev

    def extend_sorted(self, events: Iterable[tuple[float, str, str, str, dict[str, Any]]]) -> None:
        """Append (t, kind, name, layer, data) records in ``t`` order (e.g. a ledger's requests)."""
        for t, kind, name, layer, data in sorted(events, key=lambda r: r[0]):
            self.append(kind, name, layer=layer, data=data, t=t)

    def close(self) -> None:
        with self._lock:
            if self._fh is not None:
                self._fh.close()
                self._fh = None

    def __enter__(self) -> "Timeline":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @staticmethod
    def read(path: Path) -> list[Event]:
        """Read a timeline.jsonl back; a torn last line (crash) is skipped."""
        return list(iter_events(path))


def iter_jsonl(lines: Iterable[str | bytes]) -> Iterator[dict[str, Any]]:
    """Each JSON object in JSON-lines text; blank and torn (unparseable) lines are skipped.

    The timeline, the addon's ledger and anything else written line by line while a run goes on
    may end in a torn line after a crash: readers skip it rather than fail.
    """
    for line in lines:
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict):
            yield obj


def iter_events(path: Path) -> Iterator[Event]:
    with path.open(encoding="utf-8") as fh:
        for d in iter_jsonl(fh):
            try:
                yield Event.from_dict(d)
            except (ValueError, KeyError):
                continue


__all__ = ["Event", "KINDS", "Kind", "Timeline", "iter_events", "iter_jsonl"]
