"""The oracles: pure functions of a run's events and final snapshots, returning verdicts.

Each module judges one group of requirements from the outside (markers in
the ledger and on screen; the reference backend's admin snapshots when
present) and says which events prove it:

=============  ==========================  =====================================
check          requirements                module
=============  ==========================  =====================================
ordering       R5                          :mod:`harness.checks.ordering`
exactly_once   R22, R27                    :mod:`harness.checks.exactly_once`
cache_reads    R3, R6-R8, R12              :mod:`harness.checks.cache_reads`
gating         R10-R17, R26                :mod:`harness.checks.gating`
indicators     R1, R2, R9 (+R10/R14/R15)   :mod:`harness.checks.indicators`
convergence    R18, R25                    :mod:`harness.checks.convergence`
liveness       R4, R19, R23, R24           :mod:`harness.checks.liveness`
background     R20, R21                    :mod:`harness.checks.background`
detection      R1, R4, R19                 :mod:`harness.checks.detection` (every run)
=============  ==========================  =====================================

Beside their judgements of the moments the steps chose, gating, indicators
and cache_reads judge every screen read the executor takes between them
(``watch`` observations: after each step, each second of a wait, each
scheduled transition) against the network state at that moment
(:mod:`harness.checks.moments`), as separate verdicts whose
``measured["moments"]`` says how many moments were judged. ``detection``
judges every offline window of every run, whatever checks a scenario names.

A check returns no verdict when the run gave it nothing to judge (no
offline action, no observation): "not covered" is different from "passed".

Usage (what the runner does at the end of a scenario)::

    ctx = CheckContext(max_detect_s=10, queued_features=frozenset({"add_note"}), order_scope="per_record")
    verdicts = run_checks(timeline.events, context=ctx)          # snapshots read from snapshot events
    for v in verdicts:
        timeline.append("check", v.check, data=v.event_data())
    for name, value in measure(timeline.events, ctx).items():
        timeline.append("metric", name, data={"value": value, "unit": "s"})
    failed = [v for v in verdicts if not v.passed]
    if failed:
        raise failed[0].failure()                                 # CheckFailed, an AssertionError

:class:`CheckContext` (all keyword-only, all defaulted) carries what only the
scenario and the app profile know: ``queued_features`` and
``gated_features`` (action names), ``order_scope`` (``global`` or
``per_record``), the bounds in seconds ``max_detect_s``,
``max_banner_clear_s``, ``max_indicator_clear_s``, ``max_first_upload_s``,
``max_drain_s``, ``max_converge_s``, when R19/R23 apply (``long_outage_s``,
``flap_min_windows``), the background policy ``background_sync``
(``allowed``/``forbidden``), ``expect_token_expiry`` (R24) and the backend's
``create_tables``.

What the checks read from events beyond the architecture table: action
``data.query`` for search; observation ``data.items`` (stable ids or texts
shown; also ``activity``, ``messages``, ``appointments``, ``fields``) and
``data.unavailable`` for read screens; ``banner`` ``visible``/``text``;
``item_state`` ``marker``/``state`` (pending|synced|failed); ``sync_status``
``pending``; ``search_results`` ``items``; ``device policy``
``background_sync``/``platform``; the ``app`` snapshot shape in
:mod:`harness.checks.convergence`; the ``backend`` snapshot may add the
``dashboard`` body.
"""

from __future__ import annotations

from harness.checks.model import DEFAULT_GATED, DEFAULT_QUEUED, CheckContext, Snapshots, Verdict
from harness.checks.registry import ALWAYS, CHECK_REQUIREMENTS, CHECKS, check, get_check, run_checks

# Importing the oracle modules fills the registry (order = run order).
from harness.checks import ordering as _ordering  # noqa: E402,F401
from harness.checks import exactly_once as _exactly_once  # noqa: E402,F401
from harness.checks import cache_reads as _cache_reads  # noqa: E402,F401
from harness.checks import gating as _gating  # noqa: E402,F401
from harness.checks import indicators as _indicators  # noqa: E402,F401
from harness.checks import convergence as _convergence  # noqa: E402,F401
from harness.checks import liveness as _liveness  # noqa: E402,F401
from harness.checks import background as _background  # noqa: E402,F401
from harness.checks import detection as _detection  # noqa: E402,F401
from harness.checks.liveness import measure

__all__ = [
    "ALWAYS", "CHECKS", "CHECK_REQUIREMENTS", "DEFAULT_GATED", "DEFAULT_QUEUED", "CheckContext", "Snapshots", "Verdict",
    "check", "get_check", "measure", "run_checks",
]
