"""Schedules: conditions that change over time, on one monotonic clock.

A :class:`Schedule` is a list of :class:`Transition` values, each saying
"at ``at_s`` seconds from the start, the state is ``state`` and exactly these
conditions are in force". Builders cover what users script by hand with
sleeps (Toxiproxy has no schedules, issue #500): :func:`flap`,
:func:`outage`, :func:`degrade_recover`, :func:`switch_network`, and
:func:`sequence` to chain any of them.

A :class:`Scheduler` runs one schedule on one thread against
:class:`~harness.net.control.NetControl`. At each transition it applies the
new conditions first, then clears the old ones (so a switch from ``down`` to
a profile never shows a clean path in between), and appends a ``schedule``
event (name ``transition``) with ``scheduled_t`` (monotonic), the actual
``t`` (when the change was in force, i.e. the calls returned) and
``error_ms``. Whatever the schedule left in force is cleared at the end or
on cancel.

Usage::

    running = Scheduler(lab.net, timeline).start(flap(up_s=2, down_s=1, cycles=5, jitter_s=0.2))
    ...
    records = running.wait()
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import Sequence

from harness.errors import SpecError
from harness.net.conditions import Condition, Down, ResetPeer
from harness.net.control import Handle, NetControl
from harness.net.profiles import ProfileCondition, get_profile
from harness.timeline import Timeline

SPIN_S = 0.002  # the last stretch before a transition is waited out in short sleeps, not one long one


@dataclass(frozen=True)
class Transition:
    """At ``at_s`` after the start, exactly ``conditions`` are in force; ``state`` names it."""

    at_s: float
    state: str
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Schedule:
    """A named, ordered list of transitions; the last one should leave the path clean."""

    name: str
    transitions: tuple[Transition, ...]

    @property
    def duration_s(self) -> float:
        return self.transitions[-1].at_s if self.transitions else 0.0

    def shifted(self, offset_s: float) -> tuple[Transition, ...]:
        return tuple(Transition(t.at_s + offset_s, t.state, t.conditions) for t in self.transitions)


@dataclass(frozen=True)
class TransitionRecord:
    """What happened at one transition."""

    schedule: str
    state: str
    scheduled_t: float
    t: float
    conditions: tuple[str, ...]

    @property
    def error_ms(self) -> float:
        return (self.t - self.scheduled_t) * 1000


def _nonneg(field_name: str, value: object) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0 or value != value:
        raise SpecError(field_name, value, "a number of seconds >= 0")
    return float(value)


def flap(*, up_s: float, down_s: float, cycles: int, jitter_s: float = 0.0, seed: int = 0,
         down: Condition | None = None) -> Schedule:
    """``cycles`` times: down for ``down_s``, then up for ``up_s``; each duration +/- ``jitter_s`` (seeded).

    >>> [t.state for t in flap(up_s=1, down_s=1, cycles=2).transitions]
    ['down', 'up', 'down', 'up']
    """
    up_s, down_s, jitter_s = _nonneg("flap.up_s", up_s), _nonneg("flap.down_s", down_s), _nonneg("flap.jitter_s", jitter_s)
    if not isinstance(cycles, int) or isinstance(cycles, bool) or cycles < 1:
        raise SpecError("flap.cycles", cycles, "an integer >= 1")
    cond = down or Down()
    rng = random.Random(seed)

    def jit(d: float) -> float:
        return max(0.0, d + rng.uniform(-jitter_s, jitter_s)) if jitter_s else d

    out: list[Transition] = []
    t = 0.0
    for _ in range(cycles):
        out.append(Transition(t, "down", (cond,)))
        t += jit(down_s)
        out.append(Transition(t, "up", ()))
        t += jit(up_s)
    return Schedule("flap", tuple(out))


def outage(*, duration_s: float, condition: Condition | None = None) -> Schedule:
    """Down (or ``condition``) for ``duration_s``, then clean."""
    d = _nonneg("outage.duration_s", duration_s)
    return Schedule("outage", (Transition(0.0, "down", (condition or Down(),)), Transition(d, "up", ())))


def degrade_recover(*, profiles: Sequence[str] = ("3g", "edge", "gprs"), step_s: float = 5.0) -> Schedule:
    """Step down through ``profiles`` (``step_s`` each), back up in reverse, then clean.

    >>> [t.state for t in degrade_recover(profiles=("3g", "gprs"), step_s=1).transitions]
    ['3g', 'gprs', '3g', 'up']
    """
    step = _nonneg("degrade_recover.step_s", step_s)
    if not profiles:
        raise SpecError("degrade_recover.profiles", list(profiles), "at least one profile name")
    for p in profiles:
        get_profile(p)
    path = list(profiles) + list(reversed(profiles[:-1]))
    out = [Transition(i * step, p, (ProfileCondition(name=p),)) for i, p in enumerate(path)]
    out.append(Transition(len(path) * step, "up", ()))
    return Schedule("degrade_recover", tuple(out))


def switch_network(*, blackout_s: float = 1.0, reset_s: float = 0.05) -> Schedule:
    """Wi-Fi to cellular: reset every open connection, a blackout (link down), then a clean path.

    Open connections get a TCP RST on their next byte (``reset_peer`` 0 ms, both directions) for
    ``reset_s``; then the link goes down (idle connections are closed, new ones refused) for
    ``blackout_s``; then everything is clean.
    """
    b, r = _nonneg("switch_network.blackout_s", blackout_s), _nonneg("switch_network.reset_s", reset_s)
    return Schedule("switch_network", (
        Transition(0.0, "reset", (ResetPeer(timeout_ms=0, stream="both"),)),
        Transition(r, "blackout", (Down(),)),
        Transition(r + b, "up", ()),
    ))


def sequence(*schedules: Schedule, gap_s: float = 0.0) -> Schedule:
    """Run ``schedules`` one after another, ``gap_s`` apart."""
    gap = _nonneg("sequence.gap_s", gap_s)
    out: list[Transition] = []
    offset = 0.0
    for s in schedules:
        out.extend(s.shifted(offset))
        offset += s.duration_s + gap
    return Schedule("+".join(s.name for s in schedules) or "sequence", tuple(out))


class RunningSchedule:
    """A schedule running on its own thread; :meth:`wait` for it or :meth:`cancel` it."""

    def __init__(self, net: NetControl, schedule: Schedule, timeline: Timeline | None) -> None:
        self.net = net
        self.schedule = schedule
        self.timeline = timeline
        self.records: list[TransitionRecord] = []
        self.error: BaseException | None = None
        self._cancel = threading.Event()
        self._current: dict[Condition, Handle] = {}
        self.t0 = 0.0
        self._thread = threading.Thread(target=self._run, name=f"schedule-{schedule.name}", daemon=True)

    def start(self, *, t0: float | None = None) -> "RunningSchedule":
        self.t0 = time.monotonic() if t0 is None else t0
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def done(self) -> bool:
        return not self._thread.is_alive()

    def wait(self, timeout_s: float | None = None) -> list[TransitionRecord]:
        """Block until the schedule ends; re-raise an error from the scheduler thread."""
        self._thread.join(timeout_s)
        if self.error is not None:
            raise self.error
        return list(self.records)

    def _sleep_until(self, target: float) -> bool:
        while True:
            left = target - time.monotonic()
            if left <= 0:
                return True
            if left > SPIN_S:
                if self._cancel.wait(left - SPIN_S):
                    return False
            else:
                time.sleep(0 if left < 0.0002 else left / 2)

    def _run(self) -> None:
        try:
            for tr in self.schedule.transitions:
                scheduled = self.t0 + tr.at_s
                if not self._sleep_until(scheduled):
                    break
                self._transition(tr, scheduled)
        except BaseException as e:  # reported by wait()
            self.error = e
        finally:
            for h in list(self._current.values()):
                try:
                    self.net.clear(h)
                except Exception as e:
                    self.error = self.error or e
            self._current.clear()

    def _transition(self, tr: Transition, scheduled: float) -> None:
        wanted = list(dict.fromkeys(tr.conditions))
        for c in wanted:
            if c not in self._current:
                self._current[c] = self.net.apply(c)
        for c in [c for c in self._current if c not in wanted]:
            self.net.clear(self._current.pop(c))
        t = time.monotonic()
        rec = TransitionRecord(self.schedule.name, tr.state, scheduled, t, tuple(c.describe() for c in wanted))
        self.records.append(rec)
        if self.timeline is not None:
            layers = {c.layer for c in wanted} or {"link"}
            self.timeline.append("schedule", "transition", layer="http" if layers == {"http"} else "link", t=t,
                                 data={"schedule": self.schedule.name, "state": tr.state, "scheduled_t": scheduled,
                                       "error_ms": round(rec.error_ms, 3), "conditions": list(rec.conditions)})


@dataclass
class Scheduler:
    """Runs schedules against ``net``, recording transitions in ``timeline``."""

    net: NetControl
    timeline: Timeline | None = None
    running: list[RunningSchedule] = field(default_factory=list)

    def start(self, schedule: Schedule) -> RunningSchedule:
        """Start ``schedule`` now on its own thread."""
        r = RunningSchedule(self.net, schedule, self.timeline if self.timeline is not None else self.net.timeline)
        self.running.append(r)
        return r.start()

    def run(self, schedule: Schedule) -> list[TransitionRecord]:
        """Run ``schedule`` to the end (Ctrl-C cancels it and clears what it applied)."""
        r = self.start(schedule)
        try:
            return r.wait()
        except BaseException:
            r.cancel()
            r.wait(10)
            raise


__all__ = ["RunningSchedule", "Schedule", "Scheduler", "Transition", "TransitionRecord", "degrade_recover",
           "flap", "outage", "sequence", "switch_network"]
