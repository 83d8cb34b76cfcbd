"""A scenario the harness cannot carry out ends as a harness error, kept apart from verdicts on the app.

The app is the real todo-pouch sample, through the whole lab, with a profile whose list locator matches
nothing (a screen that never comes). Before any step disturbs the network, the device or the server, a
correct app had no reason not to show its list: the run must say "harness error" with its evidence (a
screenshot, the page source, the lab's logs) in result.json, the report and the JUnit file (an
``<error>``, not a ``<failure>``), and exit 2, not 1. After a disturbance the same missing screen is the
app's to answer for: a failed R26 verdict, exit 1.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from harness import paths

POUCH = paths.ROOT / "examples" / "apps" / "todo-pouch"

SCENARIO = """\
id: {id}
title: a list that never comes, {when}
requirements: [R26]
steps:
{steps}
"""


def _broken_profile(tmp: Path) -> Path:
    """todo-pouch's own profile with a list locator that matches nothing and short UI waits."""
    text = (POUCH / "app.yaml").read_text()
    text = text.replace('list: {css: "[data-testid=todo-list]"}', 'list: {css: "[data-testid=no-such-list]"}')
    text = text.replace("command: [node, server.js,", f"command: [node, {POUCH / 'server.js'},")
    text = text.replace("timeouts: {ui_s: 10,", "timeouts: {ui_s: 3,")
    text = text.replace("$schema=../../../harness/app/", f"$schema={paths.ROOT}/harness/app/")
    assert "no-such-list" in text and str(POUCH / "server.js") in text
    path = tmp / "app" / "app.yaml"
    path.parent.mkdir()
    path.write_text(text)
    return path


def _scenario(tmp: Path, sid: str, when: str, steps: list[str]) -> Path:
    path = tmp / f"{sid}.yaml"
    path.write_text(SCENARIO.format(id=sid, when=when, steps="\n".join(f"  - {s}" for s in steps)))
    return path


def test_a_screen_that_never_comes_on_an_untouched_network_is_a_harness_error(tmp_path: Path,
                                                                               harness_run: Any) -> None:
    app = _broken_profile(tmp_path)
    scenario = _scenario(tmp_path, "untouched", "before anything happened", ["add_item: {as: a}", "offline"])
    run = harness_run(tmp_path / "run", str(scenario), "--app", str(app), "--workers", "1")
    assert run.code == 2, run.output[-3000:]
    [result] = run.results()
    assert result["outcome"] == "error" and not result["verdicts"], result
    assert "before anything disturbed" in result["error"] and "HarnessFault" in result["error"]
    files = [Path(f) for f in result["evidence_files"]]
    assert all(f.is_file() for f in files), files
    page = next(f for f in files if f.name.endswith(".page.xml"))
    assert "new-todo" in page.read_text()  # the app's own page, as the device showed it
    assert any(f.name == "mitmproxy.log" for f in files) and any(f.suffix == ".png" for f in files)
    case = ET.parse(run.folder / "junit.xml").getroot().find("testcase")
    assert case is not None and case.find("error") is not None and case.find("failure") is None
    report = (run.folder / "report.html").read_text()
    assert "Harness errors: not verdicts on the app" in report and page.name in report
    assert "1 errors" in run.output and "0 failed" in run.output


def test_the_same_screen_missing_after_the_link_dropped_is_the_apps_failure(tmp_path: Path,
                                                                              harness_run: Any) -> None:
    app = _broken_profile(tmp_path)
    scenario = _scenario(tmp_path, "disturbed", "after the link dropped", ["offline", "add_item: {as: a}"])
    run = harness_run(tmp_path / "run", str(scenario), "--app", str(app), "--workers", "1")
    assert run.code == 1, run.output[-3000:]
    [result] = run.results()
    assert result["outcome"] == "failed"
    failed = [v for v in result["verdicts"] if not v["passed"]]
    assert any(v["check"] == "ui" and "R26" in v["requirement_ids"] for v in failed), failed
