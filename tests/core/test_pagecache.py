"""Anonymous pages from the cache (core/pagecache.py): fast on registration day, never
stale after a change, never someone else's token, never a member's page."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from core.pagecache import VERSION_KEY
from events.models import RSVP
from events.services import rsvp_create
from tests.conftest import text
from tests.factories import EventFactory, RSVPFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 5
    cache.delete(VERSION_KEY)


@pytest.fixture
def event():
    return EventFactory(capacity=10, title="API Hour #90")


def test_the_second_anonymous_visit_is_served_from_the_cache(
    client, event, django_assert_max_num_queries
):
    first = client.get(event.get_absolute_url())
    with django_assert_max_num_queries(1):  # the cache entry and its version, in one read
        second = Client().get(event.get_absolute_url())

    assert second.status_code == 200
    assert TOKEN.sub("", first.content.decode()) == TOKEN.sub("", second.content.decode())


def test_a_seat_taken_shows_to_anonymous_visitors_at_once(client, event):
    assert "10 places" in text(client.get(event.get_absolute_url()))

    rsvp_create(event=event, member=UserFactory())

    assert "9 places" in text(Client().get(event.get_absolute_url()))


def test_a_cancelled_seat_and_a_programme_change_show_at_once(client, event):
    rsvp = RSVPFactory(event=event)
    assert "9 places" in text(client.get(event.get_absolute_url()))

    rsvp.status = RSVP.Status.CANCELLED
    rsvp.save()
    event.title = "API Hour #90 : édition spéciale"
    event.save()

    page = text(Client().get(event.get_absolute_url()))
    assert "10 places" in page
    assert "édition spéciale" in page


def test_no_visitor_gets_anothers_csrf_token_and_the_forms_work(event):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one = first.get(event.get_absolute_url()).content.decode()
    page_two = second.get(event.get_absolute_url()).content.decode()

    tokens_one, tokens_two = TOKEN.findall(page_one), TOKEN.findall(page_two)
    assert tokens_one and tokens_two
    assert set(tokens_one).isdisjoint(tokens_two)
    stored = cache.get(f"pages:fr:{event.get_absolute_url()}")
    assert stored is not None
    assert not any(token.encode() in stored["content"] for token in tokens_one + tokens_two)
    # The language switcher of the cached page posts with the second visitor's own token.
    answer = second.post(
        reverse("set_language"),
        {"language": "en", "next": "/", "csrfmiddlewaretoken": tokens_two[0]},
    )
    assert answer.status_code == 302


def test_a_member_never_gets_the_anonymous_page(client, member_client, member, event):
    client.get(event.get_absolute_url())  # cached for anonymous visitors
    rsvp_create(event=event, member=member)
    client.get(event.get_absolute_url())

    page = member_client.get(event.get_absolute_url())

    assert "Camille" in text(page)
    assert "private" in page["Cache-Control"]


def test_french_and_english_are_kept_apart(event):
    french = text(Client().get(event.get_absolute_url()))
    english = text(Client(headers={"accept-language": "en"}).get(event.get_absolute_url()))

    assert "places" in french and "seats" in english


def test_a_visitor_with_a_pending_message_gets_it_and_nobody_else_does(member):
    Client().get(reverse("home"))  # a cached home for everyone
    visitor = Client()
    visitor.force_login(member)
    visitor.post(reverse("account_logout"))  # queues "Vous êtes déconnecté(e)."

    assert "déconnecté" in text(visitor.get(reverse("home")))
    assert "déconnecté" not in text(Client().get(reverse("home")))
    assert "déconnecté" not in text(visitor.get(reverse("home")))  # shown once


def test_a_missing_page_is_not_cached(client):
    assert client.get("/events/nope/").status_code == 404
    assert cache.get("pages:fr:/events/nope/") is None


def test_off_with_zero_seconds(settings, client, event):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(event.get_absolute_url())

    assert cache.get(f"pages:fr:{event.get_absolute_url()}") is None
