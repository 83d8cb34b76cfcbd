"""The dashboard (R18): widget numbers and conversation counts as the app shows them."""

from __future__ import annotations

from harness.app.base import Screen, screen_read
from harness.app.observations import Dashboard


def _num(v: str) -> float | None:
    try:
        return float(v)
    except ValueError:
        return None


class DashboardScreen(Screen):
    """The dashboard screen."""

    def open(self) -> Dashboard:
        if self.first("nav_dashboard") is not None:
            self.tap("nav_dashboard")
        else:
            self.go("dashboard", "dashboard")
        self.wait_visible("dashboard")
        # The read that ends the wait is the answer. A tap from the app's start route changes the hash, and the
        # app mounts the dashboard again once its hashchange runs: a wait that saw the old screen's widgets and
        # a read after it met the new one still loading (no widgets, no counts: a false convergence failure).
        d = self.wait("dashboard widgets", lambda: self._complete(self._read()))
        return self._recorded(d)

    @screen_read
    def read(self) -> Dashboard:
        return self._recorded(self._read())

    def _complete(self, d: Dashboard) -> Dashboard | None:
        """``d`` when it is the dashboard loaded (its widgets and counts), or the app says it cannot show one."""
        if d.widgets and d.unread is not None and d.total is not None:
            return d
        return d if self.unavailable_messages() else None

    @screen_read
    def _read(self) -> Dashboard:
        widgets: dict[str, float] = {}
        for e in self.find_all("widget"):
            name = self.get(e, "widget").removeprefix("widget-")
            n = _num(self.get(e, "value"))
            if n is not None:
                widgets[name] = n
        unread = self.first("conversation_count_unread")
        total = self.first("conversation_count_total")
        return Dashboard(widgets, _num(self.get(unread, "value")) if unread is not None else None,
                         _num(self.get(total, "value")) if total is not None else None)

    def _recorded(self, d: Dashboard) -> Dashboard:
        self.record_observation("dashboard", widgets=d.widgets, unread=d.unread, total=d.total)
        return d


__all__ = ["DashboardScreen"]
