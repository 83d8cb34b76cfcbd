"""Editing an opportunity (R14): the change is saved, queued offline, and its indicator shown.

Numbers cannot carry a marker, so the marker goes into the name.
"""

from __future__ import annotations

from typing import Callable

from harness.app.base import Screen, screen_read
from harness.app.observations import OpportunityView


class OpportunityScreen(Screen):
    """The opportunity form."""

    def open(self, opportunity_id: str | int) -> OpportunityView:
        oid = str(opportunity_id)
        loc = self.loc("opportunity_row")
        row = loc.css_with(self.attr_name("opportunity_id"), oid) if loc.css else None
        if row is not None and self.first(row) is not None:
            self.tap(row)
            self.wait_visible("opportunity_form")
        else:
            self.go("opportunity", "opportunity_form", id=oid)
        self.wait(f"opportunity {oid}: its form or a message",
                  lambda: self.subject("opportunity_form", "opportunity_id") == oid and (
                      self.visible("opportunity_name") or self.unavailable_messages()))
        return self.read(oid)

    @screen_read
    def read(self, oid: str) -> OpportunityView:
        name = self.first("opportunity_name")
        if name is None:
            return OpportunityView(id=oid, available=False)
        stage = self.first("opportunity_stage")
        value = self.first("opportunity_value")
        return OpportunityView(
            # form fields: the live ``value`` property (W3C "get element property"), not the attribute,
            # which the app never sets
            id=oid, available=True, name=str(name.get_property("value") or ""),
            stage=str(stage.get_property("value") or "") if stage is not None else "",
            value=str(value.get_property("value") or "") if value is not None else "",
            pending=bool(self.visible("opportunity_sync_indicator")),
        )

    def _status(self) -> str:
        el = self.first("opportunity_status")
        return self.text(el).strip() if el is not None else ""

    def edit(self, opportunity_id: str | int, *, name: str | None = None, stage: str | None = None,
             value: float | None = None, marker: str | None = None) -> OpportunityView:
        """Change fields and save; returns the form as the app shows it after saving."""
        return self.begin_edit(opportunity_id, name=name, stage=stage, value=value, marker=marker)()

    def begin_edit(self, opportunity_id: str | int, *, name: str | None = None, stage: str | None = None,
                   value: float | None = None, marker: str | None = None) -> Callable[[], OpportunityView]:
        """Open the form and change its fields (a form half done); the returned function saves and records."""
        oid = str(opportunity_id)
        view = self.open(oid)
        if not view.available:
            def unavailable() -> OpportunityView:
                self.record_action("edit_opportunity", marker=marker, outcome="unavailable",
                                   message="; ".join(self.unavailable_messages()))
                return view

            return unavailable
        if name is not None or marker:
            base = name if name is not None else view.name.split(" hx")[0]
            self.type_into(self.first("opportunity_name"), f"{base} {marker}" if marker else base)
        if stage is not None:
            from selenium.webdriver.support.select import Select

            Select(self.first("opportunity_stage")).select_by_value(stage)
        if value is not None:
            self.type_into(self.first("opportunity_value"), f"{value:g}")

        def finish() -> OpportunityView:
            offline = self.connectivity() == "offline"
            # the form opens with an empty status line, and a save the app took writes one ("Saved", "Saved on
            # this device", or why not): until then a tap that missed (the form moved as the connection
            # banner came or went) is tapped again; each retap is on the timeline
            self.tap_for("opportunity_save", "the save's status", self._status, lambda: not self._status())
            if offline:
                self.poll(lambda: self.visible("opportunity_sync_indicator"), self.t.ui_s)
            after = self.read(oid)
            self.record_action("edit_opportunity", marker=marker, opportunity_id=oid,
                               outcome="queued" if after.pending else "done", stage=stage, value=value)
            self.record_observation("item_state", item="opportunity", id=oid, marker=marker, pending=after.pending,
                                    state="pending" if after.pending else "synced")
            return after

        return finish


__all__ = ["OpportunityScreen"]
