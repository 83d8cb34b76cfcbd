"""Step handlers by name: the generic item steps here, an app plugin's own steps beside them.

The lab's vocabulary (network conditions, schedules, device steps, waits,
expectations) is the executor's own; every step that acts on the app
through its screens has a small handler registered here, the way checks
register in :mod:`harness.checks.registry`. A handler is
``fn(executor, params) -> list[Verdict] | None``; the capabilities a step
needs are declared with its model (:func:`harness.scenario.steps.step`).
An unknown or duplicate name is an error naming the known ones.

>>> "add_item" in HANDLERS
True
"""

from __future__ import annotations

from typing import Any, Callable

from harness.errors import LabError, SpecError
from harness.scenario import steps as S

Handler = Callable[[Any, Any], Any]

HANDLERS: dict[str, Handler] = {}
#: the first part of an action that can be split (``begin``): ``fn(executor, params) -> finish``, where ``finish()``
#: does the last tap and records the action's outcome
BEGINNERS: dict[str, Handler] = {}


def handler(name: str, *, begin: bool = False) -> Callable[[Handler], Handler]:
    """Register the handler of step ``name`` (its model must be registered with ``@step`` first); ``begin=True``:
    the handler of its first part (see :data:`BEGINNERS`)."""
    table = BEGINNERS if begin else HANDLERS

    def deco(fn: Handler) -> Handler:
        if name not in S.STEPS:
            raise SpecError("step", name, f"a registered step ({', '.join(S.step_names())})")
        if name in table and table[name] is not fn:
            raise SpecError("handler", name, "a step with no handler yet (registered twice)")
        table[name] = fn
        return fn

    return deco


#: the text typed for a generic item: short, readable, and carrying the marker the oracles follow
ITEM_TEXT = "Item {marker}"
EDIT_TEXT = "Edited {marker}"


@handler("open_list")
def open_list(ex: Any, p: S.OpenList) -> None:
    ex.open_list(p.collection, p.parent)


@handler("add_item")
def add_item(ex: Any, p: S.AddItem) -> None:
    name, _ = ex.app_profile.collection(p.collection)
    marker = ex.new_item(p.label, "item", collection=name, parent=p.parent)  # its list is read back at the end
    ex.app.collection(name, p.parent).add(ITEM_TEXT.format(marker=marker), marker=marker)


def _labelled(ex: Any, label: str, step: str) -> Any:
    item = ex.items.get(label)
    if item is None or item.kind != "item":
        raise LabError(f"{step}: no item labelled {label!r} was added by add_item before it")
    return item


@handler("edit_item")
def edit_item(ex: Any, p: S.EditItem) -> None:
    old = _labelled(ex, p.item, "edit_item")
    marker = ex.new_item(p.label, "item", collection=old.collection, parent=old.parent)
    ex.app.collection(old.collection, old.parent).edit(old.marker, EDIT_TEXT.format(marker=marker), marker=marker)
    old.marker = marker  # the item is now found by its new text
    if p.label:
        ex.items[p.label] = old


@handler("delete_item")
def delete_item(ex: Any, p: S.DeleteItem) -> None:
    item = _labelled(ex, p.item, "delete_item")
    ex.app.collection(item.collection, item.parent).delete(item.marker)


@handler("begin")
def begin(ex: Any, p: S.Begin) -> None:
    """The first part of an action: its screen opened and its form filled, the last tap left to ``submit``."""
    fn = BEGINNERS.get(p.action)
    if fn is None:
        raise LabError(f"begin {p.action}: this step cannot be split on app {ex.app_profile.name} (splittable: "
                       f"{', '.join(sorted(BEGINNERS)) or 'none'})")
    if ex.begun is not None:
        raise LabError(f"begin {p.action}: {ex.begun[0]} was begun and not submitted yet")
    ex.timeline.append("action", "begin", layer="app", data={"action": p.action, "offline": ex.offline_belief()})
    ex.begun = (p.action, fn(ex, p.step))


@handler("submit")
def submit(ex: Any, p: S.Submit) -> None:
    """The last tap of the action ``begin`` started (its outcome recorded as that action's, now)."""
    if ex.begun is None:
        raise LabError("submit: no action was begun (a '- begin: {ACTION: ...}' step comes first)")
    _, finish = ex.begun
    ex.begun = None
    finish()  # records the action's outcome (what it returns is the page object's view, not verdicts)


@handler("add_item", begin=True)
def begin_add_item(ex: Any, p: S.AddItem) -> Any:
    name, _ = ex.app_profile.collection(p.collection)
    marker = ex.new_item(p.label, "item", collection=name, parent=p.parent)
    return ex.app.collection(name, p.parent).begin_add(ITEM_TEXT.format(marker=marker), marker=marker)


@handler("edit_item", begin=True)
def begin_edit_item(ex: Any, p: S.EditItem) -> Any:
    old = _labelled(ex, p.item, "edit_item")
    marker = ex.new_item(p.label, "item", collection=old.collection, parent=old.parent)
    finish = ex.app.collection(old.collection, old.parent).begin_edit(old.marker, EDIT_TEXT.format(marker=marker),
                                                                      marker=marker)

    def done() -> None:
        finish()
        old.marker = marker
        if p.label:
            ex.items[p.label] = old

    return done


@handler("server_change")
def server_change(ex: Any, p: S.ServerChange) -> None:
    """Items added through the backend's hook, each with a marker (recorded as server activity)."""
    from harness.markers import new_marker

    name, _ = ex.app_profile.collection(p.collection)
    created = []
    for _ in range(p.count):
        marker = new_marker(ex.rng)
        info = ex.lab.hooks.server_change(name, f"Server item {marker}") or {}
        created.append({"entity": f"collection:{name}", "marker": marker, **{k: v for k, v in info.items()
                                                                              if k in ("id", "rev")}})
    seen = ex.lists_seen.setdefault(name, set())
    if not seen:
        seen.add(None)
    ex.timeline.append("server", "activity", layer="backend", data={"kind": "server_change", "collection": name,
                                                                    "created": created})


__all__ = ["BEGINNERS", "HANDLERS", "Handler", "handler"]
