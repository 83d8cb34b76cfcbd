"""The reference model of the requirements that the state machine keeps beside the real app.

It is the harness's belief, updated step by step, of what the app must do:
whether the path to the backend works (and which conditions cut it), which
contacts and opportunities are cached (opened while online), what is queued
and in which order, and what each feature must do offline (R9-R17). The
machine reads it for preconditions (an offline note needs a cached contact)
and for the cheap expectations it adds after a step (banner after a drop or
a reconnection, a queued item's indicator while offline); the full ordering,
exactly-once and convergence judgement stays with :mod:`harness.checks`.

>>> m = RefModel(contacts=(1, 2, 3), opportunity_owner={1: 2}, cached_contacts={2})
>>> m.apply("offline", {"via": "link"}); m.online, m.cached_opportunities()
(False, [1])
>>> m.apply("add_note", {"contact": 2, "as": "n1"}); [q.label for q in m.pending()]
['n1']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

#: conditions that cut the path to the backend, and the step that undoes each
OFFLINE_CAUSES: dict[str, str] = {"airplane": "online", "link": "online", "backend": "online",
                                  "half_open": "reset_network", "captive_portal": "reset_network"}
#: what each action must do offline (the app profile's defaults; R9-R17)
OFFLINE_BEHAVIOUR: dict[str, Literal["queued", "unavailable", "cached", "limited"]] = {
    "add_note": "queued", "edit_opportunity": "queued", "upload_photo": "queued", "send_sms": "queued",
    "send_email": "queued", "call": "unavailable", "pay": "unavailable", "run_workflow": "unavailable",
    "open_contact": "cached", "open_contacts": "cached", "open_thread": "cached", "open_calendar": "cached",
    "open_dashboard": "cached", "search": "limited",
    "add_item": "queued", "edit_item": "queued", "delete_item": "queued", "open_list": "cached",
}
#: the kind of item each queued action creates (the executor's ``Item.kind``)
ITEM_KIND: dict[str, str] = {"add_note": "note", "edit_opportunity": "opportunity", "upload_photo": "photo",
                             "send_sms": "sms", "send_email": "email", "add_item": "item", "edit_item": "item"}


@dataclass(frozen=True)
class QueuedItem:
    """One labelled mutation: its label, kind, record and whether it was made offline."""

    label: str
    kind: str
    record: int
    offline: bool
    made_at_step: int


@dataclass
class RefModel:
    """The requirements' view of one generated sequence (see the module docstring)."""

    contacts: tuple[int, ...]
    opportunity_owner: dict[int, int]
    cached_contacts: set[int] = field(default_factory=set)
    causes: set[str] = field(default_factory=set)
    items: list[QueuedItem] = field(default_factory=list)
    edited_opportunities: set[int] = field(default_factory=set)
    reconnected_after: dict[str, bool] = field(default_factory=dict)  # label -> an online spell since it was made
    loaded_threads: set[int] = field(default_factory=set)  # conversations opened while online
    queue_messages: bool = True
    steps: int = 0
    begun: tuple[str, dict[str, Any]] | None = None  # an action begun and not submitted yet (name, its params)

    @property
    def online(self) -> bool:
        return not self.causes

    def offline_via(self) -> set[str]:
        return set(self.causes)

    def cached_opportunities(self) -> list[int]:
        """Opportunities the app can edit offline: their contact was opened online, or edited before."""
        return sorted(o for o, c in self.opportunity_owner.items()
                      if c in self.cached_contacts or o in self.edited_opportunities)

    def usable_contacts(self) -> list[int]:
        """Contacts whose screen opens now: any online, the cached ones offline."""
        return list(self.contacts) if self.online else sorted(self.cached_contacts)

    def usable_opportunities(self) -> list[int]:
        return sorted(self.opportunity_owner) if self.online else self.cached_opportunities()

    def behaviour(self, action: str) -> str:
        """What ``action`` must do now: ``done`` online, else the offline behaviour (R9-R17)."""
        if self.online:
            return "done"
        b = OFFLINE_BEHAVIOUR.get(action, "done")
        if action in ("send_sms", "send_email") and not self.queue_messages:
            return "unavailable"
        return b

    def pending(self) -> list["QueuedItem"]:
        """Items made offline that cannot have reached the backend yet (no online spell since), in order."""
        return [q for q in self.items if q.offline and not self.reconnected_after.get(q.label)]

    def item(self, label: str) -> QueuedItem:
        return next(q for q in self.items if q.label == label)

    def expected_item_state(self, label: str) -> str | None:
        """``pending`` while it cannot have synced, ``synced`` once online again, None when racy or superseded.

        A later edit of the same opportunity replaces the fields an earlier edit set, so the earlier edit
        can no longer be seen on its own (its outcome is judged by ordering and convergence instead).
        """
        q = self.item(label)
        if q.kind == "opportunity" and any(o.kind == q.kind and o.record == q.record and o.made_at_step > q.made_at_step
                                           for o in self.items):
            return None
        if q.offline and not self.reconnected_after.get(q.label) and not self.online:
            return "pending"
        if self.online and (not q.offline or self.reconnected_after.get(q.label)):
            return "synced"
        return None

    def next_label(self, action: str) -> str:
        prefix = {"note": "n", "opportunity": "o", "photo": "p", "sms": "s", "email": "e", "item": "i"}[ITEM_KIND[action]]
        return f"{prefix}{len(self.items) + 1}"

    # -- transitions ----------------------------------------------------------------------------

    def apply(self, name: str, params: dict[str, Any]) -> None:
        """Update the model for one step given as its name and YAML parameters."""
        self.steps += 1
        if name == "begin":  # nothing happens until the last tap: the action counts when submitted
            ((action, inner),) = (params.items() if "action" not in params else
                                  [(params["action"], params.get("with") or {})])
            self.begun = (str(action), dict(inner) if isinstance(inner, dict) else {})
            return
        if name == "submit" and self.begun is not None:
            name, params = self.begun
            self.begun = None
        if name == "offline":
            self.causes.add(str(params.get("via", "airplane")))
        elif name in ("half_open", "captive_portal"):
            self.causes.add(name)
        elif name == "online":
            self.causes -= {"airplane", "link", "backend"}
        elif name == "reset_network":
            self.causes -= {"link", "backend", "half_open", "captive_portal"}
        elif name == "open_contact" and self.online:
            self.cached_contacts.add(int(params["contact"]))
        elif name == "open_thread" and self.online:
            self.loaded_threads.add(int(params["conversation"]))
        elif name in ITEM_KIND:
            record = int(params.get("opportunity") or params.get("contact") or 0)
            if name == "edit_opportunity":
                self.edited_opportunities.add(record)
            elif self.online:
                self.cached_contacts.add(record)
            label = str(params.get("as") or self.next_label(name))
            self.items.append(QueuedItem(label, ITEM_KIND[name], record, not self.online, self.steps))
        if self.online:
            for q in self.items:
                self.reconnected_after[q.label] = True


__all__ = ["ITEM_KIND", "OFFLINE_BEHAVIOUR", "OFFLINE_CAUSES", "QueuedItem", "RefModel"]
