import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.services import member_delete
from tests.factories import OrganizerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_about_page_shows_the_four_values_and_the_code_of_conduct(client):
    response = client.get(reverse("about"))

    page = response.content.decode()
    assert response.status_code == 200
    for value in ["Ouverture", "Indépendance", "Respect", "Partage"]:
        assert f">{value}</h3>" in page
    assert reverse("code-of-conduct") in page
    assert reverse("community:report") in page


def test_about_page_presents_active_organizers_with_bio_only_when_public(client, member):
    public = OrganizerFactory(display_name="Alice Orga", bio="Backend chez X.", profile_public=True)
    public.avatar_thumb.save("alice.png", ContentFile(b"png"), save=True)
    OrganizerFactory(display_name="Bruno Orga", bio="Bio privée", profile_public=False)
    OrganizerFactory(display_name="Ancien Orga", is_active=False)

    response = client.get(reverse("about"))

    page = response.content.decode()
    assert [o.display_name for o in response.context["organizers"]] == ["Alice Orga", "Bruno Orga"]
    assert "Backend chez X." in page
    assert public.avatar_thumb.url in page
    assert "Bio privée" not in page
    assert "Ancien Orga" not in page
    assert "Camille" not in page


def test_about_page_query_count_does_not_grow_with_organizers(client, django_assert_num_queries):
    OrganizerFactory()
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("about"))
    OrganizerFactory.create_batch(3)

    with django_assert_num_queries(len(one)):
        response = client.get(reverse("about"))

    assert len(response.context["organizers"]) == 4


def test_footer_links_to_about_and_report(client):
    page = client.get(reverse("code-of-conduct")).content.decode()

    assert f'href="{reverse("about")}"' in page
    assert f'href="{reverse("community:report")}"' in page


def test_staff_member_who_deleted_their_account_is_not_listed(client):
    gone = UserFactory(display_name="Parti", is_staff=True)
    member_delete(member=gone)

    assert "Parti" not in client.get(reverse("about")).content.decode()
