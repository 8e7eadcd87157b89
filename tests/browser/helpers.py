"""Steps shared by the browser tests."""

from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from tests.factories import PASSWORD


def log_in(page, *, email: str, password: str = PASSWORD) -> None:
    """Log in through the site's real login form, as a person would."""
    page.goto("/accounts/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def log_in_with_cookie(page, user, live_server) -> None:
    """Open a session for ``user`` without the login form (for states the form
    cannot reach, such as a logged-in member whose email is not verified)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
