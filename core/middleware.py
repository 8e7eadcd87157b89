"""Middleware shared by every page: a request id for the logs, private pages kept private."""

from __future__ import annotations

import contextvars
import logging
import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

# The id of the request being served, for log lines written anywhere below it.
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "current_request_id", default="-"
)


class RequestIdMiddleware:
    """Gives each request a short random id: in every log line (RequestIdLogFilter), in
    the X-Request-ID response header, and on the error page, so that a person who
    reports "I got an error" can quote it and the organizers find the traceback."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.id = secrets.token_hex(6)
        token = current_request_id.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request.id
        return response


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id` to every log record (the format in settings.LOGGING shows it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


def private_page(view: Callable) -> Callable:
    """Marks a page that shows one person's data without a login (a signed link):
    PrivatePagesMiddleware then keeps it out of every shared cache."""
    from functools import wraps

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        request.is_private_page = True
        return view(request, *args, **kwargs)

    return wrapper


class PrivatePagesMiddleware:
    """`Cache-Control: private, no-store` on every page served to a logged-in member and
    on pages marked with @private_page: a proxy or a shared computer's browser cache must
    never keep someone's ticket, data export or proposals. Pages that set their own
    Cache-Control (the public feeds) keep it; anonymous public pages stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        if getattr(request, "is_private_page", False) or (user and user.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
        return response


class RejectNulBytesMiddleware:
    """A NUL byte in the path, a query parameter or a form field is never legitimate
    input (forms refuse it, PostgreSQL cannot store it): answer a 400 page at once,
    before any view, filter or admin list hands it to the database."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _holds_nul(request):
            from django.shortcuts import render

            return render(request, "400.html", status=400)
        return self.get_response(request)


def _holds_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    sources = [request.GET]
    if request.method == "POST" and request.content_type in {
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    }:
        sources.append(request.POST)
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for source in sources
        for key, values in source.lists()
    )


class MethodNotAllowedPageMiddleware:
    """Django answers a GET to a button's address (POST only) with an empty 405: a blank
    browser page. Give it a page of the site that says what to do instead."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            from django.shortcuts import render

            page = render(request, "405.html", status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response
