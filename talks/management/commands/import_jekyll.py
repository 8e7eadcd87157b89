"""`manage.py import_jekyll SITE_DIR`: bring the old Jekyll site's archive in.

Reads SITE_DIR/_posts/, creates or updates the API Hours, venues, talks and speakers
(talks.jekyll_import), then prints a report. Exit codes: 0 when the import ran (read
the report for the posts it could not understand), 1 when SITE_DIR (or --images) is
missing or unreadable (nothing is written), 2 for a wrong command line.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from talks.jekyll import FLICKR_USER
from talks.jekyll_import import ImportReport, jekyll_import


def _readable_dir(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.R_OK | os.X_OK)


class Command(BaseCommand):
    help = (
        "Importe l'archive du site Jekyll de Clermont'ech (SITE_DIR/_posts) : API Hours, "
        "lieux, talks, intervenant·es. Relançable sans rien créer deux fois."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("site_dir", metavar="SITE_DIR", help="Dossier du site Jekyll.")
        parser.add_argument(
            "--images",
            metavar="DIR",
            help="Dossier des photos des intervenant·es (author_image des talks).",
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Remplacer aussi ce qui a été modifié dans l'admin depuis le dernier import.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Montrer ce qui changerait, sans rien enregistrer.",
        )
        parser.add_argument(
            "--old-site",
            default=None,
            metavar="URL",
            help=(
                "Adresse de l'ancien site, pour ses liens écrits comme un chemin "
                "(/api-hours/slides/….pdf). Par défaut : le réglage OLD_SITE_URL."
            ),
        )
        parser.add_argument(
            "--flickr-user",
            default=FLICKR_USER,
            help="Compte Flickr des albums photo (flickr_set_id). Par défaut : %(default)s.",
        )

    def handle(self, *args, **options) -> None:
        site = Path(options["site_dir"]).expanduser()
        posts = site / "_posts"
        if not _readable_dir(site):
            raise CommandError(
                _("%(dir)s : dossier introuvable ou illisible. Rien n'a été importé.")
                % {"dir": site}
            )
        if not _readable_dir(posts):
            raise CommandError(
                _(
                    "%(dir)s : pas de dossier _posts lisible ; est-ce bien le site Jekyll ? "
                    "Rien n'a été importé."
                )
                % {"dir": site}
            )
        images = None
        if options["images"]:
            images = Path(options["images"]).expanduser()
            if not _readable_dir(images):
                raise CommandError(
                    _("--images %(dir)s : dossier introuvable ou illisible. Rien n'a été importé.")
                    % {"dir": images}
                )
        report = jekyll_import(
            posts_dir=posts,
            images_dir=images,
            overwrite=options["overwrite"],
            dry_run=options["dry_run"],
            flickr_user=options["flickr_user"],
            old_site=options["old_site"],
        )
        self.stdout.write(render_report(report, posts))


def render_report(report: ImportReport, posts: Path) -> str:
    """The report as the organizers read it (French, one problem per line)."""
    lines = []
    if report.dry_run:
        lines.append(_("SIMULATION (--dry-run) : rien n'a été enregistré."))
    lines.append(
        ngettext(
            "Import de %(dir)s : %(n)d billet lu.",
            "Import de %(dir)s : %(n)d billets lus.",
            report.posts,
        )
        % {"dir": posts, "n": report.posts}
    )
    for kind, label in [
        ("event", _("API Hours")),
        ("talk", _("Talks")),
        ("speaker", _("Intervenant·es")),
    ]:
        lines.append(
            _("%(label)s : créés %(created)d, mis à jour %(updated)d, inchangés %(unchanged)d")
            % {
                "label": label,
                "created": report.count(kind, "created"),
                "updated": report.count(kind, "updated"),
                "unchanged": report.count(kind, "unchanged"),
            }
        )
    lines.append(
        _("Lieux : créés %(created)d, réutilisés %(reused)d")
        % {"created": report.count("venue", "created"), "reused": report.count("venue", "reused")}
    )
    lines.append(_("Billets ignorés (ni API Hour ni talk) : %(n)d") % {"n": len(report.ignored)})
    for name in report.ignored:
        lines.append(f"  - {name}")
    lines.append(_("Billets non importés : %(n)d") % {"n": len(report.skipped)})
    for name, why in report.skipped:
        lines.append(f"  - {name} : {why}")
    # First among the problems: a date read wrong puts an evening in the wrong year.
    lines.append(_("DATES corrigées ou à vérifier : %(n)d") % {"n": len(report.dates)})
    for name, why in report.dates:
        lines.append(f"  - {name} : {why}")
    lines.append(_("Champs non compris ou à vérifier : %(n)d") % {"n": len(report.warnings)})
    for name, why in report.warnings:
        lines.append(f"  - {name} : {why}")
    lines.append(
        _("Retiré des textes (le site l'affiche autrement, ou c'est périmé) : %(n)d")
        % {"n": len(report.removed)}
    )
    for name, what in report.removed:
        lines.append(f"  - {name} : {what}")
    lines.append(
        _("Modifications faites dans l'admin, conservées (--overwrite pour les remplacer) : %(n)d")
        % {"n": len(report.kept)}
    )
    for name, fields in report.kept:
        lines.append(f"  - {name} : {', '.join(fields)}")
    lines.append(
        _("Anciennes adresses redirigées vers les pages importées : %(n)d")
        % {"n": report.redirected}
    )
    return "\n".join(lines)
