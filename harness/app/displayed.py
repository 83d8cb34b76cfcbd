"""What "shown" means in a web page: one rule for the continuous observation and the page objects' reads.

Why one: the checks judge every continuous read (``harness.app.watch``) and
every step's read (``harness.app.snapshot``, answering what WebDriver's
``isDisplayed`` would) against the same network state; with two rules a
banner fading out (opacity 0) was "shown" to one and hidden to the other,
and a check could contradict the step that read the same screen. This is
the snapshot's rule, compared with the driver's own answers element by
element in ``tests/app/test_snapshot_e2e.py``: connected, laid out,
``visibility: visible``, no transparent ancestor, a size of its own or in
a child, and not clipped away by an ancestor's overflow (see ``SHOWN_JS``).
"""

from __future__ import annotations

#: defines ``shown(e)`` (false for null) in a page script, with its helpers. WebDriver's rule (its "is displayed"
#: atom), in order: laid out and ``visibility: visible``, no transparent ancestor; a positive size of its own or
#: in a child (a zero-sized element with a text child counts, one with ``overflow: hidden`` or not laid out does
#: not); not hidden by overflow: outside an ancestor that clips it (``overflow: hidden``, or of no size), unless
#: a child of it is still shown. An ancestor that scrolls (``auto``, ``scroll``) hides nothing: what is below the fold is shown.
#: Only an element's containing blocks clip it (an absolutely positioned one skips static ancestors, a fixed one
#: is clipped by the viewport alone), and the page's ``body`` clips as the viewport does when ``html`` does not.
SHOWN_JS = r"""
const sized = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
const transparent = (e) => { for (let n = e; n && n.nodeType === 1; n = n.parentElement) { if (getComputedStyle(n).opacity === '0') return true; } return false; };
const positive = (e) => sized(e) || (e.getClientRects().length > 0 && getComputedStyle(e).overflow !== 'hidden' &&
  Array.from(e.childNodes).some((n) => n.nodeType === 3 || (n.nodeType === 1 && positive(n))));
const HIDDEN = 0, SCROLL = 1, NONE = 2;
const overflowParent = (e, fixed) => {
  const root = document.documentElement;
  const pos = getComputedStyle(e).position;
  if (pos === 'fixed') { fixed.on = true; return e === root ? null : root; }
  for (let p = e.parentElement; p; p = p.parentElement) {
    if (p === root) return p;
    const st = getComputedStyle(p);
    if (st.display.startsWith('inline') || st.display === 'contents') continue;
    if (pos === 'absolute' && st.position === 'static') continue;
    return p;
  }
  return null;
};
const overflowOf = (c) => {
  const root = document.documentElement, body = document.body;
  const rs = getComputedStyle(root);
  let el = c;
  if (rs.overflowX === 'visible' && rs.overflowY === 'visible') {
    if (c === root && body) el = body; else if (c === body) return {x: 'visible', y: 'visible'};
  }
  const st = getComputedStyle(el);
  const o = {x: st.overflowX, y: st.overflowY};
  if (c === root) { if (o.x === 'visible') o.x = 'auto'; if (o.y === 'visible') o.y = 'auto'; }
  return o;
};
const scrollOf = (c) => c === document.documentElement ? {x: window.scrollX, y: window.scrollY} : {x: c.scrollLeft, y: c.scrollTop};
const overflowState = (e) => {
  const r = e.getBoundingClientRect();
  const fixed = {on: false};
  for (let c = overflowParent(e, fixed); c; c = overflowParent(c, fixed)) {
    const o = overflowOf(c);
    if (o.x === 'visible' && o.y === 'visible') continue;
    const cr = c.getBoundingClientRect();
    if (cr.width === 0 || cr.height === 0) return HIDDEN;
    const ux = r.right < cr.left, uy = r.bottom < cr.top;
    if ((ux && o.x === 'hidden') || (uy && o.y === 'hidden')) return HIDDEN;
    if ((ux && o.x !== 'visible') || (uy && o.y !== 'visible')) {
      const s = scrollOf(c);
      if ((r.right < cr.left - s.x && o.x !== 'visible') || (r.bottom < cr.top - s.y && o.x !== 'visible')) return HIDDEN;
      return overflowState(c) === HIDDEN ? HIDDEN : SCROLL;
    }
    const ox = r.left >= cr.left + cr.width, oy = r.top >= cr.top + cr.height;
    if ((ox && o.x === 'hidden') || (oy && o.y === 'hidden')) return HIDDEN;
    if ((ox && o.x !== 'visible') || (oy && o.y !== 'visible')) {
      if (fixed.on) {
        const s = scrollOf(c), root = document.documentElement;
        if (r.left >= root.scrollWidth - s.x || r.right >= root.scrollHeight - s.y) return HIDDEN;
      }
      return overflowState(c) === HIDDEN ? HIDDEN : SCROLL;
    }
  }
  return NONE;
};
const clipped = (e) => overflowState(e) === HIDDEN &&
  Array.from(e.children).every((n) => clipped(n) || !positive(n));
const shown = (e) => {
  if (!e || !e.isConnected || e.getClientRects().length === 0) return false;
  if (getComputedStyle(e).visibility !== 'visible' || transparent(e)) return false;
  return positive(e) && !clipped(e);
};
"""

__all__ = ["SHOWN_JS"]
