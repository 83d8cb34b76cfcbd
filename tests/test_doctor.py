"""harness doctor: truthful about each part, exit 0 only when the embedded lab can run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from harness.doctor import PARTS, Part, diagnose, lab_can_run


def test_missing_required_part_fails_with_fix() -> None:
    gone = Part("toxiproxy-server", lambda: None, lambda p: "", "bash scripts/setup")
    [finding] = diagnose((gone,))
    assert not finding.ok
    assert "not found" in finding.line() and "bash scripts/setup" in finding.line()
    assert not lab_can_run([finding])


def test_optional_part_missing_does_not_block_the_lab() -> None:
    adb = Part("adb", lambda: None, lambda p: "", "install platform-tools", required=False)
    ok = Part("node", lambda: sys.executable, lambda p: "3.11", "x")
    findings = diagnose((adb, ok))
    assert lab_can_run(findings)
    assert findings[0].line().startswith("--")


def test_part_that_does_not_run_is_reported(tmp_path: Path) -> None:
    broken = tmp_path / "toxiproxy-server"
    broken.write_text("#!/bin/sh\nexit 3\n")
    broken.chmod(0o755)
    [finding] = diagnose((Part("toxiproxy-server", lambda: str(broken), lambda p: "", "fix it"),))
    assert not finding.ok and "does not run" in finding.problem


def test_every_required_part_has_a_fix_command() -> None:
    assert {p.name for p in PARTS if p.required} >= {"toxiproxy-server", "mitmdump", "appium", "chromium",
                                                       "chromedriver"}
    assert all(p.fix for p in PARTS)


def _doctor(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "harness", "doctor"], capture_output=True, text=True,
                          env=env, timeout=120)


def test_doctor_on_this_machine_names_every_part() -> None:
    out = _doctor(dict(os.environ))
    names = [line.split()[1] for line in out.stdout.splitlines() if line[:5].strip() in ("OK", "FAIL", "--")]
    assert names[:3] == ["toxiproxy-server", "mitmdump", "appium"]
    assert out.returncode in (0, 2)
    assert (out.returncode == 0) == ("The embedded lab can run." in out.stdout)


def test_doctor_without_toxiproxy_is_truthful(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.pop("TOXIPROXY_SERVER", None)
    env["HARNESS_TOOLS"] = str(tmp_path / "no-tools")
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep)
                                  if not (Path(p) / "toxiproxy-server").exists())
    out = _doctor(env)
    assert out.returncode == 2
    line = next(ln for ln in out.stdout.splitlines() if "toxiproxy-server" in ln)
    assert line.startswith("FAIL") and "go install github.com/Shopify/toxiproxy" in line
