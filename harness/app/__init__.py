"""The app model: page objects driven by an app profile's locator map.

``App(driver, load_app_profile("refapp"))`` gives one page object per
screen family; each returns typed observations (harness.app.observations)
and records action/observation events on the timeline.
"""

from __future__ import annotations

from harness.app.app import App
from harness.app.base import Screen, ScreenTimeout
from harness.app.profile import AppProfile, Locator, load_app_profile, parse_app_profile

__all__ = ["App", "AppProfile", "Locator", "Screen", "ScreenTimeout", "load_app_profile", "parse_app_profile"]
