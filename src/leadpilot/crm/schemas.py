"""Types shared by the CRM resources."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict

from leadpilot.crm import validation


class Channel(StrEnum):
    email = "email"
    sms = "sms"
    voice = "voice"
    whatsapp = "whatsapp"
    chat = "chat"


class ConsentStatus(StrEnum):
    granted = "granted"
    denied = "denied"
    unknown = "unknown"


class LifecycleStage(StrEnum):
    subscriber = "subscriber"
    lead = "lead"
    opportunity = "opportunity"
    customer = "customer"
    former_customer = "former_customer"


class LeadStage(StrEnum):
    new = "new"
    contacted = "contacted"
    engaged = "engaged"
    qualified = "qualified"
    meeting_booked = "meeting_booked"
    converted = "converted"
    disqualified = "disqualified"


class DealStage(StrEnum):
    qualification = "qualification"
    needs_analysis = "needs_analysis"
    proposal = "proposal"
    negotiation = "negotiation"
    closed_won = "closed_won"
    closed_lost = "closed_lost"


class ActivityType(StrEnum):
    email_sent = "email_sent"
    email_opened = "email_opened"
    email_clicked = "email_clicked"
    email_replied = "email_replied"
    email_bounced = "email_bounced"
    web_visit = "web_visit"
    form_submitted = "form_submitted"
    call = "call"
    meeting = "meeting"
    sms_sent = "sms_sent"
    sms_received = "sms_received"
    purchase = "purchase"
    refund = "refund"


SortOrder = Literal["asc", "desc"]

Email = Annotated[str, AfterValidator(validation.normalize_email)]
Timezone = Annotated[str, AfterValidator(validation.normalize_timezone)]
Currency = Annotated[str, AfterValidator(validation.normalize_currency)]
Language = Annotated[str, AfterValidator(validation.normalize_language)]
Country = Annotated[str, AfterValidator(validation.normalize_country)]


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class WriteModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
