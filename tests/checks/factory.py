"""A tiny builder for recorded timelines, so each check test reads like the run it describes."""

from __future__ import annotations

from typing import Any

from harness.timeline import Event

M1, M2, M3 = "hx0000000001", "hx0000000002", "hx0000000003"


class TL:
    """Append events with explicit times; ``seq`` follows append order, like the real timeline."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, kind: str, name: str, t: float, /, *, layer: str = "app", **data: Any) -> Event:
        ev = Event(seq=len(self.events), t=t, kind=kind, name=name, layer=layer, wall=1_700_000_000 + t,
                   scenario="s1", data=data)
        self.events.append(ev)
        return ev

    def drop(self, t: float, *, layer: str = "link", name: str = "down") -> Event:
        return self.add("condition", name, t, layer=layer, action="apply", params={})

    def restore(self, t: float, *, layer: str = "link", name: str = "down") -> Event:
        return self.add("condition", name, t, layer=layer, action="clear", params={})

    def action(self, name: str, t: float, marker: str | None = None, *, offline: bool = True,
               outcome: str = "queued", **data: Any) -> Event:
        if marker is not None:
            data["marker"] = marker
        return self.add("action", name, t, offline=offline, outcome=outcome, **data)

    def request(self, t: float, markers: list[str], *, status: int | None = 201, key: str = "k-1",
                method: str = "POST", path: str = "/api/contacts/1/notes", fault: str | None = None) -> Event:
        return self.add("request", f"{method} {path}", t, layer="http", method=method, path=path, host="backend",
                        status=status, fault=fault, key=key, markers=markers, t_start=t, t_end=t + 0.05)

    def obs(self, name: str, t: float, **data: Any) -> Event:
        return self.add("observation", name, t, **data)

    def watch(self, t: float, *, offline: bool | None = None, app: str | None = None, read_s: float = 0.02,
              **data: Any) -> Event:
        """A continuous screen read (harness.app.watch) taken from ``t`` to ``t + read_s``: ``app`` is what the
        app itself shows (``offline``/``online``), ``offline`` the harness's belief."""
        data.setdefault("ready", True)
        data.setdefault("device", "foreground")
        if app is not None:
            data["connectivity"] = app
            data["banner"] = app == "offline"
        if offline is not None:
            data["offline"] = offline
        return self.add("observation", "watch", t + read_s / 2, t0=t, t1=t + read_s, trigger="step", **data)

    def snapshot(self, name: str, t: float, data: dict[str, Any]) -> Event:
        return self.add("snapshot", name, t, layer="backend" if name != "app" else "app", **data)


def crm_context(**kw: Any) -> Any:
    """The check context of the reference app (its plugin's readings: CRM actions, screens, tables), with
    ``kw`` overriding fields: these tests replay CRM timelines."""
    from dataclasses import replace
    from types import SimpleNamespace

    from harness.apps.refapp import plugin
    from harness.checks import CheckContext

    scenario = SimpleNamespace(setup=SimpleNamespace(app=SimpleNamespace(queue_messages=True)))
    base = plugin.check_context(None, scenario, CheckContext())
    return replace(base, **kw)


def crm_run(events: Any, **kw: Any) -> Any:
    """run_checks with the reference app's context unless the test gives one."""
    from harness.checks import run_checks

    kw.setdefault("context", crm_context())
    return run_checks(events, **kw)
