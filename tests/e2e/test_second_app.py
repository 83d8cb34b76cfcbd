"""The second sample app (todo-pouch: PouchDB syncing to express-pouchdb) through `harness run --app`.

A short suite: the generic scenarios of each kind (queued writes, a kill, a lost response, edits and
deletes, server-side changes, reads offline) and one CRM scenario that must be "not applicable". Every
applicable scenario ends judged by verdicts, never as a harness error, and passes: the app keeps these
promises (its README's findings were fixed in the app), so a failure is a false alarm. The not-applicable
one says why, in result.json and in the JUnit file.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

APP = "examples/apps/todo-pouch"
SHORT_SUITE = ["scenarios/queued/notes-offline.yaml", "scenarios/kill/kill-while-offline.yaml",
               "scenarios/lost_response/lost-after-commit.yaml", "scenarios/queued/edit-delete-offline.yaml",
               "scenarios/outage/server-changes.yaml", "scenarios/reads/items-offline.yaml",
               "scenarios/gating/search-offline.yaml"]


def test_short_suite_on_the_pouchdb_app_is_judged_or_not_applicable(tmp_path: Path, harness_run: Any) -> None:
    run = harness_run(tmp_path / "run", *SHORT_SUITE, "--app", APP, "--seed", "7")
    results = {r["id"]: r for r in run.results()}
    assert set(results) >= {"queued-notes-offline", "gating-search-offline"}, run.output[-3000:]
    errors = {k: r["error"] for k, r in results.items() if r["outcome"] == "error"}
    assert not errors, f"harness errors: {errors}\n{run.output[-3000:]}"
    na = results["gating-search-offline"]
    assert na["outcome"] == "not_applicable" and "search" in na["skip_reason"] and na["app"] == "todo-pouch"
    judged = [r for r in results.values() if r["outcome"] != "not_applicable"]
    assert len(judged) == len(SHORT_SUITE) - 1 and all(r["verdicts"] for r in judged)
    # the checks followed the app's own write identity (document id and revision in a bulk write)
    kinds = {v["check"] for r in judged for v in r["verdicts"]}
    assert {"exactly_once", "ordering", "convergence"} <= kinds
    # the app keeps these promises (its README's finding 1, a lost acknowledgement leaving an item pending for
    # good, is fixed): any failure here is a false alarm of the harness or a regression of the app
    failed = {k: [v["title"] for v in r["verdicts"] if not v["passed"]] for k, r in results.items()
              if r["outcome"] == "failed"}
    assert not failed and run.code == 0, f"{failed}\n{run.output[-3000:]}"
    suite = ET.parse(run.folder / "junit.xml").getroot()
    skipped = [c for c in suite.iter("testcase") if c.find("skipped") is not None]
    assert [c.get("name") for c in skipped] == ["gating-search-offline"]
    assert "not applicable" in (skipped[0].find("skipped").get("message") or "")  # type: ignore[union-attr]
    assert "Not applicable to this app" in (run.folder / "report.html").read_text()
