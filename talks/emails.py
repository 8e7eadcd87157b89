"""Emails about talks, through the outbox (core.outbox): nothing here talks to the
mail server, so no page of the site depends on it.

Two halves:

- `queue_*` functions, called by talks.services INSIDE the transaction of the change.
  They decide who is written to, one outbox message per address (a refused address
  never holds up the others), and store ids in the message's params, never text.
- renderers (`@renderer("talks.<what>")`), run at delivery: right after the commit, or
  after a mail-server outage, hours later. They read the talk, claim or invitation
  again and write the email from what is true then; when it no longer applies (an
  "accepted" email for a talk withdrawn meanwhile, an invitation no longer pending, a
  "scheduled" email for a talk moved elsewhere...) they return None and the message is
  marked "skipped".

TalksConfig.ready imports this module, so that a worker process knows every renderer.
Every template is templates/emails/talks_<name>.txt; the links in them are absolute
(core.links.absolute_url).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.french import de
from core.links import absolute_url
from core.models import OutboxMessage
from core.outbox import Mail, outbox_queue_many, renderer
from events.models import Event
from members.models import User

from .models import CoSpeakerInvitation, SpeakerClaim, Talk
from .tokens import INVITATION_MAX_AGE, confirm_token, invitation_token

S = Talk.Status

# Queueing (inside the transaction of the change) ------------------------------------


def _talk_group(talk: Talk) -> str:
    return f"talk:{talk.pk}"


def _to_speakers(talk: Talk, kind: str, **params) -> list[Mail]:
    """One message to each speaker of the talk (and whoever proposed it)."""
    return [
        Mail(kind, email, {"talk": talk.pk, **params}, recipient=member, group=_talk_group(talk))
        for email, member in talk.speaker_recipients()
    ]


def _to_organizers(kind: str, params: dict, group: str = "") -> list[Mail]:
    """One message to each organizer address (User.objects.organizer_addresses)."""
    addresses = User.objects.organizer_addresses()
    return [Mail(kind, address, params, group=group) for address in addresses]


def queue_submitted(talk: Talk) -> None:
    """A new proposal: the organizers are told, the speakers get an acknowledgement."""
    outbox_queue_many(
        [
            *_to_organizers(
                "talks.submitted_organizers", {"talk": talk.pk}, group=_talk_group(talk)
            ),
            *_to_speakers(talk, "talks.submitted_speaker"),
        ]
    )


def queue_status_changed(talk: Talk, *, previous_status: str) -> None:
    """The email that goes with each status change (talks.services.talk_set_status):
    acceptance, rejection and cancellation to the speakers; confirmation and withdrawal
    to the organizers."""
    status = talk.status
    if status in (S.ACCEPTED, S.REJECTED, S.CANCELLED):
        mails = _to_speakers(talk, f"talks.{status}")
    elif status == S.CONFIRMED:
        mails = _to_organizers("talks.confirmed", {"talk": talk.pk}, group=_talk_group(talk))
    elif status == S.WITHDRAWN:
        params = {"talk": talk.pk, "previous_status": previous_status}
        mails = _to_organizers("talks.withdrawn", params, group=_talk_group(talk))
    else:
        mails = []
    outbox_queue_many(mails)


def queue_scheduled(talk: Talk) -> None:
    outbox_queue_many(_to_speakers(talk, "talks.scheduled", event=talk.event_id))


def queue_unscheduled(talk: Talk, *, previous_event: Event) -> None:
    outbox_queue_many(_to_speakers(talk, "talks.unscheduled", previous_event=previous_event.pk))


def queue_mentor_intro(talk: Talk) -> None:
    """The speakers and the mentor, introduced to each other: one message each, whose
    replies go to the others (Reply-To)."""
    mentor = talk.mentor
    mails = _to_speakers(talk, "talks.mentor_intro", mentor=mentor.pk)
    if mentor.contact_email.lower() not in {mail.to.lower() for mail in mails}:
        mails.append(
            Mail(
                "talks.mentor_intro",
                mentor.contact_email,
                {"talk": talk.pk, "mentor": mentor.pk},
                recipient=mentor.user if mentor.user_id else None,
                group=_talk_group(talk),
            )
        )
    outbox_queue_many(mails)


def queue_proposals_removed(*, titles: list[str]) -> None:
    """A member deleted their account: the organizers learn which proposals went away
    (the talks are deleted: their titles travel in the message)."""
    outbox_queue_many(_to_organizers("talks.proposals_removed", {"titles": titles}))


def queue_speaker_claimed(claim: SpeakerClaim) -> None:
    outbox_queue_many(
        _to_organizers("talks.speaker_claimed", {"claim": claim.pk}, group=f"claim:{claim.pk}")
    )


def queue_claim_decided(claim: SpeakerClaim) -> None:
    """The member hears about the decision on their claim: approved, rejected, undone."""
    outbox_queue_many(
        [
            Mail(
                f"talks.claim_{claim.status}",
                claim.member.email,
                {"claim": claim.pk},
                recipient=claim.member,
                group=f"claim:{claim.pk}",
            )
        ]
    )


def queue_invitation(invitation: CoSpeakerInvitation) -> None:
    """A co-speaker named by email is asked first (the address may have no account)."""
    outbox_queue_many(
        [
            Mail(
                "talks.invitation",
                invitation.email,
                {"invitation": invitation.pk},
                group=f"talk:{invitation.talk_id}",
            )
        ]
    )


def queue_invitation_answered(invitation: CoSpeakerInvitation) -> None:
    """The invitee said yes or no: whoever proposed the talk and whoever invited hear."""
    talk = invitation.talk
    mails: list[Mail] = []
    for person in (talk.submitted_by, invitation.invited_by):
        if person is not None and person.email.lower() not in {m.to.lower() for m in mails}:
            mails.append(
                Mail(
                    "talks.invitation_answered",
                    person.email,
                    {"invitation": invitation.pk, "status": invitation.status},
                    recipient=person,
                    group=_talk_group(talk),
                )
            )
    outbox_queue_many(mails)


# Rendering (at delivery) ----------------------------------------------------------


def _email(template: str, subject: str, context: dict, **kwargs) -> EmailMessage:
    """The message; its recipient is set by the outbox."""
    return EmailMessage(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=render_to_string(f"emails/talks_{template}.txt", context),
        **kwargs,
    )


def _talk(pk, *statuses: str) -> Talk | None:
    """The talk as it is now; None if it is gone or not in one of `statuses`."""
    talk = (
        Talk.objects.select_related("event__venue", "submitted_by", "mentor__user")
        .with_speakers()
        .filter(pk=pk)
        .first()
    )
    if talk is None or (statuses and talk.status not in statuses):
        return None
    return talk


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


@renderer("talks.submitted_organizers", gettext_lazy("Talk : nouvelle proposition (organisateurs)"))
def _render_submitted_organizers(message: OutboxMessage) -> EmailMessage | None:
    talk = _talk(message.params.get("talk"))
    if talk is None or talk.status == S.WITHDRAWN:
        return None  # withdrawn (that email tells) or deleted (with its speaker's account)
    subject = _("Nouvelle proposition de talk : %(title)s") % {"title": talk.title}
    return _email("submitted_organizers", subject, _context(talk))


@renderer("talks.submitted_speaker", gettext_lazy("Talk : proposition reçue (intervenant·es)"))
def _render_submitted_speaker(message: OutboxMessage) -> EmailMessage | None:
    talk = _talk(message.params.get("talk"))
    if talk is None or talk.status == S.WITHDRAWN:
        return None  # the speakers took it back themselves
    subject = _("Nous avons bien reçu votre proposition : %(title)s") % {"title": talk.title}
    return _email("submitted_speaker", subject, _context(talk))


@renderer("talks.accepted", gettext_lazy("Talk accepté (avec le lien de confirmation)"))
def _render_accepted(message: OutboxMessage) -> EmailMessage | None:
    talk = _talk(message.params.get("talk"), S.ACCEPTED)
    if talk is None:
        return None  # withdrawn, cancelled or already confirmed meanwhile
    confirm_url = absolute_url(
        reverse("talks:confirm-token", kwargs={"token": confirm_token(talk)})
    )
    subject = _("Votre talk est accepté : merci de confirmer (%(title)s)") % {"title": talk.title}
    return _email("accepted", subject, _context(talk, confirm_url=confirm_url))


@renderer("talks.rejected", gettext_lazy("Talk refusé"))
def _render_rejected(message: OutboxMessage) -> EmailMessage | None:
    talk = _talk(message.params.get("talk"), S.REJECTED)
    if talk is None:
        return None
    subject = _("Votre proposition de talk : %(title)s") % {"title": talk.title}
    context = _context(talk, wishlist_url=absolute_url(reverse("talks:wishlist")))
    return _email("rejected", subject, context)


@renderer("talks.cancelled", gettext_lazy("Talk annulé"))
def _render_cancelled(message: OutboxMessage) -> EmailMessage | None:
    talk = _talk(message.params.get("talk"), S.CANCELLED)
    if talk is None:
        return None
    return _email("cancelled", _("Talk annulé : %(title)s") % {"title": talk.title}, _context(talk))


@renderer("talks.confirmed", gettext_lazy("Talk confirmé (organisateurs)"))
def _render_confirmed(message: OutboxMessage) -> EmailMessage | None:
    talk = _talk(message.params.get("talk"), S.CONFIRMED)
    if talk is None:
        return None  # withdrawn or cancelled since: that email tells the news
    subject = _("Talk confirmé : %(title)s") % {"title": talk.title}
    return _email("confirmed", subject, _context(talk))


@renderer("talks.withdrawn", gettext_lazy("Talk retiré (organisateurs)"))
def _render_withdrawn(message: OutboxMessage) -> EmailMessage | None:
    talk = _talk(message.params.get("talk"), S.WITHDRAWN)
    if talk is None:
        return None
    previous = message.params.get("previous_status", "")
    subject = _("Talk retiré par son intervenant·e : %(title)s") % {"title": talk.title}
    context = _context(
        talk,
        previous_status=Talk.Status(previous).label if previous in S.values else previous,
        was_in_programme=previous in Talk.PUBLIC_STATUSES,
    )
    return _email("withdrawn", subject, context)


@renderer("talks.scheduled", gettext_lazy("Talk programmé (la date)"))
def _render_scheduled(message: OutboxMessage) -> EmailMessage | None:
    talk = _talk(message.params.get("talk"), *Talk.PUBLIC_STATUSES)
    if talk is None or talk.event_id is None or talk.event_id != message.params.get("event"):
        return None  # moved to another event or taken out meanwhile: that email tells
    if talk.event.is_past or talk.event.status == Event.Status.CANCELLED:
        return None
    subject = _("Votre talk est programmé le %(date)s") % {
        "date": timezone.localtime(talk.event.starts_at).strftime("%d/%m/%Y")
    }
    return _email("scheduled", subject, _context(talk))


@renderer("talks.unscheduled", gettext_lazy("Talk retiré du programme"))
def _render_unscheduled(message: OutboxMessage) -> EmailMessage | None:
    talk = _talk(message.params.get("talk"), *Talk.PUBLIC_STATUSES)
    previous = Event.objects.filter(pk=message.params.get("previous_event")).first()
    if talk is None or talk.event_id is not None or previous is None or previous.is_past:
        return None  # back in a programme (its "scheduled" email tells), or moot
    subject = _("Changement de programme : %(title)s") % {"title": talk.title}
    context = _context(
        talk,
        previous_event=previous,
        previous_starts_at=timezone.localtime(previous.starts_at),
    )
    return _email("unscheduled", subject, context)


@renderer("talks.mentor_intro", gettext_lazy("Talk : présentation du mentor"))
def _render_mentor_intro(message: OutboxMessage) -> EmailMessage | None:
    talk = _talk(message.params.get("talk"), *Talk.TAKER_STATUSES)
    if talk is None or talk.mentor_id is None or talk.mentor_id != message.params.get("mentor"):
        return None  # another mentor was chosen, or the talk is over
    mentor = talk.mentor
    everyone = [*talk.speaker_emails(), mentor.contact_email]
    # One message each, but a reply reaches the others, as with one message to all.
    reply_to = [a for a in everyone if a and a.lower() != message.to.lower()]
    subject = _("Présentations : %(mentor)s vous accompagne pour « %(title)s »") % {
        "mentor": mentor.name,
        "title": talk.title,
    }
    return _email("mentor_intro", subject, _context(talk, mentor=mentor), reply_to=reply_to)


@renderer("talks.proposals_removed", gettext_lazy("Propositions retirées (compte supprimé)"))
def _render_proposals_removed(message: OutboxMessage) -> EmailMessage | None:
    return _email(
        "proposals_removed",
        _("Propositions retirées : un membre a supprimé son compte"),
        {"titles": message.params.get("titles", []), "site_url": settings.SITE_URL},
    )


def _claim(message: OutboxMessage) -> SpeakerClaim | None:
    return (
        SpeakerClaim.objects.select_related("speaker", "member")
        .filter(pk=message.params.get("claim"))
        .first()
    )


@renderer("talks.speaker_claimed", gettext_lazy("« C'est moi » (organisateurs)"))
def _render_speaker_claimed(message: OutboxMessage) -> EmailMessage | None:
    """A member said "C'est moi" on a speaker of the archive: the organizers decide.

    Also sent, for their information, when the claim was approved at once because the
    speaker's contact email is one of the member's verified addresses."""
    claim = _claim(message)
    if claim is None:
        return None  # deleted with the member's account
    if claim.proven_by_email:
        if claim.status != SpeakerClaim.Status.APPROVED:
            return None  # already undone by an organizer
        subject = _("Profil d'intervenant·e relié à un compte (adresse prouvée) : %(name)s")
    else:
        if not claim.is_pending:
            return None  # already decided by an organizer: nothing left to ask
        subject = _("« C'est moi » : %(member)s revendique le profil %(de_name)s")
    speaker, member = claim.speaker, claim.member
    context = {
        "claim": claim,
        "speaker": speaker,
        "member": member,
        "speaker_url": absolute_url(speaker.get_absolute_url()),
        "claim_url": absolute_url(reverse("admin:talks_speakerclaim_change", args=[claim.pk])),
        "claims_url": absolute_url(reverse("admin:talks_speakerclaim_changelist")),
    }
    subject %= {"name": speaker.name, "de_name": de(speaker.name), "member": member.display_name}
    return _email("speaker_claimed", subject, context)


def _to_claimant(message: OutboxMessage, status: str, subject: str) -> EmailMessage | None:
    claim = _claim(message)
    if claim is None or claim.status != status:
        return None  # the decision was changed since (an approval undone...)
    context = {
        "claim": claim,
        "speaker": claim.speaker,
        "speaker_url": absolute_url(claim.speaker.get_absolute_url()),
        "profile_url": absolute_url(reverse("talks:speaker-profile")),
    }
    name = claim.speaker.name
    return _email(f"claim_{status}", subject % {"name": name, "de_name": de(name)}, context)


@renderer("talks.claim_approved", gettext_lazy("« C'est moi » approuvé"))
def _render_claim_approved(message: OutboxMessage) -> EmailMessage | None:
    return _to_claimant(
        message,
        SpeakerClaim.Status.APPROVED,
        _("Votre profil d'intervenant·e est relié à votre compte : %(name)s"),
    )


@renderer("talks.claim_rejected", gettext_lazy("« C'est moi » refusé"))
def _render_claim_rejected(message: OutboxMessage) -> EmailMessage | None:
    return _to_claimant(
        message, SpeakerClaim.Status.REJECTED, _("Votre demande sur le profil %(de_name)s")
    )


@renderer("talks.claim_undone", gettext_lazy("« C'est moi » annulé"))
def _render_claim_undone(message: OutboxMessage) -> EmailMessage | None:
    return _to_claimant(
        message,
        SpeakerClaim.Status.UNDONE,
        _("Le profil %(de_name)s n'est plus relié à votre compte"),
    )


@renderer("talks.invitation", gettext_lazy("Invitation à co-présenter un talk"))
def _render_invitation(message: OutboxMessage) -> EmailMessage | None:
    """The same email whoever the address belongs to: the proposer learns nothing about
    who has an account."""
    invitation = (
        CoSpeakerInvitation.objects.open()
        .select_related("invited_by")
        .filter(pk=message.params.get("invitation"))
        .first()
    )
    talk = _talk(invitation.talk_id) if invitation is not None else None
    if invitation is None or talk is None:
        return None  # cancelled, answered, or its talk withdrawn or started meanwhile
    inviter = invitation.invited_by
    context = _context(
        talk,
        invitation=invitation,
        inviter=inviter.display_name if inviter else _("Un membre de Clermont'ech"),
        invitation_url=absolute_url(
            reverse("talks:invitation", kwargs={"token": invitation_token(invitation)})
        ),
        valid_days=INVITATION_MAX_AGE.days,
    )
    subject = _("Invitation à présenter un talk à plusieurs : %(title)s") % {"title": talk.title}
    return _email("invitation", subject, context)


@renderer("talks.invitation_answered", gettext_lazy("Réponse à une invitation à co-présenter"))
def _render_invitation_answered(message: OutboxMessage) -> EmailMessage | None:
    invitation = (
        CoSpeakerInvitation.objects.select_related("accepted_by")
        .filter(pk=message.params.get("invitation"), status=message.params.get("status"))
        .first()
    )
    if invitation is None:
        return None  # the answer changed since
    talk = _talk(invitation.talk_id)
    if talk is None:
        return None
    accepted = invitation.status == CoSpeakerInvitation.Status.ACCEPTED
    if accepted and invitation.accepted_by is not None:
        name = invitation.accepted_by.display_name or invitation.label
    else:
        name = invitation.label
    subject = (
        _("%(name)s présentera « %(title)s » avec vous")
        if accepted
        else _("%(name)s a décliné votre invitation : %(title)s")
    )
    context = _context(talk, invitation=invitation, accepted=accepted, name=name)
    return _email("invitation_answered", subject % {"name": name, "title": talk.title}, context)
