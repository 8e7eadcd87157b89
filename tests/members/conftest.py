import pytest

from tests.members.backends import RefusingEmailBackend


@pytest.fixture
def refusing_backend(settings):
    """Switch email to RefusingEmailBackend; add addresses to the returned set to refuse them."""
    settings.EMAIL_BACKEND = "tests.members.backends.RefusingEmailBackend"
    RefusingEmailBackend.refused = set()
    yield RefusingEmailBackend.refused
    RefusingEmailBackend.refused = set()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Factories hash a password for every user; PBKDF2 costs ~0.5 s each. The
    # deletion tests still check real passwords, only faster.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
