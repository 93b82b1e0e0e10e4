"""A small, realistic CRM made through the public API of a live server, so every page has something to show."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import httpx

from leadpilot.kit.clock import utcnow

COMPANIES = [
    ("Northwind Traders", "northwind.example", "Wholesale", 240),
    ("Contoso Freight", "contoso-freight.example", "Logistics", 1200),
    ("Fabrikam Foods", "fabrikam.example", "Food & beverage", 85),
    ("Tailspin Air Cargo", "tailspin.example", "Aviation", 430),
    ("Wingtip Retail", "wingtip.example", "Retail", 60),
    ("Litware Health", "litware.example", "Healthcare", 310),
]
PEOPLE = [
    ("Ada", "Lovelace", "Head of Operations"), ("Grace", "Hopper", "VP Supply Chain"), ("Alan", "Turing", "CTO"),
    ("Katherine", "Johnson", "Fleet Manager"), ("Linus", "Pauling", "Procurement Lead"),
    ("Marie", "Curie", "COO"), ("Nikola", "Tesla", "Warehouse Director"), ("Rosalind", "Franklin", "CFO"),
    ("Tim", "Berners-Lee", "IT Manager"), ("Hedy", "Lamarr", "Head of Logistics"),
    ("Edsger", "Dijkstra", "Operations Analyst"), ("Barbara", "Liskov", "Director of Finance"),
]  # fmt: skip
STAGES = ["new", "new", "contacted", "contacted", "engaged", "qualified", "qualified", "meeting_booked",
          "converted", "disqualified", "engaged", "new"]  # fmt: skip
SOURCES = ["website", "webinar", "referral", "linkedin", "trade show"]
INTERESTS = ["Fleet tracking", "Route optimisation", "Warehouse analytics", "Cold-chain monitoring"]


class Api:
    def __init__(self, base_url: str, email: str, password: str) -> None:
        self.client = httpx.Client(base_url=f"{base_url}/api/v1", timeout=30)
        token = self.client.post("/auth/login", json={"email": email, "password": password}).json()["access_token"]
        self.client.headers["Authorization"] = f"Bearer {token}"

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(path, json=body)
        assert response.status_code == 201, (path, response.text)
        return response.json()

    def patch(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.patch(path, json=body)
        assert response.status_code == 200, (path, response.text)
        return response.json()


def seed_crm(base_url: str, email: str, password: str) -> dict[str, Any]:
    """Create companies, contacts, leads at every stage, deals, notes, activities and a conversation. Returns the
    id of the richest lead (for the lead page)."""
    rng = random.Random(7)
    api = Api(base_url, email, password)
    companies = [api.post("/companies", {"name": n, "domain": d, "industry": i, "employee_count": e, "country": "US",
                                         "city": rng.choice(["Boston", "Austin", "Denver", "Chicago"])})
                 for n, d, i, e in COMPANIES]  # fmt: skip
    now = utcnow()
    leads = []
    for index, (first, last, title) in enumerate(PEOPLE):
        company = companies[index % len(companies)]
        contact = api.post(
            "/contacts",
            {"first_name": first, "last_name": last, "title": title, "company_id": company["id"],
             "email": f"{first.lower()}.{last.lower()}@{company['domain']}", "phone": f"+1617555{index:04d}",
             "timezone": "America/New_York", "source": rng.choice(SOURCES), "city": company["city"], "country": "US",
             "lifecycle_stage": "customer" if index % 5 == 0 else "lead",
             "consent": {"email": {"status": "granted", "source": "web form"}}},
        )  # fmt: skip
        lead = api.post(
            "/leads",
            {"contact_id": contact["id"], "title": f"{rng.choice(INTERESTS)} for {company['name'].split()[0]}",
             "source": contact["source"], "product_interest": rng.choice(INTERESTS),
             "need": "Cut late deliveries and fuel costs across the fleet" if index % 3 == 0 else None,
             "authority": title if index % 2 == 0 else None,
             "budget_amount": str(rng.choice([15000, 40000, 90000])) if index % 2 == 0 else None},
        )  # fmt: skip
        if STAGES[index] != "new":
            lead = api.patch(f"/leads/{lead['id']}", {"stage": STAGES[index]})
        leads.append(lead)
        visited = now - timedelta(days=6 - index % 5, hours=index)
        api.post("/activities", {"type": "web_visit", "contact_id": contact["id"], "url": "https://example.com/pricing",
                                 "subject": "Saw the pricing page", "occurred_at": visited.isoformat()})  # fmt: skip
        if index % 2 == 0:
            api.post("/activities", {"type": "email_opened", "contact_id": contact["id"], "channel": "email",
                                     "subject": "Your fleet tracking proposal",
                                     "occurred_at": (now - timedelta(days=2, hours=index)).isoformat()})  # fmt: skip
    deal_stages = ["qualification", "needs_analysis", "proposal", "proposal", "negotiation", "closed_won"]
    for index, stage in enumerate(deal_stages):
        lead = leads[index + 3]
        closes = (now + timedelta(days=14 + 9 * index)).date().isoformat()
        api.post("/deals", {"name": f"{COMPANIES[(index + 3) % len(COMPANIES)][0]} — {INTERESTS[index % 4].lower()}",
                            "lead_id": lead["id"], "amount": str(rng.choice([12000, 24500, 48000, 86000])),
                            "stage": stage, "probability": round(0.2 + index * 0.12, 2),
                            "expected_close_date": closes})  # fmt: skip
    star = leads[5]
    api.post("/notes", {"lead_id": star["id"], "body": "Call went well. They run 40 vans out of two depots and "
                                                      "want a pilot in one depot first."})  # fmt: skip
    conversation = api.post("/conversations", {"channel": "email", "contact_id": star["contact_id"],
                                               "lead_id": star["id"], "subject": "Fleet tracking pilot"})  # fmt: skip
    api.post(
        f"/conversations/{conversation['id']}/messages",
        {"direction": "inbound", "text": "Hi, we'd like to see how the pilot would work for our Boston depot."},
    )
    api.post(
        f"/conversations/{conversation['id']}/messages",
        {
            "direction": "outbound",
            "sender_type": "ai",
            "text": "Happy to help! A pilot covers up to 20 vehicles for 30 days. Would Tuesday 10:00 suit you?",
        },
    )
    api.patch(
        f"/leads/{star['id']}", {"stage": "meeting_booked", "timeline": (now + timedelta(days=45)).date().isoformat()}
    )
    return {"lead_id": star["id"]}
