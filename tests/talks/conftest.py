"""Talks fixtures: a member with a speaker profile, and a talk of theirs in any status."""

import pytest

from talks.models import Talk
from tests.factories import SpeakerFactory, TalkFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The personas' passwords are hashed at creation: PBKDF2 costs a second per user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _organizers_emails(settings):
    settings.ORGANIZERS_EMAILS = ["orgas@clermontech.test"]
    settings.SITE_URL = "https://clermontech.test"


@pytest.fixture
def member_speaker(member):
    return SpeakerFactory(name=member.display_name, user=member)


@pytest.fixture
def make_talk(member, member_speaker):
    """make_talk(status, **fields): a talk proposed by `member`, who is its speaker."""

    def make(status: str = Talk.Status.SUBMITTED, **fields) -> Talk:
        fields.setdefault("speakers", [member_speaker])
        return TalkFactory(status=status, submitted_by=member, **fields)

    return make


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the on_commit callbacks (the emails) of the block, as a real commit would."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
