"""The history page and the API's docs in a real browser, under the strict CSP."""

import pytest
from playwright.sync_api import expect

from talks.models import Talk
from tests.factories import EventFactory, TalkFactory

pytestmark = pytest.mark.browser


def test_api_docs_render_under_the_csp(page, console_errors, event):
    response = page.goto("/api/v1/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # Swagger UI ran (from our static files) and read the schema: one block per endpoint.
    expect(page.locator(".opblock")).to_have_count(8)
    page.locator(".opblock-summary", has_text="/api/v1/events/next").click()
    expect(page.get_by_text("La prochaine API Hour publiée")).to_be_visible()
    assert console_errors == []


def test_history_page_from_the_menu_on_a_phone(new_page, console_errors):
    past = EventFactory(past=True, title="API Hour #1", number=1, slug="api-hour-1")
    TalkFactory(title="Rust", status=Talk.Status.CONFIRMED, event=past)
    page = new_page(viewport={"width": 390, "height": 844})
    page.goto("/")
    page.get_by_role("button", name="Ouvrir le menu").click()
    link = page.get_by_role("link", name="Histoire", exact=True)
    expect(link).to_be_visible()  # the menu has opened
    link.click()
    page.wait_for_url("**/histoire/")
    expect(page.get_by_role("heading", name="Notre histoire", level=1)).to_be_visible()
    expect(
        page.get_by_role("img", name="Soirées par année. Les chiffres sont dans le tableau à côté.")
    ).to_be_visible()
    expect(page.get_by_role("table", name="Soirées par année")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
