"""One device round trip per screen read: every element a page object may look at, fetched at once.

Why: a page object reads a screen element by element (find, then the text,
an attribute, displayed, enabled of each), one WebDriver round trip each,
about 10 ms through Appium on the reference device. Eight fuzz examples
made 2,900 such calls: 31 s of a 102 s run, more than the app's own
timers. So within a read (:func:`harness.app.base.screen_read`) and within
each probe of a bounded wait (:meth:`harness.app.base.Screen.wait`), the
first lookup runs one script that evaluates every locator the app profile
declares and returns, for each element found, its attributes, rendered
text, whether it is displayed and enabled, a form control's value, and the
element itself; the lookups and reads that follow in the same read are
answered here.

What stays as it was:

* the elements are the driver's own element class (a subclass of it): a
  click, typing, a script argument go to the device as before. The script
  returns a reference to each element, not its WebDriver handle (making the
  handles was a third of the round trip: 11 ms -> 8 ms); the handle is asked
  for, one round trip, the first time a command needs it, and the pointer's
  scripts take the reference itself (:func:`script_arg`). A reference to an
  element no longer in the document is stale, as a handle is;
* any command that can change the screen (a click, typing, a script, a
  navigation, a CDP call) ends the snapshot: a read after an action, or in
  the next probe of a wait, is fresh. An element kept from an ended
  snapshot reads live again, so code that holds an element and reads it
  later sees the screen as it is then;
* a locator the profile does not declare (one narrowed at run time, a
  lookup inside an element by xpath) costs one more round trip, answered
  the same way; one the page cannot evaluate (an invalid selector, an
  accessibility id) goes to the driver, which raises as before.

Web apps only (a script in the page); a native app's page objects read
element by element (the continuous observation already reads a native app
with one page-source read). ``HARNESS_SNAPSHOT_READS=0`` switches it off
(``benchmarks/fuzz_throughput.py`` measures the gain).
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import threading
import types
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from pydantic import BaseModel

from harness.app.displayed import SHOWN_JS
from harness.app.profile import AppProfile, Locator

#: what a script that takes an element as a snapshot reference (:func:`script_arg`) begins with: ``deref(a)`` is
#: the element ``a`` refers to, ``a`` itself when it is no reference, undefined when that element is gone (no
#: longer in the document, or the document replaced: what WebDriver calls a stale element). The page's store of
#: references: a token of this document and a weak reference to each element a snapshot returned, by number
DEREF_JS = r"""const store = window.__harnessSnaps || (window.__harnessSnaps = {
  doc: Math.random().toString(36).slice(2) + Date.now().toString(36), next: 0, keys: new WeakMap(), refs: new Map(),
  sweepAt: 4096});
const deref = (a) => {
  if (!a || !Array.isArray(a.__harnessRef)) return a;
  const [doc, k] = a.__harnessRef;
  const w = store.doc === doc ? store.refs.get(k) : undefined;
  const e = w && w.deref();
  return e && e.isConnected ? e : undefined;
};
"""

#: the script; arguments: [[by, value], ...], an element to search within (or null; an element or a reference), and
#: a reference to one element to read instead (or null: :meth:`Snapshot.read_one`).
#: It returns no element handles (chromedriver makes one per element, a third of the round trip): a reference
#: to each (this document's token, a number), kept in the page for the handle asked later (:func:`_resolve`).
#: Marked so the guard below knows it reads only
SNAPSHOT_JS = r"""/* harness snapshot */
""" + DEREF_JS + r"""const [specs, rootArg, only] = arguments;
const root = deref(rootArg);
if (root === undefined) return {stale: true};
const one = only ? deref(only) : null;  // one element read now (by its reference), instead of the locators
if (one === undefined) return {stale: true};
const key = (e) => {
  let k = store.keys.get(e);
  if (k === undefined) { k = ++store.next; store.keys.set(e, k); store.refs.set(k, new WeakRef(e)); }
  return k;
};
if (store.refs.size > store.sweepAt) {  // the references to collected elements dropped, now and then
  for (const [k, w] of store.refs) if (!w.deref()) store.refs.delete(k);
  store.sweepAt = Math.max(4096, 2 * store.refs.size);
}
const els = []; const index = new Map();
const add = (e) => { let i = index.get(e); if (i === undefined) { i = els.length; els.push(e); index.set(e, i); } return i; };
const find = (by, value) => {
  try {
    if (by === 'css selector') return Array.from((root || document).querySelectorAll(value));
    if (by === 'xpath') {
      const r = document.evaluate(value, root || document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
      const out = [];
      for (let i = 0; i < r.snapshotLength; i++) { const n = r.snapshotItem(i); if (n.nodeType === 1) out.push(n); }
      return out;
    }
  } catch (e) { return null; }
  return null;
};
if (one) add(one);
const matches = specs.map(([by, value]) => { const f = find(by, value); return f === null ? null : f.map(add); });
""" + SHOWN_JS + r"""const FORM = new Set(['INPUT', 'TEXTAREA', 'SELECT']);
const SPECIAL = new Set(['BR', 'TEXTAREA', 'INPUT', 'SELECT', 'OPTION', 'IMG', 'SVG', 'CANVAS', 'IFRAME', 'VIDEO',
                         'AUDIO', 'OBJECT', 'EMBED', 'TEMPLATE', 'SLOT']);
const plainSpace = (st) => st.whiteSpace === 'normal' || st.whiteSpace === 'nowrap';
// the text WebDriver would read, where innerText is provably the same; anything else (line breaks, hidden or
// transparent parts, form controls, preformatted text, paragraphs, lists, tables) is null, read live. Inline and
// inline-block parts run into one line; each plain block part (a div, a blockified flex item) is a line of its
// own, and WebDriver's lines are innerText's with their spaces collapsed and the empty ones dropped
const oneLine = (t) => !/[\n\t\u00a0]| {2}/.test(t) && t === t.trim();
// as WebDriver's atom does: runs of white space but non-breaking ones made one space, a line trimmed of them,
// then non-breaking spaces made spaces (a leading one stays)
const collapse = (t) => t.replace(/[^\S\u00a0]+/g, ' ').replace(/^[^\S\u00a0]+|[^\S\u00a0]+$/g, '');
const text = (e) => {
  if (FORM.has(e.tagName)) return null;
  if (!plainSpace(getComputedStyle(e))) {  // preformatted: only a single-spaced line of text reads the same
    const t = e.innerText || '';
    return e.children.length === 0 && oneLine(t) ? t : null;
  }
  let lines = false;
  for (const d of e.getElementsByTagName('*')) {
    if (SPECIAL.has(d.tagName.toUpperCase())) return null;
    const st = getComputedStyle(d);
    if (st.visibility !== 'visible' || st.opacity === '0') return null;
    const plain = plainSpace(st) || (d.children.length === 0 && oneLine(d.textContent || ''));
    if (!plain) return null;
    if (st.display === 'inline' || st.display === 'inline-block') continue;
    if (st.display !== 'block' || d.tagName === 'P') return null;
    lines = true;
  }
  const t = (e.innerText || '').split('\n').map(collapse);
  return (lines ? t.filter((l) => l) : t).join(lines ? '\n' : ' ').replace(/\u00a0/g, ' ');
};
const info = els.map((e) => {
  const d = shown(e);
  const anc = [];
  for (let p = e.parentElement; p; p = p.parentElement) { const i = index.get(p); if (i !== undefined) anc.push(i); }
  return {attrs: Object.fromEntries(Array.from(e.attributes, (a) => [a.name, a.value])), shown: d,
          text: d ? text(e) : '', enabled: !e.matches(':disabled'), value: FORM.has(e.tagName) ? e.value : null,
          form: FORM.has(e.tagName), anc};
});
return {doc: store.doc, keys: els.map(key), matches, info};
"""

#: attributes read from the snapshot; others (``href``, ``value``, boolean attributes, which WebDriver reads
#: as properties) go to the device
_PLAIN_ATTRS = ("id", "role", "title", "name", "placeholder")
#: commands that only read: they leave a snapshot valid (every other command ends it)
_READ_COMMANDS = frozenset({
    "findElement", "findElements", "findChildElement", "findChildElements", "getElementAttribute",
    "getElementProperty", "getElementText", "isElementDisplayed", "locationInView",
    "isElementEnabled", "isElementSelected", "getElementTagName", "getElementRect", "getElementValueOfCssProperty",
    "getElementAriaRole", "getElementAriaLabel", "getCurrentUrl", "getTitle", "getPageSource", "screenshot",
    "elementScreenshot", "getTimeouts", "setTimeouts", "w3cGetCurrentWindowHandle", "w3cGetWindowHandles",
    "getWindowRect", "getLog", "getAvailableLogTypes", "getShadowRoot",
})
#: scripts that only read: the snapshot's own, the wait for a change (harness.app.changes) and Selenium's getAttribute / isDisplayed atoms
_READ_SCRIPTS = ("/* harness snapshot */", "/* harness change */", "/* snapshot handle */", "/* getAttribute */",
                 "/* isDisplayed */")


def refresh(driver: Any) -> None:
    """The current read's next lookup takes a new snapshot (an element went stale: the app redrew meanwhile)."""
    _end_current(driver)


def enabled() -> bool:
    return os.environ.get("HARNESS_SNAPSHOT_READS", "1") != "0"


@dataclass
class _Info:
    attrs: dict[str, str]
    shown: bool
    text: str | None  # None: not one line of inline text (read live)
    enabled: bool
    value: Any
    form: bool
    ancestors: frozenset[str]  # ids of the ancestors found in the same fetch

    @classmethod
    def of(cls, raw: dict[str, Any], ancestors: frozenset[str]) -> "_Info":
        """One element's entry of the script's ``info``."""
        return cls(dict(raw["attrs"]), bool(raw["shown"]), raw["text"], bool(raw["enabled"]), raw.get("value"),
                   bool(raw.get("form")), ancestors)


class Snapshot:
    """The elements one read may look at, fetched in one round trip (see the module docstring)."""

    def __init__(self, driver: Any, locators: tuple[tuple[str, str], ...],
                 learn: Callable[[tuple[str, str]], None] | None = None) -> None:
        self.driver = driver
        self.alive = True
        self._learn = learn
        self._specs = list(locators)
        self._info: dict[str, _Info] = {}
        self._elements: dict[str, Any] = {}
        self._global: dict[tuple[str, str], list[str] | None] = {}
        self._within: dict[tuple[str, str, str], list[str] | None] = {}
        #: the document-wide locators this read looked up (what a wait's later probes fetch: :class:`Probes`)
        self.looked: dict[tuple[str, str], None] = {}
        _guard(driver)
        self._load()

    def _load(self) -> None:
        """Every global locator of this read at one moment (again when a read asks for one more: the elements
        already handed out read the newer moment, and lookups inside them stay local; one no longer on the
        screen reads live, and goes stale as it would have)."""
        self._info = {}
        for spec, ids in zip(self._specs, self._fetch(self._specs, None)):
            self._global[spec] = ids
        self._within.clear()

    def end(self) -> None:
        self.alive = False

    def find(self, by: str, value: str, within: Any = None) -> list[Any] | None:
        """The elements ``by``/``value`` finds (inside ``within``), in document order; None when the page
        cannot answer (the caller asks the driver)."""
        if by not in ("css selector", "xpath"):
            return None
        key = (by, value)
        if within is None or by == "css selector":
            self.looked[key] = None
        if within is None:
            if key not in self._global:
                self._specs.append(key)
                if self._learn is not None:
                    self._learn(key)
                self._load()
            ids = self._global[key]
        else:
            root = getattr(within, "_key", None)
            if root is None or root not in self._info:
                return None
            if by == "css selector":
                # a css lookup inside an element: the document's matches inside it (as querySelectorAll does)
                if key not in self._global:
                    self.find(by, value)  # fetched with the rest: the screen read again
                    if root not in self._info:
                        return None
                got = self._global[key]
                ids = None if got is None else [i for i in got if root in self._info[i].ancestors]
            else:  # an xpath is relative to the element it is evaluated from
                key3 = (by, value, root)
                if key3 not in self._within:
                    self._within[key3] = self._fetch([key], within, keep_ancestry=True)[0]
                ids = self._within[key3]
        return None if ids is None else [self._elements[i] for i in ids]

    def info(self, element_id: str) -> _Info | None:
        return self._info.get(element_id)

    def read_one(self, el: "_SnapReads") -> _Info:
        """``el`` read as it is now (the script on that one element, by its reference); stale when it is gone."""
        out = self.driver.execute_script(SNAPSHOT_JS, [], None, _ref_arg(el))
        if out.get("stale"):
            raise stale_error(el)
        return _Info.of(out["info"][0], frozenset())

    def _fetch(self, specs: list[tuple[str, str]], within: Any, keep_ancestry: bool = False) -> list[list[str] | None]:
        out = self.driver.execute_script(SNAPSHOT_JS, [list(s) for s in specs], script_arg(within))
        if out.get("stale"):
            raise stale_error(within)
        doc, infos = out["doc"], out["info"]
        ids = [f"{doc}:{k}" for k in out["keys"]]
        for k, raw, eid in zip(out["keys"], infos, ids):
            if eid not in self._elements:
                self._elements[eid] = _snap_element(self.driver, eid, [doc, k], self)
            ancestors = frozenset(ids[i] for i in raw["anc"])
            if keep_ancestry and eid in self._info:  # a lookup inside one element knows less of the document
                ancestors = self._info[eid].ancestors
            self._info[eid] = _Info.of(raw, ancestors)
        return [None if m is None else [ids[i] for i in m] for m in out["matches"]]


class _SnapReads:
    """Reads served from the element's snapshot while it lives; after it ended, the element read as it is now
    (one round trip by its reference), and what that cannot answer read live (the driver).

    The element's WebDriver handle is asked for the first time a command needs it (a live read, a click, the
    element as a script argument: :func:`_resolve`); the snapshot's own reads, and the scripts that take a
    reference (:func:`script_arg`), never need it. Two such elements are equal when they are the same element of
    the same document (their ``_key``)."""

    _snap: Snapshot
    _key: str  # this document's token and the element's number in it
    _ref: list[Any]
    _handle: str | None = None

    @property
    def _id(self) -> str:  # the driver's element id, which every element command sends (WebElement._execute)
        if self._handle is None:
            self._handle = _resolve(self._parent, self)  # type: ignore[attr-defined]
        return self._handle

    @_id.setter
    def _id(self, value: str | None) -> None:
        self._handle = value

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, _SnapReads):
            return self._key == other._key
        return hasattr(other, "id") and self._id == other.id

    def __hash__(self) -> int:
        return hash(self._key)

    def _mine(self) -> _Info | None:
        snap = self._snap
        return snap.info(self._key) if snap.alive else None

    def _now(self) -> _Info:
        """What the snapshot read of this element, while it lives; after it ended, the element read as it is
        now, by its reference: one round trip, where a handle not yet asked for and a live command cost two."""
        i = self._mine()
        return i if i is not None else self._snap.read_one(self)

    @property
    def text(self) -> str:
        i = self._now()
        return i.text if i.text is not None else super().text  # type: ignore[misc]

    def get_attribute(self, name: str) -> Any:
        if name.startswith(("data-", "aria-")) or name in _PLAIN_ATTRS:
            return self._now().attrs.get(name)
        return super().get_attribute(name)  # type: ignore[misc]

    def get_dom_attribute(self, name: str) -> Any:
        return self._now().attrs.get(name)

    def get_property(self, name: str) -> Any:
        if name == "value":
            i = self._now()
            if i.form:
                return i.value
        return super().get_property(name)  # type: ignore[misc]

    def is_displayed(self) -> bool:
        return self._now().shown

    def is_enabled(self) -> bool:
        return self._now().enabled

    def find_elements(self, by: str = "id", value: Any = None) -> list[Any]:
        if self._snap.alive:
            got = self._snap.find(by, value, self)
            if got is not None:
                return got
        return list(super().find_elements(by, value))  # type: ignore[misc]

    def find_element(self, by: str = "id", value: Any = None) -> Any:
        from selenium.common.exceptions import NoSuchElementException

        if self._snap.alive:
            got = self._snap.find(by, value, self)
            if got is not None:
                if not got:
                    raise NoSuchElementException(f"no element {by}={value!r} inside {self._key}")
                return got[0]
        return super().find_element(by, value)  # type: ignore[misc]


_CLASSES: dict[type, type] = {}


def _snap_element(driver: Any, key: str, ref: list[Any], snap: Snapshot) -> Any:
    """An element of ``driver``'s page known by its reference, reading from ``snap`` while it lives; of the
    driver's own element class (``driver._web_element_cls``), so a command on it is what it would be on a handle."""
    base = getattr(driver, "_web_element_cls", None) or _web_element()
    cls = _CLASSES.get(base)
    if cls is None:
        cls = _CLASSES[base] = type(f"Snapshot{base.__name__}", (_SnapReads, base), {})
    out = cls(driver, None)
    out._key, out._ref, out._snap = key, ref, snap
    return out


def _web_element() -> type:
    from selenium.webdriver.remote.webelement import WebElement

    return WebElement


#: the handle of the element a reference names (marked as a snapshot script: it reads only)
#: the element a reference names, as WebDriver's handle. A read, but not one of the harness's value scripts
#: (``/* harness ...``, harness/device/devtools_route.py): only chromedriver can hand out a handle
RESOLVE_JS = "/* snapshot handle */\n" + DEREF_JS + "return deref(arguments[0]) || null;"


def _resolve(driver: Any, el: _SnapReads) -> str:
    """The WebDriver element id of ``el``: one round trip, the first time a command needs it."""
    found = driver.execute_script(RESOLVE_JS, _ref_arg(el))
    if found is None:
        raise stale_error(el)
    return str(found.id)


def stale_error(el: Any) -> Exception:
    from selenium.common.exceptions import StaleElementReferenceException

    return StaleElementReferenceException(
        f"stale element reference: the element {getattr(el, '_key', el)} is no longer in the document")


def script_arg(el: Any) -> Any:
    """``el`` as a script argument: a reference the page resolves itself (``deref`` of :data:`DEREF_JS`) for a
    snapshot element whose handle was never needed, else ``el``. Why: asking for the handle is a round trip."""
    if isinstance(el, _SnapReads) and el._handle is None:
        return _ref_arg(el)
    return el


def _ref_arg(el: _SnapReads) -> dict[str, Any]:
    return {"__harnessRef": el._ref}


def _guard(driver: Any) -> None:
    """End the live snapshot whenever ``driver`` is sent a command that may change the screen (once per driver:
    its ``execute`` wrapped on the instance, which every element's command goes through)."""
    if getattr(driver, "_harness_snapshot_guard", False):
        return
    original = driver.execute

    def execute(self: Any, command: str, params: Any = None) -> Any:
        if command not in _READ_COMMANDS:
            script = str((params or {}).get("script", "")) if isinstance(params, dict) else ""
            if not script.startswith(_READ_SCRIPTS):
                _end_current(self)
        return original(command, params)

    driver.execute = types.MethodType(execute, driver)
    driver._harness_snapshot_guard = True


# --- the scope: which snapshot the reads of this thread use now ------------------------------------------------


class Probes:
    """What the probes of one bounded wait looked up, so that every probe after the first fetches only that; and
    the same for the calls of one page-object read (:func:`probes_for`).

    Why: a wait looks at the screen again each time the page changes, and each look fetched every locator of the
    profile (80 for the reference app, 37 elements, 8 kB): 4-6 ms a read, against 1 ms for the one locator a
    banner's wait asks about. A probe that asks for a locator the earlier ones did not is answered as any read
    is when a lookup is new: the read fetched again with it added, at one moment (see :meth:`Snapshot.find`),
    and the later probes fetch it too. Lookups inside an element by css are fetched with the rest, so their
    locator is kept as well; one by xpath is its own round trip, as always."""

    def __init__(self) -> None:
        self.looked: dict[tuple[str, str], None] | None = None  # None until a probe's read has ended
        self._lock = threading.Lock()  # a page object's read may be called from two threads

    def specs(self) -> tuple[tuple[str, str], ...] | None:
        """What the next read fetches; None (every locator) before the first, or once more than
        :data:`MAX_NARROW` were asked for (a read whose locators follow its arguments)."""
        with self._lock:
            if self.looked is None or len(self.looked) > MAX_NARROW:
                return None
            return tuple(self.looked)

    def keep(self, snap: Snapshot) -> None:
        with self._lock:
            if self.looked is None:
                self.looked = {}
            self.looked.update(snap.looked)


@dataclass
class _Scope:
    driver: Any
    profile: AppProfile
    snap: Snapshot | None = None
    probes: Probes | None = None

    def current(self) -> Snapshot:
        if self.snap is None:  # none taken yet, or the last one ended (``end``)
            known = _known(self.profile)
            narrow = self.probes.specs() if self.probes is not None else None
            self.snap = Snapshot(self.driver, narrow if narrow else known.declared + tuple(known.extras),
                                 learn=known.learn)
        return self.snap

    def end(self) -> None:
        """End the current snapshot (its elements read live from now on); what it looked up is kept for the
        next one when this scope narrows (``probes``)."""
        if self.snap is not None:
            self.snap.end()
            if self.probes is not None:
                self.probes.keep(self.snap)
            self.snap = None


_SCOPE: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar("harness_snapshot_scope", default=None)


def _end_current(driver: Any) -> None:
    scope = _SCOPE.get()
    if scope is not None and scope.driver is driver:
        scope.end()


def usable(driver: Any, profile: AppProfile) -> bool:
    """This driver and app can be read by snapshot: a web app in a WebDriver session (not a test double)."""
    if profile.platform != "web" or not enabled():
        return False
    from selenium.webdriver.remote.webdriver import WebDriver

    return isinstance(driver, WebDriver)


@contextlib.contextmanager
def reading(driver: Any, profile: AppProfile, *, fresh: bool = False, probes: Probes | None = None) -> Iterator[None]:
    """Reads inside share one snapshot, taken at the first lookup. ``fresh``: a new one even inside another
    read (each probe of a wait: time has passed); the enclosing read's snapshot is ended, so its next lookup
    is fresh too. ``probes``: one of a wait's looks (see :class:`Probes`)."""
    outer = _SCOPE.get()
    if not usable(driver, profile) or (outer is not None and outer.driver is driver and not fresh):
        yield
        return
    if outer is not None:
        outer.end()
    token = _SCOPE.set(_Scope(driver, profile, probes=probes))
    try:
        yield
    finally:
        scope = _SCOPE.get()
        if scope is not None:
            scope.end()
        _SCOPE.reset(token)


def lookup(driver: Any, loc: Locator, within: Any = None) -> list[Any] | None:
    """The elements ``loc`` finds through the current read's snapshot; None outside a read (or when the page
    cannot answer): the caller asks the driver."""
    scope = _SCOPE.get()
    if scope is None or scope.driver is not driver:
        return None
    if within is not None and not isinstance(within, _SnapReads):
        return None  # an element from outside the snapshot: it answers for itself
    return scope.current().find(loc.by, loc.value, within)


@dataclass
class _Known:
    """The locators a profile's snapshots fetch: every css and xpath locator anywhere in the profile (its
    locators, collections, watch section), and those met at run time that it does not declare (narrowed ones, a
    plugin's own), the latest :data:`MAX_EXTRAS`."""

    profile: AppProfile
    declared: tuple[tuple[str, str], ...]
    extras: dict[tuple[str, str], None]
    #: a page object's read (its method) -> what its calls so far asked for (:func:`probes_for`)
    reads: dict[str, Probes] = field(default_factory=dict)

    def learn(self, spec: tuple[str, str]) -> None:
        self.extras.pop(spec, None)
        self.extras[spec] = None
        while len(self.extras) > MAX_EXTRAS:
            self.extras.pop(next(iter(self.extras)))


MAX_EXTRAS = 32
#: a read that has asked for more locators than this fetches them all again (see :meth:`Probes.specs`)
MAX_NARROW = 32
_KNOWN: dict[int, _Known] = {}


def probes_for(profile: AppProfile, read: str) -> Probes:
    """What the earlier calls of the page object's read ``read`` (its method's qualified name) asked for: its next
    call fetches only that (:class:`Probes`). A read looks for the same elements each time it is called (a
    contact's notes, a screen's subject); one that asks for another is answered all the same, one round trip
    more, once."""
    return _known(profile).reads.setdefault(read, Probes())


def _known(profile: AppProfile) -> _Known:
    known = _KNOWN.get(id(profile))
    if known is None or known.profile is not profile:
        known = _KNOWN[id(profile)] = _Known(profile, declared_locators(profile), {})
    return known


def declared_locators(profile: AppProfile) -> tuple[tuple[str, str], ...]:
    """Every css and xpath locator anywhere in the profile (its locators, collections, watch section)."""
    found: dict[tuple[str, str], None] = {}

    def walk(value: Any) -> None:
        if isinstance(value, Locator):
            if value.by in ("css selector", "xpath"):
                found[(value.by, value.value)] = None
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v)
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name, None))

    walk(profile)
    return tuple(found)


__all__ = ["DEREF_JS", "Probes", "SNAPSHOT_JS", "Snapshot", "declared_locators", "enabled", "lookup", "probes_for",
           "reading", "refresh", "script_arg", "stale_error", "usable"]
