"""The matrix walk on the demo data (`manage.py seed_demo`): what a newcomer sees first.

Same table as test_matrix.py, but every URL is called with the demo's own objects (its
organizer orga@example.org, its member camille@example.org, their RSVPs and proposals)
and the only expectation is the one that matters here: no page answers a 5xx.
"""

from __future__ import annotations

from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils import timezone

from community.models import IncidentReport
from events.models import RSVP, Event
from members.models import User
from talks.models import Speaker, Talk, Topic

from .conftest import module_transaction, session_keys
from .table import TABLE, matrix_cases, request_path
from .world import PERSONAS, World

DEMO_PERSONAS = ("anonymous", "member", "organizer")


def _demo_world() -> World:
    """The table's arguments, filled from the demo data instead of the test world."""
    member = User.objects.get(email="camille@example.org")
    organizer = User.objects.get(email="orga@example.org")
    event = Event.objects.published().upcoming().first()
    rsvp = RSVP.objects.filter(member=member, event=event).first()
    proposal = Talk.objects.for_member(member).order_by("pk").first()
    if proposal is None:  # the demo gives Camille a proposal; the walk needs one
        raise AssertionError("seed_demo no longer gives camille@example.org a proposal")
    public_talk = Talk.objects.public().order_by("pk").first()
    world = SimpleNamespace(
        users={"anonymous": None, "member": member, "organizer": organizer},
        member=member,
        event=event,
        draft_event=Event.objects.filter(status=Event.Status.DRAFT).first() or event,
        past_event=Event.objects.published().past().first(),
        cancelled_event=Event.objects.filter(status=Event.Status.CANCELLED).first() or event,
        opening_event=Event.objects.published()
        .filter(registration_opens_at__gt=timezone.now())
        .first()
        or event,
        rsvp=rsvp,
        proposal=proposal,
        member_speaker=Speaker.objects.filter(user=member).first() or proposal.speakers.first(),
        public_talk=public_talk,
        public_speaker=Speaker.objects.public().order_by("pk").first(),
        topic=Topic.objects.order_by("pk").first(),
        announcement=None,
        incident_report=IncidentReport.objects.first(),
        sponsor=None,
        draw_event=Event.objects.filter(slug="api-hour-75").first(),
        drawn_event=Event.objects.filter(slug="api-hour-74").first(),
    )
    return world


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    from community.models import Announcement
    from sponsors.models import Sponsor
    from talks.models import CoSpeakerInvitation
    from tests.factories import AnnouncementFactory, IncidentReportFactory

    from .world import _admin_objects, build_tokens

    with module_transaction(django_db_blocker, tmp_path_factory):
        call_command("seed_demo", stdout=StringIO())
        world = _demo_world()
        world.announcement = Announcement.objects.first() or AnnouncementFactory(
            created_by=world.users["organizer"]
        )
        world.incident_report = world.incident_report or IncidentReportFactory()
        world.sponsor = Sponsor.objects.order_by("pk").first()
        world.invitation = CoSpeakerInvitation.objects.create(
            talk=world.proposal, email="invitee@example.org", invited_by=world.member
        )
        world.tokens = build_tokens(world)
        world.admin_objects = _admin_objects(world)
        world.sessions = session_keys(world.users)
        yield world


def _demo_case(key, case, persona) -> bool:
    return persona in DEMO_PERSONAS and case.get[persona].status < 500


@pytest.mark.parametrize(
    ("key", "case", "persona"),
    list(matrix_cases(TABLE, PERSONAS, only=_demo_case)),
)
def test_demo_data_every_page_answers_without_a_5xx(key, case, persona, demo, db):
    from .conftest import persona_client

    path = request_path(key, case, demo)

    response = persona_client(demo.sessions, persona).get(path)

    assert response.status_code < 500, f"GET {path} ({key}) as {persona} on the demo data: " + str(
        response.status_code
    )
