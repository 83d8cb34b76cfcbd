"""SMS, email (R10) and calls (R11, R26) from a contact: sent, queued, disabled, or hung.

Outcomes: ``disabled`` when the app greys the control out (with its
message), ``queued`` when the app took it while offline (its pending count
grew), ``done`` when it went through, ``unavailable`` when it said it needs
a connection, ``hung`` when a call still spins after the profile's
``hang_s`` (R26: never hang).
"""

from __future__ import annotations

from typing import Any, Callable

from harness.app.base import Screen
from harness.apps.refapp.pages.contact import ContactScreen
from harness.app.observations import ActionResult


class Messaging(Screen):
    """The SMS, email and call panels of a contact."""

    def _contact(self, cid: str) -> ContactScreen:
        c = ContactScreen(self.driver, self.profile, timeline=self.timeline, offline_belief=self.offline_belief)
        if c.current_id() != cid:
            c.open(cid)
        return c

    def _finish(self, action: str, cid: str, marker: str | None, before: int, send: str, field: str,
                text: str) -> ActionResult:
        """Tap ``send`` and wait until the app took the message (it empties ``field``), then record the outcome:
        recorded ``done`` at the tap, a kill half a second later was judged a lost message the app had not
        even taken yet."""
        el = self.first(field)
        self.submit(send, el, text, f"{action} taken (its {field} emptied)",
                    lambda: self._emptied(field))
        offline = self.connectivity() == "offline"
        if offline:
            grew = self.poll(lambda: self.pending_count() > before, self.t.ui_s)
            outcome = "queued" if grew else "error"
        else:
            outcome = "done"
        res = ActionResult(action, outcome, "; ".join(self.unavailable_messages()), marker)
        self.record_action(action, marker=marker, contact_id=cid, outcome=outcome, message=res.message)
        return res

    def _emptied(self, field: str) -> bool:
        el = self.first(field)
        return el is not None and not str(el.get_property("value") or "").strip()

    def _disabled(self, action: str, cid: str, marker: str | None) -> ActionResult:
        msg = "; ".join(self.unavailable_messages())
        self.record_action(action, marker=marker, contact_id=cid, outcome="disabled", message=msg)
        return ActionResult(action, "disabled", msg, marker)

    def send_sms(self, contact_id: str | int, body: str, *, marker: str | None = None) -> ActionResult:
        return self.begin_sms(contact_id, body, marker=marker)()

    def begin_sms(self, contact_id: str | int, body: str, *, marker: str | None = None) -> Callable[[], ActionResult]:
        """Open the SMS panel and type the text; the returned function taps Send and records the outcome."""
        cid = str(contact_id)
        self._contact(cid)
        btn = self.wait_visible("action_sms")
        if not self.enabled(btn):
            return lambda: self._disabled("send_sms", cid, marker)
        self.click(btn)
        text = f"{body} {marker}" if marker else body
        self.type_into(self.wait_visible("sms_body"), text)

        def finish() -> ActionResult:
            if self._usable("sms_send") is None:
                return self._disabled("send_sms", cid, marker)
            return self._finish("send_sms", cid, marker, self.pending_count(), "sms_send", "sms_body", text)

        return finish

    def send_email(self, contact_id: str | int, subject: str, body: str, *, marker: str | None = None) -> ActionResult:
        cid = str(contact_id)
        self._contact(cid)
        btn = self.wait_visible("action_email")
        if not self.enabled(btn):
            return self._disabled("send_email", cid, marker)
        self.click(btn)
        text = f"{subject} {marker}" if marker else subject
        self.type_into(self.wait_visible("email_subject"), text)
        self.type_into(self.wait_visible("email_body"), body)
        send = self.wait_visible("email_send")
        if not self.enabled(send):
            return self._disabled("send_email", cid, marker)
        return self._finish("send_email", cid, marker, self.pending_count(), "email_send", "email_subject", text)

    def call(self, contact_id: str | int) -> ActionResult:
        """Start a call; ``hung`` if it still spins after ``hang_s``."""
        return self.begin_call(contact_id)()

    def begin_call(self, contact_id: str | int) -> Callable[[], ActionResult]:
        """Open the call panel; the returned function taps "Start call" and records how the call ended."""
        cid = str(contact_id)
        self._contact(cid)
        btn = self.wait_visible("action_call")
        if not self.enabled(btn):
            return lambda: self._disabled("call", cid, None)
        self.click(btn)
        self.wait_visible("call_start")

        def finish() -> ActionResult:
            start = self._usable("call_start")
            if start is None:
                return self._disabled("call", cid, None)
            status = self.first("call_status")
            initial = self.text(status)
            watching = self._watch_changes(status)
            try:
                self.click(start)
            except Exception as e:  # the app hid the panel as the tap went down (it noticed it is offline)
                if type(e).__name__ not in ("ElementNotInteractableException", "StaleElementReferenceException"):
                    raise
                return self._disabled("call", cid, None)
            changed = False

            def settled() -> str | None:
                # the call's status changes at the tap ('Calling…') and settles on its result, which may read
                # like the last call's ('Call connected' twice). A status that never changed while the control
                # went disabled or hidden is the app refusing the call: it noticed it is offline between the
                # check above and the tap (a silent link drop is noticed late), which is not a hang
                nonlocal changed
                el = self.first("call_status")
                changed = changed or (watching and el is not None and el.get_attribute(CHANGED_ATTR) == "1")
                if el is None or not el.is_displayed():  # the app closed the call panel: it went offline
                    return HIDDEN if changed else REFUSED
                t = self.text(el)
                spinning = t.endswith("…") or t.endswith("...")
                changed = changed or t != initial
                if changed and not spinning:
                    return t
                if not changed and self._usable("call_start") is None:
                    return REFUSED
                return None

            final = self.poll(settled, self.t.hang_s)
            if final is REFUSED:
                return self._disabled("call", cid, None)
            if final is HIDDEN:  # begun online, then the app said calls need a connection and closed the panel
                outcome, msg = "unavailable", "; ".join(self.unavailable_messages()) or "the call panel closed"
            elif final is None:
                outcome, msg = "hung", self.text(self.first("call_status"))
            elif "connect" in final.lower() and "fail" not in final.lower():
                outcome, msg = "done", final
            else:
                outcome, msg = "unavailable", final
            self.record_action("call", contact_id=cid, outcome=outcome, message=msg)
            return ActionResult("call", outcome, msg)

        return finish

    def _watch_changes(self, el: object) -> bool:
        """Mark ``el`` when its text changes from now on (a call may go 'Calling…' and back to a status that
        reads like the last one between two polls). False where the device runs no script."""
        try:
            self.driver.execute_script(WATCH_JS, el, CHANGED_ATTR)
            return True
        except Exception:
            return False

    def _usable(self, name: str) -> Any | None:
        """The control ``name`` when it is shown and enabled (a user could tap it now), else None."""
        el = self.first(name)
        return el if el is not None and el.is_displayed() and self.enabled(el) else None


CHANGED_ATTR = "data-harness-changed"
WATCH_JS = """
const el = arguments[0], attr = arguments[1];
el.removeAttribute(attr);
const seen = new MutationObserver(() => { el.setAttribute(attr, '1'); seen.disconnect(); });
seen.observe(el, {childList: true, characterData: true, subtree: true});
"""
#: what the call's status poll returns when the app refused the tap (a str, so ``poll`` stops on it)
REFUSED = "\x00refused"
#: ... when the app closed the call panel mid-call (a hidden element's text reads empty: not a settled status)
HIDDEN = "\x00hidden"

__all__ = ["Messaging"]
