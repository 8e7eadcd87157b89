"""Talks fixtures: a member with a speaker profile, and a talk of theirs in any status."""

from html.parser import HTMLParser

import pytest

from talks.models import Talk
from tests.factories import SpeakerFactory, TalkFactory


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


class _FormReader(HTMLParser):
    """Collects what a browser would submit from the first <form> with a given id."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, []
        self._select, self._textarea = None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in {"submit", "button", "file"}:
            if a.get("type") in {"checkbox", "radio"}:
                if "checked" in a:
                    self.data.append((name, a.get("value", "on")))
            else:
                self.data.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.append((self._select, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.data.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None


@pytest.fixture
def admin_form():
    """admin_form(client, url, form_id, **changes): the form's current values, changed."""

    def read(client, url: str, form_id: str, **changes) -> dict:
        response = client.get(url)
        assert response.status_code == 200
        reader = _FormReader(form_id)
        reader.feed(response.content.decode())
        data: dict = {}
        for name, value in reader.data:
            data.setdefault(name, []).append(value)
        data = {k: v if len(v) > 1 else v[0] for k, v in data.items()}
        data.update(changes)
        return data

    return read
