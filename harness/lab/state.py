"""The hand-control state file: where the running lab (started by ``harness up``) listens.

``harness up`` starts a detached supervisor (:mod:`harness.lab.supervisor`)
that owns the lab and writes this file (``reports/lab.json`` unless
``HARNESS_LAB_STATE`` says otherwise); ``harness net`` reads it to reach
Toxiproxy and the addon; ``harness down`` signals the supervisor and waits
for the file to go. A file whose supervisor is dead is stale and ignored.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from harness import paths
from harness.lab.lab import Endpoints


def state_path() -> Path:
    return Path(os.environ.get("HARNESS_LAB_STATE", paths.REPORTS / "lab.json"))


@dataclass(frozen=True)
class LabState:
    """What the supervisor wrote: ``status`` (starting/up/failed), its pid, endpoints or the error."""

    status: str
    supervisor_pid: int
    endpoints: Endpoints | None
    error: str | None
    raw: dict[str, Any]

    @property
    def alive(self) -> bool:
        try:
            return psutil.Process(self.supervisor_pid).status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False


def write_state(path: Path, data: dict[str, Any]) -> None:
    """Write atomically (readers never see half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


def read_state(path: Path | None = None) -> LabState | None:
    """The state file's content, or None when there is none."""
    p = path or state_path()
    try:
        d = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ep = Endpoints.from_json(d["endpoints"]) if d.get("endpoints") else None
    return LabState(str(d.get("status", "")), int(d.get("supervisor_pid", 0)), ep, d.get("error"), d)


def clear_state(path: Path | None = None, *, pid: int | None = None) -> None:
    """Remove the file (only if it belongs to supervisor ``pid`` when given)."""
    p = path or state_path()
    if pid is not None:
        st = read_state(p)
        if st is not None and st.supervisor_pid != pid:
            return
    try:
        p.unlink()
    except FileNotFoundError:
        pass


__all__ = ["LabState", "clear_state", "read_state", "state_path", "write_state"]
