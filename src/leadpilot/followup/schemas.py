"""Request and response shapes of the follow-up API (after the seed's RAG / fine-tuned / hybrid endpoints)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator, model_validator

Mode = Literal["strict", "assisted", "generative"]
Approach = Literal["rag", "finetuned", "hybrid"]
MODES: tuple[str, ...] = ("strict", "assisted", "generative")


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LeadContext(_Input):
    """A lead described inline (no CRM record needed). Field names follow the seed API; ``lead_profile`` is accepted
    as another name for the whole object."""

    lead_name: str = Field(min_length=1, max_length=200)
    product_name: str | None = Field(default=None, max_length=200)
    interaction_history: str | list[str] | None = Field(
        default=None, description="What happened so far, newest last (text or a list of lines)"
    )
    lead_stage: str | None = Field(default=None, max_length=40)
    lead_score: float | None = Field(default=None, ge=0, le=100)
    engagement_score: float | None = Field(default=None, ge=0, le=100)
    days_since_contact: int | None = Field(default=None, ge=0, le=36_500)
    lead_industry: str | None = Field(default=None, max_length=120)
    company_name: str | None = Field(default=None, max_length=300)
    company_size: str | None = Field(default=None, max_length=60)
    objections_raised: list[str] = Field(default_factory=list, max_length=20)
    geographic_region: str | None = Field(default=None, max_length=60)
    tone_required: str | None = Field(default=None, max_length=40)
    product_category: str | None = Field(default=None, max_length=120)
    engagement_pattern: str | None = Field(default=None, max_length=60)

    @field_validator("interaction_history")
    @classmethod
    def _history_size(cls, value: str | list[str] | None) -> str | list[str] | None:
        text = value if isinstance(value, str) else "\n".join(value or [])
        if len(text) > 10_000:
            raise ValueError("interaction_history is limited to 10,000 characters")
        return value

    @field_validator("objections_raised")
    @classmethod
    def _objections(cls, value: list[str]) -> list[str]:
        if any(len(item) > 120 for item in value):
            raise ValueError("each objection is limited to 120 characters")
        return [item.strip() for item in value if item.strip()]


class FollowupRequest(_Input):
    """Exactly one of ``lead_id`` (a lead of the org, read from the CRM) and ``lead_context`` (inline)."""

    lead_id: int | None = Field(default=None, ge=1)
    lead_context: LeadContext | None = Field(
        default=None, validation_alias=AliasChoices("lead_context", "lead_profile")
    )
    mode: Mode | None = Field(default=None, description="Overrides the org's generation mode for this request")
    top_k: int = Field(default=5, ge=1, le=20, description="Knowledge chunks retrieved")
    source_weights: dict[str, float] | None = Field(
        default=None, description="Weight per knowledge category (hybrid; e.g. {'pricing': 1.2})"
    )
    max_words: int = Field(default=160, ge=40, le=400)
    use_cache: bool = True

    @model_validator(mode="after")
    def _one_lead(self) -> FollowupRequest:
        if (self.lead_id is None) == (self.lead_context is None):
            raise ValueError("give exactly one of lead_id and lead_context")
        for name, weight in (self.source_weights or {}).items():
            if not 0 <= weight <= 10 or len(name) > 64:
                raise ValueError("source_weights: category names up to 64 characters, weights between 0 and 10")
        return self


class SourceRead(BaseModel):
    chunk_id: int
    document_id: int | None = None
    document_title: str
    category: str | None = None
    section: str | None = None
    score: float = Field(description="Retrieval score after category weights")
    excerpt: str
    used: bool = Field(description="Whether the message draws on this source")


class ClaimRead(BaseModel):
    claim: str
    kind: str
    verdict: Literal["supported", "unsupported"]
    sentence: str
    reason: str
    source: Literal["knowledge", "crm"] | None = None
    chunk_id: int | None = None
    document_title: str | None = None
    quote: str | None = None
    crm_fact: str | None = None
    similarity: float | None = None


class StrategyRead(BaseModel):
    name: str = Field(description="The edge case when one applies, else the intent tier")
    tier: Literal["high_intent", "medium_intent", "low_intent"]
    edge_case: Literal["rejection", "not_now", "price_objection", "cold"] | None
    approach: str
    cta: str
    certainty: float
    reason: str


class ConfidenceRead(BaseModel):
    value: float = Field(
        description="Calibrated probability that the draft is grounded and handles the lead's question right "
        "(answered from a relevant source, or honestly left for the team): a logistic model over the parts below, "
        "fitted on the evaluation set (docs/followups.md)"
    )
    retrieval: float = Field(description="Mean cosine of the sources the message uses")
    grounding: float = Field(description="Share of the message's claims supported")
    strategy: float = Field(description="How sure the strategy choice is")
    answerability: float | None = Field(
        default=None, description="Probability that the knowledge base answers the lead's question (null: no question)"
    )
    question_coverage: float = Field(
        default=1.0, description="Share of the question's content words the message uses (1.0: no question)"
    )
    question_match: float = Field(
        default=1.0,
        description="Cosine of the question to the closest source sentence the message uses (1.0: no question)",
    )


class QuestionRead(BaseModel):
    text: str = Field(description="The lead's most recent question, from its messages or interaction history")
    answerability: float = Field(description="Probability that the knowledge base answers it")
    answered: bool = Field(description="False: the draft says the team will check instead of answering around it")


class PersonalisationRead(BaseModel):
    score: float = Field(description="Share of the lead's known facts the message uses")
    used: list[str]
    available: list[str]


class FollowupResponse(BaseModel):
    message: str
    approach: Approach
    mode: Mode = Field(description="The generation mode that produced the message")
    requested_mode: Mode
    model_used: str = Field(description="'playbook' for strict mode, else the chat model's name")
    strategy: StrategyRead
    strategy_used: str
    sources: list[SourceRead]
    grounding_verified: bool
    claims: list[ClaimRead]
    fallback: bool = Field(description="True when a model's draft failed the claim check and was replaced")
    fallback_reason: str | None = None
    rewrites: int = 0
    rejected_claims: list[ClaimRead] = Field(
        default_factory=list, description="Unsupported claims of drafts that were rewritten or replaced"
    )
    confidence: float
    confidence_components: ConfidenceRead
    question: QuestionRead | None = None
    personalisation_score: float
    personalisation: PersonalisationRead
    cached: bool = False
    knowledge_version: str
    lead_id: int | None = None
    generated_at: datetime
    notes: list[str] = Field(default_factory=list)
    draft_id: int | None = Field(default=None, description="The stored draft (GET /api/v1/followups/drafts/{id})")


class DraftRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    lead_id: int | None
    created_by_id: int | None
    created_at: datetime
    approach: str
    mode: str
    strategy: str
    model_used: str
    message: str
    grounding_verified: bool
    fallback: bool
    cached: bool
    confidence: float
    personalisation_score: float
    knowledge_version: str


class DraftDetail(DraftRead):
    response: dict[str, Any] = Field(description="The response as returned, with its claims and sources")


class FollowupSettingsRead(BaseModel):
    mode: Mode | None = Field(description="The org's chosen mode (null: the default)")
    effective_mode: Mode
    llm_configured: bool
    finetuned_model: str | None
    high_intent_min: float
    medium_intent_min: float
    cold_days: int


class FollowupSettingsUpdate(_Input):
    mode: Mode | None = Field(description="strict, assisted or generative; null restores the default")


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")
