"""Build the right device backend for a profile, wired to the lab's endpoints.

Usage::

    profile = find_profile("reference-doze")
    device = build_device(profile, endpoints=device_endpoints(lab.endpoints), run_dir=run_dir, timeline=tl)
    device.launch()
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from harness.device.base import Device, Endpoints
from harness.device.profiles import AndroidProfile, AnyProfile, ChromiumProfile, IOSProfile, RemoteProfile
from harness.timeline import Timeline


def device_endpoints(lab_endpoints: Any, *, app_url: str | None = None) -> Endpoints:
    """The device's view of a running lab (``harness.lab.Endpoints``): app URL, proxy, Appium, CA."""
    ca = getattr(lab_endpoints, "ca_cert", None)
    return Endpoints(
        app_url=app_url or str(lab_endpoints.app_url),
        proxy=f"{lab_endpoints.proxy_host}:{lab_endpoints.proxy_port}",
        appium_url=getattr(lab_endpoints, "appium_url", None),
        ca_cert=Path(ca) if ca else None,
    )


def build_device(
    profile: AnyProfile,
    *,
    endpoints: Endpoints,
    run_dir: Path,
    timeline: Timeline | None = None,
    radio: Callable[[bool], None] | None = None,
    **backend_options: Any,
) -> Device:
    """The backend object for ``profile``; nothing starts until ``launch()``."""
    if isinstance(profile, ChromiumProfile):
        from harness.device.chromium import ChromiumDevice

        return ChromiumDevice(profile, endpoints=endpoints, run_dir=run_dir, timeline=timeline, radio=radio, **backend_options)
    if isinstance(profile, AndroidProfile):
        from harness.device.android import AndroidDevice

        return AndroidDevice(profile, endpoints=endpoints, run_dir=run_dir, timeline=timeline, **backend_options)  # type: ignore[return-value]
    if isinstance(profile, IOSProfile):
        from harness.device.ios import IOSDevice

        return IOSDevice(profile, endpoints=endpoints, run_dir=run_dir, timeline=timeline, radio=radio, **backend_options)  # type: ignore[return-value]
    if isinstance(profile, RemoteProfile):
        from harness.device.remote import RemoteDevice

        return RemoteDevice(profile, run_dir=run_dir, timeline=timeline, endpoints=endpoints, **backend_options)  # type: ignore[return-value]
    raise TypeError(f"unknown profile type {type(profile).__name__}")


__all__ = ["build_device", "device_endpoints"]
