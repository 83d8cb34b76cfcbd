"""Time as refapp writes it: ISO 8601 in the server's local zone, seconds.

Why: appointments are grouped by the server's local date (`starts_at[:10]`)
and every other timestamp uses the same format, so strings sort by time.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta


def now() -> datetime:
    """The current local time, timezone-aware."""
    return datetime.now().astimezone()


def iso(moment: datetime) -> str:
    """`2025-03-01T09:30:00+01:00`."""
    return moment.astimezone().isoformat(timespec="seconds")


def now_iso() -> str:
    return iso(now())


def today() -> date:
    return now().date()


def local_midnight(day: date) -> datetime:
    """00:00 local time of `day`, timezone-aware."""
    return datetime(day.year, day.month, day.day).astimezone()


def unix_s() -> float:
    return time.time()
