"""Reference views for `make bench`: what the framework alone costs, through the same
server and the same middleware as the real pages."""

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from events.models import RSVP, Event


def trivial(request: HttpRequest) -> HttpResponse:
    """The floor of a page: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


def trivial_user(request: HttpRequest) -> HttpResponse:
    """The floor of a logged-in page: loads the session and its user, nothing else."""
    return HttpResponse(
        "member" if request.user.is_authenticated else "anonymous", content_type="text/plain"
    )


@csrf_exempt  # the floor: not even the CSRF check
def floor_rsvp(request: HttpRequest, slug: str) -> HttpResponse:
    """The floor of the rush: lock the event, count, insert the RSVP (or find it). What
    any correct seat allocation must do at least; no form, no message, no email."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    with transaction.atomic():
        event = Event.objects.select_for_update().get(slug=slug)
        if RSVP.objects.filter(event=event, member=request.user).active().exists():
            return HttpResponse("already", content_type="text/plain")
        confirmed = RSVP.objects.filter(event=event).confirmed().count()
        status = RSVP.Status.CONFIRMED if confirmed < event.capacity else RSVP.Status.WAITLISTED
        try:
            with transaction.atomic():
                RSVP.objects.create(event=event, member=request.user, status=status)
        except IntegrityError:
            return HttpResponse("already", content_type="text/plain")
    return HttpResponse(status, content_type="text/plain")
