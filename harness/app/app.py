"""The app as one object: the shell, the collections' lists, and the plugin's screens, over one driver.

Usage::

    app = App(device.driver, load_app_profile("examples/apps/todo-pouch"), timeline=tl)
    app.shell.wait_ready()
    app.collection("todos").add("buy milk hx0123456789", marker="hx0123456789")

The driver is re-read through ``driver_source`` on every access, so the
same App keeps working after the device relaunches the app (new session).
An app plugin adds its own page objects as attributes (``SCREENS`` in the
plugin module: ``{"contact": ContactScreen, ...}``), so ``app.contact``
works for the reference app and is an AttributeError for others.
"""

from __future__ import annotations

from typing import Any, Callable

from harness.app.base import Screen
from harness.app.collection import CollectionScreen
from harness.app.profile import AppProfile
from harness.app.shell import Shell
from harness.timeline import Timeline


class App:
    """Page objects of one app: ``shell``, ``collection(name)`` and the plugin's screens by name."""

    def __init__(self, driver: Any | Callable[[], Any], profile: AppProfile, *, timeline: Timeline | None = None,
                 offline_belief: Callable[[], bool] | None = None) -> None:
        self._driver_source: Callable[[], Any] = driver if callable(driver) and not hasattr(driver, "find_elements") else (lambda: driver)
        self.profile = profile
        self.timeline = timeline if timeline is not None else Timeline()
        self.offline_belief = offline_belief
        from harness.app.plugins import load_plugin

        module = load_plugin(profile)
        self._screens: dict[str, type[Screen]] = dict(getattr(module, "SCREENS", {}) or {})

    def _make(self, cls: type[Screen], **kw: Any) -> Any:
        return cls(self._driver_source(), self.profile, timeline=self.timeline, offline_belief=self.offline_belief,
                   **kw)

    @property
    def driver(self) -> Any:
        return self._driver_source()

    def launch_url(self, base_url: str) -> str:
        """The URL to open the app at, with the profile's timer query."""
        q = self.profile.parameters.launch_query
        if not q:
            return base_url
        return base_url + ("&" if "?" in base_url else "?") + q

    @property
    def shell(self) -> Shell:
        return self._make(Shell)

    def collection(self, name: str | None = None, parent: int | None = None) -> CollectionScreen:
        """The list screen of a collection (default: the profile's first)."""
        return self._make(CollectionScreen, name=name or self.profile.default_collection() or "", parent=parent)

    def __getattr__(self, name: str) -> Any:
        screens = self.__dict__.get("_screens") or {}
        if name in screens:
            return self._make(screens[name])
        raise AttributeError(f"app {self.__dict__.get('profile').name if self.__dict__.get('profile') else '?'} "
                             f"has no screen {name!r} (its plugin defines: {', '.join(sorted(screens)) or 'none'})")


__all__ = ["App"]
