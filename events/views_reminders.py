"""The one-click answers to "still coming?" (links in the reconfirmation email).

They work without logging in: the signed token says which RSVP and which answer.
GET shows one button (mail scanners open links, they must not give seats away);
POST does it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from core.middleware import private_page

from .reminders import (
    NO,
    YES,
    ReconfirmLinkError,
    reconfirm_token_make,
    reconfirm_token_read,
)
from .services import RSVPError, rsvp_cancel, rsvp_reconfirm


@private_page
def reconfirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = reconfirm_token_read(token)
        rsvp, answer = link.rsvp, link.answer
        if request.method == "POST":
            promoted = []
            if answer == YES:
                rsvp_reconfirm(rsvp=rsvp)
                done = "coming"
            else:
                # The same cancellation as from the event page: the waiting list moves
                # up and the next person is emailed.
                try:
                    promoted = rsvp_cancel(rsvp=rsvp)
                except RSVPError as error:
                    raise ReconfirmLinkError(str(error), 410, rsvp) from error
                done = "given_away"
            return render(
                request,
                "events/reconfirm.html",
                {
                    "rsvp": rsvp,
                    "event": rsvp.event,
                    "done": done,
                    "promoted": bool(promoted),
                },
            )
    except ReconfirmLinkError as error:
        return render(
            request,
            "events/reconfirm.html",
            {"error": str(error), "event": error.rsvp.event if error.rsvp else None},
            status=error.status,
        )
    # The other answer's link expires with this one: issued "now", opening it would give
    # a fresh link each time, and a link would never expire.
    other = reconfirm_token_make(rsvp, NO if answer == YES else YES, issued_at=link.issued_at)
    context = {
        "rsvp": rsvp,
        "event": rsvp.event,
        "answer": answer,
        "other_url": reverse("events:reconfirm", kwargs={"token": other}),
    }
    return render(request, "events/reconfirm.html", context)
