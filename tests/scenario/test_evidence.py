"""Evidence for harness errors: bounded device reads (a hung device never hangs the harness)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace

from harness.scenario import evidence


def test_a_read_that_never_answers_is_given_up_within_its_bound() -> None:
    release = threading.Event()
    t0 = time.monotonic()
    ok, value, error = evidence.bounded(lambda: release.wait(30), timeout_s=0.3)
    release.set()
    assert not ok and value is None and "no answer within" in error
    assert time.monotonic() - t0 < 2


def test_an_error_is_an_answer_and_says_what_it_was() -> None:
    def boom() -> None:
        raise ConnectionError("session gone")

    ok, _, error = evidence.bounded(boom)
    assert not ok and error == "ConnectionError: session gone"


def test_collect_keeps_the_page_source_and_the_labs_logs(tmp_path: Path) -> None:
    lab_dir = tmp_path / "lab"
    lab_dir.mkdir()
    (lab_dir / "mitmproxy.log").write_text("x")
    shot = tmp_path / "s.png"
    shot.write_bytes(b"png")
    device = SimpleNamespace(driver=SimpleNamespace(page_source="<html>app</html>"), screenshot=lambda label: shot)
    files, device_error = evidence.collect(device, SimpleNamespace(run_dir=lab_dir), tmp_path, "x")
    assert device_error == ""
    assert [f.name for f in files] == ["s.png", "x.page.xml", "mitmproxy.log"]
    assert (tmp_path / "x.page.xml").read_text() == "<html>app</html>"


def test_collect_reports_a_device_that_does_not_answer(tmp_path: Path) -> None:
    class Dead:
        @property
        def page_source(self) -> str:
            raise ConnectionRefusedError("appium is gone")

    device = SimpleNamespace(driver=Dead(), screenshot=lambda label: (_ for _ in ()).throw(OSError("no")))
    files, device_error = evidence.collect(device, SimpleNamespace(run_dir=None), tmp_path, "x")
    assert files == [] and "appium is gone" in device_error
