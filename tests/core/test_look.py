"""The look's server side: social preview tags, the favicon, headings that keep "e-mail"
whole, the door's counters (the browser side is tests/browser/test_look.py)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.template import Context, Template
from django.test import Client

from tests.conftest import text
from tests.factories import EventFactory, SpeakerFactory, TalkFactory, VenueFactory, image_bytes

PARIS = ZoneInfo("Europe/Paris")
SITE = "http://testserver.example"


def meta(page: str) -> dict[str, str]:
    """The page's og:* and twitter:* tags, by name."""
    tags = re.findall(r'<meta (?:property|name)="((?:og|twitter):\w+)" content="([^"]*)">', page)
    return dict(tags)


def test_event_page_has_its_social_preview(client: Client, settings, db):
    settings.SITE_URL = SITE
    starts = datetime(2026, 12, 23, 18, 30, tzinfo=PARIS)
    event = EventFactory(
        number=73,
        starts_at=starts,
        venue=VenueFactory(name="Le Bivouac"),
        description="Trois talks, puis un **buffet** & des discussions.",
    )

    tags = meta(text(client.get(event.get_absolute_url())))

    assert tags == {
        "og:site_name": "Clermont'ech",
        "og:type": "website",
        "og:title": "API Hour #73",
        "og:url": f"{SITE}/events/api-hour-73/",
        "og:description": (
            "mercredi 23 décembre 2026, 18:30 · Le Bivouac — "
            "Trois talks, puis un buffet & des discussions."
        ),
        "twitter:description": (
            "mercredi 23 décembre 2026, 18:30 · Le Bivouac — "
            "Trois talks, puis un buffet & des discussions."
        ),
        "twitter:card": "summary",
        "twitter:title": "API Hour #73",
    }


def test_talk_page_preview_has_the_speakers_photo(client: Client, settings, db):
    settings.SITE_URL = SITE
    speaker = SpeakerFactory(name="Léa Dubois")
    speaker.photo.save("lea.png", ContentFile(image_bytes("PNG", (200, 200))))
    talk = TalkFactory(given=True, title="Rust pour les gens pressés", speakers=[speaker])
    talk.abstract = "Un mot " * 60
    talk.save()

    tags = meta(text(client.get(talk.get_absolute_url())))

    assert tags["og:type"] == "article"
    assert tags["og:title"] == "Rust pour les gens pressés"
    assert tags["og:url"] == f"{SITE}{talk.get_absolute_url()}"
    assert tags["og:image"] == f"{SITE}{speaker.photo.url}"
    assert tags["twitter:image"] == tags["og:image"]
    # The speakers first, then the abstract's first 40 words.
    assert tags["og:description"] == "Léa Dubois — " + " ".join(["Un mot"] * 20) + "…"


def test_speaker_page_preview_without_photo_has_no_image(client: Client, settings, db):
    settings.SITE_URL = SITE
    speaker = SpeakerFactory(name="Yanis Benali", bio="")
    TalkFactory(given=True, speakers=[speaker])

    tags = meta(text(client.get(speaker.get_absolute_url())))

    assert tags["og:type"] == "profile"
    assert tags["og:title"] == "Yanis Benali"
    assert tags["og:url"] == f"{SITE}/speakers/yanis-benali/"
    assert tags["og:description"] == "Intervenant·e aux API Hours de Clermont'ech"
    assert "og:image" not in tags


def test_favicon_ico_redirects_to_the_svg_icon(client: Client, db):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
    assert "max-age=86400" in response["Cache-Control"]


def test_keep_hyphenated_keeps_email_on_one_line():
    template = Template("{% load typography %}{{ value|keep_hyphenated }}")

    html = template.render(Context({"value": "Vérifiez votre adresse e-mail"}))

    assert html == 'Vérifiez votre adresse <span class="text-nowrap">e-mail</span>'


def test_keep_hyphenated_leaves_tags_and_escaping_alone():
    template = Template("{% load typography %}{{ value|keep_hyphenated }}")

    html = template.render(Context({"value": "<a-b>"}))

    assert html == '&lt;<span class="text-nowrap">a-b</span>&gt;'


def test_door_counters_are_a_valid_description_list(client: Client, organizer):
    event = EventFactory()
    client.force_login(organizer)

    page = client.get(f"/events/{event.slug}/checkin/").content.decode()

    counts = re.search(r'<dl class="door-counts[^"]*"[^>]*>(.*?)</dl>', page, re.S).group(1)
    groups = re.findall(
        r"<div class=\"door-count\"><dt>(.*?)</dt><dd[^>]*>(.*?)</dd></div>", counts
    )
    assert groups == [("pointés", "0"), ("confirmés", "0"), ("places restantes", "50")]
