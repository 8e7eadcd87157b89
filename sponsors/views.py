from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.pagecache import anonymous_page

from .models import Sponsor


@anonymous_page
def sponsor_list(request: HttpRequest) -> HttpResponse:
    """The active sponsors, grouped by tier (partners first)."""
    return render(request, "sponsors/list.html", {"sponsors": Sponsor.objects.active()})
