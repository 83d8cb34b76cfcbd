"""A control inside a list item, tapped while a live sync redraws the list: found again, tapped once.

The elements are stand-ins with Selenium's own stale-element behaviour (an element the page replaced raises
StaleElementReferenceException when used); the second sample app's list re-renders on every replicated
change, which made an edit fail as a harness error before."""

from __future__ import annotations

from typing import Any

from selenium.common.exceptions import StaleElementReferenceException

from harness.app.base import Screen
from harness.app.profile import parse_app_profile

PROFILE = """
name: redraw
capabilities: [offline_indicator]
locators: {app_root: {css: body}, offline_banner: {css: "#b"}, edit: {css: ".edit"}}
"""


class El:
    def __init__(self, page: "Page", generation: int) -> None:
        self.page, self.generation, self.clicks = page, generation, 0

    def _live(self) -> None:
        if self.generation != self.page.generation:
            raise StaleElementReferenceException("stale element not found in the current frame")

    def find_elements(self, by: str, value: str) -> list["El"]:
        self._live()
        return [self.page.control]

    def click(self) -> None:
        self._live()
        self.clicks += 1
        self.page.clicked += 1


class Page:
    """The list redraws once, between the item being found and its control being clicked."""

    def __init__(self) -> None:
        self.generation, self.clicked, self.redraws_left = 0, 0, 1
        self.item, self.control = El(self, 0), El(self, 0)

    def find_item(self) -> El:
        item = self.item
        if self.redraws_left:
            self.redraws_left -= 1
            self.generation += 1  # the references just handed out are now stale
            self.item, self.control = El(self, self.generation), El(self, self.generation)
        return item


class Driver:
    def execute_script(self, script: str, *args: Any) -> None:
        for a in args:
            a._live()


def test_a_redraw_between_finding_and_tapping_is_found_again_and_tapped_once() -> None:
    page = Page()
    screen = Screen(Driver(), parse_app_profile(PROFILE))
    got = screen.tap_within("the item's edit control", page.find_item, "edit")
    assert page.clicked == 1 and page.control.clicks == 1 and got is page.item


class Shifting:
    """A banner appears as the tap goes down: the first click lands where the control was and opens nothing;
    the control is still there, and a second click opens the editor."""

    def __init__(self, misses: int) -> None:
        self.page = Page()
        self.page.redraws_left = 0
        self.misses, self.editor_open = misses, False

    def find_item(self) -> El:
        return self.page.item

    def editor(self) -> bool:
        if self.page.clicked > self.misses:
            self.editor_open = True
        return self.editor_open


def test_a_tap_that_opened_nothing_while_the_control_is_still_there_is_tapped_again_and_recorded() -> None:
    screen = Screen(Driver(), parse_app_profile(PROFILE))
    ui = Shifting(misses=1)
    assert screen.tap_to_open("the item's edit control", ui.find_item, "edit", "editor", ui.editor)
    assert ui.page.clicked == 2
    assert [e.data["retry"] for e in screen.timeline.events if e.name == "tap_missed"] == [1]


def test_a_control_that_never_opens_anything_is_tapped_at_most_three_times_then_times_out() -> None:
    import pytest

    from harness.app.base import MAX_RETAPS, ScreenTimeout

    profile = parse_app_profile(PROFILE + "parameters: {timeouts: {ui_s: 4}}\n")
    screen = Screen(Driver(), profile)
    ui = Shifting(misses=99)
    with pytest.raises(ScreenTimeout, match="editor not seen within 4s"):
        screen.tap_to_open("the item's edit control", ui.find_item, "edit", "editor", ui.editor)
    assert ui.page.clicked == 1 + MAX_RETAPS
