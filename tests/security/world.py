"""The world the security tests walk: one object of each kind, and the seven personas.

Built once per test module (see conftest.py: it lives inside a transaction rolled back
at the end of the module) and read by the URL table (`routes.py`) to fill each URL's
arguments. "member" owns the things; "other_member" is the stranger acting on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib.auth.models import Group
from django.contrib.sites.models import Site
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from community.bans import email_fingerprint
from community.models import Announcement, BannedAddress, IncidentReport
from community.tokens import unsubscribe_token_make
from core.models import OutboxMessage
from events.draw import draw_request_create, draw_run
from events.models import RSVP, DrawRequest, Event
from events.reminders import NO, YES, reconfirm_token_make
from members.models import User
from sponsors.models import Sponsor
from talks.models import CoSpeakerInvitation, ImportedPost, Speaker, SpeakerClaim, Talk, Topic
from talks.tokens import confirm_token, invitation_token
from tests.factories import (
    AnnouncementFactory,
    EventFactory,
    IncidentReportFactory,
    OrganizerFactory,
    RSVPFactory,
    SpeakerFactory,
    SponsorFactory,
    SponsorshipFactory,
    StaffFactory,
    SuperuserFactory,
    TalkFactory,
    TopicFactory,
    TopicVoteFactory,
    UserFactory,
)

# Who knocks. The order is the order of the columns in the failure messages.
PERSONAS = (
    "anonymous",
    "member",  # verified email, owns the RSVP, the ticket, the proposal, the speaker profile
    "other_member",  # verified email, acts on the member's things
    "banned",  # banned_at set
    "staff",  # is_staff without any group or permission
    "organizer",  # staff in the "Organisateurs" group
    "superuser",
)
LOGGED_IN = PERSONAS[1:]


@dataclass
class World:
    users: dict[str, User | None]
    event: Event  # published, upcoming, registration open, with RSVPs
    draft_event: Event
    past_event: Event
    cancelled_event: Event
    opening_event: Event  # registrations open tomorrow, seats held for first-timers
    rsvp: RSVP  # the member's, at `event`
    proposal: Talk  # the member's, submitted
    member_speaker: Speaker
    public_talk: Talk  # confirmed, given at `past_event`
    public_speaker: Speaker
    topic: Topic
    announcement: Announcement
    incident_report: IncidentReport
    sponsor: Sponsor
    invitation: CoSpeakerInvitation  # to co-present the member's proposal, pending
    tokens: dict[str, str] = field(default_factory=dict)
    # One row of each model the admin shows, for its change/delete/history pages.
    admin_objects: dict[str, object] = field(default_factory=dict)
    draw_event: Event | None = None  # in draw mode, requests open, the member asked
    drawn_event: Event | None = None  # in draw mode, drawn (other_member had asked)

    @property
    def member(self) -> User:
        return self.users["member"]


def build_world() -> World:
    member = UserFactory(email="camille@example.org", display_name="Camille")
    users: dict[str, User | None] = {
        "anonymous": None,
        "member": member,
        "other_member": UserFactory(email="dominique@example.org", display_name="Dominique"),
        "banned": UserFactory(
            email="banni@example.org", display_name="Banni", banned_at=timezone.now()
        ),
        "staff": StaffFactory(email="staff@example.org"),
        "organizer": OrganizerFactory(email="orga@example.org"),
        "superuser": SuperuserFactory(email="admin@example.org"),
    }
    event = EventFactory(title="API Hour à venir", slug="api-hour-a-venir")
    draft_event = EventFactory(draft=True, slug="api-hour-brouillon")
    past_event = EventFactory(past=True, slug="api-hour-passee")
    cancelled_event = EventFactory(cancelled=True, slug="api-hour-annulee")
    opening_event = EventFactory(
        slug="api-hour-ouverture-demain",
        registration_opens_at=timezone.now() + timedelta(days=1),
        held_seats=5,
    )
    rsvp = RSVPFactory(event=event, member=member)
    # Somebody else, checked in already: the door lists two names and offers an "undo".
    RSVPFactory(event=event, checked_in_at=timezone.now())
    RSVPFactory(event=past_event, member=member, checked_in_at=past_event.starts_at)

    member_speaker = SpeakerFactory(name="Camille", user=member)
    SpeakerFactory(name="Banni", user=users["banned"])  # a speaker who was banned since
    proposal = TalkFactory(title="Ma proposition", speakers=[member_speaker], submitted_by=member)
    public_speaker = SpeakerFactory(name="Intervenante publique")
    public_talk = TalkFactory(
        title="Un talk donné",
        slug="un-talk-donne",
        status=Talk.Status.CONFIRMED,
        event=past_event,
        speakers=[public_speaker],
    )
    topic = TopicFactory(title="Les bases de données", suggested_by=member)
    TopicVoteFactory(topic=topic, member=member)
    announcement = AnnouncementFactory(created_by=users["organizer"])
    incident_report = IncidentReportFactory(event=past_event)
    sponsor = SponsorFactory(name="Entreprise mécène")
    invitation = CoSpeakerInvitation.objects.create(
        talk=proposal, email="invitee@example.org", name="Invitée", invited_by=member
    )
    SponsorshipFactory(sponsor=sponsor, event=event)
    draw_event = EventFactory(draw=True, title="API Hour tirée au sort", slug="api-hour-tirage")
    draw_request_create(event=draw_event, member=member)
    drawn_event = EventFactory(
        draw=True, slug="api-hour-tiree", draw_closes_at=timezone.now() - timedelta(minutes=1)
    )
    DrawRequest.objects.create(event=drawn_event, member=users["other_member"])
    draw_run(event=drawn_event)

    world = World(
        users=users,
        event=event,
        draft_event=draft_event,
        past_event=past_event,
        cancelled_event=cancelled_event,
        opening_event=opening_event,
        rsvp=rsvp,
        proposal=proposal,
        invitation=invitation,
        member_speaker=member_speaker,
        public_talk=public_talk,
        public_speaker=public_speaker,
        topic=topic,
        announcement=announcement,
        incident_report=incident_report,
        sponsor=sponsor,
        draw_event=draw_event,
        drawn_event=drawn_event,
    )
    world.tokens = build_tokens(world)
    world.admin_objects = _admin_objects(world)
    return world


def build_tokens(world) -> dict[str, str]:
    """The signed links of the emails, for the member's RSVP, proposal and account."""
    return {
        "reconfirm": reconfirm_token_make(world.rsvp, YES),
        "reconfirm_no": reconfirm_token_make(world.rsvp, NO),
        "talk_confirm": confirm_token(world.proposal),
        "invitation": invitation_token(world.invitation),
        "unsubscribe": unsubscribe_token_make(world.member),
    }


def _admin_objects(world: World) -> dict[str, object]:
    """label -> one row, for every model the admin registers (the admin walk needs one)."""
    app = SocialApp.objects.create(provider="github", name="GitHub", client_id="id", secret="s")
    account = SocialAccount.objects.create(user=world.member, provider="github", uid="42")
    now = timezone.now()
    return {
        "auth.Group": Group.objects.get(name="Organisateurs"),
        "sites.Site": Site.objects.get_current(),
        "account.EmailAddress": world.member.emailaddress_set.get(),
        "socialaccount.SocialApp": app,
        "socialaccount.SocialAccount": account,
        "socialaccount.SocialToken": SocialToken.objects.create(
            app=app, account=account, token="t"
        ),
        "django_tasks_database.DBTaskResult": DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="community.tasks.announcement_send_batch",
            backend_name="default",
            run_after=now,
            exception_class_path="",
            traceback="",
        ),
        "core.OutboxMessage": OutboxMessage.objects.create(
            kind="events.rsvp_received",
            to=world.member.email,
            recipient=world.member,
            status=OutboxMessage.Status.SENT,
        ),  # fmt: skip
        "events.Venue": world.event.venue,
        "events.Event": world.event,
        "events.RSVP": world.rsvp,
        "events.DrawRequest": DrawRequest.objects.filter(event=world.draw_event).first(),
        "events.Draw": world.drawn_event.draw,
        "members.User": world.member,
        "community.Announcement": world.announcement,
        "community.IncidentReport": world.incident_report,
        "community.BannedAddress": BannedAddress.objects.create(
            fingerprint=email_fingerprint("ancien-banni@example.org"), reason="Spam"
        ),
        "talks.Speaker": world.member_speaker,
        "talks.Talk": world.proposal,
        "talks.Topic": world.topic,
        "talks.SpeakerClaim": SpeakerClaim.objects.create(
            member=world.member, speaker=world.public_speaker
        ),
        "talks.ImportedPost": ImportedPost.objects.create(
            source="_posts/2019-01-01-api-hour-1.md",
            kind=ImportedPost.Kind.EVENT,
            event=world.past_event,
            imported_at=now - timedelta(days=1),
        ),
        "sponsors.Sponsor": world.sponsor,
    }
