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
        self.wait("dashboard widgets", lambda: self.find_all("widget") or self.unavailable_messages())
        return self.read()

    @screen_read
    def read(self) -> Dashboard:
        widgets: dict[str, float] = {}
        for e in self.find_all("widget"):
            name = self.get(e, "widget").removeprefix("widget-")
            n = _num(self.get(e, "value"))
            if n is not None:
                widgets[name] = n
        unread = self.first("conversation_count_unread")
        total = self.first("conversation_count_total")
        d = Dashboard(widgets, _num(self.get(unread, "value")) if unread is not None else None,
                      _num(self.get(total, "value")) if total is not None else None)
        self.record_observation("dashboard", widgets=widgets, unread=d.unread, total=d.total)
        return d


__all__ = ["DashboardScreen"]
