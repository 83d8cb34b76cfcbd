"""report.html, metrics.json and junit.xml from a synthetic run folder."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from harness.report import load_run, render_report, write_junit
from harness.report.html import PLOTLY_JS, build_html, cell

from .runfolder import SECRETS, make_run


@pytest.fixture
def run(tmp_path: Path) -> Path:
    return make_run(tmp_path)


def test_report_has_summary_matrix_plots_and_evidence(run: Path) -> None:
    path = render_report(run)
    html = path.read_text(encoding="utf-8")
    assert path == run / "report.html"
    assert "reference-chromium" in html and "outbox-lifo" in html
    # matrix: R5 passes in one scenario, fails in the other; R11 is not covered by anyone
    row = re.search(r"<tr><td>R5</td>(.*?)</tr>", html, re.S)
    assert row and '"pass"' in row.group(1) and '"fail"' in row.group(1)
    assert re.search(r"<tr><td>R11</td><td>[^<]*</td><td>0</td>", html)
    # one plot per scenario with events, plotly loaded relatively (offline)
    assert html.count('id="plot-notes-') == 2
    assert f'<script src="{PLOTLY_JS}"></script>' in html
    assert "cdn" not in html.lower().split("<body>")[0]
    # the failing check's evidence links to its timeline rows, which exist
    lifo = html.split('id="s-notes-lifo"')[1]
    links = re.findall(r'href="#ev-notes-lifo-(\d+)"', lifo.split("<h3>Timeline</h3>")[0])
    assert links and all(f'id="ev-notes-lifo-{n}"' in lifo for n in links)
    assert "out of order" in lifo
    # ledger and screenshots
    assert "/api/contacts/1/notes" in lifo and "hx0000000002" in lifo
    assert 'src="scenarios/notes-lifo/screenshots/failure.png"' in html


def test_no_credential_reaches_any_output(run: Path) -> None:
    render_report(run)
    write_junit(load_run(run))
    for name in ("report.html", "metrics.json", "junit.xml"):
        text = (run / name).read_text(encoding="utf-8")
        for secret in SECRETS:
            assert secret not in text, (name, secret)
    assert "[REDACTED]" in (run / "report.html").read_text(encoding="utf-8")


def test_plotly_js_written_once(run: Path) -> None:
    render_report(run)
    js = run / PLOTLY_JS
    first = js.stat().st_mtime_ns
    render_report(run)
    assert js.stat().st_mtime_ns == first and js.stat().st_size > 1_000_000


def test_broken_folders_do_not_abort_rendering(run: Path) -> None:
    html = render_report(run).read_text(encoding="utf-8")
    assert 'id="s-torn"' in html and "result.json is unreadable" in html
    assert 'id="s-vanished"' in html and "scenario folder is missing" in html
    assert 'id="s-notes-in-order"' in html
    loaded = {s.id: s for s in load_run(run).scenarios}
    assert loaded["torn"].outcome == "error" and len(loaded["torn"].events) == 1


def test_missing_run_json_still_renders(run: Path) -> None:
    (run / "run.json").unlink()
    html = render_report(run).read_text(encoding="utf-8")
    assert "run.json is missing" in html and 'id="s-notes-lifo"' in html


def test_metrics_json(run: Path) -> None:
    render_report(run)
    m = json.loads((run / "metrics.json").read_text())
    assert m["counts"] == {"passed": 1, "failed": 1, "error": 2, "skipped": 0, "not_applicable": 0}
    lifo = m["scenarios"]["notes-lifo"]
    assert lifo["failed_requirements"] == ["R5"]
    assert lifo["metrics"]["time_to_first_upload_s"] == pytest.approx(1.0)
    assert lifo["metrics"]["time_to_drain_s"] == pytest.approx(2.0)


def test_junit(run: Path) -> None:
    suite = ET.parse(write_junit(load_run(run))).getroot()
    assert suite.get("tests") == "4" and suite.get("failures") == "1" and suite.get("errors") == "2"
    failure = suite.find("testcase[@name='notes-lifo']/failure")
    assert failure is not None and failure.get("message") == "broke R5"


def test_cell_states(run: Path) -> None:
    s = {x.id: x for x in load_run(run).scenarios}
    assert cell(s["notes-lifo"], "R5") == "fail"
    assert cell(s["notes-in-order"], "R5") == "pass"
    assert cell(s["notes-in-order"], "R11") == ""
    assert cell(s["notes-in-order"], "R22") == "pass"


def test_verdicts_fall_back_to_timeline_check_events(run: Path) -> None:
    result = run / "scenarios" / "notes-lifo" / "result.json"
    data = json.loads(result.read_text())
    del data["verdicts"]
    result.write_text(json.dumps(data))
    lifo = next(s for s in load_run(run).scenarios if s.id == "notes-lifo")
    failed = [v for v in lifo.verdicts if not v.passed]
    assert [v.requirement_ids for v in failed] == [("R5",)]
    assert failed[0].evidence and all(e.summary for e in failed[0].evidence)


def test_not_applicable_scenarios_are_reported_with_their_reason(run: Path) -> None:
    d = run / "scenarios" / "needs-search"
    d.mkdir(parents=True)
    reason = "this scenario needs search (search across records); app todo does not have it"
    (d / "result.json").write_text(json.dumps({
        "id": "needs-search", "title": "t", "requirements": ["R17"], "outcome": "not_applicable",
        "skip_reason": reason, "verdicts": []}))
    (d / "timeline.jsonl").write_text("")
    loaded = load_run(run)
    suite = ET.parse(write_junit(loaded)).getroot()
    skipped = suite.find("testcase[@name='needs-search']/skipped")
    assert skipped is not None and skipped.get("message") == "not applicable: " + reason
    assert suite.get("skipped") == "1"
    html = build_html(loaded)
    assert "Not applicable to this app: " + reason in html


def test_the_report_counts_per_requirement_the_moments_judged(tmp_path: Path) -> None:
    from .runfolder import _write_scenario

    pay = {"control": "payment_submit", "feature": "pay", "requirement": "R13"}

    def build(tl: Any) -> None:
        tl.append("run", "scenario.start", t=100.0, data={"id": "x"})
        tl.append("condition", "down", layer="link", t=101.0, data={"action": "apply", "params": {}})
        for t in (101.5, 103.0, 104.0, 105.0):
            tl.append("observation", "watch", layer="app", t=t, data={
                "ready": True, "connectivity": "offline", "offline": True, "t0": t, "t1": t + 0.02,
                "gated": [{**pay, "enabled": False}]})
        tl.append("condition", "down", layer="link", t=106.0, data={"action": "clear"})

    run = tmp_path / "run"
    (run / "scenarios").mkdir(parents=True)
    _write_scenario(run, "pay-form", build, requirements=["R13", "R26"])
    html = build_html(load_run(run))
    row = re.search(r"<tr><td>R13</td><td>[^<]*</td><td>1</td><td>(\d+)</td>", html)
    assert row is not None and row.group(1) == "3"  # 1.5 s after the app showed offline: three reads judged
    render_report(run)
    assert json.loads((run / "metrics.json").read_text())["moments_judged"]["R13"] == 3
