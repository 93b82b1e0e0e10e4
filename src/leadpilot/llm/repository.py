from __future__ import annotations

from datetime import date

from leadpilot.db.repository import OrgRepository
from leadpilot.llm.models import LlmUsage


class LlmUsageRepository(OrgRepository[LlmUsage]):
    model = LlmUsage

    def between(self, start: date, end: date) -> list[LlmUsage]:
        """The org's usage rows from ``start`` to ``end`` (inclusive, UTC days)."""
        statement = (
            self.select()
            .where(LlmUsage.day >= start, LlmUsage.day <= end)
            .order_by(LlmUsage.day, LlmUsage.kind, LlmUsage.provider, LlmUsage.model)
        )
        return list(self.session.scalars(statement))
