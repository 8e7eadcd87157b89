"""The archive, the talk and speaker pages, the event programme, and what stays private."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from events.models import Event
from talks.models import Talk
from tests.conftest import count_queries, text
from tests.factories import (
    EventFactory,
    SpeakerFactory,
    TalkFactory,
    TopicFactory,
    TopicVoteFactory,
)

S = Talk.Status
PARIS = ZoneInfo("Europe/Paris")


def past_event(year: int, number: int, **kwargs) -> Event:
    starts = datetime(year, 5, 23, 18, 30, tzinfo=PARIS)
    return EventFactory(
        number=number, starts_at=starts, ends_at=starts + timedelta(hours=2), **kwargs
    )


@pytest.fixture
def archive(db):
    """Two past events, one future one, and talks in every state."""
    old, recent = past_event(2013, 2), past_event(2024, 60)
    future = EventFactory(number=73)
    ada, bob = SpeakerFactory(name="Ada Lovelace"), SpeakerFactory(name="Bob Marley")
    talks = {
        "zig": TalkFactory(
            title="Introduction à Zig", status=S.CONFIRMED, event=recent, position=1, speakers=[ada]
        ),
        "ficus": TalkFactory(
            title="Ficus UI", status=S.ACCEPTED, event=recent, position=2, speakers=[bob]
        ),
        "devoxx": TalkFactory(
            title="Back from Devoxx", status=S.CONFIRMED, event=old, speakers=[bob, ada]
        ),
        "submitted": TalkFactory(title="Proposition en attente", status=S.SUBMITTED, event=recent),
        "rejected": TalkFactory(title="Proposition refusée", status=S.REJECTED, event=recent),
        "cancelled": TalkFactory(title="Talk annulé", status=S.CANCELLED, event=recent),
        "future": TalkFactory(title="Rust pour les gens pressés", status=S.CONFIRMED, event=future),
        "draft": TalkFactory(
            title="Au brouillon",
            status=S.CONFIRMED,
            event=past_event(2020, 46, status=Event.Status.DRAFT),
        ),
    }
    return {"old": old, "recent": recent, "future": future, "ada": ada, "bob": bob, **talks}


def titles(html: str, candidates) -> list[str]:
    """The candidate titles that appear in the page, in their order of appearance."""
    found = [(html.find(t), t) for t in candidates if t in html]
    return [t for _pos, t in sorted(found)]


ALL_TITLES = [
    "Introduction à Zig", "Ficus UI", "Back from Devoxx", "Proposition en attente",
    "Proposition refusée", "Talk annulé", "Rust pour les gens pressés", "Au brouillon",
]  # fmt: skip


# The archive ----------------------------------------------------------------


def test_archive_lists_talks_given_newest_first(client, archive):
    html = client.get(reverse("talks:list")).content.decode()

    assert titles(html, ALL_TITLES) == ["Introduction à Zig", "Ficus UI", "Back from Devoxx"]
    assert "3 talks" in html
    assert "Ada Lovelace" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "zig"}, ["Introduction à Zig"]),
        ({"q": "MARLEY"}, ["Ficus UI", "Back from Devoxx"]),
        ({"year": "2013"}, ["Back from Devoxx"]),
        ({"event": "api-hour-60"}, ["Introduction à Zig", "Ficus UI"]),
        ({"q": "ada", "year": "2024"}, ["Introduction à Zig"]),
        ({"q": "rien de tel"}, []),
    ],
)
def test_archive_search_and_filters(client, archive, query, expected):
    html = client.get(reverse("talks:list"), query).content.decode()

    assert titles(html, ALL_TITLES) == expected


def test_archive_search_without_result_says_so(client, archive):
    html = client.get(reverse("talks:list"), {"q": "rien de tel"}).content.decode()

    assert "Aucun talk ne correspond à cette recherche." in html


def test_archive_unknown_year_is_explained_not_a_crash(client, archive):
    response = client.get(reverse("talks:list"), {"year": "1999"})

    assert response.status_code == 200
    assert "Année : Sélectionnez un choix valide. 1999 n’en fait pas partie." in (
        response.content.decode()
    )


def test_archive_paginates_and_keeps_filters(client, db):
    event = past_event(2024, 60)
    for n in range(25):
        TalkFactory(title=f"Talk {n:02d}", status=S.CONFIRMED, event=event, position=n)

    first = client.get(reverse("talks:list"), {"year": "2024"}).content.decode()
    second = client.get(reverse("talks:list"), {"year": "2024", "page": 2}).content.decode()

    assert "Page 1 sur 2" in first
    assert 'href="?year=2024&amp;page=2"' in first
    assert "Talk 19" in first and "Talk 20" not in first
    assert "Talk 20" in second and "Talk 24" in second


# A talk's page ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "status_code"),
    [
        ("zig", 200),
        ("ficus", 200),
        ("future", 200),
        ("submitted", 404),
        ("rejected", 404),
        ("cancelled", 404),
        ("draft", 404),
    ],
)
def test_talk_page_is_public_only_when_accepted_or_confirmed(client, archive, key, status_code):
    assert client.get(archive[key].get_absolute_url()).status_code == status_code


def test_talk_page_shows_speakers_event_and_format(client, archive):
    talk = archive["devoxx"]

    html = client.get(talk.get_absolute_url()).content.decode()

    assert titles(html, ["Bob Marley", "Ada Lovelace"]) == ["Bob Marley", "Ada Lovelace"]
    assert 'href="/events/api-hour-2/"' in html
    assert "10 min + 5 min de questions" in html


def test_accepted_talk_without_event_is_public(client, db):
    talk = TalkFactory(status=S.ACCEPTED, title="Sans date encore")

    response = client.get(talk.get_absolute_url())

    assert response.status_code == 200


# The programme on the event page -------------------------------------------------


def test_event_page_shows_programme_in_order_with_durations(client, archive):
    recent = archive["recent"]
    TalkFactory(
        title="Le PIC", status=S.CONFIRMED, event=recent, position=0, format=Talk.Format.LONG
    )

    html = client.get(recent.get_absolute_url()).content.decode()

    programme = html.split('id="programme-heading"')[1]
    assert titles(programme, [*ALL_TITLES, "Le PIC"]) == [
        "Le PIC",
        "Introduction à Zig",
        "Ficus UI",
    ]
    assert "25 min + 5 min de questions" in programme
    assert "3 talks, 1 h au total." in programme
    assert f'href="{archive["zig"].get_absolute_url()}"' in programme
    assert f'href="{archive["ada"].get_absolute_url()}"' in programme


def test_event_page_without_programme_invites_proposals(client, event):
    html = client.get(event.get_absolute_url()).content.decode()

    assert "Le programme est en préparation." in html
    assert f'href="{reverse("talks:propose")}"' in html


# Speakers ---------------------------------------------------------------------


def test_speakers_lists_only_people_with_public_talks(client, archive):
    SpeakerFactory(name="Proposeur Discret")
    TalkFactory(status=S.SUBMITTED, speakers=[SpeakerFactory(name="En Attente")])

    html = client.get(reverse("talks:speakers")).content.decode()

    assert titles(html, ["Ada Lovelace", "Bob Marley", "Proposeur Discret", "En Attente"]) == [
        "Ada Lovelace",
        "Bob Marley",
    ]
    assert "2 talks" in html


def test_speaker_page_lists_all_public_talks(client, archive):
    html = client.get(archive["bob"].get_absolute_url()).content.decode()

    assert titles(html, ALL_TITLES) == ["Ficus UI", "Back from Devoxx"]


def test_speaker_without_public_talk_is_hidden_except_to_themselves(client, member_client, member):
    speaker = SpeakerFactory(name="Camille", user=member)
    TalkFactory(status=S.SUBMITTED, speakers=[speaker])

    assert client.get(speaker.get_absolute_url()).status_code == 404
    own = member_client.get(speaker.get_absolute_url())
    assert own.status_code == 200
    assert "Modifier mon profil" in own.content.decode()


def test_speaker_page_never_shows_private_contact(client, archive):
    bob = archive["bob"]
    bob.email = "bob.prive@example.net"
    bob.save()

    html = client.get(bob.get_absolute_url()).content.decode()

    assert "bob.prive@example.net" not in html


def test_talk_page_never_shows_organizer_notes(client, event):
    talk = TalkFactory(
        status=S.CONFIRMED,
        event=event,
        notes="NOTE-PRIVEE pour l'orga",
        availability="DISPO-PRIVEE",
    )

    html = client.get(talk.get_absolute_url()).content.decode()

    assert "NOTE-PRIVEE" not in html
    assert "DISPO-PRIVEE" not in html


# Home and navigation --------------------------------------------------------


def test_home_invites_to_propose_and_shows_latest_videos(client, archive):
    zig = archive["zig"]
    zig.video_url = "https://youtu.be/31HWI8y_2Dw"
    zig.save()

    html = client.get(reverse("home")).content.decode()

    assert "Et si le prochain talk, c'était le vôtre ?" in html
    assert "Les derniers talks en vidéo" in html
    assert titles(html, ALL_TITLES) == ["Introduction à Zig"]


def test_nav_links_to_talks_speakers_proposals_and_wishlist(client, db):
    html = client.get(reverse("home")).content.decode()

    for name in ["talks:list", "talks:speakers", "talks:propose", "talks:wishlist"]:
        assert f'class="nav-link" href="{reverse(name)}"' in html


# Query counts: the count must not grow with the number of rows ---------------------


def _given_talks(n: int, event: Event) -> None:
    for i in range(n):
        speakers = [SpeakerFactory(), SpeakerFactory()]
        TalkFactory(status=S.CONFIRMED, event=event, position=i, speakers=speakers)


@pytest.mark.parametrize("n", [1, 5])
def test_archive_query_count(client, django_assert_num_queries, db, n):
    _given_talks(n, past_event(2024, 60))

    # years, events, count, page, speakers
    with django_assert_num_queries(5):
        response = client.get(reverse("talks:list"))
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 5])
def test_speakers_query_count(client, django_assert_num_queries, db, n):
    _given_talks(n, past_event(2024, 60))

    with django_assert_num_queries(1):
        response = client.get(reverse("talks:speakers"))
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 5])
def test_speaker_page_query_count(client, django_assert_num_queries, db, n):
    ada = SpeakerFactory(name="Ada")
    for i in range(n):
        TalkFactory(
            status=S.CONFIRMED, event=past_event(2010 + i, 10 + i), speakers=[ada, SpeakerFactory()]
        )

    # speaker, talks, their speakers
    with django_assert_num_queries(3):
        response = client.get(ada.get_absolute_url())
    assert response.status_code == 200


def test_event_page_with_programme_query_count(client, event):
    # The page also shows other apps' sections (sponsors...): compare 1 with 5 talks.
    _given_talks(1, event)
    one = count_queries(client, event.get_absolute_url())
    _given_talks(4, event)

    assert count_queries(client, event.get_absolute_url()) == one


@pytest.mark.parametrize("n", [1, 5])
def test_wishlist_query_count(member_client, django_assert_num_queries, member, n):
    for _ in range(n):
        topic = TopicFactory()
        TopicVoteFactory(topic=topic)
        TopicVoteFactory(topic=topic, member=member)
        TalkFactory(status=S.ACCEPTED, topic=topic)

    # session, user, verified email (refusal), count, page, public talks, my votes
    with django_assert_num_queries(7):
        response = member_client.get(reverse("talks:wishlist"))
    assert response.status_code == 200


def test_profile_lists_the_members_talks_with_status(member_client, member, member_speaker):
    TalkFactory(title="Ma proposition", submitted_by=member, speakers=[member_speaker])
    TalkFactory(given=True, title="Mon talk donné", speakers=[member_speaker])

    page = text(member_client.get(reverse("members:profile")))

    assert "Mes talks" in page
    assert "Ma proposition" in page and "soumis" in page
    assert "Mon talk donné" in page


def test_public_member_page_lists_only_public_talks(client, member, member_speaker):
    member.profile_public = True
    member.save()
    TalkFactory(title="Ma proposition", submitted_by=member, speakers=[member_speaker])
    TalkFactory(given=True, title="Mon talk donné", speakers=[member_speaker])

    page = text(client.get(reverse("members:detail", args=[member.pk])))

    assert "Mon talk donné" in page
    assert "Ma proposition" not in page


def test_profile_query_count_does_not_grow_with_talks(member_client, member, member_speaker):
    TalkFactory(submitted_by=member, speakers=[member_speaker])
    one = count_queries(member_client, reverse("members:profile"))
    for _ in range(4):
        TalkFactory(given=True, speakers=[member_speaker, SpeakerFactory()])

    assert count_queries(member_client, reverse("members:profile")) == one
