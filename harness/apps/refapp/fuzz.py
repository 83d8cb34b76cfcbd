"""The reference app's fuzz vocabulary: the CRM reads, writes and online-only features, its records, its setup.

The state machine draws the same values in the same order as before the
harness learned other apps, so a seed reproduces the same sequences.
"""

from __future__ import annotations

from typing import Any

from harness.scenario.model import SeedSpec
from harness.stateful.exporter import FUZZ_SETUP
from harness.stateful.strategies import CONTACTS
from harness.stateful.vocab import FuzzVocabulary

#: the screens a user opens (R3, R6-R8, R12, R17)
READS = ("open_contact", "open_contacts", "open_thread", "open_calendar", "open_dashboard", "search")
#: the writes the app queues offline (R9, R10, R14, R15)
WRITES = ("add_note", "edit_opportunity", "upload_photo", "send_sms", "send_email")
#: features that need a connection (R11, R13, R16)
ONLINE_ONLY = ("call", "pay", "run_workflow")


def opportunity_owners(runner: Any) -> dict[int, int]:
    """Opportunity id -> contact id for the opportunities of the contacts a sequence touches."""
    admin = runner.lab.admin
    if admin is None:
        return {}
    admin.reset()
    admin.seed(**SeedSpec().model_dump())
    rows = admin.snapshot().get("opportunities", [])
    return {int(r["id"]): int(r["contact_id"]) for r in rows if int(r.get("contact_id", 0)) in CONTACTS}


def crm_vocabulary(opportunity_owner: dict[int, int]) -> FuzzVocabulary:
    """The CRM vocabulary over these opportunities (id -> owning contact)."""
    return FuzzVocabulary(reads=READS, writes=WRITES, online_only=ONLINE_ONLY, server="server_activity",
                          banner=True, item_state=True, lifecycle=True, setup=FUZZ_SETUP,
                          records=dict(opportunity_owner))


def fuzz_vocabulary(runner: Any) -> FuzzVocabulary:
    """The plugin hook :func:`harness.stateful.vocab.vocabulary_for` calls."""
    return crm_vocabulary(opportunity_owners(runner))
