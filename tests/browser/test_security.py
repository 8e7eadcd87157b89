"""The Content-Security-Policy is sent and the pages break none of it."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in

pytestmark = pytest.mark.browser

REQUIRED_DIRECTIVES = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
]


def _directives(response) -> list[str]:
    header = response.headers.get("content-security-policy")
    assert header is not None, "no Content-Security-Policy header"
    return [d.strip() for d in header.split(";")]


def test_home_and_event_pages_send_csp_and_log_no_console_error(
    page, console_errors, member, event
):
    response = page.goto("/")
    for directive in REQUIRED_DIRECTIVES:
        assert directive in _directives(response)
    expect(page.get_by_role("heading", name=event.title)).to_be_visible()

    response = page.goto(event.get_absolute_url())
    for directive in REQUIRED_DIRECTIVES:
        assert directive in _directives(response)

    # Logged in, the event page also runs site.js on the RSVP form.
    log_in(page, email=member.email)
    page.goto("/")
    page.goto(event.get_absolute_url())
    page.get_by_label("Autre (allergies, précisez)").check()
    expect(page.get_by_label("Précisions (allergies, autre régime)")).to_be_visible()

    assert console_errors == []


def test_console_listener_catches_a_csp_violation(page, console_errors, event):
    # Negative control for the test above: an inline script injected into the
    # page is refused by the policy, and the refusal is seen as a console error.
    page.goto(event.get_absolute_url())
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.inlineRan = true";
            document.head.appendChild(script);
        }"""
    )

    expect(page.locator("body")).to_be_visible()
    assert page.evaluate("() => window.inlineRan === undefined")
    assert len(console_errors) == 1
    assert "Content Security Policy" in console_errors[0]
