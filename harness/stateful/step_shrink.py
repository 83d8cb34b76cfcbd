"""Shrink a failing sequence by its steps: remove actions while a real replay still fails the same way.

Why a second shrinker after Hypothesis's. Hypothesis shrinks the choices a
sequence was drawn from. In a state machine a removed or changed choice
shifts every later draw, so most of its candidates are new sequences rather
than shorter versions of the failing one. Each candidate here costs a real
app run of seconds, so a shrink bound of a minute or two is a dozen or two
runs. Measured on outbox-lifo, seed 1, 60 s bound: 13 runs, 11 of them
sequences unrelated to the failing one, and the export kept 12 actions. The
bug needs three: a drop, two writes, the reconnection.

This pass works on the steps themselves, as a person would: delta debugging
(Zeller's ddmin, complements first) over *units*, an action with the
expectations that follow it. A candidate is kept when its replay fails the
same check again. Removing a unit also removes what cannot stand without it:
  * an ``expect_item`` of an item whose write is gone;
  * an edit or delete of such an item (``of:``), with its own expectations;
  * the step that ends what a removed step began: ``submit`` after ``begin``,
    ``release`` after ``hold``, ``foreground`` after ``background``;
  * a ``relaunch`` is one unit with the ``kill`` before it.
And an expectation the requirements' model no longer makes goes
(:func:`without_stale_expectations`): the machine drew each one from its
model for the sequence it ran, and a removed drop or reconnection changes
what the app must show after it (a write made online is synced, not
pending). Kept, it would fail on the harness's stale belief and pass for
the bug: retry-new-key's export once began with a write "expected
pending", its drop shrunk away. A candidate the scenario loader refuses is
skipped without a run.

Pure logic here (:func:`units`, :func:`candidate_steps`, :func:`ddmin`); the
fuzz loop supplies the judge (:func:`harness.stateful.fuzz._step_shrink`).

>>> from harness.scenario.steps import parse_step
>>> def s(name, params=None): return Step(name, parse_step(name, params))
>>> steps = [s("offline", "link"), s("add_note", {"contact": 1, "as": "n1"}),
...          s("expect_item", {"as": "n1", "state": "pending"}), s("online")]
>>> [[steps[i].name for i in u] for u in units(steps)]
[['offline'], ['add_note', 'expect_item'], ['online']]
>>> [x.name for x in candidate_steps(steps, units(steps), [0, 2])]
['offline', 'online']
"""

from __future__ import annotations

import time
from typing import Callable, Sequence

from harness.scenario.model import Step
from harness.stateful.model import RefModel

#: a step that ends what an earlier one began -> that earlier step's name: without its opener it is dropped
CLOSERS = {"submit": "begin", "release": "hold", "foreground": "background"}
#: a step kept in one unit with the step right before it (an app killed stays killed without its relaunch)
JOINED = {"relaunch": "kill"}


def is_action(step: Step) -> bool:
    """A step that acts (network, device, user, server, time), not one that only looks."""
    return not step.name.startswith("expect_") and step.name != "wait_synced"


def units(steps: Sequence[Step]) -> list[list[int]]:
    """The step indices grouped as removable units: an action, the steps ``JOINED`` to it and the expectations
    after them. Expectations before the first action form a unit of their own."""
    out: list[list[int]] = []
    for i, step in enumerate(steps):
        # joined to the unit before when that unit's one action is the step it follows (a kill, not a kill and
        # its relaunch already)
        joins = out and JOINED.get(step.name) == steps[out[-1][0]].name and \
            sum(is_action(steps[j]) for j in out[-1]) == 1
        if is_action(step) and not joins or not out:
            out.append([i])
        else:
            out[-1].append(i)
    return out


def _label(step: Step) -> str | None:
    return getattr(step.params, "label", None)


def candidate_steps(steps: Sequence[Step], groups: Sequence[Sequence[int]], keep: Sequence[int]) -> list[Step]:
    """The steps of the units ``keep`` (indices into ``groups``), in order, without what cannot stand once the
    other units are gone (see the module docstring)."""
    defined: set[str] = set()
    opened: dict[str, int] = {}
    out: list[Step] = []
    for g in sorted(keep):
        head = steps[groups[g][0]]
        if is_action(head):
            opener = CLOSERS.get(head.name)
            if opener is not None:
                if not opened.get(opener):
                    continue
                opened[opener] -= 1
            target = getattr(head.params, "item", None)
            if isinstance(target, str) and target not in defined:
                continue
            if head.name in CLOSERS.values():
                opened[head.name] = opened.get(head.name, 0) + 1
        for i in groups[g]:
            step = steps[i]
            label = _label(step)
            if step.name == "expect_item":
                if label in defined:
                    out.append(step)
                continue
            if label:
                defined.add(label)
            out.append(step)
    return out


def without_stale_expectations(steps: Sequence[Step], model: RefModel) -> list[Step]:
    """``steps`` without the expectations ``model`` (fresh, as at the sequence's start) would not make at their
    place: a banner shown while the model is online or gone while offline, an item state other than the one
    the model expects now (or an item it does not know). Every step kept is applied to the model, as the
    machine applies the steps it runs."""
    out: list[Step] = []
    for step in steps:
        params = step.params.model_dump(by_alias=True) if step.params is not None else {}
        if step.name == "expect_banner" and bool(params.get("visible")) == model.online:
            continue
        if step.name == "expect_item":
            label = params.get("as")
            if not any(q.label == label for q in model.items) or model.expected_item_state(label) != params.get("state"):
                continue
        model.apply(step.name, params)
        out.append(step)
    return out


def ddmin(n_items: int, fails: Callable[[list[int]], bool | None], *, deadline: float,
          clock: Callable[[], float] = time.monotonic) -> list[int]:
    """The smallest subset of ``range(n_items)`` found, by delta debugging, for which ``fails`` is True.

    ``fails(subset)`` runs the candidate: True, it still fails (kept); False, it passes; None, it could not be
    built (costs nothing). Complements are tried first (drop one chunk at a time), the chunks halving until they
    are single items; a kept candidate goes on from there. Each subset is asked at most once. Stops at
    ``deadline`` with the best so far; all of ``range(n_items)`` when nothing smaller failed.
    """
    items = list(range(n_items))
    asked: dict[tuple[int, ...], bool | None] = {}

    def ask(subset: list[int]) -> bool:
        key = tuple(subset)
        if key not in asked:
            asked[key] = fails(subset)
        return bool(asked[key])

    n = 2
    while len(items) >= 2 and clock() < deadline:
        size = len(items) / n
        chunks = [items[round(k * size):round((k + 1) * size)] for k in range(n)]
        for chunk in chunks:
            if clock() >= deadline:
                return items
            rest = [i for i in items if i not in chunk]
            if rest and ask(rest):
                items, n = rest, max(n - 1, 2)
                break
        else:
            if n >= len(items):
                break
            n = min(2 * n, len(items))
    return items


__all__ = ["CLOSERS", "JOINED", "candidate_steps", "ddmin", "is_action", "units"]
