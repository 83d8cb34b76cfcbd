"""The harness's own page scripts and input events sent to the page over the DevTools protocol, not through chromedriver.

Why: a fuzz example makes about 190 WebDriver commands, most of them the
harness's own scripts (a screen read, a wait for the page's next change, a
tap's aim) and the CDP input events of a tap. Through chromedriver each is
an HTTP request that chromedriver turns into several DevTools messages (it
checks for dialogs and pending navigations first) and whose answer it
converts twice; sent as one DevTools message on a WebSocket to the page,
the same script is one round trip to the browser.

What goes this way, only on a session already routed straight to its
chromedriver (``chromedriver_route``, so certainly a local Chromium):

* a script whose text starts with :data:`MARK` (the harness's own scripts)
  and whose arguments are plain JSON (no element handle), run as
  ``Runtime.evaluate`` (an async script gets a ``Promise`` whose resolve is
  its callback). A script whose value holds an element (only chromedriver
  can make its handle) is run again through chromedriver: the harness's
  scripts are reads, or idempotent (an aim, a focus), so running one twice
  changes nothing;
* ``Input.*`` through ``goog/cdp/execute`` (the pointer's taps and keys).

Everything else (element commands, navigation, the window, other CDP
domains) and any script whose arguments hold an element handle stays on
chromedriver. When the page cannot run the script now (its document is
being replaced, a dialog is open, the WebSocket broke) the command goes to
chromedriver, which waits for the navigation or reports the dialog as
before: the answer is the same, only slower.

The page is the target of the session's current window: chromedriver's
window handle is the target's id. It is looked up again after any window
command the session makes (a new tab, a switch, a close).
``HARNESS_DEVTOOLS_SCRIPTS=0`` keeps every command on chromedriver
(benchmarks/fuzz_throughput.py measures the gain).
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import urllib.request
from typing import Any, Callable

#: how the harness's own value scripts begin (``/* harness snapshot */``, ``/* harness change */``...)
MARK = "/* harness "
#: the W3C key of an element handle in a command's arguments
_ELEMENT_KEYS = ("element-6066-11e4-a52e-4f735466cecf", "ELEMENT", "shadow-6066-11e4-a52e-4f735466cecf")
#: the session's commands after which its current window may be another target
WINDOW_COMMANDS = frozenset({"switchToWindow", "newWindow", "close", "quit"})
_SCRIPTS = frozenset({"w3cExecuteScript", "w3cExecuteScriptAsync"})
_CDP = "harnessCdpExecute"


class NotHere(Exception):
    """The page cannot answer this command now: send it through chromedriver."""


def enabled() -> bool:
    return os.environ.get("HARNESS_DEVTOOLS_SCRIPTS", "1") != "0"


def _has_element(value: Any) -> bool:
    if isinstance(value, dict):
        return any(k in value for k in _ELEMENT_KEYS) or any(_has_element(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_element(v) for v in value)
    return False


def takes(command: str, params: Any) -> bool:
    """Whether ``command`` (with ``params``) is one this route sends over the DevTools protocol."""
    if not isinstance(params, dict):
        return False
    if command in _SCRIPTS:
        script = params.get("script")
        return isinstance(script, str) and script.startswith(MARK) and not _has_element(params.get("args"))
    if command == _CDP:
        return str(params.get("cmd", "")).startswith("Input.")
    return False


#: a script's value as chromedriver answers it: ``undefined`` as null (a key kept), and a DOM node anywhere in it (a
#: script that hands out an element) sent back as NODE
_VALUE_JS = """((v) => {
  let node = false;
  const plain = (x, d) => {
    if (x === undefined) return null;
    if (x instanceof Node) { node = true; return null; }
    if (x === null || typeof x !== 'object' || d > 32) return x;
    if (Array.isArray(x)) return x.map((y) => plain(y, d + 1));
    const out = {};
    for (const k of Object.keys(x)) out[k] = plain(x[k], d + 1);
    return out;
  };
  const out = plain(v, 0);
  return node ? %s : out;
})"""
#: what the page answers for a value that holds a DOM node (only chromedriver can hand out its handle)
NODE = "__harness_devtools_node__"
_AS_VALUE = _VALUE_JS % json.dumps(NODE)


def expression(script: str, args: list[Any], *, is_async: bool) -> str:
    """The ``Runtime.evaluate`` expression that runs a WebDriver script body with ``args`` (JSON), as
    chromedriver would: ``arguments`` are the args (and, for an async script, the callback last)."""
    body = f"(function() {{\n{script}\n}})"
    data = json.dumps(args)
    if is_async:
        return f"new Promise((resolve) => {{ {body}.apply(null, {data}.concat([resolve])); }}).then({_AS_VALUE})"
    return f"{_AS_VALUE}({body}.apply(null, {data}))"


class PageChannel:
    """One WebSocket to the DevTools target of the session's current window, opened when first needed.

    ``current_handle`` asks the session for its window handle (one chromedriver command); ``address`` is the
    browser's DevTools ``host:port``."""

    def __init__(self, address: str, current_handle: Callable[[], str], *, timeout_s: float = 30.0) -> None:
        self.address = address
        self.current_handle = current_handle
        self.timeout_s = timeout_s
        self._ws: Any = None
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def forget(self) -> None:
        """The current window may have changed: open the next command's WebSocket anew."""
        with self._lock:
            self._close()

    def _close(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None:
            try:
                ws.close()
            except Exception:
                pass

    def _connect(self) -> Any:
        import websocket

        handle = self.current_handle()
        with urllib.request.urlopen(f"http://{self.address}/json/list", timeout=2.0) as r:
            targets = json.loads(r.read())
        url = next((t.get("webSocketDebuggerUrl") for t in targets if t.get("id") == handle), None)
        if not url:
            raise NotHere(f"no DevTools target for window {handle}")
        # skip_utf8_validation: websocket-client checks every text frame's UTF-8 in pure Python (a screen read's
        # answer is some 8 kB): 14 s of a 128 s fuzz run. ``recv`` still decodes the payload as UTF-8 (in C), which
        # refuses a bad byte just the same.
        return websocket.create_connection(url, timeout=self.timeout_s, suppress_origin=True,
                                           skip_utf8_validation=True)

    def send(self, method: str, params: dict[str, Any], timeout_s: float | None = None) -> dict[str, Any]:
        """One DevTools command on the page; its ``result``. Raises :class:`NotHere` when the page or the
        WebSocket cannot answer (the caller sends the command through chromedriver instead): before the command
        was sent, or for a script (a read, or idempotent); an input event whose answer was lost raises
        ``WebDriverException`` instead, since it may have been dispatched."""
        sent = False
        with self._lock:
            try:
                if self._ws is None:
                    self._ws = self._connect()
                ws = self._ws
                ws.settimeout(timeout_s or self.timeout_s)
                mid = next(self._ids)
                ws.send(json.dumps({"id": mid, "method": method, "params": params}))
                sent = True
                while True:
                    msg = json.loads(ws.recv())
                    if msg.get("id") == mid:
                        break
                    if msg.get("method") in ("Inspector.detached", "Inspector.targetCrashed"):
                        raise NotHere(str(msg.get("method")))
            except Exception as e:  # a broken or timed-out socket, a target gone
                self._close()
                if sent and not method.startswith("Runtime."):
                    # an input event may have reached the page: sent again through chromedriver it would be a
                    # second tap, so it fails as chromedriver's command would (a harness error, not a finding)
                    from selenium.common.exceptions import WebDriverException

                    raise WebDriverException(f"DevTools {method}: sent, its answer lost ({e!r})") from e
                if isinstance(e, NotHere):
                    raise
                raise NotHere(repr(e)) from e
        if "error" in msg:
            raise NotHere(str(msg["error"].get("message", msg["error"])))
        return dict(msg.get("result") or {})

    def run_script(self, script: str, args: list[Any], *, is_async: bool, timeout_s: float) -> Any:
        """Run a value script as chromedriver's execute (sync or async) would; its value."""
        from selenium.common.exceptions import JavascriptException

        res = self.send("Runtime.evaluate", {
            "expression": expression(script, args, is_async=is_async),
            "returnByValue": True, "awaitPromise": True, "userGesture": True,
        }, timeout_s=timeout_s)
        if "exceptionDetails" in res:
            details = res["exceptionDetails"]
            text = str((details.get("exception") or {}).get("description") or details.get("text") or details)
            if "context" in text and "destroyed" in text:
                raise NotHere(text)
            raise JavascriptException(f"javascript error: {text}")
        value = (res.get("result") or {}).get("value")
        if value == NODE:
            raise NotHere("the script's value holds an element")
        return value

    #: the session ends: the WebSocket closed (a later command would open it again)
    close = forget


def execute(channel: PageChannel, command: str, params: dict[str, Any], script_timeout_s: float) -> dict[str, Any]:
    """``command`` over the DevTools protocol, answered as chromedriver answers it (``{"value": ...}``)."""
    if command == _CDP:
        return {"value": channel.send(str(params["cmd"]), dict(params.get("params") or {}))}
    value = channel.run_script(str(params["script"]), list(params.get("args") or []),
                               is_async=command == "w3cExecuteScriptAsync", timeout_s=script_timeout_s)
    return {"value": value}


__all__ = ["MARK", "NotHere", "PageChannel", "WINDOW_COMMANDS", "enabled", "execute", "expression", "takes"]
