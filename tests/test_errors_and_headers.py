"""What a visitor and the team get when a page fails; private pages stay private; the
admin's login goes through allauth's."""

import logging

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.conftest import text
from tests.factories import EventFactory, OrganizerFactory, RSVPFactory, UserFactory
from tests.test_settings import _manage

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_site(settings):
    settings.ROOT_URLCONF = "tests.urls_failing"
    return Client(raise_request_exception=False)


def test_500_is_logged_with_the_request_id_shown_on_the_page(failing_site, settings, caplog):
    settings.ADMINS = []
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = failing_site.get("/en-panne/")

    request_id = response["X-Request-ID"]
    page = text(response)
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert response.status_code == 500
    assert len(request_id) == 12
    assert record.request_id == request_id
    assert record.exc_info[0] is RuntimeError
    assert request_id in page
    # Nobody is notified without ADMINS: the page must not pretend otherwise.
    assert "prévenue" not in page
    assert "écrivez aux organisateurs en citant la référence" in page
    assert mail.outbox == []


def test_500_notifies_the_admins_and_says_so(failing_site, settings):
    settings.ADMINS = [("Alice", "alice@example.org")]

    response = failing_site.get("/en-panne/")

    assert response.status_code == 500
    assert "l'équipe a été prévenue" in text(response)
    [email] = mail.outbox
    assert email.to == ["alice@example.org"]
    assert "RuntimeError" in email.body


def test_every_answer_carries_a_fresh_request_id(client):
    first, second = client.get("/"), client.get("/")

    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_admins_are_read_from_the_environment():
    code = "from django.conf import settings; print(settings.ADMINS)"
    good = _manage("shell", "-c", code, DEBUG="1", ADMINS="Alice <alice@example.org>, bob@ex.org")
    bad = _manage("check", DEBUG="1", ADMINS="alice at example")

    assert good.stdout.strip().endswith(
        "[('Alice', 'alice@example.org'), ('bob@ex.org', 'bob@ex.org')]"
    ), good.stderr
    assert bad.returncode != 0
    assert "ADMINS: 'alice at example' is not an email address" in bad.stderr


# Private pages ---------------------------------------------------------------------


def test_private_pages_are_never_stored_by_a_cache(member_client, member):
    event = EventFactory()
    RSVPFactory(event=event, member=member)
    urls = [
        reverse("community:export"),
        reverse("members:profile"),
        reverse("events:mine"),
        reverse("events:ticket", args=[event.slug]),
        reverse("talks:mine"),
        reverse("talks:speaker-profile"),
    ]
    for url in urls:
        response = member_client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url


def test_public_pages_for_anonymous_visitors_stay_cacheable(client):
    response = client.get(EventFactory().get_absolute_url())

    assert response.status_code == 200
    assert not response.has_header("Cache-Control")


def test_the_public_feeds_keep_their_own_cache_policy(member_client):
    response = member_client.get(reverse("events:calendar-feed"))

    assert "public" in response["Cache-Control"]


# The admin's login --------------------------------------------------------------------


def test_admin_login_sends_to_the_site_login_and_back(client):
    response = client.get("/admin/login/?next=/admin/events/event/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fevents%2Fevent%2F"


def test_admin_login_post_cannot_bypass_the_rate_limits(client):
    organizer = OrganizerFactory()
    for _ in range(6):
        client.post("/accounts/login/", {"login": organizer.email, "password": "wrong"})

    direct = client.post("/admin/login/", {"username": organizer.email, "password": "wrong"})

    assert direct.status_code == 302  # no form to guess on: back to the limited login
    assert "_auth_user_id" not in client.session


def test_a_member_opening_the_admin_login_is_refused(client):
    client.force_login(UserFactory())

    assert client.get("/admin/login/").status_code == 403


def test_pages_of_signed_links_are_private_even_without_a_login(client, member):
    from community.tokens import unsubscribe_token_make
    from events.reminders import YES, reconfirm_token_make

    rsvp = RSVPFactory(event=EventFactory(), member=member)
    urls = [
        reverse("events:reconfirm", args=[reconfirm_token_make(rsvp, YES)]),
        reverse("community:unsubscribe", args=[unsubscribe_token_make(member)]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url


def test_a_button_address_opened_directly_is_a_page_of_the_site(member_client):
    response = member_client.get(reverse("events:rsvp", args=[EventFactory().slug]))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "Cette adresse s'utilise avec un bouton" in text(response)


def test_the_thank_you_page_of_a_report_is_private(client):
    assert client.get(reverse("community:report-done"))["Cache-Control"] == "private, no-store"


def test_every_page_says_how_to_write_to_the_organizers(client, settings):
    settings.CONTACT_EMAIL = "equipe@clermontech.test"

    for url in ["/", reverse("about")]:
        assert 'href="mailto:equipe@clermontech.test"' in client.get(url).content.decode(), url
