"""Abstracts and bios come out sanitized; videos are YouTube only, embedded without cookies."""

import pytest
from django.urls import reverse

from talks.admin import TalkAdminForm
from talks.forms import ProposalForm
from talks.models import Talk
from talks.video import parse_youtube
from tests.factories import SpeakerFactory, TalkFactory

HOSTILE = """Un talk **sérieux**.

<script>alert('abstract')</script>

<img src="x.png" onerror="alert('img')">

<a href="https://example.org" onclick="alert('click')">un lien</a>

[cliquez-moi](javascript:alert('md'))

<a href="javascript:alert('raw')">lien brut</a>

<iframe src="https://evil.example"></iframe>

<style>body { display: none }</style>

<div style="position:fixed" class="overlay">calque</div>

<svg onload="alert('svg')"></svg>
"""


@pytest.fixture
def hostile_page(client, event):
    speaker = SpeakerFactory(name="Ada", bio=HOSTILE)
    talk = TalkFactory(
        status=Talk.Status.CONFIRMED, event=event, abstract=HOSTILE, speakers=[speaker]
    )
    return client.get(talk.get_absolute_url()).content.decode()


def test_abstract_keeps_markdown_formatting(hostile_page):
    assert "Un talk <strong>sérieux</strong>." in hostile_page
    assert "un lien</a>" in hostile_page


@pytest.mark.parametrize(
    "dangerous",
    [
        "<script>alert(",
        "onerror",
        "onclick",
        "onload",
        "javascript:",
        '<iframe src="https://evil',
        "<style>body",
        'style="position',
        "<svg",
        "<img",
    ],
)
def test_abstract_and_bio_are_sanitized(hostile_page, dangerous):
    assert dangerous not in hostile_page


def test_abstract_links_get_safe_rel(hostile_page):
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">un lien</a>' in (
        hostile_page
    )


def test_proposal_preview_is_sanitized_too(member_client):
    data = {
        "title": "Un titre correct",
        "abstract": HOSTILE,
        "format": "short",
        "language": "fr",
        "level": "beginner",
        "preview": "1",
    }

    html = member_client.post(reverse("talks:propose"), data).content.decode()

    preview = html.split('class="markdown abstract-preview">')[1].split("</div>")[0]
    assert "<strong>sérieux</strong>" in preview
    for dangerous in ["<script", "onerror", "javascript:", "<iframe", "<style"]:
        assert dangerous not in preview


# YouTube --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "video_id", "start"),
    [
        ("https://www.youtube.com/watch?v=31HWI8y_2Dw&t=90s", "31HWI8y_2Dw", 90),
        ("https://www.youtube.com/watch?v=31HWI8y_2Dw&t=90", "31HWI8y_2Dw", 90),
        ("https://youtu.be/31HWI8y_2Dw?t=1m30s", "31HWI8y_2Dw", 90),
        ("https://youtu.be/31HWI8y_2Dw?t=1h2m3s", "31HWI8y_2Dw", 3723),
        ("https://www.youtube.com/embed/31HWI8y_2Dw?start=90", "31HWI8y_2Dw", 90),
        ("https://www.youtube-nocookie.com/embed/31HWI8y_2Dw", "31HWI8y_2Dw", 0),
        ("https://m.youtube.com/watch?feature=share&v=_FrPYYjkjN8", "_FrPYYjkjN8", 0),
        ("https://www.youtube.com/live/_FrPYYjkjN8?t=12", "_FrPYYjkjN8", 12),
        ("http://youtube.com/watch?v=_FrPYYjkjN8#t=45", "_FrPYYjkjN8", 45),
        ("https://youtu.be/_FrPYYjkjN8?t=oops", "_FrPYYjkjN8", 0),
    ],
)
def test_parse_youtube_reads_id_and_start(url, video_id, start):
    video = parse_youtube(url)

    assert (video.video_id, video.start) == (video_id, start)


@pytest.mark.parametrize(
    "url",
    [
        "https://vimeo.com/123456",
        "https://www.youtube.com/@clermontech",
        "https://www.youtube.com/watch?v=short",
        "https://youtube.com.evil.example/watch?v=31HWI8y_2Dw",
        "javascript:alert(1)",
        "",
    ],
)
def test_parse_youtube_rejects_other_addresses(url):
    assert parse_youtube(url) is None


def test_embed_url_uses_nocookie_and_start():
    video = parse_youtube("https://youtu.be/31HWI8y_2Dw?t=1m30s")

    assert video.embed_url == "https://www.youtube-nocookie.com/embed/31HWI8y_2Dw?start=90"
    assert video.watch_url == "https://www.youtube.com/watch?v=31HWI8y_2Dw&t=90s"


def test_talk_page_embeds_video_at_saved_time(client, event):
    talk = TalkFactory(
        status=Talk.Status.CONFIRMED,
        event=event,
        video_url="https://www.youtube.com/watch?v=31HWI8y_2Dw&t=90s",
        slides_url="https://speakerdeck.com/ada/rust",
    )

    html = client.get(talk.get_absolute_url()).content.decode()

    # No player on page load (nothing from YouTube before a click): the embed address
    # waits in the box for static/talks/video.js; the button is a link to the video.
    assert "<iframe" not in html and "ytimg" not in html
    assert 'data-video-embed="https://www.youtube-nocookie.com/embed/31HWI8y_2Dw?start=90"' in html
    assert 'href="https://www.youtube.com/watch?v=31HWI8y_2Dw&amp;t=90s"' in html
    assert 'href="https://speakerdeck.com/ada/rust"' in html


def _admin_form(talk, **changes):
    data = {
        "title": talk.title,
        "slug": talk.slug,
        "abstract": talk.abstract,
        "format": talk.format,
        "language": talk.language,
        "level": talk.level,
        "status": talk.status,
        "created_at": "2026-01-01 18:00",
        **changes,
    }
    return TalkAdminForm(data=data, instance=talk)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "https://vimeo.com/123456",
            "Seules les vidéos YouTube sont acceptées (une adresse youtube.com/watch?v=… "
            "ou youtu.be/…).",
        ),
        (
            "https://www.youtube.com/@clermontech",
            "Cette adresse YouTube ne désigne pas une vidéo. Copiez l'adresse de la vidéo "
            "elle-même, par exemple https://www.youtube.com/watch?v=… ou https://youtu.be/…",
        ),
    ],
)
def test_admin_refuses_non_youtube_video_with_message(url, message, db):
    talk = TalkFactory()

    form = _admin_form(talk, video_url=url)

    assert not form.is_valid()
    assert form.errors["video_url"] == [message]


def test_admin_accepts_youtube_video_and_keeps_address(db):
    talk = TalkFactory()

    form = _admin_form(talk, video_url="https://youtu.be/31HWI8y_2Dw?t=1m30s")

    assert form.is_valid(), form.errors
    assert form.cleaned_data["video_url"] == "https://youtu.be/31HWI8y_2Dw?t=1m30s"


def test_proposal_form_has_no_video_field(member):
    assert "video_url" not in ProposalForm(member=member).fields
