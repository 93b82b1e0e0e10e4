"""Field normalisers shared by the API schemas and the importers, so a value is valid in one place only.

Each raises ``ValueError`` with a message meant for the person who typed the value.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

import phonenumbers
from dateutil import parser as date_parser
from email_validator import EmailNotValidError, validate_email

from leadpilot.kit.clock import is_valid_timezone

_CURRENCIES = {
    "USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON",
    "BGN", "TRY", "ILS", "AED", "SAR", "INR", "CNY", "HKD", "SGD", "KRW", "TWD", "THB", "MYR", "IDR", "PHP",
    "VND", "BRL", "MXN", "ARS", "CLP", "COP", "PEN", "ZAR", "NGN", "KES", "EGP", "MAD", "UAH", "ISK",
}  # fmt: skip
_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "R$": "BRL"}
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def normalize_email(value: str) -> str:
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"not a valid email address: {value!r} ({exc})") from exc
    return result.normalized.lower()


def normalize_phone(value: str, *, default_region: str = "US") -> str:
    """Return the number in E.164; numbers without a +country code are read in ``default_region``."""
    try:
        parsed = phonenumbers.parse(value.strip(), default_region.upper())
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number: {value!r}") from exc
    if not phonenumbers.is_possible_number(parsed) or not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"not a valid phone number for region {default_region}: {value!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalize_timezone(value: str) -> str:
    value = value.strip()
    if not is_valid_timezone(value):
        raise ValueError(f"unknown IANA time zone: {value!r} (e.g. 'Europe/Berlin')")
    return value


def normalize_currency(value: str) -> str:
    code = _CURRENCY_SYMBOLS.get(value.strip(), value.strip().upper())
    if code not in _CURRENCIES:
        raise ValueError(f"unknown currency code: {value!r} (ISO 4217, e.g. 'USD')")
    return code


def normalize_language(value: str) -> str:
    value = value.strip().replace("_", "-")
    if not _LANGUAGE.match(value):
        raise ValueError(f"not a language tag: {value!r} (e.g. 'en' or 'pt-BR')")
    head, _, tail = value.partition("-")
    return head.lower() + (f"-{tail.upper()}" if tail else "")


def normalize_country(value: str) -> str:
    value = value.strip().upper()
    if not _COUNTRY.match(value):
        raise ValueError(f"not an ISO 3166 country code: {value!r} (e.g. 'DE')")
    return value


def parse_money(value: str | float | int | Decimal) -> tuple[Decimal, str | None]:
    """Parse '1,234.50', '$99', '€ 10' or 1234.5 into (amount, currency-or-None)."""
    if isinstance(value, Decimal | int | float):
        amount = Decimal(str(value))
        currency = None
    else:
        text = value.strip()
        currency = None
        for symbol, code in sorted(_CURRENCY_SYMBOLS.items(), key=lambda kv: -len(kv[0])):
            if text.startswith(symbol) or text.endswith(symbol):
                currency = code
                text = text.replace(symbol, "")
                break
        code_match = re.match(r"^\s*([A-Za-z]{3})\s+(.*)$", text) or re.match(r"^(.*?)\s+([A-Za-z]{3})\s*$", text)
        if code_match and currency is None:
            first, second = code_match.groups()
            code, text = (first, second) if len(first) == 3 and first.isalpha() else (second, first)
            currency = normalize_currency(code)
        try:
            amount = Decimal(text.replace(",", "").replace(" ", ""))
        except InvalidOperation as exc:
            raise ValueError(f"not an amount of money: {value!r}") from exc
    if not amount.is_finite() or abs(amount) >= Decimal("1e12"):
        raise ValueError(f"amount out of range: {value!r}")
    return amount.quantize(Decimal("0.01")), currency


def parse_datetime(value: str | datetime, *, default_timezone: str = "UTC") -> datetime:
    """Parse an ISO-8601 or common date-time; a value without an offset is read in ``default_timezone``."""
    from zoneinfo import ZoneInfo

    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = date_parser.parse(value.strip())
        except (ValueError, OverflowError) as exc:
            raise ValueError(f"not a date/time: {value!r} (use ISO 8601, e.g. 2025-03-01T14:30:00+01:00)") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(default_timezone))
    if not 1970 <= parsed.year <= 2100:
        raise ValueError(f"date out of range: {value!r}")
    return parsed.astimezone(UTC)


def parse_date(value: str | date) -> date:
    if isinstance(value, date):
        return value
    try:
        parsed = date_parser.parse(value.strip()).date()
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"not a date: {value!r} (use YYYY-MM-DD)") from exc
    if not 1970 <= parsed.year <= 2100:
        raise ValueError(f"date out of range: {value!r}")
    return parsed
