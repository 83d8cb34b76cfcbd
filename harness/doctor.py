"""Health of every external part the lab needs, one finding per part.

``harness doctor`` answers the first question of every failed run: is the
machine able to run the lab at all? Each :class:`Part` knows how to find its
program, read its version, and the exact command that fixes it when it is
missing. Parts marked ``required`` must be OK for the embedded lab (the
reference device through Toxiproxy and mitmproxy) to run; the others (Go,
adb, the Android emulator, simctl) only matter for setup or for real devices.

>>> [p.name for p in PARTS][:3]
['toxiproxy-server', 'mitmdump', 'appium']
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from harness import paths

SETUP = "bash scripts/setup"


@dataclass(frozen=True)
class Finding:
    """What doctor found for one part: ``ok`` with a version, or the problem and its fix."""

    name: str
    ok: bool
    required: bool
    version: str = ""
    path: str = ""
    problem: str = ""
    fix: str = ""

    def line(self) -> str:
        if self.ok:
            return f"OK    {self.name:<18} {self.version:<28} {self.path}"
        tag = "FAIL" if self.required else "--"
        return f"{tag:<5} {self.name:<18} {self.problem}; fix: {self.fix}"


def _run(argv: list[str], timeout: float = 20.0) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"<error: {e}>"
    return (out.stdout or out.stderr).strip()


def _first_line(text: str) -> str:
    return text.splitlines()[0].strip() if text else ""


@dataclass(frozen=True)
class Part:
    """One external program: how to find it, read its version, and fix it."""

    name: str
    find: Callable[[], str | None]
    version: Callable[[str], str]
    fix: str
    required: bool = True
    missing: str = "not found"

    def check(self) -> Finding:
        path = self.find()
        if not path:
            return Finding(self.name, False, self.required, problem=self.missing, fix=self.fix)
        version = self.version(path)
        if not version or version.startswith("<error"):
            return Finding(self.name, False, self.required, path=path,
                           problem=f"{path} does not run ({version or 'no output'})", fix=self.fix)
        return Finding(self.name, True, self.required, version=version, path=path)


def _toxiproxy_version(path: str) -> str:
    """go-built binaries print "git" for -version; the module version is in the build info."""
    info = _run(["go", "version", "-m", path]) if shutil.which("go") else ""
    m = re.search(r"\bmod\s+github\.com/Shopify/toxiproxy/v2\s+(v\S+)", info)
    if m:
        return m.group(1)
    out = _run([path, "-version"])
    return _first_line(out).replace("toxiproxy-server version ", "") if "version" in out else out


def _mitmdump_version(path: str) -> str:
    m = re.search(r"Mitmproxy:\s*(\S+)", _run([path, "--version"]))
    return m.group(1) if m else ""


def _appium_version(path: str) -> str:
    pkg = paths.APPIUM_DIR / "node_modules" / "appium" / "package.json"
    if pkg.is_file() and Path(path).resolve().is_relative_to(paths.APPIUM_DIR.resolve()):
        return str(json.loads(pkg.read_text())["version"])
    return _first_line(_run([path, "--version"]))


def _chromium_driver() -> str | None:
    """The Appium chromium driver counts as installed when APPIUM_HOME's manifest has it."""
    pkg = paths.APPIUM_HOME / "node_modules" / "appium-chromium-driver" / "package.json"
    return str(pkg) if pkg.is_file() else None


def _package_version(pkg: str) -> str:
    return "appium-chromium-driver " + str(json.loads(Path(pkg).read_text())["version"])


def _grid_jar() -> str | None:
    """The Selenium Grid jar scripts/setup-grid installed (the farm's --grid), if any."""
    lib = paths.TOOLS / "grid" / "lib"
    jars = sorted(lib.glob("selenium-grid-*.jar")) if lib.is_dir() else []
    return str(jars[-1]) if jars else None


def _jar_version(path: str) -> str:
    m = re.search(r"selenium-grid-([\d.]+)\.jar$", path)
    return f"selenium-grid {m.group(1)}" if m else Path(path).name


def _version_line(*flags: str) -> Callable[[str], str]:
    def read(path: str) -> str:
        line = _first_line(_run([path, *flags]))
        return re.sub(r" (\(|built on ).*$", "", line)  # "ChromeDriver 156.0.1 (hash-refs...)" -> short
    return read


def _which(name: str) -> Callable[[], str | None]:
    return lambda: shutil.which(name)


PARTS: tuple[Part, ...] = (
    Part("toxiproxy-server", paths.toxiproxy_server, _toxiproxy_version,
         f"{SETUP} (go install github.com/Shopify/toxiproxy/v2/cmd/server@v2.12.0), or set TOXIPROXY_SERVER"),
    Part("mitmdump", paths.mitmdump, _mitmdump_version, f"{SETUP} (installs mitmproxy 11.0.x into .venv)"),
    Part("appium", paths.appium, _appium_version, f"{SETUP} (npm ci in tools/appium)"),
    Part("appium chromium", _chromium_driver, _package_version,
         f"{SETUP}, or: APPIUM_HOME={paths.APPIUM_HOME} appium driver install chromium"),
    Part("chromium", paths.chromium, _version_line("--version"), "apt-get install -y chromium"),
    Part("chromedriver", paths.chromedriver, _version_line("--version"), "apt-get install -y chromium-driver"),
    Part("node", _which("node"), _version_line("--version"), "apt-get install -y nodejs (Node.js 20+)"),
    Part("npm", _which("npm"), _version_line("--version"), "apt-get install -y npm", required=False),
    Part("go", _which("go"), _version_line("version"), "apt-get install -y golang (only needed by setup)",
         required=False),
    Part("java", _which("java"), lambda p: _first_line(_run([p, "-version"])), "apt-get install -y openjdk-17-jre-headless "
         "(only for the farm's Selenium Grid)", required=False),
    Part("selenium grid", _grid_jar, _jar_version, "bash scripts/setup-grid (only for harness farm --grid)",
         required=False, missing="not installed (only for harness farm --grid)"),
    Part("adb", _which("adb"), _version_line("version"),
         "install the Android SDK platform-tools (only for Android devices)", required=False,
         missing="not present (only needed for Android devices)"),
    Part("emulator", _which("emulator"), _version_line("-version"),
         "install the Android SDK emulator (only for Android emulator profiles)", required=False,
         missing="not present (only needed for Android emulator profiles)"),
    Part("xcrun simctl", _which("xcrun"), _version_line("simctl", "help"),
         "use a macOS host with Xcode (only for iOS simulator profiles)", required=False,
         missing="not present (iOS simulators need macOS)"),
)


def _major(version: str) -> str | None:
    m = re.search(r"(\d+)\.\d+\.\d+", version)
    return m.group(1) if m else None


def diagnose(parts: tuple[Part, ...] = PARTS) -> list[Finding]:
    """Check every part; adds a finding when chromium and chromedriver majors differ."""
    findings = [p.check() for p in parts]
    by_name = {f.name: f for f in findings}
    chrome, driver = by_name.get("chromium"), by_name.get("chromedriver")
    if chrome and driver and chrome.ok and driver.ok and _major(chrome.version) != _major(driver.version):
        findings.append(Finding("chrome/driver", False, True,
                                problem=f"chromium {chrome.version} and chromedriver {driver.version} differ",
                                fix="apt-get install -y chromium chromium-driver (same release)"))
    return findings


def lab_can_run(findings: list[Finding]) -> bool:
    return all(f.ok for f in findings if f.required)


__all__ = ["Finding", "PARTS", "Part", "diagnose", "lab_can_run"]
