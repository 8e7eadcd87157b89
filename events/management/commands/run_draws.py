"""Draw the seats of every event in draw mode whose request window has closed.

`send_event_mail` (cron, every 5 minutes) does it too: this command is for running it by
hand. Each draw runs exactly once, however many runs overlap (events/draw.py).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from core.french import de
from events.draw import draws_run_due


class Command(BaseCommand):
    help = _(
        "Tire au sort les places des événements dont la période de demandes est finie "
        "(une seule fois par événement)."
    )

    def handle(self, *args, **options):
        draws = draws_run_due()
        if not draws:
            self.stdout.write(_("Aucun tirage à faire pour le moment."))
        for draw in draws:
            self.stdout.write(draw_line(draw))


def draw_line(draw) -> str:
    return _("Tirage au sort %(de_event)s : %(seats)d places, %(requests)d demandes.") % {
        "de_event": de(draw.event),
        "seats": draw.seats,
        "requests": len(draw.order),
    }
