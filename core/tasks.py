"""Background tasks (django-tasks): a thin wrapper around core.outbox."""

from __future__ import annotations

from datetime import datetime

from django_tasks import task


@task()
def outbox_deliver_task(ids: list[int], at: str | None = None) -> dict:
    """Send these outbox messages if they are (still) due. Safe to run twice."""
    from .outbox import outbox_deliver

    return outbox_deliver(ids=ids, now=datetime.fromisoformat(at) if at else None)
