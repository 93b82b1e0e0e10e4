"""Names of related records for display (a lead's contact, a deal's company, a note's author), read through the
services with the viewer's principal and remembered for the rest of the request.

A related id the viewer cannot read (deleted meanwhile) is simply left out, and the page shows a dash.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

from leadpilot.crm.companies.schemas import CompanyRead
from leadpilot.crm.companies.service import CompanyService
from leadpilot.crm.contacts.schemas import ContactRead
from leadpilot.crm.contacts.service import ContactService
from leadpilot.errors import NotFound
from leadpilot.orgs.service import UserService
from leadpilot.web.auth import WebContext


def contact_display_name(contact: ContactRead) -> str:
    name = " ".join(part for part in (contact.first_name, contact.last_name) if part)
    return name or contact.email or contact.phone or f"Contact #{contact.id}"


class Lookups:
    def __init__(self, ctx: WebContext) -> None:
        self.ctx = ctx
        self._companies: dict[int, CompanyRead | None] = {}
        self._contacts: dict[int, ContactRead | None] = {}

    def company(self, company_id: int | None) -> CompanyRead | None:
        if company_id is None:
            return None
        if company_id not in self._companies:
            try:
                self._companies[company_id] = CompanyService(self.ctx.session, self.ctx.principal).get(company_id)
            except NotFound:
                self._companies[company_id] = None
        return self._companies[company_id]

    def company_names(self, ids: Iterable[int | None]) -> dict[int, str]:
        names: dict[int, str] = {}
        for company_id in dict.fromkeys(i for i in ids if i is not None):
            company = self.company(company_id)
            if company is not None:
                names[company_id] = company.name
        return names

    def contact(self, contact_id: int | None) -> ContactRead | None:
        if contact_id is None:
            return None
        if contact_id not in self._contacts:
            try:
                self._contacts[contact_id] = ContactService(self.ctx.session, self.ctx.principal).get(contact_id)
            except NotFound:
                self._contacts[contact_id] = None
        return self._contacts[contact_id]

    def contacts(self, ids: Iterable[int | None]) -> dict[int, ContactRead]:
        found: dict[int, ContactRead] = {}
        for contact_id in dict.fromkeys(i for i in ids if i is not None):
            contact = self.contact(contact_id)
            if contact is not None:
                found[contact_id] = contact
        return found

    @cached_property
    def _user_names(self) -> dict[int, str]:
        users = UserService(self.ctx.session, self.ctx.principal).users.list_all()
        return {user.id: user.name for user in users}

    def user_names(self, ids: Iterable[int | None]) -> dict[int, str]:
        wanted = {i for i in ids if i is not None}
        return {user_id: name for user_id, name in self._user_names.items() if user_id in wanted}

    def all_users(self) -> dict[int, str]:
        return dict(self._user_names)
