"""The look of the site, checked in Chromium over the demo data (what a newcomer sees first).

For each persona (logged out, a member, an organizer), every page it reaches is opened
once, then:

- axe-core (installed from npm by the ``axe_script`` fixture, never committed) runs on it
  at 1280 px (and at 390 px for the main pages): no serious or critical violation;
- it is resized to 1280, 1024, 992 and 390 px: the page is never wider than the window
  (``document.documentElement.scrollWidth <= innerWidth``);
- the main pages are saved as screenshots in tests/browser/screens/ (ignored by git, kept
  by CI as an artifact) for a person to look at.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from events.models import RSVP, Event
from events.services import rsvp_check_in
from members.models import Diet, User
from talks.models import Speaker, Talk
from tests.browser.helpers import log_in_with_cookie
from tests.factories import EventFactory, SpeakerFactory, TalkFactory

pytestmark = pytest.mark.browser

WIDTHS = (1280, 1024, 992, 390)
# axe runs on every page at 1280 px, and again at 390 px on the pages whose phone layout
# differs most (about half a second per run: the whole set would double the time).
PHONE_AXE_PAGES = {
    "home",
    "event",
    "talks",
    "talk",
    "speaker",
    "member-home",
    "member-event",
    "ticket",
    "door",
    "door-walk-in",
}
SCREENS_DIR = Path(settings.BASE_DIR) / "tests" / "browser" / "screens"
PHONE_HEIGHT = 844  # an iPhone 14's window: the "first screen" of a phone
DESKTOP_HEIGHT = 900

# axe's results, reduced to what a failure message needs.
AXE_RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ") + " :: " + n.failureSummary),
    }));
}"""


@pytest.fixture
def demo(transactional_db):
    """The demo data of `make run` (seed_demo), with a few more things to show."""
    call_command("seed_demo", stdout=StringIO())
    upcoming = Event.objects.published().upcoming().order_by("starts_at").first()
    past = Event.objects.public().past().order_by("-starts_at").first()
    talk = Talk.objects.public().exclude(video_url="").order_by("-id").first()
    speaker = talk.speakers.first()
    speaker.bio = "Développeur à Clermont-Ferrand, **passionné** de Python et de volcans."
    speaker.website_url = "https://example.org/"
    speaker.save()
    # Photos for a few speakers (the live server serves MEDIA_ROOT), as on the real site.
    others = Speaker.objects.exclude(pk=speaker.pk).order_by("id")[:3]
    for index, someone in enumerate([speaker, *others]):
        someone.photo.save(f"portrait-{index}.png", ContentFile(_portrait(index)))
    speaker.refresh_from_db()
    member = User.objects.get(email="camille@example.org")
    member.profile_public = True
    member.save()
    organizer = User.objects.get(email="orga@example.org")
    rsvp = RSVP.objects.get(event=upcoming, member=member)
    assert rsvp.is_confirmed
    # Checked in at the door: the ticket says so, the door shows a green row.
    assert rsvp_check_in(rsvp=rsvp)
    return {
        "upcoming": upcoming,
        "past": past,
        "talk": talk,
        "speaker": speaker,
        "member": member,
        "organizer": organizer,
    }


def _portrait(index: int) -> bytes:
    """A square PNG that looks like a portrait: a head and shoulders on a coloured wall."""
    walls = [(214, 122, 79), (92, 122, 112), (118, 98, 160), (200, 160, 70)]
    image = Image.new("RGB", (240, 240), walls[index % len(walls)])
    draw = ImageDraw.Draw(image)
    draw.ellipse((40, 150, 200, 320), fill=(45, 38, 40))  # shoulders
    draw.ellipse((80, 50, 160, 150), fill=(236, 196, 164))  # head
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _public_pages(demo) -> list[tuple[str, str]]:
    """(name, path) of every public page: the name is the screenshot's."""
    return [
        ("home", reverse("home")),
        ("events", reverse("events:list")),
        ("event", demo["upcoming"].get_absolute_url()),
        ("past-event", demo["past"].get_absolute_url()),
        ("talks", reverse("talks:list")),
        ("talks-filtered", reverse("talks:list") + "?q=zzz-nothing"),
        ("talk", demo["talk"].get_absolute_url()),
        ("speakers", reverse("talks:speakers")),
        ("speaker", demo["speaker"].get_absolute_url()),
        ("wishlist", reverse("talks:wishlist")),
        ("sponsors", reverse("sponsors:list")),
        ("code-of-conduct", reverse("code-of-conduct")),
        ("about", reverse("about")),
        ("report", reverse("community:report")),
        ("login", reverse("account_login")),
        ("signup", reverse("account_signup")),
        ("password-reset", reverse("account_reset_password")),
        ("verify-email", reverse("account_email_verification_sent")),
        ("not-found", "/this-page-does-not-exist/"),
    ]


def _member_pages(demo) -> list[tuple[str, str]]:
    upcoming = demo["upcoming"]
    return [
        ("member-home", reverse("home")),
        ("member-event", upcoming.get_absolute_url()),
        ("my-rsvps", reverse("events:mine")),
        ("ticket", reverse("events:ticket", args=[upcoming.slug])),
        ("profile", reverse("members:profile")),
        ("public-profile", reverse("members:detail", args=[demo["member"].pk])),
        ("my-talks", reverse("talks:mine")),
        ("propose", reverse("talks:propose")),
        ("speaker-profile", reverse("talks:speaker-profile")),
        ("member-talks", reverse("talks:list")),
        ("member-wishlist", reverse("talks:wishlist")),
        ("delete-account", reverse("community:delete")),
        ("emails", reverse("account_email")),
        ("password", reverse("account_change_password")),
    ]


def _organizer_pages(demo) -> list[tuple[str, str]]:
    upcoming = demo["upcoming"]
    return [
        ("door", reverse("events:checkin", args=[upcoming.slug])),
        ("door-search", reverse("events:checkin", args=[upcoming.slug]) + "?q=Camille"),
        # A member without a seat: the "add on the spot" suggestion.
        ("door-walk-in", reverse("events:checkin", args=[upcoming.slug]) + "?q=Organisation"),
        ("organizer-home", reverse("home")),
        ("organizer-event", upcoming.get_absolute_url()),
        ("organizer-talk", demo["talk"].get_absolute_url()),
        ("organizer-speaker", demo["speaker"].get_absolute_url()),
    ]


def _overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _axe(page, axe_script: Path) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script))
    return page.evaluate(AXE_RUN)


def _set_width(page, width: int) -> None:
    page.set_viewport_size(
        {"width": width, "height": PHONE_HEIGHT if width < 576 else DESKTOP_HEIGHT}
    )


def _screenshot(page, name: str, *, full_page: bool = True) -> None:
    SCREENS_DIR.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENS_DIR / f"{name}.png"), full_page=full_page)


def _walk(page, pages, axe_script, *, screens: dict[str, tuple[int, ...]]) -> list[str]:
    """Open each page once; run axe and measure every width. Returns the problems found."""
    problems = []
    for name, path in pages:
        _set_width(page, WIDTHS[0])
        response = page.goto(path)
        expected = 404 if name == "not-found" else 200
        if response.status != expected:
            problems.append(f"{name} {path}: HTTP {response.status}")
            continue
        for width in WIDTHS:
            _set_width(page, width)
            if (extra := _overflow(page)) > 0:
                problems.append(f"{name} {path} at {width} px: {extra} px wider than the window")
            if width == 1280 or (width == 390 and name in PHONE_AXE_PAGES):
                for violation in _axe(page, axe_script):
                    problems.append(
                        f"{name} {path} at {width} px: axe {violation['impact']} "
                        f"{violation['id']} ({violation['help']}): {violation['nodes']}"
                    )
            if width in screens.get(name, ()):
                suffix = "phone" if width < 576 else "desktop"
                _screenshot(page, f"{name}-{suffix}" if len(screens[name]) > 1 else name)
    return problems


def _look_page(new_page):
    # Axe is injected as a script tag: the site's Content-Security-Policy (no inline
    # script) would refuse it, so only these test pages bypass it.
    return new_page(bypass_csp=True)


def _nav_is_one_line(page) -> None:
    """At 1280 px the top menu is one row: no link wraps, nothing hides off-screen."""
    _set_width(page, 1280)
    page.goto("/")
    nav = page.locator(".site-nav .container")
    assert nav.bounding_box()["height"] < 64, "the top menu wraps on two lines at 1280 px"
    heights = page.eval_on_selector_all(
        ".site-nav .nav-link, .site-nav .btn", "els => els.map((e) => e.offsetHeight)"
    )
    assert max(heights) < 48, f"a menu item wraps on two lines: {heights}"
    assert _overflow(page) <= 0


def test_public_pages_pass_axe_and_fit_every_width(new_page, demo, axe_script):
    page = _look_page(new_page)
    screens = {
        "home": (1280, 390),
        "event": (1280,),
        "talks": (1280,),
        "talk": (1280,),
        "speaker": (1280,),
    }

    problems = _walk(page, _public_pages(demo), axe_script, screens=screens)

    assert not problems, "\n".join(problems)
    _nav_is_one_line(page)


def test_home_first_screen_on_a_phone_shows_the_next_evening(new_page):
    event = EventFactory(
        description="Trois talks, puis un buffet pour continuer la discussion. " * 8
    )
    page = _look_page(new_page)
    _set_width(page, 390)

    page.goto("/")

    hero = page.locator(".event-hero")
    for part in (
        hero.get_by_role("heading", name=event.title),
        hero.locator("time"),
        hero.get_by_text(event.venue.name),
        hero.get_by_test_id("seats-left"),
        hero.get_by_role("link", name="Se connecter pour s'inscrire"),
    ):
        expect(part).to_be_in_viewport(ratio=1)
    expect(hero.get_by_test_id("seats-left")).to_have_text("50 places restantes sur 50")
    _screenshot(page, "home-phone-first-screen", full_page=False)


def test_member_and_organizer_pages_pass_axe_and_fit_every_width(
    new_page, live_server, demo, axe_script
):
    # One test for both (the demo data is seeded once): first a member...
    page = _look_page(new_page)
    log_in_with_cookie(page, demo["member"], live_server)

    problems = _walk(
        page, _member_pages(demo), axe_script, screens={"ticket": (390,), "member-event": (1280,)}
    )

    assert not problems, "\n".join(problems)
    _nav_is_one_line(page)
    # The user menu opens without JavaScript's help (a <details>), inside the window.
    page.locator(".user-menu summary").click()
    expect(page.get_by_role("link", name="Mes inscriptions")).to_be_visible()
    assert _overflow(page) <= 0
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Mes inscriptions")).to_be_hidden()

    # ... then an organizer, at the door.
    page = _look_page(new_page)
    log_in_with_cookie(page, demo["organizer"], live_server)

    problems = _walk(page, _organizer_pages(demo), axe_script, screens={"door": (390,)})

    assert not problems, "\n".join(problems)
    _nav_is_one_line(page)
    # The admin's event list, at a laptop's width, for a person to look at.
    _set_width(page, 1280)
    page.goto(reverse("admin:events_event_changelist"))
    expect(page.locator("#result_list")).to_be_visible()
    _screenshot(page, "admin-events")


def test_member_picks_a_diet_chip_on_the_phone(new_page, live_server, member, event):
    # The diet radios look like chips (Bootstrap's btn-check): the label is the target.
    page = _look_page(new_page)
    log_in_with_cookie(page, member, live_server)
    _set_width(page, 390)
    page.goto(event.get_absolute_url())

    page.locator("label", has_text="Végétarien").first.click()
    page.get_by_role("button", name="Je m'inscris").click()

    expect(page.locator(".messages")).to_have_text("C'est noté : votre place est confirmée !")
    assert RSVP.objects.get(event=event, member=member).diet == Diet.VEGETARIAN
    assert _overflow(page) <= 0


def test_favicon_is_served_on_every_page_and_at_favicon_ico(page, event):
    page.goto(event.get_absolute_url())
    expect(page.locator("link[rel=icon]")).to_have_attribute(
        "href", re.compile(r"^/static/favicon(\.\w+)?\.svg$")
    )

    response = page.goto("/favicon.ico")

    assert response.status == 200
    assert response.url.endswith("/static/favicon.svg")
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in response.text()


def test_speaker_page_shows_the_speakers_record(page):
    speaker = SpeakerFactory(name="Léa Dubois", bio="Développeuse, **passionnée** de volcans.")
    for year in (2019, 2024):
        TalkFactory(
            given=True,
            speakers=[speaker],
            event__starts_at=datetime(year, 5, 23, 18, 30, tzinfo=UTC),
        )

    page.goto(speaker.get_absolute_url())

    expect(page.get_by_test_id("speaker-stats")).to_have_text(
        re.compile(r"^\s*2\s*talks aux API Hours\s*2019\s*premier talk\s*$")
    )
    expect(page.locator(".speaker-hero strong", has_text="passionnée")).to_be_visible()
