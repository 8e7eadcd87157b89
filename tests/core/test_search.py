"""Searches ignore accents and case, on SQLite and on PostgreSQL (core/search.py)."""

import pytest
from django.test import Client
from django.urls import reverse

from core.search import unaccent
from events.models import Event, Venue
from members.models import User
from talks.models import Speaker, Talk
from tests.conftest import text
from tests.factories import (
    EventFactory,
    SpeakerFactory,
    SuperuserFactory,
    TalkFactory,
    UserFactory,
    VenueFactory,
)


def test_unaccent_keeps_the_case_and_the_letters():
    assert unaccent("Jérémy Lœuf, Loïc, Ça, Straße") == "Jeremy Loeuf, Loic, Ca, Strasse"
    assert unaccent(None) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stored", "typed"),
    [("Loïc", "Loic"), ("Loic", "Loïc"), ("Jérémy", "jeremy"), ("Jeremy", "JÉRÉMY")],
)
def test_queries_ignore_accents_and_case(stored, typed):
    speaker = SpeakerFactory(name=f"{stored} Martin")

    assert list(Speaker.objects.filter(name__unaccent__icontains=typed)) == [speaker]


@pytest.mark.django_db
def test_archive_search_ignores_accents_and_case(client):
    loic = SpeakerFactory(name="Loïc Dupont")
    jeremy = SpeakerFactory(name="Jeremy Martin")
    TalkFactory(title="Les caches HTTP", given=True, speakers=[loic])
    TalkFactory(title="Été du Python", given=True, speakers=[jeremy])
    TalkFactory(title="Autre chose", given=True)

    def titles(query):
        page = client.get(reverse("talks:list"), {"q": query})
        return sorted(t.title for t in page.context["page"].object_list)

    assert titles("loic") == ["Les caches HTTP"]
    assert titles("JÉRÉMY") == ["Été du Python"]
    assert titles("ete du") == ["Été du Python"]


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(SuperuserFactory())
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changelist", "make", "query", "shown"),
    [
        ("admin:talks_speaker_changelist", lambda: SpeakerFactory(name="Loic Dupont"), "Loïc",
         "Loic Dupont"),
        ("admin:talks_talk_changelist",
         lambda: TalkFactory(title="Un talk", speakers=[SpeakerFactory(name="Jérémy Roux")]),
         "jeremy", "Un talk"),
        ("admin:events_event_changelist", lambda: EventFactory(title="Soirée spéciale Noël"),
         "noel", "Soirée spéciale Noël"),
        ("admin:events_venue_changelist", lambda: VenueFactory(name="La Jetée"), "JETEE",
         "La Jetée"),
        ("admin:events_venue_changelist", lambda: VenueFactory(name="Le Bivouac",
         address="9 rue Kessler\n63000 Aubière"), "aubiere", "Le Bivouac"),
        ("admin:members_user_changelist",
         lambda: UserFactory(display_name="Loïc Perrin", email="lp@example.org"), "loic",
         "Loïc Perrin"),
    ],
)  # fmt: skip
def test_admin_searches_ignore_accents_and_case(admin_client, changelist, make, query, shown):
    make()

    response = admin_client.get(reverse(changelist), {"q": query})

    assert [str(row) for row in response.context["cl"].result_list] == [shown]
    assert shown in text(response)


@pytest.mark.django_db
def test_admin_search_without_a_match_finds_nothing(admin_client):
    VenueFactory(name="Le Bivouac")

    page = admin_client.get(reverse("admin:events_venue_changelist"), {"q": "jetée"})

    assert list(page.context["cl"].result_list) == []
    assert Venue.objects.count() == 1
    assert Event.objects.count() == Talk.objects.count() == User.objects.count() - 1 == 0
