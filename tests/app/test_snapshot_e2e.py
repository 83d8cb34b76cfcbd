"""Screen reads by snapshot on the reference device: one round trip, the same answers as element-by-element reads.

Real Appium + Chromium + refapp through the lab's chain. Every value a page
object reads (text, attributes, displayed, enabled, a field's value, lookups
inside an element) is compared with what the driver says element by
element, on the app's own screens and on elements made to sit on the edges
of "displayed" (hidden, invisible, transparent, empty, disabled by their
fieldset, text with non-breaking spaces, blank lines, preformatted).
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.app import snapshot
from harness.app.base import Screen
from harness.app.profile import Locator

from .conftest import Rig

pytestmark = [pytest.mark.browser, pytest.mark.processes]

EDGES = """
const box = document.createElement('div');
box.id = 'hx-edges';
box.innerHTML = `
  <p data-t="edge" data-k="plain">  Plain&nbsp;text   with   spaces </p>
  <p data-t="edge" data-k="hidden" hidden>hidden text</p>
  <p data-t="edge" data-k="invisible" style="visibility:hidden">invisible</p>
  <div style="opacity:0"><p data-t="edge" data-k="transparent">transparent</p></div>
  <div data-t="edge" data-k="empty"></div>
  <div data-t="edge" data-k="lines">first<br><br>second<div>third</div></div>
  <fieldset disabled><input data-t="edge" data-k="in-fieldset" value="typed"></fieldset>
  <button data-t="edge" data-k="button" aria-disabled="true">Go</button>
  <textarea data-t="edge" data-k="area">a note</textarea>
  <p data-t="edge" data-k="pre-line" style="white-space:pre-wrap">one line</p>
  <p data-t="edge" data-k="pre-lines" style="white-space:pre-wrap">two
    lines </p>
  <li data-t="edge" data-k="message"><strong>Re: the  quote</strong><div style="white-space:pre-wrap">See you at 3</div><div>12 Mar, 10:04</div></li>
  <li data-t="edge" data-k="message-lines"><div style="white-space:pre-wrap">two
    lines</div><div>12 Mar</div></li>
  <li data-t="edge" data-k="activity"><span style="display:inline-block;text-transform:capitalize">call</span> <span>Called o'neil about the e-mail</span><div style="white-space:nowrap">3rd May</div></li>
  <div data-t="edge" data-k="flex" style="display:flex;gap:4px"><span>left</span><b>middle</b> <i>right</i></div>
  <div data-t="edge" data-k="nested"><div><div>deep</div><div></div></div>after<span> tail </span><div>&nbsp;last&nbsp;line</div></div>
  <div data-t="edge" data-k="block-in-inline"><span>out <div>in</div> out</span></div>
  <div data-t="edge" data-k="paragraphs"><p>one</p><p>two</p></div>
  <div data-t="edge" data-k="list"><ul><li>a</li><li>b</li></ul></div>
  <div data-t="edge" data-k="hidden-part"><div>shown</div><div hidden>not shown</div></div>
  <div style="max-height:0;overflow:hidden"><p data-t="edge" data-k="collapsed">in a collapsed panel</p></div>
  <div style="width:60px;overflow:hidden;white-space:nowrap"><span style="display:inline-block;margin-left:90px" data-t="edge" data-k="clipped-right">off to the right</span></div>
  <div style="height:20px;overflow:auto"><div style="height:40px"></div><p data-t="edge" data-k="scrolled-away">below a scroller's fold</p></div>
  <div style="position:relative;height:60px"><div style="height:10px;overflow:hidden"><span style="position:absolute;top:30px" data-t="edge" data-k="escapes">escapes the clip</span></div></div>
  <div style="height:10px;overflow:hidden"><p style="margin:0;line-height:20px" data-t="edge" data-k="half">half shown</p></div>
  <div style="height:0;overflow:hidden" data-t="edge" data-k="zero-clipping">clipped to nothing</div>
  <div style="height:0" data-t="edge" data-k="zero-spilling">spills out of nothing</div>
  <div style="height:0;overflow:hidden"><div data-t="edge" data-k="child-shown-by-a-scroller" style="height:10px"><div style="position:absolute">out</div></div></div>
  <button data-t="edge" data-k="changer" onclick="this.setAttribute('data-state', 'clicked'); this.textContent = 'Clicked'">Click me</button>`;
document.body.appendChild(box);
document.body.style.overflow = 'auto';  // the app's body clips what is below the screen: WebDriver would call the lower edges hidden
"""
EDGE = Locator(css="[data-t=edge]")


class Counting:
    """Counts the commands a driver is sent (wrapping its ``execute`` on the instance, as the guard does)."""

    def __init__(self, driver: Any) -> None:
        self.n = 0
        inner = driver.execute

        def execute(command: str, params: Any = None) -> Any:
            self.n += 1
            return inner(command, params)

        driver.execute = execute


def _values(screen: Screen, loc: Locator | str) -> list[tuple[Any, ...]]:
    out = []
    for el in screen.find_all(loc):
        inner = [screen.text(c) for c in screen.find_all("note_text", el)] if screen.has("note_text") else []
        out.append((screen.text(el), el.is_displayed(), el.is_enabled(), el.get_attribute("data-k"),
                    el.get_attribute("data-testid"), el.get_attribute("aria-disabled"), inner))
    return out


def test_a_read_is_one_round_trip_with_the_same_answers_as_element_reads(rig: Rig) -> None:
    app, dev = rig.app, rig.device
    app.contact.open(3)
    dev.driver.execute_script(EDGES)
    screen = Screen(dev.driver, app.profile, timeline=rig.timeline)
    declared = [name for name in app.profile.locators if app.profile.locators[name].css]

    counter = Counting(dev.driver)
    live = {name: _values(screen, name) for name in declared}
    live_edges = _values(screen, EDGE)
    fields = [(el.get_property("value")) for el in screen.find_all(EDGE) if el.tag_name in ("input", "textarea")]
    live_trips, counter.n = counter.n, 0
    assert any(live.values()) and len(live_edges) == 29

    with snapshot.reading(dev.driver, app.profile):
        first = screen.find_all("contact_name")
        assert counter.n == 1, "the first lookup fetches every declared locator's elements"
        assert screen.text(first[0]) and first[0].is_displayed() and counter.n == 1
        snap = {name: _values(screen, name) for name in declared}
        snap_edges = _values(screen, EDGE)
        served = {el.get_dom_attribute("data-k") for el in screen.find_all(EDGE)
                  if el._mine() is not None and el._mine().text is not None}
        snap_fields = [el.get_property("value") for el in screen.find_all(EDGE)
                       if el.get_dom_attribute("data-k") in ("in-fieldset", "area")]
    assert snap == live
    assert snap_edges == live_edges, list(zip(snap_edges, live_edges))
    assert snap_fields == fields == ["typed", "a note"]
    # texts of several lines served from the snapshot where innerText is WebDriver's text, the rest read live
    assert {"plain", "message", "activity", "flex", "nested", "block-in-inline"} <= served, served
    assert not {"lines", "message-lines", "paragraphs", "list", "hidden-part", "pre-lines"} & served, served
    shown = {k for (_, d, _, k, *_) in live_edges if d}
    assert {"scrolled-away", "escapes", "half", "zero-spilling"} <= shown and \
        not {"collapsed", "clipped-right", "zero-clipping"} & shown, shown  # the overflow edges are what they say

    # the app's own body clips what is below the screen (as the viewport does): the lower edges are hidden
    dev.driver.execute_script("document.body.style.overflow = ''; document.body.scrollTop = 0")
    live_shown = [el.is_displayed() for el in screen.find_all(EDGE)]
    with snapshot.reading(dev.driver, app.profile):
        snap_shown = [el.is_displayed() for el in screen.find_all(EDGE)]
    assert snap_shown == live_shown and True in live_shown and False in live_shown[-10:], live_shown
    # what is still read live: the locator the profile does not declare (once) and the texts that are more than
    # one line of inline text (containers, buttons with icons, the edges' blocks)
    assert counter.n < live_trips / 5, (counter.n, live_trips)


def test_an_action_ends_the_read_and_a_kept_element_reads_live(rig: Rig) -> None:
    app, dev = rig.app, rig.device
    app.contact.open(3)
    dev.driver.execute_script(EDGES)
    screen = Screen(dev.driver, app.profile, timeline=rig.timeline)
    changer = Locator(css="[data-k=changer]")
    with snapshot.reading(dev.driver, app.profile):
        [button] = screen.find_all(changer)
        assert screen.text(button) == "Click me" and button.get_attribute("data-state") is None
        screen.click(button)  # a command that can change the screen: the snapshot ends
        [again] = screen.find_all(changer)
        assert screen.text(again) == "Clicked" and again.get_attribute("data-state") == "clicked"
    dev.driver.execute_script("document.querySelector('[data-k=changer]').textContent = 'Changed later'")
    assert screen.text(again) == "Changed later", "an element kept after its read reads the screen as it is now"


def test_a_selector_the_page_cannot_evaluate_fails_as_the_driver_does(rig: Rig) -> None:
    from selenium.common.exceptions import InvalidSelectorException

    screen = Screen(rig.device.driver, rig.app.profile, timeline=rig.timeline)
    with snapshot.reading(rig.device.driver, rig.app.profile), pytest.raises(InvalidSelectorException):
        screen.find_all(Locator(css="p:no-such-pseudo-class"))


def test_a_read_hands_out_references_and_asks_for_a_handle_only_when_a_command_needs_one(rig: Rig) -> None:
    from selenium.common.exceptions import StaleElementReferenceException

    app, dev = rig.app, rig.device
    app.contact.open(3)
    dev.driver.execute_script(EDGES)
    screen = Screen(dev.driver, app.profile, timeline=rig.timeline)
    changer, plain = Locator(css="[data-k=changer]"), Locator(css="[data-k=plain]")
    with snapshot.reading(dev.driver, app.profile):  # the two locators the profile does not declare, learnt
        screen.find_all(changer), screen.find_all(plain)
    counter = Counting(dev.driver)
    with snapshot.reading(dev.driver, app.profile):
        [button] = screen.find_all(changer)
        assert screen.text(button) == "Click me" and counter.n == 1
        screen.click(button)  # aimed through its reference: the aim and the pointer's three events
        assert counter.n == 5 and button._handle is None
    with snapshot.reading(dev.driver, app.profile):
        [again] = screen.find_all(changer)
        [other] = screen.find_all(plain)
    assert again == button and hash(again) == hash(button) and again != other, "the same element of the same page"
    # the read has ended: the element is read as it is now, one round trip by its reference, still no handle
    n = counter.n
    assert again.get_attribute("data-state") == "clicked" and counter.n == n + 1
    assert screen.text(again) == "Clicked" and again.is_enabled() and counter.n == n + 3 and again._handle is None
    # a command on the element itself asks for its handle, once: the driver's own id for that element
    assert again == dev.driver.find_element("css selector", "[data-k=changer]") and again._handle is not None
    n = counter.n
    assert again.tag_name == "button" and counter.n == n + 1
    # gone from the document, or the document replaced: stale, as the driver says of a handle
    dev.driver.execute_script("document.querySelector('[data-k=changer]').remove()")
    with pytest.raises(StaleElementReferenceException):
        screen.click(button)
    with pytest.raises(StaleElementReferenceException):
        _ = button.text
    dev.driver.refresh()
    with pytest.raises(StaleElementReferenceException):
        _ = other.text


class SnapshotFetches(list):
    """How many locators each snapshot script the driver is sent fetches (a wrapper on the instance's ``execute``)."""

    def __init__(self, driver: Any) -> None:
        super().__init__()
        inner = driver.execute

        def execute(command: str, params: Any = None) -> Any:
            if isinstance(params, dict) and params.get("script") == snapshot.SNAPSHOT_JS and params["args"][0]:
                self.append(len(params["args"][0]))
            return inner(command, params)

        driver.execute = execute


def test_a_waits_later_looks_fetch_only_what_its_looks_asked_for(rig: Rig) -> None:
    app, dev = rig.app, rig.device
    app.contact.open(1)
    screen = Screen(dev.driver, app.profile, timeline=rig.timeline)
    live = (screen.text(screen.first("contact_name")),
            [[screen.text(t) for t in screen.find_all("note_text", n)] for n in screen.find_all("note_item")])
    assert live[0] and live[1] and all(live[1])
    fetches = SnapshotFetches(dev.driver)
    looks = 0

    def probe() -> tuple[str, list[list[str]]] | None:
        nonlocal looks
        looks += 1
        name = screen.text(screen.first("contact_name"))
        if looks < 3:
            return None
        # from the third look on it asks for two locators more (one of them inside an element): fetched again, with
        # them, in that look, and by every look after it
        notes = [[screen.text(t) for t in screen.find_all("note_text", n)] for n in screen.find_all("note_item")]
        return (name, notes) if looks == 4 else None

    assert screen.wait("the name, then the notes", probe, timeout_s=5) == live
    declared = len(snapshot.declared_locators(app.profile))
    assert fetches[0] >= declared and fetches[1:] == [1, 1, 2, 3, 3], fetches


def test_a_page_objects_read_fetches_what_its_earlier_calls_asked_for(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    app, dev = rig.app, rig.device
    view = app.contact.open(1)
    assert view.notes, "contact 1 has notes"
    monkeypatch.setenv("HARNESS_SNAPSHOT_READS", "0")
    live = app.contact.notes()  # element by element, from the driver
    monkeypatch.delenv("HARNESS_SNAPSHOT_READS")
    snapshot.probes_for(app.profile, "ContactScreen.notes").looked = None  # as if never called
    fetches = SnapshotFetches(dev.driver)
    first, second = app.contact.notes(), app.contact.notes()
    asked = snapshot.probes_for(app.profile, "ContactScreen.notes").specs()
    assert first == second == live
    assert asked and len(asked) <= 4 and fetches == [fetches[0], len(asked)] and \
        fetches[0] >= len(snapshot.declared_locators(app.profile)), (fetches, asked)
