"""Fast unit tests: conditions, profiles and schedule builders validate eagerly (no processes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.errors import SpecError
from harness.net.conditions import CONDITIONS, Down, HttpStatus, Latency, condition, make_condition
from harness.net.har import to_har
from harness.net.ledger import read_ledger
from harness.net.profiles import PROFILES, ProfileCondition, get_profile
from harness.net.schedule import degrade_recover, flap, outage, sequence, switch_network


@pytest.mark.parametrize("name, params, field, value, allowed", [
    ("earthquake", {}, "condition", "earthquake", "one of bandwidth"),
    ("latency", {"latency_ms": -5}, "latency.latency_ms", -5, ">= 0"),
    ("latency", {"latency_ms": 1.5}, "latency.latency_ms", 1.5, "an integer"),
    ("latency", {"latency_ms": True}, "latency.latency_ms", True, "an integer"),
    ("latency", {"latency_ms": 10, "stream": "sideways"}, "latency.stream", "sideways", "upstream, downstream, both"),
    ("latency", {"latency_ms": 10, "toxicity": 1.5}, "latency.toxicity", 1.5, "<= 1"),
    ("latency", {"latency_ms": 10, "colour": "red"}, "latency.colour", "red", "latency_ms, jitter_ms"),
    ("bandwidth", {"rate_kbps": 0}, "bandwidth.rate_kbps", 0, ">= 0.001"),
    ("timeout", {"timeout_ms": -1}, "timeout.timeout_ms", -1, ">= 1"),
    ("limit_data", {"bytes": 0}, "limit_data.bytes", 0, ">= 1"),
    ("http_status", {"status": 99}, "http_status.status", 99, ">= 100"),
    ("http_status", {"path": "api/*"}, "http_status.path", "api/*", "a glob starting with /"),
    ("http_status", {"path": "(unclosed", "match": "regex"}, "http_status.path", "(unclosed", "valid regular expression"),
    ("http_status", {"match": "exact"}, "http_status.match", "exact", "glob, regex"),
    ("http_status", {"method": "FETCH"}, "http_status.method", "FETCH", "GET"),
    ("hold", {"rate": 2}, "hold.rate", 2, "<= 1"),
    ("hold", {"first_n": 0}, "hold.first_n", 0, ">= 1"),
    ("hold", {"first_n": 1, "rate": 0.5}, "hold.first_n", 1, "choose rate or first_n"),
    ("http_delay", {"delay_ms": -1}, "http_delay.delay_ms", -1, ">= 0"),
    ("profile", {"name": "6g"}, "profile", "6g", "one of 100-loss"),
])
def test_bad_specs_name_field_value_and_allowed(name: str, params: dict[str, Any], field: str, value: Any,
                                                allowed: str) -> None:
    with pytest.raises(SpecError) as ei:
        make_condition(name, params)
    e = ei.value
    assert e.field == field and e.value == value and allowed in e.allowed
    assert repr(value) in str(e) and field in str(e)


@pytest.mark.parametrize("name, params", [
    ("down", {}), ("offline", {}), ("latency", {"latency_ms": 0}), ("bandwidth", {"rate_kbps": 14.4}),
    ("half_open", {}), ("reset_peer", {"timeout_ms": 100}), ("slow_close", {"delay_ms": 1}),
    ("slicer", {}), ("limit_data", {"bytes": 1}), ("timeout", {"timeout_ms": 1}),
    ("http_status", {"status": 503, "first_n": 3}), ("http_delay", {"delay_ms": 0, "rate": 0.0}),
    ("drop_response", {"method": "post", "path": "/api/*"}), ("refuse", {}), ("captive_portal", {}),
    ("hold", {"path": "^/api/(notes|files)$", "match": "regex"}), ("profile", {"name": "3g"}),
])
def test_good_specs(name: str, params: dict[str, Any]) -> None:
    c = make_condition(name, params)
    assert c.kind in CONDITIONS and c.layer in ("link", "http")
    assert make_condition(c.kind, c.params()) == c  # round-trips through params (what the addon receives)


@pytest.mark.parametrize("method, path, cond, hit", [
    ("POST", "/api/contacts/7/notes", HttpStatus(path="/api/contacts/*/notes"), True),
    ("POST", "/api/contacts/7/notes?x=1", HttpStatus(path="/api/contacts/*/notes"), True),
    ("GET", "/api/contacts/7", HttpStatus(path="/api/contacts/*/notes"), False),
    ("GET", "/api/x", HttpStatus(method="POST"), False),
    ("get", "/api/x", HttpStatus(method="GET"), True),
    ("GET", "/api/search", HttpStatus(path="search", match="regex"), True),
])
def test_matching(method: str, path: str, cond: HttpStatus, hit: bool) -> None:
    assert cond.matches(method, path) is hit


def test_header_matcher_needs_the_header_whatever_its_case() -> None:
    keyed = HttpStatus(header="Idempotency-Key")
    assert keyed.matches("POST", "/api/x", {"idempotency-key": "k1"})
    assert not keyed.matches("POST", "/api/x", {"Authorization": "Bearer t"})
    assert not keyed.matches("POST", "/api/x")
    assert HttpStatus().matches("POST", "/api/x")  # no header asked: headers are not looked at


@pytest.mark.parametrize("bad", ["", "Idempotency Key", "X:Y", 7])
def test_a_bad_header_name_is_named(bad: object) -> None:
    with pytest.raises(SpecError, match="header"):
        make_condition("drop_response", {"header": bad})


def test_stream_both_makes_one_toxic_per_direction() -> None:
    assert [t.stream for t in Latency(latency_ms=1, stream="both").toxics()] == ["upstream", "downstream"]
    assert Down().toxics() == () and Down().disables_link


def test_duplicate_registration_is_an_error() -> None:
    with pytest.raises(ValueError, match="already registered"):
        condition("latency", layer="link")(type("X", (), {}))


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_profile_is_sourced_and_builds(name: str) -> None:
    p = get_profile(name)
    assert p.source
    assert ProfileCondition(name=name).toxics() or name == "full"


def test_loss_becomes_its_tcp_visible_effect() -> None:
    types = {(t.type, t.stream) for t in ProfileCondition(name="very-bad-network").toxics()}
    assert ("reset_peer", "downstream") in types
    assert [t.type for t in ProfileCondition(name="100-loss").toxics()] == ["timeout", "timeout"]


@pytest.mark.parametrize("build, field, value", [
    (lambda: flap(up_s=-1, down_s=1, cycles=1), "flap.up_s", -1),
    (lambda: flap(up_s=1, down_s=1, cycles=0), "flap.cycles", 0),
    (lambda: outage(duration_s=-2), "outage.duration_s", -2),
    (lambda: switch_network(blackout_s=-0.5), "switch_network.blackout_s", -0.5),
    (lambda: degrade_recover(profiles=("3g", "9g")), "profile", "9g"),
    (lambda: sequence(outage(duration_s=1), gap_s=-1), "sequence.gap_s", -1),
])
def test_bad_schedules(build: Any, field: str, value: Any) -> None:
    with pytest.raises(SpecError) as ei:
        build()
    assert ei.value.field == field and ei.value.value == value


def test_schedule_builders() -> None:
    f = flap(up_s=2, down_s=1, cycles=3, jitter_s=0.5, seed=4)
    assert f.transitions == flap(up_s=2, down_s=1, cycles=3, jitter_s=0.5, seed=4).transitions
    assert f.transitions[-1].conditions == ()
    s = sequence(outage(duration_s=1), switch_network(blackout_s=2), gap_s=0.5)
    assert [round(t.at_s, 3) for t in s.transitions] == [0, 1, 1.5, 1.55, 3.55]
    assert [t.state for t in degrade_recover(profiles=("3g", "edge", "gprs"), step_s=1).transitions] == [
        "3g", "edge", "gprs", "edge", "3g", "up"]


def test_ledger_reader_and_har(tmp_path: Path) -> None:
    rows = [
        {"seq": 2, "t_start": 2.0, "t_end": 2.5, "method": "POST", "host": "h", "port": 80, "path": "/n",
         "status": 201, "fault": "drop_response", "key": "k", "req_size": 3, "req_sha256": "x", "markers": [],
         "wall_start": 1700000000.0},
        {"seq": 1, "t_start": 1.0, "t_end": 1.1, "method": "GET", "host": "h", "port": 8080, "path": "/a?q=1",
         "status": 200, "fault": None, "key": None, "req_size": 0, "req_sha256": "y", "markers": ["hx0123456789"]},
    ]
    f = tmp_path / "ledger.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n{\"torn")
    entries = read_ledger(f)
    assert [e.seq for e in entries] == [1, 2] and entries[0].name == "GET /a"
    assert not entries[1].delivered and entries[0].delivered
    har = to_har(entries)["log"]["entries"]
    assert har[0]["request"]["url"] == "http://h:8080/a?q=1" and har[0]["request"]["queryString"][0]["name"] == "q"
    assert har[1]["response"]["status"] == 0 and "drop_response" in har[1]["response"]["statusText"]
