"""``lab.net``: apply and clear conditions on every layer, with a handle per condition.

One entry point for every layer, so scenarios, schedules and the CLI do not
care whether a condition is a Toxiproxy toxic, the link going down, or an
addon rule. Every apply and clear is appended to the timeline as a
``condition`` event (layer ``link`` or ``http``, ``action`` apply/clear,
``params``). The state lives in the servers (Toxiproxy, the addon), not
here, so a ``NetControl`` built from a state file by ``harness net`` sees
and clears what another process applied.

Usage::

    h = lab.net.apply(Down())
    ...
    lab.net.clear(h)
    lab.net.reset()        # everything clean: no toxic, link enabled, no rule, nothing held
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

from harness.net.conditions import Condition, HttpCondition, LinkCondition
from harness.net.http import HttpControl, HttpState
from harness.net.link import Link, LinkState, LinkWedged
from harness.timeline import Timeline


@dataclass(frozen=True)
class Handle:
    """What :meth:`NetControl.apply` put in force, to clear exactly that later."""

    id: str
    condition: Condition
    toxics: tuple[str, ...] = ()
    rule: str | None = None
    disabled_link: bool = False
    t: float = 0.0


@dataclass(frozen=True)
class NetStatus:
    """Everything in force on both layers."""

    link: LinkState
    http: HttpState

    def lines(self) -> list[str]:
        """Human summary, one line per thing in force (``clean`` when nothing is)."""
        out: list[str] = []
        if not self.link.enabled:
            out.append("link: DOWN (connections refused)")
        for t in self.link.toxics:
            attrs = " ".join(f"{k}={v}" for k, v in sorted(t.attributes.items()))
            tox = f" toxicity={t.toxicity:g}" if t.toxicity != 1 else ""
            out.append(f"link: {t.type} {t.stream} {attrs}{tox} [{t.name}]")
        for r in self.http.rules:
            out.append(f"http: {r.describe} (matched {r.matched}, fired {r.fired}) [{r.id}]")
        for h in self.http.held:
            out.append(f"http: held {h.method} {h.path} for {h.held_s:.1f}s (rule {h.rule})")
        return out or ["clean: link up, no toxics, no HTTP rules"]

    def to_json(self) -> dict[str, Any]:
        return {
            "link": {"enabled": self.link.enabled, "listen": self.link.listen,
                     "toxics": [t.__dict__ for t in self.link.toxics]},
            "http": {"rules": [r.__dict__ for r in self.http.rules], "held": [h.__dict__ for h in self.http.held],
                     "requests": self.http.requests},
        }


class NetControl:
    """Apply/clear conditions on the link and the HTTP layer; see the module docstring."""

    def __init__(self, link: Link, http: HttpControl, *, timeline: Timeline | None = None,
                 restart_link: Callable[[], Link] | None = None) -> None:
        self.link = link
        self.http = http
        self.timeline = timeline
        #: the lab's way out of a wedged Toxiproxy: a fresh server with the same proxy on the same port
        self.restart_link = restart_link
        self._lock = threading.Lock()
        self._handles: dict[str, Handle] = {}

    def apply(self, cond: Condition) -> Handle:
        """Put ``cond`` in force now; returns the handle to clear it. The call returns once it is in force."""
        hid = "h" + uuid.uuid4().hex[:8]
        if isinstance(cond, HttpCondition):
            handle = Handle(hid, cond, rule=self.http.add_rule(cond, rule_id=hid))
        elif isinstance(cond, LinkCondition) and cond.disables_link:
            self.link.disable()
            handle = Handle(hid, cond, disabled_link=True)
        elif isinstance(cond, LinkCondition):
            handle = Handle(hid, cond, toxics=self.link.add_toxics(cond, tag=hid))
        else:
            raise TypeError(f"not a condition: {cond!r}")
        handle = Handle(handle.id, cond, handle.toxics, handle.rule, handle.disabled_link, _now())
        with self._lock:
            self._handles[hid] = handle
        self._record(cond, "apply", hid, handle.t)
        return handle

    def clear(self, handle: Handle) -> None:
        """Undo one :meth:`apply` (idempotent). Clearing ``down`` enables the link again."""
        if handle.rule is not None:
            self.http.remove_rule(handle.rule)
        if handle.toxics:
            self.link.remove_toxics(handle.toxics)
        if handle.disabled_link:
            self.link.enable()
        with self._lock:
            self._handles.pop(handle.id, None)
        self._record(handle.condition, "clear", handle.id, _now())

    def end_holds(self) -> None:
        """Every ``hold`` cleared (its rule removed) and every held request forwarded: what the scenario step
        ``release`` means. Releasing the held requests alone left the rule in force, so the app's retry of a
        released write was held again."""
        for handle in [h for h in self.handles() if h.condition.kind == "hold"]:
            self.clear(handle)  # removing a rule forwards what it held
        self.http.release()

    def _reset_link(self) -> None:
        """``link.reset()``; when Toxiproxy is wedged and the lab can restart it, a restarted link (no toxics,
        enabled, the same port: the device's open connections drop, as on any network change), on the
        timeline as ``link restarted``. Without a way to restart, the LinkWedged stands (a harness error)."""
        try:
            self.link.reset()
        except LinkWedged as e:
            if self.restart_link is None:
                raise
            t0 = _now()
            self.link = self.restart_link()
            if self.timeline is not None:
                self.timeline.append("condition", "link_restarted", layer="link",
                                     data={"why": str(e), "took_s": round(_now() - t0, 3)})

    def online(self) -> None:
        """Clean link (enabled, no toxics); HTTP rules stay."""
        self._reset_link()
        with self._lock:
            for hid in [h for h, v in self._handles.items() if v.rule is None]:
                del self._handles[hid]
        self._log_reset("link")

    def reset(self) -> None:
        """Every layer clean: toxics removed, link enabled, HTTP rules cleared, held requests forwarded."""
        self._reset_link()
        self.http.clear()
        with self._lock:
            self._handles.clear()
        self._log_reset("all")

    def handles(self) -> list[Handle]:
        """The handles applied through this object and not cleared yet."""
        with self._lock:
            return list(self._handles.values())

    def status(self) -> NetStatus:
        return NetStatus(link=self.link.state(), http=self.http.state())

    def _record(self, cond: Condition, action: str, hid: str, t: float) -> None:
        if self.timeline is not None:
            self.timeline.append("condition", cond.kind, layer=cond.layer, t=t,
                                 data={"action": action, "params": cond.params(), "handle": hid})

    def _log_reset(self, scope: str) -> None:
        if self.timeline is not None:
            self.timeline.append("condition", "reset", layer="link" if scope == "link" else "harness",
                                 data={"action": "clear", "params": {"scope": scope}})


def _now() -> float:
    return time.monotonic()


__all__ = ["Handle", "NetControl", "NetStatus"]
