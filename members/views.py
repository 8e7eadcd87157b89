from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.images import image_fields_save
from events.models import RSVP, Event

from .forms import ProfileForm
from .models import User

# Profiles


def _visible_members(viewer) -> QuerySet[User]:
    """Whose page a visitor may open: public profiles; organizers see every member.

    A profile is public only when its member chose so, is active and is not banned.
    A member always sees their own page (to preview it).
    """
    if viewer.is_authenticated and viewer.is_organizer:
        return User.objects.all()
    public = Q(profile_public=True, is_active=True, banned_at__isnull=True)
    if viewer.is_authenticated:
        return User.objects.filter(public | Q(pk=viewer.pk))
    return User.objects.filter(public)


def get_member_or_404(request: HttpRequest, pk: int) -> User:
    return get_object_or_404(_visible_members(request.user), pk=pk)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The member's own page: their profile form, RSVPs, past evenings and talks."""
    # A fresh copy: an invalid form must not leave its values on request.user.
    member = User.objects.get(pk=request.user.pk)
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=member)
        if form.is_valid():
            image_fields_save(
                instance=form.instance, images=form.images, update_fields=ProfileForm.Meta.fields
            )
            messages.success(request, _("Votre profil est enregistré."))
            return redirect("members:profile")
        messages.error(request, _("Votre profil n'a pas été enregistré : voir ci-dessous."))
        status = 400
        member = User.objects.get(pk=request.user.pk)  # show what is really stored
    else:
        form = ProfileForm(instance=member)
    rsvps = RSVP.objects.filter(member=member).select_related("event", "event__venue")
    context = {
        "member": member,
        "form": form,
        "upcoming_rsvps": rsvps.active()
        .filter(event__in=Event.objects.public().upcoming())
        .order_by("event__starts_at"),
        "past_rsvps": rsvps.confirmed()
        .filter(event__in=Event.objects.published().past())
        .order_by("-event__starts_at"),
    }
    return render(request, "members/profile.html", context, status=status)


def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's public page; 404 unless public, one's own, or seen by an organizer."""
    member = get_member_or_404(request, pk)
    is_public = member.profile_public and member.is_active and not member.is_banned
    return render(request, "members/public.html", {"member": member, "is_public": is_public})


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
