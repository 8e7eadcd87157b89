"""Talks in a real browser: propose, review in the admin, confirm by email link, schedule;
and the wishlist."""

import pytest
from django.core import mail
from django.utils.timezone import localtime
from playwright.sync_api import expect

from talks.models import Talk, TalkStatusChange, Topic, TopicVote
from talks.services import talk_submit
from tests.browser.helpers import log_in
from tests.browser.steps import admin_log_in, admin_messages, admin_run_action, emails_to, link_in

pytestmark = pytest.mark.browser

TITLE = "Des API qui vieillissent bien"
ABSTRACT = (
    "Comment faire évoluer une API publique **sans casser** ses clients : versions, "
    "dépréciations, contrats et tests."
)


@pytest.fixture(autouse=True)
def _links_to_live_server(settings, live_server):
    # The links in emails are SITE_URL + path: make them open the test server.
    settings.SITE_URL = live_server.url


def test_member_proposes_a_talk_with_preview_and_finds_it_submitted(
    new_page, live_server, member, organizer, outsider, event
):
    page = new_page()
    log_in(page, email=member.email)
    page.get_by_role("link", name="Proposer un talk").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposer un talk")

    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Résumé").fill(ABSTRACT)
    page.get_by_label("Long : 25 min + 5 min de questions").check()
    page.get_by_label("Anglais").check()
    page.get_by_label("Intermédiaire").check()
    page.get_by_label(f"{event.title} — ").check()
    page.get_by_label("Notes pour les organisateurs").fill("Il me faut un adaptateur HDMI.")
    page.get_by_role("button", name="Prévisualiser le résumé").click()

    preview = page.locator(".abstract-preview")
    expect(page.get_by_role("heading", name="Aperçu du résumé")).to_be_visible()
    expect(preview.locator("strong")).to_have_text("sans casser")
    expect(preview).to_have_text(
        "Comment faire évoluer une API publique sans casser ses clients : versions, "
        "dépréciations, contrats et tests."
    )
    # The preview keeps every answer, and nothing is sent yet.
    expect(page.get_by_label("Titre")).to_have_value(TITLE)
    expect(page.get_by_label("Long : 25 min + 5 min de questions")).to_be_checked()
    expect(page.get_by_label(f"{event.title} — ")).to_be_checked()
    assert Talk.objects.count() == 0
    assert mail.outbox == []

    page.get_by_role("button", name="Envoyer ma proposition").click()

    expect(page).to_have_url(f"{live_server.url}/talks/mine/")
    expect(page.locator(".messages")).to_have_text(
        f"Merci ! Votre proposition « {TITLE} » est envoyée aux organisateurs. "
        "Vous pouvez la modifier tant qu'ils ne l'ont pas examinée."
    )
    card = page.locator("article").filter(has_text=TITLE)
    expect(card.get_by_test_id("status")).to_have_text("soumis")
    expect(card).to_contain_text(
        "Les organisateurs examinent votre proposition. Vous pouvez encore la modifier."
    )
    expect(card.get_by_role("link", name="Modifier")).to_be_visible()

    talk = Talk.objects.get()
    assert (talk.title, talk.abstract) == (TITLE, ABSTRACT)
    assert (talk.format, talk.language, talk.level) == ("long", "en", "intermediate")
    assert (talk.status, talk.submitted_by, talk.event) == ("submitted", member, None)
    assert talk.notes == "Il me faut un adaptateur HDMI."
    assert list(talk.preferred_events.all()) == [event]
    assert [s.name for s in talk.speaker_list] == ["Camille"]
    assert talk.speaker_list[0].user == member

    to_organizers = emails_to(organizer.email)
    assert [m.subject for m in to_organizers] == [
        f"[Clermont'ech] Nouvelle proposition de talk : {TITLE}"
    ]
    assert "Il me faut un adaptateur HDMI." in to_organizers[0].body
    assert f"/admin/talks/talk/{talk.pk}/change/" in to_organizers[0].body
    assert [m.subject for m in emails_to(member.email)] == [
        f"[Clermont'ech] Nous avons bien reçu votre proposition : {TITLE}"
    ]
    assert len(mail.outbox) == 2

    # Another member cannot open it for editing: a 404, as if it did not exist.
    other = new_page()
    log_in(other, email=outsider.email)
    response = other.goto(f"/talks/mine/{talk.pk}/edit/")
    assert response.status == 404
    expect(other.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect(other.get_by_label("Titre")).to_have_count(0)
    talk.refresh_from_db()
    assert talk.title == TITLE


def test_organizer_accepts_speaker_confirms_by_email_link_then_talk_is_scheduled(
    new_page, live_server, member, organizer, event
):
    talk = talk_submit(
        member=member,
        title=TITLE,
        abstract=ABSTRACT,
        format=Talk.Format.SHORT,
        language=Talk.Language.FRENCH,
        level=Talk.Level.BEGINNER,
    )
    mail.outbox = []

    admin = new_page()
    admin_log_in(admin, email=organizer.email)
    admin.locator("#talks-talk").get_by_role("link", name="Talks").click()
    row = admin.locator("#result_list tbody tr").filter(has_text=TITLE)
    expect(row.locator("td.field-status")).to_have_text("soumis")
    expect(row.locator("td.field-speakers_display")).to_have_text("Camille")
    admin_run_action(admin, rows=[TITLE], action="Accepter (e-mail avec lien de confirmation)")

    expect(admin_messages(admin)).to_have_text(["1 talk accepté, e-mail envoyé."])
    expect(row.locator("td.field-status")).to_have_text("accepté")
    talk.refresh_from_db()
    assert talk.status == Talk.Status.ACCEPTED
    assert len(mail.outbox) == 1
    accepted = mail.outbox[0]
    assert accepted.to == [member.email]
    assert (
        accepted.subject == f"[Clermont'ech] Votre talk est accepté : merci de confirmer ({TITLE})"
    )
    confirm_url = link_in(accepted, r"/talks/confirm/[^/\s]+/", live_server.url)

    # The speaker opens the link logged out, in a browser of their own.
    speaker = new_page()
    speaker.goto(confirm_url)
    expect(speaker.get_by_role("heading", level=1)).to_have_text("Confirmer mon talk")
    expect(speaker.locator(".lead")).to_have_text(f"« {TITLE} »")
    assert Talk.objects.get(pk=talk.pk).status == Talk.Status.ACCEPTED  # a GET changes nothing
    speaker.get_by_role("button", name="Je confirme, je serai là").click()

    expect(speaker.locator(".messages")).to_have_text(
        f"Merci : « {TITLE} » est confirmé. À bientôt sur scène !"
    )
    expect(speaker.locator(".alert-success").last).to_have_text(
        "Ce talk est confirmé. Merci, à bientôt sur scène !"
    )
    expect(speaker.get_by_role("button", name="Je confirme, je serai là")).to_have_count(0)
    talk.refresh_from_db()
    assert talk.status == Talk.Status.CONFIRMED
    change = TalkStatusChange.objects.filter(talk=talk).latest("pk")
    assert (change.from_status, change.to_status) == ("accepted", "confirmed")
    assert (change.changed_by, change.note) == (None, "lien de confirmation reçu par e-mail")
    assert [m.subject for m in mail.outbox[1:]] == [f"[Clermont'ech] Talk confirmé : {TITLE}"]
    assert mail.outbox[1].to == [organizer.email]

    speaker.goto(event.get_absolute_url())
    expect(speaker.locator("#programme-heading + p")).to_have_text(
        "Le programme est en préparation. Vous avez un sujet ? Proposez un talk !"
    )

    # The organizer puts it in the event's programme.
    admin.reload()
    expect(row.locator("td.field-status")).to_have_text("confirmé")
    admin_run_action(
        admin,
        rows=[TITLE],
        action="Programmer à l'événement choisi ci-contre",
        event=event.title,
    )
    expect(admin_messages(admin)).to_have_text([f"1 talk programmé à {event.title}."])
    talk.refresh_from_db()
    assert (talk.event, talk.position) == (event, 1)
    scheduled = mail.outbox[2]
    assert scheduled.to == [member.email]
    assert scheduled.subject == (
        f"[Clermont'ech] Votre talk est programmé le {localtime(event.starts_at):%d/%m/%Y}"
    )
    assert len(mail.outbox) == 3

    speaker.reload()
    programme = speaker.locator("section").filter(
        has=speaker.get_by_role("heading", name="Programme", exact=True)
    )
    expect(programme.locator("li")).to_have_count(1)
    expect(programme.get_by_role("heading", level=3)).to_have_text(f"1. {TITLE}")
    expect(programme.get_by_role("link", name="Camille")).to_be_visible()
    expect(programme.locator("li p.small")).to_have_text(
        "Talk court · 10 min + 5 min de questions · Débutant"
    )
    expect(programme.locator("> p.small")).to_have_text("1 talk, 15 min au total.")


def test_wishlist_suggest_vote_unvote_and_offer_to_talk(new_page, member, outsider):
    page = new_page()
    log_in(page, email=member.email)
    page.get_by_role("link", name="Wishlist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wishlist des sujets")
    page.get_by_role("textbox", name="Sujet*").fill("  Rust   pour les développeurs Python ")
    page.get_by_label("Précisions (facultatif)").fill("PyO3, maturin, les pièges.")
    page.get_by_role("button", name="Ajouter à la wishlist").click()

    expect(page.locator(".messages")).to_have_text("Merci ! Le sujet est ajouté à la wishlist.")
    topic = Topic.objects.get()
    assert (topic.title, topic.description) == (
        "Rust pour les développeurs Python",
        "PyO3, maturin, les pièges.",
    )
    assert topic.suggested_by == member
    item = page.locator(f"#topic-{topic.pk}")
    expect(item.get_by_role("heading", level=2)).to_have_text("Rust pour les développeurs Python")
    expect(item.get_by_test_id("votes")).to_have_text("0")

    voter = new_page()
    log_in(voter, email=outsider.email)
    voter.goto("/wishlist/")
    item = voter.locator(f"#topic-{topic.pk}")
    item.get_by_role("button", name="Voter pour « Rust pour les développeurs Python »").click()

    expect(item.get_by_test_id("votes")).to_have_text("1")
    expect(item).to_contain_text("1 vote")
    unvote = item.get_by_role(
        "button", name="Retirer mon vote pour « Rust pour les développeurs Python »"
    )
    expect(unvote).to_have_attribute("aria-pressed", "true")
    expect(unvote).to_have_text("+1 ✓")
    assert list(TopicVote.objects.values_list("topic", "member")) == [(topic.pk, outsider.pk)]

    unvote.click()

    expect(item.get_by_test_id("votes")).to_have_text("0")
    expect(
        item.get_by_role("button", name="Voter pour « Rust pour les développeurs Python »")
    ).to_have_attribute("aria-pressed", "false")
    assert TopicVote.objects.count() == 0

    item.get_by_role("link", name="Je pourrais en parler").click()

    expect(voter.get_by_role("heading", level=1)).to_have_text("Proposer un talk")
    expect(voter.locator(".alert-info")).to_have_text(
        "Merci de vous proposer pour le sujet « Rust pour les développeurs Python » "
        "de la wishlist !"
    )
    expect(voter.get_by_label("Titre")).to_have_value("Rust pour les développeurs Python")
    expect(voter.locator("input[name=topic]")).to_have_value(str(topic.pk))
    assert Talk.objects.count() == 0
    assert mail.outbox == []
