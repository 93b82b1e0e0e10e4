"""Knowledge jobs: "knowledge.ingest" indexes one generation of a document; "knowledge.resume_stalled" (periodic)
re-queues documents whose indexing was lost."""

from __future__ import annotations

from leadpilot.jobs.queue import job


@job("knowledge.ingest", retries=2, backoff_base=30.0)
def ingest(document_id: int, generation: int) -> str:
    from leadpilot.knowledge.service import index_document

    return index_document(document_id, generation)


def resume_stalled_ingestion() -> int:
    """Re-queue documents left pending or indexing for a while (scheduled in ``jobs/periodic.py``)."""
    from leadpilot.knowledge.service import stalled_documents

    stalled = stalled_documents()
    for document_id, generation in stalled:
        ingest(document_id, generation)
    return len(stalled)
