"""The admin as organizers meet it: ordered by what they do most, and in words."""

import re

import pytest
from django.urls import reverse

from events.models import RSVP
from talks.models import Talk, TalkStatusChange
from talks.services import talk_set_status
from tests.conftest import text
from tests.factories import (
    EventFactory,
    RSVPFactory,
    SpeakerFactory,
    SponsorFactory,
    SuperuserFactory,
    TalkFactory,
)

pytestmark = pytest.mark.django_db


def _index_sections(client) -> list[str]:
    page = client.get(reverse("admin:index")).content.decode()
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<caption>(.*?)</caption>", page, re.S)
    ]


def _models_of(client, app_label: str) -> list[str]:
    page = client.get(reverse("admin:index")).content.decode()
    block = re.search(rf'<div class="app-{app_label} module.*?</table>', page, re.S).group(0)
    return re.findall(r'<th scope="row"[^>]*>\s*<a [^>]*>([^<]+)</a>', block)


def test_admin_index_puts_the_evenings_first_and_technical_last(organizer_client):
    sections = _index_sections(organizer_client)

    # The organizers' dashboard (history app) on top, then the apps by use.
    assert sections[:6] == [
        "Tableau de bord",
        "Événements",
        "Talks",
        "Membres",
        "Partenaires",
        "Communauté",
    ]
    assert _models_of(organizer_client, "events") == [
        "Événements",
        "Inscriptions",
        "Lieux",
        "Demandes de place (tirage)",
        "Tirages au sort",
    ]
    assert sections[-1] == "Tâches en arrière-plan"


def test_background_tasks_are_named_in_french(client):
    client.force_login(SuperuserFactory())

    index = text(client.get(reverse("admin:index")))
    tasks = text(client.get(reverse("admin:django_tasks_database_dbtaskresult_changelist")))

    assert "Tâches en arrière-plan" in index and "Exécutions des tâches" in index
    assert "Tasks Database Backend" not in index + tasks
    assert "Task Result" not in index + tasks


def test_admin_has_no_side_menu_taking_a_quarter_of_the_laptop(organizer_client):
    page = text(organizer_client.get(reverse("admin:events_event_changelist")))

    assert 'id="nav-sidebar"' not in page


def test_talk_status_history_reads_in_words(organizer_client, organizer):
    talk = TalkFactory(status=Talk.Status.SUBMITTED, speakers=[SpeakerFactory()])
    TalkStatusChange.objects.create(talk=talk, from_status="", to_status=Talk.Status.SUBMITTED)
    talk_set_status(talk=talk, status=Talk.Status.ACCEPTED, by=organizer)

    page = text(organizer_client.get(reverse("admin:talks_talk_change", args=[talk.pk])))

    assert "Soumis → Accepté" in page
    assert "submitted → accepted" not in page


def test_inline_add_buttons_read_naturally(organizer_client):
    sponsor = SponsorFactory()
    event = EventFactory()

    sponsor_page = text(
        organizer_client.get(reverse("admin:sponsors_sponsor_change", args=[sponsor.pk]))
    )
    event_page = text(organizer_client.get(reverse("admin:events_event_change", args=[event.pk])))

    assert "Ajouter une soirée soutenue" in sponsor_page
    assert "Ajouter un sponsor à la soirée" in event_page
    assert "Ajouter un objet" not in sponsor_page + event_page


def test_event_page_address_is_named_and_tucked_in_advanced(organizer_client):
    event = EventFactory()

    page = organizer_client.get(
        reverse("admin:events_event_change", args=[event.pk])
    ).content.decode()

    advanced = re.search(r"<details>.*?</details>", page, re.S).group(0)
    assert "Avancé" in advanced and "Adresse de la page (URL)" in advanced
    assert 'name="slug"' in advanced
    assert ">Adresse :<" not in page


def test_admin_action_messages_use_plural_forms(organizer_client):
    event = EventFactory(capacity=1)
    seats = [RSVPFactory(event=event, checked_in_at=None) for _ in range(1)]
    second = EventFactory()
    more = [RSVPFactory(event=second) for _ in range(2)]
    url = reverse("admin:events_rsvp_changelist")

    one = organizer_client.post(
        url, {"action": "check_in_selected", "_selected_action": [s.pk for s in seats]}, follow=True
    )
    two = organizer_client.post(
        url, {"action": "check_in_selected", "_selected_action": [r.pk for r in more]}, follow=True
    )

    assert "1 arrivée pointée." in text(one)
    assert "2 arrivées pointées." in text(two)
    assert "(s)" not in text(one) + text(two)
    assert RSVP.objects.filter(checked_in_at__isnull=False).count() == 3
