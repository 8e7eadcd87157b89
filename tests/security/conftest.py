"""Shared state for the security tests: a world built once per module, logged-in clients.

Building the world for each of the ~1,500 (URL, persona) cases would take minutes, so a
module-scoped fixture builds it inside a transaction of its own and rolls it back after
the module's last test. Each test still runs inside its own savepoint (pytest-django's
`db`), so whatever a request writes is gone before the next test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings

from .world import PERSONAS, World, build_world


@contextmanager
def module_transaction(django_db_blocker, tmp_path_factory) -> Iterator[None]:
    """Rows written inside stay for the whole module and are rolled back after it."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        # What tests/conftest.py's autouse fixtures set for each test, set once here
        # (they are overridden below: on ~2,000 tests their cost added up).
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            MEDIA_ROOT=media,
            WHITENOISE_USE_FINDERS=True,
            WHITENOISE_AUTOREFRESH=True,
        ),
        transaction.atomic(),
    ):
        try:
            yield
        finally:
            transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _email_in_memory():
    mail.outbox = []


@pytest.fixture(autouse=True)
def _static_files_from_finders():
    pass  # set once per module in module_transaction()


@pytest.fixture(autouse=True)
def _fast_password_hashing():
    pass  # set once per module in module_transaction()


@pytest.fixture(autouse=True)
def _media_in_tmp():
    pass  # set once per module in module_transaction()


def session_keys(users: dict) -> dict[str, str | None]:
    """A logged-in session per persona (None for anonymous), made once per module."""
    keys = {}
    for persona, user in users.items():
        if user is None:
            keys[persona] = None
            continue
        client = Client()
        client.force_login(user)
        keys[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return keys


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    with module_transaction(django_db_blocker, tmp_path_factory):
        built = build_world()
        built.sessions = session_keys(built.users)
        yield built


@pytest.fixture
def client_as(world, db) -> Callable[[str], Client]:
    """client_as("member"): a fresh Client logged in as that persona, whose 500s are
    answers to assert on rather than exceptions."""
    return lambda persona: persona_client(world.sessions, persona)


def persona_client(sessions: dict[str, str | None], persona: str) -> Client:
    assert persona in PERSONAS, persona
    client = Client(raise_request_exception=False)
    if sessions[persona]:
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[persona]
    return client
