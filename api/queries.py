"""What the public API shows: the site's own public querysets, nothing else.

Events: Event.objects.public() (published, and cancelled so the news travels; never a
draft). Talks: Talk.objects.public() (accepted or confirmed, outside drafts), the
programme of an event through TalkQuerySet.public_programme. Speakers:
Speaker.objects.public() (at least one public talk), minus those whose account is
banned. A speaker's member page is linked only when User.has_public_profile says so.
No email, RSVP, review or note is ever read here.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q, prefetch_related_objects

from events.models import Event
from members.models import User
from sponsors.models import Sponsor, Sponsorship
from talks.models import Speaker, Talk


def api_events():
    return Event.objects.public().select_related("venue")


def api_talks():
    return Talk.objects.public().select_related("event")


def banned_speaker_condition(prefix: str = "") -> Q:
    """A speaker whose member account is banned: never listed by the API."""
    return Q(**{f"{prefix}user__banned_at__isnull": False})


def api_speakers():
    return Speaker.objects.public().exclude(banned_speaker_condition()).select_related("user")


def listed_speakers(talk: Talk) -> list[Speaker]:
    """The speakers of a talk as the API lists them (from the prefetched speaker_links)."""
    return [s for s in talk.speaker_list if not (s.user_id and s.user.banned_at)]


def api_sponsors():
    """The current sponsors (the /sponsors/ page)."""
    return Sponsor.objects.active()


def all_sponsors():
    """Every sponsor, past ones included: those thanked on an event's page."""
    return Sponsor.objects.all()


def attach_programmes(events: Sequence[Event]) -> None:
    """event.api_programme: its public programme (TalkQuerySet.public_programme: two
    queries whatever the number of events), the speakers' accounts included."""
    programme = Talk.objects.select_related("event").public_programme(events)
    with_speaker_accounts([talk for talks in programme.values() for talk in talks])
    for event in events:
        event.api_programme = programme.get(event.pk, [])


def with_speaker_accounts(talks: Sequence[Talk]) -> None:
    """Load the accounts of the (prefetched) speakers of `talks` in one query: the API
    reads their ban and public-profile flags."""
    speakers = [speaker for talk in talks for speaker in talk.speaker_list]
    prefetch_related_objects(speakers, "user")


def attach_sponsors(events: Sequence[Event]) -> None:
    """event.api_sponsors: who supported it (one query)."""
    by_event: dict[int, list[Sponsor]] = {}
    links = Sponsorship.objects.filter(event__in=events).select_related("sponsor")
    for link in links.order_by("sponsor__tier", "sponsor__name"):
        by_event.setdefault(link.event_id, []).append(link.sponsor)
    for event in events:
        event.api_sponsors = by_event.get(event.pk, [])


def member_url(speaker: Speaker) -> str | None:
    """The speaker's member page, only when the member made it public (the one home of
    that rule is User.has_public_profile)."""
    user: User | None = speaker.user if speaker.user_id else None
    if user is not None and user.has_public_profile:
        from django.urls import reverse

        return reverse("members:detail", kwargs={"pk": user.pk})
    return None
