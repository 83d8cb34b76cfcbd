"""Between two looks of a bounded wait: until the page changes, not a fixed sleep.

Why: a wait looks at the screen, and when what it waits for is not there
yet it used to sleep 50 ms before looking again; the app's change was seen
25 ms late on average, on every wait of every step (a fuzz example has
about a dozen). In a web app a change on screen is a change of the
document, so the pause is a script that returns at the first mutation of
the document (nodes, attributes, text) or after the poll interval,
whichever comes first: never later than the sleep it replaces, and a
change is seen a few milliseconds after the app made it.

What the document does not record (a CSS transition ending, a canvas) is
still seen at the next poll. A hidden page (the app in the background,
where timers are throttled to one a second) and other platforms pause the
plain way. ``HARNESS_CHANGE_WAITS=0`` sleeps always (the benchmark's
``no_change_waits``).
"""

from __future__ import annotations

import os
import time
from typing import Any

#: resolves at the document's next mutation or after arguments[0] ms; 'hidden' at once on a hidden page
CHANGE_JS = r"""/* harness change */
const limit = arguments[0], done = arguments[arguments.length - 1];
if (document.visibilityState !== 'visible') { done('hidden'); return; }
let over = false, timer = null;
const obs = new MutationObserver(() => finish('changed'));
const finish = (why) => { if (over) return; over = true; obs.disconnect(); clearTimeout(timer); done(why); };
obs.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
timer = setTimeout(() => finish('quiet'), limit);
"""


def enabled() -> bool:
    return os.environ.get("HARNESS_CHANGE_WAITS", "1") != "0"


def pause(driver: Any, poll_s: float, *, web: bool) -> str:
    """Wait until the page changes or ``poll_s`` has passed; returns why it ended (``changed``, ``quiet``,
    ``hidden``, or ``slept`` when it slept the plain way)."""
    if web and enabled():
        t0 = time.monotonic()
        try:
            why = driver.execute_async_script(CHANGE_JS, int(poll_s * 1000))
        except Exception:  # the page is being replaced, or cannot run scripts now: the plain pause
            why = None
        if why in ("changed", "quiet"):
            return str(why)
        left = poll_s - (time.monotonic() - t0)
        if left > 0:
            time.sleep(left)
        return str(why or "slept")
    time.sleep(poll_s)
    return "slept"


__all__ = ["CHANGE_JS", "enabled", "pause"]
