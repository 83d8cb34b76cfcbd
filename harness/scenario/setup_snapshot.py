"""Set up once, restore before every example: the fuzzer's cheap reset.

A fuzz run starts thousands of examples from the same steady state (the
same backend seed, the same setup screens loaded online). Replaying the
setup screens costs most of a reset (measured: 60-70 % of it on the
reference app), so after the first full setup both sides are saved at the
same moment, once the app's traffic is quiet: the server through the app's
``save`` hook (the reference app: an in-memory SQLite backup), the app's
storage through the device (IndexedDB, Web Storage, Cache Storage:
``harness/device/app_storage.js``). Each later example restores both, launches
the app on the restored storage, and carries over what the harness itself
learnt during the setup (the executor's bookkeeping, the setup screens'
observations re-stamped on the new timeline), so the checks judge a restored
example exactly as a set-up one.

It is used only when every part can do it: the app profile names a
``setup_snapshot_page`` (a page of the app's origin where none of the app's
code runs, to write the storage from), the backend has ``save`` and
``restore`` hooks, and the device can save and restore the app's storage;
``HARNESS_SETUP_SNAPSHOT=0`` switches it off (benchmarks/fuzz_throughput.py).
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from typing import Any

from harness.timeline import Timeline

#: kinds of setup events carried over to a restored example (the requests are the ledger's, never replayed)
CARRIED_KINDS = ("action", "observation")
SIMPLE = (dict, set, list, bool, int, float, str, type(None))


@dataclass
class Saved:
    """One saved steady state: the backend's save name, the app's storage, what the harness learnt."""

    name: str
    storage: dict[str, Any]
    executor_state: dict[str, Any]
    events: list[tuple[str, str, str, dict[str, Any]]]


@dataclass
class SetupSnapshots:
    """The saved steady states of one runner (one lab and device), by what produced them."""

    saved: dict[str, Saved] = field(default_factory=dict)

    @staticmethod
    def usable(runner: Any) -> str:
        """Empty when this runner can save and restore its steady state; otherwise why not."""
        if os.environ.get("HARNESS_SETUP_SNAPSHOT", "1") == "0":
            return "switched off (HARNESS_SETUP_SNAPSHOT=0)"
        app = getattr(runner, "app_profile", None)
        page = getattr(getattr(app, "parameters", None), "setup_snapshot_page", None)
        if not page:
            return f"app {getattr(app, 'name', '?')} names no setup_snapshot_page"
        hooks = runner.lab.hooks
        if not (hooks.has("save") and hooks.has("restore")):
            return f"app {app.name} has no save and restore hooks"
        if not callable(getattr(runner.device, "restore_app_storage", None)):
            return f"device {runner.profile.name} cannot restore an app's storage"
        return ""

    @staticmethod
    def key(scenario: Any, app_url: str, bugs: tuple[str, ...]) -> str:
        return repr((app_url, scenario.setup.model_dump_json(), tuple(sorted(bugs))))

    def save(self, key: str, runner: Any, ex: Any, tl: Timeline, first_seq: int) -> None:
        """Save the steady state just reached (the setup's events are those from ``first_seq``)."""
        name = f"setup-{len(self.saved) + 1}"
        runner.lab.hooks.save(name)
        storage = runner.device.save_app_storage()
        state = {k: copy.deepcopy(v) for k, v in vars(ex).items()
                 if not k.startswith("_") and isinstance(v, SIMPLE) and _simple(v)}
        events = [(e.kind, e.name, e.layer, dict(e.data)) for e in tl.events[first_seq:] if e.kind in CARRIED_KINDS]
        self.saved[key] = Saved(name, storage, state, events)

    def restore(self, key: str, runner: Any, ex: Any, tl: Timeline, page: str) -> bool:
        """Restore the steady state saved under ``key``; False when there is none."""
        saved = self.saved.get(key)
        if saved is None:
            return False
        runner.lab.hooks.restore(saved.name)
        runner.device.restore_app_storage(saved.storage, page)
        ex.app.shell.wait_ready()
        installed = getattr(runner.device, "wait_installed", None)
        if callable(installed):  # as after a full setup: the app's service worker active again
            installed()
        for k, v in saved.executor_state.items():
            setattr(ex, k, copy.deepcopy(v))
        for kind, name, layer, data in saved.events:
            tl.append(kind, name, layer=layer, data={**data, "from_setup_snapshot": saved.name})
        return True


def _simple(value: Any) -> bool:
    """Plain data all the way down (what the executor learns during a setup: names, ids, flags)."""
    if isinstance(value, dict):
        return all(_simple(k) and _simple(v) for k, v in value.items())
    if isinstance(value, (set, list, tuple)):
        return all(_simple(v) for v in value)
    return isinstance(value, (bool, int, float, str, type(None)))


__all__ = ["SetupSnapshots"]
