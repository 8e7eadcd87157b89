"""Replay an event's draw from its record: `manage.py draw_replay <event address>`.

Prints MATCH when the seed and the order recomputed from the record are those recorded
(and the rows agree with the record), MISMATCH and the differences otherwise (exit 1).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from events.draw import draw_replay
from events.models import Draw


class Command(BaseCommand):
    help = _("Rejoue le tirage au sort d'un événement et dit MATCH ou MISMATCH.")

    def add_arguments(self, parser):
        parser.add_argument("slug", help=_("L'adresse de l'événement, par exemple api-hour-90."))

    def handle(self, *args, slug: str, **options):
        draw = None
        if "\x00" not in slug:  # PostgreSQL refuses a NUL byte in a query
            draw = Draw.objects.select_related("event").filter(event__slug=slug[:200]).first()
        if draw is None:
            raise CommandError(
                _("Aucun tirage au sort pour « %(slug)s » (adresse inconnue ou pas encore tiré).")
                % {"slug": slug}
            )
        result = draw_replay(draw)
        self.stdout.write(_("Graine recalculée : %(seed)s") % {"seed": result.seed})
        self.stdout.write(
            _("Ordre recalculé (numéros de demande) : %(order)s")
            % {"order": " ".join(str(i) for i in result.order) or "—"}
        )
        if not result.match:
            for problem in result.problems:
                self.stderr.write(f"- {problem}")
            self.stdout.write("MISMATCH")
            raise CommandError(_("Le tirage rejoué ne correspond pas au registre."))
        self.stdout.write("MATCH")
