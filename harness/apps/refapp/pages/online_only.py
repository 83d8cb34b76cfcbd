"""Payments (R13) and workflows (R16): online-only actions that must say so offline (R26)."""

from __future__ import annotations

from typing import Callable

from harness.app.base import Screen
from harness.apps.refapp.pages.contact import ContactScreen
from harness.app.observations import ActionResult


class OnlineOnly(Screen):
    """Pay and run-workflow flows."""

    def _before(self, locator: str) -> str:
        return self.text(self.first(locator)) if self.first(locator) is not None else ""

    def _result(self, action: str, locator: str, contact_id: str, before: str, **data: object) -> ActionResult:
        """The result line once it changed from ``before`` (read before the tap: an app that answers at once,
        within the tap, has changed it already) and settled; ``hung`` when it never does within ``hang_s``."""
        final = self.poll(lambda: (t := self.text(self.first(locator))) and t != before and not t.endswith("…") and t,
                          self.t.hang_s)
        if not final:
            outcome, msg = ("hung", self.text(self.first(locator)) if self.first(locator) is not None else "")
        else:
            low = str(final).lower()
            outcome = "unavailable" if ("connection" in low or "offline" in low) else ("error" if "fail" in low else "done")
            msg = str(final)
        self.record_action(action, contact_id=contact_id, outcome=outcome, message=msg, **data)
        return ActionResult(action, outcome, msg)

    def _disabled(self, action: str, cid: str) -> ActionResult:
        msg = "; ".join(self.unavailable_messages())
        self.record_action(action, contact_id=cid, outcome="disabled", message=msg)
        return ActionResult(action, "disabled", msg)

    def pay(self, contact_id: str | int, amount_cents: int, kind: str = "invoice") -> ActionResult:
        return self.begin_pay(contact_id, amount_cents, kind)()

    def begin_pay(self, contact_id: str | int, amount_cents: int, kind: str = "invoice") -> Callable[[], ActionResult]:
        """From the contact, tap Pay and fill the form; the returned function taps "Take payment" (or finds it
        disabled) and records the outcome."""
        cid = str(contact_id)
        c = ContactScreen(self.driver, self.profile, timeline=self.timeline, offline_belief=self.offline_belief)
        if c.current_id() != cid:
            c.open(cid)
        btn = self.wait_visible("action_pay")
        if not self.enabled(btn):
            return lambda: self._disabled("pay", cid)
        self.click(btn)
        self.type_into(self.wait_visible("payment_amount"), f"{amount_cents / 100:.2f}")
        from selenium.webdriver.support.select import Select

        Select(self.wait_visible("payment_kind")).select_by_value(kind)

        def finish() -> ActionResult:
            submit = self.wait_visible("payment_submit")
            if not self.enabled(submit):
                return self._disabled("pay", cid)
            before = self._before("payment_result")
            self.click(submit)
            return self._result("pay", "payment_result", cid, before, amount_cents=amount_cents, kind=kind)

        return finish

    def run_workflow(self, workflow_id: str | int, contact_id: str | int) -> ActionResult:
        return self.begin_workflow(workflow_id, contact_id)()

    def begin_workflow(self, workflow_id: str | int, contact_id: str | int) -> Callable[[], ActionResult]:
        """From the contact's screen, as a user does: tap Workflow (the contact comes along) and wait for the
        workflows; the returned function taps Run (a second screen: two steps of one action) and records it."""
        wid, cid = str(workflow_id), str(contact_id)
        c = ContactScreen(self.driver, self.profile, timeline=self.timeline, offline_belief=self.offline_belief)
        if c.current_id() != cid:
            c.open(cid)
        btn = self.wait_visible("action_workflow")
        if not self.enabled(btn):
            return lambda: self._disabled("run_workflow", cid)
        self.click(btn)
        self.wait("workflows or a message", lambda: self.find_all("workflow_run") or self.unavailable_messages())

        def finish() -> ActionResult:
            loc = self.loc("workflow_run")
            run = self.first(loc.css_with(self.attr_name("workflow_id"), wid)) if loc.css else self.first("workflow_run")
            if run is None:
                msgs = self.unavailable_messages()
                self.record_action("run_workflow", contact_id=cid, workflow_id=wid, outcome="unavailable",
                                   message="; ".join(msgs))
                return ActionResult("run_workflow", "unavailable", "; ".join(msgs))
            if not self.enabled(run):
                return self._disabled("run_workflow", cid)
            before = self._before("workflow_result")
            self.click(run)
            return self._result("run_workflow", "workflow_result", cid, before, workflow_id=wid)

        return finish


__all__ = ["OnlineOnly"]
