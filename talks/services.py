"""Everything that changes talks, speakers and the wishlist goes through here.

Views, admin actions and the admin's change form all call these functions, so
the rules, the status history and the emails can never be forgotten. A refusal
raises TalkError with a message meant to be shown as it is. Emails are written to
the outbox (talks.emails.queue_*) inside the transaction of the change: nobody hears
about a change that was rolled back, and no page waits for the mail server.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Event
from members.models import User

from . import emails
from .models import (
    CoSpeakerInvitation,
    Speaker,
    SpeakerClaim,
    Talk,
    TalkReview,
    TalkSpeaker,
    TalkStatusChange,
    Topic,
    TopicVote,
)
from .models import speaker_slug as make_speaker_slug

MAX_SPEAKERS = 4
# Invitation emails a member may cause in 24 hours, all their proposals together.
INVITATIONS_PER_DAY = 10


class TalkError(Exception):
    """A refusal that is shown to the person as it is."""


@dataclass(frozen=True)
class CoSpeaker:
    """A co-speaker named in a proposal: a speaker already on the talk, an email
    address (an invitation, whoever the address belongs to), or a bare name (a
    speaker record by name, as for the archive)."""

    name: str = ""
    email: str = ""
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


def speaker_for_member(*, member: User) -> Speaker:
    """The member's own speaker profile, created on first use.

    Never an existing speaker: a past speaker of the same name (from the archive)
    is linked to an account only through a claim ("C'est moi") that an organizer
    approves, or that the speaker's contact email proves (speaker_claim_create).
    Two people with the same name get two profiles: the second one gets "-2"
    after the address.
    """
    existing = Speaker.objects.filter(user=member).first()
    if existing is not None:
        return existing
    base = make_speaker_slug(member.display_name) or f"membre-{member.pk}"
    for _attempt in range(3):
        try:
            # A savepoint: a concurrent first use (a double click, or a namesake taking
            # the same free address) fails on a unique constraint without spoiling the
            # caller's transaction; we then read what the other request wrote.
            with transaction.atomic():
                # A new profile starts from what the member already wrote on their account.
                return Speaker.objects.create(
                    name=member.display_name or member.email.split("@")[0],
                    slug=_free_slug(base),
                    user=member,
                    bio=member.bio,
                    website_url=member.website_url,
                    mastodon_url=member.mastodon_url,
                    github_url=member.github_url,
                    linkedin_url=member.linkedin_url,
                )
        except IntegrityError:
            existing = Speaker.objects.filter(user=member).first()
            if existing is not None:
                return existing
    raise TalkError(_("Votre profil d'intervenant·e n'a pas pu être créé : réessayez."))


def verified_emails(member: User) -> set[str]:
    """The member's addresses that allauth has verified, in lower case."""
    from allauth.account.models import EmailAddress

    addresses = EmailAddress.objects.filter(user=member, verified=True)
    return {email.lower() for email in addresses.values_list("email", flat=True)}


# Claims: "C'est moi" on a speaker of the archive -------------------------------

PROFILE_TEXT_FIELDS = [
    "bio", "website_url", "mastodon_url", "bluesky_url", "github_url", "gitlab_url",
    "linkedin_url", "mentor_topics",
]  # fmt: skip


def _claim_proven_by_email(claim: SpeakerClaim) -> bool:
    """The speaker's contact email is one of the member's verified addresses."""
    email = claim.speaker.email.strip().lower()
    return bool(email) and email in verified_emails(claim.member)


def _approved_profile(member: User) -> Speaker | None:
    """The speaker of the archive the member is already linked to by a claim, if any."""
    return Speaker.objects.filter(
        user=member, claims__member=member, claims__status=SpeakerClaim.Status.APPROVED
    ).first()


def speaker_claim_create(*, member: User, speaker: Speaker, message: str = "") -> SpeakerClaim:
    """A member says "C'est moi" on the page of a speaker without an account.

    Nothing changes on the speaker until the claim is approved: the organizers are
    told by email and decide in the admin. Proven at once when the speaker's contact
    email is one of the member's verified addresses. Asking again while a claim waits
    returns that claim; after a refusal, the member writes to the organizers instead.
    """
    _check_member(member)
    message = (message or "").strip()[:1000]
    with transaction.atomic():
        # Lock the speaker: a claim and an approval must agree on its account link.
        locked = Speaker.objects.select_for_update().get(pk=speaker.pk)
        if locked.user_id == member.pk:
            raise TalkError(_("Ce profil est déjà relié à votre compte."))
        if locked.user_id is not None:
            raise TalkError(
                _(
                    "Ce profil est déjà relié à un compte. Si c'est le vôtre, "
                    "écrivez aux organisateurs."
                )
            )
        linked = _approved_profile(member)
        if linked is not None:
            raise TalkError(
                _(
                    "Votre compte est déjà relié au profil « %(name)s ». Pour réunir deux "
                    "profils, écrivez aux organisateurs."
                )
                % {"name": linked.name}
            )
        earlier = (
            SpeakerClaim.objects.filter(member=member, speaker=locked)
            .order_by("-created_at", "-id")
            .first()
        )
        if earlier is not None and earlier.is_pending:
            return earlier
        if earlier is not None and earlier.status in (
            SpeakerClaim.Status.REJECTED,
            SpeakerClaim.Status.UNDONE,
        ):
            raise TalkError(
                _(
                    "Les organisateurs ont déjà examiné votre demande pour ce profil. "
                    "Pour en reparler, écrivez-leur."
                )
            )
        claim = SpeakerClaim.objects.create(member=member, speaker=locked, message=message)
        if _claim_proven_by_email(claim):
            return speaker_claim_approve(claim=claim, by=None)
        emails.queue_speaker_claimed(claim)
    return claim


def _merge_speaker(*, source: Speaker, into: Speaker) -> None:
    """Move a member's provisional profile into the speaker they claimed, then delete it.

    Talk links move without duplicates (a talk that already lists both keeps one);
    the claimed speaker keeps its public texts, links and photo, only the empty ones
    are filled from the provisional profile.
    """
    for link in TalkSpeaker.objects.filter(speaker=source):
        if TalkSpeaker.objects.filter(talk_id=link.talk_id, speaker=into).exists():
            link.delete()
        else:
            link.speaker = into
            link.save(update_fields=["speaker"])
    Talk.objects.filter(mentor=source).update(mentor=into)
    for field in PROFILE_TEXT_FIELDS:
        if not getattr(into, field) and getattr(source, field):
            setattr(into, field, getattr(source, field))
    into.is_mentor = into.is_mentor or source.is_mentor
    leftover_photo = ""
    if source.photo:
        if into.photo:
            leftover_photo = source.photo.name
        else:
            into.photo = source.photo.name
    source.delete()
    if leftover_photo:
        transaction.on_commit(lambda: default_storage.delete(leftover_photo))


def _check_organizer(by: User | None, message: str) -> None:
    if by is None or not by.is_organizer:
        raise TalkError(message)


def speaker_claim_approve(*, claim: SpeakerClaim, by: User | None) -> SpeakerClaim:
    """Link the claimed speaker to the member: the one way to do it.

    `by` is the organizer who approves, or None when the speaker's contact email is
    one of the member's verified addresses (checked again here). The member's own
    provisional profile, if they have one, is merged into the claimed speaker
    (_merge_speaker). Other pending claims on the same speaker stay pending. The member
    is told by email; the organizers too when no organizer decided. Nobody decides on
    their own claim.
    """
    if by is not None:
        _check_organizer(by, _("Seuls les organisateurs approuvent les revendications."))
    with transaction.atomic():
        # Lock the speaker, then the claim (the order of speaker_claim_create): two
        # organizers approving at once, or two claims on one speaker, link it once.
        speaker = Speaker.objects.select_for_update().get(pk=claim.speaker_id)
        locked = SpeakerClaim.objects.select_for_update().get(pk=claim.pk)
        locked.speaker = speaker
        member = locked.member
        context = {"name": speaker.name, "member": member.display_name or member.email}
        if not locked.is_pending:
            raise TalkError(
                _("La revendication de %(member)s sur « %(name)s » est déjà %(status)s.")
                % {**context, "status": locked.get_status_display()}
            )
        if by is None and not _claim_proven_by_email(locked):
            raise TalkError(_("Seuls les organisateurs approuvent les revendications."))
        if by is not None and by.pk == member.pk:
            raise TalkError(
                _("Personne ne décide de sa propre revendication : un autre organisateur le fera.")
            )
        if speaker.user_id is not None:
            raise TalkError(
                _(
                    "« %(name)s » est déjà relié à un compte : annulez d'abord "
                    "l'autre revendication."
                )
                % context
            )
        if not member.is_active or member.is_banned:
            raise TalkError(
                _(
                    "Le compte de %(member)s est exclu ou désactivé : sa revendication "
                    "ne peut pas être approuvée."
                )
                % context
            )
        linked = _approved_profile(member)
        if linked is not None:
            raise TalkError(
                _(
                    "%(member)s est déjà relié·e au profil « %(linked)s » : annulez d'abord "
                    "cette revendication-là."
                )
                % {**context, "linked": linked.name}
            )
        own = Speaker.objects.select_for_update().filter(user=member).first()
        if own is not None:
            _merge_speaker(source=own, into=speaker)
        speaker.user = member
        speaker.save()
        now = timezone.now()
        locked.status = SpeakerClaim.Status.APPROVED
        locked.decided_by, locked.decided_at = by, now
        locked.proven_by_email = by is None
        locked.save()
        # Other people who said "C'est moi" stay pending: if this approval is ever
        # undone, theirs can still be decided (approving one now says why it cannot).
        emails.queue_claim_decided(locked)
        if by is None:
            emails.queue_speaker_claimed(locked)
    return locked


def speaker_claim_reject(*, claim: SpeakerClaim, by: User) -> SpeakerClaim:
    """An organizer refuses a claim; the member gets a neutral email."""
    _check_organizer(by, _("Seuls les organisateurs refusent les revendications."))
    with transaction.atomic():
        # Lock the claim: refusing and approving at once must not both happen.
        locked = SpeakerClaim.objects.select_for_update().get(pk=claim.pk)
        if by.pk == locked.member_id:
            raise TalkError(
                _("Personne ne décide de sa propre revendication : un autre organisateur le fera.")
            )
        if not locked.is_pending:
            raise TalkError(
                _("La revendication de %(member)s sur « %(name)s » est déjà %(status)s.")
                % {
                    "member": locked.member.display_name or locked.member.email,
                    "name": locked.speaker.name,
                    "status": locked.get_status_display(),
                }
            )
        locked.status = SpeakerClaim.Status.REJECTED
        locked.decided_by, locked.decided_at = by, timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        emails.queue_claim_decided(locked)
    return locked


def speaker_claim_undo(*, claim: SpeakerClaim, by: User) -> SpeakerClaim:
    """An organizer takes back an approved claim: the speaker loses its account link.

    What the member did themselves follows them: the talks they proposed, or joined
    by accepting an invitation, move from that speaker to a new profile of their own.
    Without such talks, the member gets a profile of their own the next time they
    need one. The member is told by email.
    """
    _check_organizer(by, _("Seuls les organisateurs annulent les revendications."))
    with transaction.atomic():
        # Lock the speaker, then the claim (as speaker_claim_approve does).
        speaker = Speaker.objects.select_for_update().get(pk=claim.speaker_id)
        locked = SpeakerClaim.objects.select_for_update().get(pk=claim.pk)
        locked.speaker = speaker
        member = locked.member
        context = {"name": speaker.name, "member": member.display_name or member.email}
        if locked.status != SpeakerClaim.Status.APPROVED:
            raise TalkError(
                _(
                    "Seule une revendication approuvée peut être annulée (celle de "
                    "%(member)s sur « %(name)s » est %(status)s)."
                )
                % {**context, "status": locked.get_status_display()}
            )
        if speaker.user_id != member.pk:
            raise TalkError(
                _("« %(name)s » n'est plus relié au compte de %(member)s : rien à annuler.")
                % context
            )
        speaker.user = None
        speaker.save(update_fields=["user", "updated_at"])
        own_talks = _talks_joined_by(member).filter(speakers=speaker)
        links = TalkSpeaker.objects.filter(speaker=speaker, talk__in=own_talks)
        if links.exists():
            own = speaker_for_member(member=member)
            links.update(speaker=own)
        locked.status = SpeakerClaim.Status.UNDONE
        locked.undone_by, locked.undone_at = by, timezone.now()
        locked.save(update_fields=["status", "undone_by", "undone_at"])
        emails.queue_claim_decided(locked)
    return locked


def _talks_joined_by(member: User):
    """The talks a member put themselves on: proposed by them, or joined by invitation."""
    accepted = CoSpeakerInvitation.objects.filter(
        accepted_by=member, status=CoSpeakerInvitation.Status.ACCEPTED
    )
    return Talk.objects.filter(Q(submitted_by=member) | Q(pk__in=accepted.values("talk_id")))


def speaker_get_or_create(*, name: str) -> Speaker:
    """A speaker by name (a co-speaker named without an address): the same slug is the
    same person, but only for a speaker of the archive. A profile that belongs to an
    account is never put on a talk by its name: that person is invited by address and
    says yes first (invitations). Never writes on an existing speaker either: a contact
    email typed by someone else would later "prove" a claim on it."""
    slug = make_speaker_slug(name)
    if not slug:
        raise TalkError(
            _("« %(name)s » : ce nom ne permet pas de créer un profil.") % {"name": name}
        )
    try:
        with transaction.atomic():
            speaker, _created = Speaker.objects.get_or_create(
                slug=slug, defaults={"name": name.strip()}
            )
    except IntegrityError:  # created by someone else at the same instant
        speaker = Speaker.objects.get(slug=slug)
    if speaker.user_id is not None:
        raise TalkError(
            _(
                "« %(name)s » : pour ajouter une personne inscrite sur le site, invitez-la "
                "avec son adresse, sur une ligne « %(name)s <adresse> » ; elle acceptera "
                "depuis l'e-mail."
            )
            % {"name": name.strip()}
        )
    return speaker


def _set_speakers(talk: Talk, speakers: list[Speaker], *, pending: int = 0) -> None:
    """The talk's speakers, in this order; `pending` invitations count towards the limit."""
    unique: list[Speaker] = []
    for speaker in speakers:
        if speaker.pk not in {s.pk for s in unique}:
            unique.append(speaker)
    if len(unique) + pending > MAX_SPEAKERS:
        raise TalkError(_("Un talk compte %(max)d intervenant·es au plus.") % {"max": MAX_SPEAKERS})
    TalkSpeaker.objects.filter(talk=talk).delete()
    TalkSpeaker.objects.bulk_create(
        TalkSpeaker(talk=talk, speaker=speaker, position=i) for i, speaker in enumerate(unique)
    )


def _apply_co_speakers(
    *, talk: Talk, first: list[Speaker], co_speakers: Iterable[CoSpeaker], by: User
) -> None:
    """Set the talk's speakers and invitations from the proposal form's lines.

    A speaker already on the talk stays; a bare name is a speaker record by name; an
    email address is an invitation: nobody is put on a talk without saying yes. An
    address already invited keeps its pending invitation (no second email), an
    invitation whose line was removed is cancelled, and an address that declined is
    not asked again. The caller holds the talk's lock.
    """
    speakers = list(first)
    emails_wanted: dict[str, CoSpeaker] = {}
    for co in co_speakers:
        if co.speaker is not None:
            speakers.append(co.speaker)
        elif co.email:
            emails_wanted.setdefault(co.email.strip().lower(), co)
        else:
            speakers.append(speaker_get_or_create(name=co.name))
    for own in verified_emails(by) | {by.email.lower()}:
        emails_wanted.pop(own, None)  # nobody invites themselves
    invitations = list(CoSpeakerInvitation.objects.select_for_update().filter(talk=talk))
    pending = {i.email.lower(): i for i in invitations if i.is_pending}
    to_invite: list[CoSpeaker] = []
    for email, co in emails_wanted.items():
        if email in pending:
            continue
        answered = [i for i in invitations if i.email.lower() == email and not i.is_pending]
        accepted = [i for i in answered if i.status == CoSpeakerInvitation.Status.ACCEPTED]
        joined = Speaker.objects.filter(
            user__in=[i.accepted_by_id for i in accepted if i.accepted_by_id], talks=talk
        ).first()
        if joined is not None:
            # Accepted while this form was open: they stay on the talk.
            speakers.append(joined)
            continue
        if any(i.status == CoSpeakerInvitation.Status.DECLINED for i in answered):
            raise TalkError(
                _("%(email)s a décliné l'invitation à présenter ce talk.") % {"email": co.email}
            )
        to_invite.append(co)
    kept = [i for email, i in pending.items() if email in emails_wanted]
    _set_speakers(talk, speakers, pending=len(kept) + len(to_invite))
    CoSpeakerInvitation.objects.filter(
        pk__in=[i.pk for i in pending.values() if i not in kept]
    ).update(status=CoSpeakerInvitation.Status.CANCELLED)
    # An address invited before and taken off the list gets its invitation back, without
    # a second email (its link works again): the form cannot be used to mail someone
    # over and over.
    cancelled = {
        i.email.lower(): i for i in invitations if i.status == CoSpeakerInvitation.Status.CANCELLED
    }
    new = [co for co in to_invite if co.email.strip().lower() not in cancelled]
    since = timezone.now() - timedelta(days=1)
    sent_today = CoSpeakerInvitation.objects.filter(invited_by=by, created_at__gte=since).count()
    if new and sent_today + len(new) > INVITATIONS_PER_DAY:
        raise TalkError(
            _(
                "Vous avez envoyé beaucoup d'invitations aujourd'hui (%(max)d au plus par "
                "jour) : réessayez demain."
            )
            % {"max": INVITATIONS_PER_DAY}
        )
    for co in to_invite:
        again = cancelled.get(co.email.strip().lower())
        if again is not None:
            again.status, again.answered_at = CoSpeakerInvitation.Status.PENDING, None
            again.save(update_fields=["status", "answered_at"])
            continue
        invitation = CoSpeakerInvitation.objects.create(
            talk=talk, email=co.email.strip(), name=co.name.strip()[:120], invited_by=by
        )
        emails.queue_invitation(invitation)


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
        speaker = speaker_for_member(member=member)
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
        _apply_co_speakers(talk=talk, first=[speaker], co_speakers=co_speakers, by=member)
        talk.preferred_events.set(preferred_events)
        TalkStatusChange.objects.create(
            talk=talk, from_status="", to_status=Talk.Status.SUBMITTED, changed_by=member
        )
        emails.queue_submitted(talk)
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
    preferred_events: Iterable[Event],
    co_speakers: Iterable[CoSpeaker],
    notes: str | None = None,
    availability: str | None = None,
) -> Talk:
    """A speaker edits their proposal; only while it waits for the organizers' decision.

    The notes to the organizers and the availability are the proposer's own: only they
    see and change them (a co-speaker's edit leaves them as they are)."""
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
        if locked.submitted_by_id == member.pk:
            if notes is not None:
                locked.notes = notes.strip()
            if availability is not None:
                locked.availability = availability.strip()
        locked.save()
        first = locked.speaker_list[:1]
        _apply_co_speakers(talk=locked, first=first, co_speakers=co_speakers, by=member)
        locked.preferred_events.set(preferred_events)
    talk.refresh_from_db()
    return talk


def talk_create(*, talk: Talk, by: User, note: str = "") -> Talk:
    """An organizer enters a talk (the admin's add form): an entry of the archive, or a
    proposal received another way. The talk is saved in the status it was given and its
    history starts with it; it sends nothing. To invite someone, create the talk
    "submitted" and accept it with talk_set_status, which sends the acceptance email
    with the confirmation link (the admin does both when "accepted" is chosen)."""
    with transaction.atomic():
        # The talk and the first line of its history exist together, or not at all.
        talk.save()
        TalkStatusChange.objects.create(
            talk=talk, from_status="", to_status=talk.status, changed_by=by, note=note
        )
    return talk


# Co-speaker invitations -----------------------------------------------------------


def invitation_refusal(invitation: CoSpeakerInvitation) -> str | None:
    """Why an invitation can no longer be accepted; None while it can."""
    talk = invitation.talk
    if invitation.status == CoSpeakerInvitation.Status.ACCEPTED:
        return _("Cette invitation est déjà acceptée.")
    if invitation.status == CoSpeakerInvitation.Status.DECLINED:
        return _("Cette invitation a été déclinée.")
    if invitation.status == CoSpeakerInvitation.Status.CANCELLED:
        return _("Cette invitation a été annulée par la personne qui l'avait envoyée.")
    if talk.status not in Talk.TAKER_STATUSES:
        return _("Ce talk est %(status)s : l'invitation ne peut plus être acceptée.") % {
            "status": talk.get_status_display()
        }
    if talk.event_has_started:
        return _("L'événement de ce talk a commencé : l'invitation ne peut plus être acceptée.")
    return None


def _lock_invitation(invitation: CoSpeakerInvitation) -> CoSpeakerInvitation:
    """The invitation and its talk, locked in that order: talk, then invitation, as
    talk_update does (it writes the talk's invitations), so the two never deadlock."""
    talk = Talk.objects.select_for_update().get(pk=invitation.talk_id)
    locked = CoSpeakerInvitation.objects.select_for_update().get(pk=invitation.pk)
    locked.talk = talk
    return locked


def invitation_accept(*, invitation: CoSpeakerInvitation, member: User) -> CoSpeakerInvitation:
    """The invitee joins the talk with their own speaker profile (speaker_for_member).

    Only for a member one of whose verified addresses is the invited one: the email
    link is not enough, it may have been forwarded. Accepting twice changes nothing
    the second time. The proposer is told by email.
    """
    _check_member(member)
    with transaction.atomic():
        # Lock the talk and the invitation: a double click, or an accept racing an
        # edit of the proposal, adds the speaker once and never beyond the limit.
        locked = _lock_invitation(invitation)
        if locked.email.lower() not in verified_emails(member):
            raise TalkError(
                _(
                    "Cette invitation a été envoyée à %(email)s, qui n'est pas une adresse "
                    "confirmée de votre compte. Ajoutez cette adresse à votre compte et "
                    "confirmez-la, ou connectez-vous avec le compte qui l'utilise."
                )
                % {"email": locked.email}
            )
        if (
            locked.status == CoSpeakerInvitation.Status.ACCEPTED
            and locked.accepted_by_id == member.pk
        ):
            return locked
        refusal = invitation_refusal(locked)
        if refusal:
            raise TalkError(refusal)
        talk = locked.talk
        speaker = speaker_for_member(member=member)
        links = list(TalkSpeaker.objects.filter(talk=talk))
        if speaker.pk not in {link.speaker_id for link in links}:
            if len(links) >= MAX_SPEAKERS:
                raise TalkError(
                    _("Ce talk a déjà %(max)d intervenant·es : il n'y a plus de place.")
                    % {"max": MAX_SPEAKERS}
                )
            position = max((link.position for link in links), default=-1) + 1
            TalkSpeaker.objects.create(talk=talk, speaker=speaker, position=position)
        locked.status = CoSpeakerInvitation.Status.ACCEPTED
        locked.answered_at, locked.accepted_by = timezone.now(), member
        locked.save(update_fields=["status", "answered_at", "accepted_by"])
        emails.queue_invitation_answered(locked)
    return locked


def invitation_decline(*, invitation: CoSpeakerInvitation) -> CoSpeakerInvitation:
    """The invitee says no: from the email link (no login needed) or from "My proposals".

    Declining twice changes nothing the second time. The proposer is told by email.
    """
    with transaction.atomic():
        # Lock as invitation_accept does: a "yes" and a "no" at once, only one counts.
        locked = _lock_invitation(invitation)
        if locked.status == CoSpeakerInvitation.Status.DECLINED:
            return locked
        if locked.status == CoSpeakerInvitation.Status.ACCEPTED:
            raise TalkError(
                _(
                    "Cette invitation est déjà acceptée. Pour ne plus présenter ce talk, "
                    "écrivez à la personne qui l'a proposé ou aux organisateurs."
                )
            )
        if locked.status == CoSpeakerInvitation.Status.CANCELLED:
            raise TalkError(
                _("Cette invitation a été annulée par la personne qui l'avait envoyée.")
            )
        locked.status = CoSpeakerInvitation.Status.DECLINED
        locked.answered_at = timezone.now()
        locked.save(update_fields=["status", "answered_at"])
        emails.queue_invitation_answered(locked)
    return locked


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
        emails.queue_status_changed(locked, previous_status=previous)
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
                emails.queue_scheduled(locked)
            elif event is None and previous is not None and not previous.is_past:
                emails.queue_unscheduled(locked, previous_event=previous)
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
        emails.queue_mentor_intro(locked)
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
    """The talks part of a member's data export (community.services.member_export)."""
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
                "proposed_by_me": talk.submitted_by_id == member.pk,
                # What the proposer wrote for the organizers' eyes only stays theirs: a
                # co-speaker's export does not carry it.
                **(
                    {"notes_for_organizers": talk.notes, "availability": talk.availability}
                    if talk.submitted_by_id == member.pk
                    else {}
                ),
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
        "speaker_claims": [
            {
                "speaker": claim.speaker.name,
                "status": claim.status,
                "message": claim.message,
                "asked_at": timezone.localtime(claim.created_at).isoformat(),
            }
            for claim in SpeakerClaim.objects.filter(member=member)
            .select_related("speaker")
            .order_by("created_at")
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


def invitations_cancel_from(*, member: User) -> int:
    """Cancel the pending invitations a member sent (they are banned, or leave): nobody
    joins a talk on their word any more. Returns how many."""
    return (
        CoSpeakerInvitation.objects.pending()
        .filter(invited_by=member)
        .update(status=CoSpeakerInvitation.Status.CANCELLED, answered_at=timezone.now())
    )


def talks_forget_member(*, member: User, keep_talks: bool = True) -> list[str]:
    """The talks part of an account deletion (community.services.member_delete).

    - Talks already given stay in the archive under the speaker's public name
      (keep_talks=True), or under an anonymous name (keep_talks=False). Either
      way the speaker profile loses its account, contact email, bio, photo and
      links. A speaker with no talk given is deleted.
    - Proposals never given are deleted when the member is their only speaker;
      with co-speakers, the talk stays with them. The organizers are told which
      live proposals (submitted, accepted, confirmed) went away.
    - Their claims on speakers of the archive ("C'est moi") are deleted.
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
    # Proposals that stay with co-speakers keep nothing private of the member: their
    # notes to the organizers and availability go, their pending invitations too.
    Talk.objects.filter(submitted_by=member).update(submitted_by=None, notes="", availability="")
    invitations_cancel_from(member=member)
    SpeakerClaim.objects.filter(member=member).delete()
    TopicVote.objects.filter(member=member).delete()
    Topic.objects.filter(suggested_by=member).update(suggested_by=None)
    if removed:
        emails.queue_proposals_removed(titles=removed)
    return removed
