"""Two app servers, one database, one Redis: a second server changes nothing but
capacity. Two gunicorn servers on two ports over the same PostgreSQL and Redis, the way
README "Running on several machines" deploys them; the worker sends the email.

PostgreSQL and Redis only (what several machines use). Without Redis on 127.0.0.1:6379
the test is skipped with a message, unless REQUIRE_REDIS=1 (CI), which fails instead.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REDIS = ("127.0.0.1", 6379)
CSRF = "a" * 32  # our own CSRF cookie; the form sends the same value
MEMBERS = 120  # for 50 seats, half of them on each server

SETUP = """
import json
from allauth.account.models import EmailAddress
from django.contrib.sessions.backends.cached_db import SessionStore
from django.utils import timezone
from datetime import timedelta
from events.models import Event, Venue
from members.models import User
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
venue = Venue.objects.create(name="Salle", address="9 rue Kessler")
start = timezone.now() + timedelta(days=10)
event = Event.objects.create(title="API Hour #99", slug="api-hour-99", number=99, venue=venue,
    starts_at=start, ends_at=start + timedelta(hours=2), capacity=50, status="published")
from django.contrib.auth.hashers import make_password
password = make_password("correct horse battery")  # hashed once: 120 accounts stay quick
sessions = []
for n in range(%(members)d):
    user = User.objects.create(email=f"m{n}@example.org", password=password,
                               display_name=f"Membre {n}")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    sessions.append(store.session_key)
print(json.dumps({"slug": event.slug, "sessions": sessions}))
"""

CHECK = """
import json
from events.models import RSVP
rows = list(RSVP.objects.filter(event__slug="api-hour-99").order_by("id")
            .values_list("member_id", "status"))
print(json.dumps(rows))
"""


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _url(name: str) -> str:
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


class Browser:
    """One visitor: a cookie jar (session, CSRF) and plain HTTP requests."""

    def __init__(self, session_key: str | None = None):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        self.cookies = {"csrftoken": CSRF}
        if session_key:
            self.cookies["sessionid"] = session_key

    def request(self, url: str, data: dict | None = None) -> tuple[int, str]:
        body = (
            urllib.parse.urlencode({**data, "csrfmiddlewaretoken": CSRF}).encode()
            if data is not None
            else None
        )
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers = {"Cookie": cookie, "Host": "127.0.0.1", "Referer": url}
        try:
            with self.opener.open(
                urllib.request.Request(url, data=body, headers=headers), timeout=30
            ) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def two_servers(smtp_server):
    if connection.vendor != "postgresql":
        pytest.skip("two app servers run over PostgreSQL (DATABASE_URL=postgres://...)")
    if not _redis_up():
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("REQUIRE_REDIS=1 but no Redis on 127.0.0.1:6379", pytrace=False)
        pytest.skip("no Redis on 127.0.0.1:6379: start one to run the two-server test")
    name = f"twoservers_{uuid.uuid4().hex[:10]}"
    admin = _url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    redis_db = 13
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "0",
        "SECRET_KEY": "two-servers-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": _url(name),
        "REDIS_URL": f"redis://{REDIS[0]}:{REDIS[1]}/{redis_db}",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
        "EMAIL_USE_TLS": "0",
        "STATIC_ROOT": str(ROOT / "staticfiles"),
    }
    subprocess.run(["redis-cli", "-n", str(redis_db), "FLUSHDB"], capture_output=True, check=False)
    servers = []
    try:
        _manage(env, "migrate", "--noinput")
        _manage(env, "collectstatic", "--noinput")
        setup = json.loads(
            _manage(env, "shell", "-c", SETUP % {"members": MEMBERS}).splitlines()[-1]
        )
        bases = []
        for _ in range(2):
            port = _free_port()
            servers.append(subprocess.Popen(
                [str(BIN / "gunicorn"), "clermontech.wsgi", "--bind", f"127.0.0.1:{port}",
                 "--workers", "3"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))  # fmt: skip
            bases.append(f"http://127.0.0.1:{port}")
        for base in bases:
            for _ in range(200):
                try:
                    Browser().request(base + "/")
                    break
                except OSError:
                    time.sleep(0.1)
        yield {"env": env, "bases": bases, **setup}
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _seats_left(page: str) -> int:
    return int(re.search(r"(\d+) places? restantes?", page).group(1))


def test_two_app_servers_share_logins_seats_limits_and_emails(two_servers, smtp_server):
    a, b = two_servers["bases"]
    slug, sessions = two_servers["slug"], two_servers["sessions"]
    event = f"/events/{slug}/"

    # A member logged in on one server is logged in on the other.
    first = Browser(sessions[0])
    status, page = first.request(b + "/members/me/")
    assert status == 200 and "Membre 0" in page

    # A seat taken on A shows at once on B to members (the seat counts live in Redis,
    # dropped at the commit), and to anonymous visitors within the staleness bound
    # (PAGE_CACHE_SECONDS, 5 s: their page is cached whole).
    other = Browser(sessions[MEMBERS - 1])
    before = _seats_left(other.request(b + event)[1])
    assert _seats_left(Browser().request(b + event)[1]) == before
    taken = time.monotonic()
    assert first.request(a + event + "rsvp/", {"diet": "none"})[0] == 302
    assert _seats_left(other.request(b + event)[1]) == before - 1
    while _seats_left(Browser().request(b + event)[1]) != before - 1:
        assert time.monotonic() - taken < 5.5, "an anonymous page older than 5 s"
        time.sleep(0.2)

    # The rush, split across both servers, every member clicking twice.
    def rush(n: int) -> list[int]:
        browser, base = Browser(sessions[n]), (a if n % 2 else b)
        browser.request(base + event)
        return [browser.request(base + event + "rsvp/", {"diet": "none"})[0] for _ in range(2)]

    with ThreadPoolExecutor(max_workers=24) as pool:
        answers = [code for codes in pool.map(rush, range(1, MEMBERS)) for code in codes]
    assert set(answers) == {302}, sorted(set(answers))
    rows = json.loads(_manage(two_servers["env"], "shell", "-c", CHECK).splitlines()[-1])
    members = [member for member, _status in rows]
    assert len(members) == len(set(members)) == MEMBERS  # nobody twice, nobody lost
    assert [status for _m, status in rows].count("confirmed") == 50
    assert [status for _m, status in rows][50:] == ["waitlisted"] * (MEMBERS - 50)

    # A rate limit counts across both servers (5 incident reports an hour per address).
    report = {"what_happened": "Des remarques déplacées à la pause."}
    codes = [Browser().request((a, b)[n % 2] + "/signalement/", report)[0] for n in range(6)]
    assert codes == [302] * 5 + [429]

    # The emails queued by both servers are sent by the workers, each exactly once, even
    # with two workers at once.
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--batch"],
            cwd=ROOT,
            env=two_servers["env"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(2)
    ]
    for worker in workers:
        assert worker.wait(timeout=180) == 0
    received = smtp_server.recipients()
    seated = {f"m{n}@example.org" for n in range(MEMBERS)}
    assert sorted(r for r in received if r in seated) == sorted(seated)
