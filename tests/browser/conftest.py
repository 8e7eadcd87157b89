"""End-to-end tests in a real Chromium, driven by Playwright.

The site runs in a thread of the test process (pytest-django's ``live_server``),
so emails it sends land in ``django.core.mail.outbox`` and rows written by the
tests are seen by the site. Debian's Chromium is used (``playwright install``
cannot download browsers here); without it the folder is skipped, unless
REQUIRE_BROWSER=1 (CI), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect, sync_playwright

# Playwright's sync API keeps an asyncio event loop in the main thread; Django
# would then refuse every ORM call of the test itself (SynchronousOnlyOperation).
# The ORM calls here are plain synchronous code, so the guard is lifted for as
# long as the browser runs (see _allow_orm_beside_playwright below).

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER", "") == "1"
# Without the background-networking flags Chromium calls home, and the closed
# network of the test machines refuses those connections.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
RESULTS_DIR = Path(settings.BASE_DIR) / "test-results"
# axe-core (the accessibility checker) comes from the npm registry at the first run, into
# a folder git ignores; it is never committed. Pinned to its major version.
AXE_PACKAGE = "axe-core@4"
AXE_PREFIX = Path(settings.BASE_DIR) / "node_modules_cache"
AXE_SCRIPT = AXE_PREFIX / "node_modules" / "axe-core" / "axe.min.js"


def _unavailable(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason} (set CHROMIUM_PATH, or `make browser-deps`)")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test item, so the page fixture knows
    # at teardown whether the test failed (and takes a screenshot).
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def _allow_orm_beside_playwright():
    """Lift Django's async guard while Playwright's loop lives, and only then."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(scope="package")
def browser(_allow_orm_beside_playwright):
    """One Chromium for the browser tests; each test gets its own context."""
    if not os.access(CHROMIUM_PATH, os.X_OK):
        _unavailable(f"no Chromium at {CHROMIUM_PATH}")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe.min.js, installed by npm into node_modules_cache/ when missing.

    Without npm (or without the registry) the accessibility tests are skipped, unless
    REQUIRE_BROWSER=1 (CI), which turns the skip into a failure."""
    if not AXE_SCRIPT.exists():
        npm = shutil.which("npm")
        if npm is None:
            _unavailable("npm is missing: it installs axe-core for the accessibility tests")
        command = [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix"]
        done = subprocess.run(  # noqa: S603 (a fixed command, no user input)
            [*command, str(AXE_PREFIX), AXE_PACKAGE],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0 or not AXE_SCRIPT.exists():
            _unavailable(f"`npm install {AXE_PACKAGE}` failed: {done.stderr.strip()[-500:]}")
    return AXE_SCRIPT


def _failed(request) -> bool:
    reports = (getattr(request.node, f"report_{when}", None) for when in ("setup", "call"))
    return any(report is not None and report.failed for report in reports)


def _screenshot(request, page, index: int) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    suffix = f"-{index + 1}" if index else ""
    page.screenshot(path=str(RESULTS_DIR / f"{name}{suffix}.png"), full_page=True)


@pytest.fixture
def new_page(browser, live_server, request):
    """Factory for pages in fresh browser contexts (own cookies), French first.

    ``new_page(java_script_enabled=False)`` gives a page without JavaScript.
    Every page gets a screenshot in test-results/ when the test fails.
    """
    contexts = []
    pages = []

    def make(**context_options):
        options = {
            "base_url": live_server.url,
            "locale": "fr-FR",
            "timezone_id": "Europe/Paris",
            "viewport": {"width": 1280, "height": 900},
            **context_options,
        }
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        return page

    yield make
    if _failed(request):
        for index, page in enumerate(pages):
            if not page.is_closed():
                _screenshot(request, page, index)
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A fresh page, with JavaScript, in its own browser context."""
    return new_page()


@pytest.fixture
def console_errors(page) -> list[str]:
    """Console errors and uncaught exceptions of ``page`` (CSP violations included)."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"uncaught: {exc}"))
    return errors
