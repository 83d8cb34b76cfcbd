"""Write identity (harness.net.identity) and the JSON path it shares with the backend hooks: table-driven."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.net.identity import parse_identity, write_keys
from harness.net.jsonpath import split_list_path, values_at

HEADER = {"header": "X-Write-Key"}
BULK = {"json_path": "docs[]._id", "revision_path": "docs[]._rev"}


def _j(doc: Any) -> bytes:
    return json.dumps(doc).encode()


@pytest.mark.parametrize("spec, headers, body, keys", [
    # header kind: the header's value, whatever its case on the wire
    (HEADER, {"X-Write-Key": "k1"}, b"", ["k1"]),
    (HEADER, {"x-write-key": "k2"}, b"{}", ["k2"]),
    (HEADER, {"Other": "v"}, _j({"_id": "a"}), []),
    (HEADER, {"X-Write-Key": ""}, b"", []),
    # json_path kind: a top-level id
    ({"json_path": "_id"}, {}, _j({"_id": "a", "title": "t"}), ["a"]),
    ({"json_path": "_id", "revision_path": "_rev"}, {}, _j({"_id": "a", "_rev": "2-b"}), ["a@2-b"]),
    ({"json_path": "id"}, {}, _j({"id": 7}), ["7"]),
    # json_path kind: every element of a list, with its revision beside it
    (BULK, {}, _j({"docs": [{"_id": "a", "_rev": "1-x"}, {"_id": "b", "_rev": "3-y"}]}), ["a@1-x", "b@3-y"]),
    (BULK, {}, _j({"docs": [{"_id": "a"}, {"title": "no id"}]}), ["a"]),
    ({"json_path": "docs[]._id"}, {}, _j({"docs": [{"_id": "a", "_rev": "1-x"}]}), ["a"]),
    (BULK, {}, _j({"docs": []}), []),
    (BULK, {}, _j({"new_edits": False}), []),
    ({"json_path": "data.items[].key"}, {}, _j({"data": {"items": [{"key": "k"}, {"key": "l"}]}}), ["k", "l"]),
    # bad or missing bodies, and bodies that are no JSON document, carry no identity
    (BULK, {}, b"", []),
    (BULK, {}, b"{not json", []),
    (BULK, {}, b"\xff\xfe\x00", []),
    (BULK, {}, b"title=a&_id=b", []),
    (BULK, {}, b"[1, 2]", []),
    ({"json_path": "_id"}, {}, _j({"_id": {"nested": 1}}), []),
    # markers kind: never a key (the harness's markers in the content are the identity)
    ({}, {"X-Write-Key": "k"}, _j({"_id": "a"}), []),
    (None, {}, _j({"docs": [{"_id": "a"}]}), []),
])
def test_write_keys(spec: dict[str, Any] | None, headers: dict[str, str], body: bytes, keys: list[str]) -> None:
    assert write_keys(parse_identity(spec), headers, body)[0] == keys


@pytest.mark.parametrize("spec, kind", [
    ({"header": "Idem"}, "header"), (BULK, "json_path"), ({}, "markers"), (None, "markers"),
    ({"header": "", "json_path": ""}, "markers"),
])
def test_kind(spec: dict[str, Any] | None, kind: str) -> None:
    ident = parse_identity(spec)
    assert ident.kind == kind
    with pytest.raises(AttributeError):
        ident.header = "x"  # type: ignore[misc]  # frozen


def test_bulk_write_maps_each_marker_to_its_document() -> None:
    body = _j({"docs": [{"_id": "a", "_rev": "1-x", "title": "one hx0000000001"},
                        {"_id": "b", "_rev": "1-y", "title": "two hx0000000002"}]})
    keys, by_marker = write_keys(parse_identity(BULK), {}, body)
    assert keys == ["a@1-x", "b@1-y"]
    assert by_marker == {"hx0000000001": "a@1-x", "hx0000000002": "b@1-y"}


@pytest.mark.parametrize("doc, path, values", [
    ({"docs": [{"_id": "a"}, {"_id": "b"}]}, "docs[]._id", ["a", "b"]),
    ({"rows": [{"doc": {"t": 1}}, {"doc": {"t": 2}}]}, "rows[].doc", [{"t": 1}, {"t": 2}]),
    ({"rows": [{"doc": {"t": 1}}]}, "rows[].doc.t", [1]),
    ({"a": [[1, 2], [3]]}, "a[][]", [1, 2, 3]),
    ({"a": [10, 20, 30]}, "a[1]", [20]),
    ({"a": [10]}, "a[5]", []),
    ({"_id": "x"}, "_id", ["x"]),
    ({"a": {"b": None}}, "a.b", [None]),
    ({"a": 1}, "missing", []),
    ({"a": 1}, "a[]", []),
    ([{"id": 1}, {"id": 2}], "[].id", [1, 2]),
])
def test_values_at(doc: Any, path: str, values: list[Any]) -> None:
    assert values_at(doc, path) == values


@pytest.mark.parametrize("path, parts", [
    ("docs[]._id", ("docs[]", "_id")), ("_id", ("", "_id")), ("a[].b[].c", ("a[].b[]", "c")), ("rows[]", ("rows[]", "")),
])
def test_split_list_path(path: str, parts: tuple[str, str]) -> None:
    assert split_list_path(path) == parts
