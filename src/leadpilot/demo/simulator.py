"""A seeded simulator of one B2B vendor's CRM: the demo tenant.

The output is a :class:`DemoDataset`: one list of row dicts per table, whose foreign keys are positions in the
referenced table's list (the loader swaps them for database ids). Nothing here touches a database, so the same
``seed``, ``as_of`` and ``contacts`` always give the same rows (see :meth:`DemoDataset.fingerprint`).

How the world is drawn (``docs/demo.md`` gives the parameters):

    companies ── firmographics (industry, size band, market, tech stack) → a latent *fit*
      └ contacts ── seniority, department, market → time zone, language, phone plan, name
          ├ leads (last 9 months) ── latent *intent* u ~ N(0, 1)
          │    P(convert) = sigmoid(base + fit + seniority + department + source + market + 1.1·u)
          │    engagement (opens, clicks, visits, pricing pages, replies) is driven by u as well, so it carries
          │    the signal a point-in-time scorer should find; stage times follow, censored at ``as_of``
          │    └ converted → deal (qualification → … → closed_won | closed_lost), amount from the price list
          ├ customers (won deals, plus accounts won before the CRM window) ── BG/NBD orders:
          │    λ ~ Gamma(r, alpha) orders per day with monthly and weekday seasonality, dropout p ~ Beta(a, b) after
          │    every repeat order, order value ~ Gamma(p, nu) with nu ~ Gamma(q, gamma) (Gamma-Gamma)
          └ subscribers ── newsletter only
      newsletter, opt-outs, conversations and notes are layered on top of every contact's timeline.

Web tracking and email logging start ``CRM_DAYS`` before ``as_of`` (when the vendor started using the CRM); the
order history goes back ``HISTORY_DAYS`` (imported from billing). Pre-form web visits of a lead are stamped before the
contact existed on purpose (``properties.identified_later``): tracking attributes them once the visitor fills a form.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from leadpilot.crm import search
from leadpilot.crm.activities.service import activity_search_text
from leadpilot.crm.companies.service import company_search_text
from leadpilot.crm.contacts.service import contact_search_text
from leadpilot.crm.deals.service import deal_search_text
from leadpilot.crm.leads.service import lead_search_text
from leadpilot.crm.models import Activity, Company, Contact, Deal, Lead
from leadpilot.crm.validation import normalize_phone
from leadpilot.demo import catalog, texts
from leadpilot.demo.catalog import City, Industry, LeadSource, Market, ProductSpec

DEFAULT_SEED = catalog.DEFAULT_SEED
DEFAULT_CONTACTS = catalog.DEFAULT_CONTACTS
HISTORY_DAYS = 730
CRM_DAYS = 270
DORMANT_DAYS = 180  # a customer without an order for this long is a former_customer

LEAD_STAGES = ("new", "contacted", "engaged", "qualified", "meeting_booked", "converted")
DEAL_STAGES = ("qualification", "needs_analysis", "proposal", "negotiation")
DEAL_PROBABILITY = {
    "qualification": 0.1,
    "needs_analysis": 0.25,
    "proposal": 0.5,
    "negotiation": 0.75,
    "closed_won": 1.0,
    "closed_lost": 0.0,
}

# latent propensity: base of the conversion logit and the weight of the unobserved intent
CONVERSION_BASE = -2.8
INTENT_WEIGHT = 1.1
# BG/NBD and Gamma-Gamma parameters (rates per day, values in USD before the company-size factor)
BGNBD_R, BGNBD_MEAN_RATE = 1.4, 1 / 28
DROPOUT_A, DROPOUT_B = 1.2, 8.0
SPEND_P, SPEND_Q, SPEND_GAMMA = 4.0, 3.5, 400.0

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
CENT = Decimal("0.01")
ZERO = Decimal("0")

TABLES = (
    "users",
    "products",
    "companies",
    "contacts",
    "contact_identities",
    "leads",
    "deals",
    "stage_changes",
    "activities",
    "notes",
    "conversations",
    "messages",
)

# Foreign keys of each table and the table they point into (``stage_changes.entity_id`` points into leads or
# deals depending on ``entity_type``).
REFERENCES: dict[str, dict[str, str]] = {
    "companies": {"owner_id": "users"},
    "contacts": {"company_id": "companies", "owner_id": "users"},
    "contact_identities": {"contact_id": "contacts"},
    "leads": {"contact_id": "contacts", "company_id": "companies", "owner_id": "users"},
    "deals": {"contact_id": "contacts", "company_id": "companies", "lead_id": "leads", "owner_id": "users"},
    "stage_changes": {"changed_by_id": "users"},
    "activities": {
        "contact_id": "contacts",
        "company_id": "companies",
        "lead_id": "leads",
        "deal_id": "deals",
        "product_id": "products",
        "user_id": "users",
    },
    "notes": {
        "author_id": "users",
        "contact_id": "contacts",
        "company_id": "companies",
        "lead_id": "leads",
        "deal_id": "deals",
    },
    "conversations": {"contact_id": "contacts", "lead_id": "leads", "assignee_id": "users"},
    "messages": {"conversation_id": "conversations", "contact_id": "contacts", "sender_user_id": "users"},
}

USER_INDEX = {spec.key: i for i, spec in enumerate(catalog.USERS)}
PRODUCT_INDEX = {spec.sku: i for i, spec in enumerate(catalog.PRODUCTS)}
PRODUCT_BY_SKU = {spec.sku: spec for spec in catalog.PRODUCTS}
PLAN_NAMES = {"starter": "Starter", "growth": "Growth", "scale": "Scale", "enterprise": "Enterprise"}
EMAIL_TYPES = ("email_sent", "email_opened", "email_clicked")


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _ascii(text: str) -> str:
    text = text.replace("ß", "ss").replace("ø", "o").replace("æ", "ae")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", folded.lower())


def _money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _usd(amount: Decimal) -> str:
    return f"${amount:,.0f}" if amount == amount.to_integral_value() else f"${amount:,.2f}"


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


# --- the dataset -----------------------------------------------------------------------------------------------------


@dataclass
class DemoDataset:
    seed: int
    as_of: datetime
    contacts: int
    org: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]]

    def counts(self) -> dict[str, int]:
        return {name: len(self.tables[name]) for name in TABLES}

    def fingerprint(self) -> str:
        """SHA-256 over every row in table order: equal fingerprints mean identical data."""
        digest = hashlib.sha256()
        digest.update(json.dumps(self.org, sort_keys=True, default=str).encode())
        for name in TABLES:
            digest.update(name.encode())
            digest.update(json.dumps(self.tables[name], sort_keys=True, default=str).encode())
        return digest.hexdigest()

    def stats(self) -> dict[str, Any]:
        """Figures worth printing after a load: funnel, pipeline and customer base."""
        leads = self.tables["leads"]
        deals = self.tables["deals"]
        contacts = self.tables["contacts"]
        purchases = [a for a in self.tables["activities"] if a["type"] == "purchase"]
        lead_stages = {stage: 0 for stage in (*LEAD_STAGES, "disqualified")}
        for lead in leads:
            lead_stages[lead["stage"]] += 1
        deal_stages = {stage: 0 for stage in (*DEAL_STAGES, "closed_won", "closed_lost")}
        for deal in deals:
            deal_stages[deal["stage"]] += 1
        lifecycle: dict[str, int] = {}
        for contact in contacts:
            lifecycle[contact["lifecycle_stage"]] = lifecycle.get(contact["lifecycle_stage"], 0) + 1
        orders = {a["properties"]["order_id"] for a in purchases}
        return {
            "lead_stages": lead_stages,
            "deal_stages": deal_stages,
            "lifecycle": dict(sorted(lifecycle.items())),
            "orders": len(orders),
            "revenue": sum((a["amount"] for a in purchases), ZERO),
            "pipeline_open": sum((d["amount"] for d in deals if d["status"] == "open"), ZERO),
        }


# --- world state ---------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Company:
    name: str
    domain: str
    market: Market
    city: City
    industry: Industry
    band: int
    employees: int
    tech: list[str]
    fit: float
    owner: int | None = None
    created_at: datetime | None = None
    index: int = -1
    people: list[_Person] = field(default_factory=list)

    @property
    def short_name(self) -> str:
        for suffix in self.market.legal_suffixes:
            if self.name.endswith(" " + suffix):
                return self.name[: -len(suffix) - 1]
        return self.name

    @property
    def spend_factor(self) -> float:
        return catalog.SIZE_BANDS[self.band][5]


@dataclass(eq=False)
class _Quote:
    tier: str
    lines: list[tuple[ProductSpec, int]]
    discount: float
    users: int

    def line_amounts(self) -> list[Decimal]:
        return [_money(float(spec.unit_price) * qty * (1 - self.discount)) for spec, qty in self.lines]

    @property
    def total(self) -> Decimal:
        return sum(self.line_amounts(), ZERO)

    @property
    def plan_name(self) -> str:
        return f"Insight {PLAN_NAMES[self.tier]}"


@dataclass(eq=False)
class _Deal:
    person: _Person
    lead: _Lead | None
    quote: _Quote
    created: datetime
    stages: list[tuple[str, datetime]]
    expected_close: date
    owner: int
    lost_reason: str | None = None
    index: int = -1

    @property
    def stage(self) -> str:
        return self.stages[-1][0]

    @property
    def closed_at(self) -> datetime | None:
        return self.stages[-1][1] if self.stage in ("closed_won", "closed_lost") else None


@dataclass(eq=False)
class _Lead:
    person: _Person
    source: LeadSource
    detail: str
    page: str | None
    intent: float
    created: datetime
    stages: list[tuple[str, datetime]]  # what happened by as_of, in order; "disqualified" may close it
    planned: dict[str, datetime]  # every planned stage time, also those after as_of
    engaged_via: str
    reached: str  # furthest stage on the way to conversion that the plan reaches
    converts: bool
    lost_reason: str | None
    quote: _Quote
    meeting_status: str | None = None  # held | no_show
    deal: _Deal | None = None
    index: int = -1
    bant: dict[str, Any] = field(default_factory=dict)

    @property
    def stage(self) -> str:
        return self.stages[-1][0]

    @property
    def stage_at(self) -> datetime:
        return self.stages[-1][1]

    def time_of(self, stage: str) -> datetime | None:
        for name, at in self.stages:
            if name == stage:
                return at
        return None

    @property
    def end(self) -> datetime | None:
        return self.stage_at if self.stage in ("converted", "disqualified") else None


@dataclass(eq=False)
class _Customer:
    acquired: datetime
    rate: float  # orders per day while alive
    dropout: float
    spend_scale: float  # 1/nu of the Gamma-Gamma model, times the company-size factor
    orders: list[datetime] = field(default_factory=list)
    death: datetime | None = None  # the order after which the customer stopped buying (latent)

    @property
    def last_order(self) -> datetime:
        return self.orders[-1] if self.orders else self.acquired


@dataclass(eq=False)
class _Person:
    company: _Company
    market: Market
    city: City
    zone: ZoneInfo
    language: str
    first: str
    last: str
    email: str
    emails: list[str]
    phones: list[str]
    mobile: bool
    seniority: str
    department: str
    title: str
    role: str  # lead | customer | subscriber
    responsiveness: float
    pref_hour: float
    created_at: datetime = field(default_factory=lambda: datetime.min.replace(tzinfo=UTC))
    source: str = "website"
    owner: int | None = None
    email_consent: tuple[str, str] = ("unknown", "legitimate_interest")
    sms_ok: bool = False
    whatsapp_ok: bool = False
    voice_ok: bool = False
    lead: _Lead | None = None
    customer: _Customer | None = None
    deal: _Deal | None = None  # a deal without a lead (accounts won before the CRM window)
    acts: list[dict[str, Any]] = field(default_factory=list)
    optout: dict[str, datetime] = field(default_factory=dict)
    index: int = -1


# --- the simulator -------------------------------------------------------------------------------------------------


class DemoSimulator:
    def __init__(self, *, seed: int = DEFAULT_SEED, as_of: datetime, contacts: int = DEFAULT_CONTACTS) -> None:
        if as_of.tzinfo is None:
            raise ValueError("as_of must be timezone-aware")
        if contacts < 50:
            raise ValueError("the demo tenant needs at least 50 contacts")
        self.seed = seed
        self.as_of = as_of.astimezone(UTC).replace(microsecond=0)
        self.n_contacts = contacts
        self.crm_start = self.as_of - CRM_DAYS * DAY
        self.history_start = self.as_of - HISTORY_DAYS * DAY
        self.companies: list[_Company] = []
        self.people: list[_Person] = []
        self.leads: list[_Lead] = []
        self.deals: list[_Deal] = []
        self.notes: list[dict[str, Any]] = []
        self.conversations: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
        self._phones_taken: set[str] = set()
        self._emails_taken: set[str] = set()
        self._order_seq = 0
        self._session_seq = 0
        self._zones: dict[str, ZoneInfo] = {}
        self._newsletters = self._newsletter_schedule()
        month_mean = sum(catalog.MONTH_SEASONALITY) / 12
        weekday_mean = sum(catalog.WEEKDAY_SEASONALITY) / 7
        self._season_norm = month_mean * weekday_mean
        self._season_max = max(catalog.MONTH_SEASONALITY) * max(catalog.WEEKDAY_SEASONALITY) / self._season_norm

    def rng(self, *parts: object) -> random.Random:
        # One stream per purpose keeps each part of the world stable when another part changes.
        return random.Random(":".join(str(p) for p in ("northwind", self.seed, *parts)))

    def zone(self, name: str) -> ZoneInfo:
        if name not in self._zones:
            self._zones[name] = ZoneInfo(name)
        return self._zones[name]

    # --- time helpers -------------------------------------------------------------------------------------------

    def local_at(self, zone: ZoneInfo, day: date, hour: float, rng: random.Random) -> datetime:
        h = min(23, int(hour))
        m = min(59, int((hour - int(hour)) * 60))
        return datetime(day.year, day.month, day.day, h, m, rng.randrange(60), tzinfo=zone).astimezone(UTC)

    def person_time(self, p: _Person, t: datetime, rng: random.Random, *, spread: float = 1.6) -> datetime:
        """The first moment at or after ``t`` that falls in the person's habitual hours (their own time zone)."""
        hour = min(23.5, max(6.0, rng.gauss(p.pref_hour, spread)))
        at = self.local_at(p.zone, t.astimezone(p.zone).date(), hour, rng)
        return at if at >= t else at + DAY

    def work_time(self, p: _Person, t: datetime, rng: random.Random, lo: float = 8.5, hi: float = 17.5) -> datetime:
        """The first working-hours moment at or after ``t`` in the contact's time zone (reps work their hours)."""
        local = t.astimezone(p.zone)
        if local.weekday() < 5 and lo <= local.hour + local.minute / 60 < hi:
            return t
        day = local.date()
        at = t
        for _ in range(8):
            if day.weekday() < 5:
                at = self.local_at(p.zone, day, rng.uniform(lo, min(hi, lo + 3)), rng)
                if at >= t:
                    return at
            day += DAY
        return at

    def season(self, t: datetime) -> float:
        return catalog.MONTH_SEASONALITY[t.month - 1] * catalog.WEEKDAY_SEASONALITY[t.weekday()] / self._season_norm

    def _newsletter_schedule(self) -> list[tuple[datetime, str]]:
        sends: list[tuple[datetime, str]] = []
        cursor = date(self.crm_start.year, self.crm_start.month, 1)
        while True:
            first_tuesday = cursor + timedelta(days=(1 - cursor.weekday()) % 7)
            at = datetime(first_tuesday.year, first_tuesday.month, first_tuesday.day, 14, 0, tzinfo=UTC)
            if at > self.as_of:
                break
            if at >= self.crm_start:
                topic = catalog.NEWSLETTER_TOPICS[(cursor.year * 12 + cursor.month) % len(catalog.NEWSLETTER_TOPICS)]
                sends.append((at, f"Northwind Monthly: {topic}"))
            cursor = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
        return sends

    # --- entry point ------------------------------------------------------------------------------------------------

    def run(self) -> DemoDataset:
        self._make_companies()
        self._make_people()
        for i, p in enumerate(self.people):
            rng = self.rng("timeline", i)
            if p.role == "lead":
                self._plan_lead(p, rng)
            elif p.role == "customer":
                self._plan_legacy_customer(p, rng)
            else:
                self._plan_subscriber(p, rng)
        for i, p in enumerate(self.people):
            rng = self.rng("activity", i)
            if p.lead is not None:
                self._lead_activities(p, p.lead, rng)
            if p.customer is not None:
                self._customer_activities(p, p.customer, rng)
            if p.role == "subscriber":
                self._visits(p, rng, max(p.created_at, self.crm_start), self.as_of, 0.015, intent=-0.5)
            self._newsletter(p, rng)
            self._opt_outs(p, rng)
        return self._emit()

    # --- companies and people --------------------------------------------------------------------------------------

    def _make_companies(self) -> None:
        rng = self.rng("companies")
        count = max(10, self.n_contacts // 5)
        names_taken: set[str] = set()
        market_weights = [m.weight for m in catalog.MARKETS]
        industry_weights = [i.weight for i in catalog.INDUSTRIES]
        band_weights = [b[3] for b in catalog.SIZE_BANDS]
        while len(self.companies) < count:
            market = rng.choices(catalog.MARKETS, market_weights)[0]
            industry = rng.choices(catalog.INDUSTRIES, industry_weights)[0]
            if rng.random() < 0.75:
                base = rng.choice(catalog.BRAND_WORDS) + rng.choice(catalog.BRAND_WORDS).lower()
                base = f"{base} {rng.choice(industry.nouns)}" if rng.random() < 0.6 else base
            else:
                family = rng.choice(catalog.LAST_NAMES[market.names])
                base = f"{family} {rng.choice(industry.nouns)}"
            slug = re.sub(r"[^a-z0-9]+", "-", _ascii_words(base)).strip("-")
            if slug in names_taken or len(slug) < 4:
                continue
            names_taken.add(slug)
            band = rng.choices(range(len(catalog.SIZE_BANDS)), band_weights)[0]
            _, low, high, _, band_fit, _ = catalog.SIZE_BANDS[band]
            employees = round(math.exp(rng.uniform(math.log(low), math.log(high))))
            tech = sorted(rng.sample(catalog.TECH_STACK, rng.randint(2, 5)))
            native = sum(1 for t in tech if t in catalog.NATIVE_INTEGRATIONS)
            fit = industry.fit + band_fit + market.fit + 0.15 * min(native, 3)
            self.companies.append(
                _Company(
                    name=f"{base} {rng.choice(market.legal_suffixes)}",
                    domain=f"{slug}.example",
                    market=market,
                    city=rng.choice(market.cities),
                    industry=industry,
                    band=band,
                    employees=employees,
                    tech=tech,
                    fit=fit,
                )
            )

    def _make_people(self) -> None:
        rng = self.rng("people")
        n = self.n_contacts
        n_customers = round(n * 0.11)
        n_subscribers = round(n * 0.14)
        roles = ["customer"] * n_customers + ["subscriber"] * n_subscribers
        roles += ["lead"] * (n - len(roles))
        rng.shuffle(roles)
        # Every company gets one person first; the rest go to bigger companies more often. Accounts won before the
        # CRM window are drawn towards good-fit companies, as the lead model would have produced them.
        size_weights = [math.sqrt(c.employees) ** 0.5 for c in self.companies]
        fit_weights = [w * math.exp(0.8 * c.fit) for w, c in zip(size_weights, self.companies, strict=True)]
        for i, role in enumerate(roles):
            if i < len(self.companies):
                company = self.companies[i]
            else:
                company = rng.choices(self.companies, fit_weights if role == "customer" else size_weights)[0]
            self.people.append(self._make_person(company, role, rng))

    def _make_person(self, company: _Company, role: str, rng: random.Random) -> _Person:
        market = (
            company.market
            if rng.random() < 0.9
            else rng.choices(catalog.MARKETS, [m.weight for m in catalog.MARKETS])[0]
        )
        city = company.city if market is company.market and rng.random() < 0.7 else rng.choice(market.cities)
        languages, weights = zip(*market.languages, strict=True)
        language = rng.choices(languages, weights)[0]
        if market.code == "CA":
            language = "fr" if city.name == "Montréal" else "en"
        first = rng.choice(catalog.FIRST_NAMES[market.names])
        last = rng.choice(catalog.LAST_NAMES[market.names])
        seniority = rng.choices([s[0] for s in catalog.SENIORITIES], [s[1] for s in catalog.SENIORITIES])[0]
        if company.employees <= 10 and rng.random() < 0.5:
            seniority = "c_level"
        dept = rng.choices(catalog.DEPARTMENTS, [d[1] for d in catalog.DEPARTMENTS])[0]
        title = rng.choice(dept[3][seniority])
        email = self._email(first, last, company.domain, rng)
        emails = [email]
        if rng.random() < 0.08:
            alias = self._email(first, last, company.domain, rng, pattern=3)
            if alias != email:
                emails.append(alias)
        phones: list[str] = []
        mobile = False
        if rng.random() < 0.72:
            mobile = bool(market.mobiles) and rng.random() < 0.5
            phones.append(self._phone(market, city, rng, mobile=mobile))
            if rng.random() < 0.12:
                phones.append(self._phone(market, city, rng, mobile=not mobile and bool(market.mobiles)))
        return _Person(
            company=company,
            market=market,
            city=city,
            zone=self.zone(city.timezone),
            language=language,
            first=first,
            last=last,
            email=email,
            emails=emails,
            phones=phones,
            mobile=mobile or market.code in ("US", "CA"),
            seniority=seniority,
            department=dept[0],
            title=title,
            role=role,
            responsiveness=rng.gauss(0, 1),
            pref_hour=rng.choice((8.5, 9.5, 10.5, 12.5, 14.0, 15.5, 17.0, 20.5)) + rng.uniform(-0.5, 0.5),
        )

    def _email(self, first: str, last: str, domain: str, rng: random.Random, *, pattern: int | None = None) -> str:
        f, lname = _ascii(first), _ascii(last)
        pattern = rng.choice((0, 0, 0, 1, 1, 2)) if pattern is None else pattern
        local = (f"{f}.{lname}", f"{f[0]}{lname}", f, f"{f}{lname[:1]}")[pattern]
        candidate, n = f"{local}@{domain}", 1
        while candidate in self._emails_taken:
            n += 1
            candidate = f"{local}{n}@{domain}"
        self._emails_taken.add(candidate)
        return candidate

    def _phone(self, market: Market, city: City, rng: random.Random, *, mobile: bool) -> str:
        templates = market.mobiles if mobile and market.mobiles else city.phones
        for attempt in range(200):
            if attempt == 100:  # this city's range is crowded: any number of the country
                templates = tuple(t for c in market.cities for t in c.phones) + market.mobiles
            raw = "".join(str(rng.randrange(10)) if ch == "x" else ch for ch in rng.choice(templates))
            try:
                number = normalize_phone(raw, default_region=market.code)
            except ValueError:
                continue
            if number not in self._phones_taken:
                self._phones_taken.add(number)
                return number
        raise RuntimeError(f"no free phone number left for {market.code}")

    def _owner_for(self, company: _Company) -> int:
        if company.employees > 1000:
            return USER_INDEX["manager"]
        return USER_INDEX[f"agent_{company.market.region}"]

    def _consent(self, p: _Person, rng: random.Random, *, opted_in: bool, phone_form: bool) -> None:
        p.email_consent = ("granted", "web_form") if opted_in else ("unknown", "legitimate_interest")
        p.sms_ok = bool(p.phones) and p.mobile and phone_form and rng.random() < 0.4
        p.whatsapp_ok = bool(p.phones) and p.mobile and rng.random() < p.market.whatsapp_share * 0.6
        p.voice_ok = bool(p.phones) and phone_form

    # --- price list and quotes ---------------------------------------------------------------------------------

    def _quote(self, company: _Company, rng: random.Random) -> _Quote:
        e = company.employees
        tier = "starter" if e <= 15 else "growth" if e <= 150 else "scale" if e <= 1000 else "enterprise"
        users = max(2, int(e * rng.uniform(0.04, 0.14)))
        plan_sku = {
            "starter": "NW-STARTER-A",
            "growth": "NW-GROWTH-A",
            "scale": "NW-SCALE-A",
            "enterprise": "NW-ENT-A",
        }[tier]
        lines: list[tuple[ProductSpec, int]] = [(PRODUCT_BY_SKU[plan_sku], 1)]
        extra = users - catalog.PLAN_INCLUDED_SEATS[tier]
        if extra > 0 and tier != "starter":
            lines.append((PRODUCT_BY_SKU["NW-SEATS5-A"], min(40, math.ceil(extra / 5))))
        addon_odds = {"starter": 0.1, "growth": 0.35, "scale": 0.55, "enterprise": 0.5}[tier]
        for sku in ("NW-CONNECT-A", "NW-AI-A", "NW-SSO-A", "NW-SUPPORT-A"):
            if sku == "NW-SSO-A" and tier in ("starter", "enterprise"):
                continue
            if rng.random() < addon_odds * (0.6 if sku == "NW-SUPPORT-A" else 1.0):
                lines.append((PRODUCT_BY_SKU[sku], 1))
        if tier == "growth" and rng.random() < 0.6:
            lines.append((PRODUCT_BY_SKU["NW-SVC-ONB-ESS"], 1))
        if tier in ("scale", "enterprise"):
            lines.append((PRODUCT_BY_SKU["NW-SVC-ONB-PREM"], 1))
            if rng.random() < 0.35:
                lines.append((PRODUCT_BY_SKU["NW-SVC-MIGRATE"], 1))
        if tier != "starter" and rng.random() < 0.2:
            lines.append((PRODUCT_BY_SKU["NW-SVC-TRAIN"], 1))
        discount = 0.0 if tier == "starter" else rng.choice((0.0, 0.0, 0.05, 0.1, 0.1, 0.15, 0.2))
        return _Quote(tier=tier, lines=lines, discount=discount, users=users)

    # --- leads --------------------------------------------------------------------------------------------------

    def _lead_created_at(self, rng: random.Random) -> datetime:
        # Volume grows by half over the window; weekends bring a third of a weekday's leads.
        span = (self.as_of - self.crm_start).total_seconds() - 2 * 3600
        while True:
            x = rng.random()
            at = self.crm_start + timedelta(seconds=x * span)
            weight = (1 + 0.5 * x) / 1.5 * (0.35 if at.weekday() >= 5 else 1.0)
            if rng.random() < weight:
                return at

    def _plan_lead(self, p: _Person, rng: random.Random) -> None:
        company = p.company
        source = rng.choices(catalog.LEAD_SOURCES, [s.weight for s in catalog.LEAD_SOURCES])[0]
        detail, page = rng.choice(source.details)
        drawn = self._lead_created_at(rng)
        # inbound leads arrive when the person browses; outbound ones when the rep works
        created = self.person_time(p, drawn, rng, spread=3.0) if source.inbound else self.work_time(p, drawn, rng)
        created = min(created, self.as_of - HOUR)
        u = rng.gauss(0, 1)
        seniority_effect = dict((s[0], s[2]) for s in catalog.SENIORITIES)[p.seniority]
        dept_effect = next(d[2] for d in catalog.DEPARTMENTS if d[0] == p.department)
        z = CONVERSION_BASE + company.fit + seniority_effect + dept_effect + source.effect + INTENT_WEIGHT * u
        quote = self._quote(company, rng)
        p.source = source.key
        p.owner = self._owner_for(company)
        company.owner = company.owner if company.owner is not None else p.owner
        if rng.random() < 0.15 and created - self.history_start > 60 * DAY:
            # a newsletter subscriber who later asked for more
            p.created_at = created - rng.uniform(20, min(400, (created - self.history_start).days - 1)) * DAY
            p.source = "newsletter"
            self._consent(p, rng, opted_in=True, phone_form=source.key in ("demo_request", "contact_sales"))
        else:
            p.created_at = created
            self._consent(
                p,
                rng,
                opted_in=source.inbound and source.key != "referral",
                phone_form=source.key in ("demo_request", "contact_sales", "free_trial"),
            )

        spam = source.inbound and rng.random() < 0.03
        # Sales never works part of the content and webinar leads: they stay in "new" and get the newsletter.
        unworked = not spam and source.key in ("content", "webinar") and rng.random() < 0.3
        converts = not spam and not unworked and rng.random() < sigmoid(z)
        reached = "new" if spam or unworked else "converted" if converts else "contacted"
        if reached == "contacted":
            for stage, shift in (("engaged", 0.9), ("qualified", 0.0), ("meeting_booked", -0.3)):
                if rng.random() >= sigmoid(z + shift):
                    break
                reached = stage
        speed = math.exp(-0.3 * u) * (1.5 if company.employees > 1000 else 1.0)
        planned: dict[str, datetime] = {"new": created}
        if reached != "new":
            if source.inbound:
                planned["contacted"] = self.work_time(p, created + rng.expovariate(1 / 0.3) * DAY, rng)
            else:
                planned["contacted"] = created + timedelta(minutes=rng.randint(1, 30))
            planned["engaged"] = self.person_time(
                p, planned["contacted"] + (0.3 + rng.expovariate(1 / (4.5 * speed))) * DAY, rng
            )
            planned["qualified"] = self.work_time(
                p, planned["engaged"] + (1 + rng.expovariate(1 / (6 * speed))) * DAY, rng
            )
            planned["meeting_booked"] = self.work_time(
                p, planned["qualified"] + (0.3 + rng.expovariate(1 / (3.5 * speed))) * DAY, rng
            )
            planned["meeting"] = self.work_time(p, planned["meeting_booked"] + rng.uniform(2, 9) * DAY, rng, 9, 16)
            planned["converted"] = self.work_time(p, planned["meeting"] + rng.uniform(0.1, 3) * DAY, rng)
        meeting_status = None
        if reached in ("meeting_booked", "converted"):
            meeting_status = "held" if converts or rng.random() < 0.7 else "no_show"
        engaged_via = rng.choices(("email", "call", "chat"), (0.68, 0.14, 0.18))[0]
        if not source.inbound and engaged_via == "chat":
            engaged_via = "email"
        lost_reason = None
        disqualified_at = None
        if spam:
            lost_reason = catalog.DISQUALIFY_REASONS["new"][0 if rng.random() < 0.7 else 1]
            disqualified_at = self.work_time(p, created + rng.uniform(0.05, 1.5) * DAY, rng)
        elif unworked:
            if rng.random() < 0.5:
                lost_reason = "Not sales-ready: content engagement only"
                disqualified_at = self.work_time(p, created + rng.uniform(20, 60) * DAY, rng)
        elif not converts and rng.random() < 0.78:
            lost_reason = rng.choice(catalog.DISQUALIFY_REASONS[reached])
            last = planned["meeting"] if reached == "meeting_booked" else planned[reached]
            wait = 20 + rng.expovariate(1 / 8) if reached == "contacted" else 2 + rng.expovariate(1 / 12)
            disqualified_at = self.work_time(p, last + wait * DAY, rng)

        order = LEAD_STAGES[: LEAD_STAGES.index(reached) + 1]
        stages: list[tuple[str, datetime]] = []
        for stage in order:
            if planned[stage] > self.as_of:
                break
            stages.append((stage, planned[stage]))
        if disqualified_at is not None and disqualified_at <= self.as_of:
            stages.append(("disqualified", disqualified_at))
        lead = _Lead(
            person=p,
            source=source,
            detail=detail,
            page=page,
            intent=u,
            created=created,
            stages=stages,
            planned=planned,
            engaged_via=engaged_via,
            reached=reached,
            converts=converts,
            lost_reason=lost_reason if stages[-1][0] == "disqualified" else None,
            quote=quote,
            meeting_status=meeting_status,
        )
        p.lead = lead
        self.leads.append(lead)
        qualified_at = lead.time_of("qualified")
        if qualified_at is not None:
            lead.bant = self._bant(p, lead, qualified_at, rng)
        if lead.stage == "converted":
            lead.deal = self._plan_deal(p, lead, lead.stage_at, quote, u, rng)
            if lead.deal.stage == "closed_won":
                closed = lead.deal.closed_at
                assert closed is not None
                p.customer = self._customer(p, closed, rng)

    def _bant(self, p: _Person, lead: _Lead, at: datetime, rng: random.Random) -> dict[str, Any]:
        budget = max(1000, int(float(lead.quote.total) * rng.uniform(0.7, 1.3) / 500) * 500)
        if p.seniority in ("c_level", "vp"):
            authority = f"{p.title}: signs off on tools up to this budget"
        elif p.seniority in ("director", "manager"):
            authority = f"{p.title}; final approval by the {rng.choice(('CFO', 'COO', 'CEO', 'VP of Finance'))}"
        else:
            authority = f"{p.title} (influencer); their manager approves the purchase"
        need = rng.choice(p.company.industry.needs)
        current = rng.choice(catalog.COMPETITORS)
        timeline = (at + rng.uniform(30, 120) * DAY).date()
        at_iso = at.isoformat()
        return {
            "budget_amount": Decimal(budget).quantize(CENT),
            "authority": authority,
            "need": f"{need}. Today they report with {current}.",
            "timeline": timeline,
            "evidence": {
                "budget": {
                    "source": "discovery_call",
                    "at": at_iso,
                    "quote": f"We set aside about ${budget:,} for this.",
                },
                "authority": {"source": "discovery_call", "at": at_iso, "quote": authority},
                "need": {"source": "discovery_call", "at": at_iso, "quote": need},
                "timeline": {
                    "source": "discovery_call",
                    "at": at_iso,
                    "quote": f"We want it live by {timeline:%B %Y}.",
                },
            },
        }

    def _plan_deal(
        self,
        p: _Person,
        lead: _Lead | None,
        created: datetime,
        quote: _Quote,
        intent: float,
        rng: random.Random,
        *,
        force_win: bool = False,
    ) -> _Deal:
        slow = 1.6 if quote.tier == "enterprise" else 1.2 if quote.tier == "scale" else 1.0
        won = force_win or rng.random() < sigmoid(-0.3 + 0.5 * p.company.fit + 0.5 * intent + rng.gauss(0, 0.5))
        stop = len(DEAL_STAGES) if won else rng.choices(range(1, len(DEAL_STAGES) + 1), (0.25, 0.3, 0.3, 0.15))[0]
        means = (5.0, 8.0, 6.0, 5.0)
        stages: list[tuple[str, datetime]] = [("qualification", created)]
        t = created
        for i in range(1, stop):
            t = self.work_time(p, t + (1 + rng.expovariate(1 / (means[i - 1] * slow))) * DAY, rng)
            stages.append((DEAL_STAGES[i], t))
        t = self.work_time(p, t + (2 + rng.expovariate(1 / (means[stop - 1] * slow))) * DAY, rng)
        stages.append(("closed_won" if won else "closed_lost", t))
        if not force_win:
            stages = [(s, at) for s, at in stages if at <= self.as_of]
        expected = (created + sum(means) * slow * rng.uniform(0.8, 1.4) * DAY).date()
        deal = _Deal(
            person=p,
            lead=lead,
            quote=quote,
            created=created,
            stages=stages,
            expected_close=expected,
            owner=p.owner if p.owner is not None else USER_INDEX["manager"],
            lost_reason=rng.choice(catalog.DEAL_LOST_REASONS) if stages[-1][0] == "closed_lost" else None,
        )
        self.deals.append(deal)
        return deal

    # --- customers (BG/NBD) -------------------------------------------------------------------------------------

    def _customer(self, p: _Person, acquired: datetime, rng: random.Random) -> _Customer:
        rate = rng.gammavariate(BGNBD_R, BGNBD_MEAN_RATE / BGNBD_R)
        dropout = rng.betavariate(DROPOUT_A, DROPOUT_B)
        nu = rng.gammavariate(SPEND_Q, 1 / SPEND_GAMMA)
        customer = _Customer(acquired=acquired, rate=rate, dropout=dropout, spend_scale=p.company.spend_factor / nu)
        t = acquired
        while True:
            t += timedelta(days=rng.expovariate(rate * self._season_max))
            if t > self.as_of:
                break
            if rng.random() * self._season_max > self.season(t):
                continue  # thinning: the rate follows the monthly and weekday seasonality
            order_at = self.local_at(p.zone, t.astimezone(p.zone).date(), rng.uniform(8, 18), rng)
            if order_at <= customer.last_order or order_at > self.as_of:
                continue
            customer.orders.append(order_at)
            if rng.random() < dropout:
                customer.death = order_at
                break
        return customer

    def _plan_legacy_customer(self, p: _Person, rng: random.Random) -> None:
        """An account won before the CRM window: a closed-won deal and orders, no lead."""
        company = p.company
        span = (self.crm_start - self.history_start - 8 * DAY).total_seconds()
        while True:  # acquisitions grow over time
            x = rng.random()
            if rng.random() < 0.6 + 0.4 * x:
                break
        target = self.history_start + 4 * DAY + timedelta(seconds=x * span)
        p.source = rng.choices(catalog.LEAD_SOURCES, [s.weight for s in catalog.LEAD_SOURCES])[0].key
        p.owner = self._owner_for(company)
        company.owner = company.owner if company.owner is not None else p.owner
        self._consent(p, rng, opted_in=True, phone_form=rng.random() < 0.5)
        quote = self._quote(company, rng)
        deal_created = self.work_time(p, target - rng.uniform(20, 70) * DAY, rng)
        deal = self._plan_deal(p, None, deal_created, quote, rng.gauss(0.5, 1), rng, force_win=True)
        closed = deal.closed_at
        assert closed is not None
        # Move the whole deal by whole weeks so that it closes near the drawn date (weekdays stay weekdays).
        shift = round((target - closed) / (7 * DAY)) * 7 * DAY
        deal.created += shift
        deal.stages = [(stage, at + shift) for stage, at in deal.stages]
        deal.expected_close += shift
        p.deal = deal
        p.created_at = deal.created - rng.uniform(1, 45) * DAY
        p.customer = self._customer(p, closed + shift, rng)

    def _plan_subscriber(self, p: _Person, rng: random.Random) -> None:
        p.created_at = self.history_start + rng.uniform(0, HISTORY_DAYS - 3) * DAY
        p.source = rng.choice(("newsletter", "newsletter", "content", "webinar"))
        self._consent(p, rng, opted_in=True, phone_form=False)

    # --- activities -----------------------------------------------------------------------------------------------

    def _act(self, p: _Person, kind: str, at: datetime, **fields: Any) -> dict[str, Any] | None:
        if at > self.as_of:
            return None
        row = {
            "contact_id": p,
            "company_id": p.company,
            "lead_id": None,
            "deal_id": None,
            "product_id": None,
            "user_id": None,
            "type": kind,
            "occurred_at": at,
            "channel": None,
            "subject": None,
            "url": None,
            "duration_seconds": None,
            "amount": None,
            "currency": None,
            "quantity": None,
            "properties": {},
            "source": None,
            "external_id": None,
        }
        row.update(fields)
        p.acts.append(row)
        return row

    def _page_weights(self, intent: float) -> tuple[list[str], list[float]]:
        pages = [path for path, _, _ in catalog.SITE_PAGES]
        weights = []
        for _, weight, kind in catalog.SITE_PAGES:
            if kind == "careers":
                weight *= math.exp(-0.6 * intent)
            elif kind in ("product", "proof"):
                weight *= math.exp(0.3 * intent)
            weights.append(weight)
        pages += list(catalog.PRICING_PAGES) + list(catalog.DEMO_PAGES)
        weights += [0.05 * math.exp(0.9 * intent)] * len(catalog.PRICING_PAGES)
        weights += [0.03 * math.exp(0.9 * intent)] * len(catalog.DEMO_PAGES)
        return pages, weights

    def _visits(
        self,
        p: _Person,
        rng: random.Random,
        start: datetime,
        end: datetime,
        rate: float,
        *,
        intent: float,
        lead: _Lead | None = None,
        deal: _Deal | None = None,
        app: bool = False,
    ) -> None:
        """Browsing sessions as a Poisson process (``rate`` sessions per day), 1 to 4 page views each."""
        if rate <= 0 or end <= start:
            return
        pages, weights = (
            (list(catalog.APP_PAGES), [1.0] * len(catalog.APP_PAGES)) if app else self._page_weights(intent)
        )
        t = start
        while True:
            t += timedelta(days=rng.expovariate(rate))
            if t >= end:
                return
            at = self.person_time(p, t, rng, spread=2.5)
            if at >= end:
                continue
            self._session(
                p,
                rng,
                at,
                rng.choices(pages, weights, k=1 + _poisson(rng, 0.4 + 0.3 * max(0.0, intent))),
                lead=lead,
                deal=deal,
                app=app,
            )

    def _session(
        self,
        p: _Person,
        rng: random.Random,
        at: datetime,
        paths: list[str],
        *,
        lead: _Lead | None,
        deal: _Deal | None = None,
        app: bool = False,
        referrer: str | None = None,
    ) -> None:
        self._session_seq += 1
        session = f"ws{self._session_seq:06d}"
        for n, path in enumerate(paths):
            properties: dict[str, Any] = {"session": session, "page": path}
            if n == 0 and referrer:
                properties["referrer"] = referrer
            if at < p.created_at:
                properties["identified_later"] = True
            self._act(
                p,
                "web_visit",
                at,
                url=catalog.VENDOR_SITE + path,
                lead_id=lead,
                deal_id=deal,
                duration_seconds=rng.randint(8, 240),
                properties=properties,
                source="product" if app else "website",
                subject=f"Visited {path}",
            )
            at += timedelta(seconds=rng.randint(20, 300))

    def _email_out(
        self,
        p: _Person,
        rng: random.Random,
        at: datetime,
        subject: str,
        *,
        user: int | None,
        source: str,
        engagement: float,
        lead: _Lead | None = None,
        deal: _Deal | None = None,
        properties: dict[str, Any] | None = None,
        click_pages: tuple[str, ...] = ("/pricing", "/customers", "/demo"),
    ) -> dict[str, Any] | None:
        """One outbound email with the recipient's opens and clicks (``engagement`` is the logit of an open)."""
        sent = self._act(
            p,
            "email_sent",
            at,
            user_id=user,
            channel="email",
            subject=subject,
            source=source,
            lead_id=lead,
            deal_id=deal,
            properties=dict(properties or {}),
        )
        if sent is None:
            return None
        if rng.random() < sigmoid(engagement):
            opened = self.person_time(p, at + rng.uniform(0.02, 20) * HOUR, rng)
            for _ in range(1 + _poisson(rng, 0.4)):
                self._act(
                    p,
                    "email_opened",
                    opened,
                    channel="email",
                    subject=subject,
                    source=source,
                    lead_id=lead,
                    deal_id=deal,
                    properties=dict(properties or {}),
                )
                opened += rng.uniform(0.1, 30) * HOUR
            if rng.random() < sigmoid(engagement - 1.8):
                path = rng.choice(click_pages)
                self._act(
                    p,
                    "email_clicked",
                    opened,
                    channel="email",
                    subject=subject,
                    source=source,
                    url=catalog.VENDOR_SITE + path,
                    lead_id=lead,
                    deal_id=deal,
                    properties={**(properties or {}), "page": path},
                )
        return sent

    def _lead_activities(self, p: _Person, lead: _Lead, rng: random.Random) -> None:
        u = lead.intent
        owner = p.owner
        heat = math.exp(0.55 * u)
        end = lead.end or self.as_of
        # browsing before the form: anonymous, attributed once the visitor identifies
        if lead.source.inbound:
            for _ in range(_poisson(rng, 0.8 + 1.2 * heat)):
                at = self.person_time(p, lead.created - rng.uniform(0.2, 21) * DAY, rng, spread=2.5)
                if at < lead.created:
                    self._session(
                        p,
                        rng,
                        at,
                        rng.choices(*self._page_weights(u), k=1 + _poisson(rng, 0.8)),
                        lead=None,
                        referrer=rng.choice(("google", "linkedin", "direct", "newsletter")),
                    )
        # the event that created the lead
        self._creation_event(p, lead, rng)
        if lead.reached == "new":  # spam, or a lead sales never worked
            return
        contacted = lead.time_of("contacted")
        engaged = lead.time_of("engaged")
        qualified = lead.time_of("qualified")
        booked = lead.time_of("meeting_booked")
        converted = lead.time_of("converted")
        # free trials: product usage during the 14 days
        if lead.source.key == "free_trial":
            self._visits(
                p,
                rng,
                lead.created,
                min(end, lead.created + 14 * DAY),
                0.35 * math.exp(0.6 * u),
                intent=u,
                lead=lead,
                app=True,
            )
        if contacted is not None:
            self._sequence(p, lead, rng, contacted, engaged or lead.end or self.as_of)
            if lead.source.key in ("demo_request", "contact_sales") and p.phones:
                connected = rng.random() < 0.35 + 0.3 * sigmoid(u)
                self._act(
                    p,
                    "call",
                    contacted + 5 * 60 * rng.random() * timedelta(seconds=1),
                    user_id=owner,
                    channel="voice",
                    lead_id=lead,
                    subject="Call: speed-to-lead",
                    duration_seconds=rng.randint(180, 900) if connected else rng.randint(15, 40),
                    properties={"direction": "outbound", "outcome": "connected" if connected else "voicemail"},
                )
            if p.sms_ok and lead.source.key in ("demo_request", "contact_sales", "free_trial"):
                texted = contacted + timedelta(minutes=rng.randint(2, 20))
                self._act(
                    p,
                    "sms_sent",
                    texted,
                    user_id=owner,
                    channel="sms",
                    lead_id=lead,
                    source="sequence",
                    subject="Thanks for your request: when is a good time for a quick call?",
                )
                if rng.random() < sigmoid(-1.0 + 0.8 * u):
                    self._act(
                        p,
                        "sms_received",
                        self.person_time(p, texted, rng, spread=1.0),
                        channel="sms",
                        lead_id=lead,
                        subject="Tomorrow morning works",
                    )
        if engaged is not None:
            self._engaged_event(p, lead, engaged, rng)
            active_end = min(end, (lead.planned.get(lead.reached) or end) + 10 * DAY)
            self._visits(p, rng, engaged, active_end, 0.12 * heat, intent=u, lead=lead)
            # the rep's follow-ups while the conversation runs
            t = engaged + rng.uniform(2, 5) * DAY
            step = 0
            while t < active_end and step < 6:
                subject = rng.choice(
                    (
                        "Next steps",
                        "Resources you asked for",
                        "Agenda for our call",
                        "Customer story: Harbor Outfitters",
                        "Security overview",
                    )
                )
                self._email_out(
                    p,
                    rng,
                    self.work_time(p, t, rng),
                    subject,
                    user=owner,
                    source="sales",
                    lead=lead,
                    engagement=0.3 + 0.6 * u + 0.5 * p.responsiveness,
                    click_pages=("/pricing", "/security", "/customers/harbor-outfitters", "/demo"),
                )
                if rng.random() < sigmoid(-0.8 + 0.6 * u):
                    reply_at = self.person_time(p, t + rng.uniform(1, 30) * HOUR, rng)
                    self._act(
                        p,
                        "email_replied",
                        reply_at,
                        channel="email",
                        subject=f"Re: {subject}",
                        lead_id=lead,
                        source="sales",
                    )
                t += rng.uniform(3, 8) * DAY
                step += 1
        if qualified is not None:
            self._act(
                p,
                "call",
                qualified,
                user_id=owner,
                channel="voice",
                lead_id=lead,
                subject="Discovery call",
                duration_seconds=rng.randint(20, 50) * 60,
                properties={"direction": "outbound", "outcome": "connected", "kind": "discovery"},
            )
            self._note(
                self._discovery_note(p, lead),
                qualified + rng.uniform(10, 90) * 60 * timedelta(seconds=1),
                author=owner,
                person=p,
                lead=lead,
            )
        if booked is not None:
            meeting = lead.planned["meeting"]
            invite = f"Invitation: {catalog.VENDOR_PRODUCT} demo ({meeting:%d %b})"
            self._act(
                p,
                "email_sent",
                booked,
                user_id=owner,
                channel="email",
                subject=invite,
                lead_id=lead,
                source="calendar",
                properties={"meeting_at": meeting.isoformat()},
            )
            if p.sms_ok:
                self._act(
                    p,
                    "sms_sent",
                    meeting - rng.uniform(2, 20) * HOUR,
                    user_id=owner,
                    channel="sms",
                    lead_id=lead,
                    subject="Demo reminder",
                    source="calendar",
                )
            status = lead.meeting_status
            duration = rng.randint(35, 60) * 60 if status == "held" else 0
            if (
                self._act(
                    p,
                    "meeting",
                    meeting,
                    user_id=owner,
                    channel="video",
                    lead_id=lead,
                    duration_seconds=duration,
                    subject=f"{catalog.VENDOR_PRODUCT} demo",
                    properties={
                        "kind": "demo",
                        "outcome": status,
                        "attendees": 1 + _poisson(rng, 1.5) if status == "held" else 0,
                    },
                )
                is not None
            ):
                if status == "held":
                    self._note(
                        f"Demo held with {p.first} and team. Interested in {lead.quote.plan_name} for about "
                        f"{lead.quote.users} users; asked about {rng.choice(p.company.tech)} and permissions.",
                        meeting + HOUR,
                        author=owner,
                        person=p,
                        lead=lead,
                    )
                else:
                    self._note(
                        f"{p.first} did not join the demo. Sent a rescheduling link.",
                        meeting + HOUR,
                        author=owner,
                        person=p,
                        lead=lead,
                    )
        if lead.stage == "disqualified" and rng.random() < 0.5:
            self._note(f"Disqualified: {lead.lost_reason}.", lead.stage_at, author=owner, person=p, lead=lead)
        # after the outcome: light browsing keeps going (and a disqualified lead may still look at pricing)
        if lead.end is not None and lead.stage == "disqualified":
            self._visits(p, rng, lead.end, self.as_of, 0.01 * heat, intent=u)
        if converted is not None and lead.deal is not None:
            self._note(
                f"Converted to a deal: {lead.deal.quote.plan_name}, {_usd(lead.deal.quote.total)} first year.",
                converted,
                author=owner,
                person=p,
                lead=lead,
                deal=lead.deal,
            )
            self._deal_activities(p, lead.deal, rng, intent=u)

    def _discovery_note(self, p: _Person, lead: _Lead) -> str:
        bant = lead.bant
        return (
            f"Discovery call with {p.first} {p.last} ({p.title}). Need: {bant['need']} "
            f"Budget: about {_usd(bant['budget_amount'])} for the first year. Authority: {bant['authority']}. "
            f"Timeline: live by {bant['timeline']:%B %Y}."
        )

    def _creation_event(self, p: _Person, lead: _Lead, rng: random.Random) -> None:
        source = lead.source
        if source.form is not None and lead.page is not None:
            if source.key == "paid_search":
                self._session(
                    p,
                    rng,
                    lead.created - timedelta(seconds=rng.randint(30, 400)),
                    [lead.page],
                    lead=lead,
                    referrer="google" if "Google" in lead.detail else "linkedin",
                )
            fields = {
                "email": p.email,
                "company": p.company.name,
                "job_title": p.title,
                "company_size": catalog.SIZE_BANDS[p.company.band][0],
            }
            if p.voice_ok and p.phones:
                fields["phone"] = p.phones[0]
            self._act(
                p,
                "form_submitted",
                lead.created,
                lead_id=lead,
                url=catalog.VENDOR_SITE + lead.page,
                subject=f"Form: {source.form.replace('_', ' ')}",
                source="website",
                properties={
                    "form": source.form,
                    "page": lead.page,
                    "fields": fields,
                    "consent_email": p.email_consent[0] == "granted",
                    "consent_sms": p.sms_ok,
                },
            )
        elif source.key == "event":
            event = lead.detail.removeprefix("Event: ").removesuffix(" booth")
            self._act(
                p,
                "form_submitted",
                lead.created,
                lead_id=lead,
                subject=f"Badge scan: {event}",
                source="event_import",
                properties={"form": "badge_scan", "event": event},
            )

    def _sequence(self, p: _Person, lead: _Lead, rng: random.Random, start: datetime, stop: datetime) -> None:
        """The rep's (or the AI SDR's) email sequence until the lead answers or the sequence runs out."""
        outbound = not lead.source.inbound
        offsets = (0, 3, 7, 12, 19, 28) if outbound else (0, 2, 5, 9, 15)
        name = "outbound-prospecting" if outbound else "inbound-follow-up"
        for step, offset in enumerate(offsets):
            at = start if step == 0 else self.work_time(p, start + offset * DAY, rng)
            if at >= stop and step > 0:
                return
            subject = texts.sequence_subject(p.language, step, company=p.company.short_name)
            self._email_out(
                p,
                rng,
                at,
                subject,
                user=p.owner,
                source="sequence",
                lead=lead,
                engagement=-0.5 + 0.6 * lead.intent + 0.6 * p.responsiveness,
                properties={"sequence": name, "step": step + 1},
            )

    def _engaged_event(self, p: _Person, lead: _Lead, at: datetime, rng: random.Random) -> None:
        owner = p.owner
        lang = p.language
        words = self._words(p, lead)
        positive = LEAD_STAGES.index(lead.reached) >= LEAD_STAGES.index("qualified")
        if lead.engaged_via == "email":
            previous = [
                a for a in p.acts if a["type"] == "email_sent" and a["source"] == "sequence" and a["occurred_at"] < at
            ]
            intro = previous[-1] if previous else None
            subject = f"Re: {intro['subject']}" if intro else "Re: Northwind Insight"
            self._act(p, "email_replied", at, channel="email", subject=subject, lead_id=lead, source="sequence")
            kind = (
                ("reply_interested" if rng.random() < 0.5 else "reply_pricing")
                if positive or rng.random() < 0.5
                else "reply_not_now"
            )
            ai = lead.source.inbound and rng.random() < 0.35
            answer_at = at + (rng.uniform(0.02, 0.2) if ai else rng.uniform(0.5, 20)) * HOUR
            if not ai:
                answer_at = self.work_time(p, answer_at, rng)
            answer = "rep_answer" if kind != "reply_not_now" else "ack_not_now"
            self._act(
                p,
                "email_sent",
                answer_at,
                channel="email",
                subject=subject,
                lead_id=lead,
                source="conversation",
                user_id=None if ai else owner,
            )
            messages = []
            if intro is not None:
                messages.append(
                    (intro["occurred_at"], "outbound", "ai" if ai else "user", texts.template(lang, "intro"))
                )
            messages.append((at, "inbound", "contact", texts.template(lang, kind)))
            messages.append((answer_at, "outbound", "ai" if ai else "user", texts.template(lang, answer)))
            self._conversation(
                p,
                lead,
                "email",
                subject,
                messages,
                words,
                handled_by="ai" if ai else "human",
                assignee=None if ai else owner,
            )
        elif lead.engaged_via == "call":
            self._act(
                p,
                "call",
                at,
                channel="voice",
                lead_id=lead,
                subject="Inbound call",
                user_id=owner,
                duration_seconds=rng.randint(300, 1500),
                properties={"direction": "inbound", "outcome": "connected"},
            )
        else:
            channel = "whatsapp" if p.whatsapp_ok and rng.random() < 0.5 else "chat"
            if channel == "chat":
                self._session(p, rng, at - timedelta(seconds=rng.randint(30, 300)), ["/pricing"], lead=lead)
            first_q = rng.choice(("chat_pricing", "chat_integration"))
            second_q = "chat_integration" if first_q == "chat_pricing" else "chat_pricing"
            messages = [
                (at, "inbound", "contact", texts.template(lang, first_q)),
                (
                    at + timedelta(seconds=rng.randint(3, 15)),
                    "outbound",
                    "ai",
                    texts.template(lang, first_q.replace("chat_", "ai_")),
                ),
            ]
            t = at + timedelta(seconds=rng.randint(40, 400))
            if rng.random() < 0.5:
                messages += [
                    (t, "inbound", "contact", texts.template(lang, second_q)),
                    (
                        t + timedelta(seconds=rng.randint(3, 15)),
                        "outbound",
                        "ai",
                        texts.template(lang, second_q.replace("chat_", "ai_")),
                    ),
                ]
                t += timedelta(seconds=rng.randint(40, 400))
            human = positive and rng.random() < 0.6
            if human:
                messages.append((t, "outbound", "ai", texts.template(lang, "ai_handoff")))
            self._conversation(
                p,
                lead,
                channel,
                None,
                messages,
                words,
                handled_by="human" if human else "ai",
                assignee=owner if human else None,
            )

    def _words(self, p: _Person, lead: _Lead | None) -> dict[str, Any]:
        tier = lead.quote.tier if lead is not None else "growth"
        tier = "scale" if tier == "enterprise" else tier
        month = PRODUCT_BY_SKU[f"NW-{tier.upper()}-M"].unit_price
        year = PRODUCT_BY_SKU[f"NW-{tier.upper()}-A"].unit_price
        return {
            "first": p.first,
            "company": p.company.short_name,
            "product": catalog.VENDOR_PRODUCT,
            "plan": PLAN_NAMES[tier],
            "price_month": _usd(month),
            "price_year": _usd(year),
            "seats": lead.quote.users if lead is not None else 10,
            "seats_included": catalog.PLAN_INCLUDED_SEATS[tier],
            "tool": next((t for t in p.company.tech if t in catalog.NATIVE_INTEGRATIONS), "Snowflake"),
            "site": catalog.VENDOR_SITE,
            "rep": catalog.USERS[p.owner or 0].name.split()[0],
        }

    def _deal_activities(self, p: _Person, deal: _Deal, rng: random.Random, *, intent: float) -> None:
        owner = deal.owner
        lead = deal.lead
        stage_times = dict(deal.stages)
        end = deal.closed_at or self.as_of
        self._visits(p, rng, deal.created, end, 0.1 * math.exp(0.4 * intent), intent=intent + 0.5, lead=lead, deal=deal)
        if "needs_analysis" in stage_times:
            self._act(
                p,
                "meeting",
                stage_times["needs_analysis"],
                user_id=owner,
                channel="video",
                lead_id=lead,
                deal_id=deal,
                subject="Requirements workshop",
                duration_seconds=rng.randint(45, 90) * 60,
                properties={"kind": "workshop", "outcome": "held", "attendees": 2 + _poisson(rng, 2)},
            )
        if "proposal" in stage_times:
            at = stage_times["proposal"]
            subject = f"Proposal: {deal.quote.plan_name} for {p.company.short_name}"
            self._email_out(
                p,
                rng,
                at,
                subject,
                user=owner,
                source="sales",
                lead=lead,
                deal=deal,
                engagement=1.0 + 0.5 * intent,
                click_pages=("/pricing", "/security", "/legal/terms"),
            )
            self._note(
                f"Proposal sent: {deal.quote.plan_name} (annual) with "
                f"{', '.join(spec.name for spec, _ in deal.quote.lines[1:]) or 'no add-ons'}; "
                f"{_usd(deal.quote.total)} after a {deal.quote.discount:.0%} discount.",
                at + HOUR,
                author=owner,
                person=p,
                deal=deal,
            )
        if "negotiation" in stage_times:
            self._act(
                p,
                "call",
                stage_times["negotiation"],
                user_id=owner,
                channel="voice",
                lead_id=lead,
                deal_id=deal,
                subject="Commercial terms",
                duration_seconds=rng.randint(15, 40) * 60,
                properties={"direction": "outbound", "outcome": "connected", "kind": "negotiation"},
            )
        if deal.stage == "closed_won":
            closed = deal.closed_at
            assert closed is not None
            self._note("Signed. Kick-off booked with the onboarding team.", closed, author=owner, person=p, deal=deal)
        elif deal.stage == "closed_lost":
            self._note(f"Lost: {deal.lost_reason}.", end, author=owner, person=p, deal=deal)
            self._visits(p, rng, end, self.as_of, 0.01, intent=intent)

    def _next_order_id(self) -> str:
        self._order_seq += 1
        return f"NW-{self._order_seq:06d}"

    def _customer_activities(self, p: _Person, customer: _Customer, rng: random.Random) -> None:
        deal = p.deal or (p.lead.deal if p.lead else None)
        assert deal is not None
        # the first order: the deal's line items
        order_id = self._next_order_id()
        for n, ((spec, qty), amount) in enumerate(zip(deal.quote.lines, deal.quote.line_amounts(), strict=True)):
            self._act(
                p,
                "purchase",
                customer.acquired,
                deal_id=deal,
                product_id=PRODUCT_INDEX[spec.sku],
                amount=amount,
                currency="USD",
                quantity=qty,
                subject=spec.name,
                source="billing",
                external_id=f"{order_id}-{n + 1}",
                user_id=deal.owner,
                properties={
                    "order_id": order_id,
                    "line": n + 1,
                    "unit_price": str(spec.unit_price),
                    "discount": deal.quote.discount,
                    "first_order": True,
                },
            )
        # repeat orders, with Gamma-Gamma order values
        for at in customer.orders:
            value = rng.gammavariate(SPEND_P, customer.spend_scale)
            spec, qty = self._order_line(value, rng)
            order_id = self._next_order_id()
            self._act(
                p,
                "purchase",
                at,
                product_id=PRODUCT_INDEX[spec.sku],
                amount=_money(spec.unit_price * qty),
                currency="USD",
                quantity=qty,
                subject=spec.name,
                source="billing",
                external_id=f"{order_id}-1",
                properties={"order_id": order_id, "line": 1, "unit_price": str(spec.unit_price)},
            )
        # product use and touchpoints inside the CRM window, fading once the customer has stopped buying
        start = max(customer.acquired, self.crm_start)
        alive_until = min(self.as_of, customer.death + rng.uniform(10, 60) * DAY) if customer.death else self.as_of
        use = 0.06 * math.exp(0.3 * p.responsiveness) * (1 + customer.rate * 20)
        self._visits(p, rng, start, alive_until, use, intent=0.0, app=True)
        self._visits(p, rng, max(start, alive_until), self.as_of, use * 0.08, intent=0.0, app=True)
        self._visits(p, rng, start, self.as_of, 0.008, intent=0.3)
        if p.company.employees > 200:
            t = start + rng.uniform(20, 90) * DAY
            while t < alive_until:
                self._act(
                    p,
                    "meeting",
                    self.work_time(p, t, rng),
                    user_id=deal.owner,
                    channel="video",
                    subject="Quarterly business review",
                    duration_seconds=rng.randint(30, 60) * 60,
                    properties={"kind": "qbr", "outcome": "held"},
                )
                t += rng.uniform(80, 100) * DAY
        if customer.death is not None and rng.random() < 0.3:
            self._note(
                "Usage is dropping and our champion seems to have moved on. Worth a check-in.",
                customer.death + rng.uniform(60, 120) * DAY,
                author=deal.owner,
                person=p,
            )
        if rng.random() < 0.18:
            at = self.person_time(p, start + rng.uniform(0, (alive_until - start).total_seconds() / 86400) * DAY, rng)
            channel = "whatsapp" if p.whatsapp_ok and rng.random() < 0.6 else rng.choice(("email", "chat"))
            ai = rng.random() < 0.5
            reply = at + (timedelta(seconds=rng.randint(5, 30)) if ai else rng.uniform(1, 6) * HOUR)
            self._conversation(
                p,
                None,
                channel,
                "Invoice copy" if channel == "email" else None,
                [
                    (at, "inbound", "contact", texts.template(p.language, "support_question")),
                    (reply, "outbound", "ai" if ai else "user", texts.template(p.language, "support_answer")),
                ],
                self._words(p, None),
                handled_by="ai" if ai else "human",
                assignee=None if ai else deal.owner,
            )

    def _order_line(self, value: float, rng: random.Random) -> tuple[ProductSpec, int]:
        kind = rng.choices(("credits", "addon", "seats", "service"), (0.4, 0.25, 0.15, 0.2))[0]
        if kind == "service":
            services = [s for s in catalog.PRODUCTS if s.category == "service" and float(s.unit_price) <= 1.6 * value]
            if services:
                return rng.choice(services), 1
            kind = "credits"
        sku = {"credits": "NW-CREDITS-1M", "seats": "NW-SEATS5-M"}.get(kind) or rng.choice(("NW-CONNECT-M", "NW-AI-M"))
        spec = PRODUCT_BY_SKU[sku]
        cap = 12 if kind == "addon" else 48 if kind == "seats" else 60
        return spec, max(1, min(cap, round(value / float(spec.unit_price))))

    def _newsletter(self, p: _Person, rng: random.Random) -> None:
        if p.email_consent[0] != "granted":
            return
        customer = p.customer
        lead = p.lead
        for at, subject in self._newsletters:
            if at < p.created_at:
                continue
            boost = 0.0
            if customer is not None and at >= customer.acquired:
                boost = -0.8 if customer.death is not None and at > customer.death else 0.5
            elif lead is not None and at >= lead.created:
                boost = 0.5 * lead.intent if lead.end is None or at < lead.end else -0.3
            self._email_out(
                p,
                rng,
                at,
                subject,
                user=None,
                source="newsletter",
                engagement=-1.2 + 0.8 * p.responsiveness + boost,
                properties={"campaign": f"newsletter-{at:%Y-%m}"},
                click_pages=catalog.BLOG_PAGES,
            )

    def _opt_outs(self, p: _Person, rng: random.Random) -> None:
        lead = p.lead
        customer = p.customer
        quiet_after: datetime | None
        if customer is not None:
            odds, quiet_after = 0.05, customer.death
        elif lead is not None:
            deal = lead.deal
            if deal is not None:
                odds, quiet_after = 0.05, deal.closed_at
            else:
                odds, quiet_after = (0.14 if lead.stage == "disqualified" else 0.06), lead.stage_at
        else:
            odds, quiet_after = 0.08, p.created_at
        if quiet_after is not None and rng.random() < odds:
            sends = [
                a
                for a in p.acts
                if a["type"] == "email_sent" and a["source"] == "newsletter" and a["occurred_at"] > quiet_after
            ]
            if sends:
                send = rng.choice(sends)
                at = self.person_time(p, send["occurred_at"] + rng.uniform(0.1, 20) * HOUR, rng)
                if at <= self.as_of:
                    everything = rng.random() < 0.12
                    p.acts = [
                        a
                        for a in p.acts
                        if not (
                            a["occurred_at"] >= at
                            and (a["type"] in EMAIL_TYPES or (everything and a["type"] in ("sms_sent", "call")))
                        )
                    ]
                    self._act(
                        p,
                        "email_clicked",
                        at,
                        channel="email",
                        subject=send["subject"],
                        source="newsletter",
                        url=catalog.VENDOR_SITE + "/unsubscribe",
                        properties={
                            "action": "unsubscribe",
                            "scope": "all" if everything else "email",
                            **send["properties"],
                        },
                    )
                    p.optout["all" if everything else "email"] = at
        if p.sms_ok and "all" not in p.optout and rng.random() < 0.1:
            texts_sent = [a for a in p.acts if a["type"] == "sms_sent"]
            if texts_sent:
                at = texts_sent[-1]["occurred_at"] + rng.uniform(0.01, 3) * HOUR
                if (
                    self._act(
                        p,
                        "sms_received",
                        at,
                        channel="sms",
                        subject="STOP",
                        properties={"action": "opt_out"},
                        lead_id=texts_sent[-1]["lead_id"],
                    )
                    is not None
                ):
                    p.optout["sms"] = at

    # --- notes and conversations -------------------------------------------------------------------------------

    def _note(
        self,
        body: str,
        at: datetime,
        *,
        author: int | None,
        person: _Person,
        lead: _Lead | None = None,
        deal: _Deal | None = None,
    ) -> None:
        if at > self.as_of:
            return
        self.notes.append(
            {
                "body": body,
                "author_id": author,
                "contact_id": person,
                "company_id": person.company,
                "lead_id": lead,
                "deal_id": deal,
                "search_text": search.normalize(body),
                "created_at": at,
                "updated_at": at,
            }
        )

    def _conversation(
        self,
        p: _Person,
        lead: _Lead | None,
        channel: str,
        subject: str | None,
        messages: list[tuple[datetime, str, str, str]],
        words: dict[str, Any],
        *,
        handled_by: str,
        assignee: int | None,
    ) -> None:
        kept = [m for m in messages if m[0] <= self.as_of]
        if not kept:
            return
        rows: list[dict[str, Any]] = []
        for at, direction, sender, text in kept:
            rows.append(
                {
                    "conversation_id": None,
                    "contact_id": p,
                    "direction": direction,
                    "channel": channel,
                    "sender_type": sender,
                    "sender_user_id": assignee if sender == "user" else None,
                    "text": text.format(**words),
                    "audio_ref": None,
                    "language": p.language,
                    "annotations": {},
                    "status": "received" if direction == "inbound" else "sent",
                    "external_id": None,
                    "created_at": at,
                }
            )
        last = kept[-1][0]
        resolved = lead is None or lead.end is not None or last < self.as_of - 21 * DAY
        status = "closed" if resolved else ("open" if kept[-1][1] == "inbound" else "pending")
        conversation = {
            "contact_id": p,
            "lead_id": lead,
            "channel": channel,
            "status": status,
            "handled_by": handled_by,
            "assignee_id": assignee,
            "subject": subject,
            "agent_config_version_id": None,
            "last_message_at": last,
            "external_id": None,
            "created_at": kept[0][0],
            "updated_at": last,
        }
        self.conversations.append((conversation, rows))

    # --- rows ---------------------------------------------------------------------------------------------------------

    def _emit(self) -> DemoDataset:
        created_from = self.history_start - 30 * DAY
        users = [
            {
                "email": _user_email(spec),
                "name": spec.name,
                "role": spec.role,
                "timezone": spec.timezone,
                "is_active": True,
                "last_login_at": None,
                "created_at": created_from,
                "updated_at": created_from,
            }
            for spec in catalog.USERS
        ]
        products = [
            {
                "sku": s.sku,
                "name": s.name,
                "description": s.description,
                "category": s.category,
                "unit_price": s.unit_price,
                "currency": "USD",
                "billing_period": s.billing_period,
                "is_active": True,
                "created_at": created_from,
                "updated_at": created_from,
            }
            for s in catalog.PRODUCTS
        ]

        # ids follow creation time, as they would in a live system
        for company in self.companies:
            company.people.clear()
        for p in self.people:
            p.company.people.append(p)
        live_companies = [c for c in self.companies if c.people]
        for company in live_companies:
            company.created_at = min(p.created_at for p in company.people) - timedelta(minutes=5)
        live_companies.sort(key=lambda c: (c.created_at, c.domain))
        for i, company in enumerate(live_companies):
            company.index = i
        people = sorted(self.people, key=lambda p: (p.created_at, p.email))
        for i, p in enumerate(people):
            p.index = i
        leads = sorted(self.leads, key=lambda lead: (lead.created, lead.person.email))
        for i, lead in enumerate(leads):
            lead.index = i
        deals = sorted(self.deals, key=lambda d: (d.created, d.person.email))
        for i, deal in enumerate(deals):
            deal.index = i

        companies = [self._company_row(c) for c in live_companies]
        _fill_search_text(company_search_text, Company, companies)
        contacts, identities = [], []
        for p in people:
            contact, ids = self._contact_rows(p)
            contacts.append(contact)
            identities.extend(ids)
        lead_rows = [self._lead_row(lead) for lead in leads]
        deal_rows = [self._deal_row(deal) for deal in deals]
        _fill_search_text(lead_search_text, Lead, lead_rows)
        _fill_search_text(deal_search_text, Deal, deal_rows)
        stage_changes: list[dict[str, Any]] = []
        for lead in leads:
            previous = None
            for stage, at in lead.stages:
                stage_changes.append(
                    {
                        "entity_type": "lead",
                        "entity_id": lead.index,
                        "from_stage": previous,
                        "to_stage": stage,
                        "changed_at": at,
                        "changed_by_id": lead.person.owner if stage != "new" else None,
                    }
                )
                previous = stage
        for deal in deals:
            previous = None
            for stage, at in deal.stages:
                stage_changes.append(
                    {
                        "entity_type": "deal",
                        "entity_id": deal.index,
                        "from_stage": previous,
                        "to_stage": stage,
                        "changed_at": at,
                        "changed_by_id": deal.owner,
                    }
                )
                previous = stage
        stage_changes.sort(key=lambda r: (r["changed_at"], r["entity_type"], r["entity_id"]))

        activities = [a for p in people for a in p.acts]
        activities.sort(key=lambda a: (a["occurred_at"], a["contact_id"].index, a["type"]))
        for a in activities:
            for key in ("contact_id", "company_id", "lead_id", "deal_id"):
                if a[key] is not None:
                    a[key] = a[key].index
            a["created_at"] = a["occurred_at"]
        _fill_search_text(activity_search_text, Activity, activities)
        notes = sorted(self.notes, key=lambda n: (n["created_at"], n["contact_id"].index))
        for note in notes:
            for key in ("contact_id", "company_id", "lead_id", "deal_id"):
                if note[key] is not None:
                    note[key] = note[key].index
        self.conversations.sort(key=lambda c: (c[0]["created_at"], c[0]["contact_id"].index))
        conversations, messages = [], []
        for i, (conversation, rows) in enumerate(self.conversations):
            conversation["contact_id"] = conversation["contact_id"].index
            if conversation["lead_id"] is not None:
                conversation["lead_id"] = conversation["lead_id"].index
            conversations.append(conversation)
            for row in rows:
                row["conversation_id"] = i
                row["contact_id"] = row["contact_id"].index
                messages.append(row)
        messages.sort(key=lambda m: (m["created_at"], m["conversation_id"]))

        org = {
            "name": catalog.VENDOR_NAME,
            "timezone": catalog.VENDOR_TIMEZONE,
            "default_currency": "USD",
            "default_phone_region": "US",
            "settings": {
                "business_hours": {"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:30"},
                "website": catalog.VENDOR_SITE,
                "demo": {"seed": self.seed, "as_of": self.as_of.isoformat(), "contacts": self.n_contacts},
            },
        }
        tables: dict[str, list[dict[str, Any]]] = {
            "users": users,
            "products": products,
            "companies": companies,
            "contacts": contacts,
            "contact_identities": identities,
            "leads": lead_rows,
            "deals": deal_rows,
            "stage_changes": stage_changes,
            "activities": activities,
            "notes": notes,
            "conversations": conversations,
            "messages": messages,
        }
        return DemoDataset(seed=self.seed, as_of=self.as_of, contacts=self.n_contacts, org=org, tables=tables)

    def _company_row(self, c: _Company) -> dict[str, Any]:
        revenue = c.employees * c.industry.revenue_per_employee * self.rng("revenue", c.domain).uniform(0.6, 1.5)
        assert c.created_at is not None
        segment = "SMB" if c.employees <= 50 else "Mid-Market" if c.employees <= 1000 else "Enterprise"
        return {
            "name": c.name,
            "domain": c.domain,
            "industry": c.industry.name,
            "employee_count": c.employees,
            "annual_revenue": _money(round(revenue, -3)),
            "currency": "USD",
            "country": c.market.code,
            "city": c.city.name,
            "timezone": c.city.timezone,
            "website": f"https://www.{c.domain}",
            "owner_id": c.owner,
            "external_id": f"nw-co-{c.index + 1:05d}",
            "custom_fields": {"segment": segment, "size_band": catalog.SIZE_BANDS[c.band][0], "tech_stack": c.tech},
            "search_text": "",
            "created_at": c.created_at,
            "updated_at": c.created_at,
        }

    def _lifecycle(self, p: _Person) -> tuple[str, datetime]:
        """The contact's lifecycle stage at as_of and when it last changed."""
        customer = p.customer
        if customer is not None:
            if customer.last_order < self.as_of - DORMANT_DAYS * DAY:
                return "former_customer", customer.last_order + DORMANT_DAYS * DAY
            return "customer", customer.acquired
        lead = p.lead
        if lead is not None:
            deal = lead.deal
            if deal is not None and deal.stage not in ("closed_won", "closed_lost"):
                return "opportunity", deal.created
            if deal is not None:
                return "lead", deal.closed_at or deal.created
            return "lead", lead.created
        return "subscriber", p.created_at

    def _contact_rows(self, p: _Person) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        lifecycle, lifecycle_at = self._lifecycle(p)
        created_iso = p.created_at.isoformat()
        status, source = p.email_consent
        consent: dict[str, Any] = {"email": {"status": status, "at": created_iso, "source": source}}
        if p.phones:
            consent["sms"] = {
                "status": "granted" if p.sms_ok else "unknown",
                "at": created_iso,
                "source": "web_form" if p.sms_ok else None,
            }
            consent["voice"] = {
                "status": "granted" if p.voice_ok else "unknown",
                "at": created_iso,
                "source": "web_form" if p.voice_ok else None,
            }
            if p.whatsapp_ok:
                consent["whatsapp"] = {"status": "granted", "at": created_iso, "source": "whatsapp_opt_in"}
        opted_out: list[str] = []
        for channel, at in sorted(p.optout.items()):
            opted_out.append(channel)
            targets = list(consent) if channel == "all" else [channel]
            for target in targets:
                consent[target] = {
                    "status": "denied",
                    "at": at.isoformat(),
                    "source": "sms_stop" if channel == "sms" else "unsubscribe_link",
                }
        updated = max([p.created_at, lifecycle_at, *p.optout.values()])
        contact = {
            "first_name": p.first,
            "last_name": p.last,
            "email": p.email,
            "phone": p.phones[0] if p.phones else None,
            "title": p.title,
            "seniority": p.seniority,
            "department": p.department,
            "company_id": p.company.index,
            "owner_id": p.owner,
            "timezone": p.city.timezone,
            "language": p.language,
            "country": p.market.code,
            "city": p.city.name,
            "lifecycle_stage": lifecycle,
            "source": p.source,
            "consent": consent,
            "opted_out": opted_out,
            "external_id": f"nw-ct-{p.index + 1:05d}",
            "custom_fields": {},
            "created_at": p.created_at,
            "updated_at": min(updated, self.as_of),
        }
        transient = Contact(
            first_name=p.first,
            last_name=p.last,
            title=p.title,
            city=p.city.name,
            source=p.source,
            external_id=contact["external_id"],
        )
        contact["search_text"] = contact_search_text(transient, p.emails, p.phones)
        identities = [
            {"contact_id": p.index, "kind": kind, "value": value, "is_primary": n == 0, "created_at": p.created_at}
            for kind, values in (("email", p.emails), ("phone", p.phones), ("external", [contact["external_id"]]))
            for n, value in enumerate(values)
        ]
        return contact, identities

    def _lead_row(self, lead: _Lead) -> dict[str, Any]:
        p = lead.person
        touches = [
            a["occurred_at"]
            for a in p.acts
            if a["user_id"] is not None
            and a["lead_id"] is lead
            and a["type"] in ("email_sent", "call", "sms_sent", "meeting")
        ]
        bant = lead.bant
        custom: dict[str, Any] = {}
        if lead.source.inbound and lead.page is not None:
            medium = {"paid_search": "cpc", "referral": "referral", "partner": "partner"}.get(
                lead.source.key, "organic"
            )
            custom = {
                "utm_source": "google"
                if "Google" in lead.detail
                else "linkedin"
                if "LinkedIn" in lead.detail
                else "website",
                "utm_medium": medium,
                "landing_page": lead.page,
            }
        title = f"{p.company.short_name}: {lead.quote.plan_name}"
        return {
            "contact_id": p.index,
            "company_id": p.company.index,
            "owner_id": p.owner,
            "title": title,
            "source": lead.source.key,
            "source_detail": lead.detail,
            "product_interest": lead.quote.plan_name,
            "stage": lead.stage,
            "stage_changed_at": lead.stage_at,
            "status": {"converted": "converted", "disqualified": "lost"}.get(lead.stage, "open"),
            "lost_reason": lead.lost_reason,
            "converted_at": lead.stage_at if lead.stage == "converted" else None,
            "last_contacted_at": max(touches) if touches else None,
            "score": None,
            "score_probability": None,
            "score_tier": None,
            "score_reasons": [],
            "score_model_version": None,
            "scored_at": None,
            "budget_amount": bant.get("budget_amount"),
            "budget_currency": "USD" if bant else None,
            "authority": bant.get("authority"),
            "need": bant.get("need"),
            "timeline": bant.get("timeline"),
            "bant_evidence": bant.get("evidence", {}),
            "external_id": f"nw-ld-{lead.index + 1:05d}",
            "custom_fields": custom,
            "search_text": "",
            "created_at": lead.created,
            "updated_at": lead.stage_at,
        }

    def _deal_row(self, deal: _Deal) -> dict[str, Any]:
        p = deal.person
        stage, at = deal.stages[-1]
        name = f"{p.company.short_name}: {deal.quote.plan_name} annual"
        lines = [
            {
                "sku": spec.sku,
                "name": spec.name,
                "quantity": qty,
                "unit_price": str(spec.unit_price),
                "amount": str(amount),
            }
            for (spec, qty), amount in zip(deal.quote.lines, deal.quote.line_amounts(), strict=True)
        ]
        return {
            "name": name,
            "contact_id": p.index,
            "company_id": p.company.index,
            "lead_id": deal.lead.index if deal.lead is not None else None,
            "owner_id": deal.owner,
            "pipeline": "default",
            "stage": stage,
            "stage_changed_at": at,
            "status": {"closed_won": "won", "closed_lost": "lost"}.get(stage, "open"),
            "amount": deal.quote.total,
            "currency": "USD",
            "probability": DEAL_PROBABILITY[stage],
            "expected_close_date": deal.expected_close,
            "closed_at": deal.closed_at,
            "lost_reason": deal.lost_reason,
            "external_id": f"nw-dl-{deal.index + 1:05d}",
            "custom_fields": {"line_items": lines, "discount": deal.quote.discount, "seats": deal.quote.users},
            "search_text": "",
            "created_at": deal.created,
            "updated_at": at,
        }


def _fill_search_text(function: Callable[[Any], str], model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Set each row's ``search_text`` with the CRM service's own ``function``, applied to one reused unsaved object:
    building an ORM object per activity would cost more than the rest of the row."""
    probe = model()
    columns = set(model.__table__.columns.keys()) - {"id", "org_id"}
    for row in rows:
        for column in columns:
            setattr(probe, column, row.get(column))
        row["search_text"] = function(probe)


def _user_email(spec: catalog.UserSpec) -> str:
    return catalog.DEMO_LOGIN_EMAIL if spec.role == "owner" else f"{spec.email_local}@{catalog.VENDOR_USER_DOMAIN}"


def _ascii_words(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("ß", "ss")).encode("ascii", "ignore").decode()
    return folded.lower()


def simulate(*, seed: int = DEFAULT_SEED, as_of: datetime, contacts: int = DEFAULT_CONTACTS) -> DemoDataset:
    """Generate the demo tenant's rows (pure: no database, no clock, no network)."""
    return DemoSimulator(seed=seed, as_of=as_of, contacts=contacts).run()
