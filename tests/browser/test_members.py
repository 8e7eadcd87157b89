"""Members in a real browser: avatar, announcements and unsubscribing, account deletion,
incident reports."""

import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.core import mail
from django.utils.timezone import localtime
from PIL import Image
from playwright.sync_api import expect

from community.models import Announcement, IncidentReport
from events.models import RSVP
from events.services import rsvp_create
from members.models import User
from tests.browser.helpers import log_in
from tests.browser.steps import (
    admin_log_in,
    admin_messages,
    admin_run_action,
    emails_to,
    link_in,
    png_file,
)
from tests.factories import PASSWORD, EventFactory, UserFactory

pytestmark = pytest.mark.browser

NOT_AN_IMAGE = (
    "Ce fichier n'est pas une image PNG, JPEG ou WebP. Le contenu du fichier est vérifié, "
    "pas son nom : un PDF, un SVG ou un GIF renommé est refusé."
)


@pytest.fixture(autouse=True)
def _links_to_live_server(settings, live_server):
    # The links in emails are SITE_URL + path: make them open the test server.
    settings.SITE_URL = live_server.url


def _media_files() -> list[str]:
    root = Path(django_settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_member_uploads_avatar_and_a_renamed_pdf_is_refused(page, tmp_path, member):
    # (Django's live server serves MEDIA_ROOT itself, so the image really loads.)
    log_in(page, email=member.email)
    page.locator(".user-menu summary", has_text="Camille").click()  # the user menu
    page.get_by_role("link", name="Mon profil", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon profil")
    avatar = page.get_by_test_id("avatar")
    expect(avatar).to_have_attribute("src", "/static/img/avatar.svg")

    page.get_by_label("Avatar", exact=True).set_input_files(png_file(tmp_path, size=(600, 400)))
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.locator(".messages")).to_have_text("Votre profil est enregistré.")
    expect(avatar).to_have_attribute("src", re.compile(r"^/media/avatars/\w+_400x400\.webp$"))
    expect(avatar).to_have_attribute("alt", "Mon avatar")
    page.wait_for_load_state("load")
    # Displayed: the browser fetched and decoded the 400 × 400 image.
    assert avatar.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]") == [
        True,
        400,
        400,
    ]
    member.refresh_from_db()
    stored = [member.avatar.name, member.avatar_thumb.name]
    assert _media_files() == sorted(stored)
    with Image.open(member.avatar.path) as image:
        assert (image.format, image.size) == ("WEBP", (400, 400))
    with Image.open(member.avatar_thumb.path) as image:
        assert (image.format, image.size) == ("WEBP", (96, 96))

    renamed_pdf = tmp_path / "avatar.png"
    renamed_pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n")
    page.get_by_label("Remplacer mon avatar").set_input_files(renamed_pdf)
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.locator(".messages")).to_have_text(
        "Votre profil n'a pas été enregistré : voir ci-dessous."
    )
    expect(page.locator(".invalid-feedback")).to_have_text(NOT_AN_IMAGE)
    expect(avatar).to_have_attribute("src", f"/media/{stored[0]}")
    member.refresh_from_db()
    assert [member.avatar.name, member.avatar_thumb.name] == stored
    assert _media_files() == sorted(stored)


def test_organizer_announces_event_and_member_unsubscribes_from_the_email(
    new_page, live_server, organizer, member, outsider, event
):
    outsider.receives_announcements = False
    outsider.save(update_fields=["receives_announcements"])

    admin = new_page()
    admin_log_in(admin, email=organizer.email)
    admin.locator("#events-event").get_by_role("link", name="Événements").click()
    admin_run_action(admin, rows=[event.title], action="Annoncer cet événement")

    expect(admin_messages(admin)).to_have_text(
        ["Brouillon d'annonce créé. Relisez-le, envoyez-vous un test, puis envoyez-le."]
    )
    announcement = Announcement.objects.get()
    subject = announcement.subject
    assert subject.startswith(f"{event.title}, le ")
    assert (announcement.event, announcement.status) == (event, Announcement.Status.DRAFT)
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Aperçu : {subject}")
    expect(admin.locator("#content-main")).to_contain_text(
        "2 membres recevront cette annonce (inscrits aux annonces, compte actif, e-mail "
        "vérifié, non exclus)."
    )
    send = admin.get_by_role("button", name="Envoyer à 2 membres")
    expect(send).to_be_disabled()
    expect(admin.locator("#send-help")).to_have_text(
        "Disponible après l'envoi d'un test de cette version."
    )

    admin.get_by_role("button", name="M'envoyer un test (orga@example.org)").click()

    expect(admin_messages(admin)).to_have_text(
        ["Test envoyé à orga@example.org. Relisez-le dans votre messagerie."]
    )
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([organizer.email], f"[Clermont'ech] [TEST] {subject}")
    ]
    assert mail.outbox[0].body.startswith(
        "[Message de test : vous seul·e l'avez reçu. Les membres recevront le même, "
        "sans cette ligne.]"
    )
    assert not announcement.messages().exists()
    expect(send).to_be_enabled()

    send.click()

    expect(admin_messages(admin)).to_have_text(
        ["Envoi lancé pour 2 membres, par lots, en arrière-plan."]
    )
    expect(admin.locator("#content-main")).to_contain_text("2 envoyés · 0 échecs · 0 en attente")
    announcement.refresh_from_db()
    assert announcement.status == Announcement.Status.SENT
    assert sorted(announcement.messages().values_list("to", "status")) == [
        (member.email, "sent"),
        (organizer.email, "sent"),
    ]
    assert emails_to(outsider.email) == []
    [received] = emails_to(member.email)
    assert received.subject == f"[Clermont'ech] {subject}"
    assert f"La prochaine rencontre, **{event.title}**, aura lieu le " in received.body
    assert f"Détails et inscription : {live_server.url}{event.get_absolute_url()}" in (
        received.body
    )
    unsubscribe_url = link_in(received, r"/desabonnement/[^/\s]+/", live_server.url)
    assert received.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    assert len(mail.outbox) == 3  # the test, then one each for the organizer and the member

    # The member clicks the link in their mailbox, not logged in on this browser.
    reader = new_page()
    reader.goto(unsubscribe_url)
    expect(reader.get_by_role("link", name="Se connecter", exact=True)).to_be_visible()
    expect(reader.get_by_role("heading", level=1)).to_have_text("Se désinscrire des annonces")
    expect(reader.locator("article p").first).to_have_text(
        "L'adresse c•••@example.org ne recevra plus les annonces des événements de "
        "Clermont'ech. Les e-mails liés à vos inscriptions (confirmation, liste d'attente) "
        "continueront d'arriver."
    )
    member.refresh_from_db()
    assert member.receives_announcements is True  # opening the link changes nothing

    reader.get_by_role("button", name="Me désinscrire").click()

    expect(reader.get_by_role("heading", level=1)).to_have_text("Désinscription confirmée")
    expect(reader.get_by_role("status")).to_have_text(
        "C'est fait : l'adresse c•••@example.org ne recevra plus les annonces."
    )
    member.refresh_from_db()
    assert member.receives_announcements is False
    assert list(User.objects.announcement_recipients()) == [organizer]


def test_member_deletes_account_and_waiting_list_moves_up(page, member):
    event = EventFactory(capacity=1)
    mine = rsvp_create(event=event, member=member).rsvp
    waiting = UserFactory(email="sasha@example.org")
    theirs = rsvp_create(event=event, member=waiting).rsvp
    assert (mine.status, theirs.status) == (RSVP.Status.CONFIRMED, RSVP.Status.WAITLISTED)
    mail.outbox = []

    log_in(page, email=member.email)
    page.goto("/members/me/")
    page.get_by_role("link", name="Supprimer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supprimer mon compte")
    expect(page.locator("article ul ul li")).to_have_text(
        [f"{event.title} ({_french_date(event)})"]
    )

    page.get_by_label("Votre mot de passe").fill("pas le bon")
    page.get_by_role("button", name="Continuer").click()
    expect(page.locator(".invalid-feedback")).to_have_text("Ce mot de passe n'est pas le bon.")

    page.get_by_label("Votre mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("heading", level=2)).to_have_text(
        "Étape 2 sur 2 : dernière confirmation"
    )
    member.refresh_from_db()
    assert member.deleted_at is None  # nothing happens before the last button

    page.get_by_role("button", name="Oui, supprimer définitivement mon compte").click()

    expect(page.locator(".messages")).to_have_text(
        "Votre compte est supprimé et vos données personnelles effacées."
    )
    expect(page.get_by_role("link", name="Se connecter", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)

    member.refresh_from_db()
    assert member.email == f"deleted-{member.pk}@invalid"
    assert (member.display_name, member.is_active) == ("Membre supprimé", False)
    assert member.deleted_at is not None
    assert not member.has_usable_password()
    assert not EmailAddress.objects.filter(user=member).exists()
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == (RSVP.Status.CANCELLED, RSVP.Status.CONFIRMED)
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("camille@example.org", "[Clermont'ech] Votre compte Clermont'ech est supprimé"),
        ("sasha@example.org", f"[Clermont'ech] Une place s'est libérée : {event.title}"),
    ]

    # The old session is gone: the profile asks for a login.
    page.goto("/members/me/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/members/me/$"))


def _french_date(event) -> str:
    """ "5 juin 2025": the event's day in Paris, as the page writes it."""
    months = [
        "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
        "septembre", "octobre", "novembre", "décembre",
    ]  # fmt: skip
    day = localtime(event.starts_at)
    return f"{day.day} {months[day.month - 1]} {day.year}"


def test_anonymous_visitor_reports_an_incident_and_organizers_get_no_text(page, organizer, event):
    page.goto("/")
    page.locator("footer").get_by_role("link", name="Signaler un incident").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Signaler un incident")
    expect(page.get_by_label("Joindre mon nom au signalement")).to_have_count(0)

    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.locator(".messages")).to_have_text(
        "Le signalement n'a pas été envoyé : voir ci-dessous."
    )
    expect(page.locator(".invalid-feedback")).to_have_text("Décrivez ce qui s'est passé.")
    assert IncidentReport.objects.count() == 0

    page.get_by_label("Lors de quel événement ?").select_option(label=event.title)
    page.get_by_label("Que s'est-il passé ?").fill(
        "Une personne a fait des remarques déplacées au buffet."
    )
    page.get_by_role("button", name="Envoyer le signalement").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Merci, votre signalement est envoyé")
    report = IncidentReport.objects.get()
    assert report.what_happened == "Une personne a fait des remarques déplacées au buffet."
    assert (report.event, report.reporter, report.contact_email) == (event, None, "")
    [notice] = mail.outbox
    assert notice.to == [organizer.email]
    assert notice.subject == f"[Clermont'ech] Nouveau signalement ({report.reference})"
    assert f"/admin/community/incidentreport/{report.pk}/change/" in notice.body
    assert "remarques" not in notice.body
    assert "buffet" not in notice.body
