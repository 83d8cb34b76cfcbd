"""Deterministic, realistic seed data, inserted fast.

Why: scenarios and Hypothesis examples reset and seed the backend between
runs, so seeding must be quick (one transaction, executemany) and
reproducible: the same seed and sizes give the same ids, names and texts.
Timestamps are relative to today's local midnight, so they are stable for a
day; appointments are spread over today-1 .. today+6. Seeding replaces all
CRM data and the logs (change feed, mutation log, idempotency keys) but
keeps tokens, so a logged-in client stays logged in.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from refapp.server import db as dbmod
from refapp.server.clock import iso, local_midnight, today
from refapp.server.errors import ApiError
from refapp.server.validate import get_int

FIRST = (
    "Ada", "Alan", "Amelia", "Ana", "Arjun", "Beatriz", "Ben", "Camille", "Carlos", "Chen", "Chloe", "Daniel",
    "Dmitri", "Elena", "Emeka", "Emma", "Farah", "Felix", "Grace", "Hana", "Hugo", "Ines", "Isaac", "Jamal",
    "Jana", "Jonas", "Julia", "Kai", "Kenji", "Lara", "Leila", "Liam", "Lucia", "Malik", "Maria", "Mateo",
    "Mei", "Mia", "Nadia", "Noah", "Olga", "Omar", "Paula", "Priya", "Quinn", "Rafael", "Rosa", "Sam",
    "Sara", "Sofia", "Tariq", "Tom", "Uma", "Victor", "Wen", "Yara", "Yusuf", "Zoe", "Zara", "Oscar",
)
LAST = (
    "Adams", "Ahmed", "Alvarez", "Andersen", "Baker", "Becker", "Brown", "Castillo", "Chen", "Costa", "Dubois",
    "Edwards", "Fischer", "Garcia", "Gomez", "Green", "Hall", "Hansen", "Hughes", "Ivanova", "Jensen",
    "Johnson", "Kaur", "Khan", "Kim", "Klein", "Kowalski", "Lee", "Lopez", "Martin", "Meyer", "Moreau",
    "Murphy", "Nakamura", "Nguyen", "Novak", "Okafor", "Olsen", "Patel", "Perez", "Petrov", "Quinn", "Rossi",
    "Santos", "Schmidt", "Silva", "Singh", "Smith", "Sato", "Tanaka", "Taylor", "Torres", "Wagner", "Walker",
    "Wang", "Weber", "Williams", "Wilson", "Wright", "Young",
)
COMPANIES = (
    "Acme Logistics", "Bluebird Dental", "Brightside Solar", "Cedar & Pine Realty", "Cobalt Fitness",
    "Copper Kettle Cafe", "Crescent Legal", "Driftwood Marine", "Evergreen Landscaping", "Falcon Roofing",
    "Foxglove Florists", "Granite Peak Construction", "Harbor Insurance", "Hillside Vet Clinic",
    "Ironclad Security", "Juniper Spa", "Keystone Plumbing", "Lakeside Auto", "Lumen Electric",
    "Maple Street Bakery", "Meridian Travel", "Northwind Traders", "Oakridge Dental", "Orchid Salon",
    "Pinnacle HVAC", "Quarry Stoneworks", "Redwood Accounting", "Riverside Physio", "Sable Photography",
    "Silverline Movers", "Summit Chiropractic", "Sunrise Pediatrics", "Tidewater Pools", "Trailhead Outfitters",
    "Union Square Gym", "Vantage Marketing", "Willow Creek Farm", "Windmill Energy", "Yellowstone Tours",
    "Zephyr Cleaning",
)
PRODUCTS = ("Annual plan", "Website redesign", "Review booster", "Starter package", "Pro upgrade",
            "Missed-call text back", "Reputation bundle", "Ads management", "Booking widget", "Renewal")
ACTIVITY = (
    ("call", "Called about {product}; left a voicemail"),
    ("call", "Discovery call: interested in {product}"),
    ("email", "Sent pricing for {product}"),
    ("email", "Replied to a question about invoicing"),
    ("meeting", "Demo of {product} with the team"),
    ("meeting", "Quarterly review"),
    ("status", "Lead status changed to Qualified"),
    ("status", "Added tag \u201chot lead\u201d"),
    ("form", "Submitted the contact form on the website"),
    ("sms", "Confirmed appointment by SMS"),
)
NOTES = ("Prefers calls after 3 pm.", "Decision maker is the owner.", "Budget approved for Q3.",
         "Asked for a case study from a similar business.", "Follow up after the trade show.",
         "Uses a competitor today; contract ends next quarter.", "Wants everything by email.")
SUBJECTS = ("Appointment reminder", "Quote follow-up", "Question about my invoice", "Rescheduling",
            "Thanks for the visit", "New enquiry from website", "Review request", "Service feedback")
INBOUND = ("Hi, is Thursday still good for you?", "Can you send the invoice again?", "Thanks, got it!",
           "Could we move it to next week?", "What's the price for the premium option?",
           "Great, see you then.", "I left you a voicemail earlier.", "Is parking available on site?",
           "We'd like to go ahead.", "Can you call me back when you have a minute?")
OUTBOUND = ("Sure, Thursday at 10 works.", "Just resent it, let me know if it arrives.", "You're welcome!",
            "No problem, how about Tuesday?", "The premium option is $149/month.", "See you soon!",
            "Sorry I missed you, calling back now.", "Yes, there's free parking behind the building.",
            "Fantastic, I'll send the paperwork.", "Happy to, I'll call at 2 pm.")
APPOINTMENTS = ("Intro call", "Product demo", "Site visit", "Quarterly review", "Onboarding session",
                "Contract signing", "Follow-up call", "Consultation")
WORKFLOWS = (
    ("Send welcome sequence", "Three welcome emails over a week"),
    ("Book follow-up call", "Texts a booking link for a follow-up call"),
    ("Request a review", "Asks the contact for a Google review"),
    ("Renewal reminder", "Reminds the contact 30 days before renewal"),
    ("Win-back campaign", "Re-engages a lost lead with an offer"),
    ("Birthday greeting", "Sends a birthday SMS with a coupon"),
)
STAGE_WEIGHTS = (("lead", 4), ("qualified", 3), ("proposal", 2), ("won", 1), ("lost", 1))


@dataclass(frozen=True)
class SeedSpec:
    """Sizes of a seeded data set (defaults as in refapp/API.md)."""

    seed: int = 1
    contacts: int = 120
    conversations: int = 20
    messages_per_conversation: int = 40
    appointments: int = 24
    opportunities: int = 40
    workflows: int = 4


_LIMITS = {"seed": (0, 2**31), "contacts": (0, 20_000), "conversations": (0, 2_000),
           "messages_per_conversation": (0, 2_000), "appointments": (0, 5_000), "opportunities": (0, 20_000),
           "workflows": (0, 50)}


def parse_spec(body: dict[str, Any]) -> SeedSpec:
    """A SeedSpec from a request body; missing sizes take the defaults."""
    defaults = SeedSpec()
    values = {}
    for f in fields(SeedSpec):
        lo, hi = _LIMITS[f.name]
        values[f.name] = get_int(body, f.name, minimum=lo, maximum=hi, required=False,
                                 default=getattr(defaults, f.name))
    spec = SeedSpec(**values)
    if spec.contacts == 0 and (spec.conversations or spec.appointments or spec.opportunities):
        raise ApiError(400, "validation_error", "conversations, appointments and opportunities need contacts > 0")
    if spec.conversations > spec.contacts:
        raise ApiError(400, "validation_error",
                       f"conversations={spec.conversations} exceeds contacts={spec.contacts} (one per contact)")
    if spec.conversations * spec.messages_per_conversation > 400_000:
        raise ApiError(400, "validation_error", "at most 400000 messages in total")
    return spec


def seed(conn: sqlite3.Connection, spec: SeedSpec) -> dict[str, int]:
    """Replace all CRM data with the data set for `spec`; returns row counts."""
    rng = random.Random(spec.seed)
    base = local_midnight(today())
    dbmod.clear(conn, dbmod.DATA_TABLES + ("changes", "mutations", "idempotency"))

    def past(max_days: int) -> datetime:
        return base - timedelta(days=rng.randint(0, max_days), minutes=rng.randint(1, 24 * 60 - 1))

    names = rng.sample([(f, l) for f in FIRST for l in LAST], spec.contacts)
    contacts = []
    products: list[str] = []
    for first, last in names:
        company = rng.choice(COMPANIES)
        domain = company.lower().replace("&", "and").replace(" ", "")[:20] + ".example"
        phone = f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
        contacts.append((f"{first} {last}", f"{first.lower()}.{last.lower()}@{domain}", phone, company,
                         iso(past(60))))
        products.append(rng.choice(PRODUCTS))
    conn.executemany("INSERT INTO contacts (name, email, phone, company, updated_at) VALUES (?, ?, ?, ?, ?)",
                     contacts)

    activity, notes = [], []
    for contact_id in range(1, spec.contacts + 1):
        for _ in range(rng.randint(2, 6)):
            kind, text = rng.choice(ACTIVITY)
            activity.append((contact_id, kind, text.format(product=products[contact_id - 1]), iso(past(90))))
        for _ in range(rng.randint(0, 2)):
            notes.append((contact_id, rng.choice(NOTES), iso(past(30))))
    activity.sort(key=lambda row: row[3])
    notes.sort(key=lambda row: row[2])
    conn.executemany("INSERT INTO activity (contact_id, type, text, at) VALUES (?, ?, ?, ?)", activity)
    conn.executemany("INSERT INTO notes (contact_id, text, created_at) VALUES (?, ?, ?)", notes)

    stages = [s for s, w in STAGE_WEIGHTS for _ in range(w)]
    opps = []
    for _ in range(spec.opportunities):
        contact_id = rng.randint(1, spec.contacts)
        company = contacts[contact_id - 1][3]
        opps.append((contact_id, f"{company} \u2013 {rng.choice(PRODUCTS)}", rng.choice(stages),
                     rng.randint(5, 250) * 100, iso(past(20))))
    conn.executemany("INSERT INTO opportunities (contact_id, name, stage, value, updated_at) VALUES (?, ?, ?, ?, ?)",
                     opps)

    convo_contacts = rng.sample(range(1, spec.contacts + 1), spec.conversations)
    conversations, messages = [], []
    for index, contact_id in enumerate(convo_contacts, start=1):
        at = base - timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 12))
        n = spec.messages_per_conversation
        for m in range(n):
            at += timedelta(minutes=rng.randint(3, 600))
            direction = "in" if m % 2 == 0 else "out"
            pool = INBOUND if direction == "in" else OUTBOUND
            messages.append((index, direction, "sms", None, rng.choice(pool), iso(min(at, base - timedelta(minutes=n - m)))))
        unread = rng.randint(1, 3) if n and rng.random() < 0.35 else 0
        last_at = messages[-1][5] if n else iso(at)
        conversations.append((contact_id, rng.choice(SUBJECTS), min(unread, n), last_at))
    conn.executemany("INSERT INTO conversations (contact_id, subject, unread, last_message_at) VALUES (?, ?, ?, ?)",
                     conversations)
    conn.executemany("INSERT INTO messages (conversation_id, direction, channel, subject, body, at)"
                     " VALUES (?, ?, ?, ?, ?, ?)", messages)

    appointments = []
    for i in range(spec.appointments):
        day = base + timedelta(days=(i % 8) - 1)
        start = day + timedelta(hours=rng.randint(8, 17), minutes=rng.choice((0, 15, 30, 45)))
        end = start + timedelta(minutes=rng.choice((30, 45, 60, 90)))
        contact_id = rng.randint(1, spec.contacts)
        title = f"{rng.choice(APPOINTMENTS)} \u2013 {contacts[contact_id - 1][0]}"
        appointments.append((contact_id, title, iso(start), iso(end), iso(past(10))))
    appointments.sort(key=lambda row: row[2])
    conn.executemany("INSERT INTO appointments (contact_id, title, starts_at, ends_at, updated_at)"
                     " VALUES (?, ?, ?, ?, ?)", appointments)

    workflows = [WORKFLOWS[i] if i < len(WORKFLOWS) else (f"Custom workflow {i + 1}", "A custom automation")
                 for i in range(spec.workflows)]
    conn.executemany("INSERT INTO workflows (name, description) VALUES (?, ?)", workflows)

    return {"contacts": len(contacts), "activity": len(activity), "notes": len(notes),
            "opportunities": len(opps), "conversations": len(conversations), "messages": len(messages),
            "appointments": len(appointments), "workflows": len(workflows)}
