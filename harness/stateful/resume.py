"""Resume rounds: some rounds of a fuzz run hold the app's own way back (its probe) far away.

Why: the fuzz clock makes every timer of the app fast (the reference app
probes every 125 ms while offline), so an app that forgets a trigger the
requirements name (the return to the foreground, R20/R21; the OS's
"online" signal, R4) is rescued by its next probe a fraction of a second
later, and no bound can tell the two apart. A real app probes every
twenty seconds or more to spare the battery, and there the missing
trigger is a user staring at an offline banner with the network back.

In a resume round the profile's ``resume_timers`` (its offline probe) are
launched at :data:`RESUME_TIMER_S` of the fuzz clock, every other timer
at the fuzz clock as usual, and the machine generates only reconnections
that have a trigger: after an airplane-mode drop the OS's signal (plain,
or with a slow link or server errors after it), after any other drop the
return to the foreground (the path comes back while the app is in the
background). Faults that can leave the app offline with no trigger to
come back (a lost response, a flap, an outage, a network switch) become
server errors, which a correct app rides out online. The liveness
bounds (first upload, drain) are :data:`RESUME_BOUND_S`, well inside the
held timer, so an app that waited for it fails them; the banner must go
within the machine's usual bound after the trigger.

Every :data:`RESUME_EVERY`-th round is one, from the second (the first
round is Hypothesis's simplest sequences in the app's ordinary clock). An
export from a resume round carries the held timer and the bounds
(``setup.app``, ``expect.bounds``), so it replays the same. An app whose
profile names no ``resume_timers`` has none.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from harness.scenario.model import Bounds
from harness.stateful.vocab import FuzzVocabulary

#: one round in this many is a resume round, from round 1 (the second)
RESUME_EVERY = 4
#: the held timer at the fuzz clock (s): a battery policy's realistic probe (the covering suite's
#: background-foreground-resume runs at 20 s too), far beyond what a triggered resume takes (under a second)
RESUME_TIMER_S = 20.0
#: first upload and drain after a reconnection (s): generous for a triggered sync at the fuzz clock (a few
#: retries of 0.5 s at most), well inside the held timer
RESUME_BOUND_S = 8.0
#: how a spell may come back after an airplane-mode drop (the OS says it is back), the plainest first
AIRPLANE_RECONNECTIONS = ("plain", "slow_link", "server_errors", "in_background")
#: the faults of the single-step rule a resume round keeps: neither leaves the app offline
KEPT_FAULTS = frozenset({"http_status", "slow_link"})


def is_resume_round(round_no: int) -> bool:
    """Round ``round_no`` (0 first) of a fuzz run is a resume round.

    >>> [n for n in range(10) if is_resume_round(n)]
    [1, 5, 9]
    """
    return round_no % RESUME_EVERY == 1


def resume_vocabulary(vocab: FuzzVocabulary, app_profile: Any, factor: float) -> FuzzVocabulary | None:
    """``vocab`` for a resume round at the clock ``factor``, or None when the profile names no ``resume_timers``.

    The held timers are written as the app's own values (``setup.app``; the runner multiplies them by the
    clock ``factor`` as it does every timer), so an export reads as the app's pace, like its other durations.
    """
    params = getattr(app_profile, "parameters", None)
    names = tuple(getattr(params, "resume_timers", ()) or ())
    if not names:
        return None
    held = {name: int(round(RESUME_TIMER_S * 1000 / factor)) for name in names}
    app = vocab.setup.app.model_copy(update=held)
    setup = vocab.setup.model_copy(update={"app": app})
    bounds = Bounds(first_upload_s=RESUME_BOUND_S, drain_s=RESUME_BOUND_S)
    return replace(vocab, setup=setup, resume=True, bounds=bounds)


def reconnections(via: str, lifecycle: bool) -> tuple[str, ...]:
    """How a spell that dropped by ``via`` may come back in a resume round: by a trigger (none: an app without
    a life cycle comes back from airplane mode only, so its spells drop that way).

    >>> reconnections("link", True), reconnections("link", False)
    (('in_background',), ())
    >>> reconnections("airplane", False)
    ('plain', 'slow_link', 'server_errors')
    """
    if via == "airplane":
        return tuple(h for h in AIRPLANE_RECONNECTIONS if lifecycle or h != "in_background")
    return ("in_background",) if lifecycle else ()


__all__ = ["AIRPLANE_RECONNECTIONS", "KEPT_FAULTS", "RESUME_BOUND_S", "RESUME_EVERY", "RESUME_TIMER_S",
           "is_resume_round", "reconnections", "resume_vocabulary"]
