"""Whole pages for anonymous visitors, from the shared cache.

On registration day everyone loads the event page at once, and most of them are not
logged in yet. `@anonymous_page` keeps the rendered page of an anonymous GET for
PAGE_CACHE_SECONDS (5 s in production: the seats-left number is never staler than that;
0, off, with DEBUG), keyed by the path, the query string and the language. Rules:

- Only anonymous visitors, only GET/HEAD, only a plain 200 that sets no cookie and
  carries no flash message; a visitor with a pending message gets a fresh page.
- No CSRF token is ever stored: each form's token is replaced by a placeholder in the
  entry, and every visitor gets a fresh token of their own when the page is served.
  Pages use no CSP nonce (no inline script), so none is stored either.
- Any change to the site's content (a save or delete of a model of the apps in
  PAGE_CACHE_APPS: an event, an RSVP, a talk, a speaker, a sponsor, a member's name...)
  changes the cache's version at once, which makes every entry obsolete; the lifetime is
  the bound for writes that bypass the ORM's signals (`QuerySet.update`).
- Logged-in members never see a cached page: their seat, their messages and their token
  are theirs.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

VERSION_KEY = "pages:version"
_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_PLACEHOLDER = b"\\1<csrf-token>\\2"
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary")


def invalidate() -> None:
    """Every cached page is obsolete from now on (and again at the commit, so that a
    page rendered during the transaction from the old rows does not outlive it)."""
    cache.set(VERSION_KEY, secrets.token_hex(8), None)
    transaction.on_commit(lambda: cache.set(VERSION_KEY, secrets.token_hex(8), None))


def content_changed(sender, **kwargs) -> None:
    """Receiver of post_save, post_delete and m2m_changed (connected in CoreConfig)."""
    if sender._meta.app_label in settings.PAGE_CACHE_APPS and not kwargs.get("raw"):
        invalidate()


def _has_pending_messages(request: HttpRequest) -> bool:
    if "messages" in request.COOKIES:
        return True
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return "_messages" in request.session
    return False


def _cacheable_request(request: HttpRequest) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and not _has_pending_messages(request)
    )


def _cacheable_response(request: HttpRequest, response: HttpResponse) -> bool:
    storage = getattr(request, "_messages", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and not (storage is not None and getattr(storage, "_queued_messages", None))
        and not request.user.is_authenticated
    )


def _key(request: HttpRequest) -> str:
    return f"pages:{translation.get_language()}:{request.get_full_path()}"


def anonymous_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        found = cache.get_many([VERSION_KEY, key])
        version, entry = found.get(VERSION_KEY), found.get(key)
        if entry is not None and version is not None and entry["version"] == version:
            return _serve(request, entry)
        response = view(request, *args, **kwargs)
        if _cacheable_response(request, response):
            if version is None:
                version = secrets.token_hex(8)
                cache.add(VERSION_KEY, version, None)
            entry = {
                "version": version,
                "content": _TOKEN.sub(_PLACEHOLDER, response.content),
                "headers": {h: response[h] for h in _KEPT_HEADERS if response.has_header(h)},
            }
            cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
        return response

    return wrapper


def _serve(request: HttpRequest, entry: dict) -> HttpResponse:
    content = entry["content"]
    if b"<csrf-token>" in content:
        # The visitor's own token (get_token also sets the CSRF cookie on the response).
        content = content.replace(b"<csrf-token>", get_token(request).encode())
    response = HttpResponse(content)
    for header, value in entry["headers"].items():
        response[header] = value
    return response
