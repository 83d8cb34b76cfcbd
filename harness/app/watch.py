"""Continuous observation: one read of everything the app profile declares, at every step and condition change.

A scenario's steps look at the app when they act on it; between those
moments an app can break a requirement unseen (a payment form left enabled
as the link drops, an item shown "synced" while its write is still held at
the proxy, a screen that empties when the connection goes). The executor
therefore reads the visible screen after every step, every second of a
wait and at every scheduled transition, and appends each read to the
timeline as an ``observation`` named ``watch``; the checks judge every one
against the network state at that moment (:mod:`harness.checks.moments`).

What is read comes from the app profile alone (nothing here knows an app's
screens): the app's connectivity state and readiness (``attributes``), the
offline banner, the pending count, the unavailable message and the error
page (``locators``), every collection's items and lists (``collections``,
with their sync state), and the profile's ``watch`` section: the controls
of features that need a connection (``gated``), more items with a sync
state (``items``) and the screens whose content is a cache read offline
(``screens``).

Cost: one device round trip per read. A web app is read with one
``execute_script`` that evaluates every declared css selector in the page
and returns plain values; a native app with one page-source read parsed
here (xpath and accessibility ids). The read's own time is in the event
(``read_ms``); ``benchmarks``-style figures: about 10-20 ms on the
reference device.

An observation event's data (all keys optional but ``trigger``)::

    ready          the app says it has booted (attributes.app_state), or its root shows
    connectivity   the app's own online/offline attribute
    banner         the offline banner is visible
    pending        the pending count
    unavailable    texts of visible "needs a connection" messages
    error_page     an error page is visible
    gated          [{control, enabled}] for every visible gated control
    items          [{source, text, state}] for items whose text carries a marker
    lists          [{collection, parent, subject, items}] each collection list shown, with its item texts
    screens        {name: {subject, ready, unavailable, CONTENT...}} each declared screen shown
    t0, t1         monotonic time before and after the read (the event's ``t`` is their middle)
    read_ms        the round trip
    offline        the harness's belief during the whole read (absent when it changed mid-read)
    device         the device's app state; trigger, step, index: why the read was taken
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any, Callable

from harness.app.displayed import SHOWN_JS
from harness.app.profile import AppProfile, Locator
from harness.markers import MARKER_RE
from harness.timeline import Event, Timeline

#: the name of a continuous observation on the timeline
WATCH = "watch"

#: the script a web app's read runs: ``arguments[0]`` is :func:`web_spec`; returns plain values only
READ_SCRIPT = r"""/* harness watch */
const spec = arguments[0];
const marker = /hx[0-9a-z]{10}/;
const all = (sel, root) => { try { return sel ? Array.from((root || document).querySelectorAll(sel)) : []; } catch (e) { return []; } };
const one = (sel, root) => { try { return sel ? (root || document).querySelector(sel) : null; } catch (e) { return null; } };
""" + SHOWN_JS + r"""const text = (e) => (e ? (e.textContent || '') : '').replace(/\s+/g, ' ').trim();
const get = (e, a) => (e && a ? e.getAttribute(a) : null);
const enabled = (e) => !(e.disabled || e.getAttribute('aria-disabled') === 'true' || e.closest('fieldset[disabled]'));
const out = {hash: location.hash || ''};
const root = one(spec.root) || document.body;
if (spec.attrs.app_state) out.ready = get(root, spec.attrs.app_state) === 'ready';
else out.ready = shown(root);
if (spec.attrs.connectivity) out.connectivity = get(root, spec.attrs.connectivity) || '';
if (spec.banner) out.banner = all(spec.banner).some(shown);
if (spec.sync_status && spec.attrs.pending) {
  const s = one(spec.sync_status);
  const n = s ? parseInt(get(s, spec.attrs.pending), 10) : NaN;
  out.pending = Number.isFinite(n) ? n : null;
}
if (spec.unavailable) out.unavailable = all(spec.unavailable).filter(shown).map(text);
if (spec.error_page) out.error_page = all(spec.error_page).some(shown);
out.gated = [];
for (const [name, sel] of spec.gated) {
  for (const e of all(sel)) if (shown(e)) out.gated.push({control: name, enabled: enabled(e)});
}
out.items = [];
for (const [source, sel, textSel, stateAttr] of spec.items) {
  for (const e of all(sel)) {
    const t = text(one(textSel, e) || e);
    if (marker.test(t)) out.items.push({source, text: t, state: get(e, stateAttr) || ''});
  }
}
out.lists = [];
for (const [name, listSel, itemSel, textSel, route] of spec.lists) {
  const list = one(listSel);
  if (!list) continue;
  let parent = null;
  if (route) { const m = out.hash.match(new RegExp(route)); if (!m) continue; parent = m[1] || null; }
  // an item without its declared text element (an inline editor open on it) has no text to read: its controls'
  // labels ("Save") are not an item
  const texts = all(itemSel, list).map((e) => (textSel ? one(textSel, e) : e)).filter((e) => e).map(text);
  out.lists.push({collection: name, parent, items: texts});
}
out.screens = {};
for (const [name, rootSel, subjectAttr, readySel, content] of spec.screens) {
  const r = one(rootSel);
  if (!r) continue;
  const ready = readySel ? text(one(readySel, r)) !== '' : shown(r);
  const s = {subject: get(r, subjectAttr), ready, unavailable: spec.unavailable ? all(spec.unavailable, r).some(shown) : false};
  if (ready) for (const [key, itemSel, attr] of content) s[key] = all(itemSel, r).map((e) => (attr ? get(e, attr) : text(e)));
  out.screens[name] = s;
}
return out;
"""


def _css(profile: AppProfile, name: str | None) -> str | None:
    if name is None or name not in profile.locators:
        return None
    return profile.locators[name].css


def _route_regex(route: str | None) -> str | None:
    """``#/contacts/{in}`` -> a regex on ``location.hash`` whose group 1 is the parent record (None: no route)."""
    if not route or not route.startswith("#"):
        return None
    head, sep, tail = route.partition("{in}")
    esc = lambda s: re.sub(r"([.*+?^${}()|\[\]\\/])", r"\\\1", s)  # noqa: E731 (a JS and Python regex alike)
    return "^" + esc(head) + ("([^/?]+)" + esc(tail) if sep else "") + r"(?:\?.*)?$"


def web_spec(profile: AppProfile) -> dict[str, Any]:
    """What the read script evaluates: the profile's css selectors and attribute names (JSON-serialisable)."""
    attrs = profile.attributes
    w = profile.watch
    items: list[list[Any]] = []
    lists: list[list[Any]] = []
    for name, col in profile.collections.items():
        if col.list.css and col.item.css:
            text = col.text.css if col.text is not None else None
            items.append([name, col.item.css, text, attrs.get("sync_state")])
            lists.append([name, col.list.css, col.item.css, text, _route_regex(col.route)])
    for name, it in w.items.items():
        items.append([name, _css(profile, name), _css(profile, it.text), attrs.get("sync_state")])
    screens = [[name, _css(profile, sc.root), attrs.get(sc.subject) if sc.subject else None, _css(profile, sc.ready),
                [[key, _css(profile, c.item), attrs.get(c.attribute) if c.attribute else None]
                 for key, c in sc.content.items()]]
               for name, sc in w.screens.items()]
    return {
        "root": _css(profile, "app_root"),
        "attrs": {k: attrs.get(k) for k in ("app_state", "connectivity", "pending")},
        "banner": _css(profile, "offline_banner"), "sync_status": _css(profile, "sync_status"),
        "unavailable": _css(profile, "unavailable_message"), "error_page": _css(profile, "error_page"),
        "gated": [[name, _css(profile, name)] for name in w.gated if _css(profile, name)],
        "items": [i for i in items if i[1]], "lists": lists, "screens": [s for s in screens if s[1]],
    }


# -- native apps: one page-source read, parsed here ------------------------------------------------------------

def _xpath(loc: Locator | None, platform: str) -> str | None:
    """A locator as an ElementTree path (ElementTree's XPath subset: ``//*[@attr='v']`` and the like)."""
    if loc is None:
        return None
    if loc.accessibility_id is not None:
        attr = "content-desc" if platform == "android" else "name"
        return f".//*[@{attr}='{loc.accessibility_id}']"
    if loc.xpath is not None:
        x = loc.xpath
        return "." + x if x.startswith("//") else x
    return None


def _native_shown(e: ET.Element) -> bool:
    return e.get("displayed", e.get("visible", "true")) == "true"


def _native_text(e: ET.Element) -> str:
    for a in ("text", "label", "value", "content-desc", "name"):
        if e.get(a):
            return " ".join(str(e.get(a)).split())
    return ""


def read_page_source(source: str, profile: AppProfile) -> dict[str, Any]:
    """The read of a native app's screen from its page source (the same keys as the web read's)."""
    root = ET.fromstring(source)
    plat = profile.platform
    attrs = profile.attributes

    def find(name: str | None, under: ET.Element = root) -> list[ET.Element]:
        path = _xpath(profile.locators.get(name) if name else None, plat)
        if path is None:
            return []
        try:
            return under.findall(path)
        except SyntaxError:  # an xpath beyond ElementTree's subset: not watched
            return []

    def loc_find(loc: Locator | None, under: ET.Element = root) -> list[ET.Element]:
        path = _xpath(loc, plat)
        try:
            return under.findall(path) if path else []
        except SyntaxError:
            return []

    out: dict[str, Any] = {}
    app_root = (find("app_root") or [root])[0]
    out["ready"] = (app_root.get(attrs["app_state"]) == "ready") if "app_state" in attrs else _native_shown(app_root)
    if "connectivity" in attrs:
        out["connectivity"] = app_root.get(attrs["connectivity"]) or ""
    if "offline_banner" in profile.locators:
        out["banner"] = any(_native_shown(e) for e in find("offline_banner"))
    if "sync_status" in profile.locators and "pending" in attrs:
        s = find("sync_status")
        try:
            out["pending"] = int(s[0].get(attrs["pending"]) or "") if s else None
        except ValueError:
            out["pending"] = None
    if "unavailable_message" in profile.locators:
        out["unavailable"] = [_native_text(e) for e in find("unavailable_message") if _native_shown(e)]
    if "error_page" in profile.locators:
        out["error_page"] = any(_native_shown(e) for e in find("error_page"))
    out["gated"] = [{"control": name, "enabled": e.get("enabled", "true") == "true"}
                    for name in profile.watch.gated for e in find(name) if _native_shown(e)]
    state_attr = attrs.get("sync_state")
    items: list[dict[str, Any]] = []
    lists: list[dict[str, Any]] = []
    sources: list[tuple[str, Locator | None, Locator | None]] = [
        (n, c.item, c.text) for n, c in profile.collections.items()]
    sources += [(n, profile.locators.get(n), profile.locators.get(it.text) if it.text else None)
                for n, it in profile.watch.items.items()]
    for name, item_loc, text_loc in sources:
        for e in loc_find(item_loc):
            t = _native_text((loc_find(text_loc, e) or [e])[0])
            if MARKER_RE.search(t):
                items.append({"source": name, "text": t, "state": (e.get(state_attr) if state_attr else "") or ""})
    for name, col in profile.collections.items():
        shown_list = loc_find(col.list)
        if shown_list:
            # an item without its declared text element (an inline editor open on it) is not read as its controls
            texts = [_native_text(t[0]) for e in loc_find(col.item, shown_list[0])
                     if (t := (loc_find(col.text, e) if col.text is not None else [e]))]
            lists.append({"collection": name, "parent": None, "items": texts})
    out["items"], out["lists"] = items, lists
    screens: dict[str, Any] = {}
    for name, sc in profile.watch.screens.items():
        r = find(sc.root)
        if not r:
            continue
        ready = bool(_native_text(find(sc.ready, r[0])[0])) if sc.ready and find(sc.ready, r[0]) else \
            (_native_shown(r[0]) if not sc.ready else False)
        s: dict[str, Any] = {"subject": r[0].get(attrs[sc.subject]) if sc.subject else None, "ready": ready,
                             "unavailable": any(_native_shown(e) for e in find("unavailable_message", r[0]))}
        if ready:
            for key, c in sc.content.items():
                s[key] = [(e.get(attrs[c.attribute]) if c.attribute else _native_text(e)) for e in find(c.item, r[0])]
        screens[name] = s
    out["screens"] = screens
    return out


# -- the watcher ---------------------------------------------------------------------------------------------------

@dataclass
class Watcher:
    """Reads the screen once per call and records it (see the module docstring); never raises.

    ``driver``: returns the live driver; ``device_state``: the device's app state (``foreground``,
    ``background``, ``frozen``, ``not_running``): only an app in the foreground is read (a frozen page cannot
    answer a script, and an app in the background is not expected to show anything); ``offline_belief``: the
    harness's belief about the network.
    """

    profile: AppProfile
    driver: Callable[[], Any]
    timeline: Timeline
    device_state: Callable[[], str] = lambda: "foreground"
    offline_belief: Callable[[], bool] | None = None
    reads: int = 0
    failures: int = 0
    read_ms: list[float] = field(default_factory=list)
    _spec: dict[str, Any] | None = None

    @property
    def spec(self) -> dict[str, Any]:
        if self._spec is None:
            self._spec = web_spec(self.profile)
        return self._spec

    def read(self) -> dict[str, Any]:
        """One device round trip: the whole declared state of the visible screen."""
        drv = self.driver()
        if self.profile.platform == "web":
            got = drv.execute_script(READ_SCRIPT, self.spec)
            return dict(got) if isinstance(got, dict) else {}
        return read_page_source(str(drv.page_source), self.profile)

    def observe(self, trigger: str, **data: Any) -> Event | None:
        """Read and record now; None when the app cannot be read (not in the foreground, or the read failed)."""
        try:
            state = str(self.device_state())
        except Exception:
            state = "unknown"
        if state not in ("foreground", "unknown"):
            return None
        belief0 = self._belief()
        t0 = time.monotonic()
        try:
            got = self.read()
        except Exception as e:  # a page being replaced, a session ending: this moment is not read
            self.failures += 1
            self.timeline.append("log", "watch.failed", layer="app", data={"trigger": trigger, "error": str(e)[:300]})
            return None
        t1 = time.monotonic()
        belief1 = self._belief()
        ms = round((t1 - t0) * 1000, 2)
        self.reads += 1
        self.read_ms.append(ms)
        self._annotate(got)
        got.update(data)
        got.update({"trigger": trigger, "t0": t0, "t1": t1, "read_ms": ms, "device": state})
        if belief0 is not None and belief0 == belief1:
            got["offline"] = belief0
        return self.timeline.append("observation", WATCH, layer="app", data=got, t=(t0 + t1) / 2)

    def _annotate(self, got: dict[str, Any]) -> None:
        """What the profile says each gated control and screen stands for, so the checks read the event alone."""
        w = self.profile.watch
        for g in got.get("gated") or []:
            spec = w.gated.get(str(g.get("control")))
            if spec is not None:
                g["feature"], g["requirement"] = spec.feature, spec.requirement
        for name, sc in (got.get("screens") or {}).items():
            spec_s = w.screens.get(name)
            if spec_s is not None and isinstance(sc, dict):
                sc["requirement"] = spec_s.requirement

    def _belief(self) -> bool | None:
        if self.offline_belief is None:
            return None
        try:
            return bool(self.offline_belief())
        except Exception:
            return None


__all__ = ["READ_SCRIPT", "WATCH", "Watcher", "read_page_source", "web_spec"]
