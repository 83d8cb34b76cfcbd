"""SMS, email (R10) and calls (R11, R26) from a contact: sent, queued, disabled, or hung.

Outcomes: ``disabled`` when the app greys the control out (with its
message), ``queued`` when the app took it while offline (its pending count
grew), ``done`` when it went through, ``unavailable`` when it said it needs
a connection, ``hung`` when a call still spins after the profile's
``hang_s`` (R26: never hang).
"""

from __future__ import annotations

from typing import Callable

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

    def _finish(self, action: str, cid: str, marker: str | None, before: int) -> ActionResult:
        offline = self.connectivity() == "offline"
        if offline:
            grew = self.poll(lambda: self.pending_count() > before, self.t.ui_s)
            outcome = "queued" if grew else "error"
        else:
            outcome = "done"
        res = ActionResult(action, outcome, "; ".join(self.unavailable_messages()), marker)
        self.record_action(action, marker=marker, contact_id=cid, outcome=outcome, message=res.message)
        return res

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
        self.type_into(self.wait_visible("sms_body"), f"{body} {marker}" if marker else body)

        def finish() -> ActionResult:
            send = self.first("sms_send")
            if send is None or not send.is_displayed() or not self.enabled(send):
                return self._disabled("send_sms", cid, marker)
            before = self.pending_count()
            self.click(send)
            return self._finish("send_sms", cid, marker, before)

        return finish

    def send_email(self, contact_id: str | int, subject: str, body: str, *, marker: str | None = None) -> ActionResult:
        cid = str(contact_id)
        self._contact(cid)
        btn = self.wait_visible("action_email")
        if not self.enabled(btn):
            return self._disabled("send_email", cid, marker)
        self.click(btn)
        self.type_into(self.wait_visible("email_subject"), f"{subject} {marker}" if marker else subject)
        self.type_into(self.wait_visible("email_body"), body)
        send = self.wait_visible("email_send")
        if not self.enabled(send):
            return self._disabled("send_email", cid, marker)
        before = self.pending_count()
        self.click(send)
        return self._finish("send_email", cid, marker, before)

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
            start = self.first("call_start")
            if start is None or not start.is_displayed() or not self.enabled(start):
                return self._disabled("call", cid, None)
            initial = self.text(self.first("call_status"))
            self.click(start)

            def settled() -> str | None:
                t = self.text(self.first("call_status"))
                busy = t == initial or t.endswith("…") or t.endswith("...")
                return None if busy else t

            final = self.poll(settled, self.t.hang_s)
            if final is None:
                outcome, msg = "hung", self.text(self.first("call_status"))
            elif "connect" in final.lower() and "fail" not in final.lower():
                outcome, msg = "done", final
            else:
                outcome, msg = "unavailable", final
            self.record_action("call", contact_id=cid, outcome=outcome, message=msg)
            return ActionResult("call", outcome, msg)

        return finish


__all__ = ["Messaging"]
