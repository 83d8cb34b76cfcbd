"""Hypothesis exploration: generated action sequences under generated network and OS conditions.

The state machine (:mod:`harness.stateful.machine`) drives the same lab,
device, app model and checks as scenario files; a failing sequence is
shrunk by Hypothesis and exported (:mod:`harness.stateful.exporter`) as a
scenario under ``scenarios/regressions/`` that ``harness run`` replays.

>>> from harness.stateful import FuzzOptions
>>> FuzzOptions(device="reference-unrestricted").settings_profile
'ci'
"""

from __future__ import annotations

from harness.stateful.exporter import export_scenario, scenario_from_steps
from harness.stateful.fuzz import FuzzOptions, FuzzOutcome, fuzz
from harness.stateful.model import RefModel
from harness.stateful.settings import PROFILES, load_profile

__all__ = ["FuzzOptions", "FuzzOutcome", "PROFILES", "RefModel", "export_scenario", "fuzz", "load_profile",
           "scenario_from_steps"]
