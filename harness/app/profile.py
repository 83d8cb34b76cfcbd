"""An app profile: what the app can do, how to find it on screen, how its writes and backend are reached.

Page objects never hard-code a selector: they ask the profile for a named
locator (``offline_banner``) and for the attribute that carries a value
(``sync_state``). A profile declares the app's **capabilities**
(:mod:`harness.app.capabilities`) and gives locators only for those; its
**collections** are the record lists the generic steps (``add_item``,
``edit_item``, ...) work on; **identity** says how a write is identified on
the wire (a header, a JSON path into the body, or the harness's own
markers); **backend** says how the lab starts the app's server and
**hooks** how to reset, seed and read it back (HTTP calls, a shell command,
or a plugin function; each optional). **plugin** names a Python module with
page objects and steps for what the generic ones cannot express.
Parameters are the promises the requirements leave to the app
(REQUIREMENTS.md notes). Validated eagerly: unknown fields, a locator a
declared capability needs, a bad selector, or a bad strategy are
SpecErrors with file, line and field.

An app is named by a profile file, a folder holding ``app.yaml``, or a name
the harness knows (``harness apps`` lists them).

>>> prof = load_app_profile("todo-pouch")                # doctest: +SKIP
>>> "records" in prof.capability_set
True
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from harness.app.capabilities import CAPABILITIES, known_capabilities
from harness.errors import SpecError
from harness.inputs import exists, non_finite
from harness.yamlsource import error_loc, line_of, load_mapping, plain

#: where the harness keeps the profiles of apps it ships with (one folder each, with app.yaml)
BUNDLED_APPS_DIR = Path(__file__).resolve().parent.parent / "apps"
PROFILE_FILE = "app.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Locator(_Strict):
    """How to find an element: exactly one strategy."""

    css: str | None = None
    xpath: str | None = None
    accessibility_id: str | None = None

    @model_validator(mode="after")
    def _one(self) -> "Locator":
        given = [k for k in ("css", "xpath", "accessibility_id") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError(f"exactly one of css, xpath, accessibility_id (got {', '.join(given) or 'none'})")
        if self.css:
            problem = css_problem(self.css)
            if problem:
                raise ValueError(f"css selector {self.css!r} is not valid: {problem}")
        return self

    @property
    def by(self) -> str:
        """The WebDriver strategy name."""
        if self.css:
            return "css selector"
        if self.xpath:
            return "xpath"
        return "accessibility id"

    @property
    def value(self) -> str:
        return str(self.css or self.xpath or self.accessibility_id)

    def css_with(self, attr: str, val: str | int) -> "Locator":
        """This css locator narrowed to ``[attr="val"]`` (css only)."""
        if not self.css:
            raise SpecError("locator", self.value, "a css locator to narrow by attribute")
        return Locator(css=f'{self.css}[{attr}="{val}"]')


def css_problem(sel: str) -> str | None:
    """A reason a css selector cannot be valid (unbalanced brackets, quotes or parentheses), else None.

    A cheap syntactic check, so a typo in a profile is a configuration error before anything starts,
    not a "screen never came" in the middle of a run.
    """
    stack: list[str] = []
    quote: str | None = None
    pairs = {"]": "[", ")": "("}
    for ch in sel:
        if quote:
            if ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch in "[(":
            stack.append(ch)
        elif ch in "])":
            if not stack or stack.pop() != pairs[ch]:
                return f"unexpected {ch!r}"
    if quote:
        return f"unclosed quote {quote}"
    if stack:
        return f"unclosed {stack[-1]!r}"
    if not sel.strip():
        return "empty"
    if sel.strip()[-1] in ",>+~":
        return f"ends with {sel.strip()[-1]!r}"
    return None


class _AnyField(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "1"


def route_problem(route: str, names: tuple[str, ...] | None = None) -> str | None:
    """Why ``route`` cannot be filled in (its placeholders are filled with ``str.format`` when a screen is
    opened), else None; ``names``: the only placeholders allowed (None: any name).

    >>> route_problem("#/contacts/{in}", ("in",)), route_problem("#/x/{0}"), route_problem("#/x/{x}", ("in",))
    (None, 'a placeholder needs a name, like {id}', '{x} is no placeholder here (only {in})')
    """
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(route) if f is not None]
    except ValueError as e:
        return f"its braces do not match ({e})"
    for f in fields:
        if not f or f.isdigit():
            return "a placeholder needs a name, like {id}"
        if names is not None and f not in names:
            return f"{{{f}}} is no placeholder here (only {', '.join('{' + n + '}' for n in names)})"
    try:
        route.format_map(_AnyField())
    except (ValueError, AttributeError, KeyError, IndexError, TypeError) as e:
        return f"it cannot be filled in ({type(e).__name__}: {e})"
    return None


class Timeouts(_Strict):
    ui_s: float = Field(10.0, gt=0, le=600)
    sync_s: float = Field(30.0, gt=0, le=3600)
    launch_s: float = Field(30.0, gt=0, le=600)
    hang_s: float = Field(5.0, gt=0, le=600)
    #: the app's own request timeout, if known: a response withheld longer is one the app gave up on (the
    #: fuzzer's lost responses are held that long, so the app sees a timeout, not a silent network retry)
    request_s: float | None = Field(None, gt=0, le=600)


class Parameters(_Strict):
    """The app's offline promises (REQUIREMENTS.md notes) and its launch options."""

    cached_days: int = Field(4, ge=1, le=366)
    cached_list_size: int = Field(50, ge=1, le=100_000)
    queue_messages: bool = True
    order: Literal["global", "per_record"] = "global"
    launch_query: str = ""
    #: the launch parameters that are durations in milliseconds (the app's probe interval, request timeout,
    #: backoff...): a scenario's ``setup.time_scale`` multiplies them, so exploration runs the app's clock faster
    #: (``harness fuzz --time-scale``); an app that names none runs at its own pace only
    time_parameters: tuple[str, ...] = ()
    #: of the ``time_parameters``, the timers by which the app, offline, finds the way back on its own (its
    #: probe): in some of ``harness fuzz``'s rounds (resume rounds, harness.stateful.resume) they are held far
    #: away, so the app must resume on the triggers the requirements name (the OS's online signal R4, the return
    #: to the foreground R20/R21), not on its next timer. Names a scenario's ``setup.app`` can set
    resume_timers: tuple[str, ...] = ()
    #: the app's API requests (not its page and assets): what "the backend" refuses or a captive portal answers
    api_path: str = Field(default="/*", pattern=r"^[/*]")
    #: requests the app makes by itself while idle (health probes, heartbeats, long polls); quiescence
    #: ignores them (globs on the path)
    idle_paths: tuple[str, ...] = ()
    #: a page of the app's origin where none of its code runs (a 404 is fine; not a path the server answers with
    #: the app): the fuzzer writes a saved steady state into the app's storage there (harness.scenario.setup_snapshot)
    setup_snapshot_page: str | None = Field(default=None, pattern=r"^/")
    timeouts: Timeouts = Timeouts()
    #: R1: the app shows it is offline (its connectivity state, else its banner) within this many seconds of
    #: losing the path, in every offline window of every run (the whole-timeline ``detection`` check)
    detect_s: float = Field(10.0, gt=0, le=3600)
    #: R4: the app shows it is online again within this many seconds of a clean path coming back
    resume_s: float = Field(15.0, gt=0, le=3600)

    @model_validator(mode="after")
    def _resume_timers(self) -> "Parameters":
        from harness.scenario.model import AppParams

        settable = [n for n in AppParams.model_fields if n.endswith("_ms")]
        for name in self.resume_timers:
            if name not in self.time_parameters:
                raise ValueError(f"resume_timers: {name!r} is not one of time_parameters "
                                 f"({', '.join(self.time_parameters) or 'none'}); name it there too, in ms")
            if name not in settable:
                raise ValueError(f"resume_timers: {name!r} is not a timer a scenario can set (setup.app: "
                                 f"{', '.join(settable)}); leave it out, or call the app's probe one of those names")
        return self


class Collection(_Strict):
    """A list of records the user can read, add to, edit and delete (the generic steps' target)."""

    list: Locator = Field(description="the list (or screen) that shows the collection's items")
    item: Locator = Field(description="one item of the list")
    text: Locator | None = Field(default=None, description="the item's text, inside an item (default: the item)")
    input: Locator | None = Field(default=None, description="where a new item's text is typed")
    submit: Locator | None = Field(default=None, description="the control that adds the typed item")
    edit: Locator | None = Field(default=None, description="inside an item: opens its editor")
    edit_input: Locator | None = None
    edit_submit: Locator | None = None
    delete: Locator | None = Field(default=None, description="inside an item: deletes it")
    route: str | None = Field(default=None, description="web apps: where the list lives, e.g. '#/todos'")
    nav: Locator | None = Field(default=None, description="native apps: the control that opens the list")
    requirement: str = Field(default="R9", pattern=r"^R[0-9]{1,2}$",
                             description="the requirement an item's queued write stands for (R9 notes, R14 ...)")

    @field_validator("route")
    @classmethod
    def _route(cls, v: str | None) -> str | None:
        problem = route_problem(v, ("in",)) if v is not None else None
        if problem:
            raise ValueError(f"a route whose only placeholder is {{in}} (the record the list is under): {problem}")
        return v

    @property
    def can_add(self) -> bool:
        return self.input is not None and self.submit is not None

    @property
    def can_edit(self) -> bool:
        return self.edit is not None and self.edit_input is not None and self.edit_submit is not None


class Writes(_Strict):
    """Where the app's writes are, for an app whose writes carry no identity header."""

    method: str = Field(default="POST", pattern=r"^(\*|[A-Z]+)$")
    path: str = Field(default="/*", pattern=r"^[/*]")


class Identity(_Strict):
    """How a write is identified on the wire, so retries and duplicates can be told apart (R22).

    ``header``: a request header (an idempotency key); ``json_path``: a path into the JSON body
    (``docs[]._id``), with ``revision_path`` beside it (``docs[]._rev``); neither: the harness's own
    markers in the content identify writes.
    """

    header: str | None = Field(default=None, pattern=r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
    json_path: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_$.\[\]-]+$")
    revision_path: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_$.\[\]-]+$")
    #: how the app's writes look on the wire when no header marks them (lost responses aim at them)
    writes: Writes | None = None

    @model_validator(mode="after")
    def _one(self) -> "Identity":
        if self.header and self.json_path:
            raise ValueError("either header or json_path, not both")
        if self.revision_path and not self.json_path:
            raise ValueError("revision_path needs json_path")
        return self

    @property
    def kind(self) -> str:
        return "header" if self.header else ("json_path" if self.json_path else "markers")


class HttpCall(_Strict):
    """One HTTP call to the backend (direct, not through the lab's chain)."""

    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] = "GET"
    path: str = Field(pattern=r"^/")
    body: Any = None
    headers: dict[str, str] = {}
    ok: list[int] = Field(default_factory=list, description="statuses that count as success (default: 2xx)")

    @field_validator("body")
    @classmethod
    def _json(cls, v: Any) -> Any:
        where = non_finite(v)
        if where:
            raise ValueError(f"a JSON body: {where} is nan or infinite, which JSON cannot carry")
        return v


class ShellHook(_Strict):
    """A command run in the profile's folder; placeholders {backend_url}, {seed}, {items}, {text}."""

    shell: list[str] = Field(min_length=1)
    timeout_s: float = Field(default=60, gt=0, le=3600)


class PythonHook(_Strict):
    """A function of the app's plugin, ``module:function`` or ``function`` (in the profile's plugin)."""

    python: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.]*(:[A-Za-z_][A-Za-z0-9_]*)?$")


Hook = list[HttpCall] | HttpCall | ShellHook | PythonHook


class CollectionRead(_Strict):
    """Where a collection's records are in the read-back answer (JSON paths, ``rows[].doc``)."""

    items: str = Field(description="path to the list of records, e.g. rows[].doc")
    text: str = Field(default="text", description="the field holding the item's text (carries the marker)")
    id: str = "id"
    deleted: str | None = Field(default=None, description="a field that marks a record deleted (tombstones)")


class ReadHook(_Strict):
    """How to read the server's state back: one call (or a plugin function) and where each collection is."""

    request: HttpCall | None = None
    python: str | None = None
    collections: dict[str, CollectionRead] = {}

    @model_validator(mode="after")
    def _one(self) -> "ReadHook":
        if (self.request is None) == (self.python is None):
            raise ValueError("exactly one of request, python")
        return self


class Hooks(_Strict):
    """Backend hooks, each optional: without one, the harness says which oracle or step is unavailable."""

    reset: Hook | None = None
    seed: Hook | None = None
    read: ReadHook | None = None
    #: per collection: the call that makes one server-side change (placeholders {text}, {now_ms})
    server_change: dict[str, HttpCall | ShellHook | PythonHook] = {}
    #: applied after each reset with the run's options (bugs, token lifetime): plugin apps only
    configure: PythonHook | None = None
    #: copy the whole server state under a name, and put it back exactly (placeholder {name}); with both, and a
    #: device that can do the same to the app's storage, a fuzz run sets up once and restores before each example
    save: Hook | None = None
    restore: Hook | None = None


class BackendStart(_Strict):
    """How the lab starts the app's backend: a command, and the log line that says where it listens."""

    command: list[str] = Field(min_length=1, description="argv; placeholders {python}, {run_dir}, {app_dir}")
    ready: str = Field(description="regex on the backend's output; group 1 is its base URL")
    env: dict[str, str] = {}
    timeout_s: float = Field(default=30, gt=0, le=600)

    @model_validator(mode="after")
    def _regex(self) -> "BackendStart":
        try:
            rx = re.compile(self.ready)
        except re.error as e:
            raise ValueError(f"ready is not a valid regex: {e}") from None
        if rx.groups < 1:
            raise ValueError("ready needs one group capturing the base URL, e.g. 'listening on (http://\\S+)'")
        return self


class Backend(_Strict):
    """The app's server: started by the lab (``start``), or already running (``--backend URL``)."""

    start: BackendStart | None = None
    health: str | None = Field(default=None, pattern=r"^/")
    app_path: str = Field(default="/", pattern=r"^/", description="where the app's page is served (web apps)")


class WatchedControl(_Strict):
    """A control of a feature that needs a connection: once the app says it is offline, it is disabled or gone."""

    feature: str | None = Field(default=None, description="the action step it starts (pay, call, ...): judged only "
                                "when the scenario's app settings make that feature need a connection; none: always")
    requirement: str = Field(pattern=r"^R[0-9]{1,2}$", description="the requirement the feature stands for")


class WatchedItem(_Strict):
    """Items with a sync indicator beyond the collections' own (their text carries the marker)."""

    text: str | None = Field(default=None, description="a locator inside the item holding its text (default: "
                             "the item)")


class WatchedContent(_Strict):
    """One list a screen shows: its elements, identified by an attribute (stable ids) or by their text."""

    item: str = Field(description="a locator name")
    attribute: str | None = Field(default=None, description="an attribute name of the profile (default: the text)")


class WatchedScreen(_Strict):
    """A screen whose content is a cache read while offline (R3, R6-R8): what shows it, what it shows."""

    root: str = Field(description="the locator of the screen: present means it is shown")
    subject: str | None = Field(default=None, description="an attribute name on root naming the record shown")
    ready: str | None = Field(default=None, description="a locator that has text once the screen shows its record")
    requirement: str = Field(pattern=r"^R[0-9]{1,2}$")
    content: dict[str, WatchedContent] = {}


class Watch(_Strict):
    """What one screen read records at every step and condition change (harness.app.watch): besides the
    offline banner, the connectivity state, the pending count, the unavailable message, the error page and
    every collection's items, which the capabilities name already."""

    gated: dict[str, WatchedControl] = Field(default_factory=dict, description="locator name -> the feature "
                                             "it starts")
    items: dict[str, WatchedItem] = Field(default_factory=dict, description="locator name -> more items with a "
                                          "sync state (attributes.sync_state)")
    screens: dict[str, WatchedScreen] = Field(default_factory=dict, description="observation name (the "
                                              "checks' screen names, e.g. contact_view) -> how to read it")


class AppProfile(_Strict):
    """One app: capabilities, collections, locators, attributes, identity, backend and hooks."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=80)
    platform: Literal["web", "android", "ios"] = "web"
    description: str = ""
    plugin: str | None = Field(default=None, description="module path (pkg.mod) or a .py file beside the profile")
    capabilities: list[str] = []
    collections: dict[str, Collection] = {}
    identity: Identity = Identity()
    backend: Backend = Backend()
    hooks: Hooks = Hooks()
    parameters: Parameters = Parameters()
    locators: dict[str, Locator] = {}
    attributes: dict[str, str] = {}
    routes: dict[str, str] = {}
    #: what the continuous screen read records besides what the capabilities name (harness.app.watch)
    watch: Watch = Watch()
    #: the folder the profile came from (hooks and plugins run there); not a YAML field
    source: Path | None = Field(default=None, exclude=True)

    def locator(self, name: str) -> Locator:
        try:
            return self.locators[name]
        except KeyError:
            raise SpecError("locators", name, f"a locator defined in app profile {self.name}") from None

    def attr(self, name: str) -> str:
        try:
            return self.attributes[name]
        except KeyError:
            raise SpecError("attributes", name, f"an attribute defined in app profile {self.name}") from None

    def route(self, name: str, **kw: Any) -> str | None:
        r = self.routes.get(name)
        return r.format(**kw) if r else None

    @property
    def folder(self) -> Path:
        return self.source.parent if self.source is not None else Path.cwd()

    @property
    def capability_set(self) -> frozenset[str]:
        """Declared plus derived capabilities."""
        caps = set(self.capabilities)
        cols = self.collections.values()
        if any(c.can_add for c in cols):
            caps.add("records")
        if any(c.can_edit for c in cols):
            caps.add("records.edit")
        if any(c.delete is not None for c in cols):
            caps.add("records.delete")
        if self.hooks.reset is not None:
            caps.add("backend_reset")
        if self.hooks.read is not None:
            caps.add("backend_read")
        if self.hooks.server_change:
            caps.add("server_changes")
        return frozenset(caps)

    def default_collection(self) -> str | None:
        """The collection a generic step uses when it names none: the first one declared."""
        return next(iter(self.collections), None)

    def collection(self, name: str | None) -> tuple[str, Collection]:
        key = name or self.default_collection()
        if key is None or key not in self.collections:
            known = ", ".join(self.collections) or "none declared"
            raise SpecError("collection", name, f"a collection of app {self.name} ({known})")
        return key, self.collections[key]


def parse_app_profile(text: str, *, file: str | Path = "<string>") -> AppProfile:
    """Parse and validate an app profile; SpecError naming file, line and field."""
    doc = load_mapping(text, file=file, expected="a mapping with name, capabilities and locators")
    data = plain(doc)
    try:
        prof = AppProfile.model_validate(data)
    except ValidationError as e:
        # a union (a hook: list, HTTP call, shell, python) fails once per branch: the deepest error is the one
        # about what the user wrote ('hooks.reset.body'), not 'hooks.reset.list[HttpCall]: a valid list'
        located = [(tuple(error_loc(x["loc"], data)), x) for x in e.errors()]
        loc, err = max(located, key=lambda le: len(le[0]))
        field = ".".join(str(p) for p in loc) or "(document)"
        extra, missing = err["type"] == "extra_forbidden", err["type"] == "missing"
        raise SpecError(field, loc[-1] if extra and loc else None if missing else err.get("input"),
                        "a known field" if extra else "a value (the field is required)" if missing else
                        _allowed(err["msg"]), file=file, line=line_of(doc, loc) or 1) from None
    if file != "<string>":
        prof = prof.model_copy(update={"source": Path(file).resolve()})
    if prof.plugin:
        from harness.app.plugins import load_plugin

        try:
            load_plugin(prof)
        except SpecError as e:
            raise SpecError("plugin", prof.plugin, e.allowed, file=file, line=line_of(doc, ("plugin",)) or 1,
                            fix=e.fix) from None
    _check_capabilities(prof, doc, file)
    _check_watch(prof, doc, file)
    for name, route in prof.routes.items():
        problem = route_problem(route)
        if problem:
            raise SpecError(f"routes.{name}", route, f"a route with named placeholders, like '#/contacts/{{id}}' "
                            f"({problem})", file=file, line=line_of(doc, ("routes", name)) or 1,
                            fix="a screen is opened with its route filled in by str.format")
    return prof


def _check_watch(prof: AppProfile, doc: Any, file: str | Path) -> None:
    """Every locator and attribute the ``watch`` section names is defined in the profile."""
    w = prof.watch
    refs: list[tuple[tuple[Any, ...], str, str | None]] = []  # (path, kind, name)
    for name, c in w.gated.items():
        refs.append((("watch", "gated", name), "locators", name))
    for name, it in w.items.items():
        refs += [(("watch", "items", name), "locators", name), (("watch", "items", name, "text"), "locators", it.text)]
    for name, sc in w.screens.items():
        at = ("watch", "screens", name)
        refs += [(at + ("root",), "locators", sc.root), (at + ("subject",), "attributes", sc.subject),
                 (at + ("ready",), "locators", sc.ready)]
        for key, c in sc.content.items():
            refs += [(at + ("content", key, "item"), "locators", c.item),
                     (at + ("content", key, "attribute"), "attributes", c.attribute)]
    if w.items and "sync_state" not in prof.attributes:
        raise SpecError("watch.items", next(iter(w.items)), "items whose sync state the app shows: declare "
                        "attributes.sync_state", file=file, line=line_of(doc, ("watch", "items")) or 1)
    for path, section, name in refs:
        if name is None:
            continue
        have = prof.locators if section == "locators" else prof.attributes
        if name not in have:
            raise SpecError(".".join(str(p) for p in path), name, f"a name under {section}: of this profile",
                            file=file, line=line_of(doc, path) or line_of(doc, ("watch",)) or 1,
                            fix=f"add {name} under {section}:, or name one that is there")


def _allowed(msg: str) -> str:
    """pydantic's message as what is allowed ('Input should be a valid list' -> 'a valid list')."""
    msg = msg.rstrip(".")
    for head in ("Input should be ", "Value error, "):
        msg = msg[len(head):] if msg.startswith(head) else msg
    return msg


def _check_capabilities(prof: AppProfile, doc: Any, file: str | Path) -> None:
    """Every declared capability is known, and its locators and attributes are given."""
    for i, name in enumerate(prof.capabilities):
        cap = CAPABILITIES.get(name)
        if cap is None:
            raise SpecError(f"capabilities.{i}", name, f"one of {', '.join(known_capabilities())}", file=file,
                            line=line_of(doc, ("capabilities", i)) or 1,
                            fix="declare only what the app has; a plugin's capabilities need its plugin: field")
        for section, needed, have in (("locators", cap.locators, prof.locators),
                                      ("attributes", cap.attributes, prof.attributes)):
            missing = [n for n in needed if n not in have]
            if missing:
                raise SpecError(f"{section}.{missing[0]}", None,
                                f"a value: capability {name} needs {', '.join(missing)}", file=file,
                                line=line_of(doc, (section,)) or line_of(doc, ("capabilities", i)) or 1,
                                fix=f"add them under {section}:, or drop {name} from capabilities")
    if "item_sync_state" in prof.capabilities and not prof.collections:
        raise SpecError("capabilities", "item_sync_state", "a capability of items: declare collections first",
                        file=file, line=line_of(doc, ("capabilities",)) or 1)


def profile_path(name_or_path: str | Path) -> Path:
    """The app.yaml behind a name (``harness apps``), a folder, or a file path; SpecError listing names."""
    p = Path(name_or_path)
    if exists(p, "dir") and exists(p / PROFILE_FILE, "file"):
        return p / PROFILE_FILE
    if p.suffix in (".yaml", ".yml"):
        if exists(p, "file"):
            return p
        raise SpecError("app", str(name_or_path), "an existing app profile file",
                        fix=f"check the path; {p} does not exist")
    known = known_apps()
    if str(name_or_path) in known:
        return known[str(name_or_path)]
    if exists(p, "dir"):
        raise SpecError("app", str(name_or_path), "a folder with app.yaml, a profile file, or a known app name",
                        fix=f"{p} has no {PROFILE_FILE}")
    raise SpecError("app", str(name_or_path), f"an app name ({', '.join(sorted(known))}), a folder with "
                    f"{PROFILE_FILE}, or a YAML path", fix="`harness apps` lists the apps the harness knows")


def known_apps() -> dict[str, Path]:
    """Apps by name: bundled with the harness, in ``examples/apps`` and ``apps`` under the working folder, and
    in ``HARNESS_APPS_PATH`` folders (``:``-separated), each a folder with an app.yaml."""
    import os

    roots = [BUNDLED_APPS_DIR, Path.cwd() / "examples" / "apps", Path.cwd() / "apps"]
    roots += [Path(p) for p in os.environ.get("HARNESS_APPS_PATH", "").split(os.pathsep) if p]
    found: dict[str, Path] = {}
    for root in roots:
        if not root.is_dir():
            continue
        for d in sorted(root.iterdir()):
            f = d / PROFILE_FILE
            if f.is_file() and d.name not in found:
                found[d.name] = f
    return found


def load_app_profile(name_or_path: str | Path) -> AppProfile:
    """An app profile by name, folder or path (see :func:`profile_path`)."""
    p = profile_path(name_or_path)
    from harness.inputs import read_text

    return parse_app_profile(read_text(p, what="app profile"), file=p)


__all__ = [
    "AppProfile", "Backend", "BackendStart", "Collection", "CollectionRead", "HttpCall", "Hooks", "Identity",
    "Locator", "Parameters", "PythonHook", "ReadHook", "ShellHook", "Timeouts", "Watch", "WatchedContent",
    "WatchedControl", "WatchedItem", "WatchedScreen", "css_problem", "known_apps",
    "load_app_profile", "parse_app_profile", "profile_path",
]
