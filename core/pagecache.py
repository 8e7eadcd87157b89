"""Rendered pages and fragments, from the cache: what keeps the site fast on
registration day.

Two kinds of entries, both kept PAGE_CACHE_SECONDS (5 s in production; 0, off, with
DEBUG):

- Whole pages for anonymous visitors (`@anonymous_page`), keyed by the path, the query
  string and the language.
- Fragments of the pages members see (`{% shared_fragment %}`, core/templatetags/
  fragments.py): the parts that are the same for every member (an event's programme,
  its venue, its sponsors, the archive on the home page), keyed by their name, what they
  vary on, the language and the content version. The member's own parts (their seat,
  their buttons, their name, the forms and their CSRF tokens) are always rendered.

What stays true:

- Freshness. A change to the site's content (a save or delete of a model of the apps in
  PAGE_CACHE_APPS: an event, a talk, a speaker, a sponsor, a venue...) changes the
  content version in the shared cache at once: every server renders members' fragments
  afresh from then on, and no anonymous page rendered before it is served again from the
  shared cache. Counts that move with every registration (seats left, the waiting list,
  draw requests: the models in PAGE_CACHE_COUNTS_ONLY) do not change the version, or the
  cache would be off exactly during the rush; like everything an anonymous visitor sees,
  they are never older than PAGE_CACHE_SECONDS. The member who takes or gives back a
  seat sees it at once: their own box is never cached.
- Each server process keeps the entries it served in memory too (at most LOCAL_ENTRIES,
  never past their PAGE_CACHE_SECONDS), so that a page served again costs no round trip
  to the cache; a change made through this process drops them at once, one made on
  another server within PAGE_CACHE_SECONDS.
- Only anonymous GET/HEAD requests, only a plain 200 that sets no cookie and carries no
  flash message; a visitor with a pending message gets a fresh page. Logged-in members
  never get a whole cached page.
- No CSRF token is ever stored: each form's token is replaced by a placeholder in a
  page entry, and every visitor gets a fresh token of their own when the page is served;
  fragments hold no form. Pages use no CSP nonce (no inline script), so none is stored.
"""

from __future__ import annotations

import copy
import hashlib
import re
import secrets
import time
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

VERSION_KEY = "pages:version"
T = TypeVar("T")
LOCAL_ENTRIES = 512  # per server process
_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_PLACEHOLDER = b"\\1<csrf-token>\\2"
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary")


class LocalEntries:
    """This process's copies of shared entries: key -> (expiry, generation, value).
    An entry is served until its own expiry (when it was rendered plus
    PAGE_CACHE_SECONDS, wherever it was rendered), and never after a change made in
    this process (the generation)."""

    def __init__(self, size: int):
        self.size = size
        self.generation = 0
        self.entries: dict[str, tuple[float, int, object]] = {}

    def get(self, key: str):
        found = self.entries.get(key)
        if found is None:
            return None
        expires, generation, value = found
        if generation != self.generation or expires <= time.time():
            self.entries.pop(key, None)
            return None
        return value

    def put(self, key: str, value, expires: float, generation: int | None = None) -> None:
        """Keep `value` until `expires`. `generation`: the one read before `value` was
        computed, so that a change made meanwhile in this process voids it at once."""
        if len(self.entries) >= self.size:
            now = time.time()
            snapshot = list(self.entries.items())  # other threads may write meanwhile
            for old, (expiry, _generation, _value) in snapshot:
                if expiry <= now:
                    self.entries.pop(old, None)
            if len(self.entries) >= self.size:  # still full: the oldest half goes
                for old, _entry in snapshot[: self.size // 2]:
                    self.entries.pop(old, None)
        if generation is None:
            generation = self.generation
        self.entries[key] = (expires, generation, value)

    def clear(self) -> None:
        self.generation += 1
        self.entries.clear()


local = LocalEntries(LOCAL_ENTRIES)


def invalidate() -> None:
    """Every cached page and fragment is obsolete from now on (and again at the commit,
    so that one rendered during the transaction from the old rows does not outlive it)."""

    def bump() -> None:
        cache.set(VERSION_KEY, secrets.token_hex(8), None)
        local.clear()

    bump()
    transaction.on_commit(bump)


def content_changed(sender, **kwargs) -> None:
    """Receiver of post_save, post_delete and m2m_changed (connected in CoreConfig)."""
    meta = sender._meta
    if meta.app_label not in settings.PAGE_CACHE_APPS or kwargs.get("raw"):
        return
    if meta.label_lower in settings.PAGE_CACHE_COUNTS_ONLY:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields and set(update_fields) <= {"last_login"}:  # a login shows nowhere
        return
    invalidate()


def current_version(request: HttpRequest | None = None) -> str:
    """The content version, read once per request from the shared cache."""
    version = getattr(request, "_page_version", None)
    if version is None:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, secrets.token_hex(8), None)
            version = cache.get(VERSION_KEY)
        if request is not None:
            request._page_version = version
    return version


def fragment(key: str, render: Callable[[], str]) -> str:
    """A fragment of a page, from this process, else the shared cache, else `render`.
    `key` must name everything the fragment varies on, the content version included."""
    value = local.get(key)
    if value is not None:
        return value
    found = cache.get(key)
    if found is not None:
        rendered_at, value = found
        local.put(key, value, rendered_at + settings.PAGE_CACHE_SECONDS)
        return value
    generation = local.generation
    value = render()
    if "csrfmiddlewaretoken" in value:  # a form slipped in: never share a token
        return value
    now = time.time()
    cache.set(key, (now, value), settings.PAGE_CACHE_SECONDS)
    local.put(key, value, now + settings.PAGE_CACHE_SECONDS, generation)
    return value


def content_object(request: HttpRequest, name: str, load: Callable[[], T]) -> T:
    """A model instance (or a list of them) that only a content change alters (an
    event's row, without its counts), kept like a fragment under `name` and the content
    version, never longer than PAGE_CACHE_SECONDS; each caller gets its own copies. With
    PAGE_CACHE_SECONDS at 0, always `load()`."""
    if settings.PAGE_CACHE_SECONDS <= 0:
        return load()
    key = f"objects:{name}:{current_version(request)}"
    value = local.get(key)
    if value is None:
        generation = local.generation
        found = cache.get(key)
        if found is not None:
            loaded_at, value = found
        else:
            value, loaded_at = load(), time.time()
            cache.set(key, (loaded_at, value), settings.PAGE_CACHE_SECONDS)
        local.put(key, value, loaded_at + settings.PAGE_CACHE_SECONDS, generation)
    if isinstance(value, list):
        return [copy.copy(item) for item in value]
    return copy.copy(value)


def live_value(key: str, load: Callable[[], T]) -> T:
    """A value that moves with every registration (an event's seat counts), from the
    shared cache only, so that the writer's `forget_live_value` reaches every server at
    once; never older than PAGE_CACHE_SECONDS. With PAGE_CACHE_SECONDS at 0, `load()`."""
    if settings.PAGE_CACHE_SECONDS <= 0:
        return load()
    value = cache.get(key)
    if value is None:
        value = load()
        cache.set(key, value, settings.PAGE_CACHE_SECONDS)
    return value


def forget_live_value(key: str) -> None:
    """Drop a live value now, and again once the change commits: a reader between the
    two, who read the rows before the change was visible, cannot leave it stale."""
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


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


def page_key(path: str, language: str) -> str:
    """The cache key of an anonymous page: readable for a plain path, hashed for a long
    one (a query string of any length must not overflow the database cache's keys)."""
    if len(path) > 150:
        path = "#" + hashlib.sha256(path.encode()).hexdigest()
    return f"pages:{language}:{path}"


def _key(request: HttpRequest) -> str:
    return page_key(request.get_full_path(), translation.get_language())


def anonymous_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        entry = local.get(key)
        if entry is not None:
            return _serve(request, entry)
        generation = local.generation
        found = cache.get_many([VERSION_KEY, key])
        version, entry = found.get(VERSION_KEY), found.get(key)
        if entry is not None and version is not None and entry["version"] == version:
            local.put(key, entry, entry["rendered_at"] + settings.PAGE_CACHE_SECONDS, generation)
            return _serve(request, entry)
        response = view(request, *args, **kwargs)
        if _cacheable_response(request, response):
            if version is None:
                version = secrets.token_hex(8)
                cache.add(VERSION_KEY, version, None)
            now = time.time()
            entry = {
                "version": version,
                "rendered_at": now,
                "content": _TOKEN.sub(_PLACEHOLDER, response.content),
                "headers": {h: response[h] for h in _KEPT_HEADERS if response.has_header(h)},
            }
            cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
            local.put(key, entry, now + settings.PAGE_CACHE_SECONDS, generation)
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
