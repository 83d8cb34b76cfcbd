"""A synthetic run folder: a passing scenario, a failing one with evidence, a torn one, a missing one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.checks import run_checks

from checks.factory import crm_context  # tests/ is on sys.path (rootdir-relative packages)
from harness.timeline import Timeline

M1, M2 = "hx0000000001", "hx0000000002"
SECRETS = ("sekrit-token-123", "tok-abc-XYZ", "consolesecret", "refresh-me-456")


def _write_scenario(run: Path, sid: str, build: Any, *, requirements: list[str]) -> dict[str, Any]:
    d = run / "scenarios" / sid
    tl = Timeline.open(d / "timeline.jsonl", scenario=sid)
    build(tl)
    verdicts = run_checks(tl.events, context=crm_context())
    for v in verdicts:
        tl.append("check", v.check, data=v.event_data(), t=tl.events[-1].t + 0.001)
    tl.close()
    failed = any(not v.passed for v in verdicts)
    result = {"id": sid, "title": f"{sid} title", "requirements": requirements, "tags": ["offline"],
              "outcome": "failed" if failed else "passed", "duration_s": 12.5,
              "verdicts": [v.to_dict() for v in verdicts], "error": None}
    (d / "result.json").write_text(json.dumps(result), encoding="utf-8")
    return result


def _notes(order: list[str]) -> Any:
    def build(tl: Timeline) -> None:
        tl.append("run", "scenario.start", t=100.0, data={"id": "x"})
        tl.append("condition", "down", layer="link", t=101.0, data={"action": "apply", "params": {}})
        tl.append("action", "add_note", layer="app", t=102.0, data={"marker": M1, "offline": True, "outcome": "queued"})
        tl.append("action", "add_note", layer="app", t=103.0, data={"marker": M2, "offline": True, "outcome": "queued"})
        tl.append("log", "console", t=103.5, data={"text": '{"access_token": "tok-abc-XYZ"}'})
        tl.append("condition", "down", layer="link", t=110.0, data={"action": "clear"})
        for i, m in enumerate(order):
            tl.append("request", "POST /api/contacts/1/notes", layer="http", t=111.0 + i, data={
                "method": "POST", "path": "/api/contacts/1/notes", "status": 201, "fault": None, "key": f"k{i}",
                "markers": [m], "t_start": 111.0 + i, "t_end": 111.2 + i,
                "headers": {"Authorization": "Bearer sekrit-token-123"}})
        tl.append("request", "POST /api/auth/refresh", layer="http", t=115.0, data={
            "method": "POST", "path": "/api/auth/refresh", "status": 503, "fault": "http_503",
            "body": '{"refresh_token": "refresh-me-456"}'})
    return build


def make_run(root: Path) -> Path:
    run = root / "run-1"
    (run / "scenarios").mkdir(parents=True)
    _write_scenario(run, "notes-in-order", _notes([M1, M2]), requirements=["R5", "R22"])
    _write_scenario(run, "notes-lifo", _notes([M2, M1]), requirements=["R5", "R22"])
    shots = run / "scenarios" / "notes-lifo" / "screenshots"
    shots.mkdir()
    (shots / "failure.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (run / "scenarios" / "notes-lifo" / "console.log").write_text("Authorization: Bearer consolesecret\nok\n")
    torn = run / "scenarios" / "torn"
    torn.mkdir()
    (torn / "result.json").write_text('{"id": "torn", "outcome": "pass')
    (torn / "timeline.jsonl").write_text(
        json.dumps({"seq": 0, "t": 1.0, "kind": "action", "name": "call", "data": {"offline": True}}) + "\n{\"seq\": 1, \"t\"")
    (run / "run.json").write_text(json.dumps({
        "run_id": "run-1", "started": "2024-05-01T10:00:00", "finished": "2024-05-01T10:01:40",
        "device": "reference-chromium", "bugs": ["outbox-lifo"], "seed": 7,
        "argv": ["harness", "run", "scenarios/", "--token", "Bearer sekrit-token-123"],
        "scenarios": ["notes-in-order", "notes-lifo", "torn", "vanished"]}), encoding="utf-8")
    return run
