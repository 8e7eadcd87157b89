"""Send the automatic messages of the coming events. Meant for cron, every few minutes:

    */5 * * * *  cd /srv/clermontech && .venv/bin/python manage.py send_event_mail

Safe to run as often as you like, twice at once, or again after a crash: each message
is an outbox message with a dedupe key per person and kind, written once and sent once
(see events/reminders.py). Each run also sends what the outbox has due (`outbox_flush`:
retries of every email of the site), so this one cron line is enough.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.outbox import outbox_flush
from events.draw import draws_run_due
from events.management.commands.run_draws import draw_line
from events.models import LAST_YEAR
from events.opening import opening_run
from events.reminders import KINDS, event_mail_failures, event_mail_schedule


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
        "avant, le rappel du jour, le lien du direct à la liste d'attente et les alertes "
        "d'ouverture des inscriptions ; libère les places réservées aux nouveaux venus à "
        "leur date limite. À lancer par cron toutes les 5 minutes ; ne renvoie jamais deux "
        "fois le même message."
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
        if not dry_run:
            # The draws whose request window has closed (events/draw.py), on the real clock:
            # a rehearsal's moment ahead must not draw before the window really ends.
            for draw in draws_run_due():
                self.stdout.write(draw_line(draw))
        due = event_mail_schedule(now=moment, dry_run=dry_run)
        # The opening alerts and the release of held seats follow the real clock (see
        # events/opening.py), even in a rehearsal.
        opening = opening_run(dry_run=dry_run)
        self._report_opening(opening, dry_run=dry_run)
        if not due and not opening.alerts:
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
                    "kind": KINDS[item.kind],
                    "recipients": recipients,
                    "new": new,
                }
            )
        if dry_run:
            self.stdout.write(_("Simulation : rien n'a été enregistré ni envoyé."))
            return
        created = sum(item.created for item in due) + sum(opening.alerts.values())
        # The new messages were handed to the outbox's workers when their transaction
        # committed; this queues everything else the site has due: earlier failures whose
        # next attempt has come, lost tasks, stale claims (a message queued twice is still
        # sent once). On the real clock, even in a rehearsal (--now): a moment ahead would
        # take over the claims of workers still sending, and send those emails twice.
        retried = outbox_flush()
        self.stdout.write(
            ngettext(
                "%(n)d message confié à l'envoi.", "%(n)d messages confiés à l'envoi.", created
            )
            % {"n": created}
        )
        if retried:
            self.stdout.write(
                ngettext(
                    "%(n)d e-mail du site à envoyer mis en file (nouveaux essais compris).",
                    "%(n)d e-mails du site à envoyer mis en file (nouveaux essais compris).",
                    retried,
                )
                % {"n": retried}
            )
        failed = event_mail_failures(now=moment)
        if failed:
            self.stderr.write(
                ngettext(
                    "%(n)d message en échec : voir « E-mails envoyés par le site » dans "
                    "l'administration (les échecs sont retentés automatiquement, puis "
                    "abandonnés après plusieurs essais).",
                    "%(n)d messages en échec : voir « E-mails envoyés par le site » dans "
                    "l'administration (les échecs sont retentés automatiquement, puis "
                    "abandonnés après plusieurs essais).",
                    failed,
                )
                % {"n": failed}
            )

    def _report_opening(self, opening, *, dry_run: bool) -> None:
        for event, count in opening.alerts.items():
            self.stdout.write(
                ngettext(
                    "%(event)s — ouverture des inscriptions : %(n)d alerte",
                    "%(event)s — ouverture des inscriptions : %(n)d alertes",
                    count,
                )
                % {"event": event, "n": count}
            )
        for event, promoted in opening.released.items():
            if dry_run:
                self.stdout.write(
                    _("%(event)s — places réservées aux nouveaux venus à libérer")
                    % {"event": event}
                )
                continue
            self.stdout.write(
                ngettext(
                    "%(event)s — places réservées aux nouveaux venus libérées : %(n)d "
                    "personne de la liste d'attente a obtenu une place",
                    "%(event)s — places réservées aux nouveaux venus libérées : %(n)d "
                    "personnes de la liste d'attente ont obtenu une place",
                    len(promoted),
                )
                % {"event": event, "n": len(promoted)}
            )
