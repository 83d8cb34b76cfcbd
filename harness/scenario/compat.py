"""Which devices a scenario can run on, and why not.

A scenario's ``device`` constraints (kinds of backend, background policies)
against a device profile: a farm running a suite over a pool skips the
pairs that do not fit and says why in its matrix, instead of failing them.
"""

from __future__ import annotations

from typing import Any

KIND_OF_BACKEND = {"chromium": "reference", "android": "android", "ios": "ios", "remote": "remote"}


def skip_reason(scenario: Any, device: str) -> str | None:
    """None when ``scenario`` fits the device profile named ``device``; else the reason to skip."""
    from harness.device.profiles import find_profile

    profile = find_profile(device)
    kind = KIND_OF_BACKEND.get(profile.backend, profile.backend)
    kinds = scenario.device.kinds
    if kind not in kinds:
        return f"scenario {scenario.id} runs on {', '.join(kinds)} devices; {profile.name} is {kind}"
    policies = scenario.device.policies
    if policies is not None and profile.policy not in policies:
        return f"scenario {scenario.id} needs a device under {', '.join(policies)}; {profile.name} is {profile.policy}"
    return None


__all__ = ["skip_reason"]
