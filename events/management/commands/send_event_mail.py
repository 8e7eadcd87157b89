"""Send the automatic messages of the coming events. Meant for cron, every few minutes:

    */5 * * * *  cd /srv/clermontech && .venv/bin/python manage.py send_event_mail

Safe to run as often as you like, twice at once, or again after a crash: each message
is recorded per person (EventMail) and sent at most once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.models import LAST_YEAR, EventMail
from events.reminders import event_mail_enqueue, event_mail_schedule


def _parse_now(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            _("--now attend une date ISO, par exemple 2026-12-03T09:30 (heure de Paris).")
        ) from error
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment < timezone.now() - timedelta(minutes=1):
        raise CommandError(
            _("--now ne peut pas être dans le passé : les messages en retard ne partent plus.")
        )
    if moment.year > LAST_YEAR:  # no event then; 9999-12-31 would overflow (48 h ahead)
        raise CommandError(_("--now doit être au plus tard en %(year)d.") % {"year": LAST_YEAR})
    return moment


class Command(BaseCommand):
    help = _(
        "Envoie les messages automatiques des événements : « toujours partant·e ? » 48 h "
        "avant, le rappel du jour et le lien du direct à la liste d'attente. À lancer par "
        "cron toutes les 5 minutes ; ne renvoie jamais deux fois le même message."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Affiche ce qui partirait, sans rien enregistrer ni envoyer."),
        )
        parser.add_argument(
            "--now",
            help=_(
                "Faire comme s'il était cette heure-là (répétition, démonstration), "
                "par exemple 2026-12-03T09:30. Jamais dans le passé."
            ),
        )

    def handle(self, *args, dry_run: bool = False, now: str | None = None, **options):
        moment = _parse_now(now) if now else timezone.now()
        due = event_mail_schedule(now=moment, dry_run=dry_run)
        if not due:
            self.stdout.write(_("Aucun message à envoyer pour le moment."))
        for item in due:
            recipients = ngettext("%(n)d destinataire", "%(n)d destinataires", item.recipients) % {
                "n": item.recipients
            }
            new = ngettext("%(n)d nouveau message", "%(n)d nouveaux messages", item.created) % {
                "n": item.created
            }
            self.stdout.write(
                _("%(event)s — %(kind)s : %(recipients)s, %(new)s")
                % {
                    "event": item.event,
                    "kind": EventMail.Kind(item.kind).label,
                    "recipients": recipients,
                    "new": new,
                }
            )
        if dry_run:
            self.stdout.write(_("Simulation : rien n'a été enregistré ni envoyé."))
            return
        queued = event_mail_enqueue(now=moment)
        self.stdout.write(
            ngettext("%(n)d message confié à l'envoi.", "%(n)d messages confiés à l'envoi.", queued)
            % {"n": queued}
        )
        failed = EventMail.objects.filter(
            status=EventMail.Status.FAILED, rsvp__event__ends_at__gt=moment
        ).count()
        if failed:
            self.stderr.write(
                ngettext(
                    "%(n)d message en échec : il sera retenté au prochain passage "
                    "(voir « Messages automatiques » dans l'administration).",
                    "%(n)d messages en échec : ils seront retentés au prochain passage "
                    "(voir « Messages automatiques » dans l'administration).",
                    failed,
                )
                % {"n": failed}
            )
