"""Build ``claims.jsonl``: follow-up drafts with seeded wrong facts, for the claim-check precision / recall of
benchmarks/bench_followup.py.

Each draft is a short message whose factual sentences are listed as ``claims``, each with ``supported`` (true when
the demo knowledge base, src/leadpilot/demo/knowledge/, states it) and ``kind``: ``correct`` or the kind of seeded
error (``wrong_price``, ``wrong_number``, ``invented_customer``, ``invented_feature``, ``invented_superlative``,
``wrong_date``). Most drafts carry one wrong claim among correct ones; some carry only correct claims, so that
false alarms are measured too. Re-running the script gives the same file.

    .venv/bin/python benchmarks/data/followup_eval/build_claims.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent

WRONG: list[tuple[str, str]] = [
    ("wrong_price", "The Growth plan costs $349 per month."),
    ("wrong_price", "The Starter plan is $109 per month."),
    ("wrong_price", "The Scale plan billed annually is $12,990 per year."),
    ("wrong_price", "Enterprise is $30,000 per year."),
    ("wrong_price", "The AI Insights add-on costs $199 per month."),
    ("wrong_price", "The Data Connectors Pack costs $129 per month."),
    ("wrong_price", "Advanced Security costs $2,490 per year."),
    ("wrong_price", "Priority Support costs $1,990 per year."),
    ("wrong_price", "Extra seats come in packs of 5 for $95 per month."),
    ("wrong_price", "Event credits cost $150 per million events."),
    ("wrong_price", "Onboarding Premium costs $3,500."),
    ("wrong_price", "The Data Migration service costs $2,000."),
    ("wrong_price", "The half-day Training Workshop costs $1,500."),
    ("wrong_number", "Harbor Outfitters cut weekly reporting time by 50%."),
    ("wrong_number", "Meridian Health raised clinic utilisation by 20% within six months."),
    ("wrong_number", "Cedar Freight lifted on-time delivery from 91% to 99% in six months."),
    ("wrong_number", "Kestrel Software cut onboarding time for new analysts by 45% in 4 months."),
    ("wrong_number", "Atlas Components reduced its scrap rate by 30%."),
    ("wrong_number", "Lumen Media Group saves 40 hours a week with automated weekly reports."),
    ("wrong_number", "Enterprise includes a 99.99% monthly uptime SLA."),
    ("wrong_number", "The Growth plan includes 15 seats."),
    ("wrong_number", "The Starter plan includes 10 data sources."),
    ("wrong_number", "The Scale plan includes 100M tracked events per month."),
    ("wrong_number", "Warehouse sync runs every 5 minutes."),
    ("wrong_number", "The free trial lasts 30 days."),
    ("wrong_number", "Annual subscriptions have a 60-day money-back guarantee."),
    ("wrong_number", "On the Growth plan, support answers within 2 business hours."),
    ("invented_customer", "Pinecrest Retail doubled its online conversion rate with Northwind Insight."),
    ("invented_customer", "Globex Bank uses Northwind Insight across 40 branches."),
    ("invented_customer", "Bluewater Hotels raised RevPAR by 14% with our dashboards."),
    ("invented_customer", "Orion Logistics cut fuel costs by 11% using Northwind Insight."),
    ("invented_customer", "Stellar Academy tracks enrolment for 30 campuses with Northwind Insight."),
    ("invented_customer", "Redwood Pharma went live on the Enterprise plan in two weeks."),
    ("invented_feature", "The Starter plan includes scheduled reports to Slack."),
    ("invented_feature", "Northwind Insight has a native iPhone app."),
    ("invented_feature", "AI Insights forecasts revenue 12 months ahead."),
    ("invented_feature", "The Growth plan includes row-level permissions."),
    ("invented_feature", "Every plan can be self-hosted on your own servers."),
    ("invented_feature", "Northwind Insight connects natively to SAP."),
    ("invented_feature", "Warehouse sync is included in the Growth plan."),
    ("invented_feature", "The Starter plan includes REST API access."),
    ("invented_feature", "AI Insights answers questions in Japanese."),
    ("invented_feature", "Anomaly alerts can be sent to Microsoft Teams."),
    ("invented_superlative", "Northwind Insight is the fastest analytics platform on the market."),
    ("invented_superlative", "Northwind Insight is the number one BI tool for mid-market companies."),
    ("invented_superlative", "Northwind Insight is the most secure BI platform available."),
    ("invented_superlative", "Our customers get the highest ROI of any analytics tool."),
    ("invented_superlative", "Northwind has the best-rated support in the industry."),
    ("wrong_date", "AI Insights became generally available in January 2025."),
    ("wrong_date", "Northwind Analytics was founded in 2012."),
    ("wrong_date", "Redshift warehouse sync was added in March 2026."),
    ("wrong_date", "Our latest SOC 2 Type II report was issued in December 2025."),
    ("wrong_date", "Harbor Outfitters has been a customer since 2020."),
    ("wrong_date", "The interface became available in Japanese in January 2026."),
]

CORRECT: list[str] = [
    "The Growth plan costs $399 per month.",
    "The Starter plan is $99 per month, or $990 billed annually.",
    "The Scale plan costs $1,199 per month.",
    "Enterprise is $36,000 per year, billed annually.",
    "The AI Insights add-on costs $249 per month.",
    "The Data Connectors Pack adds 40 extra connectors for $149 per month.",
    "Advanced Security costs $1,990 per year.",
    "Priority Support costs $2,990 per year and includes a 4-hour response for urgent issues.",
    "Extra seats come in packs of 5 for $75 per month.",
    "Event credits cost $120 per million events and never expire.",
    "Onboarding Premium is six weeks with a solutions engineer for $4,500.",
    "The Data Migration service costs $3,000.",
    "Harbor Outfitters cut weekly reporting time by 70%.",
    "Meridian Health raised clinic utilisation by 12% within six months.",
    "Cedar Freight lifted on-time delivery from 91% to 96% in six months.",
    "Kestrel Software cut onboarding time for new analysts by 38% in 4 months.",
    "Atlas Components migrated 240 spreadsheet reports in 5 weeks.",
    "Lumen Media Group saves 25 hours a week with automated weekly reports for 40 clients.",
    "Summit Capital Partners prepares its board pack in 4 hours instead of 3 days.",
    "Enterprise includes a 99.9% monthly uptime SLA.",
    "The Growth plan includes 10 seats and 20 data sources.",
    "The Starter plan includes 3 seats and 5 data sources.",
    "The Scale plan includes 50M tracked events per month.",
    "Warehouse sync with Snowflake, BigQuery and Redshift runs every 15 minutes.",
    "The free trial lasts 14 days and needs no credit card.",
    "Annual subscriptions have a 30-day money-back guarantee.",
    "On the Growth and Scale plans, support answers within 8 business hours.",
    "Row-level permissions are part of the Scale and Enterprise plans.",
    "AI Insights became generally available in March 2026.",
    "Northwind Analytics was founded in 2016 and is based in New York.",
    "Our latest SOC 2 Type II report was issued in June 2026.",
    "EU workspaces are hosted in Frankfurt and keep customer data in the EU.",
    "A HIPAA business associate agreement is available on the Enterprise plan.",
    "Annual billing gives two months free.",
    "Data is encrypted at rest with AES-256.",
    "Planned maintenance runs on Sundays between 02:00 and 04:00 UTC.",
    "Natural-language questions in AI Insights can be asked in English, German, French and Spanish.",
    "Embedded dashboards with signed URLs are available on the Scale and Enterprise plans.",
    "The REST API allows 1,000 requests per hour.",
    "More than 1,200 companies in 30 countries use Northwind Insight.",
    "The Starter plan includes up to 25 dashboards.",
    "Monthly plans can be cancelled at any time, effective at the end of the billing month.",
    "Advanced Security adds SSO/SAML, SCIM provisioning and the audit log.",
    "The Training Workshop is a remote half-day session for up to 15 people at $1,200.",
    "Amazon Redshift joined warehouse sync in August 2026.",
]

FIRST = ("Emily", "Lukas", "Camille", "Diego", "Aarav", "Yui", "Chloe", "Oliver", "Sanne", "João")
COMPANIES = ("Cobalt Labs", "Juniper Goods", "Basalt Capital", "Quill Media", "Tidal Freight", "Opal Health",
             "Sable Industries", "Wren Retail", "Nimbus Cloud", "Granite Consulting")  # fmt: skip


def build() -> list[dict]:
    rng = random.Random(7)
    drafts = []
    pool = list(CORRECT)
    rng.shuffle(pool)
    cursor = 0

    def take(n: int) -> list[str]:
        nonlocal cursor
        out = []
        for _ in range(n):
            out.append(pool[cursor % len(pool)])
            cursor += 1
        return out

    plans: list[list[tuple[str, str, bool]]] = []
    for i, (kind, text) in enumerate(WRONG):
        plans.append([(kind, text, False)] + [("correct", c, True) for c in take(1 + i % 2)])
    for i in range(12):
        plans.append([("correct", c, True) for c in take(2 + i % 2)])
    for n, claims in enumerate(plans):
        rng.shuffle(claims)
        first, company = FIRST[n % len(FIRST)], COMPANIES[(n * 3) % len(COMPANIES)]
        body = " ".join(text for _, text, _ in claims)
        drafts.append({
            "id": f"d{n + 1:03d}",
            "lead_name": first,
            "company_name": company,
            # greeting and closing make no checkable claim: only the labelled sentences are tested
            "draft": f"Hi {first},\n\nThanks for your questions. {body}\n\nWould a short call next week help?\n\n"
                     "Best regards,\nSofia",
            "claims": [{"text": text, "supported": ok, "kind": kind} for kind, text, ok in claims],
        })  # fmt: skip
    return drafts


def main() -> None:
    drafts = build()
    with (HERE / "claims.jsonl").open("w") as out:
        for draft in drafts:
            out.write(json.dumps(draft, ensure_ascii=False) + "\n")
    claims = [c for d in drafts for c in d["claims"]]
    wrong = sum(1 for c in claims if not c["supported"])
    print(f"{len(drafts)} drafts, {len(claims)} claims, {wrong} wrong")


if __name__ == "__main__":
    main()
