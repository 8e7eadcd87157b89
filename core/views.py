"""Pages of the whole site."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


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


@require_safe
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on every page that has no icon link (the
    admin's): the site's SVG icon (static/favicon.svg, under its hashed name in
    production), instead of a 404 in every log. A temporary redirect, since the
    hashed name changes with the icon."""
    return HttpResponseRedirect(static("favicon.svg"))
