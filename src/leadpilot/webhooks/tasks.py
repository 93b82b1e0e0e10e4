"""Webhook delivery job (filled in by the webhooks module)."""

from __future__ import annotations

from leadpilot.jobs.queue import huey


@huey.task(name="webhooks.deliver")
def deliver_webhook(delivery_id: int) -> None:
    from leadpilot.webhooks.service import deliver

    deliver(delivery_id)
