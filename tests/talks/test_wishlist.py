"""The topic wishlist: suggest, +1 once, take it back, "I could talk about this"."""

import pytest
from django.urls import reverse
from django.utils import timezone

from talks.models import Talk, Topic, TopicVote
from talks.services import TalkError, topic_unvote, topic_vote
from tests.factories import TalkFactory, TopicFactory, TopicVoteFactory, UserFactory


def topic_order(html: str, topics) -> list[str]:
    found = [(html.find(f'id="topic-{t.pk}"'), t.title) for t in topics]
    return [title for pos, title in sorted(found) if pos >= 0]


def test_wishlist_sorted_by_votes(client, db):
    few, many, none = (
        TopicFactory(title="Peu"),
        TopicFactory(title="Beaucoup"),
        TopicFactory(title="Aucun"),
    )
    TopicVoteFactory(topic=few)
    for _ in range(3):
        TopicVoteFactory(topic=many)
    TopicFactory(title="Masqué", is_hidden=True)

    html = client.get(reverse("talks:wishlist")).content.decode()

    assert topic_order(html, [few, many, none]) == ["Beaucoup", "Peu", "Aucun"]
    assert "Masqué" not in html


def test_wishlist_anonymous_sees_topics_and_is_invited_to_log_in(client, db):
    TopicFactory(title="Les tests de mutation")

    html = client.get(reverse("talks:wishlist")).content.decode()

    assert "Les tests de mutation" in html
    assert f'href="{reverse("account_login")}?next=/wishlist/"' in html
    assert reverse("talks:topic-vote", args=[1]) not in html


def test_member_suggests_a_topic(member, member_client):
    response = member_client.post(
        reverse("talks:wishlist"),
        {"title": "  Les   tests de mutation ", "description": "Pour débutants"},
    )

    topic = Topic.objects.get()
    assert (topic.title, topic.description, topic.suggested_by) == (
        "Les tests de mutation",
        "Pour débutants",
        member,
    )
    assert response.status_code == 302
    assert response.url == f"/wishlist/#topic-{topic.pk}"


def test_duplicate_topic_is_refused_with_message(member_client):
    TopicFactory(title="Les tests de mutation")

    response = member_client.post(reverse("talks:wishlist"), {"title": "les TESTS de mutation"})

    assert response.status_code == 400
    assert "Ce sujet est déjà dans la wishlist : votez pour lui !" in response.content.decode()
    assert Topic.objects.count() == 1


def test_empty_topic_is_refused_with_message(member_client):
    response = member_client.post(reverse("talks:wishlist"), {"title": " "})

    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()
    assert Topic.objects.count() == 0


def test_anonymous_post_is_sent_to_log_in(client, db):
    response = client.post(reverse("talks:wishlist"), {"title": "Un sujet"})

    assert response.status_code == 302
    assert Topic.objects.count() == 0


def test_vote_counts_once_and_can_be_taken_back(member, member_client):
    topic = TopicFactory()
    vote_url = reverse("talks:topic-vote", args=[topic.pk])

    member_client.post(vote_url)
    member_client.post(vote_url)
    assert TopicVote.objects.filter(topic=topic, member=member).count() == 1
    html = member_client.get(reverse("talks:wishlist")).content.decode()
    assert reverse("talks:topic-unvote", args=[topic.pk]) in html
    assert 'aria-pressed="true"' in html

    response = member_client.post(reverse("talks:topic-unvote", args=[topic.pk]))
    assert TopicVote.objects.filter(topic=topic).count() == 0
    assert response.url == f"/wishlist/#topic-{topic.pk}"


def test_vote_returns_to_the_same_page(member_client):
    topic = TopicFactory()

    response = member_client.post(
        reverse("talks:topic-vote", args=[topic.pk]),
        {"next": f"/wishlist/?page=2#topic-{topic.pk}"},
    )

    assert response.url == f"/wishlist/?page=2#topic-{topic.pk}"


def test_vote_ignores_foreign_next(member_client):
    topic = TopicFactory()

    response = member_client.post(
        reverse("talks:topic-vote", args=[topic.pk]), {"next": "https://evil.example/"}
    )

    assert response.url == f"/wishlist/#topic-{topic.pk}"


def test_vote_get_is_not_allowed(member_client):
    topic = TopicFactory()

    assert member_client.get(reverse("talks:topic-vote", args=[topic.pk])).status_code == 405
    assert TopicVote.objects.count() == 0


def test_vote_on_hidden_topic_is_404(member_client):
    topic = TopicFactory(is_hidden=True)

    assert member_client.post(reverse("talks:topic-vote", args=[topic.pk])).status_code == 404


@pytest.mark.parametrize("action", ["vote", "suggest"])
def test_banned_member_cannot_vote_or_suggest(member, member_client, action):
    member.banned_at = timezone.now()
    member.save()
    topic = TopicFactory()

    if action == "vote":
        response = member_client.post(reverse("talks:topic-vote", args=[topic.pk]), follow=True)
    else:
        response = member_client.post(
            reverse("talks:wishlist"), {"title": "Un sujet neuf"}, follow=True
        )

    assert "ne permet plus de participer aux propositions" in response.content.decode()
    assert TopicVote.objects.count() == 0
    assert Topic.objects.count() == 1


def test_banned_member_cannot_take_a_vote_back_either(member):
    topic = TopicFactory()
    TopicVoteFactory(topic=topic, member=member)
    member.banned_at = timezone.now()
    member.save()

    with pytest.raises(TalkError, match="ne permet plus de participer"):
        topic_unvote(topic=topic, member=member)
    assert TopicVote.objects.count() == 1


def test_unverified_member_cannot_vote(db):
    member = UserFactory(verified=False)

    with pytest.raises(TalkError, match="Confirmez d'abord votre adresse e-mail"):
        topic_vote(topic=TopicFactory(), member=member)


def test_topic_offers_to_talk_about_it(client, db):
    topic = TopicFactory()

    html = client.get(reverse("talks:wishlist")).content.decode()

    assert f'href="/talks/propose/?topic={topic.pk}"' in html
    assert "Je pourrais en parler" in html


def test_topic_shows_it_has_a_taker(client, db):
    topic = TopicFactory()
    TalkFactory(status=Talk.Status.SUBMITTED, topic=topic)
    TalkFactory(status=Talk.Status.WITHDRAWN, topic=topic)

    html = client.get(reverse("talks:wishlist")).content.decode()

    assert "Quelqu'un s'est proposé·e pour en parler" in html


def test_topic_links_to_its_public_talk(client, event):
    topic = TopicFactory()
    talk = TalkFactory(status=Talk.Status.CONFIRMED, topic=topic, event=event, title="Mutants !")

    html = client.get(reverse("talks:wishlist")).content.decode()

    assert "Au programme" in html
    assert f'<a href="{talk.get_absolute_url()}">Mutants !</a>' in html


@pytest.mark.parametrize(
    "target", ["x", "talks:list", "//evil.example.org/", "https://evil.example.org/"]
)
def test_vote_never_follows_a_next_that_is_not_a_path_of_the_site(member_client, target):
    topic = TopicFactory()

    response = member_client.post(reverse("talks:topic-vote", args=[topic.pk]), {"next": target})

    assert response.status_code == 302
    assert response["Location"] == reverse("talks:wishlist") + f"#topic-{topic.pk}"
