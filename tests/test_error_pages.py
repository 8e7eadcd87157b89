import pytest
from django.test import Client

from tests.conftest import text
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_404_page_in_the_site_layout(client):
    response = client.get("/nulle-part/")

    assert response.status_code == 404
    page = text(response)
    assert "Page introuvable" in page
    assert "Retour à l'accueil" in page


def test_failed_logins_are_rate_limited_in_the_shared_cache(member):
    # allauth's default: 5 failed attempts per account in 5 minutes, counted in
    # the database cache that every server process shares.
    for _ in range(5):
        Client().post("/accounts/login/", {"login": member.email, "password": "wrong"})

    fresh = Client()
    response = fresh.post("/accounts/login/", {"login": member.email, "password": PASSWORD})

    assert "_auth_user_id" not in fresh.session
    assert response.status_code == 200
    assert "Trop de tentatives de connexion" in text(response)
