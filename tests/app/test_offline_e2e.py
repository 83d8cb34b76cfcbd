"""End to end on the reference device: offline reads, a queued note, kill while queued (R3, R6, R9, R12, R22, R27).

Real Appium + Chromium + refapp through the lab's chain; oracles are the
lab's ledger (what crossed the proxy, by marker) and refapp's admin API.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.device.base import AppState
from harness.markers import new_marker

from .conftest import Rig

pytestmark = [pytest.mark.browser, pytest.mark.processes]


def notes_reaching_backend(rig: Rig, marker: str) -> tuple[list[object], list[dict[str, object]]]:
    """(ledger requests carrying the marker that the backend answered 201, applied note mutations)."""
    crossed = [e for e in rig.lab.ledger() if marker in e.markers and e.method == "POST" and e.status == 201]  # type: ignore[attr-defined]
    snap = rig.lab.admin.snapshot()  # type: ignore[attr-defined]
    notes = [n for n in snap["notes"] if marker in str(n.get("text"))]
    return crossed, notes


def test_offline_note_round_trip(rig: Rig) -> None:
    app, dev = rig.app, rig.device
    # online: load the list and open a contact (both get cached)
    listing = app.contacts.open()
    assert len(listing.rows) == app.profile.parameters.cached_list_size
    cid = listing.rows[5].id
    online_view = app.contact.open(cid)
    assert online_view.available and online_view.name
    assert not app.shell.banner().visible

    # airplane mode: the app notices, shows the banner, the cached contact still opens
    dev.set_airplane(True)
    app.shell.wait_connectivity("offline", timeout_s=10)
    assert app.shell.banner().visible
    app.contacts.open()
    offline_view = app.contact.open(cid)
    assert offline_view.available
    assert offline_view.name == online_view.name
    assert [a.id for a in offline_view.activity] == [a.id for a in online_view.activity]

    # a contact never loaded (past the cached list) needs a connection (R12)
    far = app.contact.open("119")
    assert not far.available and any("connection" in m.lower() for m in far.unavailable)

    # add a note offline: stored locally, indicator shown, nothing crossed
    marker = new_marker()
    note = app.contact.add_note(cid, "call back about the quote", marker=marker)
    assert note.state == "pending" and note.indicator
    assert app.shell.sync_status().pending >= 1
    assert notes_reaching_backend(rig, marker) == ([], [])

    # network back: it reaches the backend exactly once and the indicator clears
    dev.set_airplane(False)
    synced = app.contact.wait_note_state(marker, "synced", timeout_s=30)
    assert not synced.indicator
    app.shell.wait_all_synced()
    assert not app.shell.banner().visible
    crossed, applied = notes_reaching_backend(rig, marker)
    assert len(applied) == 1, applied
    assert len(crossed) == 1 and crossed[0].key == note.key  # type: ignore[attr-defined]
    muts = [m for m in rig.lab.admin.mutations() if m["key"] == note.key]  # type: ignore[attr-defined]
    assert len(muts) == 1 and muts[0]["path"] == f"/api/contacts/{cid}/notes"
    kinds = [(e.kind, e.name) for e in rig.timeline.events if e.kind in ("device", "action")]
    assert ("device", "airplane_on") in kinds and ("action", "add_note") in kinds and ("device", "airplane_off") in kinds


def test_kill_while_queued_then_relaunch_offline(rig: Rig) -> None:
    app, dev = rig.app, rig.device
    cid = app.contacts.open().rows[2].id
    app.contact.open(cid)
    dev.set_airplane(True)
    app.shell.wait_connectivity("offline", timeout_s=10)
    marker = new_marker()
    note = app.contact.add_note(cid, "queued before the kill", marker=marker)
    assert note.state == "pending"

    dev.kill()
    assert dev.state is AppState.NOT_RUNNING
    dev.relaunch()  # still in airplane mode: the service worker serves the app shell
    app.shell.wait_ready()
    assert app.shell.banner().visible
    again = app.contact.open(cid)
    assert again.available
    still = app.contact.note(marker)
    assert still is not None and still.state == "pending" and still.key == note.key
    assert notes_reaching_backend(rig, marker) == ([], [])

    dev.set_airplane(False)
    app.contact.wait_note_state(marker, "synced", timeout_s=30)
    crossed, applied = notes_reaching_backend(rig, marker)
    assert len(applied) == 1 and len(crossed) == 1


#: Swallows the next click on the note's Add button before the app sees it, as a tap lands where the
#: button was a moment ago when the screen above it redraws.
SWALLOW_NEXT_CLICK = """
const button = arguments[0];
document.addEventListener('click', (e) => {
  if (e.target === button || button.contains(e.target)) { e.stopImmediatePropagation(); e.preventDefault(); }
}, {capture: true, once: true});
"""


def test_add_note_taps_again_when_the_tap_did_not_land(rig: Rig) -> None:
    app = rig.app
    cid = app.contacts.open().rows[2].id
    app.contact.open(cid)
    button = app.contact.wait_visible("note_add")
    rig.device.driver.execute_script(SWALLOW_NEXT_CLICK, button)

    marker = new_marker()
    note = app.contact.add_note(cid, "missed tap", marker=marker)

    assert marker in note.text
    missed = [e for e in rig.timeline.events if e.kind == "observation" and e.name == "tap_missed"]
    assert [e.data["retry"] for e in missed] == [1]
    app.shell.wait_all_synced()
    _, applied = notes_reaching_backend(rig, marker)
    assert len(applied) == 1, applied  # tapped twice in all, added once


def test_add_note_does_not_tap_again_when_the_app_took_it(rig: Rig) -> None:
    app = rig.app
    cid = app.contacts.open().rows[3].id
    marker = new_marker()
    app.contact.add_note(cid, "one tap", marker=marker)
    app.shell.wait_all_synced()
    assert not [e for e in rig.timeline.events if e.name == "tap_missed"]
    _, applied = notes_reaching_backend(rig, marker)
    assert len(applied) == 1, applied


#: As SWALLOW_NEXT_CLICK, but other clicks before it pass (the upload opens its panel with a tap first).
SWALLOW_NEXT_CLICK_ON_IT = """
const button = arguments[0];
const swallow = (e) => {
  if (e.target !== button && !button.contains(e.target)) return;
  e.stopImmediatePropagation(); e.preventDefault();
  document.removeEventListener('click', swallow, {capture: true});
};
document.addEventListener('click', swallow, {capture: true});
"""


def test_an_upload_taps_again_when_the_tap_did_not_land_and_uploads_once(rig: Rig, tmp_path: Path) -> None:
    # a fuzz run met an upload that never started while the app's connection flipped (the line above the
    # panels comes and goes): the Upload tap had landed where the button was a moment before
    app = rig.app
    cid = app.contacts.open().rows[4].id
    app.contact.open(cid)
    app.contact.click(app.contact.wait_visible("action_upload"))
    rig.device.driver.execute_script(SWALLOW_NEXT_CLICK_ON_IT, app.contact.wait_visible("upload_submit"))
    marker = new_marker()
    photo = tmp_path / f"photo-{marker}.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + marker.encode() * 40)

    result = app.contact.upload_photo(cid, photo, marker=marker)

    assert result.outcome in ("queued", "done"), result
    missed = [e for e in rig.timeline.events if e.kind == "observation" and e.name == "tap_missed"]
    assert [e.data["retry"] for e in missed] == [1]
    app.shell.wait_all_synced()
    files = [f for f in rig.lab.admin.snapshot()["files"] if marker in str(f.get("filename"))]  # type: ignore[attr-defined]
    assert len(files) == 1, files  # tapped twice in all, uploaded once


#: As SWALLOW_NEXT_CLICK_ON_IT, for a control the step has yet to open a screen for: the next click on an element
#: matching the selector (the document outlives the app's screens)
SWALLOW_NEXT_CLICK_ON_SELECTOR = """
const selector = arguments[0];
const swallow = (e) => {
  if (!(e.target instanceof Element) || !e.target.closest(selector)) return;
  e.stopImmediatePropagation(); e.preventDefault();
  document.removeEventListener('click', swallow, {capture: true});
};
document.addEventListener('click', swallow, {capture: true});
"""


def _retaps(rig: Rig, control: str) -> list[object]:
    return [e.data["retry"] for e in rig.timeline.events
            if e.kind == "observation" and e.name == "tap_missed" and e.data.get("control") == control]


def test_a_save_of_an_opportunity_taps_again_when_the_tap_did_not_land_and_saves_once(rig: Rig) -> None:
    # online the save showed nothing the step waited for: a tap that missed was recorded as a save done, and
    # the edit never reached the server (a lost write the app never lost)
    app = rig.app
    rig.device.driver.execute_script(SWALLOW_NEXT_CLICK_ON_SELECTOR, "[data-testid=opportunity-save]")
    marker = new_marker()
    view = app.opportunity.edit(1, stage="won", marker=marker)
    assert _retaps(rig, "opportunity_save") == [1]
    app.shell.wait_all_synced()
    saved = [o for o in rig.lab.admin.snapshot()["opportunities"] if marker in str(o.get("name"))]  # type: ignore[attr-defined]
    assert len(saved) == 1 and saved[0]["stage"] == "won", (saved, view)


def test_a_search_taps_again_when_the_tap_did_not_land(rig: Rig) -> None:
    app = rig.app
    rig.device.driver.execute_script(SWALLOW_NEXT_CLICK_ON_SELECTOR, "[data-testid=search-submit]")
    view = app.search.search("a")
    assert _retaps(rig, "search_submit") == [1]
    assert view.results and not view.on_device, view


def test_loading_earlier_messages_taps_again_when_the_tap_did_not_land(rig: Rig) -> None:
    app = rig.app
    latest = app.conversations.open_thread(1)
    assert latest.can_load_earlier, latest  # the seeded thread has an earlier page
    rig.device.driver.execute_script(SWALLOW_NEXT_CLICK_ON_SELECTOR, "[data-testid=load-earlier]")
    view = app.conversations.open_thread(1, earlier_pages=1)
    assert _retaps(rig, "load_earlier") == [1]
    assert len(view.messages) > len(latest.messages), (len(view.messages), len(latest.messages))


def test_an_sms_sent_online_is_recorded_once_the_app_took_it_and_survives_a_kill_right_after(rig: Rig) -> None:
    # the action is recorded as done once the app took the message (it empties the text field), not at the tap:
    # killed at once after that, the app's persisted outbox still sends it (R22, R27)
    app, dev = rig.app, rig.device
    cid = app.contacts.open().rows[4].id
    marker = new_marker()
    res = app.messaging.send_sms(cid, "Running late", marker=marker)
    assert res.outcome == "done", res
    taken = [e for e in rig.timeline.events if e.kind == "action" and e.name == "send_sms"]
    assert len(taken) == 1 and taken[0].data.get("outcome") == "done"
    dev.kill()
    dev.relaunch()
    app.shell.wait_ready()
    app.shell.wait_all_synced()
    sent = [m for m in rig.lab.admin.snapshot()["messages"] if marker in str(m.get("body"))]  # type: ignore[attr-defined]
    assert len(sent) == 1, sent


def test_a_second_call_that_ends_as_the_first_did_is_not_taken_for_a_hang(rig: Rig) -> None:
    app = rig.app
    cid = app.contacts.open().rows[1].id
    first = app.messaging.call(cid)
    second = app.messaging.call(cid)  # the status reads 'Call connected ...' before and after the tap
    assert first.outcome == second.outcome == "done", (first, second)


def test_a_call_begun_as_the_link_silently_drops_is_never_reported_hung_by_the_bug_free_app(rig: Rig) -> None:
    # the link dies with no OS signal right after the call panel opened: the app either refuses the tap (it noticed
    # first) or starts the call and then closes the panel saying calls need a connection; neither is a hang (the
    # panel's status reads empty once hidden, which the page object once waited on until hang_s)
    from harness.net.conditions import make_condition

    app = rig.app
    cid = app.contacts.open().rows[3].id
    finish = app.messaging.begin_call(cid)
    handle = rig.lab.net.apply(make_condition("down"))  # type: ignore[attr-defined]
    try:
        res = finish()
    finally:
        rig.lab.net.clear(handle)  # type: ignore[attr-defined]
    assert res.outcome in ("disabled", "unavailable"), res
