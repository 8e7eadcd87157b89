"""The public API (/api/v1/): a valid schema, every endpoint answers anonymously, nothing
private ever leaves, filters and pages, constant queries, rate limit and cache headers."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openapi_spec_validator import validate

from events.models import Event
from talks.models import Talk
from tests.conftest import count_queries
from tests.factories import (
    EventFactory,
    RSVPFactory,
    SpeakerFactory,
    SponsorFactory,
    SponsorshipFactory,
    TalkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"


def get(client: Client, path: str, status: int = 200) -> dict:
    response = client.get(API + path)
    assert response.status_code == status, (path, response.status_code, response.content[:300])
    return response.json()


@pytest.fixture
def archive(db):
    """A public evening with a public talk, beside everything that must stay private."""
    past = EventFactory(
        number=1, slug="api-hour-1", past=True, livestream_url="https://live.example/1"
    )
    speaker = SpeakerFactory(name="Ada Lovelace", email="ada-secret@example.org")
    talk = TalkFactory(
        title="Les machines analytiques",
        slug="machines",
        status=Talk.Status.CONFIRMED,
        event=past,
        speakers=[speaker],
        video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        slides_url="https://slides.example/machines",
        notes="note privée des organisateurs",
    )
    # Private: a draft evening and its talk, a submitted talk, a banned speaker's profile.
    draft = EventFactory(number=2, slug="api-hour-brouillon", draft=True)
    TalkFactory(
        title="Talk du brouillon", slug="brouillon", status=Talk.Status.CONFIRMED, event=draft
    )
    TalkFactory(title="Proposition soumise", slug="soumise", event=past)
    banned = UserFactory(email="banni@example.org", display_name="Banni", banned_at=timezone.now())
    banned_speaker = SpeakerFactory(name="Orateur banni", user=banned)
    TalkFactory(
        title="Talk co-présenté",
        slug="copresente",
        status=Talk.Status.CONFIRMED,
        event=past,
        speakers=[speaker, banned_speaker],
    )
    RSVPFactory(event=past, member=UserFactory(email="participant@example.org"))
    sponsor = SponsorFactory(name="Mécène", slug="mecene")
    SponsorshipFactory(sponsor=sponsor, event=past)
    return {"event": past, "talk": talk, "speaker": speaker, "sponsor": sponsor}


def test_schema_is_valid_openapi(client):
    schema = get(client, "/openapi.json")
    validate(schema)
    paths = set(schema["paths"])
    assert {
        "/api/v1/events",
        "/api/v1/events/next",
        "/api/v1/events/{slug}",
        "/api/v1/talks",
        "/api/v1/talks/{slug}",
        "/api/v1/speakers",
        "/api/v1/speakers/{slug}",
        "/api/v1/sponsors",
    } == paths
    assert all(set(ops) == {"get"} for ops in schema["paths"].values())  # read only


def test_docs_page_loads_swagger_from_our_static_files(client):
    response = client.get(API + "/docs")
    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    # The site's strict policy applies to it unchanged: no inline script allowed.
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_every_endpoint_answers_anonymously(client, archive):
    """Walks the schema: every path, its {slug} filled with a real public object."""
    upcoming = EventFactory(slug="api-hour-a-venir")
    slugs = {
        "/api/v1/events/{slug}": upcoming.slug,
        "/api/v1/talks/{slug}": archive["talk"].slug,
        "/api/v1/speakers/{slug}": archive["speaker"].slug,
    }
    schema = get(client, "/openapi.json")
    for path in schema["paths"]:
        url = path.replace("{slug}", slugs.get(path, ""))
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "public" in response["Cache-Control"]


def test_nothing_private_leaves(client, archive):
    """Every answer of every endpoint, in one text: no email, no draft, no submitted talk,
    no banned speaker, no organizer note."""
    paths = [
        "/events", "/events?when=past", "/events/api-hour-1", "/talks", "/talks/machines",
        "/talks/copresente", "/speakers", "/speakers/ada-lovelace", "/sponsors",
        "/sponsors?event=api-hour-1", "/talks?event=api-hour-1", "/speakers?event=api-hour-1",
    ]  # fmt: skip
    everything = "".join(json.dumps(get(client, p)) for p in paths)
    for secret in [
        "@example.org",  # every address of the fixture (speakers, members)
        "api-hour-brouillon",
        "Talk du brouillon",
        "Proposition soumise",
        "Orateur banni",
        "orateur-banni",
        "note privée",
    ]:
        assert secret not in everything, secret
    # The private objects' own addresses answer 404, as for an unknown one.
    for path in ["/events/api-hour-brouillon", "/talks/brouillon", "/talks/soumise",
                 "/speakers/orateur-banni"]:  # fmt: skip
        assert get(client, path, 404) == {"detail": "Introuvable."}


def test_event_shows_venue_programme_stream_and_sponsors(client, archive, settings):
    event = get(client, "/events/api-hour-1")
    assert event["number"] == 1
    assert event["venue"]["address"] == "9 rue Kessler\n63000 Clermont-Ferrand"
    assert event["livestream_url"] == "https://live.example/1"
    assert [t["title"] for t in event["programme"]] == [
        "Les machines analytiques",
        "Talk co-présenté",
    ]
    assert event["programme"][1]["speakers"] == [
        {
            "slug": "ada-lovelace",
            "name": "Ada Lovelace",
            "url": settings.SITE_URL + "/speakers/ada-lovelace/",
        }
    ]
    assert [s["name"] for s in event["sponsors"]] == ["Mécène"]
    assert event["url"].endswith("/events/api-hour-1/")


def test_talk_shows_speakers_video_and_slides(client, archive):
    talk = get(client, "/talks/machines")
    assert talk["video_url"] == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert talk["slides_url"] == "https://slides.example/machines"
    assert talk["event"]["slug"] == "api-hour-1"
    assert [s["name"] for s in talk["speakers"]] == ["Ada Lovelace"]


def test_speaker_links_their_member_page_only_when_public(client, archive):
    speaker = archive["speaker"]
    assert get(client, "/speakers/ada-lovelace")["member_url"] is None  # no account

    speaker.user = UserFactory(profile_public=False)
    speaker.save()
    assert get(client, "/speakers/ada-lovelace")["member_url"] is None

    speaker.user.profile_public = True
    speaker.user.save()
    assert get(client, "/speakers/ada-lovelace")["member_url"].endswith(
        f"/members/{speaker.user.pk}/"
    )


def test_filters_year_event_speaker(client, archive):
    other_year = EventFactory(
        number=3, slug="api-hour-3", starts_at=timezone.now() - timedelta(days=800)
    )
    TalkFactory(title="Ancien talk", slug="ancien", status=Talk.Status.CONFIRMED, event=other_year)
    year = timezone.localtime(other_year.starts_at).year

    assert [t["slug"] for t in get(client, f"/talks?year={year}")["results"]] == ["ancien"]
    assert [e["slug"] for e in get(client, f"/events?year={year}")["results"]] == ["api-hour-3"]
    by_event = get(client, "/talks?event=api-hour-1")["results"]
    assert {t["slug"] for t in by_event} == {"machines", "copresente"}
    by_speaker = get(client, "/talks?speaker=ada-lovelace")["results"]
    assert {t["slug"] for t in by_speaker} == {"machines", "copresente"}
    assert get(client, "/talks?speaker=orateur-banni")["count"] == 0
    assert [s["slug"] for s in get(client, "/speakers?event=api-hour-3")["results"]] != []
    assert "ada-lovelace" not in {
        s["slug"] for s in get(client, "/speakers?event=api-hour-3")["results"]
    }


def test_next_event_is_the_next_published_one(client, archive):
    assert get(client, "/events/next", 404) == {"detail": "Introuvable."}
    EventFactory(number=9, slug="api-hour-9", starts_at=timezone.now() + timedelta(days=40))
    EventFactory(number=8, slug="api-hour-8", starts_at=timezone.now() + timedelta(days=10))
    EventFactory(
        number=7, slug="api-hour-7", draft=True, starts_at=timezone.now() + timedelta(days=2)
    )
    assert get(client, "/events/next")["slug"] == "api-hour-8"


def test_pages_of_twenty(client, settings):
    for n in range(45):
        EventFactory(number=1000 + n, slug=f"e{n}", past=True)
    first = get(client, "/events")
    assert (first["count"], first["pages"], len(first["results"])) == (45, 3, 20)
    assert first["next"] == settings.SITE_URL + "/api/v1/events?page=2"
    last = get(client, "/events?page=3")
    assert len(last["results"]) == 5 and last["next"] is None
    assert get(client, "/events?page=4")["results"] == []


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=abc", "page=99999999999999999999999", "year=26", "year=²", "when=demain",
     "event=" + "x" * 300],
)  # fmt: skip
def test_bad_parameters_get_a_clear_400(client, query):
    path = "/talks" if query.startswith("event") else "/events"
    body = get(client, f"{path}?{query}", 400)
    assert body["detail"].startswith("Paramètre invalide : ")


def test_bad_parameters_in_english(client):
    client.cookies["django_language"] = "en"
    body = get(client, "/events?page=0", 400)
    assert body["detail"] == "Invalid parameter: page."


@pytest.mark.parametrize("path", ["/events", "/talks", "/speakers", "/sponsors"])
def test_list_queries_do_not_grow_with_the_data(client, path):
    def one_more_evening(n):
        event = EventFactory(number=500 + n, slug=f"soiree-{n}", past=True)
        speakers = [SpeakerFactory(user=UserFactory()), SpeakerFactory()]
        TalkFactory(status=Talk.Status.CONFIRMED, event=event, speakers=speakers)
        TalkFactory(status=Talk.Status.CONFIRMED, event=event)
        SponsorshipFactory(event=event, sponsor=SponsorFactory())

    one_more_evening(0)
    few = count_queries(client, API + path)
    for n in range(1, 6):
        one_more_evening(n)
    assert count_queries(client, API + path) == few


def test_rate_limited_with_a_message(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "api": "3/m/ip"}
    for _ in range(3):
        get(client, "/sponsors")
    body = get(client, "/sponsors", 429)
    assert "beaucoup de demandes" in body["detail"]


def test_same_answer_logged_in_and_out(client, archive, member_client):
    """The API never reads the account: what a member gets, anyone gets (and may cache)."""
    assert get(member_client, "/events/api-hour-1") == get(client, "/events/api-hour-1")
    response = member_client.get(API + "/events/api-hour-1")
    assert response["Cache-Control"] == "public, max-age=300"


def test_cancelled_events_are_listed_as_cancelled(client):
    EventFactory(slug="annulee", cancelled=True)
    assert get(client, "/events/annulee")["status"] == Event.Status.CANCELLED


def test_atom_feed_and_calendar_link_to_the_api(client, settings):
    api_url = settings.SITE_URL + "/api/v1/events?when=upcoming"
    atom = client.get("/events/feed.atom").content.decode()
    assert f'<link href="{api_url}" rel="alternate" type="application/json"' in atom
    ics = client.get("/events/calendar.ics").content.decode().replace("\r\n ", "")
    assert f"X-WR-CALDESC:Les mêmes événements en données ouvertes (JSON) : {api_url}" in ics
