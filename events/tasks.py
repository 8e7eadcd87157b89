"""Background tasks (django-tasks). Each task is a thin wrapper around a service."""

from __future__ import annotations

from datetime import datetime

from django_tasks import task


@task()
def event_mail_deliver(mail_ids: list[int], scheduled_for: str) -> dict:
    """Send one batch of automatic event messages. Safe to run twice: sent ones are skipped."""
    from .reminders import event_mail_deliver_batch

    return event_mail_deliver_batch(mail_ids=mail_ids, now=datetime.fromisoformat(scheduled_for))
