"""API throughput and latency of the contacts endpoints, measured against a real uvicorn server.

For each database the script:

1. builds a fresh schema with the migrations (PostgreSQL: drops and recreates ``public``; SQLite: a new file
   under a temporary ``LEADPILOT_HOME``);
2. seeds one org with ``--contacts`` contacts (Core bulk inserts of Contact + ContactIdentity rows with the same
   ``search_text`` the service writes) and a second org with ``--other-contacts``, so the org filter has rows
   to skip; creates an API key through ``ApiKeyService``;
3. starts ``uvicorn leadpilot.main:create_app --factory`` as a subprocess on a free 127.0.0.1 port with its own
   ``LEADPILOT_HOME`` and ``LEADPILOT_ENVIRONMENT=production`` (one process; for PostgreSQL also
   ``--workers 2``, with Redis for the shared rate-limit counters when it answers);
4. drives it with 1, 4 and 16 concurrent clients (threads, one keep-alive httpx connection each): a fixed number
   of requests per cell, every cell repeated ``--rounds`` times, the rounds interleaved so that noise from other
   processes falls on every scenario alike. Figures are medians over the rounds; ``GET /health`` is measured in
   every round as the framework floor and each scenario's p50 is also given as a multiple of it.

    .venv/bin/python benchmarks/bench_api.py                                  # both databases, print the table
    .venv/bin/python benchmarks/bench_api.py --write docs/benchmarks.md       # ... and update the docs section
    .venv/bin/python benchmarks/bench_api.py --db sqlite --contacts 20000 --requests 100 --rounds 1
    .venv/bin/python benchmarks/bench_api.py --explain-only                   # seed, print the list query plans

Only localhost is contacted; every loop is bounded by a request count (and ``--max-seconds`` per cell).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import random
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
from _common import machine_summary, median, percentile, write_section
from sqlalchemy import Engine, bindparam, event, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from leadpilot.auth.principal import Principal
from leadpilot.auth.roles import Role
from leadpilot.crm.contacts.service import ContactService, contact_search_text
from leadpilot.crm.models import Contact, ContactIdentity, Lead
from leadpilot.db.migrate import upgrade
from leadpilot.db.session import engine_for
from leadpilot.kit.pagination import encode_cursor
from leadpilot.orgs.schemas import ApiKeyCreate
from leadpilot.orgs.service import ApiKeyService, create_org

ROOT = Path(__file__).resolve().parents[1]
SECTION = "bench_api"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@localhost/leadpilot_bench_api"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
TARGET_P95_MS = 50.0

_FIRST_NAMES = (
    "james mary robert patricia john jennifer michael linda david elizabeth william barbara richard susan joseph "
    "jessica thomas sarah charles karen christopher lisa daniel nancy matthew betty anthony margaret mark sandra "
    "donald ashley steven kimberly paul emily andrew donna joshua michelle kenneth carol kevin amanda brian melissa "
    "george deborah timothy stephanie ronald rebecca edward sharon jason laura jeffrey cynthia ryan kathleen jacob "
    "amy gary angela nicholas shirley eric anna jonathan brenda stephen pamela larry emma justin nicole scott helen "
    "brandon samantha benjamin katherine samuel christine gregory debra alexander rachel frank carolyn patrick "
    "janet raymond catherine jack maria dennis heather jerry diane tyler ruth aaron julie jose olivia adam joyce "
    "henry virginia nathan victoria douglas kelly zachary lauren peter christina kyle joan ethan evelyn walter "
    "judith noah megan jeremy andrea christian cheryl keith hannah roger jacqueline terry martha gerald gloria "
    "harold teresa sean ann austin sara carl madison arthur frances lawrence kathryn dylan janice jesse jean "
    "jordan abigail bryan alice billy judy joe sophia bruce grace gabriel denise logan amber albert doris willie "
    "marilyn alan danielle juan beverly wayne isabella elijah theresa randy diana roy natalie vincent brittany "
    "ralph charlotte eugene marie russell kayla bobby alexis mason lori lucas sofia hugo lena mateo ines"
)
FIRST_NAMES = _FIRST_NAMES.split()
_LAST_NAMES = (
    "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez wilson "
    "anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark ramirez lewis "
    "robinson walker young allen king wright scott torres nguyen hill flores green adams nelson baker hall rivera "
    "campbell mitchell carter roberts gomez phillips evans turner diaz parker cruz edwards collins reyes stewart "
    "morris morales murphy cook rogers gutierrez ortiz morgan cooper peterson bailey reed kelly howard ramos kim "
    "cox ward richardson watson brooks chavez wood james bennett gray mendoza ruiz hughes price alvarez castillo "
    "sanders patel myers long ross foster jimenez powell jenkins perry russell sullivan bell coleman butler "
    "henderson barnes gonzales fisher vasquez simmons romero jordan patterson alexander hamilton graham reynolds "
    "griffin wallace moreno west cole hayes bryant herrera gibson ellis tran medina aguilar stevens murray ford "
    "castro marshall owens harrison fernandez mcdonald woods washington kennedy wells vargas henry chen freeman "
    "webb tucker guzman burns crawford olson simpson porter hunter gordon mendez silva shaw snyder mason dixon "
    "munoz hunt hicks holmes palmer wagner black robertson boyd rose stone salazar fox warren mills meyer rice "
    "schmidt garza daniels ferguson nichols stephens soto weaver ryan gardner payne grant dunn kelley spencer "
    "hawkins arnold pierce vazquez hansen peters santos hart bradley knight elliott cunningham duncan armstrong "
    "hudson carroll lane riley andrews alvarado ray delgado berry perkins hoffman johnston matthews pena richards "
    "willis carpenter lawrence sandoval guerrero george chapman rios estrada ortega watkins greene nunez wheeler "
    "valdez harper burke larson santiago maldonado morrison franklin carlson austin dominguez carr lawson jacobs "
    "obrien lynch singh vega bishop montgomery oliver jensen harvey williamson gilbert dean sims espinoza howell "
    "li wong reid hanson le mccoy garrett burton fuller wang weber welch rojas lucas marquez fields park yang "
    "little banks padilla day walsh bowman schultz luna fowler mejia davidson acosta brewer may holland juarez "
    "newman pearson curtis cortez douglas schneider joseph barrett navarro figueroa keller avila wade molina "
    "stanley hopkins campos barnett bates chambers caldwell beck lambert miranda byrd craig ayala lowe frazier "
    "powers neal leonard gregory carrillo sutton fleming rhodes shelton schwartz norris jennings watts duran"
)
LAST_NAMES = _LAST_NAMES.split()
_COMPANIES = (
    "acme globex initech umbrella hooli stark wayne wonka tyrell cyberdyne aperture soylent massive vandelay "
    "pied oscorp dunder gringotts monarch nakatomi virtucon zorg bluth prestige sterling"
)
DOMAINS = [f"{word}.example" for word in _COMPANIES.split()] + ["gmail.example", "outlook.example", "proton.example"]
TITLES = ("CEO", "CTO", "VP Sales", "Head of Marketing", "Sales Manager", "Account Executive", "Founder",
          "Operations Manager", "Procurement Lead", "Software Engineer", "Office Manager", "CFO", None)  # fmt: skip
CITIES = (("US", "New York", "America/New_York", "en"), ("US", "San Francisco", "America/Los_Angeles", "en"),
          ("US", "Chicago", "America/Chicago", "en"), ("GB", "London", "Europe/London", "en"),
          ("DE", "Berlin", "Europe/Berlin", "de"), ("DE", "Munich", "Europe/Berlin", "de"),
          ("FR", "Paris", "Europe/Paris", "fr"), ("ES", "Madrid", "Europe/Madrid", "es"),
          ("IT", "Milan", "Europe/Rome", "it"), ("NL", "Amsterdam", "Europe/Amsterdam", "nl"),
          ("BR", "São Paulo", "America/Sao_Paulo", "pt-BR"), ("CA", "Toronto", "America/Toronto", "en"))  # fmt: skip
SOURCES = ("website", "referral", "csv_import", "linkedin", "event", "paid_search", "partner", "api")
# subscriber 20 %, lead 40 %, opportunity 10 %, customer 20 %, former_customer 10 %
LIFECYCLE = ("subscriber",) * 2 + ("lead",) * 4 + ("opportunity",) + ("customer",) * 2 + ("former_customer",)
SEED_AREA_CODES = ("415", "212", "312", "646", "305", "206")  # the create scenario uses 617, never seeded


# ----------------------------------------------------------------------------------------------------------------
# Seeding


@dataclass
class Seeded:
    url: str
    org_id: int
    api_key: str
    cursors: list[str]
    names: list[str]
    broad_prefixes: list[str]
    lead_count: int = 0


def reset_schema(url: str) -> None:
    if url.startswith("postgresql"):
        import psycopg

        parsed = make_url(url)
        admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)).fetchone():
                conn.execute(f'CREATE DATABASE "{parsed.database}"')
        with engine_for(url).begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(url=url)


def _phone(index: int) -> str:
    area = SEED_AREA_CODES[index // 800_000 % len(SEED_AREA_CODES)]
    exchange = 200 + index // 10_000 % 80 * 10  # 200..990: never 555, valid for phonenumbers
    return f"+1{area}{exchange:03d}{index % 10_000:04d}"


def _contact_rows(
    rng: random.Random, org_id: int, count: int, *, start: datetime, end: datetime, offset: int
) -> tuple[list[dict[str, Any]], list[list[tuple[str, str]]]]:
    """Rows for ``contacts`` (created_at grows with the row number, as in a live CRM) and their identities."""
    rows: list[dict[str, Any]] = []
    identities: list[list[tuple[str, str]]] = []
    step = (end - start) / max(count, 1)
    for n in range(count):
        index = offset + n
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        country, city, timezone, language = rng.choice(CITIES)
        email = f"{first}.{last}{index}@{rng.choice(DOMAINS)}"
        phone = _phone(index) if rng.random() < 0.6 else None
        external_id = f"crm-{index}" if rng.random() < 0.3 else None
        created_at = start + step * n + timedelta(seconds=rng.random() * step.total_seconds())
        consent: dict[str, Any] = {}
        if rng.random() < 0.5:
            consent["email"] = {"status": "granted", "source": "form", "at": created_at.isoformat()}
        row: dict[str, Any] = {
            "org_id": org_id, "first_name": first.title(), "last_name": last.title(), "email": email,
            "phone": phone, "title": rng.choice(TITLES), "seniority": None, "department": None, "company_id": None,
            "owner_id": None, "timezone": timezone, "language": language, "country": country, "city": city,
            "lifecycle_stage": rng.choice(LIFECYCLE), "source": rng.choice(SOURCES), "consent": consent,
            "opted_out": ["sms"] if rng.random() < 0.05 else [], "external_id": external_id, "custom_fields": {},
            "created_at": created_at, "updated_at": created_at + timedelta(days=rng.random() * 30),
        }  # fmt: skip
        phones = [phone] if phone else []
        row["search_text"] = contact_search_text(SimpleNamespace(**row), [email], phones)  # type: ignore[arg-type]
        rows.append(row)
        identities.append(
            [("email", email)] + [("phone", p) for p in phones] + ([("external", external_id)] if external_id else [])
        )
    return rows, identities


def _insert_contacts(
    engine: Engine, rng: random.Random, org_id: int, count: int, *, offset: int, batch: int = 5000
) -> list[tuple[datetime, int]]:
    """Bulk-insert ``count`` contacts with their identities; return (created_at, id) of each."""
    end = datetime.now(UTC) - timedelta(hours=1)
    start = end - timedelta(days=3 * 365)
    contacts, identities_table = Contact.__table__, ContactIdentity.__table__
    created: list[tuple[datetime, int]] = []
    for chunk_start in range(0, count, batch):
        size = min(batch, count - chunk_start)
        chunk_begin = start + (end - start) * chunk_start / count
        chunk_end = start + (end - start) * (chunk_start + size) / count
        rows, identities = _contact_rows(rng, org_id, size, start=chunk_begin, end=chunk_end,
                                         offset=offset + chunk_start)  # fmt: skip
        with engine.begin() as conn:
            ids = (
                conn.execute(insert(contacts).returning(contacts.c.id, sort_by_parameter_order=True), rows)
                .scalars()
                .all()
            )
            identity_rows = [
                {"org_id": org_id, "contact_id": contact_id, "kind": kind, "value": value,
                 "is_primary": True, "created_at": row["created_at"]}
                for contact_id, row, pairs in zip(ids, rows, identities, strict=True)
                for kind, value in pairs
            ]  # fmt: skip
            conn.execute(insert(identities_table), identity_rows)
        created.extend((row["created_at"], contact_id) for row, contact_id in zip(rows, ids, strict=True))
    return created


def leads_endpoint_exists() -> bool:
    from leadpilot.crm.leads.endpoints import router

    return any(getattr(r, "path", "") == "/leads" and "GET" in getattr(r, "methods", ()) for r in router.routes)


def _insert_leads(engine: Engine, rng: random.Random, org_id: int, contacts: list[tuple[datetime, int]]) -> int:
    """One lead for every contact: leads in every stage, 70 % scored (the rest have a NULL score)."""
    from leadpilot.crm.leads.service import lead_search_text  # present once the leads module exists

    stages = ("new", "new", "contacted", "engaged", "qualified", "meeting_booked", "converted", "disqualified")
    leads = Lead.__table__
    batch: list[dict[str, Any]] = []
    for created_at, contact_id in contacts:
        stage = rng.choice(stages)
        scored = rng.random() < 0.7
        row: dict[str, Any] = {
            "org_id": org_id, "contact_id": contact_id, "company_id": None, "owner_id": None,
            "title": f"{rng.choice(('Demo request', 'Pricing', 'Trial', 'Renewal', 'Upgrade'))} #{contact_id}",
            "source": rng.choice(SOURCES), "source_detail": None, "product_interest": rng.choice(("pro", "team", None)),
            "stage": stage, "stage_changed_at": created_at,
            "status": {"converted": "converted", "disqualified": "lost"}.get(stage, "open"),
            "lost_reason": None, "converted_at": None, "last_contacted_at": None,
            "score": round(rng.random() * 100, 2) if scored else None,
            "score_probability": None, "score_tier": None, "score_reasons": [], "score_model_version": None,
            "scored_at": None, "budget_amount": None, "budget_currency": None, "authority": None, "need": None,
            "timeline": None, "bant_evidence": {}, "external_id": None, "custom_fields": {},
            "created_at": created_at, "updated_at": created_at,
        }  # fmt: skip
        row["search_text"] = lead_search_text(SimpleNamespace(**row))  # type: ignore[arg-type]
        batch.append(row)
        if len(batch) == 5000:
            with engine.begin() as conn:
                conn.execute(insert(leads), batch)
            batch = []
    if batch:
        with engine.begin() as conn:
            conn.execute(insert(leads), batch)
    return len(contacts)


def seed(url: str, *, contacts: int, other_contacts: int, seed_value: int, with_leads: bool) -> Seeded:
    rng = random.Random(seed_value)
    started = time.perf_counter()
    reset_schema(url)
    engine = engine_for(url)
    with Session(engine) as session:
        org, _ = create_org(session, name="Bench Org", owner_email="owner@bench.example", owner_name="Owner",
                            owner_password=secrets.token_urlsafe(16))  # fmt: skip
        other, _ = create_org(session, name="Other Org", owner_email="owner@other.example", owner_name="Owner",
                              owner_password=secrets.token_urlsafe(16))  # fmt: skip
        key = ApiKeyService(session, Principal.system(org.id)).create(ApiKeyCreate(name="bench", role=Role.admin))
        org_id, other_id = org.id, other.id
        session.commit()
    created = _insert_contacts(engine, rng, org_id, contacts, offset=0)
    _insert_contacts(engine, rng, other_id, other_contacts, offset=contacts)
    lead_count = _insert_leads(engine, rng, org_id, created) if with_leads else 0
    if url.startswith("postgresql"):
        # What autovacuum does shortly after a bulk load: statistics, and the GIN pending list merged into the
        # full-text index (until then every search scans the unsorted pending entries).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        raw = engine.raw_connection()  # outside a transaction: a checkpoint cannot run inside one
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    engine.dispose()
    print(f"  seeded {contacts:,} + {other_contacts:,} contacts{f', {lead_count:,} leads' if lead_count else ''} "
          f"in {time.perf_counter() - started:.0f} s", file=sys.stderr)  # fmt: skip
    sample = rng.sample(created, min(2000, len(created)))
    names_query = text("SELECT first_name, last_name FROM contacts WHERE org_id = :org AND id IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )
    with engine.connect() as conn:
        names = [
            f"{first} {last}".lower()
            for first, last in conn.execute(names_query, {"org": org_id, "ids": [i for _, i in sample[:500]]})
        ]
    engine.dispose()
    return Seeded(
        url=url,
        org_id=org_id,
        api_key=key.key,
        cursors=[encode_cursor("created_at", created_at, contact_id) for created_at, contact_id in sample],
        names=names,
        broad_prefixes=sorted({name[:2] for name in FIRST_NAMES}),
        lead_count=lead_count,
    )


# ----------------------------------------------------------------------------------------------------------------
# Query plans


def _list_in_process(session: Session, principal: Principal, path: str, params: dict[str, Any]) -> int:
    """What the list endpoint at ``path`` does with ``params``, minus HTTP; returns the number of rows."""
    args = {k: v for k, v in params.items() if k != "limit"}
    limit = int(params.get("limit", 50))
    if path == "/api/v1/leads":
        from leadpilot.crm.leads.service import LeadService

        items, _ = LeadService(session, principal).list_page(limit=limit, **args)
        return len(items)
    service = ContactService(session, principal)
    rows, _ = service.contacts.list_page(limit=limit, **args)
    return len(service.read_many(rows))


def explain(seeded: Seeded, scenarios: list[Scenario]) -> str:
    """Every SELECT each list scenario runs, with its plan (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN
    ANALYZE) and the median time of 5 runs."""
    engine = engine_for(seeded.url)
    dialect = engine.dialect.name
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    out: list[str] = []
    rng = random.Random(1)
    for scenario in scenarios:
        if scenario.params is None:
            continue
        params = scenario.params(rng)
        captured.clear()
        event.listen(engine, "before_cursor_execute", capture)
        try:
            with Session(engine) as session:
                started = time.perf_counter()
                count = _list_in_process(session, Principal.system(seeded.org_id), scenario.path, params)
                elapsed = (time.perf_counter() - started) * 1000
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        out.append(f"### {scenario.name}: {params} ({count} rows, {elapsed:.1f} ms in-process, first run)\n")
        for statement, parameters in captured:
            with engine.connect() as conn:
                timings = []
                for _ in range(5):
                    t0 = time.perf_counter()
                    conn.exec_driver_sql(statement, parameters).fetchall()
                    timings.append((time.perf_counter() - t0) * 1000)
                if dialect == "postgresql":
                    plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).scalars().all()
                else:
                    plan = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)]
            shown = " ".join(statement.split())
            shown = shown if len(shown) < 400 else shown[:160] + " … " + shown[-220:]
            out.append(f"```sql\n{shown}\n```\n\nmedian of 5 runs: {median(timings):.2f} ms\n")
            out.append("```\n" + "\n".join(plan) + "\n```\n")
    engine.dispose()
    return "\n".join(out)


# ----------------------------------------------------------------------------------------------------------------
# The server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in children.read_text().split():
            found += [int(child), *_descendants(int(child))]
    return found


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of ``pid`` and its descendants (Linux); None where /proc is not available."""
    try:
        ticks = 0
        for process in [pid, *_descendants(pid)]:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class Server:
    base_url: str
    pid: int


@contextlib.contextmanager
def running_server(*, url: str, home: Path, workers: int, redis_url: str | None, log_level: str) -> Iterator[Server]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADPILOT_")}
    env.update({
        "LEADPILOT_HOME": str(home),
        "LEADPILOT_DATABASE_URL": url,
        "LEADPILOT_ENVIRONMENT": "production",
        "LEADPILOT_SECRET_KEY": secrets.token_urlsafe(48),
        "LEADPILOT_LOG_LEVEL": log_level,
        # The benchmark is one API key sending thousands of requests a minute; the limit is not what is measured.
        "LEADPILOT_API_KEY_RATE_LIMIT": str(10**9),
    })  # fmt: skip
    if redis_url:
        env["LEADPILOT_REDIS_URL"] = redis_url
    command = [sys.executable, "-m", "uvicorn", "leadpilot.main:create_app", "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"]  # fmt: skip
    log_path = home / f"server-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}; see {log_path}")
            try:
                if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not answer /health within 60 s; see {log_path}")
            time.sleep(0.2)
        yield Server(base_url, process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# ----------------------------------------------------------------------------------------------------------------
# Scenarios and the load generator


@dataclass
class Scenario:
    name: str
    describe: str
    method: str = "GET"
    path: str = "/api/v1/contacts"
    params: Callable[[random.Random], dict[str, Any]] | None = None
    body: Callable[[random.Random], dict[str, Any]] | None = None
    expect: int = 200
    is_list: bool = False


def build_scenarios(seeded: Seeded, *, leads: bool) -> list[Scenario]:
    create_counter = itertools.count(random.Random().randrange(10**6))
    counter_lock = threading.Lock()

    def create_body(rng: random.Random) -> dict[str, Any]:
        with counter_lock:
            n = next(create_counter)
        country, city, timezone, language = rng.choice(CITIES)
        first, last = rng.choice(FIRST_NAMES).title(), rng.choice(LAST_NAMES).title()
        return {
            "first_name": first, "last_name": last, "email": f"{first}.{last}.new{n}@{rng.choice(DOMAINS)}",
            "phone": f"+1617{200 + n // 10_000 % 80 * 10:03d}{n % 10_000:04d}", "title": rng.choice(TITLES),
            "city": city, "country": country, "timezone": timezone, "language": language,
            "lifecycle_stage": "lead", "source": "api", "consent": {"email": {"status": "granted", "source": "api"}},
        }  # fmt: skip

    scenarios = [
        Scenario("GET /health", "framework floor: no database, no auth", path="/health"),
        Scenario("list", "first page, default sort (created_at desc), limit 50",
                 params=lambda rng: {"limit": 50}, is_list=True),
        Scenario("list + cursor", "a page at a random depth of the org (keyset cursor)",
                 params=lambda rng: {"limit": 50, "cursor": rng.choice(seeded.cursors)}, is_list=True),
        Scenario("recently updated", "first page, sort=updated_at (desc), limit 50",
                 params=lambda rng: {"limit": 50, "sort": "updated_at"}, is_list=True),
        Scenario("list by name", "first page, sort=last_name&order=asc, limit 50",
                 params=lambda rng: {"limit": 50, "sort": "last_name", "order": "asc"}, is_list=True),
        Scenario("search name", "q='<first> <last>' of an existing contact (a handful of matches)",
                 params=lambda rng: {"limit": 50, "q": rng.choice(seeded.names)}, is_list=True),
        Scenario("search prefix", "q=<2 letters>: a typeahead prefix matching thousands",
                 params=lambda rng: {"limit": 50, "q": rng.choice(seeded.broad_prefixes)}, is_list=True),
        Scenario("filter", "lifecycle_stage=customer&country=DE (about 3 %)",
                 params=lambda rng: {"limit": 50, "lifecycle_stage": "customer", "country": "DE"}, is_list=True),
        Scenario("create", "POST /api/v1/contacts (email + phone + consent)", method="POST",
                 body=create_body, expect=201),
    ]  # fmt: skip
    if leads:
        scenarios += [
            Scenario("leads list", "GET /api/v1/leads first page, default sort (created_at desc), limit 50",
                     path="/api/v1/leads", params=lambda rng: {"limit": 50}),
            Scenario("leads by score", "GET /api/v1/leads?sort=score (desc; 30 % NULL scores), limit 50",
                     path="/api/v1/leads", params=lambda rng: {"limit": 50, "sort": "score"}),
            Scenario("leads search", "GET /api/v1/leads?q='<first> <last>' (matches the lead's contact)",
                     path="/api/v1/leads", params=lambda rng: {"limit": 50, "q": rng.choice(seeded.names)}),
        ]  # fmt: skip
    return scenarios


@dataclass
class Cell:
    latencies_ms: list[float]
    seconds: float
    errors: Counter[str] = field(default_factory=Counter)
    cpu_ms_per_request: float = float("nan")

    @property
    def rps(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def pct(self, fraction: float) -> float:
        return percentile(sorted(self.latencies_ms), fraction)


def run_cell(base_url: str, api_key: str, scenario: Scenario, *, clients: int, requests: int,
             max_seconds: float, seed_value: int) -> Cell:  # fmt: skip
    shares = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]
    lock = threading.Lock()
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    deadline: list[float] = [float("inf")]  # set once every client is connected

    def client_thread(index: int, count: int) -> None:
        rng = random.Random(seed_value * 1000 + index)
        local: list[float] = []
        local_errors: Counter[str] = Counter()
        with httpx.Client(base_url=base_url, headers={"X-API-Key": api_key}, timeout=60) as client:
            client.get("/health")  # connect before the clock starts
            barrier.wait()
            for _ in range(count):
                if time.perf_counter() > deadline[0]:
                    break
                params = scenario.params(rng) if scenario.params else None
                body = scenario.body(rng) if scenario.body else None
                started = time.perf_counter()
                try:
                    response = client.request(scenario.method, scenario.path, params=params, json=body)
                except httpx.HTTPError as exc:
                    local_errors[type(exc).__name__] += 1
                    continue
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code == scenario.expect:
                    local.append(elapsed)
                else:
                    local_errors[str(response.status_code)] += 1
        with lock:
            latencies.extend(local)
            errors.update(local_errors)

    threads = [threading.Thread(target=client_thread, args=(i, n), daemon=True) for i, n in enumerate(shares) if n]
    barrier = threading.Barrier(len(threads) + 1)
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    deadline[0] = started + max_seconds
    for thread in threads:
        thread.join()
    return Cell(latencies, time.perf_counter() - started, errors)


@dataclass
class Row:
    scenario: Scenario
    clients: int
    rps: float
    p50: float
    p95: float
    p99: float
    vs_health: float
    requests: int
    errors: Counter[str]
    cpu_ms: float


def measure(server: Server, seeded: Seeded, scenarios: list[Scenario], args: argparse.Namespace) -> list[Row]:
    base_url = server.base_url
    for scenario in scenarios:  # warm-up: code paths, connection pools, database caches
        run_cell(base_url, seeded.api_key, scenario, clients=4, requests=args.warmup, max_seconds=30, seed_value=0)
    cells: dict[tuple[str, int], list[Cell]] = {}
    for round_number in range(1, args.rounds + 1):
        for clients in args.clients:
            for scenario in scenarios:
                cpu_before = cpu_seconds(server.pid)
                cell = run_cell(base_url, seeded.api_key, scenario, clients=clients, requests=args.requests,
                                max_seconds=args.max_seconds, seed_value=round_number)  # fmt: skip
                cpu_after = cpu_seconds(server.pid)
                if cpu_before is not None and cpu_after is not None and cell.latencies_ms:
                    cell.cpu_ms_per_request = (cpu_after - cpu_before) * 1000 / len(cell.latencies_ms)
                cells.setdefault((scenario.name, clients), []).append(cell)
                print(f"    round {round_number} clients {clients:>2} {scenario.name:<16} {cell.rps:7.1f} req/s  "
                      f"p50 {cell.pct(0.5):7.1f}  p95 {cell.pct(0.95):7.1f} ms  "
                      f"cpu {cell.cpu_ms_per_request:5.1f} ms/req"
                      + (f"  errors {dict(cell.errors)}" if cell.errors else ""), file=sys.stderr)  # fmt: skip
    rows: list[Row] = []
    health = scenarios[0].name
    for clients in args.clients:
        for scenario in scenarios:
            runs = cells[(scenario.name, clients)]
            floors = cells[(health, clients)]
            errors: Counter[str] = Counter()
            for run in runs:
                errors.update(run.errors)
            rows.append(Row(
                scenario=scenario, clients=clients,
                rps=median([r.rps for r in runs]),
                p50=median([r.pct(0.5) for r in runs]),
                p95=median([r.pct(0.95) for r in runs]),
                p99=median([r.pct(0.99) for r in runs]),
                vs_health=median([r.pct(0.5) / f.pct(0.5) for r, f in zip(runs, floors, strict=True)]),
                requests=sum(len(r.latencies_ms) for r in runs), errors=errors,
                cpu_ms=median([r.cpu_ms_per_request for r in runs]),
            ))  # fmt: skip
    return rows


# ----------------------------------------------------------------------------------------------------------------
# Report


def render_table(title: str, rows: list[Row]) -> str:
    lines = [f"#### {title}", "",
             "| scenario | clients | req/s | p50 ms | p95 ms | p99 ms | p50 ÷ /health p50 | API CPU ms/req "
             "| requests | errors |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]  # fmt: skip
    for row in rows:
        errors = ", ".join(f"{k} x{v}" for k, v in sorted(row.errors.items())) or "0"
        ratio = "1" if row.scenario.name == "GET /health" else f"{row.vs_health:.1f}x"
        lines.append(f"| {row.scenario.name} | {row.clients} | {row.rps:.0f} | {row.p50:.1f} | {row.p95:.1f} | "
                     f"{row.p99:.1f} | {ratio} | {row.cpu_ms:.1f} | {row.requests} | {errors} |")  # fmt: skip
    return "\n".join(lines)


def target_summary(title: str, rows: list[Row]) -> str:
    checks = []
    for row in rows:
        if row.scenario.is_list and row.clients in (1, 4):
            verdict = "met" if row.p95 < TARGET_P95_MS else "**missed**"
            checks.append(f"{row.scenario.name} @{row.clients}: {row.p95:.0f} ms {verdict}")
    return f"- {title}: " + "; ".join(checks)


def measurement_args(argv: list[str]) -> list[str]:
    """The command-line arguments that change what is measured (not where the report goes)."""
    kept: list[str] = []
    skip_next = False
    for arg in argv:
        if skip_next:
            skip_next = False
        elif arg == "--write":
            skip_next = True
        elif not arg.startswith(("--write=", "--explain")):
            kept.append(arg)
    return kept


def render(args: argparse.Namespace, results: list[tuple[str, list[Row]]], scenarios: list[Scenario],
           environment: str) -> str:  # fmt: skip
    command = " ".join(["python benchmarks/bench_api.py", *map(shlex.quote, measurement_args(sys.argv[1:]))])
    parts = [
        "## API throughput and latency (`benchmarks/bench_api.py`)",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {environment}. Client and server share the machine, and other processes ran on it too: read "
        "the ratios to `/health` (measured in the same rounds) rather than the absolute numbers.",
        "",
        f"Data: {args.contacts:,} contacts in the benchmarked org (+ {args.other_contacts:,} in a second org), "
        f"each with an email identity, 60 % with a phone. Each cell: {args.requests} requests split over the "
        "concurrent clients (threads, one keep-alive httpx connection each, API key auth); figures are the median "
        f"over {args.rounds} interleaved rounds. Server: `uvicorn leadpilot.main:create_app --factory` with "
        "`LEADPILOT_ENVIRONMENT=production` and JSON request logs at INFO. API CPU is the server processes' "
        "CPU time per request (PostgreSQL's own processes not included); it is far less sensitive to other load "
        "than the latencies. The SQL and plan of every list scenario: `python benchmarks/bench_api.py "
        "--explain-only`.",
        "",
        "| scenario | request |",
        "| --- | --- |",
        *[f"| {s.name} | {s.describe} |" for s in scenarios],
        "",
        f"Target (product requirements): p95 < {TARGET_P95_MS:.0f} ms for a paged list at 100k contacts "
        "(checked at 1 and 4 clients):",
        "",
        *[target_summary(title, rows) for title, rows in results],
        "",
    ]
    for title, rows in results:
        parts += [render_table(title, rows), ""]
    return "\n".join(parts)


# ----------------------------------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL,
                        help="database to (re)create; its public schema is dropped")  # fmt: skip
    parser.add_argument(
        "--redis-url",
        default=DEFAULT_REDIS_URL,
        help="Redis for the PostgreSQL runs (shared rate-limit counters); '' to run without",
    )
    parser.add_argument("--pg-workers", default="1,2", help="uvicorn --workers values for PostgreSQL")
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--other-contacts", type=int, default=10_000, help="contacts of a second org")
    parser.add_argument("--clients", default="1,4,16", help="concurrency levels")
    parser.add_argument("--requests", type=int, default=200, help="requests per cell")
    parser.add_argument("--rounds", type=int, default=3, help="repetitions of every cell; medians are reported")
    parser.add_argument("--warmup", type=int, default=40, help="warm-up requests per scenario")
    parser.add_argument("--max-seconds", type=float, default=15.0, help="cap on one cell's duration")
    parser.add_argument(
        "--leads",
        choices=["auto", "yes", "no"],
        default="auto",
        help="seed leads and measure GET /api/v1/leads (auto: when the endpoint exists)",
    )
    parser.add_argument("--log-level", default="INFO", help="server LEADPILOT_LOG_LEVEL")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--explain", action="store_true", help="also print the list queries' plans")
    parser.add_argument("--explain-only", action="store_true", help="seed, print the plans, do not load the server")
    parser.add_argument(
        "--write",
        type=Path,
        metavar="MARKDOWN",
        help=f"replace the <!-- {SECTION} --> block of this file (e.g. docs/benchmarks.md)",
    )
    args = parser.parse_args()
    args.clients = [int(c) for c in args.clients.split(",")]
    args.pg_workers = [int(w) for w in args.pg_workers.split(",")]
    return args


def postgres_version(url: str) -> str | None:
    try:
        with engine_for(url).connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar()).split()[0]
    except Exception:
        return None


def main() -> None:
    args = parse_args()
    with_leads = args.leads == "yes" or (args.leads == "auto" and leads_endpoint_exists())
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results: list[tuple[str, list[Row]]] = []
    scenarios: list[Scenario] = []
    environment = machine_summary(postgres_version=postgres_version(args.postgres_url) if "postgres" in databases
                                  else None)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="leadpilot-bench-api-") as tmp:
        for database in databases:
            home = Path(tmp) / database
            home.mkdir()
            url = args.postgres_url if database == "postgres" else f"sqlite:///{home / 'leadpilot.db'}"
            print(f"== {database}: seeding", file=sys.stderr)
            seeded = seed(url, contacts=args.contacts, other_contacts=args.other_contacts, seed_value=args.seed,
                          with_leads=with_leads)  # fmt: skip
            scenarios = build_scenarios(seeded, leads=with_leads)
            if args.explain or args.explain_only:
                print(f"\n## Query plans on {database}\n\n{explain(seeded, scenarios)}")
            if args.explain_only:
                continue
            shapes = [1] if database == "sqlite" else args.pg_workers
            use_redis = database == "postgres" and bool(args.redis_url) and redis_answers(args.redis_url)
            for workers in shapes:
                title = f"{'SQLite' if database == 'sqlite' else 'PostgreSQL'}, {workers} process" + (
                    "es" if workers > 1 else "") + (" + Redis" if use_redis else "")  # fmt: skip
                title += f" (load average {os.getloadavg()[0]:.1f} at start)"
                print(f"== {title}", file=sys.stderr)
                with running_server(url=url, home=home, workers=workers, log_level=args.log_level,
                                    redis_url=args.redis_url if use_redis else None) as server:  # fmt: skip
                    results.append((title, measure(server, seeded, scenarios, args)))
    if not results:
        return
    report = render(args, results, scenarios, environment)
    print(report)
    if args.write:
        write_section(args.write, SECTION, report)
        print(f"wrote the {SECTION} section of {args.write}", file=sys.stderr)


if __name__ == "__main__":
    main()
