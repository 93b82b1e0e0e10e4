"""What each entity can import: its fields, the header names that map to them, and how a cell becomes a value.

Values are checked by the normalisers of ``crm.validation`` (and the company domain rules of
``crm.companies.schemas``), so a value is valid in an import exactly when it is valid in the API. ``Normalizers``
adds per-import caches in front of them; for plain ASCII e-mail addresses it validates each domain once.

Besides the fields listed here, three prefixes map a column into a JSON field:
``custom.<key>`` (custom_fields of contacts, companies, leads and deals), ``properties.<key>`` (activities) and
``consent.<channel>`` (contacts: granted / denied / unknown).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from leadpilot.crm import validation
from leadpilot.crm.companies.schemas import normalize_domain, normalize_website
from leadpilot.crm.schemas import ActivityType, Channel, ConsentStatus, DealStage, LeadStage, LifecycleStage
from leadpilot.imports.errors import ImportFileInvalid
from leadpilot.imports.schemas import ImportEntity

CUSTOM_PREFIX = "custom."
PROPERTIES_PREFIX = "properties."
CONSENT_PREFIX = "consent."
_CACHE_LIMIT = 200_000
_CHOICE_CACHE_LIMIT = 1000
_MISSING = object()
# A subset of RFC 5322 dot-atoms that every validator accepts; anything else goes through normalize_email whole.
_PLAIN_LOCAL_PART = re.compile(r"[A-Za-z0-9_+\-]+(?:\.[A-Za-z0-9_+\-]+)*\Z")
_LIST_SEPARATORS = re.compile(r"[;,|\n]+")
_HEADER_KEY = re.compile(r"[\W_]+")

ACTIVITY_TYPE_ALIASES = {
    "email": "email_sent",
    "email_send": "email_sent",
    "sent": "email_sent",
    "email_open": "email_opened",
    "open": "email_opened",
    "opened": "email_opened",
    "email_click": "email_clicked",
    "click": "email_clicked",
    "clicked": "email_clicked",
    "email_reply": "email_replied",
    "reply": "email_replied",
    "replied": "email_replied",
    "email_bounce": "email_bounced",
    "bounce": "email_bounced",
    "bounced": "email_bounced",
    "visit": "web_visit",
    "page_view": "web_visit",
    "pageview": "web_visit",
    "website_visit": "web_visit",
    "form": "form_submitted",
    "form_submission": "form_submitted",
    "form_submit": "form_submitted",
    "phone_call": "call",
    "meeting_held": "meeting",
    "sms": "sms_sent",
    "order": "purchase",
}


def header_key(name: str) -> str:
    """'E-mail Address ' → 'e_mail_address': the form headers are compared in."""
    return _HEADER_KEY.sub("_", name.strip().lower()).strip("_")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    kind: str  # text | email | emails | phone | phones | timezone | language | country | currency | money | int
    #           | probability | date | datetime | choice | channels | domain | website
    max_length: int | None = None
    synonyms: tuple[str, ...] = ()
    choices: type[StrEnum] | None = None
    minimum: int | None = None
    maximum: int | None = None
    doc: str = ""


def _f(name: str, kind: str = "text", *synonyms: str, **kwargs: Any) -> FieldSpec:
    return FieldSpec(name, kind, synonyms=synonyms, **kwargs)


_EMAIL = ("email", "e_mail", "email_address", "e_mail_address", "mail", "work_email", "business_email", "primary_email")
_PHONE = (
    "phone",
    "phone_number",
    "telephone",
    "tel",
    "mobile",
    "mobile_phone",
    "mobile_number",
    "cell",
    "cell_phone",
    "work_phone",
    "business_phone",
    "primary_phone",
)
_EXTERNAL = (
    "external_id",
    "externalid",
    "external_ref",
    "external_reference",
    "ext_id",
    "source_id",
    "record_id",
    "crm_id",
)
_OWNER = ("owner", "owner_email", "assigned_to", "sales_rep", "account_owner")
_COMPANY = ("company", "company_name", "organization", "organisation", "account", "account_name", "employer")
_CONTACT_REF = (
    _f("contact_email", "email", "contact_email", *_EMAIL, max_length=320),
    _f("contact_phone", "phone", "contact_phone", *_PHONE),
    _f("contact_external_id", "text", "contact_external_id", "contact_ext_id", "contact_ref", max_length=200),
)
_COMPANY_REF = (
    _f("company_name", "text", *_COMPANY, max_length=300),
    _f("company_domain", "domain", "company_domain", "company_website", "domain", "website"),
    _f("company_external_id", "text", "company_external_id", max_length=200),
)

ENTITY_FIELDS: dict[ImportEntity, tuple[FieldSpec, ...]] = {
    ImportEntity.contacts: (
        _f("external_id", "text", *_EXTERNAL, max_length=200),
        _f("email", "email", *_EMAIL, "contact_email", max_length=320),
        _f(
            "other_emails",
            "emails",
            "other_emails",
            "additional_emails",
            "secondary_email",
            "secondary_emails",
            "alternate_email",
            "emails",
        ),
        _f("phone", "phone", *_PHONE, "contact_phone"),
        _f(
            "other_phones",
            "phones",
            "other_phones",
            "additional_phones",
            "secondary_phone",
            "secondary_phones",
            "alternate_phone",
            "phones",
        ),
        _f(
            "first_name",
            "text",
            "first_name",
            "firstname",
            "first",
            "given_name",
            "forename",
            "fname",
            "vorname",
            "prénom",
            max_length=120,
        ),
        _f(
            "last_name",
            "text",
            "last_name",
            "lastname",
            "last",
            "surname",
            "family_name",
            "lname",
            "nachname",
            "apellido",
            max_length=120,
        ),
        _f(
            "full_name",
            "text",
            "name",
            "full_name",
            "fullname",
            "contact_name",
            "person",
            max_length=241,
            doc="split into first and last name when those are not given",
        ),
        _f("title", "text", "title", "job_title", "jobtitle", "position", "role", max_length=200),
        _f("seniority", "text", "seniority", "level", max_length=32),
        _f("department", "text", "department", "dept", "team", max_length=64),
        *_COMPANY_REF,
        _f("owner_email", "email", *_OWNER, "contact_owner", max_length=320),
        _f("timezone", "timezone", "timezone", "time_zone", "tz"),
        _f("language", "language", "language", "lang", "locale", "preferred_language"),
        _f("country", "country", "country", "country_code"),
        _f("city", "text", "city", "town", max_length=120),
        _f(
            "lifecycle_stage",
            "choice",
            "lifecycle_stage",
            "lifecycle",
            "lifecycle_status",
            "customer_status",
            choices=LifecycleStage,
        ),
        _f("source", "text", "source", "lead_source", "origin", max_length=64),
        _f("opted_out", "channels", "opted_out", "opt_out", "opt_outs", "unsubscribed_channels"),
    ),
    ImportEntity.companies: (
        _f("external_id", "text", *_EXTERNAL, max_length=200),
        _f("name", "text", "name", *_COMPANY, max_length=300),
        _f("domain", "domain", "domain", "company_domain", "domain_name"),
        _f("website", "website", "website", "url", "web", "homepage", "site", "company_website"),
        _f("industry", "text", "industry", "sector", "vertical", max_length=120),
        _f(
            "employee_count",
            "int",
            "employee_count",
            "employees",
            "num_employees",
            "number_of_employees",
            "headcount",
            "company_size",
            minimum=0,
            maximum=10_000_000,
        ),
        _f("annual_revenue", "money", "annual_revenue", "revenue", "arr", "turnover"),
        _f("currency", "currency", "currency", "revenue_currency"),
        _f("country", "country", "country", "country_code"),
        _f("city", "text", "city", "town", max_length=120),
        _f("timezone", "timezone", "timezone", "time_zone", "tz"),
        _f("owner_email", "email", *_OWNER, max_length=320),
    ),
    ImportEntity.leads: (
        _f("external_id", "text", *_EXTERNAL, "lead_id", max_length=200),
        *_CONTACT_REF,
        _f("first_name", "text", "first_name", "firstname", "given_name", max_length=120),
        _f("last_name", "text", "last_name", "lastname", "surname", "family_name", max_length=120),
        _f("full_name", "text", "name", "full_name", "fullname", "contact_name", max_length=241),
        *_COMPANY_REF,
        _f("title", "text", "title", "lead_title", "subject", "lead_name", max_length=300),
        _f("source", "text", "source", "lead_source", "utm_source", "origin", max_length=64),
        _f("source_detail", "text", "source_detail", "campaign", "utm_campaign", max_length=300),
        _f("product_interest", "text", "product_interest", "product", "interest", "interested_in", max_length=200),
        _f("stage", "choice", "stage", "lead_stage", "status", "lead_status", choices=LeadStage),
        _f("lost_reason", "text", "lost_reason", "disqualification_reason", max_length=300),
        _f("budget_amount", "money", "budget_amount", "budget"),
        _f("budget_currency", "currency", "budget_currency", "currency"),
        _f("authority", "text", "authority", "decision_maker", max_length=200),
        _f("need", "text", "need", "needs", "requirements", "pain", "pain_points", max_length=5000),
        _f("timeline", "date", "timeline", "decision_date", "target_date", "expected_date"),
        _f("owner_email", "email", *_OWNER, "lead_owner", max_length=320),
    ),
    ImportEntity.deals: (
        _f("external_id", "text", *_EXTERNAL, "deal_id", "opportunity_id", max_length=200),
        _f("name", "text", "name", "deal_name", "deal", "opportunity", "opportunity_name", "title", max_length=300),
        *_CONTACT_REF,
        *_COMPANY_REF,
        _f("lead_external_id", "text", "lead_external_id", "lead_ref", max_length=200),
        _f("pipeline", "text", "pipeline", max_length=64),
        _f("stage", "choice", "stage", "deal_stage", choices=DealStage),
        _f("amount", "money", "amount", "value", "deal_value", "deal_amount", "price", "total"),
        _f("currency", "currency", "currency", "deal_currency"),
        _f("probability", "probability", "probability", "win_probability", "likelihood", "chance"),
        _f("expected_close_date", "date", "expected_close_date", "close_date", "expected_close", "closing_date"),
        _f("closed_at", "datetime", "closed_at", "closed_date", "close_time", "won_at"),
        _f("lost_reason", "text", "lost_reason", max_length=300),
        _f("owner_email", "email", *_OWNER, "deal_owner", max_length=320),
    ),
    ImportEntity.activities: (
        _f("external_id", "text", *_EXTERNAL, "event_id", "activity_id", max_length=200),
        *_CONTACT_REF,
        _f("type", "choice", "type", "activity_type", "event", "event_type", "kind", "action", choices=ActivityType),
        _f(
            "occurred_at",
            "datetime",
            "occurred_at",
            "timestamp",
            "date",
            "datetime",
            "time",
            "event_time",
            "event_date",
            "occurred",
            "when",
            "created_at",
        ),
        _f("channel", "choice", "channel", "medium", choices=Channel),
        _f("subject", "text", "subject", "title", "description", "summary", max_length=500),
        _f("url", "text", "url", "page", "page_url", "link", max_length=1000),
        _f("duration_seconds", "int", "duration_seconds", "duration", "seconds", minimum=0, maximum=7 * 24 * 3600),
        _f("amount", "money", "amount", "value", "revenue", "order_value", "total", "price"),
        _f("currency", "currency", "currency"),
        _f("quantity", "int", "quantity", "qty", "units", minimum=0, maximum=1_000_000),
        _f("source", "text", "source", "origin", max_length=64),
        _f("lead_external_id", "text", "lead_external_id", "lead_ref", max_length=200),
        _f("deal_external_id", "text", "deal_external_id", "deal_ref", max_length=200),
        _f("product_sku", "text", "product_sku", "sku", max_length=64),
    ),
}

PREFIXES: dict[ImportEntity, tuple[str, ...]] = {
    ImportEntity.contacts: (CUSTOM_PREFIX, CONSENT_PREFIX),
    ImportEntity.companies: (CUSTOM_PREFIX,),
    ImportEntity.leads: (CUSTOM_PREFIX,),
    ImportEntity.deals: (CUSTOM_PREFIX,),
    ImportEntity.activities: (PROPERTIES_PREFIX,),
}
# Whole JSON objects a JSON record may carry under these keys.
OBJECT_FIELDS: dict[ImportEntity, tuple[str, ...]] = {
    ImportEntity.contacts: ("custom_fields", "consent"),
    ImportEntity.companies: ("custom_fields",),
    ImportEntity.leads: ("custom_fields",),
    ImportEntity.deals: ("custom_fields",),
    ImportEntity.activities: ("properties",),
}
# Per entity: groups of fields of which at least one column must be mapped.
REQUIRED_COLUMNS: dict[ImportEntity, tuple[tuple[str, ...], ...]] = {
    ImportEntity.contacts: (("email", "phone", "external_id", "other_emails", "other_phones"),),
    ImportEntity.companies: (("name",),),
    ImportEntity.leads: (("contact_email", "contact_phone", "contact_external_id"),),
    ImportEntity.deals: (("name",),),
    ImportEntity.activities: (("type",), ("occurred_at",), ("contact_email", "contact_phone", "contact_external_id")),
}


def field_specs(entity: ImportEntity) -> dict[str, FieldSpec]:
    return {spec.name: spec for spec in ENTITY_FIELDS[entity]}


def _synonym_table(entity: ImportEntity) -> dict[str, str]:
    table: dict[str, str] = {}
    for spec in ENTITY_FIELDS[entity]:
        for name in (spec.name, *spec.synonyms):
            table.setdefault(header_key(name), spec.name)
    return table


def _target_is_valid(entity: ImportEntity, target: str) -> bool:
    if target in field_specs(entity) or target in OBJECT_FIELDS[entity]:
        return True
    return any(target.startswith(p) and len(target) > len(p) for p in PREFIXES[entity])


def _auto_target(entity: ImportEntity, column: str, synonyms: dict[str, str]) -> str | None:
    stripped = column.strip()
    for prefix in PREFIXES[entity]:
        if stripped.lower().startswith(prefix) and len(stripped) > len(prefix):
            return prefix + stripped[len(prefix) :].strip()
    if stripped in OBJECT_FIELDS[entity]:
        return stripped
    return synonyms.get(header_key(stripped))


def resolve_mapping(entity: ImportEntity, columns: list[str], explicit: dict[str, Any] | None) -> dict[str, str | None]:
    """The effective mapping {column: field or None}: explicit entries first, the other columns by name.

    Raises ImportFileInvalid for a mapping that names unknown columns or fields, for two columns mapped to one
    field, and when a required field has no column."""
    explicit = dict(explicit or {})
    known_columns = set(columns)
    for column, target in explicit.items():
        if column not in known_columns:
            raise ImportFileInvalid(
                f"The mapping names the column {column!r}, which is not in the file "
                f"(columns: {', '.join(repr(c) for c in columns if c)})"
            )
        if target not in (None, "") and (not isinstance(target, str) or not _target_is_valid(entity, target)):
            raise ImportFileInvalid(
                f"The mapping sends {column!r} to {target!r}, which is not a field of {entity.value} "
                f"(fields: {', '.join(field_specs(entity))}, or {' / '.join(p + '<key>' for p in PREFIXES[entity])})"
            )
    synonyms = _synonym_table(entity)
    mapping: dict[str, str | None] = {}
    for column in columns:
        if not column:
            continue
        if column in explicit:
            mapping[column] = explicit[column] or None
        else:
            mapping[column] = _auto_target(entity, column, synonyms)
    by_field: dict[str, str] = {}
    for column, target in mapping.items():
        if target is None:
            continue
        if target in by_field:
            raise ImportFileInvalid(
                f"The columns {by_field[target]!r} and {column!r} both map to {target!r}; "
                "pass a mapping that names the one to use (and maps the other to null)"
            )
        by_field[target] = column
    for group in REQUIRED_COLUMNS[entity]:
        if not any(name in by_field for name in group):
            headers = sorted({s for name in group for s in field_specs(entity)[name].synonyms})[:8]
            raise ImportFileInvalid(
                f"No column maps to {' or '.join(group)}, which {entity.value} need "
                f"(headers recognised: {', '.join(headers)}); pass a mapping such as "
                f'{{"Your column": "{group[0]}"}}'
            )
    return mapping


class Normalizers:
    """The ``crm.validation`` normalisers with the defaults of one import and memoised results."""

    def __init__(self, *, phone_region: str, timezone: str) -> None:
        self.phone_region = phone_region
        self.timezone = timezone
        self._domains: dict[str, str | None] = {}
        self._memo: dict[tuple[str, str], Any] = {}
        self._zone: ZoneInfo | None = None

    def _memoised(self, kind: str, value: str, function: Callable[[str], Any]) -> Any:
        key = (kind, value)
        result = self._memo.get(key, _MISSING)
        if result is _MISSING:
            try:
                result = function(value)
            except ValueError as exc:
                result = exc
            if len(self._memo) >= _CACHE_LIMIT:
                self._memo.clear()
            self._memo[key] = result
        if isinstance(result, ValueError):
            raise result
        return result

    def email(self, value: str) -> str:
        text = value.strip()
        local, at, domain = text.rpartition("@")
        if at and len(local) <= 64 and len(text) <= 254 and domain.isascii() and _PLAIN_LOCAL_PART.match(local):
            normalized = self._domains.get(domain, _MISSING)
            if normalized is _MISSING:
                try:
                    normalized = validation.normalize_email(f"a@{domain}").partition("@")[2]
                except ValueError:
                    normalized = None
                if len(self._domains) >= _CACHE_LIMIT:
                    self._domains.clear()
                self._domains[domain] = normalized
            if normalized is not None:
                return f"{local.lower()}@{normalized}"
        return validation.normalize_email(text)

    def phone(self, value: str) -> str:
        return self._memoised("phone", value, lambda v: validation.normalize_phone(v, default_region=self.phone_region))

    def datetime(self, value: str) -> datetime:
        """``validation.parse_datetime``, with ISO 8601 text (what exports and most systems write) read without
        dateutil; anything else, and any value it would refuse, goes through it for the same result or message."""
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return validation.parse_datetime(text, default_timezone=self.timezone)
        aware = parsed
        if parsed.tzinfo is None:
            if self._zone is None:
                self._zone = ZoneInfo(self.timezone)
            aware = parsed.replace(tzinfo=self._zone)
        if not 1970 <= aware.year <= 2100:
            return validation.parse_datetime(parsed, default_timezone=self.timezone)
        return aware.astimezone(UTC)

    def date(self, value: str) -> date:
        return self._memoised("date", value, validation.parse_date)  # type: ignore[no-any-return]

    def timezone_name(self, value: str) -> str:
        return self._memoised("tz", value, validation.normalize_timezone)  # type: ignore[no-any-return]

    def language(self, value: str) -> str:
        return self._memoised("lang", value, validation.normalize_language)  # type: ignore[no-any-return]

    def country(self, value: str) -> str:
        return self._memoised("country", value, validation.normalize_country)  # type: ignore[no-any-return]

    def currency(self, value: str) -> str:
        return self._memoised("currency", value, validation.normalize_currency)  # type: ignore[no-any-return]

    def domain(self, value: str) -> str:
        return self._memoised("domain", value, normalize_domain)  # type: ignore[no-any-return]


def _text(value: Any) -> str:
    if type(value) is str:
        return value.strip()
    if isinstance(value, dict | list):
        raise ValueError("expected a single value, not a JSON object or list")
    return str(value).strip()


def _choice(enum: type[StrEnum], *, aliases: dict[str, str] | None = None) -> Callable[[Any], str]:
    allowed = {member.value for member in enum}
    known: dict[str, str] = {}  # raw text -> value; bounded by the few spellings a file uses

    def convert(value: Any) -> str:
        if type(value) is str and (found := known.get(value)) is not None:
            return found
        key = header_key(_text(value))
        key = (aliases or {}).get(key, key)
        if key not in allowed:
            raise ValueError(f"unknown value {value!r} (one of: {', '.join(sorted(allowed))})")
        if type(value) is str and len(known) < _CHOICE_CACHE_LIMIT:
            known[value] = key
        return key

    return convert


def _int(minimum: int | None, maximum: int | None) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        if isinstance(value, bool):
            raise ValueError(f"not a whole number: {value!r}")
        if isinstance(value, int):
            number = value
        else:
            text = _text(value).replace(",", "").replace("_", "").replace(" ", "")
            try:
                as_decimal = Decimal(text)
            except ArithmeticError:
                raise ValueError(f"not a whole number: {value!r}") from None
            if not as_decimal.is_finite() or as_decimal != as_decimal.to_integral_value():
                raise ValueError(f"not a whole number: {value!r}")
            number = int(as_decimal)
        if minimum is not None and number < minimum:
            raise ValueError(f"must be at least {minimum}: {value!r}")
        if abs(number) > (maximum if maximum is not None else 2_000_000_000):
            raise ValueError(f"number out of range: {value!r}")
        return number

    return convert


def _probability(value: Any) -> float:
    text = _text(value)
    percent = text.endswith("%")
    try:
        number = float(text.rstrip("%").strip())
    except ValueError:
        raise ValueError(f"not a probability: {value!r} (use 0.3 or 30%)") from None
    if percent or number > 1:
        number /= 100
    if not 0 <= number <= 1:
        raise ValueError(f"probability out of range: {value!r} (0 to 1, or 0% to 100%)")
    return round(number, 4)


def _money(value: Any) -> tuple[Decimal, str | None]:
    if isinstance(value, bool | dict | list):
        raise ValueError(f"not an amount of money: {value!r}")
    amount, currency = validation.parse_money(value if isinstance(value, int | float | Decimal) else _text(value))
    if amount < 0:
        raise ValueError(f"must not be negative: {value!r}")
    return amount, currency


def _split(value: Any) -> list[str]:
    if isinstance(value, list):
        return [_text(item) for item in value if _text(item)]
    return [part.strip() for part in _LIST_SEPARATORS.split(_text(value)) if part.strip()]


def _channels(value: Any) -> list[str]:
    allowed = {c.value for c in Channel} | {"all"}
    channels = []
    for item in _split(value):
        key = header_key(item)
        if key not in allowed:
            raise ValueError(f"unknown channel {item!r} (one of: {', '.join(sorted(allowed))})")
        channels.append(key)
    return sorted(set(channels))


def _consent(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("status", "")
    key = header_key(_text(value))
    key = {
        "yes": "granted",
        "true": "granted",
        "1": "granted",
        "opt_in": "granted",
        "no": "denied",
        "false": "denied",
        "0": "denied",
        "opt_out": "denied",
    }.get(key, key)
    if key not in {s.value for s in ConsentStatus}:
        raise ValueError(f"unknown consent {value!r} (granted, denied or unknown)")
    return key


def _length_checked(convert: Callable[[Any], str], max_length: int | None) -> Callable[[Any], str]:
    if max_length is None:
        return convert

    def checked(value: Any) -> str:
        text = convert(value)
        if len(text) > max_length:
            raise ValueError(f"too long ({len(text)} characters; at most {max_length})")
        return text

    return checked


def converter(spec: FieldSpec, norm: Normalizers) -> Callable[[Any], Any]:
    """The function that turns one raw cell into the field's value (raises ValueError with a readable message)."""
    kind = spec.kind
    if kind == "text":
        return _length_checked(_text, spec.max_length)
    if kind == "email":
        return lambda value: norm.email(_text(value))
    if kind == "emails":
        return lambda value: [norm.email(item) for item in _split(value)]
    if kind == "phone":
        return lambda value: norm.phone(_text(value))
    if kind == "phones":
        return lambda value: [norm.phone(item) for item in _split(value)]
    if kind == "timezone":
        return lambda value: norm.timezone_name(_text(value))
    if kind == "language":
        return lambda value: norm.language(_text(value))
    if kind == "country":
        return lambda value: norm.country(_text(value))
    if kind == "currency":
        return lambda value: norm.currency(_text(value))
    if kind == "money":
        return _money
    if kind == "int":
        return _int(spec.minimum, spec.maximum)
    if kind == "probability":
        return _probability
    if kind == "date":
        return lambda value: norm.date(_text(value))
    if kind == "datetime":
        return lambda value: norm.datetime(_text(value))
    if kind == "choice":
        assert spec.choices is not None
        aliases = ACTIVITY_TYPE_ALIASES if spec.choices is ActivityType else None
        return _choice(spec.choices, aliases=aliases)
    if kind == "channels":
        return _channels
    if kind == "domain":
        return lambda value: norm.domain(_text(value))
    if kind == "website":
        return _length_checked(lambda value: normalize_website(_text(value)), spec.max_length or 500)
    raise AssertionError(f"unknown field kind {kind}")


@dataclass(frozen=True, slots=True)
class Extractor:
    """Turns the cells of one record into {field: value} and a list of (field, column, message) problems."""

    plain: tuple[tuple[Any, str, str, Callable[[Any], Any]], ...]  # (cell key, column, field, convert)
    prefixed: tuple[tuple[Any, str, str, str], ...]  # (cell key, column, prefix, key)
    objects: tuple[tuple[Any, str, str], ...]  # (cell key, column, field)
    csv: bool
    consent: Callable[[Any], str] = _consent

    def extract(self, cells: list[str] | dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
        values: dict[str, Any] = {}
        problems: list[tuple[str, str, str]] = []
        if self.csv:
            assert isinstance(cells, list)
            width = len(cells)
            for index, column, name, convert in self.plain:
                if index >= width:
                    continue
                cell = cells[index]
                if not cell or cell.isspace():
                    continue
                if cell[0] == "'" and cell[1:2] in ("=", "+", "-", "@"):
                    cell = cell[1:]
                try:
                    values[name] = convert(cell)
                except ValueError as exc:
                    problems.append((name, column, str(exc)))
            for index, column, prefix, key in self.prefixed:
                if index < width and cells[index].strip():
                    self._prefixed(values, problems, column, prefix, key, cells[index].strip())
            return values, problems
        assert isinstance(cells, dict)
        for key, column, name, convert in self.plain:
            raw = cells.get(key)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            try:
                values[name] = convert(raw)
            except ValueError as exc:
                problems.append((name, column, str(exc)))
        for cell_key, column, prefix, key in self.prefixed:
            raw = cells.get(cell_key)
            if raw is not None and raw != "":
                self._prefixed(values, problems, column, prefix, key, raw)
        for cell_key, column, name in self.objects:
            raw = cells.get(cell_key)
            if raw in (None, "", {}):
                continue
            if not isinstance(raw, dict):
                problems.append((name, column, "expected a JSON object"))
                continue
            prefix = {"consent": CONSENT_PREFIX, "properties": PROPERTIES_PREFIX}.get(name, CUSTOM_PREFIX)
            for key, item in raw.items():
                if item is not None and item != "":
                    self._prefixed(values, problems, column, prefix, str(key), item)
        return values, problems

    def _prefixed(
        self,
        values: dict[str, Any],
        problems: list[tuple[str, str, str]],
        column: str,
        prefix: str,
        key: str,
        raw: Any,
    ) -> None:
        if prefix == CONSENT_PREFIX:
            try:
                values.setdefault("consent", {})[key.strip().lower()] = self.consent(raw)
            except ValueError as exc:
                problems.append((f"consent.{key}", column, str(exc)))
            return
        target = "properties" if prefix == PROPERTIES_PREFIX else "custom_fields"
        values.setdefault(target, {})[key] = raw.strip() if isinstance(raw, str) else raw


def build_extractor(
    entity: ImportEntity, mapping: dict[str, str | None], norm: Normalizers, *, header: list[str] | None
) -> Extractor:
    """Compile the mapping for one file: CSV cells are addressed by position, JSON values by key."""
    specs = field_specs(entity)
    positions = {name: index for index, name in enumerate(header)} if header is not None else None
    plain: list[tuple[Any, str, str, Callable[[Any], Any]]] = []
    prefixed: list[tuple[Any, str, str, str]] = []
    objects: list[tuple[Any, str, str]] = []
    for column, target in mapping.items():
        if not target:
            continue
        key: Any = positions[column] if positions is not None else column
        if target in specs:
            plain.append((key, column, target, converter(specs[target], norm)))
        elif target in OBJECT_FIELDS[entity]:
            objects.append((key, column, target))
        else:
            prefix = next(p for p in PREFIXES[entity] if target.startswith(p))
            prefixed.append((key, column, prefix, target[len(prefix) :]))
    return Extractor(tuple(plain), tuple(prefixed), tuple(objects), csv=positions is not None)


def describe_fields(entity: ImportEntity) -> Iterable[tuple[str, str, tuple[str, ...]]]:
    """(field, kind, header synonyms) for the documentation and the dashboard's mapping form."""
    for spec in ENTITY_FIELDS[entity]:
        yield spec.name, spec.kind, spec.synonyms
