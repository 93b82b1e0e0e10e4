"""BANT extraction: amounts and currencies, roles, needs, and dates resolved against a fixed message time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leadpilot.intelligence.bant import extract, extract_authority, extract_budget, extract_timeline, parse_number

AT = datetime(2026, 1, 20, 15, 0, tzinfo=UTC)  # a Tuesday in Q1


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("Our budget is around $25k for this.", 25_000, "USD"),
        ("We have 25.000 € set aside.", 25_000, "EUR"),
        ("We can spend around 40 thousand dollars.", 40_000, "USD"),
        ("Tenemos unos 20.000 € de presupuesto.", 20_000, "EUR"),
        ("Unser Budget liegt bei etwa 25.000 Euro.", 25_000, "EUR"),
        ("A budget of 1.5M USD was approved.", 1_500_000, "USD"),
        ("We were given £12,500 for the pilot.", 12_500, "GBP"),
    ],
)
def test_budget_amount_and_currency(text: str, amount: float, currency: str) -> None:
    budget = extract_budget(text)
    assert budget is not None
    assert budget["amount"] == amount
    assert budget["currency"] == currency
    assert text[budget["span"][0] : budget["span"][1]] == budget["quote"]


def test_a_price_per_seat_is_not_read_as_a_budget() -> None:
    budget = extract_budget("Honestly $49 per seat is more than we expected.")
    assert budget is not None
    assert budget["period"] == "seat"
    assert budget["confidence"] < 0.5
    assert extract_budget("We have 50 seats and 3 offices.") is None


@pytest.mark.parametrize(("raw", "value"), [("25.000", 25000), ("1,200", 1200), ("1.5", 1.5), ("2,5", 2.5),
                                            ("1,234.56", 1234.56), ("1.234,56", 1234.56)])  # fmt: skip
def test_number_formats(raw: str, value: float) -> None:
    assert parse_number(raw) == value


def test_authority_roles_and_who_decides() -> None:
    boss = extract_authority("Looks good. I need to check with my boss first.")
    assert boss is not None
    assert boss["decision_maker"] is False
    assert boss["approver"] == "boss"
    assert boss["quote"] == "I need to check with my boss first."
    cfo = extract_authority("I'm the CFO and I make the decisions here.")
    assert cfo is not None
    assert cfo["role"] == "CFO"
    assert cfo["decision_maker"] is True
    german = extract_authority("Das muss ich erst mit meinem Chef abstimmen.")
    assert german is not None
    assert german["decision_maker"] is False
    assert extract_authority("Can you send the pricing?") is None


@pytest.mark.parametrize(
    ("text", "expected", "quote"),
    [
        ("Let's revisit next quarter.", "2026-04-01", "next quarter"),
        ("We need it live by end of March.", "2026-03-31", "by end of March"),
        ("Can you call me in two weeks?", "2026-02-03", "in two weeks"),
        ("We plan to start in Q3.", "2026-07-01", "in Q3"),
        ("The kickoff could be on March 15th.", "2026-03-15", "March 15th"),
        ("We sign before the end of the year.", "2026-12-31", "before the end of the year"),
        ("Reach out next month.", "2026-02-01", "next month"),
        ("Let's talk again in December.", "2026-12-01", "in December"),
        ("Budget opens in January.", "2026-01-20", "in January"),  # written in January: from the message on
        ("We start after April.", "2026-05-01", "after April"),
        ("Melden Sie sich im nächsten Quartal.", "2026-04-01", "nächsten Quartal"),
        ("Escríbeme de nuevo en febrero.", "2026-02-01", "en febrero"),
        ("Recontactez-moi le mois prochain.", "2026-02-01", "mois prochain"),
        ("Can we meet next Friday?", "2026-01-23", "next Friday"),
        ("Go-live on 2026-05-04 at the latest.", "2026-05-04", "2026-05-04"),
    ],
)
def test_timeline_is_a_date_relative_to_the_message_time(text: str, expected: str, quote: str) -> None:
    timeline = extract_timeline(text, AT)
    assert timeline is not None, text
    assert timeline["date"] == expected
    assert timeline["quote"].lower() == quote.lower()
    start, end = timeline["span"]
    assert text[start:end] == timeline["quote"]


def test_need_is_the_sentence_stating_the_problem() -> None:
    facts = extract("Hi there. We're losing leads that write to us after hours. Budget is about $2,000 a month.", AT)
    assert facts["need"]["quote"] == "We're losing leads that write to us after hours."
    assert facts["budget"]["amount"] == 2000
    assert facts["budget"]["period"] == "month"
    assert "need" not in extract("We don't need another tool.", AT)
    assert "need" not in extract("I need to check with my manager.", AT)
    assert extract("", AT) == {}
