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
from contextlib import contextmanager
from types import FrameType
from typing import Iterator

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


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, SIGTERM or SIGHUP raised as a KeyboardInterrupt inside :func:`interrupts_pass_through`."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signum)


_INTERRUPTS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_pending: int | None = None


def interrupted() -> int | None:
    """The signal that interrupted the current :func:`interrupts_pass_through` block, if one did."""
    return _pending


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    global _pending
    _pending = signum
    raise Interrupted(signum)


@contextmanager
def interrupts_pass_through() -> Iterator[None]:
    """Inside: Ctrl-C, SIGTERM and SIGHUP raise :class:`Interrupted`, a KeyboardInterrupt; on the way out
    SIGTERM/SIGHUP become :class:`Terminated` again and Ctrl-C a plain KeyboardInterrupt.

    Hypothesis treats SystemExit (what :class:`Terminated` is) as an ordinary test failure, to catch tests
    that call ``sys.exit``: a SIGTERM during ``harness fuzz`` was shrunk as if the app had failed. A
    KeyboardInterrupt is the one thing it lets through at once. :func:`interrupted` tells code that runs
    while the exception unwinds (a state machine's teardown) to skip its closing work.
    """
    global _pending
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {sig: signal.getsignal(sig) for sig in _INTERRUPTS}
    for sig in _INTERRUPTS:
        if old[sig] in (signal.SIG_DFL, signal.default_int_handler, _raise_terminated, None):
            signal.signal(sig, _raise_interrupted)
    _pending = None
    try:
        yield
    except Interrupted as e:
        if e.signum == signal.SIGINT:
            raise KeyboardInterrupt() from None
        raise Terminated(e.signum) from None
    finally:
        _pending = None
        for sig, handler in old.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


__all__ = ["Interrupted", "Terminated", "install", "interrupted", "interrupts_pass_through"]
