"""The old site's addresses keep working: a permanent redirect to the page that replaced
them (talks/old_site.py), with or without ".html" and a trailing slash. The old domain
and its "www." point to this site (see the README), so these paths reach this view."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.utils.translation import gettext as _

from .old_site import new_address


def old_site_redirect(request: HttpRequest, path: str) -> HttpResponse:
    target = new_address(path)
    if target is None:
        raise Http404(_("Cette page de l'ancien site n'a pas d'équivalent ici."))
    return HttpResponsePermanentRedirect(target)
