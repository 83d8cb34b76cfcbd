"""Search (R17): results, and whether the app says they come from this device only."""

from __future__ import annotations

from harness.app.base import Screen, ScreenTimeout
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
        # a search the app took shows at once in its result list ("Searching…", then the results or "No
        # results"); the scope line above it follows the connection, not the search. While the list is still
        # empty, a tap that missed (the bar moved as the connection banner came or went) is tapped again
        fresh = not self.find_all("search_results_any")
        try:
            self.tap_for("search_submit", "search results", lambda: self.find_all("search_result")
                         or self.first("search_empty") is not None or self.error_page(),
                         lambda: fresh and not self.find_all("search_results_any"))
        except ScreenTimeout:
            pass  # judged on what the screen shows, as before
        results = tuple(SearchResult(self.get(e, "type"), self.get(e, "id"), self.text(e)) for e in self.find_all("search_result"))
        scope = self.text(self.first("search_scope")) if self.first("search_scope") is not None else ""
        view = SearchView(q, results, scope, "on this device" in scope.lower(), self.error_page())
        self.record_action("search", marker=marker, query=q, outcome="error" if view.error else "done")
        self.record_observation("search_results", count=len(results), scope=scope, on_device=view.on_device,
                                error=view.error, state="error" if view.error else "done",
                                items=[f"{r.type}:{r.id}" for r in results])
        return view


__all__ = ["SearchScreen"]
