"""The values every check shares: its inputs (CheckContext, Snapshots) and its output (Verdict).

Checks are pure functions ``(events, snapshots, context) -> list[Verdict]``;
keeping the three types in one small module lets the runner, the report and
the tests build them without importing any check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Mapping, Sequence

from harness.errors import CheckFailed, Evidence
from harness.timeline import Event

#: Actions every app with collections queues while offline (an app plugin adds its own).
DEFAULT_QUEUED: frozenset[str] = frozenset({"add_item", "edit_item"})
#: Actions that need a connection (an app plugin adds its own).
DEFAULT_GATED: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True)
class CheckContext:
    """What a scenario and its app profile tell the checks (bounds in seconds, feature policy).

    >>> CheckContext(max_detect_s=5).order_scope
    'global'
    """

    #: action names the app queues offline (R9, R10 when messages queue, R14, R15)
    queued_features: frozenset[str] = DEFAULT_QUEUED
    #: action names that must say "unavailable" offline (R10 when messages do not queue, R11, R13, R16)
    gated_features: frozenset[str] = DEFAULT_GATED
    #: R5 promise: one global order, or order per record only
    order_scope: Literal["global", "per_record"] = "global"
    #: R1: drop -> banner visible
    max_detect_s: float = 15.0
    #: R2: reconnection -> banner gone
    max_banner_clear_s: float = 15.0
    #: R9: backend ack -> item indicator cleared
    max_indicator_clear_s: float = 30.0
    #: whole-timeline checks: a screen may still be redrawing this long after the app showed it is offline
    redraw_grace_s: float = 1.0
    #: R1 at every offline window: the app shows it is offline within this (the app profile's detect_s)
    window_detect_s: float = 10.0
    #: R4 at every reconnection: the app shows it is online again within this of a clean path (resume_s)
    window_resume_s: float = 15.0
    #: R4: reconnection -> first queued mutation reaches the backend
    max_first_upload_s: float = 30.0
    #: R19/R23: reconnection -> last queued mutation reaches the backend
    max_drain_s: float = 120.0
    #: R18/R25: reconnection -> the app reports nothing pending
    max_converge_s: float = 120.0
    #: an offline window at least this long makes R19 (extended outage) apply
    long_outage_s: float = 60.0
    #: this many offline windows make R23 (flapping) apply
    flap_min_windows: int = 3
    #: R20/R21: the device policy; each background period is judged under the policy declared for it (the
    #: ``device policy`` event before it), this one only when the period declares none or when forced
    background_sync: Literal["allowed", "forbidden"] | None = None
    #: the scenario itself said whether the app may sync in the background: every period is judged so
    background_sync_forced: bool = False
    #: R24 applies even when no 401 was seen (the scenario expired the token)
    expect_token_expiry: bool = False
    #: two sends of one action starting closer than this, the first still in flight, are one action sent
    #: twice (a correct client resends an in-flight request only after its own timeout); the runner
    #: passes the app's request timeout, which it set
    min_retry_gap_s: float = 0.1
    #: backend tables where one mutation creates one row (a marker must appear exactly once); generic
    #: collections read back through the app's read hook count as such tables
    create_tables: frozenset[str] = frozenset()
    #: cache_reads: screen observation -> (requirement, the data key naming its subject; None: ``subject``)
    cached_screens: Mapping[str, tuple[str, str | None]] = field(
        default_factory=lambda: {"list_view": ("R3", None)})
    #: cache_reads: online action -> the screen it loads
    screen_openers: Mapping[str, str] = field(default_factory=lambda: {"open_list": "list_view"})
    #: cache_reads: screens that, never loaded before, must say they need a connection (R12)
    needs_connection_screens: frozenset[str] = frozenset()
    #: record-identifying keys of an action, in preference order (R5 per-record order)
    record_keys: tuple[str, ...] = ("record",)
    #: convergence: a plugin's tables whose rows the app shows grouped by a parent record (table -> parent key)
    grouped_tables: Mapping[str, str] = field(default_factory=dict)
    #: convergence: server activity kind -> the app snapshot's ``ids`` key
    activity_entities: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Snapshots:
    """Final state: the backend admin snapshot, its applied-mutation log, and the app's screen state."""

    backend: Mapping[str, Any] | None = None
    mutations: Sequence[Mapping[str, Any]] | None = None
    app: Mapping[str, Any] | None = None

    @classmethod
    def from_events(cls, events: Sequence[Event]) -> "Snapshots":
        """The last ``snapshot`` event of each name (``backend``, ``mutations``, ``app``).

        A ``mutations`` snapshot may hold the admin answer (``{"items": [...]}``) or the list itself.
        """
        found: dict[str, Any] = {}
        for ev in events:
            if ev.kind == "snapshot" and ev.name in ("backend", "mutations", "app"):
                found[ev.name] = ev.data
        muts = found.get("mutations")
        if isinstance(muts, Mapping):
            muts = muts.get("items", [])
        return cls(backend=found.get("backend"), mutations=muts, app=found.get("app"))


@dataclass(frozen=True)
class Verdict:
    """One check's judgement of one requirement group, with the events that prove it.

    >>> v = Verdict("ordering", ("R5",), True, "offline actions reached the backend in order")
    >>> v.event_data()["passed"]
    True
    """

    check: str
    requirement_ids: tuple[str, ...]
    passed: bool
    title: str
    evidence: tuple[Evidence, ...] = ()
    measured: Mapping[str, float] = field(default_factory=dict)

    def event_data(self) -> dict[str, Any]:
        """The ``data`` of the timeline's ``check`` event (evidence as seqs, per the contract)."""
        return {
            "requirement_ids": list(self.requirement_ids),
            "passed": self.passed,
            "title": self.title,
            "evidence": [e.seq for e in self.evidence],
            "evidence_summaries": [e.summary for e in self.evidence],
            "measured": dict(self.measured),
        }

    def to_dict(self) -> dict[str, Any]:
        """The form stored in result.json."""
        return {
            "check": self.check,
            "requirement_ids": list(self.requirement_ids),
            "passed": self.passed,
            "title": self.title,
            "evidence": [{"seq": e.seq, "summary": e.summary} for e in self.evidence],
            "measured": dict(self.measured),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Verdict":
        """Read back a result.json verdict (evidence as dicts or bare seqs)."""
        ev: list[Evidence] = []
        for item in d.get("evidence") or []:
            if isinstance(item, Mapping):
                ev.append(Evidence(int(item.get("seq", -1)), str(item.get("summary", ""))))
            else:
                ev.append(Evidence(int(item), ""))
        return cls(
            check=str(d.get("check", "?")),
            requirement_ids=tuple(str(r) for r in d.get("requirement_ids") or ()),
            passed=bool(d.get("passed")),
            title=str(d.get("title", "")),
            evidence=tuple(ev),
            measured={str(k): float(v) for k, v in (d.get("measured") or {}).items() if isinstance(v, (int, float))},
        )

    def failure(self) -> CheckFailed:
        """The CheckFailed to raise for a failed verdict (pytest shows it as an assertion failure)."""
        return CheckFailed(self.requirement_ids, f"{self.check}: {self.title}", self.evidence)


__all__ = ["DEFAULT_GATED", "DEFAULT_QUEUED", "CheckContext", "Snapshots", "Verdict"]
