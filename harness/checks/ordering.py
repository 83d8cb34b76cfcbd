"""R5: actions taken offline reach the backend in the order they were made.

Black-box: each queued action carries a marker; its first 2xx request
carrying that marker is when it reached the backend. Any pair whose arrival
order inverts the action order is a violation (the ``outbox-lifo`` and
``concurrent-flush`` bugs). With ``order_scope="per_record"`` only pairs on
the same record count. Markers that never arrived are exactly_once's
business, not this check's.
"""

from __future__ import annotations

from typing import Sequence

from harness.checks.model import CheckContext, Snapshots, Verdict
from harness.checks.registry import check
from harness.checks.view import Queued, applied_requests, arrival_t, evidence, queued_actions
from harness.errors import Evidence
from harness.timeline import Event


@check("ordering", "R5")
def ordering(events: Sequence[Event], snapshots: Snapshots, ctx: CheckContext) -> list[Verdict]:
    """One R5 verdict when at least two queued actions reached the backend; evidence = each inverted pair."""
    queued = queued_actions(events, ctx)
    arrivals = applied_requests(events)
    arrived = [(q, arrivals[q.marker][0]) for q in queued if q.marker in arrivals]
    if len(arrived) < 2:
        return []
    bad: list[Evidence] = []
    for i, (qa, ra) in enumerate(arrived):
        for qb, rb in arrived[i + 1:]:
            if ctx.order_scope == "per_record" and qa.record != qb.record:
                continue
            if (arrival_t(rb), rb.seq) < (arrival_t(ra), ra.seq):
                bad.extend(_pair(qa, ra, qb, rb))
    scope = "per record" if ctx.order_scope == "per_record" else "globally"
    if bad:
        return [Verdict("ordering", ("R5",), False,
                        f"offline actions reached the backend out of order ({scope})", tuple(_dedupe(bad)))]
    ev = tuple(evidence(r, f"arrival {n + 1} of {q.marker}") for n, (q, r) in enumerate(arrived))
    return [Verdict("ordering", ("R5",), True,
                    f"{len(arrived)} offline actions reached the backend in the order made ({scope})", ev)]


def _pair(qa: Queued, ra: Event, qb: Queued, rb: Event) -> list[Evidence]:
    return [
        evidence(qa.event, f"made first ({qa.marker})"),
        evidence(qb.event, f"made later ({qb.marker})"),
        evidence(rb, f"{qb.marker} arrived first"),
        evidence(ra, f"{qa.marker} arrived later"),
    ]


def _dedupe(items: list[Evidence]) -> list[Evidence]:
    seen: set[int] = set()
    out: list[Evidence] = []
    for e in items:
        if e.seq not in seen:
            seen.add(e.seq)
            out.append(e)
    return out
