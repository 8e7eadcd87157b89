"""The opening of the registrations: "Prévenez-moi à l'ouverture" and its undo (issue 13).
The countdown itself is static/js/opening.js, on the event page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .opening import OpeningAlertError, opening_alert_cancel, opening_alert_subscribe
from .views import get_event_or_404


@require_POST
@login_required
def opening_alert(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_event_or_404(request, slug)
    try:
        opening_alert_subscribe(event=event, member=request.user, language=get_language())
    except OpeningAlertError as error:
        messages.error(request, str(error))
        return redirect(event)
    messages.success(
        request,
        _(
            "C'est noté : nous vous écrirons à l'ouverture des inscriptions, le %(when)s, "
            "à %(email)s."
        )
        % {"when": event.opening_words, "email": request.user.email},
    )
    return redirect(event)


@require_POST
@login_required
def opening_alert_cancel_view(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_event_or_404(request, slug)
    if opening_alert_cancel(event=event, member=request.user):
        messages.success(request, _("C'est annulé : vous ne recevrez pas d'e-mail à l'ouverture."))
    else:
        messages.info(request, _("Vous n'aviez pas demandé d'e-mail pour l'ouverture."))
    return redirect(event)
