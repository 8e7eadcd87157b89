import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from community.tokens import unsubscribe_token_make

pytestmark = pytest.mark.django_db


def _url(token: str) -> str:
    return reverse("community:unsubscribe", args=[token])


def test_unsubscribe_get_asks_for_confirmation_and_changes_nothing(client, member):
    response = client.get(_url(unsubscribe_token_make(member)))

    assert response.status_code == 200
    page = response.content.decode()
    assert "c•••@example.org" in page
    assert "Me désinscrire" in page
    member.refresh_from_db()
    assert member.receives_announcements is True


def test_unsubscribe_one_click_post_works_without_login_or_csrf_token(member):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        _url(unsubscribe_token_make(member)),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert "ne recevra plus les annonces" in response.content.decode()
    member.refresh_from_db()
    assert member.receives_announcements is False


def test_unsubscribe_post_twice_is_harmless(client, member):
    url = _url(unsubscribe_token_make(member))
    client.post(url)

    response = client.post(url)

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.receives_announcements is False


def test_unsubscribe_token_cannot_be_forged_for_another_member(client, member, outsider):
    token = unsubscribe_token_make(member)
    forged = f"{outsider.pk}:{token.split(':', 1)[1]}"
    unsalted = signing.Signer().sign(str(outsider.pk))

    responses = [client.post(_url(forged)), client.post(_url(unsalted)), client.get(_url(forged))]

    assert [r.status_code for r in responses] == [400, 400, 400]
    assert "Lien de désinscription invalide" in responses[0].content.decode()
    outsider.refresh_from_db()
    member.refresh_from_db()
    assert (outsider.receives_announcements, member.receives_announcements) == (True, True)


def test_unsubscribe_page_says_when_already_unsubscribed(client, member):
    member.receives_announcements = False
    member.save()

    response = client.get(_url(unsubscribe_token_make(member)))

    assert "ne reçoit déjà plus les annonces" in response.content.decode()
