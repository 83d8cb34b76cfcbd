"""The scenario loader on files far from what anyone writes: it answers quickly, in a message one can read."""

from __future__ import annotations

import pytest

from harness.scenario.loader import ScenarioInvalid, load_text

HEAD = "id: x\ntitle: t\nrequirements: [R9]\n"


def test_a_thousand_errors_are_all_kept_and_the_first_thirty_listed() -> None:
    # every step refers to a label nothing made: one error each; the message was 170 kB, one line per step
    body = HEAD + "steps:\n" + "  - {expect_item: {as: zz, state: pending}}\n" * 1000
    with pytest.raises(ScenarioInvalid) as ei:
        load_text(body, "many.yaml")
    err = ei.value
    assert len(err.errors) == 1000
    lines = str(err).splitlines()
    assert lines[0] == "many.yaml: 1000 errors; nothing was run"
    assert len(lines) == 1 + 30 + 1 and lines[-1] == "  ... and 970 more"
    assert lines[1].startswith("  many.yaml:5: steps[0].expect_item.as: 'zz'")
