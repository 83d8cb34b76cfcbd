"""Scenario steps: one typed model per step, registered by name.

A scenario's ``steps`` is a list; each item is a step name alone
(``- offline``), a name with one scalar for its main field
(``- profile: 3g``), or a name with a mapping of fields
(``- add_note: {contact: 3, as: n1}``). The registry maps each name to its
pydantic model, its family (how the runner executes it) and its main field,
so the loader, the runner, the JSON Schema and the Hypothesis rules share
one list of steps.

>>> sorted(STEPS)[:3]
['add_note', 'background', 'call']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Family = Literal["network", "schedule", "device", "action", "server", "expect", "wait"]


class StepModel(BaseModel):
    """Base of every step's parameters: unknown fields are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)


@dataclass(frozen=True)
class StepType:
    name: str
    model: type[StepModel]
    family: Family
    primary: str | None  # the field a scalar shorthand fills (``- profile: 3g``)
    doc: str
    #: capabilities the app needs for this step (harness.app.capabilities); none: any app
    needs: frozenset[str] = frozenset()
    #: extra needs that depend on the step's values (e.g. expect_item pending needs a sync indicator)
    needs_extra: Callable[[Any], frozenset[str]] | None = None

    def needs_for(self, params: Any) -> frozenset[str]:
        """What the app must have to run this step with these values."""
        extra = self.needs_extra(params) if self.needs_extra is not None else frozenset()
        return self.needs | extra


STEPS: dict[str, StepType] = {}


def step(name: str, family: Family, *, primary: str | None = None, needs: tuple[str, ...] = (),
         needs_extra: Callable[[Any], frozenset[str]] | None = None) -> Callable[[type[StepModel]], type[StepModel]]:
    """Register a step model under ``name``, with the capabilities it needs; a duplicate name is a
    programming error."""

    def register(model: type[StepModel]) -> type[StepModel]:
        if name in STEPS:
            raise ValueError(f"step {name!r} registered twice")
        STEPS[name] = StepType(name, model, family, primary, (model.__doc__ or "").strip().splitlines()[0],
                               frozenset(needs), needs_extra)
        return model

    return register


Label = Field(default=None, alias="as", description="a name to refer to this item in later steps")
ContactRef = Field(ge=1, description="contact id in the seeded data (1..contacts)")
Seconds = Field(gt=0, le=3600)

# -- network conditions (the lab's link and HTTP layers, or the device's radio) --------------


@step("offline", "network", primary="via")
class Offline(StepModel):
    """Cut the network: airplane mode on the device (default), the link down, or the backend unreachable."""

    via: Literal["airplane", "link", "backend"] = "airplane"


@step("online", "network")
class Online(StepModel):
    """Undo every ``offline``: the radio back on, the link up, the backend reachable."""


@step("condition", "network")
class Condition(StepModel):
    """Apply any link or HTTP condition by its registry type, e.g. ``{type: latency, latency_ms: 300}``."""

    model_config = ConfigDict(extra="allow", frozen=True, allow_inf_nan=False)
    type: str = Field(description="a condition name from harness.net.conditions (harness net --help lists them)")


@step("profile", "network", primary="name")
class Profile(StepModel):
    """Apply a named network profile (gsm, edge, 3g, slow-3g, very-bad-network, ...)."""

    name: str


@step("half_open", "network")
class HalfOpen(StepModel):
    """A dead link that still accepts connections: data is swallowed, nothing is answered."""


@step("drop_response", "network")
class DropResponse(StepModel):
    """The backend applies the request, then the response is lost on the way back."""

    method: str = "POST"
    path: str = Field(default="/*", description="glob on the request path")
    header: str | None = Field(default=None, description="only requests carrying this header, e.g. an "
                               "idempotency key (the app's mutations, not token refreshes or reads)")
    writes: bool = Field(default=False, description="only the app's writes, as its profile identifies them "
                         "(identity header, or identity.writes)")
    first: int | None = Field(default=1, ge=1, description="only the first N matching requests")
    rate: float | None = Field(default=None, ge=0, le=1)
    hold_ms: int = Field(default=0, ge=0, le=600_000, description="withhold the response this long, then "
                         "drop it; longer than the app's request timeout, the app sees the loss as a timeout")


@step("http_status", "network")
class HttpStatus(StepModel):
    """Answer matching requests with a status code instead of forwarding them."""

    status: int = Field(ge=100, le=599)
    method: str = "*"
    path: str = "/*"
    header: str | None = Field(default=None, description="only requests carrying this header")
    writes: bool = Field(default=False, description="only the app's writes, as its profile identifies them")
    first: int | None = Field(default=None, ge=1)
    rate: float | None = Field(default=None, ge=0, le=1)


@step("captive_portal", "network")
class CaptivePortal(StepModel):
    """Every API request gets a hotel-Wi-Fi login page (200, HTML) instead of the API."""


@step("hold", "network")
class Hold(StepModel):
    """Hold matching requests at the proxy (they hang) until ``release``."""

    method: str = "*"
    path: str = "/*"
    writes: bool = Field(default=False, description="only the app's writes, as its profile identifies them")


@step("release", "network")
class Release(StepModel):
    """Release every held request and end the hold: requests sent after it go through."""


@step("reset_network", "network")
class ResetNetwork(StepModel):
    """Clear every condition on every layer: a clean path."""


# -- schedules ---------------------------------------------------------------------------------


class _Scheduled(StepModel):
    background: bool = Field(default=False, description="run while the next steps run; join with wait_schedule")


@step("flap", "schedule")
class Flap(_Scheduled):
    """Rapid up/down: ``cycles`` times down for ``down_s`` then up for ``up_s`` (with jitter)."""

    up_s: float = Seconds
    down_s: float = Seconds
    cycles: int = Field(ge=1, le=1000)
    jitter_s: float = Field(default=0.0, ge=0, le=60)
    via: Literal["link", "airplane"] = "link"


@step("outage", "schedule", primary="duration_s")
class Outage(_Scheduled):
    """The network is down for ``duration_s``, then back."""

    duration_s: float = Seconds
    via: Literal["link", "airplane"] = "link"


@step("switch_network", "schedule")
class SwitchNetwork(_Scheduled):
    """Wi-Fi to cellular: every open connection reset, a short blackout, then a clean path."""

    blackout_s: float = Field(default=1.0, ge=0, le=60)


@step("degrade_recover", "schedule")
class DegradeRecover(_Scheduled):
    """A bad profile for ``duration_s``, then a clean path."""

    profile: str = "very-bad-network"
    duration_s: float = Seconds


@step("wait_schedule", "schedule")
class WaitSchedule(StepModel):
    """Wait for background schedules to finish (bounded)."""

    timeout_s: float = Field(default=300, gt=0, le=3600)


# -- device ----------------------------------------------------------------------------------


@step("background", "device", primary="duration_s", needs=("lifecycle",))
class Background(StepModel):
    """Send the app to the background under a background policy (the device profile's unless named)."""

    duration_s: float | None = Field(default=None, gt=0, le=3600, description="then back to the foreground")
    policy: str | None = Field(default=None, description="a policy name (harness devices --policies lists them)")


@step("freeze", "device", primary="duration_s", needs=("lifecycle",))
class Freeze(StepModel):
    """Freeze the app where it is, as the OS suspends it (a locked screen): no timers, no network, until ``foreground``."""

    duration_s: float | None = Field(default=None, gt=0, le=3600, description="then resume it in the foreground")


@step("foreground", "device", needs=("lifecycle",))
class Foreground(StepModel):
    """Bring the app back to the foreground (a cold start if the policy killed it)."""


@step("kill", "device", needs=("lifecycle",))
class Kill(StepModel):
    """The OS (or the user) kills the app; local storage stays."""


@step("relaunch", "device", needs=("lifecycle",))
class Relaunch(StepModel):
    """Cold start of the app after a kill (storage kept)."""


@step("reinstall", "device", needs=("lifecycle",))
class Reinstall(StepModel):
    """Uninstall and install again: local storage cleared."""


@step("policy", "device", primary="name", needs=("lifecycle",))
class Policy(StepModel):
    """Put the app in the background under a battery/background policy for ``background_s``, then foreground."""

    name: str | None = Field(default=None, description="default: the device profile's policy")
    background_s: float = Field(default=20, gt=0, le=3600)


# -- user actions on any app's collections (generic: every app that declares collections) --------

CollectionRef = Field(default=None, description="a collection of the app profile (default: its first)")
ParentRef = Field(default=None, alias="in", ge=1, description="the record the collection lives under, for "
                  "apps whose lists live under a record (the reference app's notes live on a contact); "
                  "apps with top-level lists ignore it")


@step("open_list", "action", primary="collection", needs=("records",))
class OpenList(StepModel):
    """Open a collection's list and read every item on it (a cache read when offline, R3)."""

    collection: str | None = CollectionRef
    parent: int | None = ParentRef


@step("add_item", "action", primary="collection", needs=("records",))
class AddItem(StepModel):
    """Add an item (its text carries a marker) to a collection: a queued write when offline."""

    collection: str | None = CollectionRef
    parent: int | None = ParentRef
    label: str | None = Label


@step("edit_item", "action", needs=("records.edit",))
class EditItem(StepModel):
    """Edit a labelled item: its text gets a new marker (a queued write when offline)."""

    item: str = Field(alias="of", description="the label of an item added earlier (as:)")
    label: str | None = Label


@step("delete_item", "action", primary="item", needs=("records.delete",))
class DeleteItem(StepModel):
    """Delete a labelled item (a queued delete when offline)."""

    item: str = Field(alias="of", description="the label of an item added earlier (as:)")


def _begun_needs(p: Any) -> frozenset[str]:
    return STEPS[p.action].needs_for(p.step) if p.action in STEPS else frozenset()


@step("begin", "action", needs_extra=_begun_needs)
class Begin(StepModel):
    """Start a user action, stopping before its last tap (screen open, form filled); ``submit`` finishes it.

    So the network can change in between: ``- begin: {pay: {contact: 3}}``, ``- offline: link``, ``- submit``."""

    action: str = Field(description="a user-action step (add_item, edit_item; an app plugin's: pay, run_workflow, "
                        "call, ...)")
    params: Any = Field(default=None, alias="with", description="that step's fields, as it takes them alone")

    @model_validator(mode="before")
    @classmethod
    def _one_step(cls, data: Any) -> Any:
        """``{pay: {contact: 3}}`` (a step as a scenario writes it) or ``{action: pay, with: {contact: 3}}``."""
        if isinstance(data, dict) and len(data) == 1 and not ({"action", "with", "params"} & set(data)):
            ((name, params),) = data.items()
            return {"action": name, "with": params}
        return data

    @model_validator(mode="after")
    def _valid_action(self) -> "Begin":
        st = STEPS.get(self.action)
        if st is None or st.family != "action" or self.action in ("begin", "submit"):
            raise ValueError(f"begin takes one user-action step (add_item, edit_item, or an app plugin's), not "
                             f"{self.action!r}")
        try:
            parse_step(self.action, self.params)
        except ValidationError as e:  # the inner step's own message, one line
            err = e.errors()[0]
            where = ".".join(str(x) for x in err["loc"])
            raise ValueError(f"begin {self.action}: {where + ': ' if where else ''}{err['msg']}") from None
        except (TypeError, ValueError) as e:
            raise ValueError(f"begin {self.action}: {e}") from None
        return self

    @property
    def step(self) -> StepModel:
        """The begun step's own parameters."""
        return parse_step(self.action, self.params)

    @property
    def label(self) -> str | None:
        """The label the begun step gives its item (so later steps can name it)."""
        return getattr(self.step, "label", None)


@step("submit", "action")
class Submit(StepModel):
    """Finish the action ``begin`` started: its last tap, judged as that action's outcome at this moment."""


@step("server_change", "server", primary="collection", needs=("server_changes",))
class ServerChange(StepModel):
    """Items added on the server (by another user) while the app may be offline; each carries a marker the
    app must show after it syncs (R18, R25)."""

    collection: str | None = CollectionRef
    count: int = Field(default=1, ge=1, le=100)


# -- user actions ----------------------------------------------------------------------------


@step("open_dashboard", "action", needs=("dashboard",))
class OpenDashboard(StepModel):
    """Open the dashboard and read its widgets and conversation counts."""


@step("open_contacts", "action", primary="pages", needs=("contacts",))
class OpenContacts(StepModel):
    """Open the contact list and scroll ``pages`` pages down."""

    pages: int = Field(default=1, ge=1, le=100)


@step("open_contact", "action", primary="contact", needs=("contacts",))
class OpenContact(StepModel):
    """Open a contact's detail: fields, activity history, notes."""

    contact: int = ContactRef


@step("open_thread", "action", primary="conversation", needs=("conversations",))
class OpenThread(StepModel):
    """Open a conversation thread and load ``earlier_pages`` pages of earlier messages."""

    conversation: int = Field(ge=1)
    earlier_pages: int = Field(default=0, ge=0, le=20)


@step("open_calendar", "action", needs=("calendar",))
class OpenCalendar(StepModel):
    """Open the calendar (today and the next days) and read every appointment."""


@step("add_note", "action", primary="contact", needs=("notes",))
class AddNote(StepModel):
    """Add a note (carrying a marker) to a contact."""

    contact: int = ContactRef
    label: str | None = Label


@step("edit_opportunity", "action", primary="opportunity", needs=("opportunities",))
class EditOpportunity(StepModel):
    """Change an opportunity's stage and value; its name gets a marker."""

    opportunity: int = Field(ge=1)
    stage: Literal["lead", "qualified", "proposal", "won", "lost"] | None = None
    value: float | None = Field(default=None, ge=0)
    label: str | None = Label


@step("upload_photo", "action", primary="contact", needs=("uploads",))
class UploadPhoto(StepModel):
    """Attach a generated photo (its file name carries a marker) to a contact."""

    contact: int = ContactRef
    size_kb: int = Field(default=16, ge=1, le=4096)
    label: str | None = Label


@step("send_sms", "action", primary="contact", needs=("messages",))
class SendSms(StepModel):
    """Send an SMS (its body carries a marker) to a contact."""

    contact: int = ContactRef
    label: str | None = Label


@step("send_email", "action", primary="contact", needs=("messages",))
class SendEmail(StepModel):
    """Send an email (its subject and body carry a marker) to a contact."""

    contact: int = ContactRef
    label: str | None = Label


@step("call", "action", primary="contact", needs=("calls",))
class Call(StepModel):
    """Start a call to a contact."""

    contact: int = ContactRef


@step("pay", "action", primary="contact", needs=("payments",))
class Pay(StepModel):
    """Take a payment from a contact (invoice or POS)."""

    contact: int = ContactRef
    amount_cents: int = Field(default=1000, ge=1)
    kind: Literal["invoice", "pos"] = "invoice"


@step("run_workflow", "action", needs=("workflows",))
class RunWorkflow(StepModel):
    """Run a workflow on a contact."""

    workflow: int = Field(default=1, ge=1)
    contact: int = ContactRef


@step("search", "action", primary="q", needs=("search",))
class Search(StepModel):
    """Search all records for ``q`` (or for the name of ``contact``)."""

    q: str | None = Field(default=None, min_length=1)
    contact: int | None = Field(default=None, ge=1)


# -- server-side activity ---------------------------------------------------------------------


@step("server_activity", "server", primary="kind", needs=("server_activity",))
class ServerActivity(StepModel):
    """Changes made on the server while the app is offline (needs the backend's admin API)."""

    kind: Literal["message", "contact", "appointment_change"]
    count: int = Field(default=1, ge=1, le=100)
    conversation: int | None = Field(default=None, ge=1, description="messages: in this conversation "
                                     "(default: any)")


# -- expectations and waits -----------------------------------------------------------------


@step("expect_banner", "expect", primary="visible", needs=("offline_indicator",))
class ExpectBanner(StepModel):
    """The offline banner is shown (or gone) within ``within_s``."""

    visible: bool
    within_s: float = Field(default=10, gt=0, le=600)


@step("expect_item", "expect", needs_extra=lambda p: frozenset(
    {"item_sync_state"} if p.state in ("pending", "failed") else ()))
class ExpectItem(StepModel):
    """A labelled item's sync state on screen within ``within_s``."""

    label: str = Field(alias="as")
    state: Literal["pending", "synced", "failed", "absent"]
    within_s: float = Field(default=10, gt=0, le=600)


@step("wait_synced", "expect", primary="timeout_s")
class WaitSynced(StepModel):
    """Wait (bounded) until the app says nothing is pending (an app without a pending count: until its traffic
    has been quiet for two seconds)."""

    timeout_s: float = Field(default=60, gt=0, le=3600)


@step("wait", "wait", primary="s")
class Wait(StepModel):
    """Let time pass (e.g. stay offline for a while); scenario time, not a synchronisation."""

    s: float = Field(gt=0, le=3600)


#: what each ``setup.load`` target needs (names; a LoadItem by its fields)
LOAD_NEEDS: dict[str, str] = {"dashboard": "dashboard", "contacts": "contacts", "calendar": "calendar",
                              "conversations": "conversations", "items": "records", "contact": "contacts",
                              "thread": "conversations", "opportunity": "opportunities",
                              "contacts_pages": "contacts"}


def load_needs(item: Any) -> frozenset[str]:
    """The capabilities a ``setup.load`` target needs."""
    if isinstance(item, str):
        return frozenset({LOAD_NEEDS.get(item, item)})
    fields = item.model_dump(exclude_none=True) if hasattr(item, "model_dump") else dict(item)
    return frozenset(LOAD_NEEDS.get(k, k) for k in fields)


def step_names(family: Family | None = None) -> list[str]:
    return sorted(n for n, s in STEPS.items() if family is None or s.family == family)


def parse_step(name: str, params: Any) -> StepModel:
    """Build one step's model; raises KeyError for an unknown name, pydantic's error for bad params."""
    st = STEPS[name]
    if params is None:
        params = {}
    elif not isinstance(params, dict):
        if st.primary is None:
            raise TypeError(f"{name} takes a mapping of fields, not {params!r}")
        params = {st.primary: params}
    return st.model.model_validate(params)


__all__ = ["LOAD_NEEDS", "STEPS", "StepModel", "StepType", "load_needs", "parse_step", "step", "step_names"]
