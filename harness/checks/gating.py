"""R10-R17, R26: offline, each feature does what the app profile promises, and says so.

Per offline action (``data.outcome`` is what the page object saw):
- a gated feature (``ctx.gated_features``: calls, payments, workflows, and
  SMS/email when the profile does not queue them) must end ``unavailable``
  (with a message, or an ``unavailable`` observation before the next
  action) or ``disabled``;
- a queued feature (``ctx.queued_features``) must end ``queued``/``done``;
- search must return results, never an error; when the same query ran
  online, the offline results must be a subset of the online ones.
``hung`` or ``error`` anywhere, or an error page while offline, also breaks
R26 (unavailable features say so, never hang or crash).

And at every moment the screen was read (:func:`harness.checks.moments.judge_gating`): once the app has
shown it is offline, every visible control of a gated feature is disabled, whatever screen shows it (the
feature's own screen opened before the drop, a form half filled), as separate verdicts counting the moments.
"""

from __future__ import annotations

from typing import Callable, Sequence

from harness.checks.model import CheckContext, Snapshots, Verdict
from harness.checks.moments import judge_gating, moment_verdicts, verdict_note
from harness.checks.registry import check
from harness.checks.view import evidence, is_offline, offline_windows
from harness.errors import Evidence
from harness.timeline import Event

FEATURE_REQUIREMENT: dict[str, str] = {
    "send_sms": "R10", "send_email": "R10", "call": "R11", "pay": "R13", "edit_opportunity": "R14",
    "upload_photo": "R15", "run_workflow": "R16", "search": "R17",
}
BROKEN = frozenset({"hung", "error"})
Note = Callable[[str, bool, Evidence], None]


@check("gating", "R10", "R11", "R13", "R14", "R15", "R16", "R17", "R26")
def gating(events: Sequence[Event], snapshots: Snapshots, ctx: CheckContext) -> list[Verdict]:
    """One verdict per feature requirement exercised offline, plus R26 for gated features and crashes."""
    windows = offline_windows(events)
    results: dict[str, list[tuple[bool, Evidence]]] = {}
    online_search: dict[str, set[str]] = {}

    def note(req: str, ok: bool, ev: Evidence) -> None:
        results.setdefault(req, []).append((ok, ev))

    for i, ev in enumerate(events):
        offline = is_offline(ev, windows)
        if ev.kind == "observation" and offline and _is_error_page(ev):
            note("R26", False, evidence(ev, "error page while offline"))
        if ev.kind != "action" or ev.name not in FEATURE_REQUIREMENT:
            continue
        after = _until_next_action(events, i)
        if ev.name == "search":
            if offline:
                _judge_search(ev, after, online_search, note)
            else:
                online_search[str(ev.data.get("query", ""))] = _result_ids(after)
            continue
        if not offline:
            continue
        req, outcome = FEATURE_REQUIREMENT[ev.name], str(ev.data.get("outcome", ""))
        if outcome in BROKEN:
            note(req, False, evidence(ev, f"offline the feature {outcome}"))
            note("R26", False, evidence(ev, f"offline the feature {outcome}"))
        elif ev.name in ctx.gated_features:
            ok = outcome == "disabled" or (outcome == "unavailable" and _said_so(ev, after))
            why = "unavailable and says so" if ok else (
                "unavailable without a message" if outcome == "unavailable" else f"needs a connection, got {outcome!r}")
            note(req, ok, evidence(ev, why))
            note("R26", ok, evidence(ev, why))
        elif ev.name in ctx.queued_features:
            ok = outcome in ("queued", "done", "")
            note(req, ok, evidence(ev, "queued" if ok else f"should be queued, got {outcome!r}"))
    out = [_verdict(req, items) for req, items in sorted(results.items(), key=lambda kv: int(kv[0][1:]))]
    on_screen: dict[str, tuple[list[Evidence], list[Evidence]]] = {}
    judge_gating(events, ctx, verdict_note(on_screen))
    return out + moment_verdicts("gating", on_screen, "offline, controls that need a connection are disabled")


def _verdict(req: str, items: list[tuple[bool, Evidence]]) -> Verdict:
    bad = tuple(e for ok, e in items if not ok)
    if bad:
        return Verdict("gating", (req,), False, f"{len(bad)} offline feature uses broke the promise", bad)
    return Verdict("gating", (req,), True, f"{len(items)} offline feature uses behaved as promised",
                   tuple(e for _, e in items))


def _until_next_action(events: Sequence[Event], i: int) -> list[Event]:
    out: list[Event] = []
    for ev in events[i + 1:]:
        if ev.kind == "action":
            break
        out.append(ev)
    return out


def _said_so(action: Event, after: list[Event]) -> bool:
    if str(action.data.get("message") or "").strip():
        return True
    return any(e.kind == "observation" and e.name == "unavailable" and e.data.get("visible", True) for e in after)


def _is_error_page(ev: Event) -> bool:
    return ev.name == "error_page" or (ev.name == "screen" and str(ev.data.get("state")) == "error")


def _result_ids(after: list[Event]) -> set[str]:
    for e in after:
        if e.kind == "observation" and e.name == "search_results":
            return {str(x) for x in e.data.get("items") or []}
    return set()


def _judge_search(ev: Event, after: list[Event], online: dict[str, set[str]], note: Note) -> None:
    outcome = str(ev.data.get("outcome", ""))
    obs = next((e for e in after if e.kind == "observation" and e.name == "search_results"), None)
    if outcome in BROKEN or (obs is not None and str(obs.data.get("state")) in BROKEN):
        bad = obs if obs is not None and str(obs.data.get("state")) in BROKEN else ev
        note("R17", False, evidence(bad, "offline search failed instead of searching the cache"))
        note("R26", False, evidence(bad, "offline search failed"))
        return
    query = str(ev.data.get("query", ""))
    if obs is not None and query in online:
        extra = {str(x) for x in obs.data.get("items") or []} - online[query]
        if extra:
            note("R17", False, evidence(obs, f"offline results not found online: {', '.join(sorted(extra))}"))
            return
    note("R17", True, evidence(obs or ev, "offline search answered from the cache"))
