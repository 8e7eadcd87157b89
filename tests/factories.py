"""factory_boy factories. Defaults make a valid, ordinary row and nothing more."""

from __future__ import annotations

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from events.models import RSVP, Diet, Event, Venue
from members.models import User
from members.organizers import organizers_group_sync

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A member whose email address is verified (as after allauth's confirmation)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Membre {n}")
    password = factory.django.Password(PASSWORD)
    # Accounts created before sign-up asked for consent kept "yes"; new ones start at
    # "no" (the model's default) unless the box is ticked: tests of that say so.
    receives_announcements = True

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class StaffFactory(UserFactory):
    """Staff status without any group: logs into the admin, may change nothing."""

    display_name = factory.Sequence(lambda n: f"Équipe {n}")
    is_staff = True


class OrganizerFactory(StaffFactory):
    """An organizer as the site makes them: staff in the "Organisateurs" group."""

    display_name = factory.Sequence(lambda n: f"Orga {n}")

    @factory.post_generation
    def organizers_group(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(organizers_group_sync())


class SuperuserFactory(UserFactory):
    display_name = factory.Sequence(lambda n: f"Admin {n}")
    is_staff = True
    is_superuser = True


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Salle {n}")
    address = "9 rue Kessler\n63000 Clermont-Ferrand"


class EventFactory(factory.django.DjangoModelFactory):
    """A published API Hour in two weeks, registration open, 50 seats."""

    class Meta:
        model = Event

    number = factory.Sequence(lambda n: 100 + n)
    title = factory.LazyAttribute(lambda o: f"API Hour #{o.number}")
    slug = factory.LazyAttribute(lambda o: f"api-hour-{o.number}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2, minutes=30))
    venue = factory.SubFactory(VenueFactory)
    capacity = 50
    status = Event.Status.PUBLISHED

    class Params:
        past = factory.Trait(
            starts_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=30)),
        )
        draft = factory.Trait(status=Event.Status.DRAFT)
        cancelled = factory.Trait(status=Event.Status.CANCELLED)
        # Seats drawn by lot; requests open since an hour, until 23 hours from now.
        draw = factory.Trait(
            allocation=Event.Allocation.DRAW,
            registration_opens_at=factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1)),
        )


class RSVPFactory(factory.django.DjangoModelFactory):
    """A row written directly, for arranging a test. Code under test uses the services."""

    class Meta:
        model = RSVP

    event = factory.SubFactory(EventFactory)
    member = factory.SubFactory(UserFactory)
    status = RSVP.Status.CONFIRMED
    diet = Diet.NONE


# Community (members app): announcements and incident reports.


class AnnouncementFactory(factory.django.DjangoModelFactory):
    """A draft announcement, not tested yet."""

    class Meta:
        model = "community.Announcement"

    subject = factory.Sequence(lambda n: f"Annonce {n}")
    body = "Bonjour,\n\nLa prochaine API Hour approche : **inscrivez-vous** !"


class IncidentReportFactory(factory.django.DjangoModelFactory):
    """An anonymous report, without event or contact."""

    class Meta:
        model = "community.IncidentReport"

    what_happened = "Des remarques déplacées pendant la pause."


# Profiles and sponsors

import functools  # noqa: E402  (kept with the factories below)

from sponsors.models import Sponsor, Sponsorship  # noqa: E402


class SponsorFactory(factory.django.DjangoModelFactory):
    """An active sponsor of the "silver" tier, without a logo."""

    class Meta:
        model = Sponsor

    name = factory.Sequence(lambda n: f"Entreprise {n}")
    slug = factory.Sequence(lambda n: f"entreprise-{n}")
    website_url = factory.LazyAttribute(lambda o: f"https://{o.slug}.example.com/")
    tier = Sponsor.Tier.SILVER
    is_active = True


class SponsorshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sponsorship

    sponsor = factory.SubFactory(SponsorFactory)
    event = factory.SubFactory(EventFactory)
    provides_food = True
    thanks = factory.LazyAttribute(lambda o: f"Merci à {o.sponsor.name} pour le buffet !")


def image_bytes(
    image_format: str = "PNG",
    size: tuple[int, int] = (800, 600),
    *,
    mode: str = "RGB",
    color=(200, 30, 30),
    **save_options,
) -> bytes:
    """An image file made by Pillow, for upload tests (save_options: exif=, quality=...)."""
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new(mode, size, color).save(out, image_format, **save_options)
    return out.getvalue()


@functools.cache
def black_and_white_png(width: int, height: int) -> bytes:
    """A 1-bit PNG: tiny on disk however many pixels it declares (bombs, huge images)."""
    return image_bytes("PNG", (width, height), mode="1", color=0)


# Talks ------------------------------------------------------------------------

from talks.models import Speaker, Talk, TalkSpeaker, Topic, TopicVote, speaker_slug  # noqa: E402


class SpeakerFactory(factory.django.DjangoModelFactory):
    """A speaker from the archive: no account."""

    class Meta:
        model = Speaker

    name = factory.Sequence(lambda n: f"Intervenant {n}")
    slug = factory.LazyAttribute(lambda o: speaker_slug(o.name))


class TalkFactory(factory.django.DjangoModelFactory):
    """A talk written directly, for arranging a test (code under test uses the services).

    speakers=[...] sets the speakers in order; by default one new speaker.
    """

    class Meta:
        model = Talk
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Talk numéro {n}")
    slug = factory.Sequence(lambda n: f"talk-numero-{n}")
    abstract = "Un résumé assez long pour passer la validation du formulaire de proposition."
    format = Talk.Format.SHORT
    status = Talk.Status.SUBMITTED

    class Params:
        given = factory.Trait(
            status=Talk.Status.CONFIRMED,
            event=factory.SubFactory(EventFactory, past=True),
        )

    @factory.post_generation
    def speakers(obj, create, extracted, **kwargs):
        if not create:
            return
        for position, speaker in enumerate(extracted or [SpeakerFactory()]):
            TalkSpeaker.objects.create(talk=obj, speaker=speaker, position=position)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    title = factory.Sequence(lambda n: f"Sujet {n}")


class TopicVoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TopicVote

    topic = factory.SubFactory(TopicFactory)
    member = factory.SubFactory(UserFactory)
