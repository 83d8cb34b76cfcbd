"""What "shown" means in a web page: one rule for the continuous observation and the page objects' reads.

Why one: the checks judge every continuous read (``harness.app.watch``) and
every step's read (``harness.app.snapshot``, answering what WebDriver's
``isDisplayed`` would) against the same network state; with two rules a
banner fading out (opacity 0) was "shown" to one and hidden to the other,
and a check could contradict the step that read the same screen. This is
the snapshot's rule, compared with the driver's own answers element by
element in ``tests/app/test_snapshot_e2e.py``: connected, laid out,
``visibility: visible``, no transparent ancestor, and a size of its own or
in a descendant.
"""

from __future__ import annotations

#: defines ``shown(e)`` (false for null) in a page script, with its helpers ``sized`` and ``transparent``
SHOWN_JS = r"""
const sized = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
const transparent = (e) => { for (let n = e; n && n.nodeType === 1; n = n.parentElement) { if (getComputedStyle(n).opacity === '0') return true; } return false; };
const shown = (e) => {
  if (!e || !e.isConnected || e.getClientRects().length === 0) return false;
  if (getComputedStyle(e).visibility !== 'visible' || transparent(e)) return false;
  return sized(e) || Array.from(e.getElementsByTagName('*')).some(sized);
};
"""

__all__ = ["SHOWN_JS"]
