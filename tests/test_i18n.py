"""Translations: French by default, English on request, and a complete English catalog.

Our strings are written in French; locale/en holds their English translation and
locale/fr only the French plural rule (0 and 1 are singular).
"""

import ast
import gettext
import io
import os
import re
from datetime import datetime
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.template import Template, engines
from django.template.base import FilterExpression, Node, Variable
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise

from community.services import announcement_send, announcement_send_test
from events.services import rsvp_create
from talks.services import talk_submit
from tests.conftest import text
from tests.factories import (
    AnnouncementFactory,
    EventFactory,
    RSVPFactory,
    SpeakerFactory,
    SponsorFactory,
    TalkFactory,
)

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGS = {lang: LOCALE / lang / "LC_MESSAGES" / "django.po" for lang in ("en", "fr")}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _event_on_4_march_2031(**kwargs):
    return EventFactory(
        starts_at=timezone.make_aware(datetime(2031, 3, 4, 18, 30)),
        ends_at=timezone.make_aware(datetime(2031, 3, 4, 21, 0)),
        **kwargs,
    )


def _seats_left(page: str) -> str:
    """The words of the seats line in the RSVP box."""
    match = re.search(r'data-testid="seats-left">(.*?)</p>', page, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", match[1]).split())


# --- English pages ------------------------------------------------------------------


@pytest.mark.django_db
def test_home_page_is_english_with_accept_language_en(client):
    event = _event_on_4_march_2031(capacity=3)

    page = text(client.get("/", **ENGLISH))

    assert '<html lang="en">' in page
    assert "Next event" in page
    assert event.title in page
    assert "Tuesday 4 March 2031, 18:30" in page
    assert "3 seats left" in page
    assert "Log in to register" in page
    assert ">Sign up</a>" in page
    assert "Prochain événement" not in page


@pytest.mark.django_db
def test_event_page_is_english_for_a_member(member_client):
    event = _event_on_4_march_2031(capacity=3)
    RSVPFactory(event=event)

    page = text(member_client.get(event.get_absolute_url(), **ENGLISH))

    assert '<html lang="en">' in page
    assert "Tuesday 4 March 2031, from 18:30 to 21:00" in page
    assert _seats_left(page) == "2 seats left out of 3"
    assert "Vegetarian" in page
    assert '<button type="submit" class="btn btn-primary btn-lg w-100">Register</button>' in page


@pytest.mark.django_db
def test_full_event_page_is_english(member_client):
    event = EventFactory(capacity=1)
    RSVPFactory(event=event)

    page = text(member_client.get(event.get_absolute_url(), **ENGLISH))

    assert _seats_left(page) == "Full"
    assert (
        '<button type="submit" class="btn btn-primary btn-lg w-100">Join the waiting list</button>'
        in page
    )


@pytest.mark.django_db
def test_rsvp_in_english_shows_english_message_and_sends_english_email(
    member_client, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1)
    RSVPFactory(event=event)

    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            reverse("events:rsvp", kwargs={"slug": event.slug}), {"diet": "none"}, **ENGLISH
        )
    page = text(member_client.get(response.url, **ENGLISH))

    assert "The event is full: you are on the waiting list, in position 1." in page
    assert [m.subject for m in mail.outbox] == [f"[Clermont'ech] Waiting list: {event.title}"]
    body = mail.outbox[0].body
    assert body.startswith("Hello Camille,\n\nThe event is full: you are on the waiting list,")
    assert "You can leave the waiting list from the event page." in body
    assert "\n\nThe Clermont'ech team\n" in body


@pytest.mark.django_db
def test_talks_page_is_english(client):
    TalkFactory(given=True, title="Rust pour les gens pressés")

    page = text(client.get(reverse("talks:list"), **ENGLISH))

    assert '<html lang="en">' in page
    assert "<h1>Talks</h1>" in page
    assert "The talks given at the API Hours, from newest to oldest." in page
    assert "1 talk" in page
    assert "Short talk · 15 min" in page
    assert ">Propose a talk</a>" in page


@pytest.mark.django_db
def test_sponsors_page_is_english(client):
    SponsorFactory(name="Exemple SA")

    page = text(client.get(reverse("sponsors:list"), **ENGLISH))

    assert '<html lang="en">' in page
    assert "<h1>Our partners</h1>" in page
    assert ">Silver</h2>" in page
    assert "Website of Exemple SA" in page and "'s website" not in page


@pytest.mark.django_db
def test_signup_page_is_english(client):
    page = text(client.get(reverse("account_signup"), **ENGLISH))

    assert '<html lang="en">' in page
    assert "Display name" in page
    assert "Your first and last name, or a nickname." in page
    assert "I have read and accept Clermont'ech's code of conduct" in page
    assert "Nom affiché" not in page


@pytest.mark.django_db
def test_language_chosen_in_the_footer_is_kept(client):
    EventFactory(capacity=2)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/talks/"})
    assert response.status_code == 302
    assert response.url == "/talks/"
    english = text(client.get("/"))
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    french = text(client.get("/"))

    assert '<html lang="en">' in english
    assert "2 seats left" in english
    assert '<option value="en" selected>English</option>' in english
    assert '<html lang="fr">' in french
    assert "2 places restantes" in french


# --- French by default and the French plural rule -------------------------------------


@pytest.mark.django_db
def test_pages_are_french_without_accept_language(client):
    event = _event_on_4_march_2031(capacity=3)
    TalkFactory(given=True)
    SponsorFactory(name="Exemple SA")

    home = text(client.get("/"))
    detail = text(client.get(event.get_absolute_url()))
    talks = text(client.get(reverse("talks:list")))
    sponsors = text(client.get(reverse("sponsors:list")))
    signup = text(client.get(reverse("account_signup")))

    assert '<html lang="fr">' in home
    assert "Prochain événement" in home
    assert "Se connecter pour s'inscrire" in home
    assert "mardi 4 mars 2031, de 18h30 à 21h00" in detail
    assert "3 places restantes" in detail
    assert "Les talks donnés aux API Hours, du plus récent au plus ancien." in talks
    assert "Talk court · 15 min" in talks
    assert ">Argent</h2>" in sponsors
    assert "Le site d'Exemple SA" in sponsors  # elided before a vowel (core/french.py)
    assert "J'ai lu et j'accepte le code de conduite de Clermont'ech" in signup


@pytest.mark.django_db
def test_seats_left_use_the_french_plural_rule(client):
    one = EventFactory(capacity=1)
    two = EventFactory(capacity=2)
    full = EventFactory(capacity=1)
    RSVPFactory(event=full)

    assert _seats_left(text(client.get(one.get_absolute_url()))) == "1 place restante sur 1"
    assert _seats_left(text(client.get(two.get_absolute_url()))) == "2 places restantes sur 2"
    assert _seats_left(text(client.get(full.get_absolute_url()))) == "Complet"


@pytest.mark.django_db
def test_mentors_line_reads_well_for_none_one_and_several(member_client):
    def mentors() -> tuple[str, str]:
        french = text(member_client.get(reverse("talks:propose")))
        english = text(member_client.get(reverse("talks:propose"), **ENGLISH))
        line = re.compile(r'data-testid="mentors">(.*?)</li>')
        return line.search(french).group(1), line.search(english).group(1)

    # Nobody yet: no "0 ancien·ne intervenant·e s'est proposé·e" (0 is singular in French).
    assert mentors() == (
        "Premier talk ? Dites-le dans vos notes : les organisateurs vous aideront à le préparer.",
        "First talk? Say so in your notes: the organizers will help you prepare it.",
    )
    SpeakerFactory(is_mentor=True)
    assert mentors() == (
        "Premier talk ? Un·e ancien·ne intervenant·e s'est proposé·e pour vous aider à le "
        "préparer.",
        "First talk? A former speaker has volunteered to help you prepare it.",
    )
    SpeakerFactory(is_mentor=True)
    assert mentors() == (
        "Premier talk ? 2 ancien·nes intervenant·es se sont proposé·es pour vous aider à le "
        "préparer.",
        "First talk? 2 former speakers have volunteered to help you prepare it.",
    )


def test_french_catalog_applies_the_french_plural_rule():
    singular, plural = "%(seats)s place restante", "%(seats)s places restantes"
    with translation.override("fr"):
        assert [translation.ngettext(singular, plural, n) for n in (0, 1, 2)] == [
            singular,
            singular,
            plural,
        ]
    with translation.override("en"):
        assert [translation.ngettext(singular, plural, n) % {"seats": n} for n in (0, 1, 2)] == [
            "0 seats left",
            "1 seat left",
            "2 seats left",
        ]


# --- Emails outside a request ----------------------------------------------------------


@pytest.mark.django_db
def test_emails_without_an_active_language_are_french(
    member, event, django_capture_on_commit_callbacks, settings
):
    settings.ORGANIZERS_EMAILS = ["orga@example.org"]
    with translation.override(None), django_capture_on_commit_callbacks(execute=True):
        rsvp_create(event=event, member=member)
        talk_submit(
            member=member,
            title="Rust pour les gens pressés",
            abstract="Ownership, emprunts et durées de vie expliqués en quinze minutes.",
            format="short",
            language="fr",
            level="beginner",
        )

    assert [m.subject for m in mail.outbox] == [
        f"[Clermont'ech] Votre place pour {event.title}",
        "[Clermont'ech] Nouvelle proposition de talk : Rust pour les gens pressés",
        "[Clermont'ech] Nous avons bien reçu votre proposition : Rust pour les gens pressés",
    ]
    assert mail.outbox[0].body.startswith("Bonjour Camille,\n\nVotre place est confirmée pour :")
    assert "Talk court : 10 min + 5 min de questions" in mail.outbox[2].body


@pytest.mark.django_db
def test_announcements_are_french_even_when_sent_from_an_english_page(
    organizer, member, django_capture_on_commit_callbacks
):
    announcement = AnnouncementFactory(subject="La prochaine API Hour")

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        announcement_send_test(announcement=announcement, to=organizer)
        announcement_send(announcement=announcement, by=organizer)

    assert [m.subject for m in mail.outbox] == [
        "[Clermont'ech] [TEST] La prochaine API Hour",
        "[Clermont'ech] La prochaine API Hour",
        "[Clermont'ech] La prochaine API Hour",
    ]
    assert "Vous recevez ce message parce que vous êtes inscrit·e" in mail.outbox[1].body


# --- The catalogs -------------------------------------------------------------------------


def _placeholders(message: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)[sd]", message))


def test_english_catalog_is_complete():
    catalog = polib.pofile(CATALOGS["en"])

    assert [e.msgid for e in catalog if not e.obsolete and not e.translated()] == []
    assert [e.msgid for e in catalog.fuzzy_entries()] == []
    assert catalog.obsolete_entries() == []
    missing = []
    for entry in catalog:
        if entry.msgid_plural:
            pairs = [
                (entry.msgid, entry.msgstr_plural[0]),
                (entry.msgid_plural, entry.msgstr_plural[1]),
            ]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        missing += [
            (msgid, msgstr)
            for msgid, msgstr in pairs
            if _placeholders(msgid) - _placeholders(msgstr)
        ]
    assert missing == []


def test_french_catalog_only_has_plural_forms():
    catalog = polib.pofile(CATALOGS["fr"])

    assert catalog.metadata["Plural-Forms"] == "nplurals=2; plural=(n > 1);"
    plurals = [e for e in catalog if e.msgid_plural]
    assert plurals
    assert all(e.msgstr_plural == {0: e.msgid, 1: e.msgid_plural} for e in plurals)
    assert [e.msgid for e in catalog if not e.msgid_plural and e.msgstr] == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_committed_mo_files_match_the_po_files(lang):
    """`manage.py compilemessages` was run after the last change to the .po file."""
    po = polib.pofile(CATALOGS[lang])
    expected = gettext.GNUTranslations(io.BytesIO(po.to_binary()))
    with open(CATALOGS[lang].with_suffix(".mo"), "rb") as mo:
        committed = gettext.GNUTranslations(mo)

    def messages(translations):
        return {key: value for key, value in translations._catalog.items() if key != ""}

    assert messages(committed) == messages(expected)
    assert [committed.plural(n) for n in (0, 1, 2)] == [expected.plural(n) for n in (0, 1, 2)]


# What `makemessages` would extract, found with Python's ast and Django's template parser
# (no gettext tools needed): a string marked in the code but missing from the catalog fails.

_PY_FUNCTIONS = {
    "_": "s",
    "gettext": "s",
    "gettext_lazy": "s",
    "gettext_noop": "s",
    "ngettext": "p",
    "ngettext_lazy": "p",
    "pgettext": "cs",
    "pgettext_lazy": "cs",
    "npgettext": "cp",
    "npgettext_lazy": "cp",
}
_IGNORED_DIRS = {".venv", "staticfiles", "node_modules", "locale", "__pycache__"}


def _project_files(*suffixes):
    """The files `makemessages` reads (it skips hidden folders and the ignored ones)."""
    for folder, subfolders, files in os.walk(settings.BASE_DIR):
        subfolders[:] = sorted(
            d for d in subfolders if d not in _IGNORED_DIRS and not d.startswith(".")
        )
        for name in sorted(files):
            if name.endswith(suffixes):
                yield Path(folder) / name


def _python_messages(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", None))
        kind = _PY_FUNCTIONS.get(name)
        args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
        if kind is None or len(args) < len(kind) or None in args[: len(kind)]:
            continue
        context = args.pop(0) if kind.startswith("c") else None
        yield (context, args[0], args[1] if kind.endswith("p") else None)


def _translated_literals(expression: FilterExpression) -> list[str]:
    """The msgids of _("…") in a filter expression: the value and the filter arguments."""
    found = []
    if isinstance(expression.var, Promise):  # a constant _("…"), parsed into a lazy string
        found.append(str(expression.var))
    elif isinstance(expression.var, Variable) and expression.var.translate:
        found.append(expression.var.literal)
    for _filter, arguments in expression.filters:
        found += [str(arg) for is_var, arg in arguments if not is_var and isinstance(arg, Promise)]
    # Django doubles "%" in the msgid of a template literal, xgettext does not.
    return [msgid.replace("%%", "%") for msgid in found]


def _template_messages(path: Path) -> set[tuple]:
    source = path.read_text()
    if "trans" not in source and "_(" not in source:
        return set()
    found = set()
    with translation.override(None):  # lazy strings give back their msgid
        template = Template(source, engine=engines["django"].engine)
        for node in template.nodelist.get_nodes_by_type(Node):
            context = getattr(node, "message_context", None)
            context = context.var if context else None
            if isinstance(node, TranslateNode) and node.filter_expression.var.literal is not None:
                found.add((context, node.filter_expression.var.literal, None))
            if isinstance(node, BlockTranslateNode):
                singular = node.render_token_list(node.singular)[0]
                plural = node.render_token_list(node.plural)[0] if node.plural else None
                found.add((context, singular, plural))
            for value in vars(node).values():
                for expression in value.values() if isinstance(value, dict) else [value]:
                    if isinstance(expression, FilterExpression):
                        found |= {(None, m, None) for m in _translated_literals(expression)}
    return found


def test_every_marked_string_is_in_the_english_catalog():
    """Fails when someone marks a new string and forgets `makemessages -l en` (see README)."""
    marked = set()
    for path in _project_files(".py"):
        marked |= set(_python_messages(path))
    for path in _project_files(".html", ".txt"):
        marked |= _template_messages(path)
    catalog = {(e.msgctxt, e.msgid, e.msgid_plural or None) for e in polib.pofile(CATALOGS["en"])}

    hint = "run `manage.py makemessages -l en -l fr --no-obsolete --add-location=file ...`"
    assert sorted(marked - catalog, key=str) == [], f"Missing from locale/en: {hint}"
    assert sorted(catalog - marked, key=str) == [], f"No longer in the code: {hint}"
