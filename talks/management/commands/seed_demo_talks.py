"""Demo talks for a newcomer's machine: `python manage.py seed_demo_talks`.

Runs after `seed_demo` (it uses its events and members). Idempotent: talks are
looked up by slug, speakers by slug, topics by title; a second run changes nothing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from events.models import Event
from members.models import User
from talks.models import (
    Speaker,
    Talk,
    TalkSpeaker,
    TalkStatusChange,
    Topic,
    TopicVote,
    speaker_slug,
)
from talks.services import talk_submit

S = Talk.Status
TALKS = [
    {
        "event": "api-hour-1",
        "position": 1,
        "title": "Hello Clermont'ech",
        "speakers": ["Julien Maupetit"],
        "format": "short",
        "status": S.CONFIRMED,
        "video_url": "https://youtu.be/UKG8EaHwY5E",
        "abstract": "Pourquoi une communauté tech à Clermont-Ferrand, et comment elle marche.",
    },
    {
        "event": "api-hour-1",
        "position": 2,
        "title": "Ajax From Scratch",
        "speakers": ["Julien Muetton"],
        "format": "short",
        "status": S.CONFIRMED,
        "video_url": "https://youtu.be/mcsZTcnkrOA",
        "abstract": "Comprendre XMLHttpRequest en réécrivant un petit client **Ajax**.",
    },
    {
        "event": "api-hour-1",
        "position": 3,
        "title": "Intro aux licences libres",
        "speakers": ["Manuel Raynaud"],
        "format": "short",
        "status": S.CONFIRMED,
        "video_url": "https://youtu.be/G_Z3wrsPkq4",
        "abstract": "GPL, MIT, Apache… : ce que permettent (et imposent) les licences libres.",
    },
    {
        "event": "api-hour-2",
        "position": 1,
        "title": "Object Calisthenics",
        "speakers": ["William Durand"],
        "format": "short",
        "status": S.CONFIRMED,
        "video_url": "https://youtu.be/ODK2gnzQ7u8",
        "abstract": "Neuf règles d'écriture pour un code orienté objet plus lisible.",
    },
    {
        "event": "api-hour-2",
        "position": 2,
        "title": "Back From Devoxx France 2013",
        "speakers": ["Pierre Colomb", "Olivier Coupelon"],
        "format": "short",
        "status": S.CONFIRMED,
        "video_url": "https://youtu.be/_FrPYYjkjN8",
        "abstract": "Devoxx France : c'est quoi, pourquoi y aller, et nos coups de cœur 2013.",
    },
    {
        "event": "api-hour-60",
        "position": 1,
        "title": "Ficus UI",
        "speakers": ["Nicolas Torion"],
        "format": "long",
        "status": S.CONFIRMED,
        "video_url": "https://youtu.be/oMHWVsVjWwk",
        "abstract": "Une bibliothèque de composants React Native qui met l'accent sur la DX.",
    },
    {
        "event": "api-hour-60",
        "position": 2,
        "title": "Introduction à Zig Comptime",
        "speakers": ["Pierre Tachoire"],
        "format": "short",
        "status": S.CONFIRMED,
        "video_url": "https://www.youtube.com/watch?v=31HWI8y_2Dw&t=12s",
        "abstract": "Un tour d'horizon de [Zig](https://ziglang.org/) et de `comptime`.",
    },
    {
        "event": "api-hour-72",
        "position": 1,
        "title": "Python, But Faster: Meet uv",
        "speakers": ["Samuel Sirven"],
        "format": "short",
        "status": S.CONFIRMED,
        "video_url": "",
        "abstract": "Installer et lancer un projet Python en quelques secondes avec uv.",
    },
    {
        "event": "api-hour-73",
        "position": 1,
        "title": "Rust pour les gens pressés",
        "speakers": ["Léa Dubois"],
        "format": "short",
        "status": S.CONFIRMED,
        "video_url": "",
        "abstract": "Ownership, emprunts et durées de vie expliqués en quinze minutes.",
    },
    {
        "event": "api-hour-73",
        "position": 2,
        "title": "Ce que l'accessibilité m'a appris",
        "speakers": ["Yanis Benali"],
        "format": "long",
        "status": S.ACCEPTED,
        "video_url": "",
        "abstract": "Trois ans à rendre une application accessible : les erreurs et les outils.",
    },
    {
        "event": "api-hour-73",
        "position": 3,
        "title": "Postgres, ce héros discret",
        "speakers": ["Hugo Bernard"],
        "format": "short",
        "status": S.CONFIRMED,
        "video_url": "",
        "abstract": "Les fonctionnalités de PostgreSQL qui évitent un service de plus.",
    },
]
MENTORS = {"Julien Maupetit": "Structurer un talk, répéter, gérer le trac"}
TOPICS = [
    ("Les tests de mutation", 4),
    ("Débuter avec Kubernetes sans se noyer", 3),
    ("L'accessibilité des formulaires", 2),
    ("Écrire une bonne documentation", 1),
]


class Command(BaseCommand):
    help = "Load demo speakers, talks and wishlist topics (after seed_demo; idempotent)."

    def handle(self, *args, **options) -> None:
        events = {e.slug: e for e in Event.objects.filter(slug__in={t["event"] for t in TALKS})}
        if not events:
            self.stdout.write(
                self.style.WARNING("No demo events: run `manage.py seed_demo` first.")
            )
            return
        organizer = User.objects.organizers().order_by("pk").first()
        members = list(User.objects.filter(is_staff=False).order_by("pk")[:5])
        with transaction.atomic():
            for data in TALKS:
                if data["event"] in events:
                    self._talk({**data, "event": events[data["event"]]}, organizer)
            for name, topics in MENTORS.items():
                Speaker.objects.filter(name=name).update(is_mentor=True, mentor_topics=topics)
            for title, votes in TOPICS:
                topic, _created = Topic.objects.get_or_create(title=title)
                for member in members[:votes]:
                    TopicVote.objects.get_or_create(topic=topic, member=member)
        self._proposal(members)
        self.stdout.write(self.style.SUCCESS("Demo talks ready: /talks/, /speakers/, /wishlist/."))

    def _talk(self, data: dict, organizer: User | None) -> None:
        if Talk.objects.filter(title=data["title"]).exists():
            return
        names = data.pop("speakers")
        talk = Talk.objects.create(slug=Talk.unique_slug_for(data["title"]), **data)
        for position, name in enumerate(names):
            # Demo members who speak get their account linked, to try "My proposals".
            speaker, _created = Speaker.objects.get_or_create(
                slug=speaker_slug(name),
                defaults={"name": name, "user": User.objects.filter(display_name=name).first()},
            )
            TalkSpeaker.objects.create(talk=talk, speaker=speaker, position=position)
        TalkStatusChange.objects.create(
            talk=talk, to_status=talk.status, changed_by=organizer, note="données de démonstration"
        )

    def _proposal(self, members: list[User]) -> None:
        """A proposal under review, submitted like a member would (through the service)."""
        if not members or Talk.objects.filter(submitted_by=members[0]).exists():
            return
        talk_submit(
            member=members[0],
            title="Mon premier talk : Git sans peur",
            abstract="Les commandes Git qui font peur (rebase, reflog, bisect) expliquées "
            "avec des schémas, pour ne plus jamais perdre son travail.",
            format=Talk.Format.SHORT,
            language=Talk.Language.FRENCH,
            level=Talk.Level.BEGINNER,
            first_time=True,
            wants_mentor=True,
        )
