"""Send the emails that are due: new ones whose task was lost, failed ones whose next
attempt has come, stale claims. For cron every few minutes (send_event_mail does it too)."""

from django.core.management.base import BaseCommand

from core.outbox import outbox_flush


class Command(BaseCommand):
    help = "Queue every email of the outbox that is due (retries included)."

    def handle(self, *args, **options):
        count = outbox_flush()
        # French plural: 0 and 1 are singular.
        plural = "s" if count > 1 else ""
        self.stdout.write(f"{count} e-mail{plural} à envoyer mis{plural} en file.")
