"""Odd input answered once for the whole site: NUL bytes (a 400 page before any view),
junk ids in every admin's autocomplete fields and actions."""

import pytest
from django.urls import reverse

from community.models import Announcement
from events.models import RSVP
from tests.conftest import text
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/talks/?q=a%00b", "/events/?page=%00", "/a-propos/?x%00=1", "/talks/%00/"],
)
def test_a_nul_byte_anywhere_in_the_address_is_a_400_page(client, path):
    response = client.get(path)

    assert response.status_code == 400
    assert "contient des caractères que le site ne peut pas lire" in text(response)


def test_a_nul_byte_in_a_form_writes_nothing(member_client):
    event = EventFactory()

    response = member_client.post(
        reverse("events:rsvp", args=[event.slug]), {"diet": "other", "diet_notes": "noix\x00"}
    )

    assert response.status_code == 400
    assert not RSVP.objects.exists()


def test_an_admin_form_shown_again_with_a_junk_id_in_an_autocomplete_field(organizer_client):
    response = organizer_client.post(
        reverse("admin:community_announcement_add"),
        {"subject": "Annonce", "body": "Texte", "event": "²"},
    )

    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in text(response)
    assert not Announcement.objects.exists()


@pytest.mark.parametrize("selected", ["abc", "²", str(10**22)])
def test_an_admin_action_on_a_junk_selection_changes_nothing(organizer_client, selected):
    EventFactory()
    url = reverse("admin:events_event_changelist")

    response = organizer_client.post(
        url, {"action": "export_attendees", "_selected_action": [selected]}, follow=True
    )

    assert response.status_code == 200
    assert "Sélection illisible : rien n'a été modifié." in text(response)
    assert response["Content-Type"].startswith("text/html")  # not the CSV of the action
