"""Webhook jobs: deliver one delivery; re-enqueue deliveries whose job was lost (periodic, see jobs/periodic.py)."""

from __future__ import annotations

import logging

from huey.exceptions import RetryTask

from leadpilot.jobs.queue import job
from leadpilot.webhooks import service

log = logging.getLogger("leadpilot.webhooks")


# The attempt count lives in the delivery row, so the next attempt is scheduled with RetryTask at the row's
# backoff; ``retries`` only covers failures outside the HTTP call (e.g. the database being briefly unavailable).
@job("webhooks.deliver", retries=3, backoff_base=30.0)
def deliver_webhook(delivery_id: int) -> None:
    outcome = service.deliver(delivery_id)
    if outcome.status == "retry" and outcome.retry_in is not None:
        raise RetryTask(f"webhook delivery {delivery_id}: {outcome.detail}", delay=outcome.retry_in)


def requeue_stale_deliveries() -> int:
    """Enqueue a job for every pending delivery long past due. Safe to repeat: ``deliver`` claims the row."""
    delivery_ids = service.overdue_delivery_ids()
    for delivery_id in delivery_ids:
        deliver_webhook(delivery_id)
    if delivery_ids:
        log.warning("re-enqueued overdue webhook deliveries", extra={"count": len(delivery_ids)})
    return len(delivery_ids)
