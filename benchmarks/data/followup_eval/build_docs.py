"""Build the DOCX and PDF documents of the demo knowledge base (src/leadpilot/demo/knowledge/).

The binary files are committed; this script is how they were made, so that their text can be reviewed and changed
here. Output is deterministic (fixed creation dates), so re-running it on unchanged text gives the same files.

    .venv/bin/pip install python-docx fpdf2        # both are in the ``test`` extra
    .venv/bin/python benchmarks/data/followup_eval/build_docs.py

PDF text stays within Latin-1: the core PDF fonts cannot encode anything else.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
OUT = ROOT / "src" / "leadpilot" / "demo" / "knowledge"
FIXED_DATE = datetime(2026, 11, 1, tzinfo=UTC)

# Each document: title, a facts line, then (heading, paragraphs or bullet lists) sections.
Section = tuple[str, list[str | list[str]]]

DOCX_DOCS: dict[str, tuple[str, str, list[Section]]] = {
    "case-study-harbor-outfitters.docx": (
        "Customer story: Harbor Outfitters",
        "Industry: e-commerce (outdoor apparel). Size: 180 employees. Location: Portland, Oregon. "
        "Plan: Growth with AI Insights and the Data Connectors Pack. Customer since 2023.",
        [
            ("The challenge", [
                "Harbor Outfitters sells outdoor apparel through its Shopify store and two marketplaces. Every Monday "
                "two analysts spent about 20 hours combining Shopify orders, ad spend from Google Ads and Meta Ads, "
                "and returns into a spreadsheet, and margin by channel was always a week old.",
            ]),
            ("The solution", [
                "Harbor Outfitters chose the Growth plan for its native Shopify connector and added the Data "
                "Connectors Pack for Google Ads and Meta Ads. With the Onboarding Essentials service, the team "
                "built its first five dashboards in two sessions and went live in 3 weeks.",
                "AI Insights anomaly alerts now warn the team by Slack when return rates or ad costs move "
                "outside their usual range.",
            ]),
            ("The results", [[
                "Weekly reporting time cut by 70%, from 20 hours to 6 hours.",
                "Daily margin by channel instead of a weekly spreadsheet.",
                "Return rate down 9% in two quarters after the returns dashboard showed which products "
                "were returned most.",
            ]]),
            ("In their words", [
                '"We stopped arguing about whose spreadsheet was right." - Head of E-commerce, Harbor Outfitters',
            ]),
        ],
    ),
    "case-study-meridian-health.docx": (
        "Customer story: Meridian Health",
        "Industry: healthcare (outpatient clinics). Size: 900 employees, 14 clinics. Location: Ohio. "
        "Plan: Enterprise with a HIPAA BAA and Onboarding Premium. Customer since 2024.",
        [
            ("The challenge", [
                "Meridian Health runs 14 outpatient clinics. Its monthly utilisation report took the operations "
                "team five working days to assemble from the scheduling system and spreadsheets sent by each clinic, "
                "so managers saw last month's problems only halfway through the next one.",
            ]),
            ("The solution", [
                "Meridian chose the Enterprise plan for the HIPAA business associate agreement, SSO and the 99.9% "
                "uptime SLA. With Onboarding Premium, a solutions engineer spent six weeks with the team on the data "
                "model, the clinic utilisation dashboards and training for clinic managers.",
                "Row-level permissions let each clinic manager see their own clinic, while head office sees all 14.",
            ]),
            ("The results", [[
                "Clinic utilisation up 12% within six months.",
                "No-show rate down from 11% to 7% after reminders were targeted with the dashboards.",
                "The monthly report is ready on the first working day of the month instead of after five days.",
            ]]),
            ("In their words", [
                '"Clinic managers now act on this week\'s numbers, not last month\'s." - VP of Operations, '
                "Meridian Health",
            ]),
        ],
    ),
    "case-study-cedar-freight.docx": (
        "Customer story: Cedar Freight",
        "Industry: logistics (regional freight). Size: 350 employees. Location: Dallas, Texas. "
        "Plan: Scale with warehouse sync from Snowflake. Customer since 2024.",
        [
            ("The challenge", [
                "Cedar Freight moves freight for retailers across Texas and Oklahoma. Shipment data sat in Snowflake, "
                "but dispatchers only saw on-time performance in a weekly PDF, too late to fix a failing route.",
            ]),
            ("The solution", [
                "Cedar Freight moved to the Scale plan to sync Snowflake every 15 minutes and built shipment SLA "
                "dashboards for each depot. Row-level permissions give each depot manager their own routes, and "
                "scheduled reports reach the dispatch Slack channel every morning at 6:00.",
            ]),
            ("The results", [[
                "On-time delivery rose from 91% to 96% in six months.",
                "Fleet cost per mile down 8% in the first year, from route-level cost dashboards.",
                "Customer SLA disputes settled in minutes with a shared dashboard instead of email threads.",
            ]]),
            ("In their words", [
                '"Dispatch sees a late route while there is still time to fix it." - Director of Operations, '
                "Cedar Freight",
            ]),
        ],
    ),
}  # fmt: skip

PDF_DOCS: dict[str, tuple[str, str, list[Section]]] = {
    "case-study-summit-capital.pdf": (
        "Customer story: Summit Capital Partners",
        "Industry: financial services (mid-market lending). Size: 420 employees. Location: London, United Kingdom. "
        "Plan: Scale with Advanced Security, EU hosting. Customer since 2025.",
        [
            ("The challenge", [
                "Summit Capital Partners lends to mid-market companies through six regional teams. Preparing the "
                "quarterly board pack took the finance team three days, and regional heads could not be given access "
                "to a shared spreadsheet without seeing every other region's loans.",
            ]),
            ("The solution", [
                "Summit chose the Scale plan for row-level permissions, so each of its six regional teams sees only "
                "its own portfolio, and added Advanced Security for SSO with Microsoft Entra ID and the audit log. "
                "Its workspace is hosted in the EU region (Frankfurt) under a GDPR data processing agreement.",
            ]),
            ("The results", [[
                "The board pack takes 4 hours instead of 3 days.",
                "Six regional teams work from the same dashboards, each seeing only its own data.",
                "Every export and permission change is recorded in the audit log for the compliance team.",
            ]]),
            ("In their words", [
                '"Our auditors liked the audit log as much as the board liked the dashboards." - CFO, Summit Capital '
                "Partners",
            ]),
        ],
    ),
    "case-study-lumen-media.pdf": (
        "Customer story: Lumen Media Group",
        "Industry: marketing and advertising agency. Size: 60 employees. Location: Berlin, Germany. "
        "Plan: Growth with the Data Connectors Pack. Customer since 2023.",
        [
            ("The challenge", [
                "Lumen Media Group runs paid social and search campaigns for 40 clients. Account managers copied "
                "figures from Google Ads, Meta Ads and LinkedIn Ads into client slides every Friday.",
            ]),
            ("The solution", [
                "Lumen connected its ad platforms through the Data Connectors Pack on the Growth plan, built one "
                "campaign dashboard template and sends each client a scheduled weekly report by email.",
            ]),
            ("The results", [[
                "Automated weekly reports for 40 clients save the team 25 hours a week.",
                "Client retention up 15% year on year, which Lumen attributes to more frequent reporting.",
                "New clients are onboarded to reporting in one day.",
            ]]),
            ("In their words", [
                '"Friday afternoons are for strategy again, not for copying numbers." - Managing Director, Lumen '
                "Media Group",
            ]),
        ],
    ),
    "release-highlights-2026.pdf": (
        "Northwind Insight: release highlights 2026",
        "What changed in Northwind Insight this year, by month of release.",
        [
            ("January 2026", [
                "Warehouse sync now runs every 15 minutes (previously every hour) for Snowflake and BigQuery on the "
                "Scale and Enterprise plans.",
            ]),
            ("March 2026", [
                "AI Insights is generally available: anomaly alerts, natural-language questions and weekly narrative "
                "summaries, as an add-on for any plan at $249 per month or $2,490 per year.",
            ]),
            ("May 2026", [
                "SCIM provisioning joins SSO/SAML and the audit log in the Advanced Security add-on and in Enterprise.",
            ]),
            ("June 2026", [
                "The annual SOC 2 Type II report for 2026 was issued.",
                "Natural-language questions in AI Insights can be asked in German, French and Spanish as well as "
                "English.",
            ]),
            ("August 2026", [
                "Amazon Redshift joins Snowflake and BigQuery in warehouse sync.",
                "Embedded dashboards with signed URLs for the Scale and Enterprise plans.",
            ]),
            ("October 2026", [
                "Conditional delivery for scheduled reports: send only when a metric crosses a threshold.",
                "The interface is available in Portuguese, Dutch and Japanese.",
            ]),
        ],
    ),
}  # fmt: skip


def build_docx(path: Path, title: str, facts: str, sections: list[Section]) -> None:
    import docx

    document = docx.Document()
    document.core_properties.created = FIXED_DATE.replace(tzinfo=None)
    document.core_properties.modified = FIXED_DATE.replace(tzinfo=None)
    document.core_properties.last_modified_by = "Northwind Analytics"
    document.core_properties.author = "Northwind Analytics"
    document.core_properties.title = title
    document.add_heading(title, level=1)
    document.add_paragraph(facts)
    for heading, blocks in sections:
        document.add_heading(heading, level=2)
        for block in blocks:
            if isinstance(block, list):
                for item in block:
                    document.add_paragraph(item, style="List Bullet")
            else:
                document.add_paragraph(block)
    document.save(str(path))


def build_pdf(path: Path, title: str, facts: str, sections: list[Section]) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(title)
    pdf.set_author("Northwind Analytics")
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "I", 10)
    pdf.multi_cell(0, 5, facts, new_x="LMARGIN", new_y="NEXT")
    for heading, blocks in sections:
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 13)
        pdf.multi_cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        for block in blocks:
            if isinstance(block, list):
                for item in block:
                    pdf.multi_cell(0, 6, f"- {item}", new_x="LMARGIN", new_y="NEXT")
            else:
                pdf.multi_cell(0, 6, block, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
    pdf.output(str(path))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, (title, facts, sections) in DOCX_DOCS.items():
        build_docx(OUT / name, title, facts, sections)
        print(f"wrote {name}")
    for name, (title, facts, sections) in PDF_DOCS.items():
        build_pdf(OUT / name, title, facts, sections)
        print(f"wrote {name}")


if __name__ == "__main__":
    main()
