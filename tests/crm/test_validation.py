from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from leadpilot.crm import validation


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("(415) 555-0132", "US", "+14155550132"),
        ("+44 20 7946 0958", "US", "+442079460958"),
        ("030 901820", "DE", "+4930901820"),
        ("0030 901820", "US", None),
        ("12", "US", None),
        ("not a phone", "US", None),
    ],
)
def test_normalize_phone(raw: str, region: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(ValueError, match="phone"):
            validation.normalize_phone(raw, default_region=region)
    else:
        assert validation.normalize_phone(raw, default_region=region) == expected


def test_normalize_email_lowercases_and_rejects_garbage() -> None:
    assert validation.normalize_email("  Jane.Doe@Example.COM ") == "jane.doe@example.com"
    with pytest.raises(ValueError, match="email"):
        validation.normalize_email("jane@")


@pytest.mark.parametrize(
    ("raw", "amount", "currency"),
    [
        ("1,234.50", Decimal("1234.50"), None),
        ("$99", Decimal("99.00"), "USD"),
        ("€ 10", Decimal("10.00"), "EUR"),
        ("EUR 12.5", Decimal("12.50"), "EUR"),
        ("12.5 gbp", Decimal("12.50"), "GBP"),
        (7, Decimal("7.00"), None),
    ],
)
def test_parse_money(raw: object, amount: Decimal, currency: str | None) -> None:
    assert validation.parse_money(raw) == (amount, currency)  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["abc", "1e400", "NaN", "12 XYZ"])
def test_parse_money_rejects(raw: str) -> None:
    with pytest.raises(ValueError, match=r"amount|currency|range"):
        validation.parse_money(raw)


def test_parse_datetime_reads_naive_values_in_the_given_zone() -> None:
    assert validation.parse_datetime("2025-03-01 09:00", default_timezone="Europe/Berlin") == datetime(
        2025, 3, 1, 8, 0, tzinfo=UTC
    )
    assert validation.parse_datetime("2025-03-01T09:00:00-05:00") == datetime(2025, 3, 1, 14, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="date"):
        validation.parse_datetime("yesterday-ish")
    with pytest.raises(ValueError, match="range"):
        validation.parse_datetime("1800-01-01")


def test_parse_date_and_codes() -> None:
    assert validation.parse_date("2025-12-31") == date(2025, 12, 31)
    assert validation.normalize_currency("usd") == "USD"
    assert validation.normalize_language("pt_br") == "pt-BR"
    assert validation.normalize_country("de") == "DE"
    assert validation.normalize_timezone("Asia/Tokyo") == "Asia/Tokyo"
    for bad, fn in [("ZZZ", validation.normalize_currency), ("Mars/Base", validation.normalize_timezone)]:
        with pytest.raises(ValueError, match="unknown"):
            fn(bad)
