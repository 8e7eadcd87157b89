"""Community pages: data export, account deletion, unsubscribe, incident report, About."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core.middleware import private_page
from core.pagecache import anonymous_page
from core.ratelimits import rate_limit_refusal
from events.models import RSVP
from members.models import User

from .forms import DeleteAccountConfirmForm, DeleteAccountForm, IncidentReportForm
from .services import (
    MemberError,
    incident_report_create,
    member_delete,
    member_export,
    member_unsubscribe,
    unsubscribe_token_member,
)


@require_GET
@login_required
def export(request: HttpRequest) -> HttpResponse:
    """All the member's data, as a JSON file to download."""
    response = JsonResponse(
        member_export(member=request.user), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="clermontech-mes-donnees-{day}.json"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def delete(request: HttpRequest) -> HttpResponse:
    """Two steps: the password, then a last confirmation button."""
    member = request.user
    if request.method == "POST" and "token" in request.POST:
        confirm_form = DeleteAccountConfirmForm(member, request.POST)
        if confirm_form.is_valid():
            try:
                member_delete(
                    member=member, keep_talks=not confirm_form.cleaned_data["remove_talks"]
                )
            except MemberError as error:
                messages.error(request, str(error))
                return redirect("home")
            logout(request)
            messages.success(
                request, _("Votre compte est supprimé et vos données personnelles effacées.")
            )
            return redirect("home")
        for error in confirm_form.errors.get("token", []):
            messages.error(request, error)
        form = DeleteAccountForm(member)
        status = 400
    elif request.method == "POST":
        form = DeleteAccountForm(member, request.POST)
        if form.is_valid():
            confirm_form = DeleteAccountConfirmForm(
                member, initial={"token": form.confirmation_token()}
            )
            return render(request, "community/delete_confirm.html", {"confirm_form": confirm_form})
        status = 400
    else:
        form = DeleteAccountForm(member)
        status = 200
    future_rsvps = (
        RSVP.objects.future()
        .filter(member=member)
        .select_related("event")
        .order_by("event__starts_at")
    )
    context = {"form": form, "future_rsvps": future_rsvps}
    return render(request, "community/delete.html", context, status=status)


def _masked(email: str) -> str:
    """c•••@example.org: enough for the member to recognise their address."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


# RFC 8058: mail clients POST here without cookies, so without CSRF token. That is safe:
# the signed token in the URL is the proof, and the only effect is an unsubscription.
@private_page
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for confirmation (mail scanners follow links); POST unsubscribes."""
    member = unsubscribe_token_member(token)
    if member is None:
        return render(request, "community/unsubscribe_invalid.html", status=400)
    context = {"masked_email": _masked(member.email), "token": token}
    if request.method == "POST":
        member_unsubscribe(member=member)
        return render(request, "community/unsubscribe_done.html", context)
    context["already"] = not member.receives_announcements
    return render(request, "community/unsubscribe.html", context)


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """The confidential incident report form: anonymous allowed, even logged out."""
    form = IncidentReportForm(request.POST or None, user=request.user)
    if request.method == "POST":
        status = 400
        if not form.is_valid():
            messages.error(request, _("Le signalement n'a pas été envoyé : voir ci-dessous."))
        elif refusal := rate_limit_refusal(request, action="incident_report"):
            messages.error(request, refusal)
            status = 429
        else:
            data = form.cleaned_data
            identify = request.user.is_authenticated and data.get("identify")
            try:
                report = incident_report_create(
                    event=data["event"],
                    what_happened=data["what_happened"],
                    contact_email=data["contact_email"],
                    reporter=request.user if identify else None,
                )
            except MemberError as error:
                messages.error(request, str(error))
            else:
                # Shown once on the next page, so the person can quote it later.
                request.session[REPORT_REFERENCE_SESSION_KEY] = report.reference
                return redirect("community:report-done")
        return render(request, "community/report.html", {"form": form}, status=status)
    return render(request, "community/report.html", {"form": form})


REPORT_REFERENCE_SESSION_KEY = "incident_report_reference"


@private_page
def report_done(request: HttpRequest) -> HttpResponse:
    reference = request.session.pop(REPORT_REFERENCE_SESSION_KEY, "")
    return render(request, "community/report_done.html", {"reference": reference})


@anonymous_page
def about(request: HttpRequest) -> HttpResponse:
    """The manifesto, the code of conduct in short, and the organizers."""
    organizers = User.objects.organizers().order_by("display_name", "pk")
    return render(request, "pages/about.html", {"organizers": organizers})
