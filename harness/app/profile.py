"""An app profile: the locator map and the app's offline parameters, from YAML.

Page objects never hard-code a selector: they ask the profile for a named
locator (``note_item``) and for the attribute that carries a value
(``sync_state``). Parameters are the promises the requirements leave to
the app (REQUIREMENTS.md notes): how many days of calendar are cached, how
long the cached contact list is, whether SMS/email queue offline, and the
launch query that shortens the app's timers. Validated eagerly: unknown
fields, a missing locator the page objects need, or a bad strategy are
SpecErrors with file, line and field.

>>> prof = load_app_profile("refapp")
>>> prof.locator("note_item").value
'[data-testid=note-item]'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from harness.yamlsource import line_of, load_mapping, plain
from harness.errors import SpecError

PROFILES_DIR = Path(__file__).parent / "profiles"

#: Every locator the page objects use (the refapp profile defines all of them).
REQUIRED_LOCATORS: tuple[str, ...] = (
    "app_root", "offline_banner", "sync_status", "unavailable_message", "error_page",
    "nav_dashboard", "nav_contacts", "nav_conversations", "nav_calendar", "nav_search", "nav_workflows", "nav_outbox",
    "dashboard", "widget", "conversation_count_unread", "conversation_count_total",
    "contact_list", "contact_row", "load_more", "list_cached_end",
    "contact_detail", "contact_name", "contact_email", "contact_phone", "contact_company",
    "activity_item", "note_list", "note_item", "note_text", "note_sync_indicator", "note_input", "note_add",
    "opportunity_row", "file_item",
    "action_sms", "action_email", "action_call", "action_pay", "action_upload", "action_workflow",
    "opportunity_form", "opportunity_name", "opportunity_stage", "opportunity_value", "opportunity_save",
    "opportunity_sync_indicator", "upload_input", "upload_submit",
    "sms_body", "sms_send", "email_subject", "email_body", "email_send", "call_start", "call_status",
    "payment_amount", "payment_kind", "payment_submit", "payment_result",
    "workflow_list", "workflow_run", "workflow_contact", "workflow_result",
    "conversation_list", "conversation_row", "thread", "message_item", "load_earlier",
    "calendar", "calendar_day", "appointment_item",
    "search_input", "search_submit", "search_result", "search_scope",
    "outbox_list", "outbox_item",
)

#: Attributes that carry values on screen, and their names in this app.
REQUIRED_ATTRIBUTES: tuple[str, ...] = (
    "connectivity", "app_state", "pending", "value", "contact_id", "activity_id", "key", "sync_state",
    "opportunity_id", "conversation_id", "unread", "message_id", "direction", "date", "appointment_id",
    "type", "id", "kind", "workflow_id", "widget",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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


class Timeouts(_Strict):
    ui_s: float = Field(10.0, gt=0)
    sync_s: float = Field(30.0, gt=0)
    launch_s: float = Field(30.0, gt=0)
    hang_s: float = Field(5.0, gt=0)
    #: the app's own request timeout, if known: a response withheld longer is one the app gave up on (the
    #: fuzzer's lost responses are held that long, so the app sees a timeout, not a silent network retry)
    request_s: float | None = Field(None, gt=0)


class Parameters(_Strict):
    """The app's offline promises (REQUIREMENTS.md notes) and its launch options."""

    cached_days: int = Field(4, ge=1)
    cached_list_size: int = Field(50, ge=1)
    queue_messages: bool = True
    order: Literal["global", "per_record"] = "global"
    launch_query: str = ""
    #: requests the app makes by itself while idle (health probes, heartbeats); quiescence ignores them
    idle_paths: tuple[str, ...] = ("/api/health",)
    timeouts: Timeouts = Timeouts()


class AppProfile(_Strict):
    """One app: name, platform, parameters, locators, attributes, routes."""

    name: str
    platform: Literal["web", "android", "ios"] = "web"
    description: str = ""
    parameters: Parameters = Parameters()
    locators: dict[str, Locator]
    attributes: dict[str, str]
    routes: dict[str, str] = {}

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


def parse_app_profile(text: str, *, file: str | Path = "<string>", require_all: bool = True) -> AppProfile:
    """Parse and validate an app profile; SpecError naming file, line and field."""
    doc = load_mapping(text, file=file, expected="a mapping with name, locators and attributes")
    try:
        prof = AppProfile.model_validate(plain(doc))
    except ValidationError as e:
        err = e.errors()[0]
        loc = tuple(err["loc"])
        field = ".".join(str(p) for p in loc)
        extra = err["type"] == "extra_forbidden"
        raise SpecError(field, loc[-1] if extra else err.get("input"), "a known field" if extra else err["msg"],
                        file=file, line=line_of(doc, loc) or 1) from None
    if require_all:
        for section, required, have in (("locators", REQUIRED_LOCATORS, prof.locators),
                                        ("attributes", REQUIRED_ATTRIBUTES, prof.attributes)):
            missing = [n for n in required if n not in have]
            if missing:
                raise SpecError(f"{section}.{missing[0]}", None,
                                f"a value: the page objects need {', '.join(missing)}", file=file,
                                line=line_of(doc, (section,)) or 1, fix=f"add them under {section}: (see template.yaml)")
    return prof


def load_app_profile(name_or_path: str | Path) -> AppProfile:
    """An app profile by name (harness/app/profiles/NAME.yaml) or by path."""
    p = Path(name_or_path)
    if not p.suffix:
        p = PROFILES_DIR / f"{name_or_path}.yaml"
    if not p.exists():
        known = ", ".join(sorted(x.stem for x in PROFILES_DIR.glob("*.yaml") if x.stem != "template"))
        raise SpecError("app", str(name_or_path), f"an app profile name ({known}) or a YAML path")
    return parse_app_profile(p.read_text(encoding="utf-8"), file=p)


__all__ = [
    "AppProfile", "Locator", "PROFILES_DIR", "Parameters", "REQUIRED_ATTRIBUTES", "REQUIRED_LOCATORS", "Timeouts",
    "load_app_profile", "parse_app_profile",
]
