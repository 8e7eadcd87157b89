import pytest

from tests.members.backends import RefusingEmailBackend


@pytest.fixture
def refusing_backend(settings):
    """Switch email to RefusingEmailBackend; add addresses to the returned set to refuse them."""
    settings.EMAIL_BACKEND = "tests.members.backends.RefusingEmailBackend"
    RefusingEmailBackend.refused = set()
    yield RefusingEmailBackend.refused
    RefusingEmailBackend.refused = set()
