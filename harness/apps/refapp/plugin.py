"""The reference app's plugin: the CRM vocabulary on top of the generic steps.

Registers the CRM capabilities (with the locators each needs), the page
objects (``SCREENS``), the handlers of the CRM steps (``add_note``,
``edit_opportunity``, ``send_sms``, ``pay``, ``search``, ...), what
``setup.load`` targets mean here, how a CRM item's sync state is read,
the app's part of the final snapshot (notes per contact, opportunities,
dashboard, the threads and calendar read back with the radio off), and
the backend hooks (its admin API: reset, seed, config, snapshot, the
applied-mutation log, server-side activity).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.app.capabilities import register_capability
from harness.apps.refapp.pages.calendar import CalendarScreen
from harness.apps.refapp.pages.contact import ContactScreen
from harness.apps.refapp.pages.contacts import ContactsScreen
from harness.apps.refapp.pages.conversations import ConversationsScreen
from harness.apps.refapp.pages.dashboard import DashboardScreen
from harness.apps.refapp.pages.messaging import Messaging
from harness.apps.refapp.pages.online_only import OnlineOnly
from harness.apps.refapp.pages.opportunity import OpportunityScreen
from harness.apps.refapp.pages.outbox import OutboxScreen
from harness.apps.refapp.pages.search import SearchScreen
from harness.errors import LabError
from harness.scenario import steps as S
from harness.scenario.handlers import handler

PLUGIN = "refapp"

SCREENS = {
    "contacts": ContactsScreen, "contact": ContactScreen, "messaging": Messaging, "opportunity": OpportunityScreen,
    "conversations": ConversationsScreen, "calendar": CalendarScreen, "search": SearchScreen,
    "dashboard": DashboardScreen, "online_only": OnlineOnly, "outbox": OutboxScreen,
}

for _name, _doc, _locs, _attrs, _reqs in (
    ("dashboard", "a dashboard with widgets and conversation counts",
     ("dashboard", "widget", "conversation_count_unread", "conversation_count_total", "nav_dashboard"),
     ("value", "widget"), ("R18",)),
    ("contacts", "a contact list (cached down to its last cached set) and contact details with activity",
     ("contact_list", "contact_row", "load_more", "list_cached_end", "contact_detail", "contact_name",
      "contact_email", "contact_phone", "contact_company", "activity_item", "nav_contacts"),
     ("contact_id", "activity_id"), ("R6", "R12")),
    ("notes", "notes on a contact, queued offline with a sync indicator",
     ("note_list", "note_item", "note_text", "note_sync_indicator", "note_input", "note_add"),
     ("key", "sync_state"), ("R9",)),
    ("opportunities", "opportunities whose changes are queued offline",
     ("opportunity_row", "opportunity_form", "opportunity_name", "opportunity_stage", "opportunity_value",
      "opportunity_save", "opportunity_sync_indicator"), ("opportunity_id",), ("R14",)),
    ("uploads", "photo/file uploads queued offline", ("action_upload", "upload_input", "upload_submit", "file_item"),
     (), ("R15",)),
    ("messages", "SMS and email to a contact (queued or unavailable offline)",
     ("action_sms", "action_email", "sms_body", "sms_send", "email_subject", "email_body", "email_send"), (),
     ("R10",)),
    ("calls", "calls that need a live connection", ("action_call", "call_start", "call_status"), (), ("R11",)),
    ("payments", "payments that need a connection", ("action_pay", "payment_amount", "payment_kind",
                                                      "payment_submit", "payment_result"), (), ("R13",)),
    ("workflows", "workflow actions that need a connection",
     ("action_workflow", "workflow_list", "workflow_run", "workflow_contact", "workflow_result", "nav_workflows"),
     ("workflow_id",), ("R16",)),
    ("conversations", "conversations and threads with earlier messages",
     ("conversation_list", "conversation_row", "thread", "message_item", "load_earlier", "nav_conversations"),
     ("conversation_id", "unread", "message_id", "direction"), ("R7",)),
    ("calendar", "a calendar of today and the next days", ("calendar", "calendar_day", "appointment_item",
                                                            "nav_calendar"), ("date", "appointment_id"), ("R8",)),
    ("search", "search across records (cached subset offline)", ("search_input", "search_submit", "search_result",
                                                                 "search_scope", "nav_search"), ("type", "id"),
     ("R17",)),
    ("outbox", "an outbox screen listing queued work", ("outbox_list", "outbox_item", "nav_outbox"), ("kind",), ()),
    ("server_activity", "server-side messages, contacts and appointment changes made through the admin API", (),
     (), ("R18",)),
):
    register_capability(_name, _doc, locators=_locs, attributes=_attrs, plugin=PLUGIN, requirements=_reqs)

def hooks(profile: Any, backend_url: str) -> Any:
    """The backend hooks object (the admin API client) that the profile's python hooks call."""
    from harness.apps.refapp.admin import hooks as admin_hooks

    return admin_hooks(profile, backend_url)


def fuzz_vocabulary(runner: Any) -> Any:
    """The CRM's fuzz vocabulary (harness.stateful.vocab calls this)."""
    from harness.apps.refapp.fuzz import fuzz_vocabulary as crm

    return crm(runner)


def bug_catalogue() -> list[str]:
    """The names of the reference app's injectable bugs (refapp/BUGS.md), as its command lists them."""
    import subprocess
    import sys

    from harness import paths

    proc = subprocess.run([sys.executable, "-m", "refapp", "--list-bugs"], capture_output=True, text=True,
                          cwd=paths.ROOT, timeout=30)
    return [line.split()[0] for line in proc.stdout.splitlines() if line.strip()] if proc.returncode == 0 else []


#: the requirement an item of each kind stands for (expect_item)
ITEM_REQUIREMENTS = {"note": "R9", "opportunity": "R14", "photo": "R15", "sms": "R10", "email": "R10"}


# -- setup loads ---------------------------------------------------------------------------------

def load(ex: Any, item: Any) -> None:
    """Load one CRM setup target while online."""
    app = ex.app
    if item == "dashboard":
        app.dashboard.open()
    elif item == "contacts":
        _remember_names(ex, app.contacts.open())
    elif item == "calendar":
        app.calendar.open()
        ex.calendar_loaded = True
    elif item == "conversations":
        app.conversations.list_ids()
    elif not isinstance(item, str):
        if item.contact is not None:
            _remember_view(ex, app.contact.open(item.contact))
        if item.thread is not None:
            app.conversations.open_thread(item.thread)
            ex.threads_loaded.add(item.thread)
        if item.opportunity is not None:
            app.opportunity.open(item.opportunity)
        if item.contacts_pages is not None:
            _remember_names(ex, app.contacts.scroll_to_end(max_pages=item.contacts_pages))


def _remember_names(ex: Any, lst: Any) -> None:
    for row in getattr(lst, "rows", ()):
        if str(row.id).isdigit() and row.name:
            ex.names[int(row.id)] = row.name


def _remember_view(ex: Any, view: Any) -> None:
    if getattr(view, "available", False) and str(view.id).isdigit() and view.name:
        ex.names[int(view.id)] = view.name


# -- the CRM steps -------------------------------------------------------------------------------

@handler("open_dashboard")
def _open_dashboard(ex: Any, p: S.OpenDashboard) -> None:
    ex.app.dashboard.open()


@handler("open_contacts")
def _open_contacts(ex: Any, p: S.OpenContacts) -> None:
    app = ex.app
    _remember_names(ex, app.contacts.open() if p.pages == 1 else app.contacts.scroll_to_end(max_pages=p.pages))


@handler("open_contact")
def _open_contact(ex: Any, p: S.OpenContact) -> None:
    _remember_view(ex, ex.app.contact.open(p.contact))


@handler("open_thread")
def _open_thread(ex: Any, p: S.OpenThread) -> None:
    view = ex.app.conversations.open_thread(p.conversation, earlier_pages=p.earlier_pages)
    if view.available:
        ex.threads_loaded.add(p.conversation)


@handler("open_calendar")
def _open_calendar(ex: Any, p: S.OpenCalendar) -> None:
    ex.app.calendar.open()
    ex.calendar_loaded = True


@handler("add_note")
def _add_note(ex: Any, p: S.AddNote) -> None:
    m = ex.new_item(p.label, "note", contact=p.contact)
    ex.app.contact.add_note(p.contact, "Follow-up note", marker=m)


@handler("edit_opportunity")
def _edit_opportunity(ex: Any, p: S.EditOpportunity) -> None:
    m = ex.new_item(p.label, "opportunity", opportunity=p.opportunity)
    ex.app.opportunity.edit(p.opportunity, stage=p.stage, value=p.value, marker=m)


@handler("upload_photo")
def _upload_photo(ex: Any, p: S.UploadPhoto) -> None:
    m = ex.new_item(p.label, "photo", contact=p.contact)
    ex.app.contact.upload_photo(p.contact, _photo(ex, m, p.size_kb), marker=m)


@handler("send_sms")
def _send_sms(ex: Any, p: S.SendSms) -> None:
    m = ex.new_item(p.label, "sms", contact=p.contact)
    ex.app.messaging.send_sms(p.contact, f"Running late {m}", marker=m)


@handler("send_email")
def _send_email(ex: Any, p: S.SendEmail) -> None:
    m = ex.new_item(p.label, "email", contact=p.contact)
    ex.app.messaging.send_email(p.contact, f"Proposal {m}", f"Please find the proposal {m}", marker=m)


@handler("call")
def _call(ex: Any, p: S.Call) -> None:
    ex.app.messaging.call(p.contact)


@handler("pay")
def _pay(ex: Any, p: S.Pay) -> None:
    ex.app.online_only.pay(p.contact, p.amount_cents, p.kind)


@handler("run_workflow")
def _run_workflow(ex: Any, p: S.RunWorkflow) -> None:
    ex.app.online_only.run_workflow(p.workflow, p.contact)


@handler("search")
def _search(ex: Any, p: S.Search) -> None:
    ex.app.search.search(_query(ex, p))


# -- the first part of split actions (``begin``; ``submit`` does the last tap) ---------------------------------

@handler("add_note", begin=True)
def _begin_note(ex: Any, p: S.AddNote) -> Any:
    m = ex.new_item(p.label, "note", contact=p.contact)
    return ex.app.contact.begin_note(p.contact, "Follow-up note", marker=m)


@handler("edit_opportunity", begin=True)
def _begin_opportunity(ex: Any, p: S.EditOpportunity) -> Any:
    m = ex.new_item(p.label, "opportunity", opportunity=p.opportunity)
    return ex.app.opportunity.begin_edit(p.opportunity, stage=p.stage, value=p.value, marker=m)


@handler("send_sms", begin=True)
def _begin_sms(ex: Any, p: S.SendSms) -> Any:
    m = ex.new_item(p.label, "sms", contact=p.contact)
    return ex.app.messaging.begin_sms(p.contact, f"Running late {m}", marker=m)


@handler("call", begin=True)
def _begin_call(ex: Any, p: S.Call) -> Any:
    return ex.app.messaging.begin_call(p.contact)


@handler("pay", begin=True)
def _begin_pay(ex: Any, p: S.Pay) -> Any:
    return ex.app.online_only.begin_pay(p.contact, p.amount_cents, p.kind)


@handler("run_workflow", begin=True)
def _begin_workflow(ex: Any, p: S.RunWorkflow) -> Any:
    return ex.app.online_only.begin_workflow(p.workflow, p.contact)


@handler("server_activity")
def _server_activity(ex: Any, p: S.ServerActivity) -> None:
    admin = ex.lab.admin
    if admin is None:
        raise LabError("server_activity needs the reference backend's admin API; this lab has none")
    extra = {"conversation_id": p.conversation} if p.conversation is not None else {}
    created = admin.activity(p.kind, count=p.count, **extra)
    ex.timeline.append("server", "activity", layer="backend", data={"kind": p.kind, "created": created})


def _photo(ex: Any, marker: str, size_kb: int) -> Path:
    """A JPEG-looking file of ``size_kb`` whose name carries the marker."""
    path = ex.folder / "uploads" / f"photo-{marker}.jpg"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = bytes([0xFF, 0xD8, 0xFF, 0xE0]) + bytes(ex.rng.getrandbits(8) for _ in range(size_kb * 1024 - 6))
    path.write_bytes(body + bytes([0xFF, 0xD9]))
    return path


def _query(ex: Any, p: S.Search) -> str:
    if p.q:
        return p.q
    assert p.contact is not None
    name = ex.names.get(p.contact)
    if name is None:  # the harness never saw it on screen; ask the backend when it can
        admin = ex.lab.admin
        rows = admin.snapshot().get("contacts", []) if admin is not None else []
        name = next((r.get("name") for r in rows if str(r.get("id")) == str(p.contact)), None)
    if not name:
        raise LabError(f"search: contact {p.contact}'s name was never shown and the backend has no admin API")
    return str(name).split()[-1]


# -- reading back --------------------------------------------------------------------------------

def item_state(ex: Any, item: Any) -> str:
    """pending | synced | failed | absent of a CRM item, read without recording."""
    app = ex.app
    if item.kind in ("note", "photo"):
        if app.contact.current_id() != str(item.contact):
            app.contact.open(item.contact)
        found = (app.contact.note(item.marker, record=False) if item.kind == "note" else
                 next((f for f in app.contact.files() if item.marker in f.text), None))
        return "absent" if found is None else (found.state or "synced")
    if item.kind == "opportunity":
        view = app.opportunity.open(item.opportunity)
        return "pending" if view.pending else ("synced" if item.marker in view.name else "absent")
    entries = app.outbox.read()
    found = next((e for e in entries if item.marker in e.text), None)
    return found.state if found is not None else "synced"


def snapshot(ex: Any) -> dict[str, Any]:
    """What the CRM screens show now: notes of every touched contact, opportunities, the dashboard, and the
    threads and calendar the app holds locally."""
    app = ex.app
    notes: dict[str, list[str]] = {}
    opps: dict[str, dict[str, str]] = {}
    items = list(ex.items.values()) + ex.unlabelled
    # notes added with add_note, and the generic items of the notes collection (a note on contact ``in``)
    cids = {i.contact for i in items if i.kind == "note"}
    cids |= {i.parent for i in items if i.kind == "item" and i.collection == "notes" and i.parent is not None}
    for cid in sorted(cids):
        view = app.contact.open(cid)
        notes[str(cid)] = [n.text for n in view.notes]
    for oid in sorted({i.opportunity for i in items if i.kind == "opportunity"}):
        v = app.opportunity.open(oid)
        opps[str(oid)] = {"name": v.name, "stage": v.stage, "value": v.value}
    dash = app.dashboard.open()
    out: dict[str, Any] = {"notes": notes, "opportunities": opps,
                           "dashboard": {"widgets": {k.replace("-", "_"): v for k, v in dash.widgets.items()},
                                         "conversation_counts": {"unread": dash.unread, "total": dash.total}}}
    out.update(_local_state(ex))
    return out


def _local_state(ex: Any) -> dict[str, Any]:
    """What the app holds locally after the sync: the threads and calendar it had loaded, read with the radio
    off, so a skipped delta download (R18) cannot hide behind a fresh online fetch.

    Only when the scenario made server-side changes; the phase is marked on the timeline
    (``snapshot.local``) and the checks judge only what came before it.
    """
    from harness.checks.registry import SNAPSHOT_PHASE

    if not any(e.kind == "server" for e in ex.timeline.events):
        return {}
    if not (ex.threads_loaded or ex.calendar_loaded):
        return {}
    ex.timeline.append("run", SNAPSHOT_PHASE, data={"threads": sorted(ex.threads_loaded),
                                                    "calendar": ex.calendar_loaded})
    out: dict[str, Any] = {"ids": {}}
    ex._airplane = True
    ex.device.set_airplane(True)
    try:
        if ex.threads_loaded:
            out["threads"] = sorted(ex.threads_loaded)
            out["ids"]["messages"] = [m.id for cid in out["threads"]
                                      for m in ex.app.conversations.open_thread(cid).messages]
        if ex.calendar_loaded:
            cal = ex.app.calendar.open()
            out["calendar_days"] = [d.date for d in cal.days]
            out["ids"]["appointments"] = [a for d in cal.days for a in d.appointment_ids]
    finally:
        ex._airplane = False
        ex.device.set_airplane(False)
        ex.timeline.append("run", SNAPSHOT_PHASE + ".end")
    return out


# -- the checks' readings of this app ------------------------------------------------------------

def check_context(profile: Any, scenario: Any, ctx: Any) -> Any:
    """The CRM's screens and tables for the checks, and its message policy (R10)."""
    from dataclasses import replace

    queued = set(ctx.queued_features) | QUEUED
    gated = set(ctx.gated_features) | GATED
    if not scenario.setup.app.queue_messages:
        queued -= {"send_sms", "send_email"}
        gated |= {"send_sms", "send_email"}
    return replace(ctx, queued_features=frozenset(queued), gated_features=frozenset(gated),
                   cached_screens=CACHED_SCREENS, screen_openers=SCREEN_OPENERS,
                   needs_connection_screens=NEEDS_CONNECTION, create_tables=CREATE_TABLES,
                   record_keys=RECORD_KEYS, activity_entities=ACTIVITY_ENTITY,
                   grouped_tables={"notes": "contact_id"})


#: actions the reference app queues while offline / that need a connection
QUEUED = frozenset({"add_note", "edit_opportunity", "upload_photo", "send_sms", "send_email"})
GATED = frozenset({"call", "pay", "run_workflow"})
#: cache_reads: screen observation -> (requirement, the field naming what it shows)
CACHED_SCREENS = {"contact_view": ("R6", "contact_id"), "contact_list": ("R6", None),
                  "thread_view": ("R7", "conversation_id"), "calendar_view": ("R8", "date")}
#: the actions that open each screen
SCREEN_OPENERS = {"open_contact": "contact_view", "open_thread": "thread_view", "open_calendar": "calendar_view",
                  "scroll_contacts": "contact_list"}
#: screens of records never loaded before that need a connection (R12)
NEEDS_CONNECTION = frozenset({"contact_view", "thread_view"})
#: backend tables where one mutation creates one row
CREATE_TABLES = frozenset({"notes", "files", "messages"})
#: record-identifying keys of an action, in preference order (per-record order)
RECORD_KEYS = ("record", "opportunity_id", "contact_id", "conversation_id")
#: server activity kind -> the app snapshot's ids key
ACTIVITY_ENTITY = {"message": "messages", "contact": "contacts", "appointment_change": "appointments",
                   "appointment": "appointments", "note": "notes"}
