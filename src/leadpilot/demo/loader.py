"""Loads the demo tenant ("Northwind Analytics", slug ``northwind-demo``) into the database.

    ensure_demo_loaded()          CLI entry: skip when the demo org exists, otherwise simulate and load
      ├ simulate(...)              pure generation, outside any transaction (simulator.py)
      └ transaction()
          ├ delete_demo_org(...)   only with reset=True
          ├ load_dataset(...)      create_org + bulk Core inserts in chunks, ids taken back with RETURNING
          └ load_demo_knowledge()  the vendor's knowledge base (demo/knowledge/, listed in manifest.json), ingested
                                   and indexed; documents already there unchanged are skipped, so it runs again
                                   safely (an existing tenant without it gets it on the next ``ensure_demo_loaded``)

Rows go in through SQLAlchemy Core ``insert(table)`` with lists of dicts: one statement per chunk instead of one ORM
object per row, which is what keeps the full tenant (about 60,000 activities) within the quick start's budget.
The migrations must already be applied.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from importlib.resources import files
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

from leadpilot.audit.service import record
from leadpilot.crm.models import (
    Activity,
    Company,
    Contact,
    ContactIdentity,
    Conversation,
    Deal,
    Lead,
    Message,
    Note,
    Product,
    StageChange,
)
from leadpilot.db.session import new_session, transaction
from leadpilot.demo.catalog import (
    DEFAULT_CONTACTS,
    DEFAULT_SEED,
    DEMO_LOGIN_EMAIL,
    DEMO_LOGIN_PASSWORD,
    DEMO_ORG_SLUG,
)
from leadpilot.demo.simulator import REFERENCES, DemoDataset, simulate
from leadpilot.kit.clock import utcnow
from leadpilot.knowledge import ingest_document
from leadpilot.orgs.models import Org, User
from leadpilot.orgs.service import create_org
from leadpilot.scoring.tasks import bootstrap_org

__all__ = [
    "DEMO_LOGIN_EMAIL",
    "DEMO_LOGIN_PASSWORD",
    "DEMO_ORG_SLUG",
    "DemoLoadResult",
    "delete_demo_org",
    "demo_knowledge_files",
    "ensure_demo_loaded",
    "find_demo_org",
    "load_dataset",
    "load_demo_knowledge",
]

Echo = Callable[[str], None]
CHUNK_ROWS = 2000

# Load order: a table comes after every table it references.
_TABLES: tuple[tuple[str, Any], ...] = (
    ("products", Product),
    ("companies", Company),
    ("contacts", Contact),
    ("contact_identities", ContactIdentity),
    ("leads", Lead),
    ("deals", Deal),
    ("stage_changes", StageChange),
    ("conversations", Conversation),
    ("messages", Message),
    ("activities", Activity),
    ("notes", Note),
)
# Tables whose ids later rows point to, so their ids are read back.
_REFERENCED = {"products", "companies", "contacts", "leads", "deals", "conversations"}


@dataclass(frozen=True)
class DemoLoadResult:
    org_id: int
    counts: dict[str, int]
    stats: dict[str, Any]
    fingerprint: str
    generate_seconds: float
    load_seconds: float


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def find_demo_org(session: Session) -> Org | None:
    return session.scalar(select(Org).where(Org.slug == DEMO_ORG_SLUG))


def delete_demo_org(session: Session, org: Org) -> None:
    """Delete the demo org and everything in it. Children go first, in bulk, so that the database does not walk
    the foreign keys row by row; the org's own cascade removes what is left (users, audit events, ...)."""
    org_id = org.id
    for _, model in reversed(_TABLES):
        table = _table(model)
        session.execute(delete(table).where(table.c.org_id == org_id))
    session.expunge(org)
    session.execute(delete(_table(Org)).where(_table(Org).c.id == org_id))
    session.flush()


def _insert(session: Session, table: Table, rows: Sequence[dict[str, Any]], *, returning: bool) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        if returning:
            result = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), chunk)
            ids.extend(result.scalars().all())
        else:
            session.execute(insert(table), chunk)
    return ids


def _resolve(name: str, rows: list[dict[str, Any]], ids: dict[str, list[int]], org_id: int) -> list[dict[str, Any]]:
    """Swap the dataset's positional references for database ids and add the tenant."""
    references = REFERENCES.get(name, {})
    resolved = []
    for row in rows:
        out = dict(row)
        out["org_id"] = org_id
        for column, target in references.items():
            position = out[column]
            if position is not None:
                out[column] = ids[target][position]
        if name == "stage_changes":
            out["entity_id"] = ids["leads" if out["entity_type"] == "lead" else "deals"][out["entity_id"]]
        resolved.append(out)
    return resolved


def load_dataset(session: Session, dataset: DemoDataset, *, echo: Echo = print) -> DemoLoadResult:
    """Create the demo org and its users, then bulk-insert every table of ``dataset``. Flushes, never commits."""
    started = time.perf_counter()
    fingerprint = dataset.fingerprint()
    users = dataset.tables["users"]
    owner_spec = users[0]
    org, owner = create_org(
        session,
        name=dataset.org["name"],
        owner_email=DEMO_LOGIN_EMAIL,
        owner_name=owner_spec["name"],
        owner_password=DEMO_LOGIN_PASSWORD,
        timezone=dataset.org["timezone"],
        default_currency=dataset.org["default_currency"],
        default_phone_region=dataset.org["default_phone_region"],
    )
    org.slug = DEMO_ORG_SLUG
    settings = dict(dataset.org["settings"])
    settings["demo"] = {**settings["demo"], "fingerprint": fingerprint}
    org.settings = settings
    owner.timezone = owner_spec["timezone"]
    session.flush()

    # Every demo user shares the published demo password: hash it once (argon2 is slow on purpose).
    team = [{**row, "org_id": org.id, "password_hash": owner.password_hash} for row in users[1:]]
    ids: dict[str, list[int]] = {"users": [owner.id, *_insert(session, _table(User), team, returning=True)]}
    for name, model in _TABLES:
        rows = _resolve(name, dataset.tables[name], ids, org.id)
        echo(f"  {name:<20} {len(rows):>7,}")
        returned = _insert(session, _table(model), rows, returning=name in _REFERENCED)
        if name in _REFERENCED:
            ids[name] = returned
    record(session, None, "demo.loaded", entity_type="org", entity_id=org.id, org_id=org.id,
           data={"seed": dataset.seed, "as_of": dataset.as_of.isoformat(), "fingerprint": fingerprint})  # fmt: skip
    session.flush()
    return DemoLoadResult(
        org_id=org.id,
        counts=dataset.counts(),
        stats=dataset.stats(),
        fingerprint=fingerprint,
        generate_seconds=0.0,
        load_seconds=time.perf_counter() - started,
    )


@dataclass(frozen=True)
class KnowledgeFile:
    filename: str
    title: str
    category: str
    tags: tuple[str, ...]
    content: bytes


def demo_knowledge_files() -> Iterator[KnowledgeFile]:
    """The demo vendor's knowledge-base documents, in manifest order (shipped as package data)."""
    folder = files("leadpilot.demo").joinpath("knowledge")
    manifest = json.loads(folder.joinpath("manifest.json").read_text(encoding="utf-8"))
    for filename, meta in manifest.items():
        content = folder.joinpath(filename).read_bytes()
        yield KnowledgeFile(filename, meta["title"], meta["category"], tuple(meta.get("tags", ())), content)


def load_demo_knowledge(session: Session, org_id: int, *, echo: Echo = print) -> int:
    """Ingest every manifest document into the org's knowledge base; returns how many there are. Unchanged
    documents are left alone by ``ingest_document``, so a second run only re-checks hashes. Flushes, never commits."""
    count = 0
    for item in demo_knowledge_files():
        ingest_document(session, org_id, filename=item.filename, content=item.content, category=item.category,
                        title=item.title, tags=item.tags)  # fmt: skip
        count += 1
    echo(f"  knowledge base     {count:>7,} documents")
    return count


def _summary(result: DemoLoadResult, echo: Echo) -> None:
    stats = result.stats
    echo(
        f"Loaded in {result.generate_seconds + result.load_seconds:.1f} s "
        f"(generate {result.generate_seconds:.1f} s, load {result.load_seconds:.1f} s)."
    )
    echo("  leads by stage:  " + ", ".join(f"{k} {v}" for k, v in stats["lead_stages"].items()))
    echo("  deals by stage:  " + ", ".join(f"{k} {v}" for k, v in stats["deal_stages"].items()))
    echo("  contacts:        " + ", ".join(f"{k} {v}" for k, v in stats["lifecycle"].items()))
    echo(f"  orders:          {stats['orders']:,} worth ${stats['revenue']:,.0f}; open pipeline "
         f"${stats['pipeline_open']:,.0f}")  # fmt: skip


def ensure_demo_loaded(
    *,
    echo: Echo = print,
    seed: int = DEFAULT_SEED,
    contacts: int = DEFAULT_CONTACTS,
    reset: bool = False,
    as_of: datetime | None = None,
    score: bool = True,
) -> DemoLoadResult | None:
    """Load the demo tenant unless it is there already (``reset=True`` deletes and reloads it).

    Returns what was loaded, or None when the existing tenant was kept. ``as_of`` anchors the timeline (default: now).
    ``score`` trains the tenant's first lead-scoring model and scores every lead once it is loaded.
    """
    with new_session() as session:
        existing_org = find_demo_org(session)
        existing_id = existing_org.id if existing_org is not None else None
    if existing_id is not None and not reset:
        echo(f"The demo tenant is already loaded (org {DEMO_ORG_SLUG!r}); `leadpilot demo --reset` reloads it.")
        # A tenant loaded before the knowledge base shipped (or with older documents) is brought up to date.
        with transaction() as session:
            load_demo_knowledge(session, existing_id, echo=lambda _line: None)
        return None
    as_of = as_of or utcnow()
    echo(f"Generating the demo tenant: {contacts:,} contacts, seed {seed}, timeline ending {as_of:%Y-%m-%d %H:%M} UTC")
    started = time.perf_counter()
    dataset = simulate(seed=seed, as_of=as_of, contacts=contacts)
    generate_seconds = time.perf_counter() - started
    with transaction() as session:
        existing = find_demo_org(session)
        if existing is not None:
            if not reset:  # loaded by another process meanwhile
                echo(f"The demo tenant is already loaded (org {DEMO_ORG_SLUG!r}).")
                return None
            echo("Deleting the existing demo tenant")
            delete_demo_org(session, existing)
        echo("Loading")
        result = load_dataset(session, dataset, echo=echo)
        load_demo_knowledge(session, result.org_id, echo=echo)
    result = replace(result, generate_seconds=generate_seconds)
    _summary(result, echo)
    if score:
        echo(bootstrap_org(result.org_id))
    return result
