from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.images import image_fields_save

from .forms import ProfileForm
from .models import User
from .profile_sections import profile_sections

# Profiles


def _visible_members(viewer) -> QuerySet[User]:
    """Whose page a visitor may open: public profiles; organizers see every member.

    A profile is public only when its member chose so, is active and is not banned.
    A member always sees their own page (to preview it).
    """
    if viewer.is_authenticated and viewer.is_organizer:
        return User.objects.all()
    public = User.objects.with_public_profile().values("pk")
    if viewer.is_authenticated:
        return User.objects.filter(Q(pk__in=public) | Q(pk=viewer.pk))
    return User.objects.filter(pk__in=public)


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
    context = {
        "member": member,
        "form": form,
        # The member's evenings and talks: sections the events and talks apps fill.
        "sections": profile_sections("own", member),
    }
    return render(request, "members/profile.html", context, status=status)


def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's public page; 404 unless public, one's own, or seen by an organizer."""
    member = get_member_or_404(request, pk)
    context = {
        "member": member,
        "is_public": member.has_public_profile,
        "sections": profile_sections("public", member),
    }
    return render(request, "members/public.html", context)
