"""Pages of the whole site."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page (handler500): the request's reference, and "the team was notified"
    only when someone is (ADMINS set: Django mails them the traceback). Rendered
    without context processors, which may be what failed."""
    from django.conf import settings
    from django.template import loader

    context = {
        "request_id": getattr(request, "id", ""),
        "notified": bool(settings.ADMINS),
    }
    return HttpResponse(loader.get_template("500.html").render(context), status=500)
