"""Backups that restore: a backup of a database holding the demo data, restored into a
fresh database and a fresh media folder, by the commands the README gives."""

import json
import os
import subprocess
import sys
import uuid
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
COUNT = (
    "import json; from events.models import Event, RSVP; from talks.models import Talk, Speaker;"
    "from members.models import User; from sponsors.models import Sponsor;"
    "print(json.dumps({m.__name__: m.objects.count() for m in "
    "(Event, RSVP, Talk, Speaker, User, Sponsor)}))"
)

pytestmark = pytest.mark.django_db(transaction=True)


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _database_url(name: str | None = None) -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{name or db['NAME']}"
    user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{name or db['NAME']}"


@pytest.fixture
def fresh_database(tmp_path):
    """An empty database of the same kind, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield _database_url(str(tmp_path / "restored.sqlite3"))
        return
    name = f"restored_{uuid.uuid4().hex[:12]}"
    admin = _database_url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _database_url(name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_every_row_and_image_into_a_fresh_site(
    settings, tmp_path, fresh_database
):
    call_command("seed_demo", stdout=StringIO())
    media = Path(settings.MEDIA_ROOT)
    images = _files(media)
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "1",
        "BACKUP_DIR": str(tmp_path / "backups"),
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(media),
    }
    expected = json.loads(_manage("shell", "-c", COUNT, env=env).stdout.strip().splitlines()[-1])

    _manage("dbbackup", env=env)
    _manage("mediabackup", env=env)
    fresh = {**env, "DATABASE_URL": fresh_database, "MEDIA_ROOT": str(tmp_path / "restored-media")}
    _manage("dbrestore", "--noinput", env=fresh)
    _manage("mediarestore", "--noinput", env=fresh)

    restored = json.loads(_manage("shell", "-c", COUNT, env=fresh).stdout.strip().splitlines()[-1])
    assert restored == expected
    assert all(expected[name] > 0 for name in ("Event", "RSVP", "Talk", "User", "Sponsor"))
    assert images  # the demo's sponsor logos and speaker photos
    assert _files(tmp_path / "restored-media") == images
