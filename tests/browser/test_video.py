"""The talk's video: no request to YouTube before the visitor clicks play; then the
youtube-nocookie player, allowed by the Content-Security-Policy. Without JavaScript,
the button is a link to the video on YouTube."""

import pytest
from playwright.sync_api import expect

from talks.models import Talk
from tests.factories import TalkFactory

pytestmark = pytest.mark.browser

WATCH = "https://www.youtube.com/watch?v=31HWI8y_2Dw&t=90s"


@pytest.fixture
def talk_with_video(event):
    return TalkFactory(status=Talk.Status.CONFIRMED, event=event, video_url=WATCH)


def _youtube(url: str) -> bool:
    return any(host in url for host in ("youtube", "ytimg", "googlevideo", "ggpht"))


def test_no_request_to_youtube_before_the_click_then_the_player(
    page, talk_with_video, console_errors
):
    requests: list[str] = []
    # The network is closed here: answer YouTube's requests ourselves, and count them.
    page.route(lambda url: _youtube(url), lambda route: route.fulfill(body="<p>player</p>"))
    page.on("request", lambda request: requests.append(request.url))

    page.goto(talk_with_video.get_absolute_url())
    page.wait_for_load_state("networkidle")

    assert [url for url in requests if _youtube(url)] == []
    assert page.locator("iframe").count() == 0
    play = page.get_by_role("link", name=f"Lire la vidéo : {talk_with_video.title}")
    expect(play).to_be_visible()

    play.click()

    frame = page.locator(".talk-video iframe")
    expect(frame).to_have_attribute(
        "src", "https://www.youtube-nocookie.com/embed/31HWI8y_2Dw?start=90&autoplay=1"
    )
    expect(frame).to_have_attribute("title", f"Vidéo : {talk_with_video.title}")
    page.wait_for_load_state("networkidle")
    assert any("youtube-nocookie.com/embed/" in url for url in requests)
    assert page.url.endswith(talk_with_video.get_absolute_url())  # stayed on the page
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors


def test_without_javascript_the_button_is_a_link_to_youtube(new_page, talk_with_video):
    page = new_page(java_script_enabled=False)
    page.route(lambda url: _youtube(url), lambda route: route.fulfill(body="<p>YouTube</p>"))

    page.goto(talk_with_video.get_absolute_url())

    play = page.get_by_role("link", name=f"Lire la vidéo : {talk_with_video.title}")
    expect(play).to_have_attribute("href", WATCH)
