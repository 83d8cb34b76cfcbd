"""Device-layer figures as JSON: Appium round trip p50/p99, app cold start, full reset between two cases.

Starts its own Lab (refapp, toxiproxy, mitmdump, Appium) and drives the
reference device. Usage: ``python benchmarks/device.py [--rounds 200]``.

* round trip: one trivial WebDriver command (``execute_script return 1``)
  through Appium's chromium driver to Chromium and back;
* cold start: kill (SIGKILL) + relaunch on the same profile, until the app
  says it is ready (storage kept, service worker warm);
* full reset: what a test case pays between two cases: backend reset +
  seed, device reinstall (fresh user-data-dir), app ready.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return round(s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))], 2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--starts", type=int, default=5)
    args = ap.parse_args()

    from harness.app import App, load_app_profile
    from harness.device.chromium import ChromiumDevice
    from harness.device.factory import build_device, device_endpoints
    from harness.device.profiles import find_profile
    from harness.lab.lab import Lab, LabConfig
    from harness.timeline import Timeline

    run = Path(tempfile.mkdtemp(prefix="bench-device-"))
    tl = Timeline(run / "timeline.jsonl")
    with Lab(LabConfig(run_dir=run, appium=True), timeline=tl) as lab:
        lab.admin.seed(seed=1)
        profile = load_app_profile("refapp")
        holder: dict[str, ChromiumDevice] = {}
        app = App(lambda: holder["d"].driver, profile, timeline=tl)
        ep = device_endpoints(lab.endpoints, app_url=app.launch_url(lab.endpoints.app_url))
        dev = build_device(find_profile("reference-unrestricted"), endpoints=ep, run_dir=run, timeline=tl)
        assert isinstance(dev, ChromiumDevice)
        holder["d"] = dev
        t0 = time.monotonic()
        dev.launch()
        app.shell.wait_ready()
        first_launch_ms = (time.monotonic() - t0) * 1000
        try:
            rt = []
            for _ in range(args.rounds):
                t = time.perf_counter()
                dev.driver.execute_script("return 1")
                rt.append((time.perf_counter() - t) * 1000)
            app.contacts.open()
            cold = []
            for _ in range(args.starts):
                dev.kill()
                t = time.monotonic()
                dev.relaunch()
                app.shell.wait_ready()
                cold.append((time.monotonic() - t) * 1000)
            resets = []
            for _ in range(args.starts):
                t = time.monotonic()
                lab.admin.reset()
                lab.admin.seed(seed=1)
                dev.reinstall()
                app.shell.wait_ready()
                resets.append((time.monotonic() - t) * 1000)
        finally:
            dev.quit()
    print(json.dumps({
        "device": "reference-unrestricted (Chromium via Appium chromium driver)",
        "appium_round_trip_ms": {"n": len(rt), "p50": pct(rt, 50), "p99": pct(rt, 99), "max": round(max(rt), 2)},
        "first_launch_ms": round(first_launch_ms, 1),
        "cold_start_ms": {"n": len(cold), "median": round(statistics.median(cold), 1), "max": round(max(cold), 1)},
        "full_reset_ms": {"n": len(resets), "median": round(statistics.median(resets), 1), "max": round(max(resets), 1),
                          "what": "backend reset+seed, device reinstall (fresh profile), app ready"},
    }, indent=2))


if __name__ == "__main__":
    main()
