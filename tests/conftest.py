"""Shared fixtures: the three personas and a published event."""

import pytest
from django.core import mail
from django.test import Client

from tests.factories import EventFactory, OrganizerFactory, UserFactory


@pytest.fixture(autouse=True)
def _email_in_memory(settings):
    # Emails are read from django.core.mail.outbox; locmem is Django's test backend.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


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
