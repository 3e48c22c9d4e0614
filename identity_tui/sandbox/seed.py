"""Deterministic, realistic demo data for the sandbox: people, companies, services, their properties and links."""

from __future__ import annotations

import datetime as dt
import functools
import random
import uuid
from typing import TYPE_CHECKING, Any, Callable

from identity_tui.sandbox.links import agent_shape, block_shape

if TYPE_CHECKING:
    from identity_tui.sandbox.sandbox import Sandbox

FIRST = ["Alice", "Bruno", "Chiara", "Dmitri", "Elena", "Farah", "Gustav", "Hana", "Ines", "Jonas", "Kemi", "Liam",
         "Mei", "Nikolai", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Viktor", "Wen", "Ximena",
         "Yusuf", "Zoë", "Émile", "Søren", "Łucja", "Ngozi"]
LAST = ["Okafor", "Rossi", "Novak", "Tanaka", "Müller", "García", "Kowalski", "Haddad", "Lindqvist", "Dubois",
        "Nakamura", "O'Brien", "Silva", "Petrov", "Kim", "Andersen", "Moreau", "Fischer", "Costa", "Ivanova"]
COMPANY = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries", "Wayne Enterprises", "Tyrell",
           "Cyberdyne", "Soylent", "Vandelay Industries", "Nakatomi", "Oscorp", "Wonka", "Aperture Science"]
SUFFIX = ["Corp", "GmbH", "Ltd", "Inc.", "S.A.", "Labs", "Group", "AB"]
SERVICE = ["billing-sync", "ticket-triage", "nightly-etl", "slack-bridge", "crm-import", "search-indexer",
           "invoice-bot", "onboarding-bot", "support-bot", "audit-exporter", "webhook-relay", "report-mailer"]
DOMAINS = ["example.com", "example.org", "mail.test", "corp.example", "inbox.test"]
PROJECTS = [None, None, None, "proj-support", "proj-sales", "proj-internal"]
PLANS = ["free", "pro", "team", "enterprise"]
LOCALES = ["en-GB", "en-US", "de-DE", "fr-FR", "it-IT", "ja-JP", "pt-BR", "sv-SE"]
REGIONS = ["eu-west", "eu-central", "us-east", "us-west", "ap-south"]

Prop = tuple[str, str, Callable[[random.Random], Any]]

USER_PROPS: list[Prop] = [
    ("email", "string", lambda r: None),  # filled from the name
    ("age", "number", lambda r: r.randint(18, 80)),
    ("plan", "string", lambda r: r.choice(PLANS)),
    ("verified", "boolean", lambda r: r.random() < 0.7),
    ("locale", "string", lambda r: r.choice(LOCALES)),
    ("lifetime_value", "number", lambda r: round(r.uniform(0, 5000), 2)),
    ("preferences", "json", lambda r: {"theme": r.choice(["dark", "light"]), "newsletter": r.random() < 0.4}),
]
ORG_PROPS: list[Prop] = [
    ("domain", "string", lambda r: None),  # filled from the name
    ("seats", "number", lambda r: r.choice([5, 10, 25, 50, 120, 500])),
    ("tier", "string", lambda r: r.choice(["bronze", "silver", "gold", "platinum"])),
    ("active", "boolean", lambda r: r.random() < 0.85),
    ("region", "string", lambda r: r.choice(REGIONS)),
    ("billing", "json", lambda r: {"currency": r.choice(["EUR", "USD", "GBP"]), "net_days": r.choice([14, 30, 60])}),
]
OTHER_PROPS: list[Prop] = [
    ("owner", "string", lambda r: f"{r.choice(FIRST).lower()}@{r.choice(DOMAINS)}"),
    ("rate_limit", "number", lambda r: r.choice([10, 60, 100, 1000])),
    ("enabled", "boolean", lambda r: r.random() < 0.8),
    ("endpoint", "string", lambda r: f"https://hooks.{r.choice(DOMAINS)}/{r.randrange(16**6):06x}"),
    ("config", "json", lambda r: {"retries": r.randint(0, 5), "timeout_s": r.choice([5, 10, 30])}),
    ("version", "string", lambda r: f"{r.randint(1, 4)}.{r.randint(0, 20)}.{r.randint(0, 9)}"),
]


def _uuid4(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


@functools.lru_cache(maxsize=None)
def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def _properties(rng: random.Random, pool: list[Prop], first_value: str) -> list[dict]:
    chosen = rng.sample(pool, rng.randint(0, min(6, len(pool))))
    return [{"key": key, "value": first_value if key == pool[0][0] else make(rng), "type": kind}
            for key, kind, make in chosen]


def make_identity(rng: random.Random, index: int) -> dict:
    """One identity: about 60% people, 25% organisations, 15% services and bots."""
    roll = rng.random()
    project = rng.choice(PROJECTS)
    row: dict[str, Any]
    if roll < 0.6:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{_slug(first)}.{_slug(last)}{index}@{rng.choice(DOMAINS)}"
        row = {"identifier_key": email, "name": f"{first} {last}", "identity_type": "user",
               "properties": _properties(rng, USER_PROPS, email)}
    elif roll < 0.85:
        name = f"{rng.choice(COMPANY)} {rng.choice(SUFFIX)}"
        row = {"identifier_key": f"org_{_slug(name)}_{index}", "name": name, "identity_type": "org",
               "properties": _properties(rng, ORG_PROPS, f"{_slug(name)}.example")}
    else:
        service = rng.choice(SERVICE)
        row = {"identifier_key": f"svc:{service}:{index}", "name": service.replace("-", " ").title(),
               "identity_type": "other", "properties": _properties(rng, OTHER_PROPS, "ops@example.com")}
    row["id"] = f"identity-{_uuid4(rng)}"
    row["project_id"] = project
    return row


def seed(sb: "Sandbox", n: int = 40, *, rng_seed: int = 7) -> None:
    """Add `n` identities plus a few agents and blocks, linking some of them; the same seed gives the same data."""
    with sb.lock:
        offset = sb.store.count()
    # Seeding a second time continues with fresh ids instead of clashing with the first batch.
    rng = random.Random(f"{rng_seed}/{offset}")
    base = dt.datetime(2025, 1, 6, 9, 0, tzinfo=dt.timezone.utc)
    with sb.lock:
        rows = []
        for i in range(n):
            row = make_identity(rng, offset + i)
            row["created_at"] = (base + dt.timedelta(minutes=7 * i)).isoformat()
            rows.append(row)
        agents = [agent_shape(f"agent-{_uuid4(rng)}", name, description)
                  for name, description in (("support-assistant", "Answers customer tickets"),
                                            ("sales-copilot", "Drafts follow-ups for account managers"),
                                            ("onboarding-guide", "Walks new users through set-up"),
                                            ("billing-helper", "Explains invoices and plans"),
                                            ("ops-watcher", "Summarises overnight alerts"))]
        blocks = [block_shape(f"block-{_uuid4(rng)}", label, value)
                  for label, value in (("human", "Prefers short answers."), ("persona", "A calm support agent."),
                                       ("company_policy", "Refunds within 30 days."),
                                       ("escalation", "Page the on-call engineer for P1."),
                                       ("tone", "Friendly, never sarcastic."), ("faq", "Plans: free, pro, team."))]
        with sb.store.transaction():
            sb.store.insert_many(rows)
            for agent in agents:
                sb.store.insert_object("agent", agent)
            for block in blocks:
                sb.store.insert_object("block", block)
            for row in rows[: min(len(rows), 12)]:
                sb.store.link("agent", row["id"], [a["id"] for a in rng.sample(agents, rng.randint(0, 2))])
                sb.store.link("block", row["id"], [b["id"] for b in rng.sample(blocks, rng.randint(0, 3))])
