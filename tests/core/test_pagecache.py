"""Anonymous pages from the cache (core/pagecache.py): fast on registration day, never
stale after a change, never someone else's token, never a member's page."""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.db import connection
from django.template import Template, TemplateSyntaxError
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import pagecache
from core.pagecache import LocalEntries, page_key
from events.services import rsvp_create
from talks.models import Talk
from tests.conftest import text
from tests.factories import EventFactory, TalkFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 5
    cache.clear()
    pagecache.local.clear()


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


def test_a_seat_taken_shows_to_members_at_once_and_to_anonymous_visitors_within_the_bound(
    client, member_client, outsider_client, event
):
    assert "10 places" in text(client.get(event.get_absolute_url()))
    assert "10 places" in text(outsider_client.get(event.get_absolute_url()))

    answer = member_client.post(reverse("events:rsvp", args=[event.slug]), {"diet": "none"})

    assert answer.status_code == 302
    own = text(member_client.get(event.get_absolute_url()))
    assert "9 places" in own and "Votre place est confirmée" in own
    assert "9 places" in text(outsider_client.get(event.get_absolute_url()))
    # A registration does not drop the anonymous pages (it would turn the cache off
    # during the rush): they show it once their lifetime (5 s here) is over.
    assert "10 places" in text(Client().get(event.get_absolute_url()))
    time.sleep(5.1)
    assert "9 places" in text(Client().get(event.get_absolute_url()))


def test_a_content_change_shows_at_once_to_everyone(client, member_client, event):
    talk = TalkFactory(event=event, status=Talk.Status.CONFIRMED, title="Des API et des volcans")
    assert "Des API et des volcans" in text(client.get(event.get_absolute_url()))
    assert "Des API et des volcans" in text(member_client.get(event.get_absolute_url()))

    talk.title = "Des volcans et des API"
    talk.save()
    event.title = "API Hour #90 : édition spéciale"
    event.save()

    for page in (
        Client().get(event.get_absolute_url()),
        member_client.get(event.get_absolute_url()),
    ):
        assert "Des volcans et des API" in text(page)
        assert "édition spéciale" in text(page)


def test_members_share_the_programme_but_each_gets_their_own_seat_and_name(
    member_client, member, outsider_client, event
):
    TalkFactory(event=event, status=Talk.Status.CONFIRMED, title="Des API et des volcans")
    rsvp_create(event=event, member=member)
    mine = text(member_client.get(event.get_absolute_url()))
    # The outsider's page reuses the cached event row, seat counts and programme: their
    # user, their own RSVPs and whether their address is verified are all it reads from
    # the tables (the cache's own table aside, when the cache is the database's).
    with CaptureQueriesContext(connection) as queries:
        theirs = text(outsider_client.get(event.get_absolute_url()))
    tables = [
        q["sql"]
        for q in queries.captured_queries
        if "django_cache" not in q["sql"] and "SAVEPOINT" not in q["sql"]
    ]

    assert len(tables) == 3, tables
    assert "Des API et des volcans" in mine and "Des API et des volcans" in theirs
    assert "Votre place est confirmée" in mine and "Votre place est confirmée" not in theirs
    assert "Camille" in mine and "Camille" not in theirs
    assert "Dominique" in theirs and "Je m'inscris" in theirs


def test_a_cancelled_seat_shows_at_once_to_the_member_who_gave_it_back(
    member_client, member, event
):
    rsvp_create(event=event, member=member)
    assert "9 places" in text(member_client.get(event.get_absolute_url()))

    member_client.post(reverse("events:rsvp-cancel", args=[event.slug]))

    assert "10 places" in text(member_client.get(event.get_absolute_url()))


def test_an_address_verified_shows_at_once(member_client, member, event):
    EmailAddress.objects.filter(user=member).update(verified=False)
    assert "Confirmez votre adresse" in text(member_client.get(event.get_absolute_url()))
    assert "Confirmez votre adresse" in text(member_client.get(event.get_absolute_url()))

    address = EmailAddress.objects.get(user=member)
    address.verified = True
    address.save()  # what allauth does when the link is followed

    assert "Je m'inscris" in text(member_client.get(event.get_absolute_url()))


def test_no_visitor_gets_anothers_csrf_token_and_the_forms_work(event):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one = first.get(event.get_absolute_url()).content.decode()
    page_two = second.get(event.get_absolute_url()).content.decode()

    tokens_one, tokens_two = TOKEN.findall(page_one), TOKEN.findall(page_two)
    assert tokens_one and tokens_two
    assert set(tokens_one).isdisjoint(tokens_two)
    stored = cache.get(page_key(event.get_absolute_url(), "fr"))
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
    assert cache.get(page_key("/events/nope/", "fr")) is None


def test_a_long_query_string_is_served_and_cached_under_a_short_key(client, event):
    path = reverse("events:list") + "?page=" + "9" * 400

    assert client.get(path).status_code == 200
    assert Client().get(path).status_code == 200
    assert cache.get(page_key(path, "fr")) is not None
    assert len(page_key(path, "fr")) < 100


def test_off_with_zero_seconds(settings, client, event):
    settings.PAGE_CACHE_SECONDS = 0
    client.get(event.get_absolute_url())

    assert cache.get(page_key(event.get_absolute_url(), "fr")) is None


def test_a_fragment_holding_a_form_is_never_stored():
    rendered = pagecache.fragment(
        "fragment:test:form", lambda: '<input name="csrfmiddlewaretoken" value="x">'
    )

    assert "csrfmiddlewaretoken" in rendered
    assert cache.get("fragment:test:form") is None
    assert pagecache.local.get("fragment:test:form") is None


def test_this_process_keeps_a_bounded_number_of_fresh_entries():
    entries = LocalEntries(size=4)
    now = time.time()
    for n in range(4):
        entries.put(f"k{n}", n, now + 60)
    entries.put("old", "gone", now - 1)  # full: the oldest half goes, then this one comes in

    assert len(entries.entries) <= 4
    assert entries.get("k3") == 3 and entries.get("k0") is None
    assert entries.get("old") is None  # past its lifetime
    entries.clear()  # a change made through this process
    assert entries.get("k3") is None


def test_a_shared_fragment_needs_a_quoted_name():
    with pytest.raises(TemplateSyntaxError, match="quoted name"):
        Template("{% load fragments %}{% shared_fragment event.pk %}x{% endshared_fragment %}")


def test_a_page_computed_while_this_process_saw_a_change_is_not_kept():
    entries = LocalEntries(size=4)
    before = entries.generation
    entries.clear()  # a save in this process while the value was being computed

    entries.put("page", "computed from the old rows", time.time() + 60, before)

    assert entries.get("page") is None
