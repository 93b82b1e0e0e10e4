"""The one list of periodic jobs and the import of every task module.

Each domain defines its tasks in ``<domain>/tasks.py``; importing them here registers them with the consumer.
"""

from __future__ import annotations

from leadpilot.imports import tasks as import_tasks  # noqa: F401
from leadpilot.webhooks import tasks as webhook_tasks  # noqa: F401
