"""Recording stand-ins for what cannot run here: an Appium phone session and adb/simctl.

They record what a backend asked for, so tests can assert the exact
capabilities, ``mobile:`` calls and host commands; they do not pretend to
be a phone (no state, no behaviour beyond an optional scripted failure).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from harness.device.mobile import CommandResult


@dataclass
class RecordingDriver:
    caps: dict[str, Any]
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    fail_next: list[Exception] = field(default_factory=list)
    quit_called: bool = False
    session_id: str = "fake"

    def execute_script(self, script: str, args: dict[str, Any]) -> Any:
        if self.fail_next:
            raise self.fail_next.pop(0)
        self.calls.append((script, dict(args)))
        return None

    def get_screenshot_as_file(self, path: str) -> bool:
        self.calls.append(("screenshot", {"path": path}))
        return True

    def quit(self) -> None:
        self.quit_called = True


@dataclass
class Factory:
    drivers: list[RecordingDriver] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)

    def __call__(self, url: str, caps: dict[str, Any]) -> RecordingDriver:
        d = RecordingDriver(dict(caps))
        self.urls.append(url)
        self.drivers.append(d)
        return d

    def all_calls(self) -> list[tuple[str, dict[str, Any]]]:
        return [c for d in self.drivers for c in d.calls]


@dataclass
class Runner:
    outputs: dict[str, str] = field(default_factory=dict)
    argvs: list[tuple[str, ...]] = field(default_factory=list)

    def __call__(self, argv: Sequence[str]) -> CommandResult:
        argv = tuple(argv)
        self.argvs.append(argv)
        out = next((v for k, v in self.outputs.items() if k in " ".join(argv)), "")
        return CommandResult(argv, 0, out, "")
