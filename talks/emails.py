"""Emails about talks. Called through transaction.on_commit by talks.services.

Every template is templates/emails/talks_<name>.txt; the links in them are
absolute (settings.SITE_URL + path).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.links import absolute_url
from members.models import User

from .models import CoSpeakerInvitation, SpeakerClaim, Talk
from .tokens import INVITATION_MAX_AGE, confirm_token, invitation_token


def organizer_emails() -> list[str]:
    """settings.ORGANIZERS_EMAILS, or else every active organizer's address."""
    if settings.ORGANIZERS_EMAILS:
        return list(settings.ORGANIZERS_EMAILS)
    return list(
        User.objects.organizers()
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
    )


def _context(talk: Talk, **extra) -> dict:
    event = talk.event
    speakers = talk.speaker_list
    return {
        "talk": talk,
        "speakers": speakers,
        # For sentences in {% blocktranslate %}, which cannot loop over the speakers.
        "speaker_names": ", ".join(speaker.name for speaker in speakers),
        "event": event,
        "starts_at": timezone.localtime(event.starts_at) if event else None,
        "event_url": absolute_url(event.get_absolute_url()) if event else "",
        "talk_url": absolute_url(talk.get_absolute_url()),
        "mine_url": absolute_url(reverse("talks:mine")),
        "admin_url": absolute_url(reverse("admin:talks_talk_change", args=[talk.pk])),
        "site_url": settings.SITE_URL,
        **extra,
    }


def _send(*, to: list[str], template: str, subject: str, context: dict) -> None:
    if not to:
        return
    body = render_to_string(f"emails/talks_{template}.txt", context)
    EmailMessage(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=body,
        to=to,
    ).send()


def _to_speakers(talk: Talk, template: str, subject: str, **extra) -> None:
    _send(
        to=talk.speaker_emails(),
        template=template,
        subject=subject,
        context=_context(talk, **extra),
    )


def _to_organizers(talk: Talk, template: str, subject: str, **extra) -> None:
    _send(
        to=organizer_emails(), template=template, subject=subject, context=_context(talk, **extra)
    )


def send_submitted(talk: Talk) -> None:
    """A new proposal: the organizers are told, the speakers get an acknowledgement."""
    _to_organizers(
        talk,
        "submitted_organizers",
        _("Nouvelle proposition de talk : %(title)s") % {"title": talk.title},
    )
    _to_speakers(
        talk,
        "submitted_speaker",
        _("Nous avons bien reçu votre proposition : %(title)s") % {"title": talk.title},
    )


def send_accepted(talk: Talk) -> None:
    confirm_url = absolute_url(
        reverse("talks:confirm-token", kwargs={"token": confirm_token(talk)})
    )
    _to_speakers(
        talk,
        "accepted",
        _("Votre talk est accepté : merci de confirmer (%(title)s)") % {"title": talk.title},
        confirm_url=confirm_url,
    )


def send_rejected(talk: Talk) -> None:
    _to_speakers(
        talk,
        "rejected",
        _("Votre proposition de talk : %(title)s") % {"title": talk.title},
        wishlist_url=absolute_url(reverse("talks:wishlist")),
    )


def send_cancelled(talk: Talk) -> None:
    _to_speakers(talk, "cancelled", _("Talk annulé : %(title)s") % {"title": talk.title})


def send_confirmed(talk: Talk) -> None:
    _to_organizers(talk, "confirmed", _("Talk confirmé : %(title)s") % {"title": talk.title})


def send_withdrawn(talk: Talk, *, previous_status: str) -> None:
    _to_organizers(
        talk,
        "withdrawn",
        _("Talk retiré par son intervenant·e : %(title)s") % {"title": talk.title},
        previous_status=Talk.Status(previous_status).label,
        was_in_programme=previous_status in Talk.PUBLIC_STATUSES,
    )


def send_scheduled(talk: Talk) -> None:
    _to_speakers(
        talk,
        "scheduled",
        _("Votre talk est programmé le %(date)s")
        % {"date": timezone.localtime(talk.event.starts_at).strftime("%d/%m/%Y")},
    )


def send_unscheduled(talk: Talk, *, previous_event) -> None:
    _to_speakers(
        talk,
        "unscheduled",
        _("Changement de programme : %(title)s") % {"title": talk.title},
        previous_event=previous_event,
        previous_starts_at=timezone.localtime(previous_event.starts_at),
    )


def send_mentor_intro(talk: Talk) -> None:
    mentor = talk.mentor
    _send(
        to=[*talk.speaker_emails(), mentor.contact_email],
        template="mentor_intro",
        subject=_("Présentations : %(mentor)s vous accompagne pour « %(title)s »")
        % {"mentor": mentor.name, "title": talk.title},
        context=_context(talk, mentor=mentor),
    )


def send_speaker_claimed(claim: SpeakerClaim) -> None:
    """A member said "C'est moi" on a speaker of the archive: the organizers decide.

    Also sent, for their information, when the claim was approved at once because the
    speaker's contact email is one of the member's verified addresses.
    """
    speaker, member = claim.speaker, claim.member
    if claim.proven_by_email:
        subject = _("Profil d'intervenant·e relié à un compte (adresse prouvée) : %(name)s")
    else:
        subject = _("« C'est moi » : %(member)s revendique le profil de %(name)s")
    _send(
        to=organizer_emails(),
        template="speaker_claimed",
        subject=subject % {"name": speaker.name, "member": member.display_name},
        context={
            "claim": claim,
            "speaker": speaker,
            "member": member,
            "speaker_url": absolute_url(speaker.get_absolute_url()),
            "claim_url": absolute_url(reverse("admin:talks_speakerclaim_change", args=[claim.pk])),
            "claims_url": absolute_url(reverse("admin:talks_speakerclaim_changelist")),
        },
    )


def _to_claimant(claim: SpeakerClaim, template: str, subject: str) -> None:
    _send(
        to=[claim.member.email],
        template=template,
        subject=subject % {"name": claim.speaker.name},
        context={
            "claim": claim,
            "speaker": claim.speaker,
            "speaker_url": absolute_url(claim.speaker.get_absolute_url()),
            "profile_url": absolute_url(reverse("talks:speaker-profile")),
        },
    )


def send_claim_approved(claim: SpeakerClaim) -> None:
    _to_claimant(
        claim,
        "claim_approved",
        _("Votre profil d'intervenant·e est relié à votre compte : %(name)s"),
    )


def send_claim_rejected(claim: SpeakerClaim) -> None:
    _to_claimant(claim, "claim_rejected", _("Votre demande sur le profil de %(name)s"))


def send_claim_undone(claim: SpeakerClaim) -> None:
    _to_claimant(claim, "claim_undone", _("Le profil de %(name)s n'est plus relié à votre compte"))


def send_invitation(invitation: CoSpeakerInvitation) -> None:
    """A co-speaker named by email is asked first. The same email whoever the address
    belongs to: the proposer learns nothing about who has an account."""
    talk = invitation.talk
    inviter = invitation.invited_by
    _send(
        to=[invitation.email],
        template="invitation",
        subject=_("Invitation à présenter un talk à plusieurs : %(title)s") % {"title": talk.title},
        context=_context(
            talk,
            invitation=invitation,
            inviter=inviter.display_name if inviter else _("Un membre de Clermont'ech"),
            invitation_url=absolute_url(
                reverse("talks:invitation", kwargs={"token": invitation_token(invitation)})
            ),
            valid_days=INVITATION_MAX_AGE.days,
        ),
    )


def send_invitation_answered(invitation: CoSpeakerInvitation) -> None:
    """The invitee said yes or no: whoever proposed the talk (and sent the invitation) hears."""
    talk = invitation.talk
    accepted = invitation.status == CoSpeakerInvitation.Status.ACCEPTED
    if accepted and invitation.accepted_by is not None:
        name = invitation.accepted_by.display_name or invitation.label
    else:
        name = invitation.label
    recipients: list[str] = []
    for person in (talk.submitted_by, invitation.invited_by):
        if person is not None and person.email and person.email not in recipients:
            recipients.append(person.email)
    subject = (
        _("%(name)s présentera « %(title)s » avec vous")
        if accepted
        else _("%(name)s a décliné votre invitation : %(title)s")
    )
    _send(
        to=recipients,
        template="invitation_answered",
        subject=subject % {"name": name, "title": talk.title},
        context=_context(talk, invitation=invitation, accepted=accepted, name=name),
    )


# The email that goes with each status change (talks.services.talk_set_status).
STATUS_EMAILS = {
    Talk.Status.ACCEPTED: send_accepted,
    Talk.Status.REJECTED: send_rejected,
    Talk.Status.CANCELLED: send_cancelled,
    Talk.Status.CONFIRMED: send_confirmed,
}


def send_proposals_removed(*, titles: list[str]) -> None:
    """A member deleted their account: tell the organizers which proposals went away."""
    _send(
        to=organizer_emails(),
        template="proposals_removed",
        subject=_("Propositions retirées : un membre a supprimé son compte"),
        context={"titles": titles, "site_url": settings.SITE_URL},
    )
