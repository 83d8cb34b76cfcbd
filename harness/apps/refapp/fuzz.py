"""The reference app's fuzz vocabulary: the CRM reads, writes and online-only features, its records, its setup.

The state machine draws the same values in the same order as before the
harness learned other apps (the same tuples, strategies and order of
draws), so a seed reproduces the same sequences and the seeds in
``tests/stateful/test_fuzz_e2e.py`` still find their bugs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from hypothesis import strategies as st

from harness.scenario.model import LoadItem, SeedSpec, Setup
from harness.stateful.model import RefModel
from harness.stateful.vocab import FuzzVocabulary

#: the screens a user opens (R3, R6-R8, R12, R17)
READS = ("open_contact", "open_contacts", "open_thread", "open_calendar", "open_dashboard", "search")
#: the writes the app queues offline (R9, R10, R14, R15)
WRITES = ("add_note", "edit_opportunity", "upload_photo", "send_sms", "send_email")
#: features that need a connection (R11, R13, R16)
ONLINE_ONLY = ("call", "pay", "run_workflow")

#: the contacts a sequence touches; the setup opens the first two while online (so they are cached)
CONTACTS: tuple[int, ...] = (1, 2, 3, 4)
SETUP_CONTACTS: tuple[int, ...] = (1, 2)
#: the conversations a sequence touches; the setup opens the first while online, so that a message the
#: server receives in it must reach the app's copy after the next reconnection (R18, R25)
CONVERSATIONS: tuple[int, ...] = (1, 2, 3)
SETUP_THREADS: tuple[int, ...] = (1,)
STAGES = ("lead", "qualified", "proposal", "won", "lost")

#: access tokens live 2 s, so every offline spell (a drop, its banner, an action, a reconnection: >= 2 s)
#: outlives the token in force when it began, as a long outage does (R24), whatever the exact timing of a replay
FUZZ_TOKEN_TTL_S = 2
#: the steady state every generated sequence starts from (dashboard cached, the setup contacts and thread opened)
FUZZ_SETUP = Setup(load=["dashboard", *[LoadItem(contact=c) for c in SETUP_CONTACTS],
                         *[LoadItem(thread=t) for t in SETUP_THREADS]], token_ttl_s=FUZZ_TOKEN_TTL_S)
#: server errors hit every POST (the writes and the token refresh alike), as the fuzzer always did
HTTP_STATUS_MATCH = MappingProxyType({"method": "POST"})


def opportunity_edit(opportunity: int) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"opportunity": st.just(opportunity), "stage": st.sampled_from(STAGES),
                                  "value": st.integers(1, 500).map(lambda v: float(v * 100))})


def photo_size_kb() -> st.SearchStrategy[int]:
    return st.sampled_from([1, 4, 16])


def thread_params() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"conversation": st.sampled_from(CONVERSATIONS),
                                  "earlier_pages": st.integers(0, 1)})


def server_activity_params(conversations: tuple[int, ...] = CONVERSATIONS) -> st.SearchStrategy[dict[str, Any]]:
    """Server-side changes; new messages land in ``conversations`` (the threads the app has loaded, when there
    are any), so a thread the app cached falls behind the server and the delta download after reconnection
    must bring it up to date (R18, R25)."""
    def params(kind: str) -> st.SearchStrategy[dict[str, Any]]:
        fields: dict[str, Any] = {"kind": st.just(kind), "count": st.integers(1, 2)}
        if kind == "message":
            fields["conversation"] = st.sampled_from(conversations)
        return st.fixed_dictionaries(fields)

    return st.sampled_from(["message", "contact", "appointment_change"]).flatmap(params)


@dataclass(frozen=True)
class CrmDomain:
    """The CRM's records (contacts, the opportunities they own, threads) and how each step's parameters are
    drawn (:class:`harness.stateful.vocab.FuzzDomain`)."""

    opportunity_owner: dict[int, int] = field(default_factory=dict)

    def new_model(self) -> RefModel:
        return RefModel(contacts=CONTACTS, opportunity_owner=dict(self.opportunity_owner),
                        cached_contacts=set(SETUP_CONTACTS), loaded_threads=set(SETUP_THREADS))

    def can_act(self, model: RefModel) -> bool:
        return bool(model.usable_contacts())

    def draw_write(self, model: RefModel, data: st.DataObject) -> tuple[str, dict[str, Any]] | None:
        """One queued write of a drawn kind on a record the app can open now (None if there is none)."""
        kinds = [k for k in WRITES if k != "edit_opportunity" or model.usable_opportunities()]
        if not model.usable_contacts():
            return None
        kind = data.draw(st.sampled_from(kinds), label="write")
        if kind == "edit_opportunity":
            opp = data.draw(st.sampled_from(model.usable_opportunities()), label="opportunity")
            return kind, data.draw(opportunity_edit(opp), label="edit")
        contact = data.draw(st.sampled_from(model.usable_contacts()), label="contact")
        params: dict[str, Any] = {"contact": contact}
        if kind == "upload_photo":
            params["size_kb"] = data.draw(photo_size_kb(), label="size_kb")
        return kind, params

    def draw_read(self, kind: str, data: st.DataObject) -> Any:
        if kind in ("open_contact", "search"):
            contact = data.draw(st.sampled_from(CONTACTS), label="contact")
            return contact if kind == "open_contact" else {"contact": contact}
        if kind == "open_thread":
            return data.draw(thread_params(), label="thread")
        return None

    def draw_online_only(self, kind: str, model: RefModel, data: st.DataObject) -> Any:
        return {"contact": data.draw(st.sampled_from(model.usable_contacts()), label="contact")}

    def draw_server(self, model: RefModel, data: st.DataObject) -> Any:
        """New messages go to the threads the app has loaded, when it has any (R18, R25: they must show)."""
        threads = tuple(sorted(model.loaded_threads)) or CONVERSATIONS
        return data.draw(server_activity_params(threads), label="activity")


def opportunity_owners(runner: Any) -> dict[int, int]:
    """Opportunity id -> contact id for the opportunities of the contacts a sequence touches, read from the
    freshly seeded backend through the plugin's own admin client (``runner.lab.admin``)."""
    admin = getattr(getattr(runner, "lab", None), "admin", None)
    if admin is None:
        return {}
    admin.reset()
    admin.seed(**SeedSpec().model_dump())
    rows = admin.snapshot().get("opportunities", [])
    return {int(r["id"]): int(r["contact_id"]) for r in rows if int(r.get("contact_id", 0)) in CONTACTS}


def crm_vocabulary(opportunity_owner: dict[int, int]) -> FuzzVocabulary:
    """The CRM vocabulary over these opportunities (id -> owning contact)."""
    return FuzzVocabulary(reads=READS, writes=WRITES, online_only=ONLINE_ONLY, server="server_activity",
                          offline_indicator=True, item_sync_state=True, lifecycle=True, setup=FUZZ_SETUP,
                          domain=CrmDomain(dict(opportunity_owner)), http_status_match=HTTP_STATUS_MATCH)


def fuzz_vocabulary(runner: Any) -> FuzzVocabulary:
    """The plugin hook :func:`harness.stateful.vocab.vocabulary_for` calls."""
    return crm_vocabulary(opportunity_owners(runner))


__all__ = ["CONTACTS", "CONVERSATIONS", "CrmDomain", "FUZZ_SETUP", "ONLINE_ONLY", "READS", "SETUP_CONTACTS",
           "SETUP_THREADS", "STAGES", "WRITES", "crm_vocabulary", "fuzz_vocabulary", "opportunity_edit",
           "opportunity_owners", "photo_size_kb", "server_activity_params", "thread_params"]
