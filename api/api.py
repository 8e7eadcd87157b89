"""The read-only public API, version 1 (/api/v1/): the archive as open data.

Everything here is already public on the site (see api/queries.py for the rules), the
same for everyone, logged in or not: the API never reads the visitor's account. So
each answer may be kept by any cache (Cache-Control: public) and read from any site
(Access-Control-Allow-Origin: *, no cookies). Every call counts against the "api"
rate limit of settings.ACCOUNT_RATE_LIMITS (core.ratelimits, per visitor address).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import wraps
from typing import Literal
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Schema
from ninja.decorators import decorate_view
from ninja.errors import ValidationError
from pydantic import Field

from core.links import absolute_url
from core.ratelimits import rate_limit_refusal
from events.models import FIRST_YEAR, LAST_YEAR, Event

from . import queries
from .schemas import (
    Error,
    EventOut,
    Page,
    SpeakerOut,
    SponsorOut,
    TalkOut,
)

PER_PAGE = 20
MAX_PAGE = 10_000  # far past the archive; refuses a page number no database can offset
# Shared caches and browsers may keep an answer this long (seconds): an edit in the admin
# shows within five minutes.
MAX_AGE = 300

api = NinjaAPI(
    title="Clermont'ech API Hours",
    version="1",
    description=(
        "Les API Hours de Clermont'ech en données ouvertes, en lecture seule : événements "
        "(lieu, date, programme, direct), talks (intervenant·es, vidéo, slides), profils "
        "publics des intervenant·es et sponsors. Rien d'autre que ce que le site montre "
        "déjà à tout le monde. Listes paginées (?page=N, 20 par page)."
    ),
    urls_namespace="api-v1",
    # The docs page (Swagger UI) comes from django-ninja's own static files ("ninja" in
    # INSTALLED_APPS): no CDN, no inline script, the site's strict CSP applies as is.
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def public_endpoint(run: Callable) -> Callable:
    """Rate limit, then the headers of a public, cacheable, cross-site answer."""

    @wraps(run)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        refusal = rate_limit_refusal(request, action="api", count_reads=True)
        if refusal:
            response = api.create_response(request, {"detail": refusal}, status=429)
            response["Retry-After"] = "60"
        else:
            response = run(request, *args, **kwargs)
            if response.status_code == 200:
                patch_cache_control(response, public=True, max_age=MAX_AGE)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapper


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A bad query parameter: a 400 that names it, in the visitor's language. Only the
    location and pydantic's message are echoed (the input may be any bytes)."""
    fields = sorted({str(e["loc"][-1]) for e in exc.errors if e.get("loc")})
    errors = [{"field": str(e["loc"][-1]), "message": e.get("msg", "")} for e in exc.errors]
    detail = _("Paramètre invalide : %(fields)s.") % {"fields": ", ".join(fields)}
    response = api.create_response(request, {"detail": detail, "errors": errors}, status=400)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    response = api.create_response(request, {"detail": _("Introuvable.")}, status=404)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _page(request: HttpRequest, queryset: QuerySet, number: int) -> tuple[dict, list]:
    """The envelope of page `number` and its items (count + one slice: two queries)."""
    count = queryset.count()
    pages = max(math.ceil(count / PER_PAGE), 1)
    items = list(queryset[(number - 1) * PER_PAGE : number * PER_PAGE])

    def link(n: int) -> str | None:
        if not 1 <= n <= pages:
            return None
        params = {**request.GET.dict(), "page": n}
        return absolute_url(request.path + "?" + urlencode(params))

    envelope = {
        "count": count,
        "page": number,
        "pages": pages,
        "next": link(number + 1),
        "previous": link(number - 1) if number <= pages else None,
    }
    return envelope, items


Year = Field(None, ge=FIRST_YEAR, le=LAST_YEAR, description="Année (par exemple 2024).")
PageNumber = Field(1, ge=1, le=MAX_PAGE, description="Numéro de page, à partir de 1.")


class EventFilters(Schema):
    page: int = PageNumber
    year: int | None = Year
    when: Literal["upcoming", "past"] | None = Field(
        None, description="upcoming : à venir (les prochaines d'abord) ; past : passés."
    )


class TalkFilters(Schema):
    page: int = PageNumber
    year: int | None = Year
    event: str | None = Field(None, max_length=200, description="Adresse (slug) d'un événement.")
    speaker: str | None = Field(
        None, max_length=120, description="Adresse (slug) d'un·e intervenant·e."
    )


class SpeakerFilters(Schema):
    page: int = PageNumber
    year: int | None = Field(
        None, ge=FIRST_YEAR, le=LAST_YEAR, description="Qui a parlé cette année-là."
    )
    event: str | None = Field(None, max_length=200, description="Qui a parlé à cet événement.")


class SponsorFilters(Schema):
    page: int = PageNumber
    event: str | None = Field(
        None, max_length=200, description="Qui a soutenu cet événement (anciens sponsors compris)."
    )


def _events_out(events: list[Event]) -> list[Event]:
    queries.attach_programmes(events)
    queries.attach_sponsors(events)
    return events


ERRORS = {400: Error, 404: Error, 429: Error}


@api.get("/events", response={200: Page[EventOut], **ERRORS}, tags=["événements"])
@decorate_view(public_endpoint)
def event_list(request: HttpRequest, filters: Query[EventFilters]):
    """Les événements publics (publiés ou annulés), les plus récents d'abord."""
    events = queries.api_events()
    if filters.year:
        events = events.filter(starts_at__year=filters.year)
    if filters.when == "upcoming":
        events = events.filter(ends_at__gte=timezone.now()).order_by("starts_at", "pk")
    elif filters.when == "past":
        events = events.filter(ends_at__lt=timezone.now()).order_by("-starts_at", "-pk")
    else:
        events = events.order_by("-starts_at", "-pk")
    envelope, items = _page(request, events, filters.page)
    return {**envelope, "results": _events_out(items)}


@api.get("/events/next", response={200: EventOut, **ERRORS}, tags=["événements"])
@decorate_view(public_endpoint)
def event_next(request: HttpRequest):
    """La prochaine API Hour publiée (404 quand aucune n'est annoncée)."""
    event = queries.api_events().published().upcoming().first()
    if event is None:
        raise Http404
    return _events_out([event])[0]


@api.get("/events/{slug}", response={200: EventOut, **ERRORS}, tags=["événements"])
@decorate_view(public_endpoint)
def event_detail(request: HttpRequest, slug: str):
    """Un événement, avec son programme et ses sponsors."""
    return _events_out([get_object_or_404(queries.api_events(), slug=slug)])[0]


@api.get("/talks", response={200: Page[TalkOut], **ERRORS}, tags=["talks"])
@decorate_view(public_endpoint)
def talk_list(request: HttpRequest, filters: Query[TalkFilters]):
    """Les talks publics (acceptés ou confirmés), les plus récents d'abord."""
    talks = queries.api_talks()
    if filters.year:
        talks = talks.filter(event__starts_at__year=filters.year)
    if filters.event:
        talks = talks.filter(event__slug=filters.event)
    if filters.speaker:
        speakers = queries.api_speakers().filter(slug=filters.speaker)
        talks = talks.filter(speakers__in=speakers.values("pk"))
    envelope, items = _page(request, talks.with_speakers().archive_order(), filters.page)
    queries.with_speaker_accounts(items)
    return {**envelope, "results": items}


@api.get("/talks/{slug}", response={200: TalkOut, **ERRORS}, tags=["talks"])
@decorate_view(public_endpoint)
def talk_detail(request: HttpRequest, slug: str):
    """Un talk public."""
    talk = get_object_or_404(queries.api_talks().with_speakers(), slug=slug)
    queries.with_speaker_accounts([talk])
    return talk


@api.get("/speakers", response={200: Page[SpeakerOut], **ERRORS}, tags=["intervenant·es"])
@decorate_view(public_endpoint)
def speaker_list(request: HttpRequest, filters: Query[SpeakerFilters]):
    """Les intervenant·es qui ont au moins un talk public, par nom."""
    speakers = queries.api_speakers()
    talks = queries.api_talks()
    if filters.year:
        talks = talks.filter(event__starts_at__year=filters.year)
    if filters.event:
        talks = talks.filter(event__slug=filters.event)
    if filters.year or filters.event:
        speakers = speakers.filter(talks__in=talks.values("pk")).distinct()
    envelope, items = _page(request, speakers.order_by("name", "pk"), filters.page)
    return {**envelope, "results": items}


@api.get("/speakers/{slug}", response={200: SpeakerOut, **ERRORS}, tags=["intervenant·es"])
@decorate_view(public_endpoint)
def speaker_detail(request: HttpRequest, slug: str):
    """Le profil public d'un·e intervenant·e (ses talks : /talks?speaker=<slug>)."""
    return get_object_or_404(queries.api_speakers(), slug=slug)


@api.get("/sponsors", response={200: Page[SponsorOut], **ERRORS}, tags=["sponsors"])
@decorate_view(public_endpoint)
def sponsor_list(request: HttpRequest, filters: Query[SponsorFilters]):
    """Les sponsors actifs, par niveau ; avec ?event=, ceux qui ont soutenu cet événement."""
    if filters.event:
        event = get_object_or_404(queries.api_events(), slug=filters.event)
        sponsors = queries.all_sponsors().filter(sponsorships__event=event)
    else:
        sponsors = queries.api_sponsors()
    envelope, items = _page(request, sponsors.order_by("tier", "name", "pk"), filters.page)
    return {**envelope, "results": items}
