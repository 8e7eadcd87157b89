"""Ids typed by hand: digits that are not ASCII ("²", "٣"), negative, huge or empty.

str.isdigit() is True for "²" and "٣": int() refuses the first and reads the second as 3.
A 40-digit number does not fit in a database integer. Each of them used to be a 500, or
to pick the wrong row, somewhere.
Every one must give the page (or a clear message), never a server error.
"""

import pytest
from django.urls import reverse

from talks.models import Talk
from tests.conftest import text
from tests.factories import EventFactory, TalkFactory, TopicFactory
from tests.talks.test_cfp_pages import PROPOSAL

S = Talk.Status
JUNK_IDS = ["²", "٣", "-1", "9" * 40, "", "1.0", "0x1", "0"]


@pytest.mark.parametrize("raw", JUNK_IDS)
def test_propose_with_junk_topic_shows_the_plain_form(member_client, raw):
    TopicFactory(title="Les tests de mutation")

    response = member_client.get(reverse("talks:propose"), {"topic": raw})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Envoyer ma proposition" in page
    assert "pour le sujet" not in page


def arabic_indic(number: int) -> str:
    """The same number in Arabic-Indic digits: int() reads "١٧" as 17."""
    return str(number).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


def test_propose_with_arabic_indic_digits_does_not_pick_the_topic(member_client):
    topic = TopicFactory(title="Les tests de mutation")
    assert int(arabic_indic(topic.pk)) == topic.pk

    response = member_client.get(reverse("talks:propose"), {"topic": arabic_indic(topic.pk)})

    assert "pour le sujet" not in response.content.decode()


@pytest.mark.parametrize("raw", JUNK_IDS)
def test_propose_post_with_junk_topic_is_sent_without_topic(member_client, raw):
    topic = TopicFactory()
    raw = raw.replace("٣", arabic_indic(topic.pk))  # it must not mean this topic

    response = member_client.post(reverse("talks:propose"), {**PROPOSAL, "topic": raw})

    assert response.status_code == 302
    assert Talk.objects.get().topic is None


def test_propose_post_with_topic_hidden_meanwhile_is_sent_without_topic(member_client):
    """The hidden field cannot be corrected by the person: an error there would block them."""
    topic = TopicFactory(is_hidden=True)

    response = member_client.post(reverse("talks:propose"), {**PROPOSAL, "topic": topic.pk})

    assert response.status_code == 302
    assert Talk.objects.get().topic is None


@pytest.mark.parametrize("raw", JUNK_IDS)
def test_propose_post_with_junk_date_is_a_form_error(member_client, raw):
    EventFactory()

    response = member_client.post(reverse("talks:propose"), {**PROPOSAL, "preferred_events": [raw]})

    assert response.status_code == 400
    assert f"«\xa0{raw}\xa0» n’est pas une valeur correcte." in text(response)
    assert Talk.objects.count() == 0


@pytest.mark.parametrize("raw", ["9" * 40, "99999999999"])
def test_huge_ids_in_urls_are_404(member_client, raw):
    for url in [
        f"/talks/mine/{raw}/edit/",
        f"/wishlist/{raw}/vote/",
    ]:
        response = member_client.post(url) if "vote" in url else member_client.get(url)
        assert response.status_code == 404, url


# The admin ----------------------------------------------------------------------


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize("raw", JUNK_IDS)
def test_admin_schedule_action_with_junk_event_schedules_nothing(organizer_client, raw):
    event = EventFactory()
    raw = raw.replace("٣", arabic_indic(event.pk))  # it must not mean this event
    talk = TalkFactory(status=S.ACCEPTED)
    data = {"action": "schedule_selected", "_selected_action": [talk.pk], "event": raw}

    response = organizer_client.post(reverse("admin:talks_talk_changelist"), data, follow=True)

    assert response.status_code == 200
    talk.refresh_from_db()
    assert talk.event is None


STALE = "Le programme a changé entre-temps : rechargez la page et recommencez."


@pytest.mark.parametrize("raw", JUNK_IDS)
def test_programme_editor_with_junk_ids_explains(organizer_client, raw):
    event = EventFactory()
    first = TalkFactory(status=S.CONFIRMED, event=event, position=1)
    second = TalkFactory(status=S.CONFIRMED, event=event, position=2)
    waiting = TalkFactory(status=S.ACCEPTED)
    raw = raw.replace("٣", arabic_indic(waiting.pk))  # it must not add this talk
    url = reverse("admin:talks_talk_programme", args=[event.pk])

    for data, message in [
        ({"talk": [first.pk, second.pk, raw]}, STALE),
        ({"talk": [first.pk, second.pk], "up": raw}, STALE),
        ({"talk": [first.pk, second.pk], "add": raw}, STALE),
        ({"talk": [first.pk, second.pk], "remove": raw}, STALE),
    ]:
        response = organizer_client.post(url, data, follow=True)
        assert response.status_code == 200, data
        assert messages_of(response) == [message], data
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.position, second.position) == (1, 2)
    assert Talk.objects.filter(event=event).count() == 2


@pytest.mark.parametrize("raw", ["²", "٣", "-1", "", "1.0", "un"])
def test_programme_editor_junk_position_is_explained(organizer_client, raw):
    event = EventFactory()
    first = TalkFactory(status=S.CONFIRMED, event=event, position=1)
    second = TalkFactory(status=S.CONFIRMED, event=event, position=2)
    url = reverse("admin:talks_talk_programme", args=[event.pk])
    data = {"talk": [first.pk, second.pk], f"position-{first.pk}": raw}

    response = organizer_client.post(url, {**data, f"position-{second.pk}": "1"}, follow=True)

    assert messages_of(response) == ["Les positions sont des nombres entiers (1, 2, 3…)."]
    first.refresh_from_db()
    assert first.position == 1
