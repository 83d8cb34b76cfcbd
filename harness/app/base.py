"""The base of every page object: locators from the app profile, bounded waits, timeline records.

Every wait is explicit and bounded (the profile's ``timeouts``): a screen
that never shows what we wait for ends the wait with a
:class:`ScreenTimeout` naming the locator, never a hang, and no fixed sleep
stands in for a wait. Page objects return observations (values) and record
``action`` and ``observation`` events on the timeline.
"""

from __future__ import annotations

import functools
import time
from typing import Any, Callable, TypeVar

from harness.app import changes, pointer, snapshot
from harness.app.profile import AppProfile, Locator
from harness.errors import LabError
from harness.timeline import Timeline

T = TypeVar("T")

#: How long a submission may show no effect before the harness looks at whether the app took it at all.
RETAP_AFTER_S = 1.5
#: At most this many extra taps on a control whose tap plainly did not land.
MAX_RETAPS = 2


class ScreenTimeout(LabError):
    """The app did not show what a page object waited for within the bound."""


def _stale(e: BaseException) -> bool:
    return type(e).__name__ in ("StaleElementReferenceException", "NoSuchElementException")


F = TypeVar("F", bound=Callable[..., Any])


def screen_read(fn: F) -> F:
    """Decorate a method that reads several elements of a screen: when the app redraws in the middle
    (a stale element), read the whole screen again, within the profile's ``ui_s`` bound."""

    @functools.wraps(fn)
    def wrapper(self: "Screen", *args: Any, **kwargs: Any) -> Any:
        deadline = time.monotonic() + self.t.ui_s
        # one round trip for the whole read, of the locators its earlier calls asked for
        probes = snapshot.probes_for(self.profile, fn.__qualname__)
        while True:
            try:
                with snapshot.reading(self.driver, self.profile, probes=probes):
                    return fn(self, *args, **kwargs)
            except Exception as e:
                if not _stale(e) or time.monotonic() >= deadline:
                    raise
                snapshot.refresh(self.driver)  # what the read fetched is gone too
                time.sleep(0.05)  # let the redraw finish before reading again

    return wrapper  # type: ignore[return-value]


#: the harness's in-page navigation (a hash change: no document load to wait for)
SET_HASH_JS = "/* harness hash */ window.location.hash = arguments[0];"
HASH_JS = "/* harness hash */ return window.location.hash;"


class Screen:
    """Shared helpers; one subclass per screen family."""

    def __init__(self, driver: Any, profile: AppProfile, *, timeline: Timeline | None = None,
                 offline_belief: Callable[[], bool] | None = None) -> None:
        self.driver = driver
        self.profile = profile
        self.timeline = timeline if timeline is not None else Timeline()
        self.offline_belief = offline_belief
        self.t = profile.parameters.timeouts

    # --- finding ----------------------------------------------------------------
    def loc(self, name: str) -> Locator:
        return self.profile.locator(name)

    def has(self, name: str) -> bool:
        """The profile gives this locator (the app has the capability behind it)."""
        return name in self.profile.locators

    def attr_name(self, name: str) -> str:
        return self.profile.attr(name)

    def find_all(self, name: str | Locator, within: Any = None) -> list[Any]:
        loc = self.loc(name) if isinstance(name, str) else name
        found = snapshot.lookup(self.driver, loc, within)  # inside a read: from its snapshot (harness.app.snapshot)
        if found is not None:
            return found
        return list((within or self.driver).find_elements(loc.by, loc.value))

    def first(self, name: str | Locator, within: Any = None) -> Any | None:
        els = self.find_all(name, within)
        return els[0] if els else None

    def visible(self, name: str | Locator) -> list[Any]:
        out = []
        for e in self.find_all(name):
            try:
                if e.is_displayed():
                    out.append(e)
            except Exception as ex:
                if not _stale(ex):
                    raise
        return out

    def get(self, el: Any, attr: str) -> str:
        """An element's attribute by its profile name (``sync_state``...)."""
        return str(el.get_attribute(self.attr_name(attr)) or "")

    @screen_read
    def subject(self, root: str, attr: str) -> str | None:
        """The record a screen shows: attribute ``attr`` of its root element ``root`` (None when it is not shown).
        From another record's screen the old one answers until the app has mounted the new one."""
        el = self.first(root)
        return self.get(el, attr) if el is not None else None

    def text(self, el: Any) -> str:
        return str(el.text or "").strip()

    # --- waiting ------------------------------------------------------------------
    def wait(self, what: str, probe: Callable[[], T | None], timeout_s: float | None = None, poll_s: float = 0.05) -> T:
        """Poll ``probe`` until it returns something truthy, at most ``timeout_s`` (default ui_s, plus the
        allowance for a link the harness slowed, when the harness's network belief gives one)."""
        limit = self._ui_limit(timeout_s)
        deadline = time.monotonic() + limit
        last: BaseException | None = None
        probes = snapshot.Probes()  # the looks after the first fetch what the earlier ones looked up
        while True:
            try:
                # each look at the screen: one round trip
                with snapshot.reading(self.driver, self.profile, fresh=True, probes=probes):
                    v = probe()
                if v:
                    return v
            except Exception as e:
                if not _stale(e):
                    raise
                last = e
            if time.monotonic() >= deadline:
                raise ScreenTimeout(f"app {self.profile.name}: {what} not seen within {limit:g}s"
                                    + (f" (last error: {last})" if last else ""))
            # until the page changes, at most the poll interval (harness.app.changes)
            changes.pause(self.driver, poll_s, web=self.profile.platform == "web")

    def wait_visible(self, name: str, timeout_s: float | None = None) -> Any:
        return self.wait(f"{name} ({self.loc(name).value})", lambda: (self.visible(name) or [None])[0], timeout_s)

    def _ui_limit(self, timeout_s: float | None = None) -> float:
        """``timeout_s``, else ui_s plus the allowance for a link the harness slowed (from its network belief)."""
        if timeout_s is not None:
            return timeout_s
        allowance = getattr(self.offline_belief, "ui_allowance_s", None)
        return self.t.ui_s + (allowance() if callable(allowance) else 0.0)

    def poll(self, probe: Callable[[], T | None], timeout_s: float) -> T | None:
        """Like :meth:`wait` but returns None at the deadline instead of raising."""
        try:
            return self.wait("condition", probe, timeout_s)
        except ScreenTimeout:
            return None

    # --- acting -----------------------------------------------------------------
    def click(self, el: Any) -> None:
        if self.profile.platform == "web":
            if pointer.tap(self.driver, el):  # the browser's own pointer events, aimed by one script
                return
            self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
        el.click()

    def tap_within(self, what: str, container: Callable[[], Any], control: str | Locator) -> Any:
        """Click ``control`` inside the element ``container()`` finds, finding both again when the app redraws in
        between (a list re-rendered by a live sync makes the first references stale); returns the container."""

        def attempt() -> Any:
            el = container()
            target = self.first(control, el) if el is not None else None
            if target is None:
                return None
            self.click(target)  # a stale reference raises before the click is sent: the wait finds both again
            return el

        return self.wait(what, attempt)

    def tap_to_open(self, what: str, container: Callable[[], Any], control: str | Locator, opened_what: str,
                    opened: Callable[[], T | None]) -> T:
        """Tap ``control`` inside ``container()`` (:meth:`tap_within`) and wait (``ui_s``) for what it opens.

        The tap that opens something (an item's editor) can land where the control was a moment ago, as
        :meth:`submit` explains (a connection banner appearing as the network breaks moves the list down):
        when nothing opened after :data:`RETAP_AFTER_S` and the control is still there to tap, a person taps
        again; so does this, at most :data:`MAX_RETAPS` times, each recorded (``tap_missed``)."""
        return self._tap_until(self._ui_limit(), lambda _left: self.tap_within(what, container, control), control,
                               opened_what, opened, lambda: bool(self.poll(lambda: self._shows(container, control),
                                                                           0.05)))

    def _tap_until(self, limit: float, tap: Callable[[float | None], Any], control: str | Locator, what: str,
                   result: Callable[[], T | None], not_taken: Callable[[], bool]) -> T:
        """Tap, then wait up to ``limit`` for ``result``; when it has not come after :data:`RETAP_AFTER_S` and
        ``not_taken()`` says the app plainly ignored the tap, tap again (at most :data:`MAX_RETAPS` times, each
        recorded as ``tap_missed``). ``tap`` is given None for the first tap, the time left for a re-tap."""
        deadline = time.monotonic() + limit
        tap(None)
        retaps = 0
        while True:
            found = self.poll(result, max(0.05, min(RETAP_AFTER_S, deadline - time.monotonic())))
            if found:
                return found
            if time.monotonic() >= deadline:
                raise ScreenTimeout(f"app {self.profile.name}: {what} not seen within {limit:g}s")
            if retaps < MAX_RETAPS and not_taken():
                retaps += 1
                self.record_observation("tap_missed", control=control if isinstance(control, str) else control.value,
                                        retry=retaps)
                tap(max(0.05, deadline - time.monotonic()))

    def _shows(self, container: Callable[[], Any], control: str | Locator) -> bool:
        """``container()`` is on screen with ``control`` in it (the app has not acted on a tap there)."""
        el = container()
        return el is not None and self.first(control, el) is not None

    def tap(self, name: str | Locator, timeout_s: float | None = None) -> None:
        """Find the visible, enabled element ``name`` and click it, as a user taps a control once it can be
        tapped; if the app redraws it in between (a stale reference), find it again, within the same
        bounded wait."""

        def attempt() -> bool:
            els = self.visible(name)
            if not els or not self.enabled(els[0]):
                return False
            self.click(els[0])  # a stale element raises here and the wait tries again
            return True

        what = name.value if isinstance(name, Locator) else f"{name} ({self.loc(name).value})"
        self.wait(f"{what} clickable", attempt, timeout_s)

    def submit(self, button: str | Locator, field: Any, text: str, what: str, result: Callable[[], T | None],
               timeout_s: float | None = None) -> T:
        """Tap ``button`` to submit ``text`` typed into ``field``, then wait (bounded) for ``result``.

        Why not a plain tap: a tap can land where the control was a moment ago. While the network
        flaps, a sync that lands (a list item losing its "waiting" line) or a connection banner
        redraws the screen above the control between WebDriver finding it and the pointer going
        down, and the tap hits nothing; a person sees nothing happen and taps again. This does the
        same, but only when the app plainly never took the submission: no result yet, the field
        still holds exactly the typed text and the control is enabled (an app that took it clears
        the field or disables the control while it works). Each extra tap is recorded on the
        timeline (``tap_missed``) so a report reader sees it."""
        return self.tap_for(button, what, result, lambda: self._holds(field, text), timeout_s)

    def tap_for(self, control: str | Locator, what: str, result: Callable[[], T | None],
                unchanged: Callable[[], bool], timeout_s: float | None = None) -> T:
        """Tap ``control``, then wait (bounded) for ``result``; tap again, as :meth:`submit` does, only while the
        app plainly never took the tap: ``unchanged()`` (nothing the tap starts shows) and the control still
        visible and enabled (an app at work on it disables or removes it). For a control without a typed field
        (a button that loads more, a form's save)."""
        limit = self.t.ui_s if timeout_s is None else timeout_s
        return self._tap_until(limit, lambda left: self.tap(control, timeout_s if left is None else left), control,
                               what, result, lambda: self._not_taken(control, unchanged))

    def _not_taken(self, control: str | Locator, unchanged: Callable[[], bool]) -> bool:
        """The app shows no sign of having taken a tap on ``control``: it is visible and enabled, and
        ``unchanged()``."""
        try:
            shown = self.visible(control)
            return bool(shown) and self.enabled(shown[0]) and unchanged()
        except Exception as e:
            if _stale(e):
                return False  # the screen was redrawn: the app did something, so do not tap again
            raise

    def _holds(self, field: Any, text: str) -> bool:
        """``field`` still holds exactly ``text`` (an app that took a submission clears it)."""
        value = field.get_property("value") if self.profile.platform == "web" else field.text
        return str(value or "").strip() == text.strip()

    def type_into(self, el: Any, text: str) -> None:
        if self.profile.platform == "web" and pointer.type_text(self.driver, el, text):
            return
        el.clear()
        el.send_keys(text)

    def enabled(self, el: Any) -> bool:
        return bool(el.is_enabled())

    # --- app-wide state -------------------------------------------------------------
    @screen_read
    def connectivity(self) -> str:
        if "connectivity" not in self.profile.attributes:
            return ""
        root = self.first("app_root")
        return self.get(root, "connectivity") if root is not None else ""

    def offline_now(self) -> bool:
        if self.offline_belief is not None:
            return self.offline_belief()
        return self.connectivity() == "offline"

    @screen_read
    def unavailable_messages(self) -> list[str]:
        return [self.text(e) for e in self.visible("unavailable_message")] if self.has("unavailable_message") else []

    @screen_read
    def error_page(self) -> bool:
        return bool(self.visible("error_page")) if self.has("error_page") else False

    @screen_read
    def pending_count(self) -> int:
        if not self.has("sync_status") or "pending" not in self.profile.attributes:
            return 0
        el = self.first("sync_status")
        try:
            return int(self.get(el, "pending")) if el is not None else 0
        except ValueError:
            return 0

    def go(self, route: str, root: str, **kw: Any) -> Any:
        """Open a screen by its route (web deep link) and wait for its root element."""
        r = self.profile.route(route, **kw)
        if r is None:
            raise LabError(f"app {self.profile.name}: no route {route!r}; navigate by taps on this platform")
        self.set_hash(r)
        return self.wait_visible(root)

    def set_hash(self, route: str) -> None:
        """Go to an in-page route (``#/...``): one of the harness's own scripts (the device may send it to the
        page without chromedriver, harness/device/devtools_route.py)."""
        self.driver.execute_script(SET_HASH_JS, route)

    def current_hash(self) -> str:
        return str(self.driver.execute_script(HASH_JS) or "")

    # --- recording ------------------------------------------------------------------
    def record_action(self, name: str, /, **data: Any) -> None:
        data.setdefault("offline", self.offline_now())
        self.timeline.append("action", name, layer="app", data=data)

    def record_observation(self, name: str, /, **data: Any) -> None:
        self.timeline.append("observation", name, layer="app", data=data)


__all__ = ["Screen", "ScreenTimeout"]
