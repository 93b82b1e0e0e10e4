"""Static reference data for the demo tenant: the vendor, its price list and team, and the markets its customers
come from (cities with IANA zones and phone number plans, names, languages), industries, job titles, lead sources
and web pages.

Every name here is invented. Domains use the reserved ``.example`` top-level domain and phone numbers come from the
ranges regulators keep for fiction where a country has them (US/CA 555-01xx, UK drama numbers, ACMA and ARCEP
ranges); elsewhere they are random numbers that pass ``crm.validation.normalize_phone``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

VENDOR_NAME = "Northwind Analytics"
VENDOR_PRODUCT = "Northwind Insight"
VENDOR_SITE = "https://www.northwind-analytics.example"
VENDOR_USER_DOMAIN = "northwind-analytics.example"
VENDOR_TIMEZONE = "America/New_York"
DEMO_ORG_SLUG = "northwind-demo"
DEFAULT_SEED = 7
DEFAULT_CONTACTS = 2000
DEMO_LOGIN_EMAIL = "demo@leadpilot.example"
DEMO_LOGIN_PASSWORD = "leadpilot-demo"  # noqa: S105 (published on purpose: demo tenant only)


# --- price list ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductSpec:
    sku: str
    name: str
    category: str  # plan | addon | seats | usage | service
    unit_price: Decimal
    billing_period: str  # one_time | month | year
    description: str
    tier: str | None = None  # plans: starter | growth | scale | enterprise


def _p(
    sku: str, name: str, category: str, price: str, period: str, description: str, tier: str | None = None
) -> ProductSpec:
    return ProductSpec(sku, name, category, Decimal(price), period, description, tier)


PRODUCTS: tuple[ProductSpec, ...] = (
    _p("NW-STARTER-M", "Insight Starter (monthly)", "plan", "99.00", "month",
       "Dashboards and reports for small teams. 3 seats, 5 data sources, 1M tracked events per month.", "starter"),
    _p("NW-STARTER-A", "Insight Starter (annual)", "plan", "990.00", "year",
       "Starter billed yearly (two months free).", "starter"),
    _p("NW-GROWTH-M", "Insight Growth (monthly)", "plan", "399.00", "month",
       "10 seats, unlimited dashboards, 20 data sources, 10M events per month, scheduled reports.", "growth"),
    _p("NW-GROWTH-A", "Insight Growth (annual)", "plan", "3990.00", "year",
       "Growth billed yearly (two months free).", "growth"),
    _p("NW-SCALE-M", "Insight Scale (monthly)", "plan", "1199.00", "month",
       "25 seats, warehouse sync (Snowflake, BigQuery, Redshift), row-level permissions, 50M events per month.",
       "scale"),
    _p("NW-SCALE-A", "Insight Scale (annual)", "plan", "11990.00", "year",
       "Scale billed yearly (two months free).", "scale"),
    _p("NW-ENT-A", "Insight Enterprise (annual)", "plan", "36000.00", "year",
       "100 seats, SSO/SAML, audit log, dedicated success manager, 99.9% uptime SLA.", "enterprise"),
    _p("NW-SEATS5-M", "Seat pack (5 seats, monthly)", "seats", "75.00", "month", "Five additional named users."),
    _p("NW-SEATS5-A", "Seat pack (5 seats, annual)", "seats", "750.00", "year", "Five additional named users."),
    _p("NW-CONNECT-M", "Data Connectors Pack (monthly)", "addon", "149.00", "month",
       "40 extra connectors: Shopify, HubSpot, Salesforce, Stripe, NetSuite and more."),
    _p("NW-CONNECT-A", "Data Connectors Pack (annual)", "addon", "1490.00", "year", "Data Connectors Pack, yearly."),
    _p("NW-AI-M", "AI Insights (monthly)", "addon", "249.00", "month",
       "Anomaly alerts, natural-language questions and weekly narrative summaries."),
    _p("NW-AI-A", "AI Insights (annual)", "addon", "2490.00", "year", "AI Insights, yearly."),
    _p("NW-SSO-A", "Advanced Security (annual)", "addon", "1990.00", "year",
       "SSO/SAML, SCIM provisioning and audit log for Growth and Scale."),
    _p("NW-SUPPORT-A", "Priority Support (annual)", "addon", "2990.00", "year",
       "4-hour response, named support engineer, quarterly health reviews."),
    _p("NW-CREDITS-1M", "Event credits (1M events)", "usage", "120.00", "one_time",
       "Prepaid tracked events beyond the plan allowance; never expire."),
    _p("NW-SVC-ONB-ESS", "Onboarding Essentials", "service", "1500.00", "one_time",
       "Two guided sessions: connect sources, build the first five dashboards."),
    _p("NW-SVC-ONB-PREM", "Onboarding Premium", "service", "4500.00", "one_time",
       "Six weeks with a solutions engineer: data model, dashboards, training, go-live review."),
    _p("NW-SVC-MIGRATE", "Data Migration", "service", "3000.00", "one_time",
       "Migration of reports and history from spreadsheets or another BI tool."),
    _p("NW-SVC-DASH", "Custom Dashboard Build", "service", "2400.00", "one_time",
       "A solutions engineer builds up to three dashboards to your specification."),
    _p("NW-SVC-TRAIN", "Training Workshop (half day)", "service", "1200.00", "one_time",
       "Remote half-day workshop for up to 15 people."),
    _p("NW-SVC-HEALTH", "Analytics Health Check", "service", "900.00", "one_time",
       "Review of data quality, dashboard usage and permissions with recommendations."),
)  # fmt: skip

PLAN_INCLUDED_SEATS = {"starter": 3, "growth": 10, "scale": 25, "enterprise": 100}


# --- the vendor's team -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserSpec:
    key: str
    name: str
    email_local: str
    role: str
    timezone: str
    region: str | None = None  # agents own the leads of one region


# The first entry is the owner; they log in with DEMO_LOGIN_EMAIL instead of a team address.
USERS: tuple[UserSpec, ...] = (
    UserSpec("owner", "Dana Whitfield", "dana", "owner", "America/New_York"),
    UserSpec("admin", "Priya Raman", "priya", "admin", "America/New_York"),
    UserSpec("manager", "Marcus Bell", "marcus", "manager", "America/Chicago"),
    UserSpec("agent_amer", "Sofia Alvarez", "sofia", "agent", "America/Chicago", "amer"),
    UserSpec("agent_emea", "Tom Becker", "tom", "agent", "Europe/Berlin", "emea"),
    UserSpec("agent_apac", "Aiko Tanaka", "aiko", "agent", "Asia/Tokyo", "apac"),
    UserSpec("viewer", "Léa Martin", "lea", "viewer", "Europe/Paris"),
)


# --- markets ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class City:
    name: str
    timezone: str
    phones: tuple[str, ...]  # templates: "x" is a random digit


@dataclass(frozen=True)
class Market:
    code: str
    weight: float
    region: str  # amer | emea | apac
    languages: tuple[tuple[str, float], ...]
    names: str  # key into FIRST_NAMES / LAST_NAMES
    cities: tuple[City, ...]
    mobiles: tuple[str, ...] = ()
    legal_suffixes: tuple[str, ...] = ("Inc.",)
    whatsapp_share: float = 0.0
    fit: float = 0.0  # small market effect on the latent buying propensity


def _us(city: str, tz: str, *areas: str) -> City:
    return City(city, tz, tuple(f"+1 {a} 555 01xx" for a in areas))


MARKETS: tuple[Market, ...] = (
    Market("US", 0.29, "amer", (("en", 1.0),), "en", (
        _us("New York", "America/New_York", "212", "646", "332"),
        _us("Boston", "America/New_York", "617", "857"),
        _us("Atlanta", "America/New_York", "404", "470"),
        _us("Miami", "America/New_York", "305", "786"),
        _us("Chicago", "America/Chicago", "312", "773", "872"),
        _us("Austin", "America/Chicago", "512", "737"),
        _us("Dallas", "America/Chicago", "214", "469"),
        _us("Denver", "America/Denver", "303", "720"),
        _us("Phoenix", "America/Phoenix", "602", "480"),
        _us("Seattle", "America/Los_Angeles", "206", "425"),
        _us("San Francisco", "America/Los_Angeles", "415", "628"),
        _us("Los Angeles", "America/Los_Angeles", "213", "310", "323"),
    ), legal_suffixes=("Inc.", "Inc.", "LLC", "Corp."), fit=0.1),
    Market("CA", 0.05, "amer", (("en", 0.8), ("fr", 0.2)), "en", (
        _us("Toronto", "America/Toronto", "416", "647"),
        _us("Vancouver", "America/Vancouver", "604", "778"),
        _us("Montréal", "America/Toronto", "514", "438"),
    ), legal_suffixes=("Inc.", "Ltd."), fit=0.05),
    Market("MX", 0.03, "amer", (("es", 1.0),), "es", (
        City("Mexico City", "America/Mexico_City", ("+52 55 xxxx xxxx",)),
        City("Monterrey", "America/Monterrey", ("+52 81 xxxx xxxx",)),
        City("Guadalajara", "America/Mexico_City", ("+52 33 xxxx xxxx",)),
    ), mobiles=("+52 55 xxxx xxxx",), legal_suffixes=("S.A. de C.V.",), whatsapp_share=0.5, fit=-0.2),
    Market("BR", 0.07, "amer", (("pt-BR", 1.0),), "pt", (
        City("São Paulo", "America/Sao_Paulo", ("+55 11 3xxx xxxx",)),
        City("Rio de Janeiro", "America/Sao_Paulo", ("+55 21 3xxx xxxx",)),
        City("Belo Horizonte", "America/Sao_Paulo", ("+55 31 3xxx xxxx",)),
        City("Porto Alegre", "America/Sao_Paulo", ("+55 51 3xxx xxxx",)),
    ), mobiles=("+55 11 9xxxx xxxx", "+55 21 9xxxx xxxx", "+55 31 9xxxx xxxx"), legal_suffixes=("Ltda.", "S.A."),
        whatsapp_share=0.6, fit=-0.1),
    Market("GB", 0.11, "emea", (("en", 1.0),), "en_gb", (
        City("London", "Europe/London", ("+44 20 7946 0xxx",)),
        City("Manchester", "Europe/London", ("+44 161 496 0xxx",)),
        City("Edinburgh", "Europe/London", ("+44 131 496 0xxx",)),
        City("Birmingham", "Europe/London", ("+44 121 496 0xxx",)),
        City("Leeds", "Europe/London", ("+44 113 496 0xxx",)),
        City("Bristol", "Europe/London", ("+44 117 496 0xxx",)),
    ), legal_suffixes=("Ltd", "Ltd", "plc"), fit=0.1),
    Market("DE", 0.09, "emea", (("de", 1.0),), "de", (
        City("Berlin", "Europe/Berlin", ("+49 30 xxxxxxxx",)),
        City("Munich", "Europe/Berlin", ("+49 89 xxxxxxxx",)),
        City("Hamburg", "Europe/Berlin", ("+49 40 xxxxxxxx",)),
        City("Cologne", "Europe/Berlin", ("+49 221 xxxxxxx",)),
        City("Frankfurt", "Europe/Berlin", ("+49 69 xxxxxxxx",)),
    ), mobiles=("+49 151 xxxxxxxx", "+49 160 xxxxxxx", "+49 170 xxxxxxx", "+49 176 xxxxxxxx"),
        legal_suffixes=("GmbH", "GmbH", "AG"), fit=0.1),
    Market("FR", 0.06, "emea", (("fr", 1.0),), "fr", (
        City("Paris", "Europe/Paris", ("+33 1 99 00 xx xx",)),
        City("Lyon", "Europe/Paris", ("+33 4 65 71 xx xx",)),
        City("Marseille", "Europe/Paris", ("+33 4 65 71 xx xx",)),
        City("Toulouse", "Europe/Paris", ("+33 5 36 49 xx xx",)),
        City("Bordeaux", "Europe/Paris", ("+33 5 36 49 xx xx",)),
    ), mobiles=("+33 6 xx xx xx xx", "+33 7 5x xx xx xx"), legal_suffixes=("SAS", "SAS", "SA")),
    Market("ES", 0.05, "emea", (("es", 1.0),), "es", (
        City("Madrid", "Europe/Madrid", ("+34 91 xxx xx xx",)),
        City("Barcelona", "Europe/Madrid", ("+34 93 xxx xx xx",)),
        City("Valencia", "Europe/Madrid", ("+34 96 xxx xx xx",)),
        City("Seville", "Europe/Madrid", ("+34 954 xx xx xx",)),
    ), mobiles=("+34 6xx xxx xxx",), legal_suffixes=("S.L.", "S.A."), whatsapp_share=0.4, fit=-0.05),
    Market("NL", 0.03, "emea", (("nl", 0.7), ("en", 0.3)), "nl", (
        City("Amsterdam", "Europe/Amsterdam", ("+31 20 xxx xxxx",)),
        City("Rotterdam", "Europe/Amsterdam", ("+31 10 xxx xxxx",)),
        City("Utrecht", "Europe/Amsterdam", ("+31 30 xxx xxxx",)),
    ), mobiles=("+31 6 xxxx xxxx",), legal_suffixes=("B.V.",), fit=0.1),
    Market("IN", 0.08, "apac", (("en", 1.0),), "in", (
        City("Bengaluru", "Asia/Kolkata", ("+91 80 xxxx xxxx",)),
        City("Mumbai", "Asia/Kolkata", ("+91 22 xxxx xxxx",)),
        City("New Delhi", "Asia/Kolkata", ("+91 11 xxxx xxxx",)),
        City("Pune", "Asia/Kolkata", ("+91 20 xxxx xxxx",)),
        City("Hyderabad", "Asia/Kolkata", ("+91 40 xxxx xxxx",)),
    ), mobiles=("+91 98xxx xxxxx", "+91 99xxx xxxxx", "+91 70xxx xxxxx"),
        legal_suffixes=("Pvt Ltd", "Pvt Ltd", "Ltd"), whatsapp_share=0.6, fit=-0.1),
    Market("JP", 0.05, "apac", (("ja", 1.0),), "ja", (
        City("Tokyo", "Asia/Tokyo", ("+81 3 xxxx xxxx",)),
        City("Osaka", "Asia/Tokyo", ("+81 6 xxxx xxxx",)),
        City("Fukuoka", "Asia/Tokyo", ("+81 92 xxx xxxx",)),
    ), mobiles=("+81 90 xxxx xxxx", "+81 80 xxxx xxxx"), legal_suffixes=("K.K.",), fit=-0.3),
    Market("AU", 0.06, "apac", (("en", 1.0),), "en_au", (
        City("Sydney", "Australia/Sydney", ("+61 2 5550 xxxx",)),
        City("Melbourne", "Australia/Melbourne", ("+61 3 7010 xxxx",)),
        City("Brisbane", "Australia/Brisbane", ("+61 7 5550 xxxx",)),
        City("Perth", "Australia/Perth", ("+61 8 5550 xxxx",)),
    ), mobiles=("+61 491 570 xxx",), legal_suffixes=("Pty Ltd",), fit=0.05),
    Market("SG", 0.02, "apac", (("en", 1.0),), "en", (
        City("Singapore", "Asia/Singapore", ("+65 6xxx xxxx",)),
    ), mobiles=("+65 8xxx xxxx", "+65 9xxx xxxx"), legal_suffixes=("Pte Ltd",), whatsapp_share=0.3),
)  # fmt: skip

EU_GDPR = frozenset({"GB", "DE", "FR", "ES", "NL"})

FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("James", "Emily", "Michael", "Olivia", "David", "Sarah", "Daniel", "Jessica", "Chris", "Ashley", "Ryan",
           "Megan", "Kevin", "Lauren", "Brian", "Rachel", "Jason", "Amanda", "Eric", "Nicole", "Jordan", "Taylor",
           "Marcus", "Hannah", "Tyler", "Alyssa", "Andre", "Priya", "Wei", "Maria", "Derek", "Kayla"),
    "en_gb": ("Oliver", "Amelia", "Harry", "Isla", "George", "Poppy", "Jack", "Freya", "Charlie", "Imogen", "Thomas",
              "Charlotte", "Alfie", "Eleanor", "William", "Sophie", "Rhys", "Niamh", "Callum", "Hollie", "Aisha",
              "Ravi", "Fiona", "Gareth"),
    "en_au": ("Liam", "Chloe", "Noah", "Matilda", "Lachlan", "Zoe", "Cooper", "Ruby", "Mitchell", "Georgia", "Hamish",
              "Sienna", "Jack", "Mia", "Riley", "Ella", "Bailey", "Jasmine", "Nathan", "Tahlia"),
    "de": ("Lukas", "Anna", "Jonas", "Lena", "Felix", "Laura", "Maximilian", "Julia", "Leon", "Sophie", "Tobias",
           "Katharina", "Florian", "Hannah", "Jan", "Lea", "Matthias", "Sarah", "Niklas", "Johanna", "Stefan",
           "Miriam", "Jürgen", "Sabine"),
    "fr": ("Lucas", "Camille", "Hugo", "Manon", "Louis", "Chloé", "Théo", "Léa", "Antoine", "Inès", "Julien", "Sarah",
           "Nicolas", "Pauline", "Mathieu", "Juliette", "Guillaume", "Céline", "Maxime", "Élodie", "Karim", "Amélie"),
    "es": ("Alejandro", "Lucía", "Pablo", "María", "Javier", "Sofía", "Diego", "Paula", "Carlos", "Elena", "Daniel",
           "Marta", "Sergio", "Laura", "Andrés", "Carmen", "Jorge", "Valeria", "Miguel", "Ana", "Fernando", "Isabel"),
    "pt": ("João", "Ana", "Pedro", "Mariana", "Lucas", "Beatriz", "Gabriel", "Juliana", "Rafael", "Camila",
           "Matheus", "Larissa", "Felipe", "Fernanda", "Thiago", "Letícia", "Bruno", "Amanda", "Gustavo", "Carolina"),
    "nl": ("Daan", "Emma", "Sem", "Julia", "Lucas", "Sophie", "Bram", "Tess", "Thijs", "Anna", "Jesse", "Fleur",
           "Ruben", "Lotte", "Pieter", "Sanne", "Joost", "Eva", "Niels", "Marloes"),
    "in": ("Aarav", "Ananya", "Rohan", "Priya", "Vikram", "Kavya", "Arjun", "Sneha", "Rahul", "Neha", "Karthik",
           "Divya", "Siddharth", "Pooja", "Aditya", "Meera", "Nikhil", "Shreya", "Varun", "Anjali", "Sanjay",
           "Lakshmi"),
    "ja": ("Haruto", "Yui", "Sota", "Hina", "Ren", "Aoi", "Yuto", "Sakura", "Takumi", "Mio", "Kenji", "Yuki",
           "Daiki", "Nanami", "Kazuki", "Misaki", "Shota", "Ayaka", "Ryo", "Emi"),
}  # fmt: skip

LAST_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
           "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Lee", "Harris", "Clark", "Lewis", "Walker",
           "Hall", "Young", "Nguyen", "Patel", "Chen", "Kim", "Rivera", "Campbell", "Mitchell", "Carter", "Brooks"),
    "en_gb": ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Roberts", "Walker",
              "Wright", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Clarke", "Patel", "Khan", "Murray",
              "Stewart", "Morgan", "Price"),
    "en_au": ("Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Nguyen", "Johnson", "Martin", "White",
              "Anderson", "Walker", "Thompson", "Kelly", "Ryan", "Campbell", "O'Brien", "Murphy", "Lee", "Harris"),
    "de": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
           "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger",
           "Hartmann", "Lange", "Werner", "Krause"),
    "fr": ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
           "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
           "Morel", "Girard"),
    "es": ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez",
           "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Álvarez", "Romero", "Navarro", "Torres",
           "Domínguez", "Vázquez", "Castro"),
    "pt": ("Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes",
           "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa"),
    "nl": ("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit",
           "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen"),
    "in": ("Sharma", "Verma", "Gupta", "Patel", "Reddy", "Iyer", "Nair", "Menon", "Kumar", "Singh", "Rao", "Joshi",
           "Desai", "Mehta", "Chatterjee", "Banerjee", "Pillai", "Kapoor", "Malhotra", "Agarwal"),
    "ja": ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato",
           "Yoshida", "Yamada", "Sasaki", "Yamaguchi", "Matsumoto", "Inoue", "Kimura", "Hayashi", "Shimizu", "Mori"),
}  # fmt: skip


# --- firmographics ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Industry:
    name: str
    weight: float
    fit: float  # effect on the latent buying propensity
    revenue_per_employee: int  # USD
    nouns: tuple[str, ...]
    needs: tuple[str, ...] = field(default=())


INDUSTRIES: tuple[Industry, ...] = (
    Industry("Software", 0.16, 0.8, 210_000, ("Labs", "Systems", "Software", "Cloud", "Apps", "Data"),
             ("Product usage analytics for the self-serve funnel", "One view of MRR, churn and expansion")),
    Industry("E-commerce", 0.11, 0.6, 290_000, ("Goods", "Market", "Shop", "Supply", "Outfitters"),
             ("Unify Shopify, ad spend and returns data", "Daily margin by channel without spreadsheets")),
    Industry("Financial Services", 0.08, 0.4, 340_000, ("Capital", "Finance", "Partners", "Payments", "Ledger"),
             ("Board-ready revenue reporting", "Row-level permissions for regional teams")),
    Industry("Marketing & Advertising", 0.09, 0.5, 150_000, ("Media", "Creative", "Digital", "Agency", "Studio"),
             ("Client-facing campaign dashboards", "Automated weekly reports for 40 clients")),
    Industry("Healthcare", 0.07, 0.0, 150_000, ("Health", "Care", "Clinics", "Medical", "Bio"),
             ("Clinic utilisation dashboards", "Replace manual monthly reporting")),
    Industry("Manufacturing", 0.08, -0.2, 250_000, ("Industries", "Manufacturing", "Works", "Components"),
             ("Production KPIs from the ERP", "Supplier on-time delivery tracking")),
    Industry("Logistics", 0.07, 0.1, 200_000, ("Logistics", "Freight", "Transport", "Fleet"),
             ("Shipment SLA dashboards", "Fleet cost per mile by route")),
    Industry("Retail", 0.07, 0.1, 180_000, ("Stores", "Retail", "Brands", "Boutique"),
             ("Store performance in one place", "Inventory turns by category")),
    Industry("Professional Services", 0.08, 0.2, 160_000, ("Consulting", "Advisory", "Group", "Associates"),
             ("Utilisation and billable hours reporting", "Project margin dashboards")),
    Industry("Education", 0.05, -0.6, 90_000, ("Academy", "Learning", "Education", "Institute"),
             ("Enrolment funnel reporting", "Course completion analytics")),
    Industry("Hospitality", 0.05, -0.7, 70_000, ("Hotels", "Hospitality", "Resorts", "Dining"),
             ("Occupancy and RevPAR dashboards", "Bookings by channel")),
    Industry("Real Estate", 0.05, -0.3, 250_000, ("Realty", "Properties", "Estates", "Homes"),
             ("Listing performance and agent leaderboards", "Portfolio occupancy reporting")),
    Industry("Media & Publishing", 0.04, 0.2, 170_000, ("Media", "Publishing", "Press", "Studios"),
             ("Subscriber growth and churn", "Content performance by author")),
)  # fmt: skip

# (label, low, high, weight, fit, spend factor)
SIZE_BANDS: tuple[tuple[str, int, int, float, float, float], ...] = (
    ("1-10", 2, 10, 0.16, -1.0, 0.4),
    ("11-50", 11, 50, 0.31, -0.2, 0.7),
    ("51-200", 51, 200, 0.26, 0.5, 1.0),
    ("201-1000", 201, 1000, 0.16, 0.6, 1.6),
    ("1001-5000", 1001, 5000, 0.08, 0.1, 2.5),
    ("5001+", 5001, 20000, 0.03, -0.4, 3.5),
)

BRAND_WORDS = (
    "North", "Blue", "Bright", "Cedar", "Summit", "Atlas", "Harbor", "Silver", "Pine", "Iron", "Clear", "Maple",
    "Granite", "Copper", "Nova", "Vertex", "Lumen", "Orbit", "Quartz", "Falcon", "Kestrel", "Willow", "Birch",
    "Cobalt", "Crescent", "Meridian", "Beacon", "Sterling", "Horizon", "Juniper", "Aurora", "Delta", "Echo",
    "Fjord", "Golden", "Helix", "Indigo", "Jade", "Keystone", "Lark", "Mosaic", "Nimbus", "Oak", "Pioneer",
    "Quill", "Raven", "Sable", "Tidal", "Umber", "Vela", "Wren", "Zephyr", "Alder", "Basalt", "Coral", "Drift",
    "Ember", "Flint", "Grove", "Heron", "Isle", "Kite", "Lodge", "Mesa", "Nook", "Opal", "Prism", "Ridge",
)  # fmt: skip

TECH_STACK = ("Shopify", "HubSpot", "Salesforce", "Stripe", "Snowflake", "BigQuery", "PostgreSQL", "NetSuite",
              "Google Sheets", "Excel", "Zendesk", "QuickBooks", "Xero", "Segment")  # fmt: skip
# integrations Northwind sells on; companies already using them fit better
NATIVE_INTEGRATIONS = ("Shopify", "HubSpot", "Salesforce", "Stripe", "Snowflake", "BigQuery", "PostgreSQL")


# --- people -------------------------------------------------------------------------------------------------------

# (key, weight, effect on the latent propensity)
SENIORITIES: tuple[tuple[str, float, float], ...] = (
    ("c_level", 0.09, 0.5),
    ("vp", 0.11, 0.6),
    ("director", 0.2, 0.4),
    ("manager", 0.3, 0.1),
    ("individual_contributor", 0.3, -0.5),
)

# (department, weight, effect, {seniority: titles})
DEPARTMENTS: tuple[tuple[str, float, float, dict[str, tuple[str, ...]]], ...] = (
    ("Data & Analytics", 0.2, 0.4, {
        "c_level": ("Chief Data Officer",), "vp": ("VP of Data", "VP Analytics"),
        "director": ("Director of Analytics", "Head of Data"), "manager": ("Analytics Manager", "BI Manager"),
        "individual_contributor": ("Data Analyst", "Analytics Engineer", "BI Developer"),
    }),
    ("Engineering", 0.14, 0.2, {
        "c_level": ("CTO",), "vp": ("VP of Engineering",), "director": ("Director of Engineering", "Head of Platform"),
        "manager": ("Engineering Manager",), "individual_contributor": ("Software Engineer", "Data Engineer"),
    }),
    ("Product", 0.1, 0.3, {
        "c_level": ("Chief Product Officer",), "vp": ("VP of Product",), "director": ("Head of Product",),
        "manager": ("Product Manager", "Senior Product Manager"), "individual_contributor": ("Product Analyst",),
    }),
    ("Marketing", 0.14, 0.1, {
        "c_level": ("CMO",), "vp": ("VP of Marketing",), "director": ("Head of Growth", "Director of Marketing"),
        "manager": ("Marketing Manager", "Growth Manager"),
        "individual_contributor": ("Growth Marketer", "Marketing Analyst"),
    }),
    ("Operations", 0.13, -0.1, {
        "c_level": ("COO",), "vp": ("VP of Operations",), "director": ("Director of Operations",),
        "manager": ("Operations Manager", "RevOps Manager"), "individual_contributor": ("Operations Analyst",),
    }),
    ("Finance", 0.1, -0.2, {
        "c_level": ("CFO",), "vp": ("VP of Finance",), "director": ("Finance Director", "Head of FP&A"),
        "manager": ("Finance Manager", "Controller"), "individual_contributor": ("Financial Analyst",),
    }),
    ("Sales", 0.09, -0.2, {
        "c_level": ("Chief Revenue Officer",), "vp": ("VP of Sales",), "director": ("Head of Sales Operations",),
        "manager": ("Sales Operations Manager",), "individual_contributor": ("Sales Development Representative",),
    }),
    ("IT", 0.06, 0.0, {
        "c_level": ("CIO",), "vp": ("VP of IT",), "director": ("IT Director",), "manager": ("IT Manager",),
        "individual_contributor": ("Systems Administrator",),
    }),
    ("Executive", 0.04, 0.3, {
        "c_level": ("CEO", "Founder & CEO", "Managing Director"), "vp": ("General Manager",),
        "director": ("Chief of Staff",), "manager": ("Office Manager",),
        "individual_contributor": ("Executive Assistant",),
    }),
)  # fmt: skip


# --- lead sources -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadSource:
    key: str  # Lead.source
    weight: float
    effect: float  # effect on the latent propensity
    inbound: bool
    details: tuple[tuple[str, str | None], ...]  # (source_detail, form page or None)
    form: str | None = None  # form name on the creating form_submitted activity


LEAD_SOURCES: tuple[LeadSource, ...] = (
    LeadSource("demo_request", 0.13, 0.9, True, (("Website: Book a demo", "/demo"),), "demo_request"),
    LeadSource("free_trial", 0.12, 0.35, True, (("Website: 14-day free trial", "/trial"),), "trial_signup"),
    LeadSource("contact_sales", 0.05, 0.7, True, (("Website: Contact sales", "/contact"),), "contact_sales"),
    LeadSource("content", 0.15, -0.5, True, (
        ("Ebook: The modern analytics stack for mid-market teams", "/resources/modern-analytics-stack"),
        ("Guide: 25 KPIs every e-commerce team should track", "/resources/ecommerce-kpis"),
        ("Template: Board reporting pack", "/resources/board-reporting-template"),
    ), "content_download"),
    LeadSource("webinar", 0.09, -0.1, True, (
        ("Webinar: Board-ready revenue dashboards in a week", "/webinars/board-ready-dashboards"),
        ("Webinar: From spreadsheets to self-serve analytics", "/webinars/spreadsheets-to-self-serve"),
    ), "webinar_registration"),
    LeadSource("paid_search", 0.12, 0.0, True, (
        ("Google Ads: product analytics software", "/lp/product-analytics"),
        ("Google Ads: Looker alternative", "/lp/looker-alternative"),
        ("LinkedIn Ads: dashboards for RevOps", "/lp/revops-dashboards"),
    ), "landing_page"),
    LeadSource("referral", 0.08, 1.0, True, (("Customer referral", "/referral"),), "referral"),
    LeadSource("partner", 0.03, 0.6, True, (("Partner: Snowflake marketplace", "/partners/snowflake"),
                                            ("Partner: HubSpot app directory", "/partners/hubspot")),
               "partner_referral"),
    LeadSource("event", 0.05, -0.2, False, (("Event: SaaS Growth Summit booth", None),
                                           ("Event: Retail Analytics Forum", None))),
    LeadSource("outbound", 0.18, -0.8, False, (("Outbound: mid-market ICP list", None),
                                              ("Outbound: Snowflake users list", None),
                                              ("Outbound: e-commerce leaders list", None))),
)  # fmt: skip

DISQUALIFY_REASONS: dict[str, tuple[str, ...]] = {
    "new": ("Spam or fake submission", "Student or job seeker"),
    "contacted": ("No response after outreach sequence", "Wrong contact, no referral given", "Not interested"),
    "engaged": ("No budget", "Company too small for a paid plan", "Timing: revisit next year",
                "Happy with current tool"),
    "qualified": ("Chose a competitor", "No budget this year", "No access to the decision maker", "Went dark"),
    "meeting_booked": ("Chose a competitor", "Project postponed", "Went dark after the demo",
                       "Building it in-house"),
}  # fmt: skip

DEAL_LOST_REASONS = ("Chose a competitor (Looker)", "Chose a competitor (Power BI)", "No budget", "Price too high",
                     "Building it in-house", "Project postponed", "Champion left the company")  # fmt: skip

COMPETITORS = ("Looker", "Power BI", "Tableau", "Metabase", "spreadsheets")


# --- web pages ----------------------------------------------------------------------------------------------------

# (path, weight, kind): kind groups the pages the latent intent acts on
SITE_PAGES: tuple[tuple[str, float, str], ...] = (
    ("/", 0.16, "general"),
    ("/product", 0.09, "product"),
    ("/product/dashboards", 0.05, "product"),
    ("/product/ai-insights", 0.04, "product"),
    ("/integrations", 0.05, "product"),
    ("/integrations/shopify", 0.02, "product"),
    ("/integrations/snowflake", 0.02, "product"),
    ("/integrations/hubspot", 0.02, "product"),
    ("/customers", 0.04, "proof"),
    ("/customers/harbor-outfitters", 0.02, "proof"),
    ("/customers/meridian-health", 0.02, "proof"),
    ("/security", 0.02, "proof"),
    ("/blog/what-is-a-semantic-layer", 0.05, "content"),
    ("/blog/mrr-dashboard-template", 0.05, "content"),
    ("/blog/cohort-analysis-guide", 0.04, "content"),
    ("/blog/spreadsheets-vs-bi", 0.04, "content"),
    ("/docs/getting-started", 0.03, "content"),
    ("/careers", 0.02, "careers"),
)
PRICING_PAGES = ("/pricing", "/pricing", "/pricing#compare", "/pricing/enterprise")
DEMO_PAGES = ("/demo", "/contact")
APP_PAGES = ("/app/dashboards", "/app/dashboards", "/app/reports", "/app/sources", "/app/alerts", "/app/settings/users",
             "/docs/connectors", "/docs/permissions", "/changelog")  # fmt: skip
BLOG_PAGES = tuple(p for p, _, kind in SITE_PAGES if kind == "content")

NEWSLETTER_TOPICS = (
    "Five dashboards our customers open every Monday",
    "AI Insights is generally available",
    "How Harbor Outfitters cut reporting time by 70%",
    "New: Snowflake and BigQuery sync every 15 minutes",
    "The cohort analysis guide, updated",
    "Quarter-end reporting without the spreadsheet scramble",
    "Row-level permissions, explained",
    "What's new in Northwind Insight this month",
    "Benchmarks: how mid-market teams use analytics",
    "Webinar replay: board-ready revenue dashboards",
    "Customer story: Meridian Health's clinic dashboards",
    "Data quality checks you can set up in ten minutes",
)

EVENTS = ("SaaS Growth Summit", "Retail Analytics Forum")

# Monthly multipliers of the order rate: quarter-end and December budget flush, a summer dip.
MONTH_SEASONALITY = (0.85, 0.95, 1.2, 0.9, 1.0, 1.15, 0.85, 0.7, 1.1, 1.05, 1.1, 1.3)
WEEKDAY_SEASONALITY = (1.15, 1.2, 1.2, 1.15, 1.0, 0.15, 0.15)
