"""Background tasks (django-tasks). Each task is a thin wrapper around a service."""

from __future__ import annotations

from django_tasks import task


@task()
def announcement_deliver(announcement_id: int, delivery_ids: list[int]) -> dict:
    """Send one batch of an announcement. Safe to run twice: sent ones are skipped."""
    from .services import announcement_deliver_batch

    return announcement_deliver_batch(announcement_id=announcement_id, delivery_ids=delivery_ids)
