"""Sign-up as a newcomer lives it: the form asks about announcements (unticked), the
email greets with the site's real name, the confirmation link logs the person in."""

import re

import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.urls import reverse

from core.sites import site_sync
from members.models import User
from tests.conftest import text
from tests.members.test_accounts import SIGNUP

pytestmark = pytest.mark.django_db


def _confirm_link(message) -> str:
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    return link.split("testserver", 1)[-1]


def test_signup_email_confirm_link_logs_the_new_member_in(client):
    client.post(reverse("account_signup"), SIGNUP)
    (message,) = mail.outbox
    confirm = _confirm_link(message)

    page = client.get(confirm)  # the page with the "Confirmer" button
    response = client.post(confirm, follow=True)

    assert page.status_code == 200
    user = User.objects.get(email=SIGNUP["email"])
    assert user.has_verified_email()
    assert response.wsgi_request.user == user  # logged in, no second login
    assert "Se déconnecter" in text(response)


def test_signup_email_greets_with_the_site_name_not_example_com(client):
    client.post(reverse("account_signup"), SIGNUP)

    (message,) = mail.outbox
    assert "Clermont'ech" in message.body
    assert "example.com" not in message.body + message.subject


def test_signup_asks_about_announcements_with_an_unticked_box(client):
    page = client.get(reverse("account_signup")).content.decode()

    box = re.search(r'<input[^>]*name="receives_announcements"[^>]*>', page).group(0)
    assert 'type="checkbox"' in box and "checked" not in box
    assert "Recevoir par e-mail les annonces des événements" in page


@pytest.mark.parametrize(
    ("ticked", "expected"), [({}, False), ({"receives_announcements": "on"}, True)]
)
def test_signup_announcements_follow_the_box(client, ticked, expected):
    client.post(reverse("account_signup"), {**SIGNUP, **ticked})

    assert User.objects.get(email=SIGNUP["email"]).receives_announcements is expected


def test_site_name_and_domain_come_from_the_settings_after_migrate():
    site = Site.objects.get_current()  # the test database was migrated: the sync ran

    assert (site.name, site.domain) == ("Clermont'ech", "127.0.0.1:8000")


def test_site_sync_is_idempotent_and_follows_the_settings(settings):
    settings.SITE_URL = "https://apihour.example.org"
    settings.SITE_NAME = "Clermont'ech API Hours"
    Site.objects.filter(pk=settings.SITE_ID).update(name="example.com", domain="example.com")

    site_sync()
    site_sync()

    assert list(Site.objects.values_list("pk", "name", "domain")) == [
        (settings.SITE_ID, "Clermont'ech API Hours", "apihour.example.org")
    ]
