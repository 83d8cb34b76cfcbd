"""A shrunk failing sequence -> a scenario file that ``harness run`` replays to the same verdict.

The exported scenario is the fuzz scenario's setup, exactly the shrunk
steps, and a final ``wait_synced`` (so the replay, like the sequence, ends
after reconnection and quiescence). It is validated by the loader before it
is written, and written only if it loads back to the same steps. Markers
are deterministic: the runner draws them from ``random.Random(f"{seed}:{id}")``,
so ``harness run FILE --seed SEED`` types the same markers every time; the
file names the seed and the bugs in its header comment.

>>> from harness.scenario.steps import parse_step
>>> from harness.scenario.model import Step
>>> sc = scenario_from_steps([Step("offline", parse_step("offline", None))], bugs=("outbox-lifo",),
...                          requirements=("R5",), title="t")
>>> [s.name for s in sc.steps], sc.id.startswith("fuzz-outbox-lifo-")
(['offline', 'wait_synced'], True)
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Sequence

from ruamel.yaml import YAML

from harness import paths
from harness.scenario.loader import load_text
from harness.scenario.model import Bounds, DeviceConstraints, Expect, LoadItem, Scenario, Setup, Step
from harness.scenario.steps import parse_step
from harness.stateful import timescale
from harness.stateful.strategies import SETUP_CONTACTS, SETUP_THREADS

REGRESSIONS = paths.SCENARIOS / "regressions"
#: the steady state every generated sequence starts from (dashboard cached, the setup contacts and thread
#: opened); access tokens live 2 s, so every offline spell (a drop, its banner, an action, a reconnection:
#: >= 2 s) outlives the token in force when it began, as a long outage does (R24), whatever the exact timing
#: of a replay
FUZZ_TOKEN_TTL_S = 2
FUZZ_SETUP = Setup(load=["dashboard", *[LoadItem(contact=c) for c in SETUP_CONTACTS],
                         *[LoadItem(thread=t) for t in SETUP_THREADS]], token_ttl_s=FUZZ_TOKEN_TTL_S)
#: how long an exported sequence waits at its end for an app that cannot say it synced (no pending count)
SETTLE_WAIT_S = 5.0
#: quick quiescence: the reference app's timers are fast, a second of silence is enough (less when the fuzzer
#: runs the app's clock faster: harness.stateful.timescale)
FUZZ_EXPECT = Expect(quiescence_s=timescale.QUIESCENCE_S, settle_timeout_s=45)


def _expect(checks: Sequence[str] | None, setup: Setup | None, bounds: Bounds | None = None) -> Expect:
    update: dict[str, object] = {} if checks is None else {"checks": list(checks)}
    if bounds is not None:
        update["bounds"] = bounds
    factor = setup.time_scale if setup is not None else 1.0
    if factor != 1:
        update["quiescence_s"] = timescale.quiescence_s(factor)
    return FUZZ_EXPECT.model_copy(update=update) if update else FUZZ_EXPECT


def fuzz_scenario(scenario_id: str, *, bugs: Sequence[str] = (), checks: Sequence[str] | None = None,
                  setup: Setup | None = None, bounds: Bounds | None = None) -> Scenario:
    """The scenario a generated sequence runs as (no steps yet); ``checks`` None = every check that applies;
    ``setup``: the app's fuzz vocabulary's (default: the CRM steady state); ``bounds``: its liveness bounds
    (default: the scenario defaults)."""
    return Scenario(id=scenario_id, title="generated sequence", requirements=("R5", "R22", "R25"), tags=("fuzz",),
                    device=DeviceConstraints(), setup=setup or FUZZ_SETUP, steps=(),
                    expect=_expect(checks, setup, bounds), bugs=tuple(bugs))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "no-bugs"


def scenario_from_steps(steps: Iterable[Step], *, bugs: Sequence[str], requirements: Sequence[str], title: str,
                        final_wait_s: float = 30, checks: Sequence[str] | None = None,
                        setup: Setup | None = None, bounds: Bounds | None = None) -> Scenario:
    """The replayable scenario for a shrunk sequence; its id is derived from the steps (stable)."""
    body = list(steps)
    if not body or body[-1].name not in ("wait_synced", "wait"):
        # an app without a pending count cannot say it synced: time passes instead
        body.append(Step("wait_synced", parse_step("wait_synced", final_wait_s)) if final_wait_s > 0
                    else Step("wait", parse_step("wait", SETTLE_WAIT_S)))
    body = [replace(s, index=i, line=None) for i, s in enumerate(body)]
    digest = hashlib.sha256(repr([s.as_yaml() for s in body]).encode()).hexdigest()[:8]
    reqs = tuple(dict.fromkeys(r.upper() for r in requirements)) or ("R22",)
    return Scenario(id=f"fuzz-{_slug('-'.join(bugs))}-{digest}", title=title, requirements=reqs,
                    tags=("fuzz", "regression"), device=DeviceConstraints(kinds=["reference"]),
                    setup=setup or FUZZ_SETUP,
                    steps=tuple(body), expect=_expect(checks, setup, bounds), bugs=tuple(bugs))


def to_yaml_text(scenario: Scenario, *, seed: int | None, replay: str | None = None) -> str:
    """The scenario as a commented YAML document (schema line, how to replay)."""
    yaml = YAML()
    yaml.default_flow_style = None
    yaml.width = 120
    out = io.StringIO()
    yaml.dump(scenario.to_yaml_data(), out)
    head = ["# yaml-language-server: $schema=../scenario.schema.json",
            "# Exported by `harness fuzz` from a shrunk Hypothesis counterexample.",
            f"# bugs: {', '.join(scenario.bugs) or 'none'}; seed: {seed if seed is not None else 'any'}"]
    if replay:
        head.append(f"# replay: {replay}")
    return "\n".join(head) + "\n" + out.getvalue()


def loaded_text(scenario: Scenario, path: Path, *, seed: int | None = None, replay: str | None = None) -> str:
    """``scenario`` as the text of ``path``, once the loader has read it back to the same steps.

    Raises ScenarioInvalid (a UserError naming every problem) when the loader refuses it, ValueError when it
    loads to other steps.
    """
    text = to_yaml_text(scenario, seed=seed, replay=replay)
    loaded = load_text(text, path)
    if [s.as_yaml() for s in loaded.steps] != [s.as_yaml() for s in scenario.steps]:
        raise ValueError(f"{path}: the exported steps do not load back equal")
    return text


def export_scenario(scenario: Scenario, *, seed: int | None, directory: Path | None = None,
                    replay: str | None = None) -> Path:
    """Validate ``scenario`` with the loader (:func:`loaded_text`) and write it as ``<directory>/<id>.yaml``;
    returns the path."""
    folder = directory or REGRESSIONS
    path = folder / f"{scenario.id}.yaml"
    text = loaded_text(scenario, path, seed=seed, replay=replay)
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


__all__ = ["FUZZ_EXPECT", "FUZZ_SETUP", "REGRESSIONS", "export_scenario", "fuzz_scenario", "loaded_text",
           "scenario_from_steps", "to_yaml_text"]
