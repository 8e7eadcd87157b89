"""Shared fixtures: the three personas and a published event."""

import html

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core import pagecache
from tests.factories import EventFactory, OrganizerFactory, UserFactory
from tests.smtp import smtp_server  # noqa: F401  (a real SMTP server: see tests/smtp.py)


@pytest.fixture(autouse=True)
def _email_in_memory(settings):
    # Emails are read from django.core.mail.outbox; locmem is Django's test backend.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []


@pytest.fixture(autouse=True)
def _no_cached_pages_from_another_test():
    # This process's copies of cached pages and fragments (core/pagecache.py) would
    # outlive a test's database otherwise; most tests run with the cache off anyway.
    pagecache.local.clear()


@pytest.fixture(autouse=True)
def _static_files_from_finders(settings):
    # Tests run with DEBUG off and no collectstatic: whitenoise reads static/ directly.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness is for production; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    # LocaleMiddleware activates the request's language for the whole thread and never
    # resets it: without this, a test that browses in English would leave the next
    # tests (services called outside a request) in English.
    yield
    translation.deactivate()


@pytest.fixture
def organizer(db):
    """Staff: manages everything in the admin."""
    return OrganizerFactory(email="orga@example.org", display_name="Orga")


@pytest.fixture
def member(db):
    """A member with a verified email: the owner of whatever the test arranges."""
    return UserFactory(email="camille@example.org", display_name="Camille")


@pytest.fixture
def outsider(db):
    """Another member, who must not see or change the member's things."""
    return UserFactory(email="dominique@example.org", display_name="Dominique")


@pytest.fixture
def event(db):
    return EventFactory()


def text(response) -> str:
    """The page's HTML with entities decoded, to assert on what a person reads."""
    return html.unescape(response.content.decode())


def count_queries(client: Client, url: str) -> int:
    """Queries made by one GET, after a first GET that warms sessions and caches."""
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def member_client(member):
    return _client_for(member)


@pytest.fixture
def organizer_client(organizer):
    return _client_for(organizer)


@pytest.fixture
def outsider_client(outsider):
    return _client_for(outsider)
