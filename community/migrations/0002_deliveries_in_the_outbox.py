"""Announcements go through the outbox, like every email: their Delivery rows become
outbox messages (core.OutboxMessage, group "announcement:<id>"), then the table goes.
An announcement left "sending" by the old pipeline is "sent": its progress is now the
count of its messages by state, and what was never sent is retried by the outbox."""

from django.db import migrations

STATUS = {"pending": "pending", "sending": "sending", "sent": "sent", "failed": "failed",
          "skipped": "skipped"}  # fmt: skip


def deliveries_to_outbox(apps, schema_editor):
    Delivery = apps.get_model("community", "Delivery")
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    Announcement = apps.get_model("community", "Announcement")
    rows = []
    for delivery in Delivery.objects.select_related("member", "announcement").iterator():
        group = f"announcement:{delivery.announcement_id}"
        moment = delivery.sent_at or delivery.last_attempt_at or delivery.announcement.created_at
        rows.append(
            OutboxMessage(
                kind="community.announcement",
                params={"announcement": delivery.announcement_id},
                to=delivery.member.email,
                recipient_id=delivery.member_id,
                group=group,
                dedupe_key=f"{group}:member:{delivery.member_id}",
                language="fr",
                status=STATUS[delivery.status],
                attempts=delivery.attempts,
                created_at=moment,
                next_attempt_at=moment,
                claimed_at=delivery.last_attempt_at,
                sent_at=delivery.sent_at,
                last_error=delivery.error,
            )
        )
    OutboxMessage.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    Announcement.objects.filter(status="sending").update(status="sent")


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
        ("core", "0002_unaccent_extension"),
    ]

    operations = [
        migrations.RunPython(deliveries_to_outbox, migrations.RunPython.noop),
        migrations.DeleteModel(name="Delivery"),
    ]
