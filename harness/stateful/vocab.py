"""What a generated sequence may do on one app: its fuzz vocabulary, from the app profile (or its plugin).

The state machine (:mod:`harness.stateful.machine`) draws reads, writes,
online-only features, server-side changes, device steps and expectations
from this, so it explores an app it has never seen with only what the
profile declares: a generic app's collection gives ``open_list`` and
``add_item`` (plus ``edit_item``/``delete_item`` when it can), the
offline banner and item-state expectations come only with
``offline_indicator`` and ``item_sync_state``, kills and the background
only with ``lifecycle``, server-side changes only with a ``server_change``
hook. An app plugin may define ``fuzz_vocabulary(runner)`` for a richer
vocabulary (the reference app's CRM).

>>> from harness.app.profile import parse_app_profile
>>> p = parse_app_profile("name: t\\ncollections:\\n  c: {list: {css: l}, item: {css: i}, input: {css: n}, submit: {css: s}}\\n")
>>> v = generic_vocabulary(p); v.reads, v.writes, v.banner
(('open_list',), ('add_item',), False)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.scenario.model import Bounds, Setup


@dataclass(frozen=True)
class FuzzVocabulary:
    """The steps a generated sequence may take on one app, and where it starts from."""

    reads: tuple[str, ...]
    writes: tuple[str, ...]
    online_only: tuple[str, ...] = ()
    #: the server-side step (``server_activity`` for a plugin's own, ``server_change`` through a hook) or None
    server: str | None = None
    banner: bool = False
    item_state: bool = False
    lifecycle: bool = False
    #: the app shows a pending count, so a sequence can wait until it says it synced (else: until it is quiet)
    pending: bool = True
    setup: Setup = field(default_factory=Setup)
    #: the plugin's records (contacts, opportunities): None for an app whose writes need no record
    records: Any = None
    #: requirements an exported sequence names when nothing failed in particular
    requirements: tuple[str, ...] = ("R5", "R22", "R25")
    #: a resume round's (harness.stateful.resume): the app's probe held far away, every reconnection triggered
    resume: bool = False
    #: the liveness bounds of its sequences (None: the scenario defaults)
    bounds: Bounds | None = None

    @property
    def splittable(self) -> tuple[str, ...]:
        """The actions a sequence may begin online and submit after a drop (``begin``/``submit``): the online-only
        features listed twice (their own screens are what the gating oracle reads), then the writes that can be
        split and need no earlier item."""
        from harness.scenario.handlers import BEGINNERS

        gated = tuple(a for a in self.online_only if a in BEGINNERS)
        return gated + gated + tuple(a for a in self.writes if a in BEGINNERS and a != "edit_item")

    def spell_action(self, kind: str) -> str:
        """A spell action the app can do: what it lacks becomes a write (the queue is what most requirements
        are about)."""
        if kind == "online_only" and not self.online_only:
            return "write"
        if kind in ("kill", "background") and not self.lifecycle:
            return "write"
        if kind == "server_activity" and self.server is None:
            return "write"
        return kind


def generic_vocabulary(profile: Any) -> FuzzVocabulary:
    """The vocabulary of an app described by its profile alone (see the module docstring)."""
    caps = profile.capability_set
    writes = ["add_item"] if "records" in caps else []
    if "records.edit" in caps:
        writes.append("edit_item")
    if "records.delete" in caps:
        writes.append("delete_item")
    return FuzzVocabulary(
        reads=("open_list",) if "records" in caps else (), writes=tuple(writes),
        server="server_change" if "server_changes" in caps else None,
        banner="offline_indicator" in caps, item_state="item_sync_state" in caps, lifecycle="lifecycle" in caps,
        pending="pending_count" in caps,
        setup=Setup(load=["items"] if "records" in caps else []))


def vocabulary_for(runner: Any) -> FuzzVocabulary:
    """The app plugin's ``fuzz_vocabulary(runner)`` when it has one, else the generic vocabulary."""
    from harness.app.plugins import plugin_function

    profile = runner.app_profile
    fn = plugin_function(profile, "fuzz_vocabulary") if getattr(profile, "plugin", None) else None
    return fn(runner) if fn is not None else generic_vocabulary(profile)


__all__ = ["FuzzVocabulary", "generic_vocabulary", "vocabulary_for"]
