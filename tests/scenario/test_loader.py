"""The scenario loader: good files load; each broken file is rejected with file:line, field, value and fix."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest

from harness.errors import UserError
from harness.scenario import schema
from harness.scenario.loader import ScenarioInvalid, load_all, load_scenario, load_text

HEAD = "id: s1\ntitle: a scenario\nrequirements: [R9]\n"


def _load(body: str, name: str = "bad.yaml") -> ScenarioInvalid:
    with pytest.raises(ScenarioInvalid) as info:
        load_text(textwrap.dedent(body), name)
    return info.value


# (name, file text, line, expected fragments of the message)
BROKEN = [
    ("yaml syntax", "id: x\n  title: [\n", 2, ["valid YAML"]),
    ("not a mapping", "- just\n- a list\n", 1, ["a mapping with id, title"]),
    ("missing id", "title: t\nrequirements: [R1]\nsteps: [offline]\n", None, ["id:", "required", "add id"]),
    ("missing steps", "id: x\ntitle: t\nrequirements: [R1]\n", None, ["steps", "required"]),
    ("empty steps", HEAD + "steps: []\n", 4, ["steps", "at least 1"]),
    ("bad id", "id: Has Spaces\ntitle: t\nrequirements: [R1]\nsteps: [offline]\n", 1, ["id: 'Has Spaces'"]),
    ("unknown top field", HEAD + "stepz: [offline]\nsteps: [offline]\n", 4, ["stepz", "did you mean 'steps'"]),
    ("unknown requirement", "id: x\ntitle: t\nrequirements: [R9, R42]\nsteps: [offline]\n", 3,
     ["requirements[1]", "'R42'", "R1..R27"]),
    ("unknown step", HEAD + "steps:\n  - offline\n  - add_notes: 3\n", 6, ["steps[1]", "'add_notes'",
                                                                          "did you mean 'add_note'"]),
    ("step with two names", HEAD + "steps:\n  - {offline: {}, online: {}}\n", 5, ["exactly one step name"]),
    ("unknown step field", HEAD + "steps:\n  - add_note: {contact: 3, colour: red}\n", 5,
     ["steps[0].add_note.colour", "unknown field"]),
    ("negative duration", HEAD + "steps:\n  - outage: {duration_s: -5}\n", 5,
     ["steps[0].outage.duration_s", "-5", "greater than 0"]),
    ("flap missing cycles", HEAD + "steps:\n  - flap: {up_s: 1, down_s: 1}\n", 5,
     ["steps[0].flap.cycles", "required", "add cycles"]),
    ("bad offline via", HEAD + "steps:\n  - offline: satellite\n", 5, ["steps[0].offline.via", "'satellite'",
                                                                        "airplane"]),
    ("bad stage", HEAD + "steps:\n  - edit_opportunity: {opportunity: 1, stage: maybe}\n", 5,
     ["stage", "'maybe'", "'qualified'"]),
    ("status out of range", HEAD + "steps:\n  - http_status: {status: 700}\n", 5, ["status", "700", "599"]),
    ("rate above one", HEAD + "steps:\n  - drop_response: {rate: 1.5}\n", 5, ["rate", "1.5"]),
    ("contact beyond seed", HEAD + "setup:\n  seed: {contacts: 10}\nsteps:\n  - open_contact: 11\n", 7,
     ["steps[0].open_contact.contact", "11", "1..10"]),
    ("unknown label", HEAD + "steps:\n  - add_note: {contact: 1, as: n1}\n  - expect_item: {as: n2, state: synced}\n",
     6, ["expect_item.as", "'n2'", "(n1)"]),
    ("duplicate label", HEAD + "steps:\n  - add_note: {contact: 1, as: n1}\n  - add_note: {contact: 2, as: n1}\n", 6,
     ["'n1'", "not used before"]),
    ("bad item state", HEAD + "steps:\n  - add_note: {contact: 1, as: n1}\n  - expect_item: {as: n1, state: done}\n",
     6, ["state", "'done'", "'pending'"]),
    ("bad app timer", HEAD + "setup:\n  app: {probe_ms: 5}\nsteps: [offline]\n", 5, ["setup.app.probe_ms", "5"]),
    ("unknown app param", HEAD + "setup:\n  app: {prob_ms: 500}\nsteps: [offline]\n", 5,
     ["setup.app.prob_ms", "did you mean 'probe_ms'"]),
    ("bad load target", HEAD + "setup:\n  load: [inbox]\nsteps: [offline]\n", 5, ["setup.load[0]", "'inbox'"]),
    ("unknown check", HEAD + "steps: [offline]\nexpect:\n  checks: [ordering, vibes]\n", 6,
     ["expect.checks[1]", "'vibes'", "'exactly_once'"]),
    ("scalar for mapping-only step", HEAD + "steps:\n  - flap: 3\n", 5, ["flap", "mapping of fields"]),
    ("unknown policy", HEAD + "steps:\n  - background: {policy: xiaomi_kill}\n", 5,
     ["steps[0].background.policy", "'xiaomi_kill'", "did you mean 'xiaomi_killer'"]),
    ("unknown profile", HEAD + "steps:\n  - profile: 5g-turbo\n", 5, ["steps[0].profile", "'5g-turbo'"]),
    ("unknown condition", HEAD + "steps:\n  - condition: {type: packet_loss}\n", 5,
     ["steps[0].condition", "'packet_loss'", "latency"]),
    ("bad condition parameter", HEAD + "steps:\n  - condition: {type: latency, latency_ms: -3}\n", 5,
     ["latency_ms", "-3"]),
    ("bad path pattern", HEAD + "steps:\n  - drop_response: {path: 'api/[notes'}\n", 5, ["path", "api/[notes"]),
    ("wrong type", HEAD + "steps:\n  - wait: soon\n", 5, ["steps[0].wait.s", "'soon'", "number"]),
]


@pytest.mark.parametrize("name,text,line,fragments", BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_file_is_rejected_with_location_and_fix(name: str, text: str, line: int | None,
                                                       fragments: list[str]) -> None:
    err = _load(text)
    message = str(err)
    assert "nothing was run" in message
    first = err.errors[0]
    assert first.file == "bad.yaml"
    if line is not None:
        assert any(e.line == line for e in err.errors), message
        assert f"bad.yaml:{line}:" in message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in:\n{message}"


def test_every_error_in_a_file_is_reported_at_once() -> None:
    err = _load(HEAD + "steps:\n  - add_notes: 1\n  - outage: {duration_s: -1}\n  - wait: {s: 0}\n")
    assert [e.line for e in err.errors] == [5, 6, 7]


def test_good_file_loads_with_shorthands_and_labels() -> None:
    s = load_text(HEAD + textwrap.dedent("""\
        tags: [notes]
        setup:
          seed: {seed: 7, contacts: 20}
          load: [dashboard, {contact: 3}, calendar]
        steps:
          - offline
          - add_note: {contact: 3, as: n1}
          - profile: 3g
          - expect_item: {as: n1, state: pending}
          - online
          - wait_synced: 30
        """), "good.yaml")
    assert [st.name for st in s.steps] == ["offline", "add_note", "profile", "expect_item", "online", "wait_synced"]
    assert s.steps[0].params.via == "airplane"  # type: ignore[attr-defined]
    assert s.labels == {"n1": 1}
    assert s.steps[1].line == 10
    assert s.setup.seed.seed == 7


def test_round_trip_through_yaml_data() -> None:
    from ruamel.yaml import YAML
    import io

    s = load_text(HEAD + "steps:\n  - offline: link\n  - add_note: {contact: 2, as: a}\n  - online\n")
    out = io.StringIO()
    YAML().dump(s.to_yaml_data(), out)
    again = load_text(out.getvalue())
    assert [(x.name, x.params) for x in again.steps] == [(x.name, x.params) for x in s.steps]


def test_load_all_validates_every_file_before_raising(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(HEAD + "steps: [offline]\n")
    (tmp_path / "b.yaml").write_text(HEAD.replace("s1", "s2") + "steps: [offlin]\n")
    (tmp_path / "c.yaml").write_text(HEAD.replace("s1", "s3") + "steps: [{wait: -1}]\n")
    with pytest.raises(ScenarioInvalid) as info:
        load_all([tmp_path])
    files = {Path(e.file).name for e in info.value.errors if e.file}
    assert files == {"b.yaml", "c.yaml"}


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(HEAD + "steps: [offline]\n")
    (tmp_path / "b.yaml").write_text(HEAD + "steps: [online]\n")
    with pytest.raises(UserError, match="also used by"):
        load_all([tmp_path])


def test_missing_path_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such scenario"):
        load_all([tmp_path / "nope"])
    with pytest.raises(UserError, match="cannot read"):
        load_scenario(tmp_path / "nope.yaml")


def test_published_schema_is_current_and_valid() -> None:
    assert schema.SCHEMA_PATH.read_text() == schema.render(), "run: python -m harness.scenario.schema"
    sch = json.loads(schema.render())
    jsonschema.Draft202012Validator.check_schema(sch)
    v = jsonschema.Draft202012Validator(sch)
    good = {"id": "x", "title": "t", "requirements": ["R1"],
            "steps": ["offline", {"add_note": {"contact": 3, "as": "n1"}}, {"profile": "3g"}]}
    assert not list(v.iter_errors(good))
    assert list(v.iter_errors({**good, "steps": [{"add_notes": 1}]}))


def test_shipped_scenarios_all_load() -> None:
    from harness.paths import SCENARIOS

    if not any(SCENARIOS.rglob("*.yaml")):
        pytest.skip("no scenarios shipped yet")
    assert load_all([SCENARIOS])


def test_step_reference_in_docs_is_current() -> None:
    from harness.scenario.reference import DOC, updated

    text = DOC.read_text()
    assert updated(text) == text, "run: python -m harness.scenario.reference"


def test_a_listed_requirement_no_chosen_check_judges_is_rejected() -> None:
    err = _load(HEAD.replace("[R9]", "[R5, R24]") + "steps: [offline]\nexpect:\n  checks: [ordering]\n")
    assert "requirements[1]" in str(err) and "'R24'" in str(err) and "add liveness to expect.checks" in str(err)


def test_a_requirement_an_always_on_check_judges_needs_no_check_named() -> None:
    # detection judges every offline window of every run (R1, R4, R19), whatever expect.checks names
    s = load_text(HEAD.replace("[R9]", "[R5, R4]") + "steps: [offline]\nexpect:\n  checks: [ordering]\n", "ok.yaml")
    assert s.requirements == ("R5", "R4")


BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdef", "bcdefg"))


@pytest.mark.parametrize(("text", "expected"), [
    (BOMB + "id: x\n", "aliases are expanded"),
    ("base: &base\n  a: 1\n  <<: *base\nid: x\n", "(yaml)"),
    ("id: " + "9" * 5000 + "\n", "ordinary values"),
    (HEAD + "steps:\n  - flap: {up_s: 3600, down_s: 3600, cycles: 1000}\nexpect: {checks: [liveness]}\n", "at most 3600 s"),
    (HEAD + "steps:\n  - hold\n  - wait_synced: 10\nexpect: {checks: [liveness]}\n", "add '- release'"),
])
def test_hostile_or_impossible_files_are_rejected_before_anything_runs(text: str, expected: str) -> None:
    err = _load(text)
    assert expected in str(err), str(err)


@pytest.mark.parametrize("data", [b"\x00\x01\x02binary", b"id: caf\xe9\n", b"id: x\n" + b"#" * 1_100_000])
def test_binary_non_utf8_and_huge_scenario_files_are_user_errors(tmp_path: Path, data: bytes) -> None:
    p = tmp_path / "bad.yaml"
    p.write_bytes(data)
    with pytest.raises(UserError) as ei:
        load_all([p])
    assert str(p) in str(ei.value)
