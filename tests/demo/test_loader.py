"""The demo tenant in the database: loaded once per module (small size) inside one rolled-back transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from leadpilot.cli.main import app as cli_app
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
from leadpilot.crm.validation import normalize_phone
from leadpilot.db import session as db_session
from leadpilot.demo.loader import (
    DEMO_LOGIN_EMAIL,
    DEMO_LOGIN_PASSWORD,
    DEMO_ORG_SLUG,
    DemoLoadResult,
    ensure_demo_loaded,
)
from leadpilot.demo.simulator import LEAD_STAGES, simulate
from leadpilot.orgs.models import Org, User
from leadpilot.orgs.service import login

AS_OF = datetime(2025, 3, 14, 15, 30, tzinfo=UTC)
SEED = 2
SIZE = 200
MODELS = {
    "users": User, "products": Product, "companies": Company, "contacts": Contact,
    "contact_identities": ContactIdentity, "leads": Lead, "deals": Deal, "stage_changes": StageChange,
    "activities": Activity, "notes": Note, "conversations": Conversation, "messages": Message,
}  # fmt: skip


@dataclass
class Loaded:
    connection: Connection
    result: DemoLoadResult
    output: list[str]

    def session(self) -> Session:
        # a savepoint of the module's transaction: closing the session undoes what it wrote, nothing more
        return Session(bind=self.connection, join_transaction_mode="create_savepoint")

    def org_id(self) -> int:
        with self.session() as session:
            org_id = session.scalar(select(Org.id).where(Org.slug == DEMO_ORG_SLUG))
        assert org_id is not None
        return org_id


@pytest.fixture(scope="module")
def loaded(engine) -> Iterator[Loaded]:  # type: ignore[no-untyped-def]
    connection = engine.connect()
    outer = connection.begin()
    db_session.bind_sessions_to(connection)
    try:
        output: list[str] = []
        result = ensure_demo_loaded(echo=output.append, seed=SEED, contacts=SIZE, as_of=AS_OF)
        assert result is not None
        yield Loaded(connection, result, output)
    finally:
        db_session.bind_sessions_to(None)
        outer.rollback()
        connection.close()


def test_every_table_is_loaded_as_simulated(loaded: Loaded) -> None:
    org_id = loaded.org_id()
    with loaded.session() as session:
        counts = {
            name: session.scalar(select(func.count()).select_from(model).where(model.org_id == org_id))
            for name, model in MODELS.items()
        }
        org = session.get(Org, org_id)
        assert org is not None
        assert org.name == "Northwind Analytics"
        assert (org.timezone, org.default_currency, org.default_phone_region) == ("America/New_York", "USD", "US")
        assert org.settings["demo"]["fingerprint"] == loaded.result.fingerprint
        roles = sorted(session.scalars(select(User.role).where(User.org_id == org_id)))
    assert counts == loaded.result.counts
    assert counts["contacts"] == SIZE
    assert roles == sorted(["owner", "admin", "manager", "agent", "agent", "agent", "viewer"])
    assert any("activities" in line for line in loaded.output)
    assert any(line.startswith("  leads by stage:") for line in loaded.output)


def test_the_same_seed_gives_the_same_fingerprint(loaded: Loaded) -> None:
    again = simulate(seed=SEED, as_of=AS_OF, contacts=SIZE)
    assert again.fingerprint() == loaded.result.fingerprint
    assert simulate(seed=SEED + 1, as_of=AS_OF, contacts=SIZE).fingerprint() != loaded.result.fingerprint


def test_demo_login_works_for_the_owner(loaded: Loaded) -> None:
    with loaded.session() as session:
        user, token = login(session, email=DEMO_LOGIN_EMAIL, password=DEMO_LOGIN_PASSWORD, ip="127.0.0.1")
        assert user.role == "owner"
        assert user.org_id == loaded.org_id()
        assert token


def test_every_lead_stage_with_a_consistent_history(loaded: Loaded) -> None:
    org_id = loaded.org_id()
    with loaded.session() as session:
        leads = list(session.scalars(select(Lead).where(Lead.org_id == org_id)))
        changes = list(
            session.scalars(
                select(StageChange)
                .where(StageChange.org_id == org_id, StageChange.entity_type == "lead")
                .order_by(StageChange.changed_at, StageChange.id)
            )
        )
    assert {lead.stage for lead in leads} == {*LEAD_STAGES, "disqualified"}
    history: dict[int, list[StageChange]] = defaultdict(list)
    for change in changes:
        history[change.entity_id].append(change)
    for lead in leads:
        steps = history[lead.id]
        assert steps[0].from_stage is None
        assert steps[0].to_stage == "new"
        assert all(b.from_stage == a.to_stage for a, b in pairwise(steps))
        assert steps[-1].to_stage == lead.stage
        assert steps[-1].changed_at == lead.stage_changed_at
        assert lead.status == {"converted": "converted", "disqualified": "lost"}.get(lead.stage, "open")
        if lead.stage in ("qualified", "meeting_booked", "converted"):
            assert lead.budget_amount is not None
            assert lead.authority
            assert lead.timeline is not None


def test_phones_are_e164_and_zones_are_iana(loaded: Loaded) -> None:
    org_id = loaded.org_id()
    with loaded.session() as session:
        rows = session.execute(
            select(ContactIdentity.value, Contact.country)
            .join(Contact, Contact.id == ContactIdentity.contact_id)
            .where(ContactIdentity.org_id == org_id, ContactIdentity.kind == "phone")
        ).all()
        zones = set(session.scalars(select(Contact.timezone).where(Contact.org_id == org_id)))
    assert rows
    for value, country in rows:
        assert normalize_phone(value, default_region=country) == value
    for zone in zones:
        ZoneInfo(zone)
    assert len(zones) >= 8


def test_purchases_span_two_years_and_some_customers_went_dormant(loaded: Loaded) -> None:
    org_id = loaded.org_id()
    with loaded.session() as session:
        first, last = session.execute(
            select(func.min(Activity.occurred_at), func.max(Activity.occurred_at)).where(
                Activity.org_id == org_id, Activity.type == "purchase"
            )
        ).one()
        last_orders = session.execute(
            select(Activity.contact_id, func.max(Activity.occurred_at), Contact.lifecycle_stage)
            .join(Contact, Contact.id == Activity.contact_id)
            .where(Activity.org_id == org_id, Activity.type == "purchase")
            .group_by(Activity.contact_id, Contact.lifecycle_stage)
        ).all()
    first, last = (value.replace(tzinfo=UTC) if value.tzinfo is None else value for value in (first, last))
    assert AS_OF - first > timedelta(days=700)
    assert AS_OF - last < timedelta(days=30)
    dormant = [row for row in last_orders if row[1].replace(tzinfo=UTC) < AS_OF - timedelta(days=180)]
    assert dormant
    assert all(stage == "former_customer" for _, _, stage in dormant)
    assert len(last_orders) > len(dormant)


def test_no_activity_before_its_contact_unless_attributed_later(loaded: Loaded) -> None:
    org_id = loaded.org_id()
    with loaded.session() as session:
        early = list(
            session.scalars(
                select(Activity)
                .join(Contact, Contact.id == Activity.contact_id)
                .where(Activity.org_id == org_id, Activity.occurred_at < Contact.created_at)
            )
        )
    assert early
    assert all(a.type == "web_visit" and a.properties.get("identified_later") is True for a in early)


def test_converted_leads_engaged_more_before_converting_than_disqualified_ones(loaded: Loaded) -> None:
    org_id = loaded.org_id()
    engagement = ("email_opened", "email_clicked", "email_replied", "web_visit", "form_submitted", "call", "meeting")
    with loaded.session() as session:
        leads = list(session.scalars(select(Lead).where(Lead.org_id == org_id, Lead.status != "open")))
        activities = session.execute(
            select(Activity.contact_id, Activity.occurred_at).where(
                Activity.org_id == org_id, Activity.type.in_(engagement)
            )
        ).all()
    by_contact: dict[int, list[datetime]] = defaultdict(list)
    for contact_id, at in activities:
        by_contact[contact_id].append(at)
    counts: dict[str, list[int]] = {"converted": [], "disqualified": []}
    for lead in leads:
        window = (lead.created_at - timedelta(days=30), lead.stage_changed_at)
        counts[lead.stage].append(sum(1 for at in by_contact[lead.contact_id] if window[0] <= at < window[1]))
    converted = sum(counts["converted"]) / len(counts["converted"])
    disqualified = sum(counts["disqualified"]) / len(counts["disqualified"])
    assert converted > 1.5 * disqualified, (converted, disqualified)


def test_a_second_load_keeps_the_tenant(loaded: Loaded) -> None:
    output: list[str] = []
    assert ensure_demo_loaded(echo=output.append, seed=SEED, contacts=SIZE, as_of=AS_OF) is None
    assert "already loaded" in output[0]
    runner = CliRunner()
    result = runner.invoke(cli_app, ["demo", "--no-migrate"])
    assert result.exit_code == 0, result.output
    assert "already loaded" in result.output
    assert f"Demo login: {DEMO_LOGIN_EMAIL} / {DEMO_LOGIN_PASSWORD}" in result.output


def test_reset_replaces_the_tenant_with_identical_data(loaded: Loaded) -> None:
    output: list[str] = []
    result = ensure_demo_loaded(echo=output.append, seed=SEED, contacts=SIZE, as_of=AS_OF, reset=True)
    assert result is not None
    assert "Deleting the existing demo tenant" in output
    assert result.fingerprint == loaded.result.fingerprint
    with loaded.session() as session:
        assert session.scalar(select(func.count()).select_from(Org).where(Org.slug == DEMO_ORG_SLUG)) == 1
        assert session.scalar(select(func.count()).select_from(Contact)) == SIZE
        assert session.scalar(select(func.count()).select_from(Activity)) == result.counts["activities"]
        assert session.scalar(select(func.count()).select_from(User).where(User.email == DEMO_LOGIN_EMAIL)) == 1


def test_cli_reset_with_an_anchor_reproduces_the_tenant(loaded: Loaded) -> None:
    args = ["demo", "--no-migrate", "--reset", "--seed", str(SEED), "--contacts", str(SIZE)]
    result = CliRunner().invoke(cli_app, [*args, "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    assert "Loaded in" in result.output
    with loaded.session() as session:
        org = session.scalar(select(Org).where(Org.slug == DEMO_ORG_SLUG))
        assert org is not None
        assert org.settings["demo"]["fingerprint"] == loaded.result.fingerprint
    bad = CliRunner().invoke(cli_app, [*args, "--as-of", "next tuesday-ish"])
    assert bad.exit_code == 2
