"""factory_boy factories. Defaults make a valid, ordinary row and nothing more."""

from __future__ import annotations

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from events.models import RSVP, Diet, Event, Venue
from members.models import User

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A member whose email address is verified (as after allauth's confirmation)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Membre {n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class OrganizerFactory(UserFactory):
    display_name = factory.Sequence(lambda n: f"Orga {n}")
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
        model = "members.Announcement"

    subject = factory.Sequence(lambda n: f"Annonce {n}")
    body = "Bonjour,\n\nLa prochaine API Hour approche : **inscrivez-vous** !"


class IncidentReportFactory(factory.django.DjangoModelFactory):
    """An anonymous report, without event or contact."""

    class Meta:
        model = "members.IncidentReport"

    what_happened = "Des remarques déplacées pendant la pause."
