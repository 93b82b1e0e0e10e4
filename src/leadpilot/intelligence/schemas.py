"""Request and response bodies of the intelligence API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Task = Literal["intent", "objection", "sentiment", "emotion", "buying_signal"]


class AnalyzeRequest(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)
    at: datetime | None = Field(None, description="When the message was written (resolves 'next quarter'); now")
    direction: Literal["inbound", "outbound"] = "inbound"


class ExampleCreate(BaseModel):
    task: Task
    label: str = Field(min_length=1, max_length=40)
    text: str = Field(min_length=1, max_length=2_000)


class ExampleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    task: str
    label: str
    text: str
    created_by_id: int | None
    created_at: datetime


class RetrainRequest(BaseModel):
    wait: bool = Field(False, description="Train and measure in this request (201) instead of queueing it (202)")


class ModelRecordRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: str
    algorithm: str
    trigger: str
    examples: dict[str, Any]
    metrics: dict[str, Any]
    seconds: float
    trained_at: datetime


class ModelsResponse(BaseModel):
    current_version: str
    labels: dict[str, list[str]]
    org_examples: int
    latest: ModelRecordRead | None = Field(None, description="The latest retraining with its quality per task")
    stale: bool = Field(description="True when examples changed since the latest retraining (quality not measured)")


class RetrainResponse(BaseModel):
    queued: bool = False
    record: ModelRecordRead | None = None
