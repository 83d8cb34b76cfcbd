"""Search (R17): results, and whether the app says they come from this device only."""

from __future__ import annotations

from harness.app.base import Screen
from harness.app.observations import SearchResult, SearchView


class SearchScreen(Screen):
    """The search screen."""

    def search(self, query: str, *, marker: str | None = None) -> SearchView:
        if self.first("nav_search") is not None:
            self.tap("nav_search")
        else:
            self.go("search", "search_input")
        q = f"{query} {marker}" if marker else query
        self.type_into(self.wait_visible("search_input"), q)
        scope_before = self.text(self.first("search_scope")) if self.first("search_scope") is not None else ""
        self.tap("search_submit")
        self.poll(lambda: self.find_all("search_result") or self.error_page()
                  or (self.first("search_scope") is not None and self.text(self.first("search_scope")) != scope_before
                      and self.text(self.first("search_scope"))), self.t.ui_s)
        results = tuple(SearchResult(self.get(e, "type"), self.get(e, "id"), self.text(e)) for e in self.find_all("search_result"))
        scope = self.text(self.first("search_scope")) if self.first("search_scope") is not None else ""
        view = SearchView(q, results, scope, "on this device" in scope.lower(), self.error_page())
        self.record_action("search", marker=marker, query=q, outcome="error" if view.error else "done")
        self.record_observation("search_results", count=len(results), scope=scope, on_device=view.on_device,
                                error=view.error, state="error" if view.error else "done",
                                items=[f"{r.type}:{r.id}" for r in results])
        return view


__all__ = ["SearchScreen"]
