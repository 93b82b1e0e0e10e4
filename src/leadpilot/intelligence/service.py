"""Rules of conversation intelligence: which classifiers an org uses, analysing text, annotating stored messages,
managing the org's examples and measuring quality. Flushes, never commits.

    IntelligenceService(session, principal)
      ├ model()            the org's classifiers: shipped examples + the org's, built once per process and examples
      │                    version (a digest of the org's examples) and kept in a small LRU
      ├ analyze(text, at)  annotations of a text, nothing stored
      ├ annotate(message)  writes Message.annotations, asks scoring to re-score the contact's leads
      ├ examples           list / add / delete (the model follows at once: its version changes)
      └ retrain()          rebuilds the model, measures k-fold CV on its training data and the held-out set,
                           stores an IntelligenceModelRecord
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict, defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from leadpilot.audit.service import record
from leadpilot.auth.principal import Principal
from leadpilot.crm.models import Message
from leadpilot.errors import InvalidInput
from leadpilot.intelligence import classifier
from leadpilot.intelligence.analyzer import analyze
from leadpilot.intelligence.classifier import IntelligenceModel
from leadpilot.intelligence.dataset import LABEL_PATTERN, OPEN_TASKS, TASKS
from leadpilot.intelligence.errors import ExampleExists, ExampleInvalid
from leadpilot.intelligence.models import IntelligenceExample, IntelligenceModelRecord
from leadpilot.intelligence.repository import ExampleRepository, MessageAnnotationRepository, ModelRecordRepository
from leadpilot.intelligence.schemas import ExampleCreate
from leadpilot.kit.clock import utcnow
from leadpilot.llm.errors import LlmMisconfigured
from leadpilot.llm.providers import get_chat_model, get_embedder

log = logging.getLogger("leadpilot.intelligence")

MODEL_PREFIX = "intel-1"
BANT_MIN = 0.6  # facts less certain than this stay in the annotations and are not copied to the lead
CACHE_SIZE = 8


class ModelCache:
    """Models built by this process, keyed on (org or None, examples version, embedder). Any replica rebuilds the
    same model from the database, so nothing here is state another process would need."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._models: OrderedDict[tuple[Any, ...], IntelligenceModel] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[tuple[Any, ...], threading.Lock] = defaultdict(threading.Lock)

    def get(self, key: tuple[Any, ...], build: Any) -> IntelligenceModel:
        with self._lock:
            if key in self._models:
                self._models.move_to_end(key)
                return self._models[key]
            building = self._building[key]
        with building:  # one build per key even when several threads ask at once
            with self._lock:
                if key in self._models:
                    return self._models[key]
            model = build()
            with self._lock:
                self._models[key] = model
                while len(self._models) > self.size:
                    self._models.popitem(last=False)
                self._building.pop(key, None)
            return model

    def clear(self) -> None:
        with self._lock:
            self._models.clear()


MODELS = ModelCache()


def build_model(
    embedder: Any, version: str, pairs: list[tuple[str, str, str]], *, org_id: int | None
) -> IntelligenceModel:
    """The classifiers for the shipped examples plus ``pairs`` (an org's own), cached per process."""

    def build() -> IntelligenceModel:
        started = time.perf_counter()
        model = classifier.train_model(
            embedder.embed, embedder_name=embedder.name, version=version, org_examples=group_examples(pairs)
        )
        seconds = round(time.perf_counter() - started, 2)
        log.info("intelligence model built", extra={"org_id": org_id, "version": version, "seconds": seconds})
        return model

    return MODELS.get((org_id if pairs else None, version, embedder.name), build)


def warm_shipped_model() -> None:
    """Build the shipped classifiers now (about 10 s of CPU), outside any transaction, so that the first message or
    /analyze call of a new process does not wait for them — on SQLite that wait would hold the write lock."""
    try:
        build_model(get_embedder(), f"{MODEL_PREFIX}/shipped", [], org_id=None)
    except Exception:  # a warm-up must never take the process down; the first real use reports the error
        log.exception("intelligence warm-up failed")


def group_examples(pairs: list[tuple[str, str, str]]) -> dict[str, list[tuple[str, str]]]:
    grouped: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for task, text, label in pairs:
        grouped[task].append((text, label))
    return dict(grouped)


class IntelligenceService:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.examples = ExampleRepository(session, principal)
        self.records = ModelRecordRepository(session, principal)
        self.messages = MessageAnnotationRepository(session, principal)

    # --- the model ------------------------------------------------------------------------------------------------

    def examples_version(self, pairs: list[tuple[str, str, str]] | None = None) -> str:
        """``intel-1/shipped``, or ``intel-1/org-<count>.<digest of the examples>``: content-addressed, because a
        database may hand a deleted row's id to the next row."""
        pairs = self.examples.pairs() if pairs is None else pairs
        if not pairs:
            return f"{MODEL_PREFIX}/shipped"
        digest = hashlib.sha256(json.dumps(sorted(pairs), ensure_ascii=False).encode()).hexdigest()[:10]
        return f"{MODEL_PREFIX}/org-{len(pairs)}.{digest}"

    def model(self) -> IntelligenceModel:
        pairs = self.examples.pairs()
        embedder = get_embedder(self.principal.org_id)
        return build_model(embedder, self.examples_version(pairs), pairs, org_id=self.principal.org_id)

    def _chat(self) -> Any:
        try:
            return get_chat_model(self.principal.org_id)
        except LlmMisconfigured:
            log.warning("the configured chat model is incomplete; intelligence runs without it")
            return None

    # --- analysis -------------------------------------------------------------------------------------------------

    def analyze(self, text: str, *, at: datetime | None = None, direction: str = "inbound") -> dict[str, Any]:
        if not text.strip():
            raise InvalidInput("text is empty", extra={"field": "text"})
        model = self.model()
        embedder = get_embedder(self.principal.org_id)
        return analyze(text, model=model, embed=embedder.embed, at=at or utcnow(), direction=direction,
                       chat=self._chat())  # fmt: skip

    def annotations_for(self, message_id: int) -> dict[str, Any]:
        """The annotations of one stored message of the org (inbound: everything; outbound: its language)."""
        message = self.messages.access_by_id(message_id)
        embedder = get_embedder(self.principal.org_id)
        return analyze(
            message.text or "",
            model=self.model(),
            embed=embedder.embed,
            at=message.created_at,
            message_id=message.id,
            direction=message.direction,
            chat=self._chat() if message.direction == "inbound" else None,
        )

    def annotate(self, message_id: int, *, annotations: dict[str, Any] | None = None) -> Message:
        """Store the annotations of one message (computed here unless given), fill the lead's empty BANT fields and
        ask for a re-score of the contact's open leads."""
        from leadpilot.scoring.tasks import request_rescore

        message = self.messages.access_by_id(message_id)
        if annotations is None:
            annotations = self.annotations_for(message_id)
        message.annotations = annotations
        language = annotations.get("language")
        if message.language is None and language and language["confidence"] >= 0.5:
            message.language = language["code"]
        self.session.flush()
        if message.direction == "inbound":
            self._fill_bant(message, annotations.get("bant") or {})
        if message.direction == "inbound" and message.contact_id is not None:
            request_rescore(self.session, self.principal.org_id, contact_id=message.contact_id, reason="message")
        return message

    def _fill_bant(self, message: Message, facts: dict[str, Any]) -> None:
        """Copy confident BANT facts to the empty BANT fields of the conversation's lead (or the contact's open
        leads), with ``bant_evidence[field] = {at, message_id, quote, confidence}``. A field someone already filled
        is never overwritten."""
        values: dict[str, Any] = {}
        budget = facts.get("budget")
        if budget and budget["confidence"] >= BANT_MIN and budget.get("period") in (None, "year"):
            values["budget"] = {"budget_amount": Decimal(str(budget["amount"])), "budget_currency": budget["currency"]}
        authority = facts.get("authority")
        if authority and authority["confidence"] >= BANT_MIN:
            if authority["decision_maker"] is False:
                text = "not the decision maker" + (
                    f"; approver: {authority['approver']}" if authority["approver"] else ""
                )
            else:
                text = (authority["role"] or "the writer") + (", decides" if authority["decision_maker"] else "")
            values["authority"] = {"authority": text[:200]}
        need = facts.get("need")
        if need and need["confidence"] >= BANT_MIN:
            values["need"] = {"need": need["statement"][:2000]}
        timeline = facts.get("timeline")
        if timeline and timeline["confidence"] >= BANT_MIN:
            values["timeline"] = {"timeline": date.fromisoformat(timeline["date"])}
        if not values:
            return
        for lead in self.messages.leads_of(message):
            evidence = dict(lead.bant_evidence or {})
            filled = []
            for field, columns in values.items():
                if all(getattr(lead, column) is None for column in columns):
                    for column, value in columns.items():
                        setattr(lead, column, value)
                    fact = facts[field]
                    evidence[field] = {"at": message.created_at.isoformat(), "message_id": message.id,
                                       "quote": fact["quote"], "confidence": fact["confidence"],
                                       "source": "intelligence"}  # fmt: skip
                    filled.append(field)
            if filled:
                lead.bant_evidence = evidence
                record(self.session, self.principal, "lead.bant_extracted", entity_type="lead", entity_id=lead.id,
                       data={"fields": filled, "message_id": message.id})  # fmt: skip
        self.session.flush()

    # --- examples -------------------------------------------------------------------------------------------------

    def list_examples(self, *, task: str | None = None, limit: int = 500) -> list[IntelligenceExample]:
        return self.examples.newest(task=task, limit=limit)

    def add_example(self, data: ExampleCreate) -> IntelligenceExample:
        text = " ".join(data.text.split())
        label = data.label.strip().lower().replace(" ", "_").replace("-", "_")
        if not text:
            raise ExampleInvalid("text is empty", extra={"field": "text"})
        known = TASKS[data.task]
        if label not in known and (data.task not in OPEN_TASKS or not LABEL_PATTERN.match(label)):
            hint = " (or a new label of lowercase letters, digits and _)" if data.task in OPEN_TASKS else ""
            raise ExampleInvalid(
                f"label {label!r} is not a {data.task} label: use one of {', '.join(known)}{hint}",
                extra={"field": "label"},
            )
        if (existing := self.examples.find(data.task, text)) is not None:
            raise ExampleExists(
                f"This text is already an example for {data.task} (labelled {existing.label!r})",
                extra={"existing_id": existing.id},
            )
        example = IntelligenceExample(task=data.task, label=label, text=text, created_by_id=self.principal.user_id)
        self.examples.add(example)
        record(self.session, self.principal, "intelligence.example_added", entity_type="intelligence_example",
               entity_id=example.id, data={"task": data.task, "label": label})  # fmt: skip
        return example

    def delete_example(self, example_id: int) -> None:
        example = self.examples.access_by_id(example_id)
        self.examples.delete(example)
        record(self.session, self.principal, "intelligence.example_deleted", entity_type="intelligence_example",
               entity_id=example_id)  # fmt: skip

    # --- quality --------------------------------------------------------------------------------------------------

    def latest_record(self) -> IntelligenceModelRecord | None:
        return self.records.latest()

    def retrain(self, *, trigger: str = "manual") -> IntelligenceModelRecord:
        """Rebuild the model and measure it: k-fold CV on its own training data, and the held-out set."""
        started = time.perf_counter()
        model = self.model()
        embedder = get_embedder(self.principal.org_id)
        pairs = group_examples(self.examples.pairs())
        metrics = {
            "cv": classifier.cross_validate(embedder.embed, embedder_name=embedder.name, org_examples=pairs),
            "heldout": classifier.evaluate_heldout(model, embedder.embed),
        }
        row = IntelligenceModelRecord(
            version=model.version,
            algorithm=classifier.ALGORITHM,
            trigger=trigger,
            examples={t: {"total": model.examples[t], "org": model.org_examples[t]} for t in model.examples},
            metrics=metrics,
            seconds=round(time.perf_counter() - started, 2),
            created_by_id=self.principal.user_id,
        )
        self.records.add(row)
        return row

    def labels(self) -> dict[str, list[str]]:
        model = self.model()
        return {task: list(model.labels(task)) for task in TASKS}
