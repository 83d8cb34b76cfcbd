"""The app model: page objects driven by an app profile (capabilities, collections, locators).

``App(driver, load_app_profile(NAME_OR_PATH))`` gives the shell, one list
screen per collection and the app plugin's own page objects; each returns
typed observations (harness.app.observations) and records action and
observation events on the timeline.
"""

from __future__ import annotations

from harness.app.app import App
from harness.app.base import Screen, ScreenTimeout
from harness.app.profile import AppProfile, Locator, load_app_profile, parse_app_profile

__all__ = ["App", "AppProfile", "Locator", "Screen", "ScreenTimeout", "load_app_profile", "parse_app_profile"]
