"""Build ``situations.jsonl``: lead situations for the follow-up benchmark (benchmarks/bench_followup.py).

Each situation is one lead (an inline context as a CRM would hold it) with one question or need the follow-up must
address. ``expected_sources`` names every knowledge-base file (src/leadpilot/demo/knowledge/manifest.json) whose text
answers the question; ``answerable: false`` marks questions the knowledge base does not answer, where a grounded
follow-up has to say it will check rather than state an answer. ``edge`` marks the situations that test behaviour
rather than knowledge: rejection, price objection, cold lead, "not now".

The questions and their sources are written by hand below; the lead contexts around them are drawn from a seeded
generator so that tiers, stages, regions and tones vary. Re-running the script gives the same file.

    .venv/bin/python benchmarks/data/followup_eval/build_situations.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MANIFEST = HERE.parents[2] / "src" / "leadpilot" / "demo" / "knowledge" / "manifest.json"

PRICE_DOCS = ["price-list.csv", "compare-plans.html", "faq-pricing.txt", "product-overview.md"]
SERVICE_DOCS = ["professional-services.html", "policy-onboarding.md", "price-list.csv"]

# (id, question, expected sources, product, industry or None, topic)
ANSWERABLE: list[tuple[str, str, list[str], str, str | None, str]] = [
    ("price-growth-monthly", "How much is the Growth plan per month?",
     ["plan-growth.md", *PRICE_DOCS], "Insight Growth (monthly)", None, "pricing"),
    ("price-starter-annual", "What does the Starter plan cost if we pay for a year up front?",
     ["plan-starter.md", *PRICE_DOCS], "Insight Starter (annual)", None, "pricing"),
    ("price-scale-annual", "What is the annual price of the Scale plan?",
     ["plan-scale.md", *PRICE_DOCS], "Insight Scale (annual)", None, "pricing"),
    ("price-enterprise", "What does Enterprise cost, and can we pay for it monthly?",
     ["plan-enterprise.md", *PRICE_DOCS], "Insight Enterprise (annual)", None, "pricing"),
    ("price-extra-seats", "We would need 8 more users than the plan includes. What do extra seats cost?",
     ["policy-billing-payments.md", "faq-pricing.txt", "price-list.csv", "compare-plans.html", "plan-growth.md",
      "plan-starter.md", "plan-scale.md", "faq.csv"], "Seat pack (5 seats, monthly)", None, "pricing"),
    ("price-annual-discount", "Is there a discount if we pay yearly instead of monthly?",
     ["policy-billing-payments.md", "faq-pricing.txt", "faq.csv", "compare-plans.html", "product-overview.md",
      "plan-growth.md", "plan-starter.md", "plan-scale.md"], "Insight Growth (annual)", None, "pricing"),
    ("price-starter-discount", "Can you give us a volume discount on the Starter plan?",
     ["plan-starter.md", "policy-billing-payments.md", "faq-pricing.txt"], "Insight Starter (monthly)", None,
     "pricing"),
    ("price-ai-insights", "What would the AI Insights add-on cost us?",
     ["addon-ai-insights.md", "price-list.csv", "faq-pricing.txt", "faq.csv", "release-highlights-2026.pdf",
      "plan-growth.md"], "AI Insights (monthly)", None, "pricing"),
    ("price-connectors", "What is the price of the Data Connectors Pack?",
     ["addon-data-connectors.md", "price-list.csv", "faq-pricing.txt", "integrations.html", "plan-growth.md",
      "plan-starter.md"], "Data Connectors Pack (monthly)", None, "pricing"),
    ("price-sso", "How much extra is SSO on the Growth plan?",
     ["addon-advanced-security.md", "price-list.csv", "faq-pricing.txt", "faq-technical.txt", "plan-growth.md",
      "plan-scale.md"], "Advanced Security (annual)", None, "pricing"),
    ("price-priority-support", "What does Priority Support cost and how fast do you answer with it?",
     ["addon-priority-support.md", "price-list.csv", "faq-pricing.txt", "plan-growth.md", "policy-sla-support.md"],
     "Priority Support (annual)", None, "pricing"),
    ("events-overage", "What happens if we track more events than our plan allows?",
     ["policy-billing-payments.md", "faq-general.txt"], "Event credits (1M events)", "E-commerce", "pricing"),
    ("events-credits-expire", "If we prepay event credits, do they expire?",
     ["price-list.csv", "policy-billing-payments.md", "faq.csv", "policy-refunds-cancellation.md"],
     "Event credits (1M events)", None, "pricing"),
    ("pay-invoice", "Can we pay by bank transfer against an invoice instead of a card?",
     ["policy-billing-payments.md", "faq-pricing.txt"], "Insight Scale (annual)", "Manufacturing", "billing"),
    ("pay-euros", "Can you invoice us in euros?",
     ["policy-billing-payments.md", "faq-pricing.txt"], "Insight Scale (annual)", None, "billing"),
    ("pay-vat", "Do your prices include VAT?",
     ["policy-billing-payments.md", "faq-pricing.txt", "compare-plans.html"], "Insight Growth (annual)", None,
     "billing"),
    ("svc-onboarding-price", "What would it cost to have your team help us set everything up?",
     [*SERVICE_DOCS, "faq.csv"], "Onboarding Essentials", None, "services"),
    ("svc-migration-looker", "We have about 60 Looker reports. Can you migrate them and what does it cost?",
     [*SERVICE_DOCS, "competitor-comparison.html", "faq.csv"], "Data Migration", None, "services"),
    ("svc-training", "Do you run training for our team, and for how many people?",
     SERVICE_DOCS, "Training Workshop (half day)", None, "services"),
    ("svc-health-check", "Our dashboards have grown messy. Do you offer some kind of review?",
     SERVICE_DOCS, "Analytics Health Check", None, "services"),
    ("svc-dashboard-build", "Could your team build our first dashboards for us?",
     [*SERVICE_DOCS, "feature-dashboards-reports.md"], "Custom Dashboard Build", None, "services"),
    ("seats-scale", "How many users are included in the Scale plan?",
     ["plan-scale.md", "compare-plans.html", "product-overview.md", "policy-billing-payments.md", "faq-pricing.txt",
      "faq.csv", "price-list.csv"], "Insight Scale (monthly)", None, "product"),
    ("sources-growth", "How many data sources can we connect on Growth?",
     ["plan-growth.md", "compare-plans.html", "product-overview.md", "integrations.html",
      "addon-data-connectors.md", "price-list.csv"], "Insight Growth (monthly)", None, "product"),
    ("starter-scheduled", "Does the Starter plan include scheduled email reports?",
     ["plan-starter.md", "compare-plans.html", "feature-dashboards-reports.md"], "Insight Starter (monthly)", None,
     "product"),
    ("starter-hubspot", "Can we connect HubSpot if we are on the Starter plan?",
     ["plan-starter.md", "faq.csv", "integrations.html", "addon-data-connectors.md"], "Insight Starter (monthly)",
     "Marketing & Advertising", "integrations"),
    ("int-shopify", "Do you integrate with Shopify?",
     ["integrations.html", "product-overview.md", "plan-growth.md", "addon-data-connectors.md", "faq.csv",
      "case-study-harbor-outfitters.docx", "price-list.csv"], "Insight Growth (monthly)", "E-commerce",
     "integrations"),
    ("int-netsuite", "Can Northwind pull data from NetSuite?",
     ["addon-data-connectors.md", "integrations.html", "price-list.csv", "case-study-atlas-components.md"],
     "Data Connectors Pack (annual)", "Manufacturing", "integrations"),
    ("int-snowflake-sync", "Which plan syncs with Snowflake, and how often?",
     ["feature-warehouse-sync.md", "plan-scale.md", "integrations.html", "faq.csv", "faq-technical.txt",
      "release-highlights-2026.pdf", "product-overview.md", "compare-plans.html"], "Insight Scale (monthly)",
     "Software", "integrations"),
    ("int-bigquery-growth", "Can we use our BigQuery data on the Growth plan?",
     ["feature-warehouse-sync.md", "faq-technical.txt", "integrations.html", "plan-growth.md"],
     "Insight Growth (monthly)", "Software", "integrations"),
    ("int-redshift", "We are on Redshift. Is that supported for warehouse sync?",
     ["feature-warehouse-sync.md", "plan-scale.md", "release-highlights-2026.pdf", "integrations.html",
      "product-overview.md", "price-list.csv"], "Insight Scale (annual)", "Logistics", "integrations"),
    ("rls-plan", "Which plan lets each regional team see only its own data?",
     ["feature-row-level-permissions.md", "plan-scale.md", "compare-plans.html", "faq.csv", "product-overview.md",
      "case-study-summit-capital.pdf"], "Insight Scale (annual)", "Financial Services", "product"),
    ("embed-portal", "Can we embed dashboards in our customer portal?",
     ["feature-dashboards-reports.md", "faq-technical.txt", "faq.csv", "plan-scale.md",
      "release-highlights-2026.pdf"], "Insight Scale (monthly)", "Software", "product"),
    ("api-limits", "Do you have an API, and what are the rate limits?",
     ["faq-technical.txt", "plan-growth.md", "compare-plans.html"], "Insight Growth (monthly)", "Software",
     "product"),
    ("ai-features", "What exactly does AI Insights do?",
     ["addon-ai-insights.md", "release-highlights-2026.pdf", "faq-pricing.txt", "price-list.csv"],
     "AI Insights (annual)", None, "product"),
    ("ai-german", "Can our team ask AI Insights questions in German?",
     ["addon-ai-insights.md", "faq.csv", "release-highlights-2026.pdf"], "AI Insights (monthly)", None, "product"),
    ("ai-training-data", "Will our data be used to train your AI models?",
     ["addon-ai-insights.md", "faq.csv"], "AI Insights (monthly)", "Financial Services", "product"),
    ("data-freshness", "How often is the data refreshed?",
     ["faq-technical.txt", "feature-dashboards-reports.md", "competitor-comparison.html",
      "addon-data-connectors.md", "feature-warehouse-sync.md"], "Insight Growth (monthly)", None, "product"),
    ("dashboards-starter", "Is there a limit on the number of dashboards on Starter?",
     ["plan-starter.md", "compare-plans.html", "feature-dashboards-reports.md", "price-list.csv"],
     "Insight Starter (monthly)", None, "product"),
    ("history-growth", "How many months of event history does Growth keep?",
     ["plan-growth.md", "compare-plans.html", "faq-technical.txt"], "Insight Growth (monthly)", None, "product"),
    ("reports-slack", "Can reports be sent to our Slack channel automatically?",
     ["feature-dashboards-reports.md", "plan-growth.md", "product-overview.md"], "Insight Growth (monthly)", None,
     "product"),
    ("vs-looker", "Why would we pick Northwind over Looker?",
     ["competitor-comparison.html"], "Insight Growth (monthly)", None, "competition"),
    ("vs-powerbi", "We already have Power BI licences. What does Northwind do differently?",
     ["competitor-comparison.html"], "Insight Growth (monthly)", None, "competition"),
    ("ui-languages", "Is the interface available in Japanese?",
     ["faq-general.txt", "release-highlights-2026.pdf"], "Insight Starter (monthly)", None, "product"),
    ("firewall-db", "Our PostgreSQL database is behind a firewall. Can you still connect to it?",
     ["faq-technical.txt"], "Insight Growth (monthly)", None, "integrations"),
    ("browsers-mac", "Half of our team works on Macs. Do we need to install anything?",
     ["faq-technical.txt", "competitor-comparison.html"], "Insight Growth (monthly)", None, "product"),
    ("agency-clients", "We are an agency. Can each client see only their own dashboards?",
     ["faq-general.txt", "feature-row-level-permissions.md", "case-study-lumen-media.pdf"],
     "Insight Scale (monthly)", "Marketing & Advertising", "product"),
    ("cancel-monthly", "If we start monthly, can we cancel at any time?",
     ["policy-refunds-cancellation.md", "faq.csv"], "Insight Growth (monthly)", None, "policy"),
    ("refund-annual", "If we pay annually and it does not work out, do we get a refund?",
     ["policy-refunds-cancellation.md", "faq.csv"], "Insight Growth (annual)", None, "policy"),
    ("data-after-cancel", "What happens to our data if we cancel?",
     ["policy-refunds-cancellation.md", "policy-security-gdpr.md"], "Insight Growth (monthly)", None, "policy"),
    ("sla-uptime", "Do you guarantee uptime in a contract?",
     ["policy-sla-support.md", "plan-enterprise.md", "faq.csv", "compare-plans.html", "price-list.csv",
      "competitor-comparison.html"], "Insight Enterprise (annual)", None, "policy"),
    ("sla-credits", "What compensation do we get if the service is down?",
     ["policy-sla-support.md"], "Insight Enterprise (annual)", None, "policy"),
    ("maintenance", "When do you do planned maintenance?",
     ["policy-sla-support.md", "faq.csv"], "Insight Scale (monthly)", "Logistics", "policy"),
    ("support-growth", "How quickly does support respond on the Growth plan?",
     ["policy-sla-support.md", "faq.csv", "plan-growth.md", "addon-priority-support.md", "compare-plans.html"],
     "Insight Growth (monthly)", None, "policy"),
    ("soc2", "Are you SOC 2 certified?",
     ["policy-security-gdpr.md", "faq.csv", "plan-enterprise.md", "competitor-comparison.html",
      "release-highlights-2026.pdf"], "Insight Enterprise (annual)", "Financial Services", "security"),
    ("gdpr-dpa", "Will you sign a GDPR data processing agreement with us?",
     ["policy-security-gdpr.md", "faq.csv"], "Insight Scale (annual)", None, "security"),
    ("eu-residency", "Can our data be stored in the EU?",
     ["policy-security-gdpr.md", "faq.csv", "faq-general.txt", "case-study-summit-capital.pdf"],
     "Insight Scale (annual)", None, "security"),
    ("hipaa", "We are a clinic group. Do you sign a HIPAA BAA?",
     ["policy-security-gdpr.md", "plan-enterprise.md", "faq.csv", "case-study-meridian-health.docx"],
     "Insight Enterprise (annual)", "Healthcare", "security"),
    ("encryption", "How is our data encrypted?",
     ["policy-security-gdpr.md", "faq-technical.txt"], "Insight Scale (monthly)", "Financial Services", "security"),
    ("backups", "How often do you back up our data and for how long are backups kept?",
     ["policy-security-gdpr.md"], "Insight Scale (monthly)", None, "security"),
    ("sso-okta", "We use Okta. Can our people log in with SSO?",
     ["addon-advanced-security.md", "faq-technical.txt", "plan-enterprise.md"], "Advanced Security (annual)", None,
     "security"),
    ("mfa", "Do you support multi-factor authentication on the smaller plans?",
     ["addon-advanced-security.md", "faq-technical.txt", "policy-security-gdpr.md"], "Insight Starter (monthly)",
     None, "security"),
    ("trial-basics", "Can we try it before buying, and do you need a credit card?",
     ["free-trial.md", "faq.csv", "faq-general.txt", "compare-plans.html"], "Insight Growth (monthly)", None,
     "trial"),
    ("trial-extend", "Our trial ends tomorrow and we have not finished testing. Can it be extended?",
     ["free-trial.md", "faq-general.txt"], "Insight Growth (monthly)", None, "trial"),
    ("trial-end", "What happens to our dashboards when the trial ends?",
     ["free-trial.md"], "Insight Growth (monthly)", None, "trial"),
    ("onboarding-time", "How long does it usually take to get up and running?",
     ["policy-onboarding.md", "faq-general.txt"], "Onboarding Essentials", None, "onboarding"),
    ("onboarding-premium", "What is included in Onboarding Premium?",
     ["policy-onboarding.md", "professional-services.html", "faq.csv", "price-list.csv"], "Onboarding Premium",
     "Healthcare", "onboarding"),
    ("upgrade-proration", "If we start on Growth and upgrade mid-year, how is that billed?",
     ["policy-refunds-cancellation.md", "faq-pricing.txt", "plan-starter.md"], "Insight Growth (annual)", None,
     "billing"),
    ("vuln-report", "Our security team asks how to report a vulnerability to you.",
     ["policy-security-gdpr.md"], "Insight Enterprise (annual)", None, "security"),
    ("case-ecommerce", "Do you have results from other e-commerce companies?",
     ["case-study-harbor-outfitters.docx", "customers.html"], "Insight Growth (monthly)", "E-commerce",
     "case_study"),
    ("case-healthcare", "Has any healthcare organisation used Northwind for clinic reporting?",
     ["case-study-meridian-health.docx", "customers.html"], "Insight Enterprise (annual)", "Healthcare",
     "case_study"),
    ("case-logistics", "Any logistics companies using this for delivery performance?",
     ["case-study-cedar-freight.docx", "customers.html"], "Insight Scale (monthly)", "Logistics", "case_study"),
    ("case-finserv", "Do you have a financial services customer with regional teams like ours?",
     ["case-study-summit-capital.pdf", "customers.html"], "Insight Scale (annual)", "Financial Services",
     "case_study"),
    ("case-agency", "Which agencies use Northwind for client reporting, and what did they gain?",
     ["case-study-lumen-media.pdf", "customers.html"], "Insight Growth (monthly)", "Marketing & Advertising",
     "case_study"),
    ("case-saas", "Has a SaaS company used this for MRR and churn reporting?",
     ["case-study-kestrel-software.md", "customers.html"], "Insight Growth (monthly)", "Software", "case_study"),
    ("case-manufacturing", "Do you have manufacturing customers who moved off Excel?",
     ["case-study-atlas-components.md", "customers.html"], "Insight Scale (annual)", "Manufacturing",
     "case_study"),
    ("case-harbor-golive", "How long did it take Harbor Outfitters to go live?",
     ["case-study-harbor-outfitters.docx"], "Onboarding Essentials", "E-commerce", "case_study"),
    ("case-atlas-migration", "How many reports did Atlas Components migrate, and how long did it take?",
     ["case-study-atlas-components.md", "customers.html"], "Data Migration", "Manufacturing", "case_study"),
    ("company-customers", "How many companies use Northwind Insight?",
     ["product-overview.md", "customers.html"], "Insight Growth (monthly)", None, "company"),
    ("ai-launch", "When did AI Insights become generally available?",
     ["release-highlights-2026.pdf", "addon-ai-insights.md"], "AI Insights (monthly)", None, "product"),
    ("company-founded", "How long has Northwind been around, and where are you based?",
     ["product-overview.md", "faq-general.txt"], "Insight Enterprise (annual)", None, "company"),
]  # fmt: skip

# (id, question, product, industry or None, topic): the knowledge base does not answer these.
UNANSWERABLE: list[tuple[str, str, str, str | None, str]] = [
    ("u-iso27001", "Are you ISO 27001 certified?", "Insight Enterprise (annual)", "Financial Services", "security"),
    ("u-nonprofit", "Do you have a discount for non-profits?", "Insight Growth (monthly)", "Education", "pricing"),
    ("u-mobile-app", "Is there a native iPhone app for viewing dashboards?", "Insight Growth (monthly)", None,
     "product"),
    ("u-sap", "Can you connect to SAP S/4HANA?", "Data Connectors Pack (annual)", "Manufacturing", "integrations"),
    ("u-onprem", "Can we run Northwind on our own servers, on premise?", "Insight Enterprise (annual)", None,
     "product"),
    ("u-reseller", "Do you have a reseller programme, and what margin do partners get?", "Insight Growth (monthly)",
     "Professional Services", "company"),
    ("u-investors", "Who are Northwind's investors?", "Insight Enterprise (annual)", None, "company"),
    ("u-headcount", "How many employees does Northwind have?", "Insight Enterprise (annual)", None, "company"),
    ("u-six-month", "Could we sign a six-month contract instead of a year?", "Insight Scale (annual)", None,
     "pricing"),
    ("u-fedramp", "Are you FedRAMP authorised?", "Insight Enterprise (annual)", None, "security"),
    ("u-oracle", "Do you have a connector for Oracle Database?", "Insight Growth (monthly)", "Manufacturing",
     "integrations"),
    ("u-whitelabel", "Can we white-label the dashboards with our own brand and domain?", "Insight Scale (monthly)",
     "Marketing & Advertising", "product"),
    ("u-chrome-ext", "Is there a Chrome extension?", "Insight Starter (monthly)", None, "product"),
    ("u-nps", "What is your customer churn rate or NPS?", "Insight Growth (monthly)", None, "company"),
    ("u-reference-japan", "Can we talk to a reference customer in Japan?", "Insight Scale (annual)", None,
     "case_study"),
    ("u-dbt", "When will you release a dbt integration?", "Insight Scale (monthly)", "Software", "integrations"),
    ("u-kafka", "Can dashboards update from Kafka streams with sub-second latency?", "Insight Scale (monthly)",
     "Software", "product"),
    ("u-price-match", "Will you match the price Microsoft quoted us for Power BI?", "Insight Growth (annual)", None,
     "pricing"),
    ("u-csv-limit", "What is the largest CSV file we can upload?", "Insight Starter (monthly)", None, "product"),
    ("u-free-plan", "Is there a free-forever plan for a single user?", "Insight Starter (monthly)", None, "pricing"),
    ("u-python-sdk", "Do you have a Python SDK?", "Insight Growth (monthly)", "Software", "product"),
    ("u-rto", "What are your recovery time and recovery point objectives?", "Insight Enterprise (annual)",
     "Financial Services", "security"),
    ("u-hospitality-case", "Do you have a case study from a hotel group?", "Insight Growth (monthly)",
     "Hospitality", "case_study"),
    ("u-3yr-discount", "Exactly what percentage off do we get for a three-year upfront payment?",
     "Insight Enterprise (annual)", None, "pricing"),
    ("u-wcag", "Is the dashboard WCAG 2.1 AA accessible?", "Insight Growth (monthly)", "Education", "product"),
    ("u-office-europe", "Do you have an office in Europe we could visit?", "Insight Scale (annual)", None, "company"),
    ("u-teams", "Can alerts be sent to Microsoft Teams?", "AI Insights (monthly)", None, "product"),
    ("u-ccpa", "Are you CCPA compliant?", "Insight Growth (monthly)", "Retail", "security"),
    ("u-ai-question-limit", "Is there a monthly limit on AI Insights questions?", "AI Insights (monthly)", None,
     "product"),
    ("u-zoho", "Does Northwind integrate with Zoho CRM?", "Data Connectors Pack (monthly)", None, "integrations"),
]  # fmt: skip

# Behaviour cases: (id, edge, question/need, expected sources or [] , answerable, product, industry, stage, history)
EDGE: list[tuple[str, str, str, list[str], bool, str, str | None, str, list[str]]] = [
    ("e-reject-powerbi", "rejection",
     "The lead wrote that they chose Power BI. Close the loop politely without pushing.",
     [], False, "Insight Growth (monthly)", None, "disqualified",
     ["demo held", "proposal sent", "reply: 'We went with Power BI, thanks for your time.'"]),
    ("e-reject-unsubscribe", "rejection",
     "The lead asked not to be contacted again. Acknowledge and confirm no further emails.",
     [], False, "Insight Starter (monthly)", None, "disqualified",
     ["intro email sent", "reply: 'Please remove me from your list.'"]),
    ("e-reject-inhouse", "rejection",
     "The lead is building dashboards in-house. Leave the door open, mention the migration service if they change "
     "their mind.", ["professional-services.html", "policy-onboarding.md", "price-list.csv"], True,
     "Data Migration", "Software", "disqualified",
     ["demo held", "reply: 'Our engineers will build it in-house.'"]),
    ("e-price-growth", "price_objection",
     "Growth at $399 a month is above our budget. Is there a cheaper way to start?",
     ["plan-starter.md", "policy-billing-payments.md", "faq-pricing.txt", "compare-plans.html", "price-list.csv",
      "product-overview.md"], True, "Insight Growth (monthly)", None, "qualified",
     ["demo held", "pricing page visited 3 times", "objection: price"]),
    ("e-price-scale", "price_objection",
     "Scale is too expensive for us; we only need the Snowflake sync.",
     ["feature-warehouse-sync.md", "faq-technical.txt", "plan-scale.md", "policy-billing-payments.md"], True,
     "Insight Scale (monthly)", "Software", "qualified", ["demo held", "objection: price"]),
    ("e-price-enterprise", "price_objection",
     "$36,000 a year for Enterprise is hard to justify. What do we actually get for it?",
     ["plan-enterprise.md", "compare-plans.html", "policy-sla-support.md"], True, "Insight Enterprise (annual)",
     "Healthcare", "meeting_booked", ["discovery call", "proposal sent", "objection: price"]),
    ("e-price-annual", "price_objection",
     "Paying a full year up front is a lot. Any way to lower the monthly cost?",
     ["policy-billing-payments.md", "faq-pricing.txt", "plan-growth.md", "compare-plans.html"], True,
     "Insight Growth (annual)", "Retail", "engaged", ["pricing page visited", "objection: price"]),
    ("e-price-competitor", "price_objection",
     "Metabase is free. Why should we pay for Northwind?",
     ["competitor-comparison.html"], True, "Insight Starter (monthly)", "Software", "engaged",
     ["webinar attended", "objection: price", "objection: competitor"]),
    ("e-cold-trial", "cold",
     "Free-trial sign-up 95 days ago, never logged in since. Re-engage with something useful.",
     ["free-trial.md", "faq-general.txt"], True, "Insight Growth (monthly)", None, "contacted",
     ["trial started", "no logins after day 2", "3 emails unopened"]),
    ("e-cold-webinar", "cold",
     "Attended the spreadsheets-to-self-serve webinar months ago, no reply since. Share a relevant customer story.",
     ["case-study-kestrel-software.md", "customers.html", "case-study-atlas-components.md",
      "case-study-harbor-outfitters.docx", "case-study-lumen-media.pdf"], True, "Insight Growth (monthly)",
     "Software", "contacted", ["webinar attended", "2 emails unopened"]),
    ("e-cold-ebook", "cold",
     "Downloaded the e-commerce KPI guide 4 months ago, never replied. Offer the e-commerce dashboard template and "
     "a result from a similar shop.", ["case-study-harbor-outfitters.docx", "feature-dashboards-reports.md",
                                       "customers.html"], True, "Insight Starter (monthly)", "E-commerce",
     "contacted", ["content download", "no email opens in 90 days"]),
    ("e-cold-noshow", "cold",
     "Booked a demo and did not show up; no reply to two emails. Offer to rebook.",
     ["free-trial.md", "faq-general.txt"], True, "Insight Growth (monthly)", None, "meeting_booked",
     ["demo booked", "no-show", "2 emails unopened"]),
    ("e-notnow-nextyear", "not_now",
     "The lead said 'maybe next year'. Send a short, low-pressure note they can come back to.",
     ["free-trial.md", "faq-general.txt"], True, "Insight Growth (monthly)", None, "engaged",
     ["intro email", "reply: 'Not a priority right now. Maybe next year.'"]),
    ("e-notnow-budget", "not_now",
     "No budget until next quarter. Keep them warm without a hard sell; mention the annual saving for when they "
     "buy.", ["policy-billing-payments.md", "faq-pricing.txt", "compare-plans.html", "product-overview.md"], True,
     "Insight Scale (annual)", "Financial Services", "qualified", ["demo held", "reply: 'No budget until Q2.'"]),
    ("e-notnow-migration", "not_now",
     "They are mid-migration to Snowflake and want to talk in three months. Note what warehouse sync will give "
     "them.", ["feature-warehouse-sync.md", "plan-scale.md", "integrations.html"], True, "Insight Scale (monthly)",
     "Logistics", "engaged", ["discovery call", "reply: 'Ask me again after our Snowflake migration.'"]),
    ("e-notnow-renewal", "not_now",
     "Their Tableau contract renews in 5 months. Offer to help plan a switch before then.",
     ["professional-services.html", "policy-onboarding.md", "competitor-comparison.html", "price-list.csv"], True,
     "Data Migration", "Retail", "engaged", ["demo held", "reply: 'Tableau renews in 5 months.'"]),
]  # fmt: skip

FIRST = ("Emily", "Oliver", "Lukas", "Camille", "Lucía", "João", "Daan", "Aarav", "Yui", "Chloe", "Marcus",
         "Fiona", "Anna", "Hugo", "Diego", "Mariana", "Sanne", "Rohan", "Kenji", "Liam", "Rachel", "Harry", "Tobias",
         "Léa")  # fmt: skip
LAST = ("Johnson", "Wright", "Becker", "Dubois", "Navarro", "Silva", "de Vries", "Sharma", "Sato", "Nguyen",
        "Carter", "Murray", "Klein", "Girard", "Romero", "Costa", "Bakker", "Iyer", "Yamada", "O'Brien")  # fmt: skip
BRANDS = ("Cobalt", "Juniper", "Basalt", "Quill", "Tidal", "Opal", "Sable", "Wren", "Nimbus", "Granite", "Lark",
          "Falcon", "Mosaic", "Helix", "Prism", "Alder", "Ember", "Vela", "Fjord", "Heron")  # fmt: skip
NOUNS = {
    "Software": ("Labs", "Systems", "Cloud"), "E-commerce": ("Goods", "Shop", "Outfitters"),
    "Financial Services": ("Capital", "Finance", "Payments"), "Marketing & Advertising": ("Media", "Studio", "Agency"),
    "Healthcare": ("Health", "Clinics", "Care"), "Manufacturing": ("Industries", "Works", "Components"),
    "Logistics": ("Logistics", "Freight", "Fleet"), "Retail": ("Stores", "Retail", "Brands"),
    "Professional Services": ("Consulting", "Advisory", "Partners"), "Education": ("Academy", "Learning"),
    "Hospitality": ("Hotels", "Resorts"), "Real Estate": ("Realty", "Properties"),
}  # fmt: skip
INDUSTRIES = tuple(NOUNS)
SIZES = ("11-50", "51-200", "51-200", "201-1000", "201-1000", "1001-5000", "1-10")
REGIONS = (("amer", "US"), ("amer", "CA"), ("emea", "GB"), ("emea", "DE"), ("emea", "FR"), ("emea", "NL"),
           ("apac", "AU"), ("apac", "IN"), ("apac", "SG"))  # fmt: skip
TONES = ("friendly", "formal", "concise", "consultative")
HISTORY = (
    "visited /pricing", "visited /integrations", "opened 'How Harbor Outfitters cut reporting time by 70%'",
    "attended webinar 'Board-ready revenue dashboards in a week'", "downloaded 'The modern analytics stack'",
    "demo request form", "free trial started", "discovery call held", "demo held", "replied to intro email",
    "chat on website", "visited /security", "visited /customers",
)  # fmt: skip
OBJECTIONS = ("price", "timing", "competitor", "security review", "integration", "internal resources")
STAGES = ("new", "contacted", "engaged", "qualified", "meeting_booked")


def tier_of(score: int) -> str:
    return "A" if score >= 40 else "B" if score >= 15 else "C"


def lead(rng: random.Random, *, industry: str | None, stage: str | None = None,
         history: list[str] | None = None, edge: str | None = None) -> dict[str, Any]:  # fmt: skip
    industry = industry or rng.choice(INDUSTRIES)
    region, country = rng.choice(REGIONS)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    brand = rng.choice(BRANDS)
    # Scores spread over the three tiers; behaviour cases get the scores their situation implies.
    if edge in ("cold", "rejection"):
        score = rng.randint(2, 18)
    elif edge == "not_now":
        score = rng.randint(10, 35)
    else:
        score = rng.choice((rng.randint(3, 14), rng.randint(15, 39), rng.randint(40, 92)))
    days = rng.randint(60, 180) if edge == "cold" else rng.randint(0, 30)
    objections = []
    if edge == "price_objection":
        objections.append("price")
    if rng.random() < 0.35:
        objections.append(rng.choice(OBJECTIONS))
    return {
        "lead_name": f"{first} {last}",
        "company_name": f"{brand} {rng.choice(NOUNS[industry])}",
        "industry": industry,
        "company_size": rng.choice(SIZES),
        "region": region,
        "country": country,
        "lead_stage": stage or rng.choice(STAGES),
        "lead_score": score,
        "lead_tier": tier_of(score),
        "engagement_score": max(0, min(100, score + rng.randint(-15, 25))),
        "days_since_contact": days,
        "interaction_history": history or rng.sample(HISTORY, rng.randint(1, 4)),
        "objections_raised": sorted(set(objections)),
        "tone": rng.choice(TONES),
    }


def build() -> list[dict[str, Any]]:
    manifest = json.loads(MANIFEST.read_text())
    rng = random.Random(20261122)
    rows: list[dict[str, Any]] = []

    def add(sid: str, question: str, sources: list[str], answerable: bool, product: str, industry: str | None,
            topic: str, edge: str | None = None, **lead_kw: Any) -> None:  # fmt: skip
        for source in sources:
            if source not in manifest:
                raise SystemExit(f"{sid}: {source} is not in the manifest")
        row = {"id": sid, **lead(rng, industry=industry, edge=edge, **lead_kw), "product_name": product,
               "question": question, "topic": topic, "answerable": answerable,
               "expected_sources": sorted(set(sources)), "edge": edge}  # fmt: skip
        rows.append(row)

    for sid, question, sources, product, industry, topic in ANSWERABLE:
        add(sid, question, sources, True, product, industry, topic)
    for sid, question, product, industry, topic in UNANSWERABLE:
        add(sid, question, [], False, product, industry, topic)
    for sid, edge, question, sources, answerable, product, industry, stage, history in EDGE:
        add(sid, question, sources, answerable, product, industry, edge, edge=edge, stage=stage, history=history)
    # The most common questions asked again by leads of other tiers, industries and tones.
    for sid, question, sources, product, industry, topic in ANSWERABLE[:24:2]:
        add(f"{sid}-2", question, sources, True, product, industry, topic)
    return rows


def main() -> None:
    rows = build()
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    with (HERE / "situations.jsonl").open("w") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    unanswerable = sum(1 for r in rows if not r["answerable"])
    tiers = {t: sum(1 for r in rows if r["lead_tier"] == t) for t in "ABC"}
    print(f"{len(rows)} situations, {unanswerable} unanswerable, tiers {tiers}")


if __name__ == "__main__":
    main()
