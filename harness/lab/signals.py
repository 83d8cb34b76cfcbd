"""Turn SIGTERM/SIGHUP into an orderly unwind, and stop leftovers at exit.

Ctrl-C already raises KeyboardInterrupt in the main thread; SIGTERM (what CI
runners and ``harness down`` send) and SIGHUP (a closed terminal) would
otherwise kill the interpreter without running ``finally`` blocks, leaving
toxiproxy and mitmdump behind. :func:`install` makes them raise
:class:`Terminated` (a SystemExit) so ``with Lab(...)`` blocks unwind and
stop every part in reverse order; an ``atexit`` hook stops any
:class:`~harness.lab.process.ManagedProcess` still alive as a last resort.
"""

from __future__ import annotations

import atexit
import signal
import threading
from types import FrameType

from harness.lab.process import stop_all

_atexit_done = False
_handlers_done = False
_lock = threading.Lock()


class Terminated(SystemExit):
    """Raised in the main thread when the process receives SIGTERM or SIGHUP."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(128 + signum)


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


def install() -> None:
    """Install the SIGTERM/SIGHUP handlers (main thread only) and the atexit hook; idempotent."""
    global _atexit_done, _handlers_done
    with _lock:
        if not _atexit_done:
            _atexit_done = True
            atexit.register(stop_all)
        if _handlers_done or threading.current_thread() is not threading.main_thread():
            return
        _handlers_done = True
        for sig in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(sig) in (signal.SIG_DFL, None):
                signal.signal(sig, _raise_terminated)


__all__ = ["Terminated", "install"]
