"""Start-up configuration, checked in a fresh process as production would start it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_secret_key_refuses_to_start():
    result = _manage("check", DEBUG="0", ALLOWED_HOSTS="apihour.example.org")

    assert result.returncode != 0
    assert "SECRET_KEY is not set. With DEBUG=0 a secret key is mandatory" in result.stderr


def test_without_debug_set_the_site_runs_as_in_production():
    """Fail closed: no DEBUG in the environment means production settings, so a forgotten
    variable can never serve debug pages with the development secret key."""
    refused = _manage("check")
    code = "from django.conf import settings; print(settings.DEBUG, settings.SECURE_SSL_REDIRECT)"
    started = _manage("shell", "-c", code, SECRET_KEY="x" * 60, ALLOWED_HOSTS="apihour.example.org")

    assert refused.returncode != 0
    assert "SECRET_KEY is not set" in refused.stderr
    assert started.stdout.strip().endswith("False True"), started.stderr


def test_production_without_allowed_hosts_refuses_to_start():
    result = _manage("check", DEBUG="0", SECRET_KEY="x" * 60, ALLOWED_HOSTS="")

    assert result.returncode != 0
    assert "ALLOWED_HOSTS is empty" in result.stderr


def test_bad_boolean_is_a_clear_error():
    result = _manage("check", DEBUG="maybe")

    assert result.returncode != 0
    assert "DEBUG='maybe': expected one of 1/0, true/false" in result.stderr


def test_check_deploy_is_clean_with_production_values():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY="a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
        ALLOWED_HOSTS="apihour.example.org",
        SECURE_PROXY_SSL_HEADER="1",
        TRUSTED_PROXY_COUNT="1",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_queues_tasks_in_the_database_for_the_worker():
    code = "from django.conf import settings; print(settings.TASKS['default']['BACKEND'])"
    production = _manage(
        "shell", "-c", code, DEBUG="0", SECRET_KEY="x" * 60, ALLOWED_HOSTS="apihour.example.org"
    )
    development = _manage("shell", "-c", code, DEBUG="1")

    assert production.stdout.strip().endswith("django_tasks_db.DatabaseBackend"), production.stderr
    assert development.stdout.strip().endswith("ImmediateBackend"), development.stderr


@pytest.mark.django_db
def test_sqlite_opens_immediate_transactions_in_wal_mode(settings):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite-specific settings")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.transaction_mode == "IMMEDIATE"


def test_a_bad_old_site_url_stops_start_up():
    result = _manage("check", DEBUG="1", OLD_SITE_URL="clermontech.org/blog")

    assert result.returncode != 0
    assert "OLD_SITE_URL='clermontech.org/blog': expected an http(s) address without a path" in (
        result.stderr
    )


def test_site_url_follows_the_port_in_development_unless_set():
    code = "from django.conf import settings; print(settings.SITE_URL)"

    on_8102 = _manage("shell", "-c", code, DEBUG="1", PORT="8102", SITE_URL="")
    set_explicitly = _manage(
        "shell", "-c", code, DEBUG="1", PORT="8102", SITE_URL="https://apihour.example.org/"
    )

    assert on_8102.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8102", on_8102.stderr
    assert set_explicitly.stdout.strip().splitlines()[-1] == "https://apihour.example.org"
