"""Taps and typing on a web app as the browser's own input events (CDP ``Input.*``), aimed by one script.

Why: chromedriver's element click takes 100 ms whatever the page (measured
on the reference device, through Appium and directly alike: it waits on
its own after the pointer goes up), and typing 90 ms (clear 25, keys 67);
a fuzz example taps about six times and types three. The events chromedriver
sends for a click are CDP ``Input.dispatchMouseEvent`` calls; sent here
they cost about 3 ms each.

A tap does what WebDriver's Element Click does: scroll the element into
view (centred), take the in-view centre of its first box, and check that
the element (or something inside it) is what a finger there would hit;
otherwise it raises ``ElementClickInterceptedException`` naming what is
on top, as chromedriver does, or ``ElementNotInteractableException`` when
the element has no box in view. Then the pointer moves there, goes down and
comes up: trusted events the app cannot tell from a user's.

Typing focuses the field, selects what it holds and replaces it with the
text (``Input.insertText``: ``beforeinput`` and ``input`` events, as a
keyboard's suggestion strip commits a word); an empty text deletes the
selection with a Backspace key. Unlike WebDriver's keys there is no
``keydown``/``keyup`` per character: fields other than text-like inputs,
text areas and editable elements are typed into through WebDriver, and
``HARNESS_CDP_INPUT=0`` sends every tap and keystroke through WebDriver
(benchmarks/fuzz_throughput.py measures the gain).

Chromium only (a session that answers CDP); elsewhere the callers use the
element's own ``click``/``send_keys``.
"""

from __future__ import annotations

import os
from typing import Any

from harness.app.snapshot import DEREF_JS, script_arg, stale_error
from harness.device.cdp import send

#: the aim: scroll into view, the in-view centre of the first box, what is hit there. Not a read: it scrolls
AIM_JS = r"""/* harness aim */
""" + DEREF_JS + r"""const el = deref(arguments[0]);
if (el === undefined) return {error: 'stale'};
el.scrollIntoView({block: 'center', inline: 'center'});
const box = el.getClientRects()[0];
const describe = (e) => e ? e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
  (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') : 'nothing';
if (!box) return {error: 'not_interactable', detail: 'it has no box on the page'};
const left = Math.max(0, box.left), right = Math.min(window.innerWidth, box.right);
const top = Math.max(0, box.top), bottom = Math.min(window.innerHeight, box.bottom);
if (right <= left || bottom <= top) return {error: 'not_interactable', detail: 'it is not in view'};
const x = Math.floor((left + right) / 2), y = Math.floor((top + bottom) / 2);
const root = el.getRootNode && el.getRootNode().elementFromPoint ? el.getRootNode() : document;
const hit = root.elementFromPoint(x, y);
if (!hit || (hit !== el && !el.contains(hit))) {
  return {error: 'intercepted', detail: `${describe(el)} is not clickable at (${x}, ${y}): ${describe(hit)} would receive the click`};
}
return {x, y};
"""

#: focus a field and select what it holds; its current value, or null when it cannot take text this way
FOCUS_JS = r"""/* harness focus */
""" + DEREF_JS + r"""const el = deref(arguments[0]);
if (el === undefined) return {stale: true};
const TEXTLIKE = new Set(['', 'text', 'search', 'url', 'tel', 'email', 'password', 'number']);
const field = el.tagName === 'TEXTAREA' || (el.tagName === 'INPUT' && TEXTLIKE.has((el.getAttribute('type') || '').toLowerCase()));
if (!field && !el.isContentEditable) return null;
if (el.disabled || el.readOnly) return null;
el.scrollIntoView({block: 'center'});
el.focus();
if (document.activeElement !== el) return null;
if (field) { el.select(); return el.value; }
getSelection().selectAllChildren(el);
return el.textContent;
"""


def enabled() -> bool:
    return os.environ.get("HARNESS_CDP_INPUT", "1") != "0"


def usable(driver: Any) -> bool:
    """``driver`` is a Chromium WebDriver session whose CDP input has not failed (see the module docstring)."""
    if not enabled():
        return False
    known = getattr(driver, "_harness_cdp_input", None)
    if known is not None:
        return bool(known)
    from selenium.webdriver.remote.webdriver import WebDriver

    caps = getattr(driver, "capabilities", None) or {}
    ok = isinstance(driver, WebDriver) and (str(caps.get("browserName", "")).lower() in ("chrome", "chromium")
                                            or "goog:chromeOptions" in caps)
    driver._harness_cdp_input = ok
    return ok


def tap(driver: Any, el: Any) -> bool:
    """Tap ``el`` with CDP pointer events; False when this session cannot (the caller clicks through WebDriver).
    Raises as chromedriver's click does when the element cannot be tapped (see the module docstring)."""
    if not usable(driver):
        return False
    aim = driver.execute_script(AIM_JS, script_arg(el))  # a stale element raises here, as a click would
    if not isinstance(aim, dict):
        return False
    error = aim.get("error")
    if error:
        from selenium.common.exceptions import ElementClickInterceptedException, ElementNotInteractableException

        if error == "stale":
            raise stale_error(el)
        cls = ElementClickInterceptedException if error == "intercepted" else ElementNotInteractableException
        raise cls(str(aim.get("detail", error)))
    x, y = aim["x"], aim["y"]
    if not _input(driver, "Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y}):
        return False
    for kind, buttons in (("mousePressed", 1), ("mouseReleased", 0)):
        send(driver, "Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y, "button": "left",
                                                  "buttons": buttons, "clickCount": 1})
    return True


def type_text(driver: Any, el: Any, text: str) -> bool:
    """Replace what the field ``el`` holds with ``text`` (see the module docstring); False when this session or
    this field cannot (the caller clears and types through WebDriver)."""
    if not usable(driver):
        return False
    held = driver.execute_script(FOCUS_JS, script_arg(el))
    if isinstance(held, dict) and held.get("stale"):
        raise stale_error(el)
    if held is None:
        return False
    if text:
        return _input(driver, "Input.insertText", {"text": text})
    if held:
        for kind in ("rawKeyDown", "keyUp"):
            send(driver, "Input.dispatchKeyEvent", {"type": kind, "key": "Backspace", "code": "Backspace",
                                                    "windowsVirtualKeyCode": 8, "nativeVirtualKeyCode": 8})
    return True


def _input(driver: Any, method: str, params: dict[str, Any]) -> bool:
    """The first input event of an action; a session that refuses CDP is remembered (WebDriver from then on)."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    try:
        send(driver, method, params)
        return True
    except StaleElementReferenceException:
        raise
    except WebDriverException as e:
        if "unknown command" in str(e).lower() or "not supported" in str(e).lower():
            driver._harness_cdp_input = False
            return False
        raise


__all__ = ["AIM_JS", "FOCUS_JS", "enabled", "tap", "type_text", "usable"]
