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
vocabulary with its own records and step parameters (a
:class:`FuzzDomain`), as the reference app's plugin does.

>>> from harness.app.profile import parse_app_profile
>>> p = parse_app_profile("name: t\\ncollections:\\n  c: {list: {css: l}, item: {css: i}, input: {css: n}, submit: {css: s}}\\n")
>>> v = generic_vocabulary(p); v.reads, v.writes, v.offline_indicator, v.setup.load
(('open_list',), ('add_item',), False, ['items'])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping, Protocol

from hypothesis import strategies as st

from harness.scenario.model import Setup
from harness.stateful.model import RefModel


class FuzzDomain(Protocol):
    """A plugin's records and step parameters: what its writes, reads, online-only features and server
    activity act on (the reference app: contacts, opportunities, threads). The machine calls these in the
    places it draws; each draws from ``data`` in a fixed order, so a seed reproduces the same sequences."""

    def new_model(self) -> RefModel:
        """The model a sequence starts from (what the setup cached)."""

    def can_act(self, model: RefModel) -> bool:
        """Whether a write or an online-only feature has a record to act on now (the rules' precondition)."""

    def draw_write(self, model: RefModel, data: st.DataObject) -> tuple[str, dict[str, Any]] | None:
        """One write (step name, parameters without ``as``), or None when there is nothing to write on."""

    def draw_read(self, kind: str, data: st.DataObject) -> Any:
        """The parameters of read ``kind``."""

    def draw_online_only(self, kind: str, model: RefModel, data: st.DataObject) -> Any:
        """The parameters of online-only feature ``kind``."""

    def draw_server(self, model: RefModel, data: st.DataObject) -> Any:
        """The parameters of the server step."""


#: ``http_status`` aims at the app's writes as its profile identifies them (harness.scenario.conditions.writes_match)
WRITES_MATCH: Mapping[str, Any] = MappingProxyType({"writes": True})


@dataclass(frozen=True)
class FuzzVocabulary:
    """The steps a generated sequence may take on one app, and where it starts from."""

    reads: tuple[str, ...]
    writes: tuple[str, ...]
    online_only: tuple[str, ...] = ()
    #: the server-side step (``server_activity`` for a plugin's own, ``server_change`` through a hook) or None
    server: str | None = None
    #: the app shows an offline banner (``offline_indicator``): a drop and a reconnection are looked at
    offline_indicator: bool = False
    #: the app shows each item's sync state (``item_sync_state``): an offline write is looked at as pending
    item_sync_state: bool = False
    #: the app can be killed, relaunched and sent to the background (``lifecycle``); a spell may reconnect
    #: while the app is in the background
    lifecycle: bool = False
    #: the app shows a pending count, so a sequence can wait until it says it synced (else: until it is quiet)
    pending: bool = True
    setup: Setup = field(default_factory=Setup)
    #: the plugin's records and step parameters; None: a generic app's items (no record to pick)
    domain: FuzzDomain | None = None
    #: how ``http_status`` picks the requests it fails (the fields besides ``status`` and ``first``)
    http_status_match: Mapping[str, Any] = field(default_factory=lambda: WRITES_MATCH)
    #: requirements an exported sequence names when nothing failed in particular
    requirements: tuple[str, ...] = ("R5", "R22", "R25")

    @property
    def token_ttl_s(self) -> float | None:
        """The access token lifetime the sequences run with (the setup's), None: the app's own."""
        return self.setup.token_ttl_s

    @property
    def banner(self) -> bool:  # the earlier name
        return self.offline_indicator

    @property
    def item_state(self) -> bool:  # the earlier name
        return self.item_sync_state

    def new_model(self) -> RefModel:
        return self.domain.new_model() if self.domain is not None else RefModel(contacts=(), opportunity_owner={})

    def can_act(self, model: RefModel) -> bool:
        return self.domain.can_act(model) if self.domain is not None else True

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
    records = "records" in caps
    writes = ["add_item"] if records else []
    if records and "records.edit" in caps:
        writes.append("edit_item")
    if records and "records.delete" in caps:
        writes.append("delete_item")
    return FuzzVocabulary(
        reads=("open_list",) if records else (), writes=tuple(writes),
        server="server_change" if "server_changes" in caps else None,
        offline_indicator="offline_indicator" in caps, item_sync_state="item_sync_state" in caps,
        lifecycle="lifecycle" in caps, pending="pending_count" in caps,
        setup=Setup(load=["items"] if records else []))


def vocabulary_for(runner: Any) -> FuzzVocabulary:
    """The app plugin's ``fuzz_vocabulary(runner)`` when it has one, else the generic vocabulary of
    ``runner.app_profile``. A plugin's vocabulary may read the app's backend through ``runner.lab.admin``
    (the plugin's own backend client)."""
    from harness.app.plugins import plugin_function

    profile = runner.app_profile
    fn = plugin_function(profile, "fuzz_vocabulary") if getattr(profile, "plugin", None) else None
    return fn(runner) if fn is not None else generic_vocabulary(profile)


__all__ = ["FuzzDomain", "FuzzVocabulary", "WRITES_MATCH", "generic_vocabulary", "vocabulary_for"]
