"""The CRM reads a follow-up needs (the lead and its contact, company, owner and deals, its latest activities, notes
and inbound messages, the org's active products) and the stored drafts. Every statement is scoped to the caller's
org."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sqlalchemy import or_, select

from leadpilot.crm.leads.repository import LeadNotFound
from leadpilot.crm.models import Activity, Company, Contact, Deal, Lead, Message, Note, Product
from leadpilot.db.repository import OrgRepository
from leadpilot.errors import not_found_error
from leadpilot.followup.models import FollowupDraft
from leadpilot.orgs.models import Org, User

RECENT_ACTIVITIES = 12
RECENT_NOTES = 5
RECENT_MESSAGES = 5

FollowupDraftNotFound = not_found_error("FollowupDraft")


class FollowupDataRepository(OrgRepository[Lead]):
    model = Lead
    not_found = LeadNotFound

    def org(self) -> Org | None:
        return self.session.get(Org, self.org_id)

    def contact(self, contact_id: int | None) -> Contact | None:
        if contact_id is None:
            return None
        return self.session.scalar(select(Contact).where(Contact.org_id == self.org_id, Contact.id == contact_id))

    def company(self, company_id: int | None) -> Company | None:
        if company_id is None:
            return None
        return self.session.scalar(select(Company).where(Company.org_id == self.org_id, Company.id == company_id))

    def user(self, user_id: int | None) -> User | None:
        if user_id is None:
            return None
        return self.session.scalar(select(User).where(User.org_id == self.org_id, User.id == user_id))

    def deals(self, lead_id: int) -> Sequence[Deal]:
        statement = (
            select(Deal).where(Deal.org_id == self.org_id, Deal.lead_id == lead_id).order_by(Deal.created_at.desc())
        )
        return self.session.scalars(statement.limit(3)).all()

    def activities(self, lead: Lead) -> Sequence[Activity]:
        statement = (
            select(Activity)
            .where(
                Activity.org_id == self.org_id, or_(Activity.contact_id == lead.contact_id, Activity.lead_id == lead.id)
            )
            .order_by(Activity.occurred_at.desc(), Activity.id.desc())
            .limit(RECENT_ACTIVITIES)
        )
        return self.session.scalars(statement).all()

    def notes(self, lead: Lead) -> Sequence[Note]:
        statement = (
            select(Note)
            .where(Note.org_id == self.org_id, or_(Note.lead_id == lead.id, Note.contact_id == lead.contact_id))
            .order_by(Note.created_at.desc(), Note.id.desc())
            .limit(RECENT_NOTES)
        )
        return self.session.scalars(statement).all()

    def inbound_messages(self, contact_id: int) -> Sequence[Message]:
        statement = (
            select(Message)
            .where(Message.org_id == self.org_id, Message.contact_id == contact_id, Message.direction == "inbound")
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(RECENT_MESSAGES)
        )
        return self.session.scalars(statement).all()

    def last_message_at(self, contact_id: int) -> Message | None:
        statement = (
            select(Message)
            .where(Message.org_id == self.org_id, Message.contact_id == contact_id)
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(1)
        )
        return self.session.scalar(statement)

    def products(self) -> Sequence[Product]:
        statement = select(Product).where(Product.org_id == self.org_id, Product.is_active.is_(True))
        return self.session.scalars(statement.order_by(Product.name).limit(500)).all()


class FollowupDraftRepository(OrgRepository[FollowupDraft]):
    model = FollowupDraft
    not_found = FollowupDraftNotFound

    def list_page(
        self,
        *,
        lead_id: int | None = None,
        approach: str | None = None,
        order: Literal["asc", "desc"] = "desc",
        cursor: str | None = None,
        limit: int = 50,
    ) -> tuple[list[FollowupDraft], str | None]:
        statement = self.where_equal(self.select(), {"lead_id": lead_id, "approach": approach})
        return self.page(statement, sort="created_at", order=order, cursor=cursor, limit=limit)
