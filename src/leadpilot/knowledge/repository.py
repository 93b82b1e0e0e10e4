"""Every query of the knowledge domain, filtered to one org (the principal's, or ``Principal.system(org)`` for jobs
and retrieval)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from leadpilot.auth.principal import Principal
from leadpilot.db.repository import OrgRepository
from leadpilot.kit.clock import utcnow
from leadpilot.knowledge import fulltext
from leadpilot.knowledge.errors import KnowledgeDocumentNotFound
from leadpilot.knowledge.models import KnowledgeChunk, KnowledgeDocument, KnowledgeState


class KnowledgeDocumentRepository(OrgRepository[KnowledgeDocument]):
    model = KnowledgeDocument
    not_found = KnowledgeDocumentNotFound

    def filtered(
        self,
        *,
        category: str | None = None,
        status: str | None = None,
        tag: str | None = None,
        q: str | None = None,
        limit: int = 200,
    ) -> list[KnowledgeDocument]:
        statement: Select[Any] = self.where_equal(self.select(), {"category": category, "status": status})
        if q:
            pattern = f"%{q.strip().lower()}%"
            statement = statement.where(
                func.lower(KnowledgeDocument.title).like(pattern) | func.lower(KnowledgeDocument.filename).like(pattern)
            )
        rows = list(self.session.scalars(statement.order_by(KnowledgeDocument.updated_at.desc(),
                                                            KnowledgeDocument.id.desc())))  # fmt: skip
        if tag is not None:
            rows = [row for row in rows if tag in (row.tags or [])]
        return rows[:limit]

    def by_title(self, title: str) -> KnowledgeDocument | None:
        return self.session.scalar(
            select(KnowledgeDocument).where(KnowledgeDocument.org_id == self.org_id, KnowledgeDocument.title == title)
        )

    def ids_with_tags(self, tags: Sequence[str]) -> list[int]:
        wanted = set(tags)
        rows = self.session.execute(
            select(KnowledgeDocument.id, KnowledgeDocument.tags).where(KnowledgeDocument.org_id == self.org_id)
        )
        return [row_id for row_id, row_tags in rows if wanted & set(row_tags or [])]

    def titles(self, ids: Sequence[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = self.session.execute(
            select(KnowledgeDocument.id, KnowledgeDocument.title).where(
                KnowledgeDocument.org_id == self.org_id, KnowledgeDocument.id.in_(list(ids))
            )
        )
        return {row_id: title for row_id, title in rows}

    def all_ids(self) -> list[int]:
        return list(self.session.scalars(select(KnowledgeDocument.id).where(KnowledgeDocument.org_id == self.org_id)))


def stalled_generations(session: Session, *, before: Any) -> list[tuple[int, int]]:
    """(id, generation) of the documents of every org waiting or indexing without progress since ``before``: what
    the periodic sweep re-queues (a job takes ids and finds its org from the row)."""
    rows = session.execute(
        select(KnowledgeDocument.id, KnowledgeDocument.generation).where(
            KnowledgeDocument.status.in_(("pending", "indexing")), KnowledgeDocument.updated_at < before
        )
    )
    return [(row_id, generation) for row_id, generation in rows]


@dataclass(frozen=True, slots=True)
class IndexRows:
    """The org's live chunks as columns (what the vector index is built from)."""

    ids: list[int]
    document_ids: list[int]
    categories: list[str]
    embeddings: list[bytes]
    scales: list[float]
    models: list[str | None]


class KnowledgeChunkRepository(OrgRepository[KnowledgeChunk]):
    model = KnowledgeChunk

    def for_document(self, document_id: int, *, limit: int = 1000, offset: int = 0) -> list[KnowledgeChunk]:
        return list(
            self.session.scalars(
                select(KnowledgeChunk)
                .where(
                    KnowledgeChunk.org_id == self.org_id,
                    KnowledgeChunk.document_id == document_id,
                    KnowledgeChunk.live.is_(True),
                )
                .order_by(KnowledgeChunk.ordinal)
                .offset(offset)
                .limit(limit)
            )
        )

    def by_ids(self, ids: Sequence[int]) -> dict[int, KnowledgeChunk]:
        if not ids:
            return {}
        rows = self.session.scalars(
            select(KnowledgeChunk).where(KnowledgeChunk.org_id == self.org_id, KnowledgeChunk.id.in_(list(ids)))
        )
        return {row.id: row for row in rows}

    def count_live(self) -> int:
        return self.count(self.select().where(KnowledgeChunk.live.is_(True)))

    def add_many(self, rows: Sequence[KnowledgeChunk]) -> None:
        for row in rows:
            row.org_id = self.org_id
        self.session.add_all(rows)
        self.session.flush()

    def discard_other_generations(self, document_id: int, generation: int) -> None:
        """Drop the chunks of every generation but ``generation`` (which goes live)."""
        self.session.execute(
            delete(KnowledgeChunk).where(
                KnowledgeChunk.org_id == self.org_id,
                KnowledgeChunk.document_id == document_id,
                KnowledgeChunk.generation != generation,
            )
        )
        self.session.execute(
            update(KnowledgeChunk)
            .where(
                KnowledgeChunk.org_id == self.org_id,
                KnowledgeChunk.document_id == document_id,
                KnowledgeChunk.generation == generation,
            )
            .values(live=True)
        )

    def discard_generation(self, document_id: int, generation: int) -> None:
        self.session.execute(
            delete(KnowledgeChunk).where(
                KnowledgeChunk.org_id == self.org_id,
                KnowledgeChunk.document_id == document_id,
                KnowledgeChunk.generation == generation,
                KnowledgeChunk.live.is_(False),
            )
        )

    def delete_for_document(self, document_id: int) -> None:
        self.session.execute(
            delete(KnowledgeChunk).where(
                KnowledgeChunk.org_id == self.org_id, KnowledgeChunk.document_id == document_id
            )
        )

    def count_generation(self, document_id: int, generation: int) -> int:
        return int(
            self.session.scalar(
                select(func.count()).where(
                    KnowledgeChunk.org_id == self.org_id,
                    KnowledgeChunk.document_id == document_id,
                    KnowledgeChunk.generation == generation,
                )
            )
            or 0
        )

    def index_rows(self) -> IndexRows:
        rows = self.session.execute(
            select(
                KnowledgeChunk.id,
                KnowledgeChunk.document_id,
                KnowledgeChunk.category,
                KnowledgeChunk.embedding,
                KnowledgeChunk.embedding_scale,
                KnowledgeDocument.embedding_model,
            )
            .join(KnowledgeDocument, KnowledgeDocument.id == KnowledgeChunk.document_id)
            .where(KnowledgeChunk.org_id == self.org_id, KnowledgeChunk.live.is_(True))
            .order_by(KnowledgeChunk.id)
        ).all()
        return IndexRows(
            ids=[r[0] for r in rows],
            document_ids=[r[1] for r in rows],
            categories=[r[2] for r in rows],
            embeddings=[bytes(r[3]) for r in rows],
            scales=[float(r[4]) for r in rows],
            models=[r[5] for r in rows],
        )

    def ranked_by_text(
        self,
        query: str,
        *,
        limit: int,
        categories: Sequence[str] | None,
        document_ids: Sequence[int] | None,
        version: str | None = None,
    ) -> list[int]:
        return fulltext.ranked_chunk_ids(self.session, self.org_id, query, limit=limit, categories=categories,
                                         document_ids=document_ids, version=version)  # fmt: skip


class KnowledgeStateRepository:
    """The org's knowledge revision. One row per org, bumped in the transaction that changes what is retrievable."""

    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.org_id = principal.org_id

    def version(self) -> str:
        row = self.session.execute(
            select(KnowledgeState.revision, KnowledgeState.token).where(KnowledgeState.org_id == self.org_id)
        ).first()
        return "0" if row is None else f"{row[0]}-{row[1]}"

    def bump(self) -> str:
        token = uuid.uuid4().hex
        now = utcnow()
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(KnowledgeState).values(org_id=self.org_id, revision=1, token=token, changed_at=now)
        statement = statement.on_conflict_do_update(
            index_elements=[KnowledgeState.org_id],
            set_={"revision": KnowledgeState.revision + 1, "token": token, "changed_at": now},
        )
        self.session.execute(statement)
        return self.version()
