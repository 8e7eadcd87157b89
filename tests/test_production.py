"""The production path: collectstatic, then gunicorn serving clermontech.wsgi with
whitenoise, DEBUG off, behind a TLS proxy. Runs real processes on a free port."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, **headers) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers={"Host": "127.0.0.1", **headers})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def production_server(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "0",
        "SECRET_KEY": "a-long-random-production-secret-key-for-this-test-only-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "SECURE_PROXY_SSL_HEADER": "1",
    }
    bin_dir = Path(sys.executable).parent
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT, env=env, check=True, capture_output=True, timeout=180,
        )  # fmt: skip
    port = _free_port()
    server = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "clermontech.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "2"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                _get(base + "/")
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_gunicorn_serves_the_site_and_hashed_static_files(production_server):
    status, headers, page = _get(production_server + "/", **{"X-Forwarded-Proto": "https"})

    assert status == 200
    assert "Clermont'ech" in page
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    css = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page).group(1)
    status, headers, body = _get(production_server + css, **{"X-Forwarded-Proto": "https"})
    assert status == 200
    assert "--ct-lava" in body  # our stylesheet (site.css), not an empty 200
    assert "immutable" in headers["Cache-Control"]


def test_plain_http_is_redirected_to_https(production_server):
    status, headers, _ = _get(production_server + "/events/")

    assert status == 301
    assert headers["Location"] == "https://127.0.0.1/events/"
