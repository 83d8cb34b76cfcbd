"""The covering suite: every pair (triple) covered, constraints kept, deterministic, ordinary scenario files."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from harness.app.profile import load_app_profile
from harness.scenario.loader import load_all
from harness.suite.dimensions import for_app
from harness.suite.generate import covering_rows, flow, generate, write_suite


@pytest.fixture(scope="module")
def refapp():  # type: ignore[no-untyped-def]
    return load_app_profile("refapp")


@pytest.fixture(scope="module")
def todo():  # type: ignore[no-untyped-def]
    return load_app_profile("examples/apps/todo-pouch")


def all_allowed_tuples(ad, strength: int) -> set:  # type: ignore[no-untyped-def]
    """Every tuple of values some allowed combination holds, counted here without the generator's help."""
    factors = ad.factors()
    dims = list(factors)
    out = set()
    for combo in itertools.product(*factors.values()):
        row = dict(zip(dims, combo))
        if all(c.allows({d: ad.value(d, k) for d, k in row.items()}) for c in ad.constraints):
            out |= set(itertools.combinations(sorted(row.items()), strength))
    return out


def covered(rows, strength: int) -> set:  # type: ignore[no-untyped-def]
    return {t for r in rows for t in itertools.combinations(sorted(r.items()), strength)}


def test_every_pair_is_covered_for_the_reference_app(refapp) -> None:  # type: ignore[no-untyped-def]
    suite = generate(refapp, strength=2, seed=1)
    need = all_allowed_tuples(suite.dims, 2)
    assert need <= covered(suite.rows, 2)
    assert suite.coverage() == 1.0
    # near the bound: the two largest dimensions (network 9 x lifecycle 8) need 72 at least
    assert 72 <= len(suite.rows) <= 85


def test_strength_3_covers_every_triple(todo) -> None:  # type: ignore[no-untyped-def]
    rows, _ = covering_rows(for_app(todo), 3, seed=1)
    assert all_allowed_tuples(for_app(todo), 3) <= covered(rows, 3)


def test_constraints_are_respected(refapp) -> None:  # type: ignore[no-untyped-def]
    suite = generate(refapp, strength=2, seed=3)
    writes = {v.key for v in suite.dims.values["action"] if "write" in v.traits}
    faults = [r for r in suite.rows if r["network"] in ("lost_response", "backend_errors")]
    assert faults and all(r["action"] in writes for r in faults)
    # a forbidden pair is not required either
    assert (("action", "call"), ("network", "lost_response")) not in suite.required()


def test_values_the_app_cannot_run_never_appear(refapp) -> None:  # type: ignore[no-untyped-def]
    suite = generate(refapp, strength=2, seed=1)
    assert not {r["action"] for r in suite.rows} & {"edit_item", "delete_item"}


def test_the_same_seed_gives_the_same_files(refapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a = write_suite(generate(refapp, strength=2, seed=7), tmp_path / "a")
    b = write_suite(generate(refapp, strength=2, seed=7), tmp_path / "b")
    assert [p.name for p in a] == [p.name for p in b]
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, b))
    assert (tmp_path / "a" / "suite.json").read_text() == (tmp_path / "b" / "suite.json").read_text()


def test_every_file_loads_and_says_what_it_covers(refapp, todo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for profile in (refapp, todo):
        suite = generate(profile, strength=2, seed=1)
        files = write_suite(suite, tmp_path / profile.name)
        scenarios = load_all(files)  # the scenario loader's own validation, ids unique
        assert len(scenarios) == len(suite.rows)
        for s, row in zip(scenarios, suite.rows):
            assert {f"{d}.{k}" for d, k in row.items()} <= set(s.tags)
            assert s.expect.checks is None  # judged by every check that applies
            assert s.requirements
        text = files[0].read_text()
        assert "# combination: " in text and "# first to cover" in text and "# replay: harness run" in text


def test_every_policy_runs_somewhere(refapp) -> None:  # type: ignore[no-untyped-def]
    from harness.device.policies import POLICIES

    suite = generate(refapp, strength=2, seed=1)
    used = {c.variants.get("lifecycle") for c in suite.scenarios}
    assert set(POLICIES) <= used


def test_a_rewrite_replaces_the_old_files(refapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "cover-999-stale.yaml").write_text("id: stale\n")
    (tmp_path / "mine.yaml").write_text("kept: true\n")
    write_suite(generate(refapp, strength=2, seed=1), tmp_path)
    assert not (tmp_path / "cover-999-stale.yaml").exists() and (tmp_path / "mine.yaml").exists()


@pytest.mark.parametrize("value, text", [
    ({"add_item": {"in": 3, "as": "a1"}}, "{add_item: {in: 3, as: a1}}"),
    ("offline", "offline"), ({"expect_banner": {"visible": False}}, "{expect_banner: {visible: false}}"),
    ({"q": "yes"}, '{q: "yes"}'), ({"title": "a: b"}, '{title: "a: b"}'), ([1.5, None], "[1.5, null]"),
])
def test_flow_style(value: object, text: str) -> None:
    assert flow(value) == text


def test_an_app_without_a_banner_or_lifecycle_gets_a_suite_of_what_it_can_run(tmp_path: Path) -> None:
    from harness.app.profile import parse_app_profile

    from .test_dimensions import TINY

    profile = parse_app_profile(TINY, file=tmp_path / "app.yaml")
    suite = generate(profile, strength=2, seed=1)
    files = write_suite(suite, tmp_path / "out")
    steps = [st.name for s in load_all(files) for st in s.steps]
    assert "expect_banner" not in steps and "wait" in steps  # the idle user waits instead of watching a banner
    assert {r["lifecycle"] for r in suite.rows} == {"none"}
    assert suite.coverage() == 1.0


def test_two_values_that_set_one_field_differently_are_an_input_error(tmp_path: Path) -> None:
    from harness.app.profile import parse_app_profile
    from harness.errors import SpecError

    from .test_dimensions import TINY

    (tmp_path / "dimensions.yaml").write_text(
        "dimensions:\n  server:\n    values:\n      quiet:\n        setup: {token_ttl_s: 60}\n")
    profile = parse_app_profile(TINY, file=tmp_path / "app.yaml")
    with pytest.raises(SpecError) as e:
        generate(profile, strength=2, seed=1)
    assert e.value.field == "setup.token_ttl_s" and "dimensions.yaml" in str(e.value.file) and e.value.line


def test_mid_write_begins_the_second_action_before_the_loss_and_submits_it_after(refapp) -> None:  # type: ignore[no-untyped-def]
    suite = generate(refapp, strength=2, seed=1)
    seen = set()
    for c in suite.scenarios:
        if c.row["activity"] != "mid_write":
            continue
        names = [next(iter(s)) if isinstance(s, dict) else s for s in c.data["steps"]]
        if c.row["action"] in ("payment", "workflow", "call", "add_item", "opportunity", "message"):
            # splittable on the reference app: begun online, the network goes, then the last tap
            b, sub = names.index("begin"), names.index("submit")
            assert b < sub and any(n in names[b + 1:sub] for n in (
                "offline", "half_open", "captive_portal", "drop_response", "profile", "http_status"))
            # finished once the app could have noticed the loss (the network value's detect: a banner or a wait),
            # two seconds later (a gated control still enabled then is judged: checks/moments.py's redraw grace)
            # (a detect that is itself a wait is merged with it)
            assert names[sub - 1] == "wait", names
            seen.add("split")
        else:  # upload_photo, search: not splittable, done whole right after the loss
            assert "begin" not in names and "submit" not in names
            seen.add("whole")
    assert seen == {"split", "whole"}
