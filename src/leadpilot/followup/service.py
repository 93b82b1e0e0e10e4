"""Follow-up generation (reads only) and the drafts kept of it (``store`` flushes one).

    generate(request, approach)
     ├ profile          the CRM record of ``lead_id`` (same 404 for a missing or foreign lead) or the inline context
     ├ strategy         intent tier x edge case (``strategies``)
     ├ mode             request > org setting ``followup_mode`` > strict without a chat model, assisted with one
     ├ cache            key: inputs + CRM facts + knowledge version + model name (``cache``)
     ├ question         the lead's latest question: does the knowledge base answer it (``calibration``)? if not,
     │                  the draft says the team will check instead of answering around it
     ├ retrieve         the org's knowledge base, re-weighted by category for the strategy (or ``source_weights``)
     ├ strict draft     playbook template + verbatim extracts; always built: it is the fallback of every mode
     ├ model draft      assisted: rewrite the strict draft · generative: write from sources + facts
     │                  finetuned: the fine-tuned model from the facts alone · hybrid: the fine-tuned model + sources
     ├ claim check      every draft; an unsupported claim → one rewrite with the verdicts as feedback → still
     │                  unsupported (or the model failed) → the strict draft, and the response says so
     └ response         message, sources, verdicts, strategy, calibrated confidence (with its parts), question,
                        personalisation, cached

``generate_followup(session, org_id, request)`` is the same without a request principal (benchmarks, jobs).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from leadpilot.audit.service import record
from leadpilot.auth.principal import Principal
from leadpilot.config import get_settings
from leadpilot.crm.models import Product
from leadpilot.errors import InvalidInput
from leadpilot.followup import prompts
from leadpilot.followup.cache import cache_key, get_followup_cache
from leadpilot.followup.calibration import Answerability, answerability, calibrated_confidence, question_terms
from leadpilot.followup.context import (
    LeadProfile,
    crm_facts,
    personalisation,
    product_aliases,
    profile_from_context,
    profile_from_crm,
)
from leadpilot.followup.errors import FollowupModelUnavailable
from leadpilot.followup.finetuned import finetuned_model_name, get_finetuned_model
from leadpilot.followup.grounding import GroundingReport, check_claims, embed_sentences, key_terms
from leadpilot.followup.models import FollowupDraft
from leadpilot.followup.playbook import (
    Extract,
    WeightedChunk,
    lead_question,
    render,
    retrieval_query,
    select_extracts,
)
from leadpilot.followup.repository import FollowupDataRepository, FollowupDraftRepository
from leadpilot.followup.schemas import (
    MODES,
    Approach,
    ClaimRead,
    ConfidenceRead,
    DraftDetail,
    DraftRead,
    FollowupRequest,
    FollowupResponse,
    FollowupSettingsRead,
    Mode,
    PersonalisationRead,
    QuestionRead,
    SourceRead,
    StrategyRead,
)
from leadpilot.followup.strategies import Strategy, choose_strategy
from leadpilot.kit.clock import utcnow
from leadpilot.knowledge.retrieval import RetrievedChunk, knowledge_version, retrieve
from leadpilot.llm.chat import ChatMessage
from leadpilot.llm.errors import LlmError
from leadpilot.llm.providers import get_chat_model, get_embedder

log = logging.getLogger("leadpilot.followup")

SETTING_KEY = "followup_mode"
PLAYBOOK_MODEL = "playbook"
QUESTION_CHUNKS = 5  # chunks retrieved for the question alone, to judge whether the knowledge base answers it
# Category weights when the request gives none: the strategy's categories, most useful first.
STRATEGY_WEIGHTS = (1.2, 1.1, 1.0)
OTHER_CATEGORY_WEIGHT = 0.9


@dataclass
class _Draft:
    message: str
    report: GroundingReport
    extracts: Sequence[Extract] = ()


def _category_weights(strategy: Strategy, requested: Mapping[str, float] | None) -> dict[str, float]:
    if requested:
        return {name.lower(): float(weight) for name, weight in requested.items()}
    return {name: STRATEGY_WEIGHTS[i] for i, name in enumerate(strategy.categories[: len(STRATEGY_WEIGHTS)])}


def _weight_for(category: str | None, weights: Mapping[str, float]) -> float:
    category = (category or "").lower()
    if category in weights:
        return weights[category]
    # "case_studies" and "case_study", "features" and "feature" name the same category.
    stem = category.rstrip("s")
    for name, weight in weights.items():
        if name.rstrip("s") == stem or (len(stem) >= 4 and name.startswith(stem[:4])):
            return weight
    return OTHER_CATEGORY_WEIGHT if weights else 1.0


def _claim_reads(report: GroundingReport) -> list[ClaimRead]:
    return [ClaimRead.model_validate(v, from_attributes=True) for v in report.verdicts]


class FollowupService:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.org_id = principal.org_id
        self.data = FollowupDataRepository(session, principal)
        self.drafts = FollowupDraftRepository(session, principal)

    # --- settings -----------------------------------------------------------------------------------------------

    def org_mode(self) -> Mode | None:
        org = self.data.org()
        value = (org.settings or {}).get(SETTING_KEY) if org is not None else None
        return value if value in MODES else None

    def default_mode(self) -> Mode:
        return "strict" if get_chat_model(self.org_id) is None else "assisted"

    def settings(self) -> FollowupSettingsRead:
        settings = get_settings()
        mode = self.org_mode()
        llm = get_chat_model(self.org_id) is not None
        effective: Mode = mode or self.default_mode()
        if effective != "strict" and not llm:
            effective = "strict"
        return FollowupSettingsRead(
            mode=mode, effective_mode=effective, llm_configured=llm, finetuned_model=finetuned_model_name(),
            high_intent_min=settings.followup_high_intent_min, medium_intent_min=settings.followup_medium_intent_min,
            cold_days=settings.followup_cold_days,
        )  # fmt: skip

    def set_mode(self, mode: Mode | None) -> FollowupSettingsRead:
        org = self.data.org()
        if org is None:
            raise InvalidInput("The org no longer exists")
        previous = (org.settings or {}).get(SETTING_KEY)
        settings = dict(org.settings or {})
        if mode is None:
            settings.pop(SETTING_KEY, None)
        else:
            settings[SETTING_KEY] = mode
        org.settings = settings
        self.session.flush()
        record(self.session, self.principal, "followup.mode_changed", entity_type="org", entity_id=org.id,
               data={"from": previous, "to": mode})  # fmt: skip
        return self.settings()

    # --- generation ---------------------------------------------------------------------------------------------

    def _profile(self, request: FollowupRequest) -> LeadProfile:
        if request.lead_id is not None:
            return profile_from_crm(self.data, request.lead_id)
        assert request.lead_context is not None
        org = self.data.org()
        return profile_from_context(request.lead_context, org_name=org.name if org else None)

    def _model(self, approach: Approach, requested: Mode, explicit: bool) -> tuple[Any, Mode, list[str]]:
        """(chat model or None, effective mode, notes)."""
        if approach != "rag":
            if requested == "strict":
                raise InvalidInput(f"The {approach} approach writes with the fine-tuned model; strict mode uses no "
                                   "model: ask /api/v1/followups/rag for a strict draft")  # fmt: skip
            return get_finetuned_model(self.org_id), requested, []
        if requested == "strict":
            return None, "strict", []
        model = get_chat_model(self.org_id)
        if model is None:
            if explicit:
                raise FollowupModelUnavailable()
            return None, "strict", [f"the org's mode is {requested}, but no language model is configured: strict"]
        return model, requested, []

    def _retrieve(
        self, profile: LeadProfile, strategy: Strategy, request: FollowupRequest, *, with_question: bool
    ) -> list[WeightedChunk]:
        query = retrieval_query(strategy, profile, with_question=with_question)
        chunks = retrieve(self.session, self.org_id, query, k=min(50, request.top_k * 2))
        weights = _category_weights(strategy, request.source_weights)
        weighted = [WeightedChunk(c, c.score * _weight_for(c.category, weights)) for c in chunks]
        weighted.sort(key=lambda w: -w.score)
        return weighted[: request.top_k]

    def generate(
        self, request: FollowupRequest, *, approach: Approach = "rag", mode: Mode | None = None
    ) -> FollowupResponse:
        """The follow-up for ``request`` (reads only; ``store`` keeps it as a draft)."""
        return self._generate_or_reuse(request, approach=approach, mode=mode)

    def store(self, response: FollowupResponse) -> int:
        """Keep ``response`` as a draft (flushed); returns its id."""
        draft = FollowupDraft(
            lead_id=response.lead_id, created_by_id=self.principal.user_id, approach=response.approach,
            mode=response.mode, strategy=response.strategy.name, model_used=response.model_used[:200],
            message=response.message, grounding_verified=response.grounding_verified, fallback=response.fallback,
            cached=response.cached, confidence=response.confidence,
            personalisation_score=response.personalisation_score, knowledge_version=response.knowledge_version[:80],
            response=response.model_dump(mode="json", exclude={"draft_id"}),
        )  # fmt: skip
        self.drafts.add(draft)
        return draft.id

    def list_drafts(self, **filters: Any) -> tuple[list[DraftRead], str | None]:
        rows, next_cursor = self.drafts.list_page(**filters)
        return [DraftRead.model_validate(row) for row in rows], next_cursor

    def get_draft(self, draft_id: int) -> DraftDetail:
        return DraftDetail.model_validate(self.drafts.access_by_id(draft_id))

    def _generate_or_reuse(
        self, request: FollowupRequest, *, approach: Approach, mode: Mode | None
    ) -> FollowupResponse:
        settings = get_settings()
        profile = self._profile(request)
        strategy = choose_strategy(
            score=profile.score, engagement_score=profile.engagement_score, objections=profile.objections,
            texts=profile.texts, status=profile.status, days_since_contact=profile.days_since_contact,
            high_min=settings.followup_high_intent_min, medium_min=settings.followup_medium_intent_min,
            cold_days=settings.followup_cold_days,
        )  # fmt: skip
        explicit = (mode or request.mode) is not None
        requested: Mode = (
            mode or request.mode or (self.org_mode() or self.default_mode() if approach == "rag" else "generative")
        )
        model, effective, notes = self._model(approach, requested, explicit)
        model_name = model.model if model is not None else PLAYBOOK_MODEL
        products = self.data.products()
        facts = crm_facts(profile, products)
        version = knowledge_version(self.session, self.org_id)
        cache = get_followup_cache()
        key = cache_key({
            "org": self.org_id, "approach": approach, "requested": requested, "mode": effective,
            "strategy": strategy.name, "facts": facts, "profile": profile.cache_facts(), "knowledge": version,
            "model": model_name, "top_k": request.top_k, "weights": request.source_weights,
            "max_words": request.max_words, "thresholds": [settings.followup_similarity_threshold,
                                                            settings.followup_high_intent_min,
                                                            settings.followup_medium_intent_min],
        })  # fmt: skip
        if request.use_cache:
            hit = cache.get(key)
            if hit is not None:
                response = FollowupResponse.model_validate(hit)
                response.cached = True
                response.draft_id = None
                return response

        response, cacheable = self._generate(request, approach, profile, strategy, requested, effective, model,
                                             products, facts, version)  # fmt: skip
        response.notes = notes + response.notes
        if request.use_cache and cacheable:
            cache.set(key, response.model_dump(mode="json"))
        return response

    def _generate(
        self,
        request: FollowupRequest,
        approach: Approach,
        profile: LeadProfile,
        strategy: Strategy,
        requested: Mode,
        effective: Mode,
        model: Any,
        products: Sequence[Product],
        facts: dict[str, str],
        version: str,
    ) -> tuple[FollowupResponse, bool]:
        settings = get_settings()
        embedder = get_embedder(self.org_id)
        aliases = product_aliases(products)
        org = self.data.org()
        currency = org.default_currency if org is not None else settings.default_currency
        question = lead_question(profile) if strategy.name != "rejection" else None
        question_chunks = retrieve(self.session, self.org_id, question, k=QUESTION_CHUNKS) if question else []
        answer = answerability(question, question_chunks) if question else None
        unanswered = answer is not None and not answer.answerable
        weighted = self._retrieve(profile, strategy, request, with_question=not unanswered)
        if answer is not None and answer.answerable:
            # the chunks that answer the question are sources too, even where the strategy's weights left them out
            present = {w.chunk.chunk_id for w in weighted}
            weighted += [WeightedChunk(c, c.score) for c in question_chunks[:2] if c.chunk_id not in present]
        sources = [w.chunk for w in weighted]

        def check(text: str) -> GroundingReport:
            return check_claims(text, sources=sources, crm_facts=facts, product_names=aliases, embedder=embedder,
                                threshold=settings.followup_similarity_threshold,
                                default_currency=currency)  # fmt: skip

        extracts = select_extracts(weighted, strategy=strategy, profile=profile, embedder=embedder,
                                   query=retrieval_query(strategy, profile, with_question=not unanswered),
                                   question=question if answer is not None and answer.answerable else None)  # fmt: skip

        def strict_draft(quoted: list[Extract]) -> _Draft:
            draft = _Draft(render(strategy, profile, quoted, unanswered_question=unanswered), GroundingReport(), quoted)
            draft.report = check(draft.message)
            return draft

        strict = strict_draft(extracts)
        if not strict.report.verified:
            # A quoted sentence can fail only when its own source is ambiguous; approved wording without it is safe.
            unsupported_sentences = {v.sentence for v in strict.report.unsupported}
            kept = [e for e in extracts if e.sentence not in unsupported_sentences]
            strict = strict_draft(kept)
            if not strict.report.verified and kept:
                strict = strict_draft([])

        final, rewrites, rejected, fallback_reason, cacheable = strict, 0, [], None, True
        model_used = PLAYBOOK_MODEL
        mode_used: Mode = "strict"
        if model is not None:
            if effective == "assisted":
                messages = prompts.assisted_messages(strict.message, profile, strategy, max_words=request.max_words)
            else:
                shown = None if approach == "finetuned" else sources
                messages = prompts.generative_messages(
                    shown, profile, strategy, max_words=request.max_words,
                    unanswered_question=question if unanswered else None,
                )  # fmt: skip
            try:
                draft, rewrites, rejected, problem = self._model_draft(model, messages, check, request.max_words,
                                                                       profile)  # fmt: skip
            except LlmError as exc:
                draft, cacheable = None, False
                fallback_reason = f"the model failed ({exc.detail}); the strict draft was used"
            else:
                if problem:
                    fallback_reason = f"{problem}; the strict draft was used"
            if draft is not None and draft.report.verified:
                final, model_used, mode_used = draft, model.model, effective
            elif fallback_reason is None:
                fallback_reason = ("the model's draft kept unsupported claims after a rewrite; the strict draft "
                                   "was used")  # fmt: skip
        return self._response(request, approach, profile, strategy, requested, mode_used, model_used, final,
                              weighted, rewrites, rejected, fallback_reason, version, answer), cacheable  # fmt: skip

    def _model_draft(
        self, model: Any, messages: list[ChatMessage], check: Any, max_words: int, profile: LeadProfile
    ) -> tuple[_Draft | None, int, list[ClaimRead], str | None]:
        """(draft or None, rewrites, rejected claims, why there is no usable draft)."""
        max_tokens = min(700, max_words * 3)
        text = prompts.clean_output(model.complete(messages, temperature=0.3, max_tokens=max_tokens).text,
                                    max_words=max_words)  # fmt: skip
        problem = prompts.unusable(text, profile)
        draft = None if problem else _Draft(text, check(text))
        if draft is not None and draft.report.verified:
            return draft, 0, [], None
        rejected = [] if draft is None else _claim_reads(GroundingReport(tuple(draft.report.unsupported)))
        feedback = (prompts.rewrite_messages(messages, text, draft.report) if draft is not None
                    else prompts.retry_messages(messages, text, problem or "", profile))  # fmt: skip
        text = prompts.clean_output(model.complete(feedback, temperature=0.2, max_tokens=max_tokens).text,
                                    max_words=max_words)  # fmt: skip
        problem = prompts.unusable(text, profile)
        if problem:
            return None, 1, rejected, f"the model's answer was not a usable email ({problem})"
        rewritten = _Draft(text, check(text))
        rejected += _claim_reads(GroundingReport(tuple(rewritten.report.unsupported)))
        return rewritten, 1, rejected, None

    def _response(
        self,
        request: FollowupRequest,
        approach: Approach,
        profile: LeadProfile,
        strategy: Strategy,
        requested: Mode,
        mode_used: Mode,
        model_used: str,
        final: _Draft,
        weighted: Sequence[WeightedChunk],
        rewrites: int,
        rejected: list[ClaimRead],
        fallback_reason: str | None,
        version: str,
        answer: Answerability | None,
    ) -> FollowupResponse:
        used_chunks = {v.chunk_id for v in final.report.verdicts if v.chunk_id is not None and v.supported}
        used_chunks |= {e.chunk_id for e in final.extracts if e.sentence in final.message}
        sources = [
            SourceRead(chunk_id=w.chunk.chunk_id, document_id=w.chunk.document_id,
                       document_title=w.chunk.document_title, category=w.chunk.category, section=w.chunk.section,
                       score=round(w.score, 5), excerpt=w.chunk.text[:400], used=w.chunk.chunk_id in used_chunks)
            for w in weighted
        ]  # fmt: skip
        confidence = _confidence(strategy, final, [w.chunk for w in weighted], used_chunks, answer,
                                 get_embedder(self.org_id))  # fmt: skip
        score, used, available = personalisation(final.message, profile, edge_case=strategy.edge_case)
        return FollowupResponse(
            message=final.message, approach=approach, mode=mode_used, requested_mode=requested, model_used=model_used,
            strategy=StrategyRead(name=strategy.name, tier=strategy.tier, edge_case=strategy.edge_case,
                                  approach=strategy.approach, cta=strategy.cta, certainty=strategy.certainty,
                                  reason=strategy.reason),
            strategy_used=strategy.name, sources=sources, grounding_verified=final.report.verified,
            claims=_claim_reads(final.report), fallback=fallback_reason is not None, fallback_reason=fallback_reason,
            rewrites=rewrites, rejected_claims=rejected, confidence=confidence.value,
            confidence_components=confidence, personalisation_score=score,
            question=None if answer is None else QuestionRead(text=answer.question,
                                                              answerability=round(answer.probability, 3),
                                                              answered=answer.answerable),
            personalisation=PersonalisationRead(score=score, used=used, available=available), cached=False,
            knowledge_version=version, lead_id=profile.lead_id, generated_at=utcnow(),
        )  # fmt: skip


def _confidence(
    strategy: Strategy,
    final: _Draft,
    retrieved: Sequence[RetrievedChunk],
    used_chunks: set[int],
    answer: Answerability | None,
    embedder: Any,
) -> ConfidenceRead:
    """retrieval: mean cosine of the sources the message uses (of the top three retrieved when it uses none; 1.0
    for a message that needs no source); grounding: share of its claims supported; strategy: its certainty;
    answerability: of the lead's question; question coverage / match: how many of the question's words the message
    uses, and the cosine of the question to the closest source sentence the message quotes or relies on. The value
    is the calibrated model over them (``calibration``); a draft with no question to answer is scored as one whose
    question the knowledge base answers."""
    if strategy.name == "rejection":
        retrieval = 1.0
    else:
        pool = [c for c in retrieved if c.chunk_id in used_chunks] or list(retrieved[:3])
        cosines = [max(0.0, min(1.0, c.vector_score or 0.0)) for c in pool]
        retrieval = sum(cosines) / len(cosines) if cosines else 0.0
    grounding = final.report.supported_share
    coverage = match = 1.0
    if answer is not None:
        terms = question_terms(answer.question)
        coverage = len(terms & key_terms(final.message)) / len(terms) if terms else 1.0
        evidence = [e.sentence for e in final.extracts if e.sentence in final.message]
        evidence += [v.quote for v in final.report.verdicts if v.supported and v.quote]
        match = 0.0
        if evidence:
            vectors = embed_sentences(embedder, [answer.question, *dict.fromkeys(evidence)])
            match = max(0.0, max(float(vectors[0] @ v) for v in vectors[1:]))
    parts = {"retrieval": retrieval, "grounding": grounding, "strategy": strategy.certainty,
             "answerability": 1.0 if answer is None else answer.probability,
             "abstained": 0.0 if answer is None or answer.answerable else 1.0, "question_coverage": coverage,
             "question_match": match}  # fmt: skip
    return ConfidenceRead(value=round(calibrated_confidence(parts), 3), retrieval=round(retrieval, 3),
                          grounding=round(grounding, 3), strategy=round(strategy.certainty, 3),
                          answerability=None if answer is None else round(answer.probability, 3),
                          question_coverage=round(coverage, 3), question_match=round(match, 3))  # fmt: skip


def generate_followup(
    session: Session,
    org_id: int,
    request: FollowupRequest,
    *,
    mode: Mode | None = None,
    approach: Approach = "rag",
) -> FollowupResponse:
    """A follow-up for a lead of ``org_id`` without a request principal (benchmarks, jobs)."""
    return FollowupService(session, Principal.system(org_id)).generate(request, approach=approach, mode=mode)
