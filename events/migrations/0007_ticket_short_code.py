"""A short code per ticket (events.ticket_codes), typed at the door: added empty, filled
for the existing RSVPs (unique within each event), then unique per event."""

from django.db import migrations, models

import events.ticket_codes


def fill_short_codes(apps, schema_editor):
    RSVP = apps.get_model("events", "RSVP")
    taken: dict[int, set[str]] = {}
    for rsvp in RSVP.objects.order_by("id").only("id", "event_id").iterator():
        codes = taken.setdefault(rsvp.event_id, set())
        code = events.ticket_codes.new_short_code()
        while code in codes:
            code = events.ticket_codes.new_short_code()
        codes.add(code)
        RSVP.objects.filter(pk=rsvp.pk).update(short_code=code)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0006_delete_eventmail"),
    ]

    operations = [
        migrations.AddField(
            model_name="rsvp",
            name="short_code",
            field=models.CharField(
                default="",
                editable=False,
                max_length=8,
                verbose_name="code court",
            ),
            preserve_default=False,
        ),
        # Going back: the column is dropped by the AddField's reverse, nothing to undo.
        migrations.RunPython(fill_short_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="rsvp",
            name="short_code",
            field=models.CharField(
                default=events.ticket_codes.new_short_code,
                editable=False,
                help_text=(
                    "Code imprimé sous le QR code, à taper à l'entrée si l'appareil photo ne "
                    "lit pas le QR code (8 caractères, unique pour l'événement)."
                ),
                max_length=8,
                verbose_name="code court",
            ),
        ),
        migrations.AddConstraint(
            model_name="rsvp",
            constraint=models.UniqueConstraint(
                fields=("event", "short_code"), name="rsvp_short_code_unique_per_event"
            ),
        ),
    ]
