"""Network conditions as typed values, found by name in one registry.

A condition is a frozen dataclass describing one fault on one layer:

* link layer (the device's radio, applied as Toxiproxy toxics on the "link"
  proxy): ``down``, ``latency``, ``bandwidth``, ``half_open``, ``timeout``,
  ``reset_peer``, ``slow_close``, ``slicer``, ``limit_data``; each with a
  ``stream`` (upstream = device -> backend, downstream, or both) and a
  ``toxicity`` (the share of connections it applies to, 0-1);
* HTTP layer (the mitmproxy addon): ``http_status``, ``http_delay``,
  ``drop_response``, ``refuse``, ``captive_portal``, ``hold``; each matches a
  method, a path pattern (glob or regex) and optionally a ``header`` the
  request must carry (an idempotency key: only the app's mutations), and
  fires always, at a seeded ``rate`` (0-1) or for the ``first_n`` matching
  requests.

Scenarios name conditions (``type: latency``); :func:`make_condition` looks
the name up in :data:`CONDITIONS` (filled by the :func:`condition`
decorator, as Toxiproxy's ``Register("latency", ...)``) and validates every
field eagerly: a bad value raises :class:`~harness.errors.SpecError` naming
the field, the value and what is allowed, before anything starts.

>>> make_condition("latency", {"latency_ms": 200, "jitter_ms": 50})
Latency(latency_ms=200, jitter_ms=50, stream='downstream', toxicity=1.0)
>>> make_condition("http_status", {"status": 503, "path": "/api/*", "first_n": 2}).matches("GET", "/api/x")
True
"""

from __future__ import annotations

import dataclasses
import fnmatch
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Mapping, TypeVar

from harness.errors import SpecError

STREAMS: tuple[str, ...] = ("upstream", "downstream", "both")
METHODS: tuple[str, ...] = ("*", "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
MATCH_KINDS: tuple[str, ...] = ("glob", "regex")
_HEADER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
#: the header a client's mutation carries so the server can recognise a retry (the ledger records its value)


# --------------------------------------------------------------------------- base and registry

class Condition:
    """Base of every condition; subclasses are frozen dataclasses with ``kind`` and ``layer``."""

    kind: ClassVar[str] = ""
    layer: ClassVar[str] = ""

    def params(self) -> dict[str, Any]:
        """The fields as a JSON-ready dict (what the timeline and the CLI show)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}  # type: ignore[arg-type]

    def describe(self) -> str:
        """One human line: ``latency latency_ms=200 jitter_ms=50``."""
        defaults = {f.name: f.default for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        parts = [f"{k}={v}" for k, v in self.params().items() if defaults.get(k) != v]
        return " ".join([self.kind, *parts])


C = TypeVar("C", bound=type[Condition])

#: registry name -> condition class
CONDITIONS: dict[str, type[Condition]] = {}
#: friendly names used by scenarios and the CLI
ALIASES: dict[str, str] = {"offline": "down", "reset": "reset_peer", "status": "http_status", "delay": "http_delay"}


def condition(name: str, *, layer: str) -> Callable[[C], C]:
    """Class decorator: register a condition under ``name`` (duplicates are an error)."""

    def deco(cls: C) -> C:
        if name in CONDITIONS:
            raise ValueError(f"condition {name!r} is already registered by {CONDITIONS[name].__name__}")
        cls.kind = name
        cls.layer = layer
        CONDITIONS[name] = cls
        return cls

    return deco


def known_conditions() -> list[str]:
    return sorted(CONDITIONS)


def make_condition(name: str, params: Mapping[str, Any] | None = None) -> Condition:
    """Build and validate a condition from its registry name and parameters.

    Raises SpecError for an unknown name, an unknown parameter or a bad value.
    """
    kind = ALIASES.get(name, name)
    cls = CONDITIONS.get(kind)
    if cls is None:
        raise SpecError("condition", name, "one of " + ", ".join(known_conditions()),
                        fix="use a registered condition name (aliases: "
                        + ", ".join(f"{a}->{b}" for a, b in sorted(ALIASES.items())) + ")")
    params = dict(params or {})
    allowed = [f.name for f in dataclasses.fields(cls) if f.init]  # type: ignore[arg-type]
    for key in params:
        if key not in allowed:
            raise SpecError(f"{kind}.{key}", params[key], "one of the parameters " + (", ".join(allowed) or "(none)"))
    try:
        return cls(**params)
    except TypeError as e:  # a required parameter is missing
        missing = [f.name for f in dataclasses.fields(cls)  # type: ignore[arg-type]
                   if f.init and f.default is dataclasses.MISSING and f.name not in params]
        raise SpecError(f"{kind}.{missing[0] if missing else '?'}", None, f"a value ({e})") from e


# --------------------------------------------------------------------------- validators

def _number(kind: str, name: str, value: Any, *, lo: float | None = 0, hi: float | None = None,
            integer: bool = False) -> None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok and integer and not float(value).is_integer():
        ok = False
    if ok and lo is not None and value < lo:
        ok = False
    if ok and hi is not None and value > hi:
        ok = False
    if not ok:
        what = "an integer" if integer else "a number"
        rng = (f" >= {lo:g}" if lo is not None else "") + (f" and <= {hi:g}" if hi is not None else "")
        raise SpecError(f"{kind}.{name}", value, what + rng)


def _choice(kind: str, name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise SpecError(f"{kind}.{name}", value, "one of " + ", ".join(allowed))


# --------------------------------------------------------------------------- link layer

@dataclass(frozen=True)
class ToxicSpec:
    """One Toxiproxy toxic to create (``attributes`` as Toxiproxy names them)."""

    type: str
    stream: str
    toxicity: float
    attributes: tuple[tuple[str, int], ...]


class LinkCondition(Condition):
    """A condition applied as Toxiproxy toxics on the link (``down`` disables the proxy instead)."""

    disables_link: ClassVar[bool] = False
    stream: str
    toxicity: float

    def _validate_common(self) -> None:
        _choice(self.kind, "stream", self.stream, STREAMS)
        _number(self.kind, "toxicity", self.toxicity, lo=0, hi=1)

    def _attributes(self) -> dict[str, int]:
        return {}

    def toxics(self) -> tuple[ToxicSpec, ...]:
        streams = ("upstream", "downstream") if self.stream == "both" else (self.stream,)
        attrs = tuple(sorted((k, int(v)) for k, v in self._attributes().items()))
        return tuple(ToxicSpec(self.toxic_type, s, float(self.toxicity), attrs) for s in streams)

    @property
    def toxic_type(self) -> str:
        return self.kind


@condition("down", layer="link")
@dataclass(frozen=True)
class Down(LinkCondition):
    """The link is gone: the proxy stops listening, open connections drop, new ones are refused."""

    disables_link: ClassVar[bool] = True

    def toxics(self) -> tuple[ToxicSpec, ...]:
        return ()


@condition("latency", layer="link")
@dataclass(frozen=True)
class Latency(LinkCondition):
    """Delay every chunk by ``latency_ms`` +/- ``jitter_ms``."""

    latency_ms: int
    jitter_ms: int = 0
    stream: str = "downstream"
    toxicity: float = 1.0

    def __post_init__(self) -> None:
        _number(self.kind, "latency_ms", self.latency_ms, integer=True, hi=600_000)
        _number(self.kind, "jitter_ms", self.jitter_ms, integer=True, hi=600_000)
        self._validate_common()

    def _attributes(self) -> dict[str, int]:
        return {"latency": self.latency_ms, "jitter": self.jitter_ms}


@condition("bandwidth", layer="link")
@dataclass(frozen=True)
class Bandwidth(LinkCondition):
    """Cap throughput at ``rate_kbps`` kilobits/s (Toxiproxy takes KB/s: rounded up, at least 1)."""

    rate_kbps: float
    stream: str = "downstream"
    toxicity: float = 1.0

    def __post_init__(self) -> None:
        _number(self.kind, "rate_kbps", self.rate_kbps, lo=0.001)
        self._validate_common()

    def _attributes(self) -> dict[str, int]:
        return {"rate": max(1, math.ceil(self.rate_kbps / 8))}


@condition("half_open", layer="link")
@dataclass(frozen=True)
class HalfOpen(LinkCondition):
    """Connections stay open but no data passes, forever (Toxiproxy ``timeout`` with 0)."""

    stream: str = "both"
    toxicity: float = 1.0

    def __post_init__(self) -> None:
        self._validate_common()

    @property
    def toxic_type(self) -> str:
        return "timeout"

    def _attributes(self) -> dict[str, int]:
        return {"timeout": 0}


@condition("timeout", layer="link")
@dataclass(frozen=True)
class Timeout(LinkCondition):
    """No data passes; the connection is closed after ``timeout_ms``."""

    timeout_ms: int
    stream: str = "both"
    toxicity: float = 1.0

    def __post_init__(self) -> None:
        _number(self.kind, "timeout_ms", self.timeout_ms, integer=True, lo=1)
        self._validate_common()

    def _attributes(self) -> dict[str, int]:
        return {"timeout": self.timeout_ms}


@condition("reset_peer", layer="link")
@dataclass(frozen=True)
class ResetPeer(LinkCondition):
    """TCP RST on every connection, now (0) or after ``timeout_ms``."""

    timeout_ms: int = 0
    stream: str = "both"
    toxicity: float = 1.0

    def __post_init__(self) -> None:
        _number(self.kind, "timeout_ms", self.timeout_ms, integer=True)
        self._validate_common()

    def _attributes(self) -> dict[str, int]:
        return {"timeout": self.timeout_ms}


@condition("slow_close", layer="link")
@dataclass(frozen=True)
class SlowClose(LinkCondition):
    """Delay the TCP close by ``delay_ms``."""

    delay_ms: int
    stream: str = "downstream"
    toxicity: float = 1.0

    def __post_init__(self) -> None:
        _number(self.kind, "delay_ms", self.delay_ms, integer=True)
        self._validate_common()

    def _attributes(self) -> dict[str, int]:
        return {"delay": self.delay_ms}


@condition("slicer", layer="link")
@dataclass(frozen=True)
class Slicer(LinkCondition):
    """Cut data into ``average_size`` +/- ``size_variation`` byte pieces, ``delay_us`` apart."""

    average_size: int = 64
    size_variation: int = 32
    delay_us: int = 0
    stream: str = "downstream"
    toxicity: float = 1.0

    def __post_init__(self) -> None:
        _number(self.kind, "average_size", self.average_size, integer=True, lo=1)
        _number(self.kind, "size_variation", self.size_variation, integer=True, hi=self.average_size
                if isinstance(self.average_size, int) else None)
        _number(self.kind, "delay_us", self.delay_us, integer=True)
        self._validate_common()

    def _attributes(self) -> dict[str, int]:
        return {"average_size": self.average_size, "size_variation": self.size_variation, "delay": self.delay_us}


@condition("limit_data", layer="link")
@dataclass(frozen=True)
class LimitData(LinkCondition):
    """Close each connection after ``bytes`` bytes."""

    bytes: int
    stream: str = "downstream"
    toxicity: float = 1.0

    def __post_init__(self) -> None:
        _number(self.kind, "bytes", self.bytes, integer=True, lo=1)
        self._validate_common()

    def _attributes(self) -> dict[str, int]:
        return {"bytes": self.bytes}


# --------------------------------------------------------------------------- HTTP layer

@dataclass(frozen=True)
class HttpCondition(Condition):
    """A rule for the mitmproxy addon: which requests (method, path, rate/first_n) and what to do.

    The matcher fields live here once; each rule adds its own fields and checks them in ``_validate``.
    """

    method: str = "*"
    path: str = "*"
    match: str = "glob"
    #: only requests carrying this header (any value), e.g. an idempotency key: the app's mutations, not its reads,
    #: token refreshes or probes, whatever their paths
    header: str | None = None
    rate: float | None = None
    first_n: int | None = None
    seed: int = 0
    _pattern: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._validate()
        self._validate_match()

    def _validate(self) -> None:
        """The rule's own fields (none by default)."""

    def _validate_match(self) -> None:
        k = self.kind
        if not isinstance(self.method, str) or self.method.upper() not in METHODS:
            raise SpecError(f"{k}.method", self.method, "one of " + ", ".join(METHODS))
        object.__setattr__(self, "method", self.method.upper())
        _choice(k, "match", self.match, MATCH_KINDS)
        if not isinstance(self.path, str) or not self.path:
            raise SpecError(f"{k}.path", self.path, "a non-empty glob like /api/* or a regex with match=regex")
        if self.match == "glob":
            if not (self.path.startswith("/") or self.path.startswith("*")):
                raise SpecError(f"{k}.path", self.path, "a glob starting with / or * (e.g. /api/contacts/*/notes)")
            pattern = fnmatch.translate(self.path)
        else:
            pattern = self.path
        try:
            compiled = re.compile(pattern)
        except re.error as e:
            raise SpecError(f"{k}.path", self.path, f"a valid regular expression ({e})") from e
        object.__setattr__(self, "_pattern", compiled)
        if self.header is not None and not (isinstance(self.header, str) and _HEADER_NAME.fullmatch(self.header)):
            raise SpecError(f"{k}.header", self.header, "a header name like X-Request-Id (letters, digits, -)")
        if self.rate is not None and self.first_n is not None:
            raise SpecError(f"{k}.first_n", self.first_n, "no value when rate is set (choose rate or first_n)")
        if self.rate is not None:
            _number(k, "rate", self.rate, lo=0, hi=1)
        if self.first_n is not None:
            _number(k, "first_n", self.first_n, integer=True, lo=1)
        _number(k, "seed", self.seed, integer=True, lo=None)

    def matches(self, method: str, path: str, headers: Mapping[str, str] | None = None) -> bool:
        """Does a request (path without the query string; header names compared case-insensitively) fall
        under this rule's pattern?"""
        if self.method != "*" and method.upper() != self.method:
            return False
        if self.header is not None and not any(h.lower() == self.header.lower() for h in headers or ()):
            return False
        path = path.split("?", 1)[0]
        return (self._pattern.fullmatch(path) if self.match == "glob" else self._pattern.search(path)) is not None

    def to_rule(self) -> dict[str, Any]:
        """The JSON the addon receives (it rebuilds and revalidates it with :func:`make_condition`)."""
        return {"kind": self.kind, "params": self.params()}




@condition("http_status", layer="http")
@dataclass(frozen=True)
class HttpStatus(HttpCondition):
    """Answer matching requests with ``status`` (and ``body``) without forwarding them."""

    status: int = 503
    body: str = ""
    def _validate(self) -> None:
        _number(self.kind, "status", self.status, integer=True, lo=100, hi=599)
        if not isinstance(self.body, str):
            raise SpecError(f"{self.kind}.body", self.body, "a string")


@condition("http_delay", layer="http")
@dataclass(frozen=True)
class HttpDelay(HttpCondition):
    """Hold matching requests ``delay_ms`` before forwarding them (other flows keep moving)."""

    delay_ms: int = 1000
    def _validate(self) -> None:
        _number(self.kind, "delay_ms", self.delay_ms, integer=True, hi=3_600_000)


@condition("drop_response", layer="http")
@dataclass(frozen=True)
class DropResponse(HttpCondition):
    """Forward the request (the backend commits it) and lose the response: the client's connection dies.

    ``hold_ms`` withholds the response that long before the connection dies. 0 kills it at once, which
    a browser's network stack may hide by resending the request on a reused connection; a hold longer
    than the app's request timeout makes the app itself see the loss (as a timeout), which is how a
    lost response looks on a mobile network.
    """

    hold_ms: int = 0

    def _validate(self) -> None:
        _number(self.kind, "hold_ms", self.hold_ms, integer=True, hi=600_000)


@condition("refuse", layer="http")
@dataclass(frozen=True)
class Refuse(HttpCondition):
    """Kill matching requests before forwarding: the backend never sees them, the connection dies."""


@condition("captive_portal", layer="http")
@dataclass(frozen=True)
class CaptivePortal(HttpCondition):
    """Answer matching requests with a 200 HTML Wi-Fi login page instead of the API."""


@condition("hold", layer="http")
@dataclass(frozen=True)
class Hold(HttpCondition):
    """Park matching requests (intercepted, not forwarded) until released or killed."""



__all__ = [
    "ALIASES", "Bandwidth", "CONDITIONS", "CaptivePortal", "Condition", "Down", "DropResponse", "HalfOpen",
    "Hold", "HttpCondition", "HttpDelay", "HttpStatus", "LimitData", "LinkCondition", "Latency", "METHODS",
    "MATCH_KINDS", "Refuse", "ResetPeer", "STREAMS", "Slicer", "SlowClose", "Timeout", "ToxicSpec", "condition",
    "known_conditions", "make_condition",
]
