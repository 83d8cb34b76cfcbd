"""The device layer: one protocol, one module per backend, policies and profiles as data.

Backends import their heavy dependencies (Appium, selenium) lazily, so
``harness devices`` and profile validation stay fast.
"""

from __future__ import annotations

from harness.device.base import AppState, Control, Device, Endpoints, Unsupported
from harness.device.policies import POLICIES, Policy, PolicyRunner, get_policy
from harness.device.profiles import can_run_here, find_profile, load_profile, load_profiles

__all__ = [
    "AppState", "Control", "Device", "Endpoints", "POLICIES", "Policy", "PolicyRunner", "Unsupported",
    "can_run_here", "find_profile", "get_policy", "load_profile", "load_profiles",
]
