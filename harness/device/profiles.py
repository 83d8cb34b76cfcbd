"""Device profiles (devices/*.yaml): validated eagerly, errors name file:line.

A profile says which backend drives the device (the Chromium reference
device, an Android emulator, an iOS simulator, a remote Appium or Grid),
the Appium capabilities it needs, and the background policy it runs
under. Every profile is checked before any session starts: an unknown
field, a missing required capability or an unknown policy is a
:class:`~harness.errors.SpecError` naming the file, the line and the field
(STYLE.md 7-8).

Usage::

    prof = load_profile(Path("devices/reference-doze.yaml"))
    profiles = load_profiles()          # every devices/*.yaml, or SpecError
    ok, why = can_run_here(prof)
"""

from __future__ import annotations

import os
import platform
import shutil
import urllib.error
import urllib.request
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from harness import paths
from harness.device.policies import POLICIES, Policy, get_policy
from harness.inputs import exists, non_finite
from harness.yamlsource import line_of, load_mapping, plain
from harness.errors import SpecError

#: Capabilities every profile of a backend must carry, and the value some must have.
REQUIRED_CAPS: dict[str, dict[str, str | None]] = {
    "chromium": {"platformName": None, "appium:automationName": "Chromium"},
    "android": {"platformName": "Android", "appium:automationName": "UiAutomator2", "appium:appPackage": None},
    "ios": {"platformName": "iOS", "appium:automationName": "XCUITest", "appium:bundleId": None},
    "remote": {"platformName": None, "appium:automationName": None},
}

#: Which policy plan (policies.BACKENDS) a profile backend runs.
POLICY_BACKEND: dict[str, str] = {"chromium": "reference", "android": "android", "ios": "ios", "remote": "reference"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Viewport(_Strict):
    """The emulated phone screen (CSS pixels)."""

    width: int = Field(390, gt=0)
    height: int = Field(844, gt=0)
    pixel_ratio: float = Field(3.0, gt=0)
    touch: bool = True


class ChromiumSettings(_Strict):
    """Reference device: local Chromium + chromedriver, phone emulation."""

    binary: str | None = None
    chromedriver: str | None = None
    headless: bool = True
    viewport: Viewport = Viewport()
    user_agent: str = (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Mobile Safari/537.36"
    )
    extra_args: tuple[str, ...] = ()
    #: renderer (default): the app's renderer process crashed and the browser kept, as a phone's OS kills a
    #: backgrounded web app's renderer and not the browser (the relaunch is a new tab in the same session: 0.2 s
    #: instead of a new browser's 1 s); a frozen page, or a crash the browser does not report, gets the sigkill.
    #: sigkill: the whole browser SIGKILLed (localStorage not yet flushed is lost too; the session ends, a
    #: relaunch starts a new one). close: the session ended cleanly.
    kill_mode: Literal["sigkill", "renderer", "close"] = "renderer"


class AndroidSettings(_Strict):
    """Android emulator: AVD, adb serial, emulator network shaping."""

    avd: str | None = None
    serial: str = "emulator-5554"
    netspeed: str | None = None
    netdelay: str | None = None
    host_alias: str = "10.0.2.2"
    apk: str | None = None

    @field_validator("netspeed")
    @classmethod
    def _speed(cls, v: str | None) -> str | None:
        allowed = ("gsm", "hscsd", "gprs", "edge", "umts", "hsdpa", "lte", "evdo", "full")
        if v is not None and v not in allowed:
            raise ValueError(f"{v!r} is not an emulator speed; expected one of {', '.join(allowed)}")
        return v


class IOSSettings(_Strict):
    """iOS simulator: udid, app bundle, the background-fetch debug hook."""

    udid: str = "booted"
    app_path: str | None = None
    bar_hook: str = "notify:com.offlineharness.backgroundfetch"


class _Profile(_Strict):
    name: str
    description: str = ""
    policy: str = "unrestricted"
    policy_params: dict[str, float] = {}
    capabilities: dict[str, Any]
    appium_url: str | None = None
    tags: tuple[str, ...] = ()


class ChromiumProfile(_Profile):
    backend: Literal["chromium"]
    chromium: ChromiumSettings = ChromiumSettings()


class AndroidProfile(_Profile):
    backend: Literal["android"]
    android: AndroidSettings = AndroidSettings()


class IOSProfile(_Profile):
    backend: Literal["ios"]
    ios: IOSSettings = IOSSettings()


class RemoteProfile(_Profile):
    backend: Literal["remote"]
    appium_url: str  # type: ignore[assignment]  # required here
    platform: Literal["chromium", "android", "ios"] = "android"


DeviceProfile = Annotated[
    Union[ChromiumProfile, AndroidProfile, IOSProfile, RemoteProfile], Field(discriminator="backend")
]
_ADAPTER: TypeAdapter[Any] = TypeAdapter(DeviceProfile)
AnyProfile = Union[ChromiumProfile, AndroidProfile, IOSProfile, RemoteProfile]


def policy_of(profile: AnyProfile) -> Policy:
    """The profile's policy with its parameter overrides applied."""
    return get_policy(profile.policy).with_params(profile.policy_params)


def policy_backend(profile: AnyProfile) -> str:
    if isinstance(profile, RemoteProfile):
        return {"chromium": "reference", "android": "android", "ios": "ios"}[profile.platform]
    return POLICY_BACKEND[profile.backend]




def _field_name(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    # pydantic puts the discriminator's model tag in loc (e.g. 'chromium'): drop it
    if len(loc) > 0 and loc[0] in REQUIRED_CAPS:
        loc = loc[1:]
    return loc


def parse_profile(text: str, *, file: str | Path = "<string>") -> AnyProfile:
    """Parse and validate one profile's YAML text; SpecError on the first problem."""
    doc = load_mapping(text, file=file, expected="a mapping with name, backend, capabilities")
    if "name" not in doc:
        doc["name"] = Path(str(file)).stem
    if not isinstance(doc.get("backend"), str) or doc["backend"] not in REQUIRED_CAPS:
        raise SpecError("backend", doc.get("backend"), f"one of {', '.join(REQUIRED_CAPS)}", file=file,
                        line=line_of(doc, ("backend",)) or 1)
    try:
        prof: AnyProfile = _ADAPTER.validate_python(plain(doc))
    except ValidationError as e:
        err = e.errors()[0]
        fix: str | None = None
        loc = _field_name(tuple(err["loc"]))
        field = ".".join(str(p) for p in loc) or "(document)"
        value = err.get("input")
        if err["type"] == "extra_forbidden":
            allowed = "one of the known fields: " + _known_fields(doc.get("backend"), loc[:-1])
            value = loc[-1]
            fix = "remove it or correct its spelling"
        elif err["type"] == "missing":
            allowed = "a value (the field is required)"
            value = None
        else:
            allowed = _allowed(err["msg"])
        line = line_of(doc, loc) or line_of(doc, loc[:-1]) or 1
        raise SpecError(field, value, allowed, file=file, line=line, fix=fix) from None
    _check_caps(prof, doc, file)
    _check_policy(prof, doc, file)
    return prof


def _allowed(msg: str) -> str:
    """pydantic's message as what is allowed ('Input should be a finite number' -> 'a finite number')."""
    msg = msg.rstrip(".")
    for head in ("Input should be ", "Value error, "):
        msg = msg[len(head):] if msg.startswith(head) else msg
    return msg


def _known_fields(backend: str | None, loc: tuple[Any, ...]) -> str:
    model: Any = {"chromium": ChromiumProfile, "android": AndroidProfile, "ios": IOSProfile, "remote": RemoteProfile}.get(backend or "")
    for part in loc:
        if model is None or not hasattr(model, "model_fields") or part not in model.model_fields:
            return "(see docs/devices.md)"
        model = model.model_fields[part].annotation
    if model is None or not hasattr(model, "model_fields"):
        return "(see docs/devices.md)"
    return ", ".join(model.model_fields)


def _check_caps(prof: AnyProfile, doc: Any, file: str | Path) -> None:
    for cap, value in prof.capabilities.items():
        where = non_finite(value, cap)
        if where:
            raise SpecError(f"capabilities.{where}", value, "a JSON value (nan and infinities are not JSON)",
                            file=file, line=line_of(doc, ("capabilities", cap)) or 1,
                            fix="Appium's session request is JSON: write a finite number")
    for cap, want in REQUIRED_CAPS[prof.backend].items():
        have = prof.capabilities.get(cap)
        line = line_of(doc, ("capabilities", cap)) or line_of(doc, ("capabilities",)) or 1
        if have is None or have == "":
            allowed = f"{want!r}" if want else "a value"
            raise SpecError(f"capabilities.{cap}", None, f"{allowed} (required for backend {prof.backend})", file=file, line=line,
                            fix=f"add `{cap}: {want or '...'}` under capabilities")
        if want is not None and str(have).lower() != want.lower():
            raise SpecError(f"capabilities.{cap}", have, repr(want), file=file, line=line)


def _check_policy(prof: AnyProfile, doc: Any, file: str | Path) -> None:
    backend = policy_backend(prof)
    line = line_of(doc, ("policy",)) or 1
    if prof.policy not in POLICIES:
        raise SpecError("policy", prof.policy, f"one of {', '.join(sorted(POLICIES))}", file=file, line=line)
    pol = POLICIES[prof.policy]
    if backend not in pol.builders:
        ok = ", ".join(n for n, p in POLICIES.items() if backend in p.builders)
        raise SpecError("policy", prof.policy, f"a policy the {prof.backend} backend can express: {ok}", file=file, line=line)
    try:
        pol.with_params(prof.policy_params)
    except SpecError as e:
        key = e.field.split(".", 1)[1] if "." in e.field else e.field
        raise e.located(file=file, line=line_of(doc, ("policy_params", key)) or line) from None


def load_profile(path: Path) -> AnyProfile:
    """Read and validate one profile file."""
    from harness.inputs import read_text

    return parse_profile(read_text(path, what="device profile"), file=path)


def load_profiles(directory: Path | None = None) -> dict[str, AnyProfile]:
    """Every ``*.yaml`` under ``directory`` (default devices/), all validated; duplicate names rejected."""
    directory = directory or paths.DEVICES
    out: dict[str, AnyProfile] = {}
    where: dict[str, Path] = {}
    for path in sorted(directory.glob("*.yaml")):
        prof = load_profile(path)
        if prof.name in out:
            raise SpecError("name", prof.name, f"a unique profile name (also used by {where[prof.name]})", file=path, line=1)
        out[prof.name] = prof
        where[prof.name] = path
    return out


def find_profile(name_or_path: str, directory: Path | None = None) -> AnyProfile:
    """A profile by name (devices/) or by file path."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") and exists(p):
        return load_profile(p)
    profiles = load_profiles(directory)
    if name_or_path not in profiles:
        raise SpecError("device", name_or_path, f"one of {', '.join(sorted(profiles))}")
    return profiles[name_or_path]


# --- can it run here? ---------------------------------------------------------

def can_run_here(profile: AnyProfile, *, probe_timeout_s: float = 1.0) -> tuple[bool, str]:
    """Whether this machine can drive the profile's device, and if not, why."""
    if isinstance(profile, ChromiumProfile):
        for name, given in (("chromium.binary", profile.chromium.binary),
                            ("chromium.chromedriver", profile.chromium.chromedriver)):
            if given and not shutil.which(given):  # a path that is not an executable file, or no such command
                return False, (f"{name}: {given!r} is not an executable file or a command on PATH. Fix: give the "
                               "path of an installed one, or leave the field out to use the one scripts/setup "
                               "installed")
        missing = [n for n, f in (("chromium", profile.chromium.binary or paths.chromium()),
                                  ("chromedriver", profile.chromium.chromedriver or paths.chromedriver()),
                                  ("appium", paths.appium())) if not f]
        if missing:
            return False, f"missing {', '.join(missing)}: run scripts/setup"
        return True, "Chromium + chromedriver through local Appium (chromium driver)"
    if isinstance(profile, AndroidProfile):
        for tool in ("adb", "emulator"):
            if not shutil.which(tool):
                return False, f"no `{tool}` on PATH: needs the Android SDK and an emulator (KVM); verified here only by the adb commands and capabilities it issues"
        if not os.path.exists("/dev/kvm"):
            return False, "no /dev/kvm: the Android emulator cannot boot on this machine"
        return True, f"adb + emulator found (AVD {profile.android.avd or '?'})"
    if isinstance(profile, IOSProfile):
        if platform.system() != "Darwin" or not shutil.which("xcrun"):
            return False, "iOS simulators need macOS with Xcode (xcrun simctl); verified here only by the simctl commands and capabilities it issues"
        return True, "xcrun simctl found"
    url = profile.appium_url.rstrip("/") + "/status"
    try:
        with urllib.request.urlopen(url, timeout=probe_timeout_s) as r:  # noqa: S310 - user-configured URL
            if r.status == 200:
                return True, f"{url} answered"
            return False, f"{url} answered HTTP {r.status}"
    except (urllib.error.URLError, OSError, ValueError) as e:
        return False, f"{url} not reachable ({getattr(e, 'reason', e)})"


__all__ = [
    "AndroidProfile", "AndroidSettings", "AnyProfile", "ChromiumProfile", "ChromiumSettings", "DeviceProfile",
    "IOSProfile", "IOSSettings", "REQUIRED_CAPS", "RemoteProfile", "Viewport", "can_run_here", "find_profile",
    "load_profile", "load_profiles", "parse_profile", "policy_backend", "policy_of",
]
