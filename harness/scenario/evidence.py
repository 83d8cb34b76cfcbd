"""What the harness keeps when a scenario cannot be carried out: the files a person needs to tell why.

A harness error (a screen that never came on an untouched network, a device
that stopped answering, a lab process that died) carries no verdict, so the
files are the whole story: a screenshot, the page source as the device saw
it, and the lab's own logs (mitmdump, toxiproxy, the backend). Every read is
bounded: a device that hangs must not hang the harness while it collects
evidence about the hang.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable, TypeVar

T = TypeVar("T")

#: How long one read of the device may take while collecting evidence.
READ_S = 10.0


def bounded(fn: Callable[[], T], timeout_s: float = READ_S) -> tuple[bool, T | None, str]:
    """Call ``fn`` in a daemon thread; ``(answered, value, error)``. A call still running after ``timeout_s``
    is left behind (the device is gone; its session is torn down with the lab)."""
    box: dict[str, Any] = {}

    def call() -> None:
        try:
            box["value"] = fn()
        except Exception as e:  # the device's answer was an error: still an answer
            box["error"] = f"{type(e).__name__}: {e}"

    t = threading.Thread(target=call, name="evidence-read", daemon=True)
    t.start()
    t.join(timeout_s)
    if t.is_alive():
        return False, None, f"no answer within {timeout_s:.0f}s"
    return "error" not in box, box.get("value"), box.get("error", "")


def page_source(device: Any, folder: Path, label: str) -> tuple[Path | None, str]:
    """The device's page source written to ``folder/<label>.page.xml``; ``(path or None, error)``."""
    ok, source, error = bounded(lambda: device.driver.page_source)
    if not ok or not isinstance(source, str):
        return None, error or "no page source"
    path = folder / f"{label}.page.xml"
    path.write_text(source, encoding="utf-8")
    return path, ""


def lab_logs(lab: Any) -> list[Path]:
    """The lab processes' log files (they live in the lab's run folder)."""
    run_dir = getattr(lab, "run_dir", None)
    return sorted(Path(run_dir).glob("*.log")) if run_dir else []


def collect(device: Any, lab: Any, folder: Path, label: str) -> tuple[list[Path], str]:
    """Screenshot, page source and lab logs; ``(files, device_error)``: ``device_error`` is empty when the
    device answered (a device that does not is itself the finding)."""
    files: list[Path] = []
    ok, shot, _ = bounded(lambda: device.screenshot(label))
    if ok and shot:
        files.append(Path(shot))
    source, error = page_source(device, folder, label)
    if source is not None:
        files.append(source)
    return files + lab_logs(lab), error


__all__ = ["READ_S", "bounded", "collect", "lab_logs", "page_source"]
