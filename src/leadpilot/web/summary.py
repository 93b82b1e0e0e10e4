"""The overview's figures: record counts, leads per stage and the open pipeline per deal stage.

The figures come from the CRM services, whose repositories carry the tenant filter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from leadpilot.crm.companies.service import CompanyService
from leadpilot.crm.contacts.service import ContactService
from leadpilot.crm.deals.service import DealService
from leadpilot.crm.leads.service import LeadService
from leadpilot.crm.schemas import DealStage, LeadStage
from leadpilot.web.auth import WebContext

OPEN_DEAL_STAGES = [s.value for s in DealStage if s not in (DealStage.closed_won, DealStage.closed_lost)]


@dataclass
class Summary:
    contacts: int = 0
    companies: int = 0
    leads: int = 0
    open_leads: int = 0
    leads_by_stage: dict[str, int] = field(default_factory=dict)
    open_deals: int = 0
    # currency → amount of the open deals in that currency
    open_amount: dict[str, Decimal] = field(default_factory=dict)
    # deal stage → (count, amount in the main currency)
    pipeline: dict[str, tuple[int, Decimal]] = field(default_factory=dict)
    currency: str = "USD"
    won_amount: Decimal = Decimal(0)

    @property
    def main_open_amount(self) -> Decimal:
        return self.open_amount.get(self.currency, Decimal(0))

    @property
    def other_currencies(self) -> dict[str, Decimal]:
        return {c: a for c, a in self.open_amount.items() if c != self.currency}


def summarize(ctx: WebContext) -> Summary:
    session, principal = ctx.session, ctx.principal
    summary = Summary(currency=ctx.org.default_currency)
    summary.contacts = ContactService(session, principal).contacts.count()
    summary.companies = CompanyService(session, principal).companies.count()

    summary.leads_by_stage = LeadService(session, principal).count_by_stage()
    summary.leads = sum(summary.leads_by_stage.values())
    summary.open_leads = sum(
        n for s, n in summary.leads_by_stage.items() if s not in (LeadStage.converted, LeadStage.disqualified)
    )

    rows = DealService(session, principal).totals_by_stage()
    pipeline: dict[str, tuple[int, Decimal]] = {s: (0, Decimal(0)) for s in OPEN_DEAL_STAGES}
    for stage, currency, n, amount in rows:
        if stage == DealStage.closed_won:
            if currency == summary.currency:
                summary.won_amount += amount
            continue
        if stage not in pipeline:
            continue
        summary.open_deals += int(n)
        summary.open_amount[currency] = summary.open_amount.get(currency, Decimal(0)) + amount
        count, total = pipeline[stage]
        pipeline[stage] = (count + int(n), total + (amount if currency == summary.currency else Decimal(0)))
    summary.pipeline = pipeline
    return summary
