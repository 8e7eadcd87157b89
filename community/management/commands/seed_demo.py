"""Demo data for a newcomer's machine: `python manage.py seed_demo`.

Idempotent: every row is looked up by a natural key first, so a second run
changes nothing (it does not move dates nor reset passwords).
"""

from __future__ import annotations

import functools
from datetime import datetime, time, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw

from core.images import image_fields_save, process_image
from events.draw import draw_request_create, draw_run
from events.models import RSVP, Diet, Event, Venue
from events.services import rsvp_create
from members.models import User
from members.organizers import organizers_group_sync
from sponsors.forms import LOGO_SIZES
from sponsors.models import Sponsor, Sponsorship

PARIS = ZoneInfo("Europe/Paris")
DEMO_PASSWORD = "apihour-demo"  # noqa: S105 - demo accounts on a developer's machine

VENUES = [
    {
        "name": "Le Bivouac",
        "address": "9 rue Kessler\n63000 Clermont-Ferrand",
        "latitude": "45.774080",
        "longitude": "3.091720",
        "accessibility_notes": "Plain-pied, accessible en fauteuil. Tram A arrêt Jaude.",
        "capacity": 60,
    },
    {
        "name": "Université Clermont Auvergne — Pôle Commun",
        "address": "10 rue de la Mayenne\n63000 Clermont-Ferrand",
        "latitude": "45.759460",
        "longitude": "3.111560",
        "accessibility_notes": "Amphithéâtre accessible par l'ascenseur du hall B.",
        "capacity": 120,
    },
    {
        "name": "Michelin — Cataroux",
        "address": "Place des Carmes-Déchaux\n63000 Clermont-Ferrand",
        "latitude": None,
        "longitude": None,
        "accessibility_notes": "",
        "capacity": 80,
    },
]

PAST_EVENTS = [
    (1, "2013-04-03", "Le Bivouac", "La toute première API Hour : quatre talks et un apéro."),
    (2, "2013-05-23", "Le Bivouac", "Cloud privé, bon goût et calisthénie objet."),
    (
        46,
        "2020-02-26",
        "Université Clermont Auvergne — Pôle Commun",
        "Cloud-init et enquêtes numériques.",
    ),
    (60, "2024-05-23", "Michelin — Cataroux", "Zig, Ficus UI et un pic."),
    (72, "2026-06-16", "Le Bivouac", "Nœuds, tests de mutation et uv."),
]

MEMBERS = [
    ("camille@example.org", "Camille Martin", Diet.VEGETARIAN, ""),
    ("yanis@example.org", "Yanis Benali", Diet.NO_PORK, ""),
    ("lea@example.org", "Léa Dubois", Diet.VEGAN, ""),
    ("hugo@example.org", "Hugo Bernard", Diet.OTHER, "Allergie aux fruits à coque"),
    ("ines@example.org", "Inès Moreau", Diet.NONE, ""),
]
ORGANIZER = ("orga@example.org", "Organisation Clermont'ech")

# A crowd of fictitious attendees, so the next event is full with a waiting list (as real
# API Hours are within minutes) and past events have an attendance history.
FIRST_NAMES = ["Alice", "Bastien", "Chloé", "David", "Emma", "Farid", "Gaëlle", "Hélène",
               "Ibrahim", "Jules", "Karima", "Louis", "Manon", "Nathan", "Océane", "Paul",
               "Quentin", "Rose"]  # fmt: skip
LAST_NAMES = ["Roux", "Faure", "Blanc"]
CROWD_DIETS = [Diet.NONE] * 6 + [Diet.VEGETARIAN, Diet.VEGAN, Diet.NO_PORK]
CROWD = [
    (f"{slugify(first)}.{slugify(last)}@example.org", f"{first} {last}")
    for last in LAST_NAMES
    for first in FIRST_NAMES
]  # 54 people: with the 5 members above, 50 seats taken and 9 waiting
# Past evenings the organizers checked people in at the door: (number, RSVPs, present).
PAST_ATTENDANCE = [(60, 48, 37), (72, 50, 36)]


SPONSORS = [
    ("Volcans Numériques", Sponsor.Tier.PARTNER, (29, 53, 87), {"provides_food": True}),
    ("Puy de Code", Sponsor.Tier.GOLD, (230, 57, 70), {"provides_drinks": True}),
    ("Auvergne Cloud", Sponsor.Tier.SILVER, (42, 157, 143), {"provides_goodies": True}),
]


def _logo_png(name: str, colour: tuple[int, int, int]) -> bytes:
    """A simple logo for a fictitious sponsor: its initials on a coloured badge."""
    image = Image.new("RGBA", (400, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((10, 10, 390, 190), radius=40, fill=(*colour, 255))
    initials = "".join(word[0] for word in name.split()[:3]).upper()
    draw.text((200, 100), initials, fill="white", anchor="mm", font_size=90)
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@functools.cache
def _demo_password_hash() -> str:
    return make_password(DEMO_PASSWORD)


def _at(day: str, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(datetime.fromisoformat(day).date(), time(hour, minute), tzinfo=PARIS)


class Command(BaseCommand):
    help = "Load demo venues, events, members and an organizer account (idempotent)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            venues = self._venues()
            organizer = self._member(*ORGANIZER, staff=True)
            members = [self._member(email, name) for email, name, _d, _n in MEMBERS]
            self._past_events(venues)
            upcoming = self._upcoming_event(venues)
            self._next_opening_event(venues)
        # RSVPs go through the seat service like everyone else's (outside the
        # block above: the service opens its own transaction, and mails on commit).
        # The demo attendees are fictitious: their confirmation emails are dropped.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            for member, (_e, _n, diet, notes) in zip(members, MEMBERS, strict=True):
                if not RSVP.objects.filter(event=upcoming, member=member).exists():
                    rsvp_create(event=upcoming, member=member, diet=diet, diet_notes=notes)
            crowd = [self._member(email, name) for email, name in CROWD]
            taken = set(RSVP.objects.filter(event=upcoming).values_list("member_id", flat=True))
            for index, person in enumerate(crowd):
                if person.pk not in taken:
                    diet = CROWD_DIETS[index % len(CROWD_DIETS)]
                    rsvp_create(event=upcoming, member=person, diet=diet)
        self._past_attendance(members + crowd)
        self._draw_events(venues, crowd)

        self._sponsors(upcoming, past=Event.objects.get(slug="api-hour-72"))
        # Talks, speakers and the wishlist come from the talks app's own command
        # (its fictitious speakers and organizers get no email either).
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            call_command("seed_demo_talks", stdout=self.stdout)

        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  Organizer (admin at /admin/): {organizer.email} / {DEMO_PASSWORD}")
        self.stdout.write(f"  Member: {members[0].email} / {DEMO_PASSWORD}")
        self.stdout.write(f"  Next event: {upcoming.title} — /events/{upcoming.slug}/")

    def _sponsors(self, upcoming: Event, past: Event) -> None:
        for name, tier, colour, provides in SPONSORS:
            sponsor = Sponsor.objects.filter(name=name).first()
            if sponsor is None:
                sponsor = Sponsor(
                    name=name,
                    slug=slugify(name),
                    tier=tier,
                    website_url=f"https://{slugify(name)}.example.com/",
                    description=f"{name} soutient les API Hours.",
                )
                logo = process_image(
                    ContentFile(_logo_png(name, colour), name=f"{slugify(name)}.png"),
                    sizes=LOGO_SIZES,
                    fit="contain",
                    keep_alpha=True,
                    max_bytes=settings.IMAGE_UPLOAD_MAX_BYTES,
                    max_pixels=settings.IMAGE_UPLOAD_MAX_PIXELS,
                )
                image_fields_save(instance=sponsor, images=logo)
            for event in (upcoming, past):
                Sponsorship.objects.get_or_create(
                    sponsor=sponsor,
                    event=event,
                    defaults={**provides, "thanks": f"Merci à {name} !"},
                )

    def _venues(self) -> dict[str, Venue]:
        venues = {}
        for data in VENUES:
            venue, _created = Venue.objects.get_or_create(name=data["name"], defaults=data)
            venues[venue.name] = venue
        return venues

    def _member(self, email: str, name: str, staff: bool = False) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=None,
                display_name=name,
                is_staff=staff,
                accepted_code_of_conduct_at=timezone.now(),
            )
            user.password = _demo_password_hash()  # hashed once: 60 accounts stay quick
            user.save(update_fields=["password"])
        if staff:  # an organizer is a member of the group, not a superuser
            user.groups.add(organizers_group_sync())
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def _past_attendance(self, people: list[User]) -> None:
        """RSVPs and check-ins of past evenings, written directly (registration is closed
        for past events): the show rate the catering estimate starts from."""
        for number, registered, present in PAST_ATTENDANCE:
            event = Event.objects.get(slug=f"api-hour-{number}")
            if RSVP.objects.filter(event=event).exists():
                continue
            arrival = event.starts_at - timedelta(minutes=10)
            RSVP.objects.bulk_create(
                RSVP(
                    event=event,
                    member=person,
                    status=RSVP.Status.CONFIRMED,
                    diet=CROWD_DIETS[index % len(CROWD_DIETS)],
                    created_at=event.starts_at - timedelta(days=20),
                    checked_in_at=arrival if index < present else None,
                )
                for index, person in enumerate(people[:registered])
            )

    def _past_events(self, venues: dict[str, Venue]) -> None:
        for number, day, venue_name, summary in PAST_EVENTS:
            Event.objects.get_or_create(
                slug=f"api-hour-{number}",
                defaults={
                    "number": number,
                    "title": f"API Hour #{number}",
                    "description": summary,
                    "starts_at": _at(day, 18, 30),
                    "ends_at": _at(day, 21, 0),
                    "venue": venues[venue_name],
                    "status": Event.Status.PUBLISHED,
                },
            )

    def _next_opening_event(self, venues: dict[str, Venue]) -> Event:
        """The one after: registrations open in two weeks (the countdown, "Prévenez-moi à
        l'ouverture"), 5 of its 50 seats held for first-timers."""
        day = (timezone.localdate() + timedelta(days=63)).isoformat()
        opens = (timezone.localdate() + timedelta(days=14)).isoformat()
        event, _created = Event.objects.get_or_create(
            slug="api-hour-76",
            defaults={
                "number": 76,
                "title": "API Hour #76",
                "description": "Les inscriptions ouvriront bientôt : revenez à l'heure dite.",
                "starts_at": _at(day, 18, 30),
                "ends_at": _at(day, 21, 0),
                "venue": venues["Le Bivouac"],
                "capacity": 50,
                "registration_opens_at": _at(opens, 12, 0),
                "held_seats": 5,
                "status": Event.Status.PUBLISHED,
            },
        )
        return event

    def _upcoming_event(self, venues: dict[str, Venue]) -> Event:
        day = (timezone.localdate() + timedelta(days=21)).isoformat()
        event, _created = Event.objects.get_or_create(
            slug="api-hour-73",
            defaults={
                "number": 73,
                "title": "API Hour #73",
                "description": (
                    "Trois talks, puis un buffet (végétarien, vegan et sans porc "
                    "disponibles) pour continuer la discussion.\n\n"
                    "Le direct sera diffusé pour celles et ceux qui n'ont pas de place."
                ),
                "starts_at": _at(day, 18, 30),
                "ends_at": _at(day, 21, 0),
                "venue": venues["Le Bivouac"],
                "capacity": 50,
                "registration_opens_at": timezone.now() - timedelta(days=1),
                "status": Event.Status.PUBLISHED,
                "livestream_url": "https://www.youtube.com/@clermontech/live",
            },
        )
        return event

    def _draw_events(self, venues: dict[str, Venue], crowd: list[User]) -> None:
        """Two evenings in draw mode (events/draw.py): #74 already drawn (its public page
        shows the result), #75 taking requests (Camille may ask for a seat)."""
        for number, days, drawn in [(74, 35, True), (75, 49, False)]:
            day = (timezone.localdate() + timedelta(days=days)).isoformat()
            event, created = Event.objects.get_or_create(
                slug=f"api-hour-{number}",
                defaults={
                    "number": number,
                    "title": f"API Hour #{number}",
                    "description": "Places tirées au sort : plus de chances aux nouveaux venus.",
                    "starts_at": _at(day, 18, 30),
                    "ends_at": _at(day, 21, 0),
                    "venue": venues["Le Bivouac"],
                    "capacity": 20,
                    "registration_opens_at": timezone.now() - timedelta(hours=2),
                    "allocation": Event.Allocation.DRAW,
                    "status": Event.Status.PUBLISHED,
                },
            )
            if not created:
                continue
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                for person in crowd[: 30 if drawn else 12]:
                    draw_request_create(event=event, member=person)
                if drawn:
                    Event.objects.filter(pk=event.pk).update(
                        draw_closes_at=timezone.now() - timedelta(minutes=1)
                    )
                    event.refresh_from_db()
                    draw_run(event=event)
