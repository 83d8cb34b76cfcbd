"""The reference app's page objects read the screen the app has mounted for them, not the one it is replacing.

The dashboard: the read that ends the wait for the widgets is the one returned.

A tap on the dashboard tab from the app's start route changes the hash, and
the app mounts the dashboard again once its hashchange runs. A wait that
saw the old screen's widgets, followed by a second read, met the new screen
still loading: no widgets, no counts, and the final snapshot reported a
convergence failure on the bug-free app (a fuzz clean run, seed 1). Here a
fake page plays that order deterministically: the first look at the widgets
sees the old screen, the next two the new one loading, then the new one.

A thread or an opportunity opened from another one's screen: the old screen
answers every look until the app has mounted the new one, so each waits for
its own subject (the root's conversation or opportunity id).
"""

from __future__ import annotations

from typing import Any

from harness.app.profile import load_app_profile
from harness.apps.refapp.pages.conversations import ConversationsScreen
from harness.apps.refapp.pages.dashboard import DashboardScreen
from harness.apps.refapp.pages.opportunity import OpportunityScreen

PROFILE = load_app_profile("refapp")


class El:
    def __init__(self, attrs: dict[str, str]) -> None:
        self.attrs = attrs

    def get_attribute(self, name: str) -> str | None:
        return self.attrs.get(name)

    def is_displayed(self) -> bool:
        return True

    def is_enabled(self) -> bool:
        return True

    def click(self) -> None:
        pass

    def get_property(self, name: str) -> str | None:
        return self.attrs.get(name)

    @property
    def text(self) -> str:
        return self.attrs.get("text", "")


class RemountingDashboard:
    """A driver whose dashboard is mounted again just after the first look at its widgets."""

    def __init__(self) -> None:
        self.widget_looks = 0

    def _state(self) -> str:
        return "old" if self.widget_looks <= 1 else "loading" if self.widget_looks <= 3 else "new"

    def find_elements(self, by: str, value: str) -> list[El]:
        loc = {v.value: k for k, v in PROFILE.locators.items()}.get(value)
        if loc == "widget":
            self.widget_looks += 1
        state = self._state()
        if loc in ("nav_dashboard", "dashboard", "app_root"):
            return [El({})]
        if state == "loading":
            return []
        if loc == "widget":
            return [El({"data-testid": "widget-contacts", "data-value": "60"}),
                    El({"data-testid": "widget-open-opportunities", "data-value": "12"})]
        if loc in ("conversation_count_unread", "conversation_count_total"):
            return [El({"data-value": "3"})]
        return []

    def execute_script(self, *args: Any) -> None:  # scrollIntoView before a tap
        return None


def test_the_dashboard_read_is_the_one_that_ended_the_wait() -> None:
    driver = RemountingDashboard()
    d = DashboardScreen(driver, PROFILE).open()
    assert d.widgets == {"contacts": 60.0, "open-opportunities": 12.0} and d.unread == 3 and d.total == 3


def test_a_dashboard_still_loading_is_not_an_answer() -> None:
    driver = RemountingDashboard()
    driver.widget_looks = 1  # the first look is at the new mount, still loading: the wait goes on until it loaded
    d = DashboardScreen(driver, PROFILE).open()
    assert d.widgets and d.unread == 3 and driver.widget_looks >= 4


LOCATOR = {v.value: k for k, v in PROFILE.locators.items()}


class ScreenReplaced:
    """A driver showing subject "1" (thread or opportunity) for the first ``old_looks`` lookups after a deep link,
    then subject "2": the app mounts the new screen late."""

    def __init__(self, old_looks: int = 8) -> None:
        self.looks = 0
        self.old_looks = old_looks
        self.linked = False

    def execute_script(self, script: str, *args: Any) -> None:
        self.linked = self.linked or "location.hash" in script

    def find_elements(self, by: str, value: str) -> list[El]:
        name = LOCATOR.get(value)
        if self.linked:
            self.looks += 1
        subject = "1" if not self.linked or self.looks <= self.old_looks else "2"
        if name == "thread":
            return [El({"data-conversation-id": subject})]
        if name == "message_item":
            return [El({"data-message-id": f"{subject}0{i}", "data-direction": "in", "text": "m"}) for i in (1, 2)]
        if name == "opportunity_form":
            return [El({"data-opportunity-id": subject})]
        if name == "opportunity_name":
            return [El({"value": f"deal {subject}"})]
        return []


def test_a_thread_opened_from_another_is_read_once_the_app_shows_it() -> None:
    driver = ScreenReplaced()
    view = ConversationsScreen(driver, PROFILE).open_thread(2)
    assert [m.id for m in view.messages] == ["201", "202"]  # not thread 1's messages under thread 2's name


def test_an_opportunity_opened_from_another_is_read_once_the_app_shows_it() -> None:
    driver = ScreenReplaced()
    view = OpportunityScreen(driver, PROFILE).open(2)
    assert view.available and view.name == "deal 2"
