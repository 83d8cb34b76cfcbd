"""Credential redaction for everything the harness writes down.

Ledgers, HAR files, timelines and reports end up attached to bug reports and
CI artifacts, so Authorization headers, cookies, tokens and passwords are
replaced by ``[REDACTED]`` before they are written anywhere. One module so
the mitmproxy addon, the HAR export and the report agree.

>>> redact_headers({"Authorization": "Bearer abc", "Accept": "x"})
{'Authorization': '[REDACTED]', 'Accept': 'x'}
>>> redact_text('{"access_token": "abc.def", "x": 1}')
'{"access_token": "[REDACTED]", "x": 1}'
"""

from __future__ import annotations

import re
from typing import Any, Mapping

REDACTED = "[REDACTED]"

SENSITIVE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token", "x-csrf-token"}
)
SENSITIVE_KEYS = frozenset(
    {"access_token", "refresh_token", "id_token", "token", "password", "passwd", "secret", "api_key", "apikey",
     "authorization", "cookie", "client_secret"}
)

_JSON_PAIR = re.compile(
    r'("(?P<key>[A-Za-z_\-]+)"\s*:\s*)"(?P<val>(?:[^"\\]|\\.)*)"'
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]+")
_QUERY = re.compile(r"(?i)([?&](?:access_token|refresh_token|token|password|api_key)=)[^&#\s]*")


def is_sensitive_header(name: str) -> bool:
    return name.lower() in SENSITIVE_HEADERS


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` with credential headers replaced."""
    return {k: (REDACTED if is_sensitive_header(k) else v) for k, v in headers.items()}


def redact_text(text: str) -> str:
    """Redact JSON token/password fields, bearer credentials and token query parameters in free text."""

    def _pair(m: re.Match[str]) -> str:
        if m.group("key").lower() in SENSITIVE_KEYS:
            return f'{m.group(1)}"{REDACTED}"'
        return m.group(0)

    text = _JSON_PAIR.sub(_pair, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return _QUERY.sub(lambda m: m.group(1) + REDACTED, text)


def redact_obj(obj: Any) -> Any:
    """Recursively redact a JSON-like structure (dict keys named like credentials, and strings)."""
    if isinstance(obj, Mapping):
        return {
            k: (REDACTED if isinstance(k, str) and (k.lower() in SENSITIVE_KEYS or k.lower() in SENSITIVE_HEADERS)
                else redact_obj(v))
            for k, v in obj.items()
        }
    if isinstance(obj, list):
        return [redact_obj(v) for v in obj]
    if isinstance(obj, str):
        return redact_text(obj)
    return obj


__all__ = ["REDACTED", "SENSITIVE_HEADERS", "SENSITIVE_KEYS", "is_sensitive_header", "redact_headers",
           "redact_obj", "redact_text"]
