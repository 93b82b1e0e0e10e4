"""Claim extraction and verification: what counts as a claim, and seeded wrong facts that must be caught."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from leadpilot.followup.grounding import check_claims, extract_claims, split_sentences


@dataclass(frozen=True)
class Source:
    chunk_id: int
    document_title: str
    text: str


SOURCES = [
    Source(
        1,
        "Pricing 2026",
        "The Growth plan costs $399 per month and includes 10 seats and 20 data sources. "
        "Annual billing for the Growth plan is $3,990 per year, which is two months free.",
    ),
    Source(
        2,
        "Globex case study",
        "Globex Manufacturing cut the time spent preparing its month-end report by 35% in the first quarter.",
    ),
    Source(
        3,
        "Security",
        "Insight Scale is the fastest way to sync Snowflake data into dashboards. "
        "The new connector ships on March 3, 2026.",
    ),
]
FACTS = {
    "company_name": "Initech",
    "first_name": "Ada",
    "sender_name": "Sam Carter",
    "org_name": "Northwind",
    "product:G-M": "Insight Growth (monthly): USD 399.00 per month",
    "budget": "USD 20,000.00",
}
PRODUCTS = {
    "Insight Growth": "Insight Growth (monthly)",
    "Growth plan": "Insight Growth (monthly)",
    "Insight Scale": "Insight Scale (monthly)",
}


def _claims(text: str) -> list[tuple[str, str]]:
    return [(c.kind, c.text) for c in extract_claims(text, product_names=PRODUCTS)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Our mid-tier plan at $299/month includes invoicing.", [("money", "$299/month")]),
        ("It costs USD 3,990 per year.", [("money", "USD 3,990 per year")]),
        ("Teams see a 40% reduction in errors.", [("percentage", "40%")]),
        ("It saves 15-20 hours per week.", [("number", "15-20 hours")]),
        ("Track 10M events with 25 seats.", [("number", "10M events"), ("number", "25 seats")]),
        ("The release is on March 3, 2026.", [("date", "March 3, 2026")]),
        ("We start in Q3 2026.", [("date", "Q3 2026")]),
        ("The Growth plan suits you.", [("product", "Growth plan")]),
        ("Customers like Anderson Corp love it.", [("company", "Anderson Corp")]),
        ("We are the #1 platform and guaranteed to work.", [("superlative", "#1"), ("superlative", "guaranteed")]),
        ("Best regards, what is the best time to talk?", []),
        ("Thanks for your time on our call.", []),
    ],
)
def test_claims_are_extracted_by_kind(text: str, expected: list[tuple[str, str]]) -> None:
    assert _claims(text) == expected


def test_money_is_normalised_with_currency_and_period() -> None:
    (claim,) = extract_claims("Pay $3,990.00 a year.")
    assert claim.value == ("USD", "3990", "year")
    (claim,) = extract_claims("Pay 1.2k EUR")
    assert claim.value == ("EUR", "1200", None)


def test_sentences_and_list_items_are_split() -> None:
    assert split_sentences("Hi Ada,\n\n- First point. Second point!\n1. Third") == [
        "Hi Ada,",
        "First point.",
        "Second point!",
        "Third",
    ]


def _verdicts(draft: str) -> dict[str, str]:
    report = check_claims(draft, sources=SOURCES, crm_facts=FACTS, product_names=PRODUCTS)
    return {v.claim: v.verdict for v in report.verdicts}


def test_facts_stated_by_a_source_or_the_crm_are_supported_with_their_evidence() -> None:
    draft = (
        "Hi Ada, the Growth plan costs $399 per month, or $3,990 per year when billed annually. "
        "Globex Manufacturing cut the time spent preparing its month-end report by 35%. "
        "The new connector ships on March 3, 2026. Sam Carter, Northwind"
    )
    report = check_claims(draft, sources=SOURCES, crm_facts=FACTS, product_names=PRODUCTS)
    assert report.verified, report.feedback()
    by_claim = {v.claim: v for v in report.verdicts}
    assert by_claim["$3,990 per year"].chunk_id == 1
    assert "$3,990 per year" in (by_claim["$3,990 per year"].quote or "")
    assert by_claim["35%"].chunk_id == 2
    assert by_claim["$399 per month"].source == "crm"  # the price list is part of the CRM record
    assert by_claim["Ada"].crm_fact == "first_name"


@pytest.mark.parametrize(
    ("draft", "claim"),
    [
        ("The Growth plan costs $349 per month.", "$349 per month"),  # wrong price
        ("The Growth plan costs $3,990 per month.", "$3,990 per month"),  # right amount, wrong period
        ("Globex Manufacturing cut reporting time by 45%.", "45%"),  # wrong percentage
        ("It includes 15 seats.", "15 seats"),  # wrong number
        ("Anderson Corp reduced billing cycles with our dashboards.", "Anderson Corp"),  # invented customer story
        ("We are the #1 analytics platform for manufacturers.", "#1"),  # invented superlative
        ("Our support is guaranteed to answer within an hour.", "guaranteed"),
        ("The connector ships on April 9, 2026.", "April 9, 2026"),  # wrong date
    ],
)
def test_seeded_wrong_facts_are_unsupported(draft: str, claim: str) -> None:
    assert _verdicts(draft)[claim] == "unsupported"


def test_a_superlative_is_supported_only_where_a_source_says_it_about_the_same_thing() -> None:
    said = _verdicts("Insight Scale is the fastest way to sync your Snowflake data into dashboards.")
    assert said["fastest"] == "supported"
    unrelated = _verdicts("Our onboarding team is the fastest in the industry at answering tickets.")
    assert unrelated["fastest"] == "unsupported"


def test_a_name_from_a_source_used_in_an_unrelated_sentence_is_unsupported() -> None:
    verdicts = _verdicts("Globex Manufacturing signed a three-year enterprise contract with a penalty clause.")
    assert verdicts["Globex Manufacturing"] == "unsupported"


def test_a_draft_without_checkable_claims_is_verified() -> None:
    report = check_claims("Would you have time for a short call this week?", sources=SOURCES, crm_facts=FACTS)
    assert report.verified
    assert report.verdicts == ()
    assert report.supported_share == 1.0


PLANS = [
    Source(
        10, "Add-ons", "AI Insights costs $249 per month or $2,490 per year.\nAdvanced Security costs $1,990 per year."
    ),
    Source(11, "Release notes", "March 2026: AI Insights became generally available."),
    Source(12, "Case study: Cedar Freight", "Cedar Freight runs 40 depots.\nOn-time delivery rose from 91% to 96%."),
    Source(13, "Company", "Northwind Analytics was founded in 2016."),
]
ADDONS = {"AI Insights": "AI Insights (monthly)", "Advanced Security": "Advanced Security (annual)",
          "Priority Support": "Priority Support (annual)"}  # fmt: skip


def _plan_verdicts(draft: str) -> dict[str, str]:
    report = check_claims(draft, sources=PLANS, crm_facts={}, product_names=ADDONS)
    return {v.claim: v.verdict for v in report.verdicts}


def test_a_price_must_be_stated_for_the_product_the_sentence_names() -> None:
    assert _plan_verdicts("Advanced Security costs $1,990 per year.")["$1,990 per year"] == "supported"
    verdicts = _plan_verdicts("Advanced Security costs $2,490 per year.")  # AI Insights' price
    assert verdicts["$2,490 per year"] == "unsupported"
    assert _plan_verdicts("Priority Support costs $1,990 per year.")["$1,990 per year"] == "unsupported"


def test_a_date_must_date_the_same_event() -> None:
    assert _plan_verdicts("AI Insights became generally available in March 2026.")["March 2026"] == "supported"
    assert _plan_verdicts("Redshift sync was added in March 2026.")["March 2026"] == "unsupported"
    assert _plan_verdicts("Northwind Analytics was founded in 2016.")["2016"] == "supported"
    assert _plan_verdicts("Northwind Analytics was founded in 2012.")["2012"] == "unsupported"


def test_a_customer_named_in_a_case_study_supports_its_results_stated_elsewhere_in_it() -> None:
    verdicts = _plan_verdicts("Cedar Freight lifted on-time delivery from 91% to 96%.")
    assert verdicts == {"Cedar Freight": "supported", "91% to 96%": "supported"}
    assert _plan_verdicts("Anderson Freight lifted on-time delivery from 91% to 96%.")["Anderson Freight"] == (
        "unsupported"
    )


@dataclass(frozen=True)
class SectionedSource:
    chunk_id: int
    document_title: str
    text: str
    section: str | None = None


CATALOGUE = {"Starter": "Insight Starter (monthly)", "Growth": "Insight Growth (monthly)",
             "Scale": "Insight Scale (monthly)"}  # fmt: skip
PLAN_PAGES = [
    SectionedSource(
        20,
        "Insight Growth plan",
        "Scheduled reports delivered by email and Slack, daily or weekly.",
        "Insight Growth plan > What is included",
    ),
    SectionedSource(
        21,
        "Insight Growth plan",
        "Warehouse sync and row-level permissions are Scale features.",
        "Insight Growth plan > What Growth does not include",
    ),
    SectionedSource(
        22,
        "Insight Starter plan",
        "Scheduled reports by email or Slack (Growth and above).",
        "Insight Starter plan > What Starter does not include",
    ),
    SectionedSource(
        23,
        "Warehouse sync",
        "Warehouse sync copies your warehouse every 15 minutes.\nIt is included in the Scale plan.",
    ),
    SectionedSource(
        24, "Free trial", "Try the product free for 14 days.\nAfter a cancellation, data is kept for 30 days."
    ),
]


def _page_verdicts(draft: str) -> dict[str, str]:
    report = check_claims(draft, sources=PLAN_PAGES, crm_facts={}, product_names=CATALOGUE)
    return {v.claim: v.verdict for v in report.verdicts}


def test_what_a_sentence_says_of_a_plan_must_be_said_of_that_plan() -> None:
    assert _page_verdicts("The Growth plan includes scheduled reports by email and Slack.")["Growth"] == "supported"
    # said of another plan, in a chunk whose document is about Growth
    assert _page_verdicts("Warehouse sync is included in the Growth plan.")["Growth"] == "unsupported"
    # listed under "What Starter does not include": the heading denies it
    assert _page_verdicts("The Starter plan includes scheduled reports by email and Slack.")["Starter"] == "unsupported"


def test_a_count_stated_for_something_else_does_not_support_the_sentence() -> None:
    assert _page_verdicts("You can try the product free for 14 days.")["14 days"] == "supported"
    assert _page_verdicts("The free trial lasts 30 days.")["30 days"] == "unsupported"


def test_a_capability_without_a_figure_or_name_is_checked_as_a_statement() -> None:
    verdicts = _page_verdicts("Every plan can be self-hosted on your own servers.")
    assert verdicts == {"Every plan can be self-hosted on your own servers.": "unsupported"}
    assert _page_verdicts("Warehouse sync copies your warehouse every 15 minutes.") == {"15 minutes": "supported"}
    supported = _page_verdicts("Warehouse sync can copy your warehouse.")
    assert list(supported.values()) == ["supported"]
    # what the writer offers to do, and questions, state nothing about the product
    assert _page_verdicts("I can send you a short overview of the setup.") == {}
    assert _page_verdicts("Can the team export dashboards as PDF?") == {}


def test_the_crm_supports_naming_the_leads_product_not_what_a_sentence_says_it_includes() -> None:
    facts = {"product": "Insight Growth (monthly)"}

    def verdicts(draft: str) -> dict[str, str]:
        report = check_claims(draft, sources=PLAN_PAGES, crm_facts=facts, product_names=CATALOGUE)
        return {v.claim: v.verdict for v in report.verdicts}

    assert verdicts("I wanted to follow up on your interest in Insight Growth.") == {"Growth": "supported"}
    assert verdicts("The Growth plan includes row-level permissions.") == {"Growth": "unsupported"}


def test_sentences_are_embedded_once_per_process_and_model() -> None:
    from leadpilot.followup.grounding import embed_sentences
    from leadpilot.llm.fakes import HashingEmbedder

    class Counting(HashingEmbedder):
        embedded: list[str]

        def embed(self, texts):  # type: ignore[no-untyped-def]
            self.embedded = [*getattr(self, "embedded", []), *texts]
            return super().embed(texts)

    first = Counting(dimension=64)
    vectors = embed_sentences(first, ["Seats come in packs of five.", "Support answers within a day."])
    again = embed_sentences(first, ["Support answers within a day.", "A sentence not seen before."])
    assert first.embedded == ["Seats come in packs of five.", "Support answers within a day.",
                              "A sentence not seen before."]  # fmt: skip
    assert (again[0] == vectors[1]).all()
    other_model = Counting(dimension=32)  # another model's vectors are never reused
    assert embed_sentences(other_model, ["Seats come in packs of five."]).shape == (1, 32)
    assert other_model.embedded == ["Seats come in packs of five."]
