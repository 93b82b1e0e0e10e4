"""Shared fixtures of the scoring tests: a simulated demo tenant in memory (no database) and a model trained on it,
both built once per test session and small enough to keep the whole directory fast."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leadpilot.demo.simulator import simulate
from leadpilot.scoring.dataset import Built, build, tables_from_demo
from leadpilot.scoring.training import BoosterConfig, TrainingResult, train_lead_model

AS_OF = datetime(2025, 3, 14, 15, 30, tzinfo=UTC)
SEED = 11
CONTACTS = 700


@pytest.fixture(scope="session")
def world() -> Built:
    return build(tables_from_demo(simulate(seed=SEED, as_of=AS_OF, contacts=CONTACTS)))


@pytest.fixture(scope="session")
def trained(world: Built) -> TrainingResult:
    return train_lead_model(world, data_end=AS_OF, version="lead-v1", booster=BoosterConfig(), group_folds=3)
