"""The reference model: connectivity, caching, the queue and what each feature must do offline."""

from __future__ import annotations

import pytest

from harness.stateful.model import RefModel


def model() -> RefModel:
    return RefModel(contacts=(1, 2, 3, 4), opportunity_owner={1: 1, 2: 3}, cached_contacts={1, 2})


@pytest.mark.parametrize("steps, online", [
    ([("offline", {"via": "airplane"})], False),
    ([("offline", {"via": "link"}), ("online", {})], True),
    ([("half_open", {}), ("online", {})], False),
    ([("half_open", {}), ("reset_network", {})], True),
    ([("captive_portal", {}), ("offline", {"via": "airplane"}), ("reset_network", {})], False),
    ([("offline", {"via": "airplane"}), ("reset_network", {})], False),
    ([("flap", {"up_s": 1, "down_s": 1, "cycles": 2})], True),
])
def test_connectivity(steps: list[tuple[str, dict[str, object]]], online: bool) -> None:
    m = model()
    for name, params in steps:
        m.apply(name, params)
    assert m.online is online


def test_offline_writes_need_cached_records() -> None:
    m = model()
    assert m.usable_contacts() == [1, 2, 3, 4]
    m.apply("offline", {"via": "link"})
    assert m.usable_contacts() == [1, 2]
    assert m.usable_opportunities() == [1]  # opportunity 2 belongs to contact 3, never opened


def test_opening_online_caches() -> None:
    m = model()
    m.apply("open_contact", {"contact": 3})
    m.apply("offline", {"via": "airplane"})
    assert m.usable_contacts() == [1, 2, 3] and m.usable_opportunities() == [1, 2]
    m.apply("open_contact", {"contact": 4})  # offline: not cached by looking
    assert 4 not in m.usable_contacts()


def test_queue_order_and_item_states() -> None:
    m = model()
    m.apply("add_note", {"contact": 1, "as": "n1"})
    m.apply("offline", {"via": "airplane"})
    m.apply("add_note", {"contact": 2, "as": "n2"})
    m.apply("edit_opportunity", {"opportunity": 1, "as": "o3"})
    assert [q.label for q in m.pending()] == ["n2", "o3"]
    assert m.expected_item_state("n2") == "pending"
    assert m.expected_item_state("n1") is None  # made online, now offline: racy, not judged
    m.apply("online", {})
    assert m.pending() == []
    assert m.expected_item_state("n2") == "synced" and m.expected_item_state("n1") == "synced"


def test_an_opportunity_edit_superseded_by_a_later_edit_is_not_looked_for() -> None:
    m = model()
    m.apply("offline", {"via": "link"})
    m.apply("edit_opportunity", {"opportunity": 1, "as": "o1"})
    m.apply("online", {})
    m.apply("edit_opportunity", {"opportunity": 2, "as": "o2"})
    assert m.expected_item_state("o1") == "synced"  # another opportunity: o1 still shows
    m.apply("edit_opportunity", {"opportunity": 1, "as": "o3"})
    assert m.expected_item_state("o1") is None and m.expected_item_state("o3") == "synced"


@pytest.mark.parametrize("action, behaviour", [
    ("add_note", "queued"), ("send_sms", "queued"), ("call", "unavailable"), ("pay", "unavailable"),
    ("run_workflow", "unavailable"), ("open_contact", "cached"), ("search", "limited"),
])
def test_offline_behaviour(action: str, behaviour: str) -> None:
    m = model()
    assert m.behaviour(action) == "done"
    m.apply("offline", {"via": "backend"})
    assert m.behaviour(action) == behaviour


def test_messages_unavailable_when_the_app_does_not_queue_them() -> None:
    m = RefModel(contacts=(1,), opportunity_owner={}, queue_messages=False)
    m.apply("offline", {"via": "airplane"})
    assert m.behaviour("send_email") == "unavailable"


def test_labels_are_unique_and_typed() -> None:
    m = model()
    assert m.next_label("add_note") == "n1"
    m.apply("add_note", {"contact": 1})
    assert m.next_label("upload_photo") == "p2" and m.next_label("send_email") == "e2"


def test_threads_opened_online_are_loaded_offline_ones_are_not() -> None:
    m = model()
    m.apply("open_thread", {"conversation": 2, "earlier_pages": 0})
    m.apply("offline", {"via": "link"})
    m.apply("open_thread", {"conversation": 3, "earlier_pages": 0})
    assert m.loaded_threads == {2}
