"""The link: the one module that talks to Toxiproxy (through toxiproxy-python).

The device's traffic enters the lab through a Toxiproxy proxy named "link"
(the radio between the phone and the internet). Link-layer conditions become
toxics on it, per direction; ``down`` disables the proxy (it stops listening,
so connections are refused and open ones drop).

toxiproxy-python keeps the server's host and port on a class attribute
(``APIConsumer.host``/``port``), which is global mutable state. It is wrapped
here once: every call sets the attributes under a module lock, so several
:class:`Link` objects (several labs in one interpreter) never talk to the
wrong server.

Usage::

    link = Link("127.0.0.1", api_port)
    host, port = link.create(upstream="127.0.0.1:8080")
    names = link.add_toxics(Latency(latency_ms=300), tag="h1")
    link.remove_toxics(names)
    link.reset()
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any, Callable, Sequence, TypeVar

import requests
import toxiproxy.api as _tapi
from toxiproxy import Toxiproxy
from toxiproxy.exceptions import NotFound
from toxiproxy.proxy import Proxy

from harness.errors import LabError
from harness.net.conditions import LinkCondition

T = TypeVar("T")
_LOCK = threading.Lock()
#: how long a call that clears toxics may take: Toxiproxy answers in milliseconds, and one that does not is
#: wedged (removing a toxic whose link lost its client can hang: Toxiproxy issues #558 and #412; its /reset then
#: answers 503 after 25 s and the link keeps its toxics)
CLEAR_TIMEOUT_S = 5.0


class LinkWedged(LabError):
    """Toxiproxy did not clear the link (a 5xx, or no answer within :data:`CLEAR_TIMEOUT_S`): the lab restarts
    it (:meth:`harness.net.control.NetControl.reset`) rather than run on with a half-cleared link."""


@dataclass(frozen=True)
class ToxicState:
    """A toxic currently on the link, as the server reports it."""

    name: str
    type: str
    stream: str
    toxicity: float
    attributes: dict[str, Any]


@dataclass(frozen=True)
class LinkState:
    """What is in force on the link right now."""

    enabled: bool
    listen: str
    upstream: str
    toxics: tuple[ToxicState, ...]


class Link:
    """A Toxiproxy proxy named ``name`` on the server at ``api_host:api_port``."""

    def __init__(self, api_host: str, api_port: int, *, name: str = "link") -> None:
        self.api_host = api_host
        self.api_port = api_port
        self.name = name

    @property
    def api_url(self) -> str:
        return f"http://{self.api_host}:{self.api_port}"

    def _call(self, fn: Callable[[], T]) -> T:
        with _LOCK:
            _tapi.APIConsumer.host = self.api_host
            _tapi.APIConsumer.port = self.api_port
            try:
                return fn()
            except NotFound as e:
                raise LabError(f"toxiproxy at {self.api_url} has no proxy {self.name!r} ({e!s})") from e
            except OSError as e:  # requests' ConnectionError derives from OSError
                raise LabError(f"toxiproxy at {self.api_url} is unreachable: {e}") from e

    def _proxy(self) -> Proxy:
        # A handle by name only: one API request per action (no GET /proxies first); a missing
        # proxy surfaces as NotFound -> LabError in _call.
        return Proxy(name=self.name, upstream="", enabled=True, listen="")

    # ----------------------------------------------------------------- lifecycle

    def create(self, *, upstream: str, listen: str = "127.0.0.1:0") -> tuple[str, int]:
        """Create the proxy (replacing a stale one of the same name); returns its actual (host, port)."""

        def go() -> str:
            server = Toxiproxy()
            old = server.get_proxy(self.name)
            if old is not None:
                old.destroy()
            return str(server.create(upstream=upstream, name=self.name, listen=listen, enabled=True).listen)

        host, _, port = self._call(go).rpartition(":")
        return host or "127.0.0.1", int(port)

    def destroy(self) -> None:
        self._call(lambda: self._proxy().destroy())

    def version(self) -> str:
        raw = self._call(lambda: Toxiproxy().version() or b"{}")
        try:
            return str(json.loads(raw).get("version", ""))
        except ValueError:
            return raw.decode(errors="replace").strip()

    # ----------------------------------------------------------------- conditions

    def disable(self) -> None:
        """Down: stop listening and drop every open connection."""
        self._call(lambda: self._proxy().disable())

    def enable(self) -> None:
        self._call(lambda: self._proxy().enable())

    def add_toxics(self, cond: LinkCondition, *, tag: str) -> tuple[str, ...]:
        """Create the toxics of ``cond`` (one per direction), named ``<tag>-<type>-<stream>``."""
        specs = cond.toxics()
        names: list[str] = []

        def go() -> None:
            proxy = self._proxy()
            for s in specs:
                name = f"{tag}-{s.type}-{s.stream}"
                proxy.add_toxic(name=name, type=s.type, stream=s.stream, toxicity=s.toxicity,
                                attributes=dict(s.attributes))
                names.append(name)

        try:
            self._call(go)
        except Exception:
            self.remove_toxics(names)
            raise
        return tuple(names)

    def remove_toxics(self, names: Sequence[str]) -> None:
        """Remove toxics by name; ones already gone are ignored. LinkWedged when Toxiproxy does not."""

        def go() -> None:
            for n in names:
                self._checked(lambda: _tapi.APIConsumer.delete(f"/proxies/{self.name}/toxics/{n}",
                                                               timeout=CLEAR_TIMEOUT_S),
                              f"DELETE toxic {n}", missing_ok=True)

        if names:
            self._call(go)

    def reset(self) -> None:
        """Every toxic removed and the proxy enabled (Toxiproxy ``POST /reset``). LinkWedged when it was not
        (toxiproxy-python returns a 503 as False, which nothing would notice)."""
        self._call(lambda: self._checked(lambda: _tapi.APIConsumer.post("/reset", timeout=CLEAR_TIMEOUT_S),
                                         "POST /reset"))

    def _checked(self, call: Callable[[], Any], what: str, *, missing_ok: bool = False) -> None:
        try:
            response = call()
        except NotFound:
            if missing_ok:
                return
            raise
        except requests.Timeout as e:
            raise LinkWedged(f"toxiproxy at {self.api_url}: {what} got no answer within {CLEAR_TIMEOUT_S:g} s") from e
        if not response.ok:
            raise LinkWedged(f"toxiproxy at {self.api_url}: {what} answered {response.status_code} "
                             f"{response.text.strip()[:200]!r}")

    def state(self) -> LinkState:
        def go() -> LinkState:
            p = Toxiproxy().get_proxy(self.name)
            if p is None:
                raise LabError(f"toxiproxy at {self.api_url} has no proxy {self.name!r}; is the lab up?")
            toxics = tuple(
                ToxicState(t.name, t.type, t.stream, float(t.toxicity), dict(t.attributes))
                for t in sorted(p.toxics().values(), key=lambda t: t.name)
            )
            return LinkState(enabled=bool(p.enabled), listen=str(p.listen), upstream=str(p.upstream), toxics=toxics)

        return self._call(go)


__all__ = ["CLEAR_TIMEOUT_S", "Link", "LinkState", "LinkWedged", "ToxicState"]
