"""The shapes of the public API (django-ninja schemas): what each object shows, no more.

Every field is read from the models through the public querysets of api/queries.py;
nothing here decides what is public.
"""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar

from ninja import Schema
from pydantic import Field

from core.links import absolute_url

from .queries import listed_speakers, member_url

T = TypeVar("T")


class Page(Schema, Generic[T]):
    """One page of a list: `count` items in all, `page` of `pages`, then the items."""

    count: int
    page: int
    pages: int
    next: str | None = Field(None, description="Adresse de la page suivante, ou null.")
    previous: str | None = Field(None, description="Adresse de la page précédente, ou null.")
    results: list[T]


class Error(Schema):
    detail: str
    errors: list[dict] = []


class SpeakerRef(Schema):
    slug: str
    name: str
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return absolute_url(obj.get_absolute_url())


class EventRef(Schema):
    slug: str
    number: int | None
    title: str
    starts_at: datetime
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return absolute_url(obj.get_absolute_url())


class SponsorRef(Schema):
    slug: str
    name: str
    website_url: str


class _TalkFields(Schema):
    slug: str
    title: str
    format: str
    language: str
    level: str = Field(description="Vide quand il n'est pas précisé (archives).")
    duration_minutes: int
    position: int | None
    video_url: str
    slides_url: str
    url: str
    speakers: list[SpeakerRef]

    @staticmethod
    def resolve_url(obj) -> str:
        return absolute_url(obj.get_absolute_url())

    @staticmethod
    def resolve_speakers(obj) -> list:
        return listed_speakers(obj)


class ProgrammeTalk(_TalkFields):
    """A talk in its event's programme (the event is the one around it)."""


class TalkOut(_TalkFields):
    abstract: str = Field(description="En Markdown.")
    event: EventRef | None


class VenueOut(Schema):
    name: str
    address: str
    latitude: float | None
    longitude: float | None
    map_url: str
    accessibility_notes: str


class EventOut(Schema):
    slug: str
    number: int | None
    title: str
    status: str = Field(description="published ou cancelled (annulé).")
    starts_at: datetime
    ends_at: datetime
    description: str = Field(description="En Markdown.")
    venue: VenueOut | None
    room: str
    capacity: int | None = Field(description="Nombre de places ; null : sans limite.")
    livestream_url: str
    photos_url: str
    url: str
    ics_url: str
    programme: list[ProgrammeTalk]
    sponsors: list[SponsorRef]

    @staticmethod
    def resolve_url(obj) -> str:
        return absolute_url(obj.get_absolute_url())

    @staticmethod
    def resolve_ics_url(obj) -> str:
        from django.urls import reverse

        return absolute_url(reverse("events:ics", kwargs={"slug": obj.slug}))

    @staticmethod
    def resolve_programme(obj) -> list:
        return obj.api_programme

    @staticmethod
    def resolve_sponsors(obj) -> list:
        return obj.api_sponsors


class SpeakerOut(Schema):
    slug: str
    name: str
    bio: str = Field(description="En Markdown.")
    photo_url: str | None
    links: dict[str, str] = Field(description="Site web, Mastodon, GitHub… quand renseignés.")
    member_url: str | None = Field(
        description="La page de membre, seulement si le membre l'a rendue publique."
    )
    public_talk_count: int
    url: str

    @staticmethod
    def resolve_photo_url(obj) -> str | None:
        return absolute_url(obj.photo.url) if obj.photo else None

    @staticmethod
    def resolve_links(obj) -> dict[str, str]:
        fields = ["website", "mastodon", "bluesky", "github", "gitlab", "linkedin", "twitter"]
        return {f: getattr(obj, f"{f}_url") for f in fields if getattr(obj, f"{f}_url")}

    @staticmethod
    def resolve_member_url(obj) -> str | None:
        url = member_url(obj)
        return absolute_url(url) if url else None

    @staticmethod
    def resolve_url(obj) -> str:
        return absolute_url(obj.get_absolute_url())


class SponsorOut(Schema):
    slug: str
    name: str
    tier: str = Field(description="partner, gold, silver ou bronze.")
    website_url: str
    description: str
    logo_url: str | None

    @staticmethod
    def resolve_tier(obj) -> str:
        return obj.Tier(obj.tier).name.lower()

    @staticmethod
    def resolve_logo_url(obj) -> str | None:
        return absolute_url(obj.logo.url) if obj.logo else None
