"""Everything that changes talks, speakers and the wishlist goes through here.

Views, admin actions and the admin's change form all call these functions, so
the rules, the status history and the emails can never be forgotten. A refusal
raises TalkError with a message meant to be shown as it is. Emails are queued
with transaction.on_commit: nobody hears about a change that was rolled back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Event
from members.models import User

from . import emails
from .models import Speaker, Talk, TalkReview, TalkSpeaker, TalkStatusChange, Topic, TopicVote
from .models import speaker_slug as make_speaker_slug

MAX_SPEAKERS = 4


class TalkError(Exception):
    """A refusal that is shown to the person as it is."""


@dataclass(frozen=True)
class CoSpeaker:
    """A co-speaker named in a proposal: already on the talk, a member (found by
    email), or a name (with an optional contact email)."""

    name: str = ""
    email: str = ""
    member: User | None = None
    speaker: Speaker | None = None


# Who may do what ----------------------------------------------------------


def member_refusal(member: User) -> str | None:
    """Why a member may not propose a talk, suggest a topic or vote; None when they may."""
    if not member.is_authenticated:
        return _("Connectez-vous d'abord.")
    if not member.is_active:
        return _("Ce compte est désactivé.")
    if member.is_banned:
        return _(
            "Votre compte ne permet plus de participer aux propositions de Clermont'ech. "
            "Pour en parler, écrivez aux organisateurs."
        )
    if not member.has_verified_email():
        return _("Confirmez d'abord votre adresse e-mail : le lien est dans le message reçu.")
    return None


def _check_member(member: User) -> None:
    refusal = member_refusal(member)
    if refusal:
        raise TalkError(refusal)


def member_manages_talk(member: User, talk: Talk) -> bool:
    return Talk.objects.for_member(member).filter(pk=talk.pk).exists()


# Speakers -----------------------------------------------------------------


def _free_slug(base: str) -> str:
    taken = set(Speaker.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def speaker_for_member(*, member: User) -> tuple[Speaker, bool]:
    """The member's speaker profile, created or found on first use.

    Returns (speaker, claimed): claimed is True when an existing speaker without
    an account (from the archive) was linked to the member because their names
    give the same slug. Two different accounts with the same name are different
    people: the second one gets "-2" after the slug.
    """
    existing = Speaker.objects.filter(user=member).first()
    if existing is not None:
        return existing, False
    base = make_speaker_slug(member.display_name) or f"membre-{member.pk}"
    with transaction.atomic():
        # Lock the namesake so that two first proposals cannot both claim it.
        namesake = Speaker.objects.select_for_update().filter(slug=base).first()
        if namesake is not None and namesake.user_id is None:
            namesake.user = member
            namesake.save(update_fields=["user", "updated_at"])
            # The organizers check that it is really the same person.
            transaction.on_commit(lambda: emails.send_speaker_claimed(namesake, member=member))
            return namesake, True
        # A new profile starts from what the member already wrote on their account.
        speaker = Speaker.objects.create(
            name=member.display_name or member.email.split("@")[0],
            slug=_free_slug(base),
            user=member,
            bio=member.bio,
            website_url=member.website_url,
            mastodon_url=member.mastodon_url,
            github_url=member.github_url,
            linkedin_url=member.linkedin_url,
        )
    return speaker, False


def speaker_get_or_create(*, name: str, email: str = "") -> Speaker:
    """A speaker by name: the same slug is the same person."""
    slug = make_speaker_slug(name)
    if not slug:
        raise TalkError(
            _("« %(name)s » : ce nom ne permet pas de créer un profil.") % {"name": name}
        )
    try:
        with transaction.atomic():
            speaker, _created = Speaker.objects.get_or_create(
                slug=slug, defaults={"name": name.strip(), "email": email}
            )
    except IntegrityError:  # created by someone else at the same instant
        speaker = Speaker.objects.get(slug=slug)
    if email and not speaker.email and not speaker.user_id:
        speaker.email = email
        speaker.save(update_fields=["email", "updated_at"])
    return speaker


def _resolve_co_speakers(co_speakers: Iterable[CoSpeaker]) -> list[Speaker]:
    speakers = []
    for co in co_speakers:
        if co.speaker is not None:
            speakers.append(co.speaker)
        elif co.member is not None:
            speakers.append(speaker_for_member(member=co.member)[0])
        else:
            speakers.append(speaker_get_or_create(name=co.name, email=co.email))
    return speakers


def _set_speakers(talk: Talk, speakers: list[Speaker]) -> None:
    unique: list[Speaker] = []
    for speaker in speakers:
        if speaker.pk not in {s.pk for s in unique}:
            unique.append(speaker)
    if len(unique) > MAX_SPEAKERS:
        raise TalkError(_("Un talk compte %(max)d intervenant·es au plus.") % {"max": MAX_SPEAKERS})
    TalkSpeaker.objects.filter(talk=talk).delete()
    TalkSpeaker.objects.bulk_create(
        TalkSpeaker(talk=talk, speaker=speaker, position=i) for i, speaker in enumerate(unique)
    )


# Proposals ----------------------------------------------------------------


def _create_with_free_slug(fields: dict) -> Talk:
    """Create a talk under a slug nobody has yet."""
    try:
        with transaction.atomic():
            return Talk.objects.create(slug=Talk.unique_slug_for(fields["title"]), **fields)
    except IntegrityError:
        # Another proposal with the same title took this slug between our read and our
        # write; it is committed now, so the next number is free.
        return Talk.objects.create(slug=Talk.unique_slug_for(fields["title"]), **fields)


def talk_submit(
    *,
    member: User,
    title: str,
    abstract: str,
    format: str,
    language: str,
    level: str,
    first_time: bool = False,
    wants_mentor: bool = False,
    notes: str = "",
    availability: str = "",
    preferred_events: Iterable[Event] = (),
    co_speakers: Iterable[CoSpeaker] = (),
    topic: Topic | None = None,
    bio: str | None = None,
) -> Talk:
    """A member proposes a talk: they become its first speaker, the organizers are told."""
    _check_member(member)
    if topic is not None and topic.is_hidden:
        raise TalkError(_("Ce sujet n'est plus dans la wishlist."))
    with transaction.atomic():
        speaker, _claimed = speaker_for_member(member=member)
        if bio is not None and bio.strip() != speaker.bio:
            speaker.bio = bio.strip()
            speaker.save(update_fields=["bio", "updated_at"])
        fields = {
            "title": title.strip(),
            "abstract": abstract.strip(),
            "format": format,
            "language": language,
            "level": level,
            "first_time": first_time,
            "wants_mentor": wants_mentor,
            "notes": notes.strip(),
            "availability": availability.strip(),
            "topic": topic,
            "submitted_by": member,
        }
        talk = _create_with_free_slug(fields)
        _set_speakers(talk, [speaker, *_resolve_co_speakers(co_speakers)])
        talk.preferred_events.set(preferred_events)
        TalkStatusChange.objects.create(
            talk=talk, from_status="", to_status=Talk.Status.SUBMITTED, changed_by=member
        )
        transaction.on_commit(lambda: emails.send_submitted(talk))
    return talk


def talk_update(
    *,
    talk: Talk,
    member: User,
    title: str,
    abstract: str,
    format: str,
    language: str,
    level: str,
    first_time: bool,
    wants_mentor: bool,
    notes: str,
    availability: str,
    preferred_events: Iterable[Event],
    co_speakers: Iterable[CoSpeaker],
) -> Talk:
    """A speaker edits their proposal; only while it waits for the organizers' decision."""
    _check_member(member)
    with transaction.atomic():
        # Lock the row: an organizer may be accepting it at this very moment.
        locked = Talk.objects.select_for_update().get(pk=talk.pk)
        if not member_manages_talk(member, locked):
            raise TalkError(_("Ce talk n'est pas le vôtre."))
        if not locked.is_editable:
            raise TalkError(
                _(
                    "Ce talk est %(status)s : il n'est plus modifiable. Pour un changement, "
                    "écrivez aux organisateurs."
                )
                % {"status": locked.get_status_display()}
            )
        locked.title = title.strip()
        locked.abstract = abstract.strip()
        locked.format, locked.language, locked.level = format, language, level
        locked.first_time, locked.wants_mentor = first_time, wants_mentor
        locked.notes, locked.availability = notes.strip(), availability.strip()
        locked.save()
        first = locked.speaker_list[:1]
        _set_speakers(locked, [*first, *_resolve_co_speakers(co_speakers)])
        locked.preferred_events.set(preferred_events)
    talk.refresh_from_db()
    return talk


# Status -------------------------------------------------------------------


def _transition_refusal(talk: Talk, status: str) -> str:
    labels = dict(Talk.Status.choices)
    context = {
        "title": talk.title,
        "current": talk.get_status_display(),
        "target": labels.get(status, status),
    }
    if status == talk.status:
        return _("Le talk « %(title)s » est déjà %(current)s.") % context
    allowed = talk.allowed_statuses()
    if not allowed:
        return (
            _("Le talk « %(title)s » est %(current)s : son statut ne peut plus changer.") % context
        )
    context["allowed"] = ", ".join(str(labels[s]) for s in allowed)
    return (
        _(
            "Le talk « %(title)s » est %(current)s : il ne peut pas passer à « %(target)s ». "
            "Changements possibles : %(allowed)s."
        )
        % context
    )


def talk_set_status(
    *, talk: Talk, status: str, by: User | None, via_token: bool = False, note: str = ""
) -> Talk:
    """Change a talk's status: the one way to do it.

    Checks that the transition is allowed (Talk.TRANSITIONS) and that `by` may do
    it (organizers: every allowed change; speakers: confirm or withdraw their own
    talk before its event starts). via_token=True is the signed link of the
    acceptance email, which may only confirm. Records the change in
    TalkStatusChange and sends its email once the transaction commits.
    """
    if status not in Talk.Status.values:
        raise TalkError(_("Statut inconnu : %(status)s.") % {"status": status})
    with transaction.atomic():
        # Lock the talk: two organizers clicking "accept" at once send one email, not two.
        locked = Talk.objects.select_for_update().get(pk=talk.pk)
        if not locked.can_change_to(status):
            raise TalkError(_transition_refusal(locked, status))
        is_organizer = by is not None and by.is_organizer and not via_token
        if not is_organizer:
            if status not in Talk.SPEAKER_STATUSES or (
                via_token and status != Talk.Status.CONFIRMED
            ):
                raise TalkError(_("Seuls les organisateurs peuvent faire ce changement."))
            if not via_token and (by is None or not member_manages_talk(by, locked)):
                raise TalkError(_("Ce talk n'est pas le vôtre."))
            if locked.event_has_started:
                raise TalkError(_("L'événement de ce talk a commencé : écrivez aux organisateurs."))
        previous = locked.status
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        TalkStatusChange.objects.create(
            talk=locked,
            from_status=previous,
            to_status=status,
            changed_by=by,
            note=note or (_("lien de confirmation reçu par e-mail") if via_token else ""),
        )
        if status == Talk.Status.WITHDRAWN:
            transaction.on_commit(lambda: emails.send_withdrawn(locked, previous_status=previous))
        else:
            transaction.on_commit(lambda: emails.STATUS_EMAILS[status](locked))
    talk.status = locked.status
    return talk


# Programme ----------------------------------------------------------------

NOT_SCHEDULABLE = {Talk.Status.REJECTED, Talk.Status.WITHDRAWN, Talk.Status.CANCELLED}


def programme_talks(event: Event):
    """The talks an organizer arranges for an event (proposals still under review included)."""
    return (
        Talk.objects.filter(event=event)
        .exclude(status__in=NOT_SCHEDULABLE)
        .in_programme_order()
        .with_speakers()
    )


def talk_schedule(*, talk: Talk, event: Event | None, by: User) -> Talk:
    """Put a talk in an event's programme (at the end), move it, or take it out (event=None).

    Speakers of an accepted or confirmed talk get the date by email (or are told
    that it is no longer scheduled), unless the event is already over.
    """
    if not by.is_organizer:
        raise TalkError(_("Seuls les organisateurs programment les talks."))
    with transaction.atomic():
        # Lock the talk: its position is computed from the other talks of the event.
        locked = Talk.objects.select_for_update().get(pk=talk.pk)
        if event is not None and locked.status in NOT_SCHEDULABLE:
            raise TalkError(
                _("Le talk « %(title)s » est %(status)s : il ne peut pas être programmé.")
                % {"title": locked.title, "status": locked.get_status_display()}
            )
        previous = locked.event
        if (previous.pk if previous else None) == (event.pk if event else None):
            return talk
        locked.event = event
        if event is None:
            locked.position = None
        else:
            last = (
                Talk.objects.filter(event=event)
                .exclude(status__in=NOT_SCHEDULABLE)
                .aggregate(m=Max("position"))["m"]
            )
            locked.position = (last or 0) + 1
        locked.save(update_fields=["event", "position", "updated_at"])
        if locked.status in Talk.PUBLIC_STATUSES:
            if event is not None and not event.is_past:
                transaction.on_commit(lambda: emails.send_scheduled(locked))
            elif event is None and previous is not None and not previous.is_past:
                transaction.on_commit(
                    lambda: emails.send_unscheduled(locked, previous_event=previous)
                )
    talk.event, talk.position = locked.event, locked.position
    return talk


def programme_reorder(*, event: Event, talk_ids: list[int]) -> None:
    """Number the event's talks 1..n in the given order.

    The list must name exactly the talks of the programme: if one was added or
    removed meanwhile, nothing is written and the organizer reloads the page.
    """
    with transaction.atomic():
        # Lock the programme's rows so that two editors cannot interleave.
        current = list(
            Talk.objects.select_for_update()
            .filter(event=event)
            .exclude(status__in=NOT_SCHEDULABLE)
            .values_list("pk", flat=True)
        )
        if sorted(current) != sorted(talk_ids) or len(set(talk_ids)) != len(talk_ids):
            raise TalkError(
                _("Le programme a changé entre-temps : rechargez la page et recommencez.")
            )
        for position, pk in enumerate(talk_ids, start=1):
            Talk.objects.filter(pk=pk).update(position=position, updated_at=timezone.now())


# Mentors and reviews ------------------------------------------------------


def talk_assign_mentor(*, talk: Talk, mentor: Speaker | None, by: User) -> Talk:
    """Pick a mentor for a proposal (organizers); the speakers and the mentor are
    introduced to each other by email. mentor=None removes the mentor, silently."""
    if not by.is_organizer:
        raise TalkError(_("Seuls les organisateurs choisissent les mentors."))
    with transaction.atomic():
        locked = Talk.objects.select_for_update().get(pk=talk.pk)
        if mentor is None:
            locked.mentor, locked.mentor_introduced_at = None, None
            locked.save(update_fields=["mentor", "mentor_introduced_at", "updated_at"])
            talk.mentor, talk.mentor_introduced_at = None, None
            return talk
        if locked.mentor_id == mentor.pk:
            return talk
        if not mentor.is_mentor:
            raise TalkError(
                _("%(name)s ne s'est pas proposé·e comme mentor.") % {"name": mentor.name}
            )
        if not mentor.contact_email:
            raise TalkError(
                _("%(name)s n'a pas d'adresse e-mail : impossible de faire les présentations.")
                % {"name": mentor.name}
            )
        if locked.speakers.filter(pk=mentor.pk).exists():
            raise TalkError(_("Un·e intervenant·e du talk ne peut pas en être le mentor."))
        if locked.status in NOT_SCHEDULABLE:
            raise TalkError(
                _("Le talk est %(status)s : pas besoin de mentor.")
                % {"status": locked.get_status_display()}
            )
        if not locked.speaker_emails():
            raise TalkError(_("Les intervenant·es de ce talk n'ont pas d'adresse e-mail."))
        locked.mentor = mentor
        locked.mentor_introduced_at = timezone.now()
        locked.save(update_fields=["mentor", "mentor_introduced_at", "updated_at"])
        transaction.on_commit(lambda: emails.send_mentor_intro(locked))
    talk.mentor, talk.mentor_introduced_at = locked.mentor, locked.mentor_introduced_at
    return talk


def talk_review_save(
    *, talk: Talk, reviewer: User, score: int | None, note: str = ""
) -> TalkReview | None:
    """An organizer's score (+1, 0, -1) and note; no score and no note removes the review."""
    if not reviewer.is_organizer:
        raise TalkError(_("Seuls les organisateurs donnent leur avis sur les propositions."))
    note = (note or "").strip()
    if score is None:
        if note:
            raise TalkError(_("Choisissez une note (+1, 0 ou -1) pour accompagner votre avis."))
        TalkReview.objects.filter(talk=talk, reviewer=reviewer).delete()
        return None
    if score not in (-1, 0, 1):
        raise TalkError(_("La note est +1, 0 ou -1."))
    review, _created = TalkReview.objects.update_or_create(
        talk=talk, reviewer=reviewer, defaults={"score": score, "note": note}
    )
    return review


# Wishlist -----------------------------------------------------------------


def topic_create(*, member: User, title: str, description: str = "") -> Topic:
    _check_member(member)
    title = " ".join((title or "").split())
    if not title:
        raise TalkError(_("Indiquez le sujet."))
    if Topic.objects.visible().filter(title__iexact=title).exists():
        raise TalkError(_("Ce sujet est déjà dans la wishlist : votez pour lui !"))
    return Topic.objects.create(
        title=title, description=(description or "").strip(), suggested_by=member
    )


def topic_vote(*, topic: Topic, member: User) -> bool:
    """+1 on a topic; True when the vote is new (voting twice counts once)."""
    _check_member(member)
    if topic.is_hidden:
        raise TalkError(_("Ce sujet n'est plus dans la wishlist."))
    try:
        with transaction.atomic():
            _vote, created = TopicVote.objects.get_or_create(topic=topic, member=member)
    except IntegrityError:  # a double click: the other request already voted
        return False
    return created


def topic_unvote(*, topic: Topic, member: User) -> bool:
    """Take a vote back; True when there was one."""
    _check_member(member)
    deleted, _rows = TopicVote.objects.filter(topic=topic, member=member).delete()
    return deleted > 0


# A member's data (export and account deletion) ------------------------------


def member_talks_export(*, member: User) -> dict:
    """The talks part of a member's data export (members.services.member_export)."""
    speaker = Speaker.objects.filter(user=member).first()
    talks = (
        Talk.objects.for_member(member)
        .select_related("event")
        .prefetch_related("status_changes")
        .order_by("created_at")
    )
    return {
        "speaker_profile": None
        if speaker is None
        else {
            "name": speaker.name,
            "url": speaker.get_absolute_url(),
            "bio": speaker.bio,
            "links": {str(label): url for label, url in speaker.links()},
            "is_mentor": speaker.is_mentor,
            "mentor_topics": speaker.mentor_topics,
        },
        "talk_proposals": [
            {
                "title": talk.title,
                "abstract": talk.abstract,
                "format": talk.format,
                "language": talk.language,
                "level": talk.level,
                "status": talk.status,
                "event": talk.event.title if talk.event else None,
                "video_url": talk.video_url,
                "slides_url": talk.slides_url,
                "first_time_speaker": talk.first_time,
                "wants_mentor": talk.wants_mentor,
                "notes_for_organizers": talk.notes,
                "availability": talk.availability,
                "submitted_at": timezone.localtime(talk.created_at).isoformat(),
                "status_history": [
                    {
                        "from": change.from_status,
                        "to": change.to_status,
                        "at": timezone.localtime(change.changed_at).isoformat(),
                    }
                    for change in talk.status_changes.all()
                ],
            }
            for talk in talks
        ],
        "wishlist_topics_suggested": list(
            Topic.objects.filter(suggested_by=member).values_list("title", flat=True)
        ),
        "wishlist_votes": list(
            TopicVote.objects.filter(member=member)
            .order_by("created_at")
            .values_list("topic__title", flat=True)
        ),
    }


def talks_forget_member(*, member: User, keep_talks: bool = True) -> list[str]:
    """The talks part of an account deletion (members.services.member_delete).

    - Talks already given stay in the archive under the speaker's public name
      (keep_talks=True), or under an anonymous name (keep_talks=False). Either
      way the speaker profile loses its account, contact email, bio, photo and
      links. A speaker with no talk given is deleted.
    - Proposals never given are deleted when the member is their only speaker;
      with co-speakers, the talk stays with them. The organizers are told which
      live proposals (submitted, accepted, confirmed) went away.
    - Wishlist votes are deleted; topics the member suggested stay, unsigned.

    Returns the titles of the live proposals that were removed. Runs inside the
    caller's transaction.
    """
    removed: list[str] = []
    speaker = Speaker.objects.select_for_update().filter(user=member).first()
    if speaker is not None:
        for talk in Talk.objects.filter(speakers=speaker).exclude(
            pk__in=Talk.objects.given().values("pk")
        ):
            if talk.speakers.exclude(pk=speaker.pk).exists():
                TalkSpeaker.objects.filter(talk=talk, speaker=speaker).delete()
                continue
            if talk.status in Talk.TAKER_STATUSES:
                removed.append(talk.title)
            talk.delete()
        if speaker.talks.exists():
            photo = speaker.photo.name
            if not keep_talks:
                speaker.name = _("Intervenant·e anonyme")
                speaker.slug = _free_slug(f"anonyme-{speaker.pk}")
            speaker.user = None
            speaker.email = speaker.bio = speaker.mentor_topics = ""
            speaker.photo = ""
            for field in ["website_url", "mastodon_url", "bluesky_url", "github_url",
                          "gitlab_url", "linkedin_url", "twitter_url"]:  # fmt: skip
                setattr(speaker, field, "")
            speaker.is_mentor = False
            speaker.save()
            if photo:
                transaction.on_commit(lambda: default_storage.delete(photo))
        else:
            photo = speaker.photo.name
            speaker.delete()
            if photo:
                transaction.on_commit(lambda: default_storage.delete(photo))
    Talk.objects.filter(submitted_by=member).update(submitted_by=None)
    TopicVote.objects.filter(member=member).delete()
    Topic.objects.filter(suggested_by=member).update(suggested_by=None)
    if removed:
        transaction.on_commit(lambda: emails.send_proposals_removed(titles=removed))
    return removed
