"""The scenario model: metadata, setup, steps and expectations, as typed values.

A scenario reads as steady state (setup: seed data, screens loaded while
online) -> faults and user actions (steps) -> verification (expectations and
the checks) -> rollback (the runner always resets the network and brings the
app back, whatever happened). The loader builds these from YAML; the
Hypothesis exporter builds them from a shrunk sequence; both go through the
same validation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from harness.scenario.steps import StepModel

CHECK_NAMES = ("ordering", "exactly_once", "cache_reads", "gating", "indicators", "convergence", "liveness",
               "background", "detection")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)


class SeedSpec(_Strict):
    """Deterministic seed data for the backend, passed to the app's seed hook (each app reads what it knows)."""

    seed: int = 1
    contacts: int = Field(default=60, ge=1, le=5000)
    conversations: int = Field(default=8, ge=0, le=500)
    messages_per_conversation: int = Field(default=30, ge=0, le=500)
    appointments: int = Field(default=16, ge=0, le=1000)
    opportunities: int = Field(default=20, ge=0, le=2000)
    workflows: int = Field(default=3, ge=0, le=50)
    items: int = Field(default=5, ge=0, le=5000, description="apps with a generic seed hook: items per collection")


class AppParams(_Strict):
    """The app's timers and settings, passed as launch parameters so a scenario runs in seconds."""

    probe_ms: int = Field(default=500, ge=50, le=600_000)
    heartbeat_ms: int = Field(default=1000, ge=100, le=600_000)
    request_timeout_ms: int = Field(default=2500, ge=100, le=600_000)
    backoff_base_ms: int = Field(default=200, ge=10, le=600_000)
    backoff_max_ms: int = Field(default=2000, ge=10, le=3_600_000)
    queue_messages: bool = True


LoadTarget = Literal["dashboard", "contacts", "calendar", "conversations", "items"]


class LoadItem(_Strict):
    """One thing to load while online during setup (so that it is cached)."""

    contact: int | None = Field(default=None, ge=1)
    thread: int | None = Field(default=None, ge=1)
    opportunity: int | None = Field(default=None, ge=1)
    contacts_pages: int | None = Field(default=None, ge=1, le=100)
    items: int | None = Field(default=None, ge=1, description="the default collection's list under this record "
                              "(apps with top-level lists open their list)")


#: the range of a scenario's clock factor (``Setup.time_scale``; ``harness fuzz --time-scale``)
TIME_SCALE_MIN, TIME_SCALE_MAX = 0.05, 10.0


def scaled_ms(ms: float, factor: float) -> int:
    """A duration in milliseconds at the clock ``factor`` (``Setup.time_scale``): whole, at least 1 ms, and 0
    stays 0 (an app's timer switched off stays off).

    >>> scaled_ms(500, 0.25), scaled_ms(2, 0.1), scaled_ms(0, 0.25)
    (125, 1, 0)
    """
    return 0 if ms == 0 else max(1, round(ms * factor))


class Setup(_Strict):
    seed: SeedSpec = SeedSpec()
    app: AppParams = AppParams()
    token_ttl_s: float | None = Field(default=None, ge=0.1, le=86_400, description="backend access-token lifetime")
    time_scale: float = Field(default=1.0, ge=TIME_SCALE_MIN, le=TIME_SCALE_MAX, description=(
        "the app's clock: its profile's time_parameters (probe, timeouts, backoff) are launched multiplied by "
        "this (0.25: four times faster, as `harness fuzz` explores); 1 = the profile's own values"))
    load: list[LoadTarget | LoadItem] = Field(default_factory=list, description="screens to open online first "
                                              "so that the app caches them")


class DeviceConstraints(_Strict):
    """Which devices the scenario can run on (a farm skips the others, saying why)."""

    kinds: list[Literal["reference", "android", "ios", "remote"]] = Field(
        default_factory=lambda: ["reference", "android", "ios", "remote"])
    policies: list[str] | None = Field(default=None, description="only devices under these background policies")


class Bounds(_Strict):
    """Time bounds for liveness checks, in seconds."""

    detect_s: float = Field(default=10, gt=0)
    first_upload_s: float = Field(default=20, gt=0)
    drain_s: float = Field(default=60, gt=0)
    converge_s: float = Field(default=60, gt=0)
    banner_clear_s: float = Field(default=15, gt=0)
    #: an offline window at least this long is an extended outage (R19); scenarios with the app's timers
    #: shortened (tokens of seconds, backoff capped at 2 s) may call a few seconds long
    long_outage_s: float = Field(default=60, gt=0, le=86_400)


class Expect(_Strict):
    checks: list[Literal[CHECK_NAMES]] | None = Field(  # type: ignore[valid-type]
        default=None, description="checks to run (default: every check that applies)")
    bounds: Bounds = Bounds()
    sync_while_background: bool | None = Field(
        default=None, description="background check: true = the queue must drain while backgrounded, "
                                  "false = nothing may be sent while backgrounded")
    quiescence_s: float = Field(default=2.0, ge=0, le=120, description="no request for this long = quiet")
    settle_timeout_s: float = Field(default=45, gt=0, le=3600, description="bound on reaching quiescence")


#: a tag becomes a pytest marker (harness run -m TAG): pytest refuses an empty name or one starting with '_'
#: (an IndexError or AttributeError at collection), and a space or ':' could never be selected
Tag = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$", max_length=80)]


class Header(_Strict):
    """Everything in a scenario file except its steps (validated by pydantic; steps by the registry)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)
    title: str = Field(min_length=1)
    requirements: list[str] = Field(min_length=1)
    tags: list[Tag] = Field(default_factory=list, description="pytest markers: -m TAG selects the scenario")
    device: DeviceConstraints = DeviceConstraints()
    setup: Setup = Setup()
    steps: list[Any] = Field(min_length=1)
    expect: Expect = Expect()
    bugs: list[str] = Field(default_factory=list, description="bugs of the app's catalogue that were on when this was found "
                            "(exported regressions; documentation only: replay with --bugs)")


@dataclass(frozen=True)
class Step:
    """One validated step: its registry name, its typed parameters, where it came from."""

    name: str
    params: StepModel
    line: int | None = None
    index: int = 0  # position in the file's steps list

    def as_yaml(self) -> Any:
        """The step as it would be written in a scenario file (used by the exporter)."""
        data = self.params.model_dump(by_alias=True, exclude_defaults=True, exclude_none=True)
        return {self.name: data} if data else self.name


@dataclass(frozen=True)
class Scenario:
    """A validated scenario, ready to run."""

    id: str
    title: str
    requirements: tuple[str, ...]
    tags: tuple[str, ...]
    device: DeviceConstraints
    setup: Setup
    steps: tuple[Step, ...]
    expect: Expect
    bugs: tuple[str, ...] = ()
    path: Path | None = None
    labels: dict[str, int] = field(default_factory=dict)  # label -> index of the step that made it

    def to_yaml_data(self) -> dict[str, Any]:
        """A plain structure that the loader would load back to an equal scenario."""
        return {
            "id": self.id,
            "title": self.title,
            "requirements": list(self.requirements),
            "tags": list(self.tags),
            "bugs": list(self.bugs),
            "setup": self.setup.model_dump(mode="json", exclude_defaults=True),
            "steps": [s.as_yaml() for s in self.steps],
            "expect": self.expect.model_dump(mode="json", exclude_defaults=True),
        }


__all__ = ["AppParams", "Bounds", "CHECK_NAMES", "DeviceConstraints", "Expect", "Header", "LoadItem", "Scenario",
           "SeedSpec", "Setup", "Step"]
