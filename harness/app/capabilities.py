"""Capabilities: what an app under test has, and what each one asks of its profile.

The harness never assumes an app's screens. An app profile declares the
capabilities the app has (an offline indicator, a pending count, per-item
sync state, record collections, a lifecycle the device can drive, ...) and
gives locators only for those. Steps, checks and fuzz rules declare the
capabilities they need; what an app lacks makes them "not applicable",
with the reason, never a pass and never a failure.

Capabilities come from three places:

- declared in the profile's ``capabilities`` list, each registered here (or
  by the app's plugin) with the locators and attributes it needs;
- derived from the profile: ``records`` (a collection one can add to),
  ``records.edit``, ``records.delete``, ``backend_reset``, ``backend_read``,
  ``server_changes`` (the backend hooks that exist);
- an app plugin's own vocabulary (``register_capability`` at import).

>>> CAPABILITIES["offline_indicator"].locators
('offline_banner',)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from harness.errors import SpecError


@dataclass(frozen=True)
class Capability:
    """One thing an app may have: its name, what it means, the locators and attributes it needs."""

    name: str
    doc: str
    locators: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    #: declared by this plugin (None: the harness's core vocabulary)
    plugin: str | None = None
    #: requirement ids whose judgement depends on this capability (for "unjudged" listings)
    requirements: tuple[str, ...] = field(default=())


CAPABILITIES: dict[str, Capability] = {}

#: capabilities computed from the profile itself, never declared (profile -> present?)
DERIVED: dict[str, str] = {
    "records": "a collection the user can add items to (collections: with input and submit)",
    "records.edit": "a collection whose items can be edited (edit, edit_input, edit_submit)",
    "records.delete": "a collection whose items can be deleted (delete)",
    "backend_reset": "a backend hook that resets the server to an empty state (hooks.reset)",
    "backend_read": "a backend hook that reads the server's state back (hooks.read)",
    "server_changes": "a backend hook that makes a change on the server (hooks.server_change)",
}


def register_capability(name: str, doc: str, *, locators: Iterable[str] = (), attributes: Iterable[str] = (),
                        plugin: str | None = None, requirements: Iterable[str] = ()) -> Capability:
    """Register a capability; the same name twice with a different definition is a programming error."""
    cap = Capability(name, doc, tuple(locators), tuple(attributes), plugin, tuple(requirements))
    old = CAPABILITIES.get(name)
    if old is not None and old != cap:
        raise SpecError("capability", name, f"a new name (already registered by {old.plugin or 'the harness'})")
    if name in DERIVED:
        raise SpecError("capability", name, "a name that is not derived from the profile")
    CAPABILITIES[name] = cap
    return cap


def known_capabilities() -> list[str]:
    return sorted(set(CAPABILITIES) | set(DERIVED))


def describe(name: str) -> str:
    """One line saying what a capability means (for "not applicable" reasons and `harness apps`)."""
    if name in DERIVED:
        return DERIVED[name]
    cap = CAPABILITIES.get(name)
    return cap.doc if cap is not None else name


def missing_reason(missing: Iterable[str], app: str, *, what: str) -> str:
    """``"needs offline_indicator (an offline banner ...), which app X does not declare"``."""
    names = sorted(set(missing))
    parts = [f"{n} ({describe(n)})" for n in names]
    return f"{what} needs {', '.join(parts)}; app {app} does not have {'it' if len(names) == 1 else 'them'}"


Predicate = Callable[[frozenset[str]], bool]

register_capability("offline_indicator", "an offline banner or indicator the app shows while offline (R1, R2)",
                    locators=("offline_banner",), requirements=("R1", "R2"))
register_capability("pending_count", "a count of changes waiting to sync (sync status with a pending attribute)",
                    locators=("sync_status",), attributes=("pending",))
register_capability("item_sync_state", "a per-item sync indicator on collection items (pending / synced)",
                    attributes=("sync_state",), requirements=("R9",))
register_capability("lifecycle", "the app can be backgrounded, killed and relaunched by the device, keeping its "
                    "local data", requirements=("R20", "R21", "R27"))
register_capability("unavailable_features", "features that need a connection say so offline (a message)",
                    locators=("unavailable_message",), requirements=("R26",))


__all__ = ["CAPABILITIES", "DERIVED", "Capability", "describe", "known_capabilities", "missing_reason",
           "register_capability"]
