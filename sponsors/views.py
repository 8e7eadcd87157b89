from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Sponsor


def sponsor_list(request: HttpRequest) -> HttpResponse:
    """The active sponsors, grouped by tier (partners first)."""
    return render(request, "sponsors/list.html", {"sponsors": Sponsor.objects.active()})
