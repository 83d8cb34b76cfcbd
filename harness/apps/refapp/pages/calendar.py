"""The calendar (R8): which days and appointments the app shows (cached: today + N-1 days)."""

from __future__ import annotations

from harness.app.base import Screen, screen_read
from harness.app.observations import CalendarDay, CalendarView


class CalendarScreen(Screen):
    """The calendar screen."""

    @screen_read
    def open(self) -> CalendarView:
        if self.first("nav_calendar") is not None:
            self.tap("nav_calendar")
        else:
            self.go("calendar", "calendar")
        self.wait_visible("calendar")
        self.wait("calendar days or a message", lambda: self.find_all("calendar_day") or self.unavailable_messages())
        days = tuple(CalendarDay(self.get(d, "date"),
                                 tuple(self.get(a, "appointment_id") for a in self.find_all("appointment_item", d)),
                                 self.text(d)) for d in self.find_all("calendar_day"))
        view = CalendarView(days=days, unavailable=tuple(self.unavailable_messages()))
        self.record_action("open_calendar", outcome="done")
        # one observation per day shown: the checks compare a day's appointments offline with online
        for d in days:
            self.record_observation("calendar_view", date=d.date, appointments=list(d.appointment_ids))
        if not days:
            self.record_observation("calendar_view", date="*", appointments=[], unavailable=True,
                                    notices=list(view.unavailable))
        return view

    def day(self, date: str) -> CalendarDay | None:
        """One day (YYYY-MM-DD) as the calendar shows it, or None if it is not shown."""
        return self.open().day(date)


__all__ = ["CalendarScreen"]
