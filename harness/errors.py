"""The harness's exception tree, split by who must act.

Every error the harness raises on purpose derives from :class:`HarnessError`;
the three branches tell the reader who has to do something about it::

    HarnessError
    ├── UserError            the input is wrong: a scenario, a device profile,
    │   └── SpecError        an option, a request. Fix the input.
    ├── LabError             the environment is wrong: a part did not start,
    │   ├── PartFailed       a device is unreachable. Fix the machine.
    │   └── HarnessFault     a scenario could not be carried out (a screen never
    │                        came on an untouched network, the device stopped
    │                        answering): no verdict on the app, evidence kept.
    └── CheckFailed          the app under test broke a requirement
                             (an AssertionError, so pytest reports it as a failure).

Messages always name where the bad value came from (file, line, field), the
bad value itself, what is allowed, and the fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence


class HarnessError(Exception):
    """Root of every error the harness raises on purpose."""


class UserError(HarnessError):
    """Bad input from the user: the fix is to change the input."""


class SpecError(UserError):
    """A value in a scenario, profile or option is invalid.

    >>> str(SpecError("duration_s", -1, "a number >= 0", file="s.yaml", line=4))
    's.yaml:4: duration_s: -1 is not allowed; expected a number >= 0'
    """

    def __init__(
        self,
        field: str,
        value: Any,
        allowed: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        fix: str | None = None,
    ) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        self.file = str(file) if file is not None else None
        self.line = line
        self.fix = fix
        super().__init__(self.render())

    def render(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        msg = f"{where}{self.field}: {shown(self.value)} is not allowed; expected {self.allowed}"
        if self.fix:
            msg += f". Fix: {self.fix}"
        return msg

    def located(self, *, file: str | Path | None = None, line: int | None = None, prefix: str = "") -> "SpecError":
        """Return a copy placed in a file/line, with ``prefix`` before the field path."""
        return SpecError(
            f"{prefix}{self.field}" if prefix else self.field,
            self.value,
            self.allowed,
            file=file if file is not None else self.file,
            line=line if line is not None else self.line,
            fix=self.fix,
        )


#: the longest a bad value is quoted in a message (a pasted file, a 100 kB string, an expanded alias)
MAX_SHOWN = 200


def shown(value: Any) -> str:
    """``repr(value)``, cut to :data:`MAX_SHOWN` characters with its full length said; an integer too long for
    Python to print is described instead.

    >>> shown("x" * 300)[-24:]
    'xxxx... (302 characters)'
    """
    try:
        text = repr(value)
    except ValueError:  # an integer past sys.get_int_max_str_digits(), alone or inside a list
        return "<a value holding an integer too long to print>"
    if len(text) <= MAX_SHOWN:
        return text
    return f"{text[:MAX_SHOWN]}... ({len(text)} characters)"


class LabError(HarnessError):
    """The environment failed: a part of the lab or a device is not usable."""


class PartFailed(LabError):
    """A lab part (process) failed to start or died; names the part and its log."""

    def __init__(self, part: str, reason: str, *, log: str | Path | None = None, fix: str | None = None) -> None:
        self.part = part
        self.reason = reason
        self.log = str(log) if log is not None else None
        self.fix = fix
        msg = f"{part}: {reason}"
        if self.log:
            msg += f" (log: {self.log})"
        if fix:
            msg += f". Fix: {fix}"
        super().__init__(msg)


class HarnessFault(LabError):
    """A scenario could not be carried out, and the cause is not the app breaking a requirement.

    Raised mid-scenario when the harness cannot tell the app failed: a screen
    that never came while the network and the device were untouched, a device
    that stopped answering. The result is ``error`` (not ``failed``), kept
    apart from verdicts in the report, the JUnit file and the exit code, with
    the files that show what happened (screenshot, page source, lab logs)."""

    def __init__(self, message: str, *, evidence: Sequence[str | Path] = ()) -> None:
        self.evidence = tuple(str(p) for p in evidence)
        super().__init__(message + (f" (evidence: {', '.join(self.evidence)})" if self.evidence else ""))


@dataclass(frozen=True)
class Evidence:
    """One timeline event (by sequence number) that supports a verdict."""

    seq: int
    summary: str


class CheckFailed(HarnessError, AssertionError):
    """The app under test broke a requirement; carries the ids and the evidence."""

    def __init__(self, requirement_ids: Sequence[str], title: str, evidence: Sequence[Evidence] = ()) -> None:
        self.requirement_ids = tuple(requirement_ids)
        self.title = title
        self.evidence = tuple(evidence)
        ids = ",".join(self.requirement_ids)
        lines = [f"[{ids}] {title}"] + [f"  #{e.seq}: {e.summary}" for e in self.evidence[:20]]
        super().__init__("\n".join(lines))


__all__ = ["CheckFailed", "Evidence", "HarnessError", "HarnessFault", "LabError", "PartFailed", "SpecError", "UserError"]
