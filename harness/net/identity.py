"""Write identity: how one write of the app is recognised on the wire, so a retry and a duplicate differ.

An app profile's ``identity`` names it: a request header (an idempotency
key), or a JSON path into the body (``docs[]._id``, with ``docs[]._rev``
beside it: each document of a CouchDB/PouchDB ``_bulk_docs`` write is one
identity ``id@rev``), or nothing (then the harness's markers in the content
are the only identity). The addon records, per request, the identities it
carries (``keys``) and, for bulk writes, which identity carries which
marker (``marker_keys``), since a retry may batch documents differently.

>>> ident = parse_identity({"json_path": "docs[]._id", "revision_path": "docs[]._rev"})
>>> body = b'{"docs": [{"_id": "a", "_rev": "1-x", "t": "hx0000000001"}]}'
>>> write_keys(ident, {}, body)
(['a@1-x'], {'hx0000000001': 'a@1-x'})
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping

from harness.markers import find_markers
from harness.net.jsonpath import split_list_path, values_at


@dataclass(frozen=True)
class WriteIdentity:
    header: str | None = None
    json_path: str | None = None
    revision_path: str | None = None

    @property
    def kind(self) -> str:
        return "header" if self.header else ("json_path" if self.json_path else "markers")


def parse_identity(spec: Mapping[str, Any] | None) -> WriteIdentity:
    """From the profile's ``identity`` (or its JSON form on the addon's command line)."""
    spec = spec or {}
    return WriteIdentity(header=spec.get("header") or None, json_path=spec.get("json_path") or None,
                         revision_path=spec.get("revision_path") or None)


def write_keys(ident: WriteIdentity, headers: Mapping[str, str], body: bytes) -> tuple[list[str], dict[str, str]]:
    """The identities a request carries, and marker -> identity for the part of the body holding each marker."""
    if ident.header:
        value = _header(headers, ident.header)
        return ([value], {}) if value else ([], {})
    if not ident.json_path or not body or body.lstrip()[:1] not in (b"{", b"["):
        return [], {}  # not a JSON document (an upload, a form): not parsed, so the hot path stays cheap
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return [], {}
    list_path, id_path = split_list_path(ident.json_path)
    elements = values_at(doc, list_path) if list_path else [doc]
    rev_inner = split_list_path(ident.revision_path)[1] if ident.revision_path else None
    keys: list[str] = []
    by_marker: dict[str, str] = {}
    for el in elements:
        ids = values_at(el, id_path)
        if not ids or not isinstance(ids[0], (str, int)):
            continue
        key = str(ids[0])
        if rev_inner:
            revs = values_at(el, rev_inner)
            if revs and isinstance(revs[0], (str, int)):
                key += f"@{revs[0]}"
        keys.append(key)
        for m in find_markers(json.dumps(el, default=str)):
            by_marker.setdefault(m, key)
    return keys, by_marker


def _header(headers: Mapping[str, str], name: str) -> str | None:
    getter = getattr(headers, "get", None)
    value = getter(name) if getter is not None else None
    if value is None:
        low = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == low), None)
    return str(value) if value else None


__all__ = ["WriteIdentity", "parse_identity", "write_keys"]
