"""The simulator alone (no database): determinism, consistency of the simulated world, and the signal that lead
scoring and the customer-base models are meant to find."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

import phonenumbers
import pytest

from leadpilot.crm.validation import normalize_email, normalize_phone
from leadpilot.demo import catalog, texts
from leadpilot.demo.simulator import DEAL_STAGES, DORMANT_DAYS, LEAD_STAGES, DemoDataset, simulate

AS_OF = datetime(2025, 3, 14, 15, 30, tzinfo=UTC)
ENGAGEMENT = ("email_opened", "email_clicked", "email_replied", "web_visit", "form_submitted", "call", "meeting")


@pytest.fixture(scope="module")
def world() -> DemoDataset:
    return simulate(seed=3, as_of=AS_OF, contacts=600)


def _by_contact(world: DemoDataset) -> dict[int, list[dict]]:
    grouped: dict[int, list[dict]] = defaultdict(list)
    for activity in world.tables["activities"]:
        grouped[activity["contact_id"]].append(activity)
    return grouped


def _auc(scores: list[float], labels: list[bool]) -> float:
    positives = [s for s, label in zip(scores, labels, strict=True) if label]
    negatives = [s for s, label in zip(scores, labels, strict=True) if not label]
    wins = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives)
    return wins / (len(positives) * len(negatives))


def test_same_seed_gives_identical_data_and_another_seed_does_not() -> None:
    first = simulate(seed=5, as_of=AS_OF, contacts=120)
    again = simulate(seed=5, as_of=AS_OF, contacts=120)
    other = simulate(seed=6, as_of=AS_OF, contacts=120)
    assert first.fingerprint() == again.fingerprint()
    assert first.counts() == again.counts()
    assert other.fingerprint() != first.fingerprint()


def test_the_timeline_needs_an_aware_anchor() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        simulate(seed=1, as_of=datetime(2025, 1, 1), contacts=100)


def test_sizes_follow_the_contact_count(world: DemoDataset) -> None:
    counts = world.counts()
    assert counts["contacts"] == 600
    assert counts["companies"] == 120
    assert counts["users"] == len(catalog.USERS)
    assert counts["products"] == len(catalog.PRODUCTS)
    roles = sorted(u["role"] for u in world.tables["users"])
    assert roles == sorted(["owner", "admin", "manager", "agent", "agent", "agent", "viewer"])
    assert world.tables["users"][0]["email"] == catalog.DEMO_LOGIN_EMAIL


def test_every_lead_and_deal_stage_occurs(world: DemoDataset) -> None:
    stats = world.stats()
    assert all(stats["lead_stages"][stage] > 0 for stage in (*LEAD_STAGES, "disqualified")), stats["lead_stages"]
    assert all(n > 0 for n in stats["deal_stages"].values()), stats["deal_stages"]
    assert {"customer", "former_customer", "lead", "opportunity", "subscriber"} <= set(stats["lifecycle"])


def test_contacts_are_reachable_where_they_live(world: DemoDataset) -> None:
    contacts = world.tables["contacts"]
    companies = world.tables["companies"]
    markets = {m.code: m for m in catalog.MARKETS}
    assert len({c["country"] for c in contacts}) >= 10
    for contact in contacts:
        ZoneInfo(contact["timezone"])
        market = markets[contact["country"]]
        assert contact["timezone"] in {city.timezone for city in market.cities}
        assert contact["language"] in texts.TEMPLATES
        assert normalize_email(contact["email"]) == contact["email"]
        assert contact["email"].endswith("@" + companies[contact["company_id"]]["domain"])
    phones = [i for i in world.tables["contact_identities"] if i["kind"] == "phone"]
    assert len(phones) > 300
    for identity in phones:
        contact = contacts[identity["contact_id"]]
        assert normalize_phone(identity["value"], default_region=contact["country"]) == identity["value"]
        assert phonenumbers.region_code_for_number(phonenumbers.parse(identity["value"])) == contact["country"]
    values = [(i["kind"], i["value"]) for i in world.tables["contact_identities"]]
    assert len(values) == len(set(values))


def test_stage_history_explains_every_lead_and_deal(world: DemoDataset) -> None:
    history: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for change in world.tables["stage_changes"]:
        history[(change["entity_type"], change["entity_id"])].append(change)
    for index, lead in enumerate(world.tables["leads"]):
        changes = history[("lead", index)]
        assert (changes[0]["from_stage"], changes[0]["to_stage"]) == (None, "new")
        assert changes[0]["changed_at"] == lead["created_at"]
        for before, after in pairwise(changes):
            assert after["from_stage"] == before["to_stage"]
            assert after["changed_at"] >= before["changed_at"]
            if after["to_stage"] != "disqualified":
                assert LEAD_STAGES.index(after["to_stage"]) == LEAD_STAGES.index(before["to_stage"]) + 1
        assert (changes[-1]["to_stage"], changes[-1]["changed_at"]) == (lead["stage"], lead["stage_changed_at"])
        assert (lead["converted_at"] is not None) == (lead["stage"] == "converted")
        reached_qualified = any(c["to_stage"] == "qualified" for c in changes)
        assert (lead["budget_amount"] is not None) == reached_qualified
    for index, deal in enumerate(world.tables["deals"]):
        changes = history[("deal", index)]
        stages = [c["to_stage"] for c in changes]
        open_stages = stages[:-1] if stages[-1] in ("closed_won", "closed_lost") else stages
        assert open_stages == list(DEAL_STAGES[: len(open_stages)])
        assert stages[-1] == deal["stage"]
        assert (deal["closed_at"] is not None) == (deal["stage"] in ("closed_won", "closed_lost"))
        if deal["lead_id"] is not None:
            assert world.tables["leads"][deal["lead_id"]]["converted_at"] == deal["created_at"]


def test_activities_respect_creation_time_the_anchor_and_opt_outs(world: DemoDataset) -> None:
    contacts = world.tables["contacts"]
    anonymous = 0
    for activity in world.tables["activities"]:
        assert activity["occurred_at"].tzinfo is not None
        assert activity["occurred_at"] <= AS_OF
        if activity["occurred_at"] < contacts[activity["contact_id"]]["created_at"]:
            # only web visits from before a form, attributed once the visitor identified
            assert activity["type"] == "web_visit"
            assert activity["properties"]["identified_later"] is True
            anonymous += 1
    assert anonymous > 0
    for index, activities in _by_contact(world).items():
        contact = contacts[index]
        if {"email", "all"} & set(contact["opted_out"]):
            opted_out_at = datetime.fromisoformat(contact["consent"]["email"]["at"])
            assert contact["consent"]["email"]["status"] == "denied"
            assert not [a for a in activities if a["type"] == "email_sent" and a["occurred_at"] > opted_out_at]
    assert any(c["opted_out"] for c in contacts)


def test_conversion_follows_engagement_before_the_outcome(world: DemoDataset) -> None:
    by_contact = _by_contact(world)
    scores: list[float] = []
    labels: list[bool] = []
    before_outcome: dict[bool, list[int]] = {True: [], False: []}
    for lead in world.tables["leads"]:
        if lead["stage"] not in ("converted", "disqualified"):
            continue
        converted = lead["stage"] == "converted"
        outcome_at = lead["stage_changed_at"]
        activities = by_contact[lead["contact_id"]]
        window_start = lead["created_at"] - timedelta(days=30)
        before_outcome[converted].append(
            sum(1 for a in activities if a["type"] in ENGAGEMENT and window_start <= a["occurred_at"] < outcome_at)
        )
        # point in time: what a scorer sees a week after the lead arrived, for leads still open then
        as_of = lead["created_at"] + timedelta(days=7)
        if outcome_at > as_of:
            scores.append(sum(1 for a in activities if a["type"] in ENGAGEMENT and a["occurred_at"] < as_of))
            labels.append(converted)
    converted_mean = sum(before_outcome[True]) / len(before_outcome[True])
    disqualified_mean = sum(before_outcome[False]) / len(before_outcome[False])
    assert converted_mean > 1.5 * disqualified_mean
    assert _auc(scores, labels) > 0.6


def test_activity_continues_after_conversion(world: DemoDataset) -> None:
    by_contact = _by_contact(world)
    converted = [lead for lead in world.tables["leads"] if lead["stage"] == "converted"]
    after = [
        lead
        for lead in converted
        if any(a["occurred_at"] > lead["converted_at"] for a in by_contact[lead["contact_id"]])
    ]
    assert len(after) > 0.8 * len(converted)


def test_purchases_span_two_years_with_dormant_customers(world: DemoDataset) -> None:
    purchases = [a for a in world.tables["activities"] if a["type"] == "purchase"]
    first = min(a["occurred_at"] for a in purchases)
    last = max(a["occurred_at"] for a in purchases)
    assert AS_OF - first > timedelta(days=700)
    assert AS_OF - last < timedelta(days=14)
    assert len({a["properties"]["order_id"] for a in purchases}) > 500
    assert all(a["amount"] > 0 and a["currency"] == "USD" and a["product_id"] is not None for a in purchases)
    last_order: dict[int, datetime] = {}
    for a in purchases:
        last_order[a["contact_id"]] = max(a["occurred_at"], last_order.get(a["contact_id"], a["occurred_at"]))
    contacts = world.tables["contacts"]
    dormant = [c for c, at in last_order.items() if at < AS_OF - timedelta(days=DORMANT_DAYS)]
    assert len(dormant) >= 10
    for index, at in last_order.items():
        expected = "former_customer" if index in dormant else "customer"
        assert contacts[index]["lifecycle_stage"] == expected, (index, at)
    months = {(a["occurred_at"].year, a["occurred_at"].month) for a in purchases}
    assert len(months) >= 24


def test_won_deals_are_the_first_order(world: DemoDataset) -> None:
    first_orders: dict[int, Decimal] = defaultdict(Decimal)
    for a in world.tables["activities"]:
        if a["type"] == "purchase" and a["properties"].get("first_order"):
            first_orders[a["deal_id"]] += a["amount"]
    for index, deal in enumerate(world.tables["deals"]):
        if deal["stage"] == "closed_won":
            assert first_orders[index] == deal["amount"]
        else:
            assert index not in first_orders


def test_prices_quoted_in_messages_are_on_the_price_list(world: DemoDataset) -> None:
    prices = {p["unit_price"] for p in world.tables["products"]}
    quoted = 0
    for message in world.tables["messages"]:
        for amount in re.findall(r"\$([\d,]+(?:\.\d\d)?)", message["text"]):
            assert Decimal(amount.replace(",", "")) in prices, message["text"]
            quoted += 1
    assert quoted > 0
    assert {m["language"] for m in world.tables["messages"]} >= {"en", "de", "fr", "es", "pt-BR", "ja"}
