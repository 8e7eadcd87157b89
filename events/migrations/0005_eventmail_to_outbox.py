# The automatic messages of the evening (reconfirmation, the day's reminder, the live
# stream link) move from their own table (EventMail) to the site's outbox (core
# OutboxMessage): one outbox row per EventMail row, with its state and attempts, and the
# dedupe key that keeps send_event_mail from writing it again. The next migration drops
# the EventMail table.

from django.conf import settings
from django.db import migrations
from django.utils import timezone

# As events.reminders.dedupe_key writes them (a migration does not import app code).
KIND_NAMES = {"reconfirm": "events.reconfirm", "reminder": "events.reminder",
              "stream": "events.stream"}  # fmt: skip
OLD_KINDS = {name: kind for kind, name in KIND_NAMES.items()}
# After this many attempts the old sender gave up on a failed message: in the outbox,
# that is "dead" (shown as given up in the admin, where it can be queued again).
OLD_MAX_ATTEMPTS = 5
BATCH = 500


def dedupe_key(name: str, rsvp_id: int) -> str:
    return f"{name}:rsvp:{rsvp_id}"


def _status(mail) -> str:
    if mail.status == "failed" and mail.attempts >= OLD_MAX_ATTEMPTS:
        return "dead"
    if mail.status in ("pending", "failed", "sending") and not mail.rsvp.member.email:
        return "skipped"  # nobody to write to any more (an erased account)
    return mail.status  # pending, sending, sent, failed, skipped: the same words


def forwards(apps, schema_editor):
    EventMail = apps.get_model("events", "EventMail")
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    now = timezone.now()
    mails = EventMail.objects.select_related("rsvp__member").order_by("id")
    rows = []
    for mail in mails.iterator(chunk_size=BATCH):
        name = KIND_NAMES[mail.kind]
        status = _status(mail)
        rows.append(
            OutboxMessage(
                kind=name,
                to=mail.rsvp.member.email,
                # "at": the run's moment, unknown: the row's creation (the clock wins anyway).
                params={"rsvp": mail.rsvp_id, "at": mail.created_at.isoformat()},
                recipient_id=mail.rsvp.member_id,
                group=f"event:{mail.rsvp.event_id}",
                dedupe_key=dedupe_key(name, mail.rsvp_id),
                language=settings.LANGUAGE_CODE,  # what the old sender wrote in
                status=status,
                attempts=mail.attempts,
                created_at=mail.created_at,
                # Waiting ones are due at once, as they were for the old sender's next run.
                next_attempt_at=now if status in ("pending", "failed") else mail.created_at,
                # A row a worker held: the outbox's stale-claim delay applies from here.
                claimed_at=mail.claimed_at or (now if status == "sending" else None),
                sent_at=mail.sent_at,
                last_error=mail.error,
            )
        )
        if len(rows) >= BATCH:
            OutboxMessage.objects.bulk_create(rows)
            rows = []
    OutboxMessage.objects.bulk_create(rows)


def backwards(apps, schema_editor):
    EventMail = apps.get_model("events", "EventMail")
    OutboxMessage = apps.get_model("core", "OutboxMessage")
    RSVP = apps.get_model("events", "RSVP")
    messages = OutboxMessage.objects.filter(kind__in=OLD_KINDS).order_by("id")
    rsvp_ids = set(RSVP.objects.values_list("id", flat=True))
    rows = []
    for message in messages.iterator(chunk_size=BATCH):
        rsvp_id = (message.params or {}).get("rsvp")
        if rsvp_id not in rsvp_ids:
            continue
        dead = message.status == "dead"
        rows.append(
            EventMail(
                rsvp_id=rsvp_id,
                kind=OLD_KINDS[message.kind],
                status="failed" if dead else message.status,
                attempts=max(message.attempts, OLD_MAX_ATTEMPTS) if dead else message.attempts,
                claimed_at=message.claimed_at,
                sent_at=message.sent_at,
                error=message.last_error,
            )
        )
    EventMail.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    # created_at is auto_now_add: put the original moments back.
    for message in messages.iterator(chunk_size=BATCH):
        rsvp_id = (message.params or {}).get("rsvp")
        EventMail.objects.filter(rsvp_id=rsvp_id, kind=OLD_KINDS[message.kind]).update(
            created_at=message.created_at
        )
    messages.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_outbox"),
        ("events", "0004_event_room_and_unlimited_capacity"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
