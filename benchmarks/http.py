"""What a visitor gets: the site served by gunicorn with production settings, measured
against the framework's floor in the same run. `make bench` runs it after the in-process
benchmarks; `python -m benchmarks.http` runs it alone.

- Pages: wrk (Debian's package; `make bench-deps` installs it) with 16 connections for a
  few seconds on each page, through gunicorn's 5 sync workers, and on a trivial view
  served by the same server through the same middleware. Targets are ratios to that view,
  so a busy machine slows both sides alike.
- The rush: N members with sessions, released at the same instant by an asyncio barrier
  (httpx), each GETs the event page and POSTs the RSVP twice. Afterwards the database
  must hold exactly the seats, the rest on the waiting list, nobody twice, and no
  response may be an error. Its drain time is compared with the floor: the same members
  through the same server, each loading a trivial logged-in view and POSTing twice to a
  view that only locks the event and inserts the row (benchmarks/views.py).

Writes bench/results/<date>-<database>.json and prints a Markdown table, each figure
with its target and PASS/FAIL. Exits non-zero when a target is missed.

Environment: DATABASE_URL (PostgreSQL; a database named clermontech_bench is created
and dropped on that server) or nothing (SQLite, in .bench/); BENCH_SECONDS (wrk's
duration per page, 5 by default); BENCH_RUSH ("300,1000" by default).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 5
CONNECTIONS = 16
SEATS = 50
PAGE_TARGET = 0.5  # anonymous pages: at least half the trivial view's requests/s
LOGGED_IN_TARGET = 0.25  # logged-in pages: a quarter of a trivial view that loads the user
RUSH_TARGET = 1.5  # the rush drains within 1.5x the floor's time
SECRET = "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105


class BenchError(Exception):
    """The benchmark cannot run (the message says why)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> tuple[str, str]:
    """(the URL the site uses, a label). PostgreSQL gets a throw-away database of its own."""
    given = os.environ.get("DATABASE_URL", "")
    if given.startswith("postgres"):
        parts = urlsplit(given)
        return urlunsplit(parts._replace(path="/clermontech_bench")), "postgresql"
    folder = ROOT / ".bench"
    folder.mkdir(exist_ok=True)
    return f"sqlite:///{folder / 'http.sqlite3'}", "sqlite"


def _reset_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(urlsplit(url).path)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS clermontech_bench WITH (FORCE)")
        connection.execute("CREATE DATABASE clermontech_bench")


def _environment(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DEBUG": "0",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": url,
        "STATIC_ROOT": str(ROOT / ".bench" / "static"),
        "MEDIA_ROOT": str(ROOT / ".bench" / "media"),
        "SECURE_PROXY_SSL_HEADER": "1",
    }


# --- Data: what thirteen years of API Hours look like ---------------------------------


def load_data() -> dict:
    """70 past evenings (50 seats each, attendance tracked), 250 talks by 130 speakers,
    500 members, and the upcoming evening with 30 seats taken. Returns what the
    measures need (slugs, a member's session)."""
    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from events.models import RSVP, Event, Venue
    from members.models import User
    from talks.models import Speaker, Talk, TalkSpeaker

    members = User.objects.bulk_create(
        User(email=f"member{i}@bench.example", display_name=f"Membre {i}") for i in range(500)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in members
    )
    venues = Venue.objects.bulk_create(
        Venue(name=f"Lieu {i}", address=f"{i} rue du Bench\n63000 Clermont-Ferrand")
        for i in range(20)
    )
    speakers = Speaker.objects.bulk_create(
        Speaker(name=f"Intervenant·e {i}", slug=f"intervenant-{i}", bio="Développeuse.")
        for i in range(130)
    )
    now = timezone.now()
    talk_number = 0
    for number in range(1, 72):
        starts = now - timedelta(days=45 * (72 - number)) if number < 71 else now + timedelta(15)
        event = Event.objects.create(
            number=number,
            title=f"API Hour #{number}",
            slug=f"api-hour-{number}",
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            status=Event.Status.PUBLISHED,
            venue=venues[number % len(venues)],
            capacity=SEATS,
        )
        seats = 30 if number == 71 else SEATS
        RSVP.objects.bulk_create(
            RSVP(
                event=event,
                member=m,
                status=RSVP.Status.CONFIRMED,
                checked_in_at=None if number == 71 or i % 5 == 0 else starts,
            )
            for i, m in enumerate(members[(number * 7) % 400 :][:seats])
        )
        per_event = 4 if number % 2 else 3
        talks = Talk.objects.bulk_create(
            Talk(
                title=f"Talk {number}.{i} : des API et des volcans",
                slug=f"talk-{number}-{i}",
                abstract="Un résumé **en Markdown**, avec un [lien](https://example.org).",
                status=Talk.Status.CONFIRMED,
                event=event,
                position=i,
            )
            for i in range(per_event)
            if talk_number + i < 250 or number == 71
        )
        TalkSpeaker.objects.bulk_create(
            TalkSpeaker(talk=t, speaker=speakers[(talk_number + i) % 130], position=0)
            for i, t in enumerate(talks)
        )
        talk_number += len(talks)
    return {
        "event": "api-hour-71",
        "past_event": "api-hour-12",
        "talk": "talk-12-0",
        "speaker": "intervenant-12",
        "member_session": session_for(members[450]),
        "seat_session": session_for(members[460]),  # takes a seat (staleness)
    }


def session_for(user) -> str:
    """A logged-in session for `user`, written where the servers read it."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def rush_members(n: int, prefix: str) -> list[tuple[int, str]]:
    from allauth.account.models import EmailAddress

    from members.models import User

    users = User.objects.bulk_create(
        User(email=f"{prefix}{i}@bench.example", display_name=f"R {i}") for i in range(n)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
    )
    return [(u.pk, session_for(u)) for u in users]


def rush_event(number: int) -> str:
    from django.utils import timezone

    from events.models import Event

    starts = timezone.now() + timedelta(days=20)
    event = Event.objects.create(
        number=number,
        title=f"API Hour #{number}",
        slug=f"api-hour-{number}",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        status=Event.Status.PUBLISHED,
        capacity=SEATS,
    )
    return event.slug


def check_rush(slug: str, members: list[tuple[int, str]]) -> list[str]:
    """The invariants of a rush, read from the database: the seats, then the waiting
    list, everyone once."""
    from events.models import RSVP

    rsvps = list(RSVP.objects.filter(event__slug=slug).order_by("id"))
    problems = []
    confirmed = [r for r in rsvps if r.status == RSVP.Status.CONFIRMED]
    waiting = [r for r in rsvps if r.status == RSVP.Status.WAITLISTED]
    expected_seats = min(SEATS, len(members))
    if len(confirmed) != expected_seats:
        problems.append(f"{len(confirmed)} confirmed, expected {expected_seats}")
    if len(waiting) != len(members) - expected_seats:
        problems.append(f"{len(waiting)} waiting, expected {len(members) - expected_seats}")
    if len({r.member_id for r in rsvps}) != len(rsvps):
        problems.append("someone holds two RSVPs")
    if confirmed and waiting and max(r.id for r in confirmed) > min(r.id for r in waiting):
        problems.append("someone waiting arrived before someone seated")
    return problems


# --- The server ------------------------------------------------------------------------


class Server:
    def __init__(self, env: dict[str, str]):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        gunicorn = Path(sys.executable).parent / "gunicorn"
        self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn
            [str(gunicorn), "clermontech.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(WORKERS), "--backlog", "4096", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip

    def wait(self) -> None:
        import httpx

        for _ in range(200):
            try:
                httpx.get(self.base + "/bench/trivial/", headers=HEADERS, timeout=2)
                return
            except httpx.HTTPError as error:
                if self.process.poll() is not None:
                    stderr = self.process.stderr.read().decode()
                    raise BenchError(f"gunicorn stopped: {stderr}") from error
                time.sleep(0.1)
        raise BenchError("gunicorn did not answer within 20 s")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


HEADERS = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}


def wrk(url: str, seconds: int, cookie: str | None = None) -> tuple[float, int]:
    """(requests/s, non-2xx/3xx responses) from wrk."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    for name, value in {**HEADERS, **({"Cookie": cookie} if cookie else {})}.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(  # noqa: S603 - wrk with our own arguments
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not rate:
        raise BenchError(f"wrk printed no rate for {url}:\n{output}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return float(rate[1]), int(errors[1]) if errors else 0


# --- How stale the seats left can be ----------------------------------------------------

SEATS_LEFT = re.compile(r"(\d+) places? restantes?")
STALENESS_TARGET = 5.0  # seconds: PAGE_CACHE_SECONDS


def staleness(base: str, slug: str, session_key: str) -> dict:
    """A member takes a seat: seconds until their own page shows it, and until an
    anonymous visitor's (cached) page does."""
    import httpx

    page = f"/events/{slug}/"

    def seats_left(cookie: str | None = None) -> int:
        headers = {**HEADERS, **({"Cookie": cookie} if cookie else {})}
        answer = httpx.get(base + page, headers=headers)
        return int(SEATS_LEFT.search(answer.text)[1])

    before = seats_left()  # the anonymous page, cached by now
    member = f"sessionid={session_key}"
    form = httpx.get(base + page, headers={**HEADERS, "Cookie": member})
    cookie = f"{member}; csrftoken={form.cookies.get('csrftoken')}"
    answer = httpx.post(
        base + page + "rsvp/",
        headers={**HEADERS, "Cookie": cookie, "Origin": "https://127.0.0.1",
                 "Referer": f"https://127.0.0.1{page}"},
        data={"csrfmiddlewaretoken": TOKEN.search(form.text)[1], "diet": "none"},
    )  # fmt: skip
    taken = time.perf_counter()
    problems = [] if answer.status_code == 302 else [f"RSVP answered {answer.status_code}"]
    if seats_left(member) != before - 1:
        problems.append("the member's own page did not show their seat at once")
    while seats_left() != before - 1 and time.perf_counter() - taken < 30:
        time.sleep(0.05)
    stale = time.perf_counter() - taken
    return {"what": "seats left after a seat is taken: member at once, anonymous within",
            "value": stale, "unit": "s", "target": STALENESS_TARGET,
            "lower_is_better": True, "pass": stale <= STALENESS_TARGET and not problems,
            "problems": problems}  # fmt: skip


# --- The rush --------------------------------------------------------------------------

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


async def _rush(base: str, members, get_path: str, post_path: str) -> tuple[float, list[str]]:
    import httpx

    release = asyncio.Event()
    errors: list[str] = []
    limits = httpx.Limits(max_connections=len(members), max_keepalive_connections=len(members))
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=300) as client:

        async def member(session_key: str) -> None:
            cookies = f"sessionid={session_key}"
            headers = {**HEADERS, "Cookie": cookies}
            await release.wait()
            page = await client.get(get_path, headers=headers)
            if page.status_code != 200:
                errors.append(f"GET {page.status_code}")
                return
            csrf = page.cookies.get("csrftoken")
            token = TOKEN.search(page.text)
            if csrf:
                headers["Cookie"] = f"{cookies}; csrftoken={csrf}"
            headers["Origin"] = "https://127.0.0.1"
            headers["Referer"] = f"https://127.0.0.1{get_path}"
            data = {"diet": "none", "diet_notes": ""}
            if token:
                data["csrfmiddlewaretoken"] = token[1]
            elif csrf:
                headers["X-CSRFToken"] = csrf
            for _ in range(2):  # the double click
                answer = await client.post(post_path, headers=headers, data=data)
                if answer.status_code >= 400:
                    errors.append(f"POST {answer.status_code}")

        tasks = [asyncio.create_task(member(key)) for _pk, key in members]
        await asyncio.sleep(0.2)  # every task waits at the barrier
        started = time.perf_counter()
        release.set()
        await asyncio.gather(*tasks)
        return time.perf_counter() - started, errors


def rush(base: str, n: int, number: int, floor: bool) -> dict:
    slug = rush_event(number)
    members = rush_members(n, f"rush{number}-")
    if floor:
        paths = ("/bench/trivial-user/", f"/bench/floor/{slug}/")
    else:
        paths = (f"/events/{slug}/", f"/events/{slug}/rsvp/")
    seconds, errors = asyncio.run(_rush(base, members, *paths))
    problems = check_rush(slug, members)
    if errors:
        problems.append(f"{len(errors)} error responses (first: {errors[0]})")
    return {"members": n, "seconds": round(seconds, 3), "problems": problems}


# --- The run ---------------------------------------------------------------------------


def main() -> int:
    if not shutil.which("wrk"):
        print("wrk is missing: `make bench-deps` installs Debian's package.", file=sys.stderr)
        return 2
    url, label = _database_url()
    seconds = int(os.environ.get("BENCH_SECONDS", "5"))
    sizes = [int(n) for n in os.environ.get("BENCH_RUSH", "300,1000").split(",") if n]
    env = _environment(url)
    _reset_database(url)
    os.environ.update(env)
    import django

    django.setup()
    import logging

    from django.core.management import call_command

    logging.getLogger("httpx").setLevel(logging.WARNING)

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    data = load_data()
    from django.db import connection

    connection.close()

    server = Server(env)
    rows: list[dict] = []
    try:
        server.wait()
        base = server.base
        member = f"sessionid={data['member_session']}"
        floor, _ = wrk(base + "/bench/trivial/", seconds)
        floor_user, _ = wrk(base + "/bench/trivial-user/", seconds, member)
        static, _ = wrk(base + "/static/css/site.css", seconds)
        rows.append({"what": "trivial view", "value": floor, "unit": "req/s"})
        rows.append({"what": "trivial view loading the session user", "value": floor_user,
                     "unit": "req/s"})  # fmt: skip
        rows.append({"what": "static file (whitenoise)", "value": static, "unit": "req/s",
                     "ratio": static / floor})  # fmt: skip
        pages = [
            ("home, anonymous", "/", None, floor, PAGE_TARGET),
            ("event page (upcoming), anonymous", f"/events/{data['event']}/", None, floor,
             PAGE_TARGET),
            ("past event page, anonymous", f"/events/{data['past_event']}/", None, floor,
             PAGE_TARGET),
            ("talk archive /talks/", "/talks/", None, floor, PAGE_TARGET),
            ("talk page", f"/talks/{data['talk']}/", None, floor, PAGE_TARGET),
            ("speakers /speakers/", "/speakers/", None, floor, PAGE_TARGET),
            ("speaker page", f"/speakers/{data['speaker']}/", None, floor, PAGE_TARGET),
            ("home, logged in", "/", member, floor_user, LOGGED_IN_TARGET),
            ("event page, logged in", f"/events/{data['event']}/", member, floor_user,
             LOGGED_IN_TARGET),
        ]  # fmt: skip
        for what, path, cookie, reference, target in pages:
            rate, bad = wrk(base + path, seconds, cookie)
            row = {"what": what, "value": rate, "unit": "req/s", "ratio": rate / reference,
                   "target": target, "pass": rate / reference >= target and not bad}  # fmt: skip
            if bad:
                row["problems"] = [f"{bad} error responses"]
            rows.append(row)
        rows.append(staleness(base, data["event"], data["seat_session"]))
        for number, n in enumerate(sizes, start=9001):
            real = rush(base, n, number, floor=False)
            low = rush(base, n, number + 100, floor=True)
            ratio = real["seconds"] / low["seconds"]
            problems = real["problems"] + [f"floor: {p}" for p in low["problems"]]
            rows.append({"what": f"rush of {n} members (drain, floor {low['seconds']:.2f} s)",
                         "value": real["seconds"], "unit": "s", "ratio": ratio,
                         "target": RUSH_TARGET, "lower_is_better": True,
                         "pass": ratio <= RUSH_TARGET and not problems,
                         "problems": problems})  # fmt: skip
    finally:
        server.stop()
        connection.close()
    return report(rows, label, seconds)


def report(rows: list[dict], label: str, seconds: int) -> int:
    print(f"\n### `make bench` through gunicorn ({WORKERS} workers, DEBUG=0, {label}, "
          f"wrk {CONNECTIONS} connections x {seconds} s)\n")  # fmt: skip
    print("| measure | value | ratio | target | result |")
    print("|---|---|---|---|---|")
    for row in rows:
        value = f"{row['value']:,.1f} {row['unit']}"
        ratio = f"{row['ratio']:.2f}" if "ratio" in row else ""
        if "target" in row:
            sign = "≤" if row.get("lower_is_better") else "≥"
            target, result = f"{sign} {row['target']}", "PASS" if row["pass"] else "FAIL"
        else:
            target = result = ""
        problems = "; ".join(row.get("problems", []))
        print(f"| {row['what']} | {value} | {ratio} | {target} | {result} {problems} |".rstrip())
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    path = results / f"{date.today().isoformat()}-{label}.json"
    path.write_text(json.dumps({"database": label, "rows": rows}, indent=2, default=str))
    print(f"\nwritten to {path.relative_to(ROOT)}")
    return 1 if any("target" in r and not r["pass"] for r in rows) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as error:
        print(f"make bench: {error}", file=sys.stderr)
        sys.exit(2)
