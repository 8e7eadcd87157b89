from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, Prefetch, Q
from django.db.models.functions import ExtractYear
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.markup import render_markdown
from core.middleware import private_page
from core.pagecache import anonymous_page
from core.ratelimits import rate_limit_refusal
from events.models import Event

from .forms import (
    ArchiveFilterForm,
    ProposalForm,
    SpeakerClaimForm,
    SpeakerProfileForm,
    TopicForm,
    visible_topic,
)
from .models import (
    CoSpeakerInvitation,
    Speaker,
    SpeakerClaim,
    Talk,
    Topic,
    TopicVote,
    speaker_slug,
)
from .services import (
    TalkError,
    invitation_accept,
    invitation_decline,
    invitation_refusal,
    member_manages_talk,
    member_refusal,
    speaker_claim_create,
    speaker_for_member,
    talk_set_status,
    talk_submit,
    talk_update,
    topic_create,
    topic_unvote,
    topic_vote,
    verified_emails,
)
from .tokens import (
    INVITATION_MAX_AGE,
    InvalidToken,
    invitation_from_token,
    talk_from_confirm_token,
)

TALKS_PER_PAGE = 20
TOPICS_PER_PAGE = 30


# Permission-scoped fetching: the object, or a 404 ---------------------------


def get_talk_or_404(request: HttpRequest, slug: str) -> Talk:
    """A public talk; organizers and the talk's own speakers also see it before it is."""
    talks = Talk.objects.select_related("event", "event__venue").with_speakers()
    talk = talks.public().filter(slug=slug).first()
    if talk is None and request.user.is_authenticated:
        visible = talks if request.user.is_organizer else talks.for_member(request.user)
        talk = visible.filter(slug=slug).first()
    if talk is None:
        raise Http404(_("Aucun talk à cette adresse."))
    return talk


def get_my_talk_or_404(request: HttpRequest, pk: int) -> Talk:
    """One of the member's own proposals. Another member's is a 404, not a 403."""
    return get_object_or_404(
        Talk.objects.for_member(request.user).select_related("event").with_speakers(), pk=pk
    )


def _safe_next(request: HttpRequest, default: str) -> str:
    """Where to go back after a vote: a path of this site ("/wishlist/?page=2"), else
    `default`. Never a URL name or another site (redirect() would look "x" up as a view)."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# Public pages ---------------------------------------------------------------


@anonymous_page
def talk_list(request: HttpRequest) -> HttpResponse:
    """The archive: talks given at past events, newest first."""
    given = Talk.objects.given()
    years = list(
        given.annotate(year=ExtractYear("event__starts_at"))
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )
    events = list(Event.objects.filter(pk__in=given.values("event")).order_by("-starts_at"))
    form = ArchiveFilterForm(request.GET or None, years=years, events=events)
    talks = given
    filters: dict[str, str] = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            matching = Talk.objects.filter(
                # Accents and case ignored: "loic" finds "Loïc" (core/search.py).
                Q(title__unaccent__icontains=q) | Q(speakers__name__unaccent__icontains=q)
            ).values("pk")
            talks = talks.filter(pk__in=matching)
            filters["q"] = q
        if data["year"]:
            talks = talks.filter(event__starts_at__year=data["year"])
            filters["year"] = str(data["year"])
        if data["event"]:
            talks = talks.filter(event__slug=data["event"])
            filters["event"] = data["event"]
    talks = talks.select_related("event").with_speakers().archive_order()
    page = Paginator(talks, TALKS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "filtered": bool(filters),
        "query_string": urlencode(filters),
    }
    return render(request, "talks/list.html", context)


@anonymous_page
def talk_detail(request: HttpRequest, slug: str) -> HttpResponse:
    talk = get_talk_or_404(request, slug)
    # A draft event stays secret, even on the preview of one of its talks.
    show_event = talk.event_id is not None and talk.event.status != Event.Status.DRAFT
    siblings = []
    if show_event:
        programme = Talk.objects.public_programme([talk.event]).get(talk.event_id, [])
        siblings = [other for other in programme if other.pk != talk.pk]
    context = {"talk": talk, "video": talk.video, "siblings": siblings, "show_event": show_event}
    return render(request, "talks/detail.html", context)


@anonymous_page
def speaker_list(request: HttpRequest) -> HttpResponse:
    speakers = Speaker.objects.public().order_by("name")
    return render(request, "talks/speakers.html", {"speakers": speakers})


def get_speaker_or_404(request: HttpRequest, slug: str) -> Speaker:
    """A speaker with a public talk; organizers see every speaker, members their own."""
    user = request.user
    speakers = Speaker.objects.all()
    if not (user.is_authenticated and user.is_organizer):
        # A speaker without a public talk is not shown, except to themselves.
        visible = Q(pk__in=Speaker.objects.public().values("pk"))
        if user.is_authenticated:
            visible |= Q(user=user)
        speakers = speakers.filter(visible)
    return get_object_or_404(speakers, slug=slug)


@anonymous_page
def speaker_detail(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    speaker = get_speaker_or_404(request, slug)
    # A list: the page counts them and names the year of the first (the last one).
    talks = list(
        speaker.talks.public()
        .select_related("event")
        .with_speakers()
        .order_by(F("event__starts_at").desc(nulls_first=True), "-id")
    )
    # "C'est moi": a member may claim a speaker of the archive (one without an account).
    my_claim = None
    if user.is_authenticated and speaker.user_id is None:
        my_claim = (
            SpeakerClaim.objects.filter(member=user, speaker=speaker)
            .order_by("-created_at", "-id")
            .first()
        )
    context = {
        "speaker": speaker,
        "talks": talks,
        "is_own": user.is_authenticated and speaker.user_id == user.pk,
        "claimable": speaker.user_id is None,
        "my_claim": my_claim,
        "claim_refusal": member_refusal(user) if user.is_authenticated else None,
        "claim_form": SpeakerClaimForm(),
    }
    return render(request, "talks/speaker_detail.html", context)


@require_POST
@login_required
def speaker_claim(request: HttpRequest, slug: str) -> HttpResponse:
    """ "C'est moi" on a speaker's page: a claim the organizers decide on."""
    speaker = get_speaker_or_404(request, slug)
    form = SpeakerClaimForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["message"]))
        return redirect(speaker)
    try:
        claim = speaker_claim_create(
            member=request.user, speaker=speaker, message=form.cleaned_data["message"]
        )
    except TalkError as error:
        messages.error(request, str(error))
        return redirect(speaker)
    if claim.status == SpeakerClaim.Status.APPROVED:
        messages.success(
            request,
            _(
                "C'est fait : le profil « %(name)s » est relié à votre compte (son adresse "
                "de contact est l'une de vos adresses confirmées)."
            )
            % {"name": speaker.name},
        )
        return redirect("talks:speaker-profile")
    messages.success(
        request,
        _(
            "Demande envoyée : les organisateurs vérifient que le profil « %(name)s » est "
            "bien le vôtre et vous répondent par e-mail. D'ici là, rien ne change."
        )
        % {"name": speaker.name},
    )
    return redirect(speaker)


# Call for proposals -------------------------------------------------------


def _propose_context(**extra) -> dict:
    return {"refusal": None, "mentor_count": Speaker.objects.mentors().count(), **extra}


@login_required
def talk_propose(request: HttpRequest) -> HttpResponse:
    member = request.user
    refusal = member_refusal(member)
    if refusal:
        # The page says why; a POST (a stale form, a crafted request) writes nothing.
        status = 403 if request.method == "POST" else 200
        context = _propose_context(refusal=refusal)
        return render(request, "talks/propose.html", context, status=status)

    if request.method != "POST":
        topic = visible_topic(request.GET.get("topic"))
        speaker = Speaker.objects.filter(user=member).first()
        initial = {
            "bio": speaker.bio if speaker else member.bio,
            "first_time": not (speaker and speaker.talks.public().exists()),
        }
        if topic is not None:
            initial.update({"topic": topic.pk, "title": topic.title})
        form = ProposalForm(member=member, initial=initial)
        return render(request, "talks/propose.html", _propose_context(form=form, topic=topic))

    form = ProposalForm(request.POST, member=member)
    topic = visible_topic(request.POST.get("topic"))
    if not form.is_valid():
        messages.error(request, _("Votre proposition n'a pas été envoyée : voir ci-dessous."))
        context = _propose_context(form=form, topic=topic)
        return render(request, "talks/propose.html", context, status=400)
    if "preview" in request.POST:
        preview = render_markdown(form.cleaned_data["abstract"])
        context = _propose_context(form=form, topic=topic, preview=preview)
        return render(request, "talks/propose.html", context)
    if limited := rate_limit_refusal(request, action="talk_proposal"):
        messages.error(request, limited)
        context = _propose_context(form=form, topic=topic)
        return render(request, "talks/propose.html", context, status=429)
    try:
        talk = talk_submit(member=member, **form.service_kwargs())
    except TalkError as error:
        messages.error(request, str(error))
        context = _propose_context(form=form, topic=topic)
        return render(request, "talks/propose.html", context, status=400)
    messages.success(
        request,
        _(
            "Merci ! Votre proposition « %(title)s » est envoyée aux organisateurs. "
            "Vous pouvez la modifier tant qu'ils ne l'ont pas examinée."
        )
        % {"title": talk.title},
    )
    return redirect("talks:mine")


@login_required
def talk_mine(request: HttpRequest) -> HttpResponse:
    member = request.user
    talks = (
        Talk.objects.for_member(member)
        .select_related("event")
        .with_speakers()
        .prefetch_related(
            Prefetch(
                "invitations",
                queryset=CoSpeakerInvitation.objects.filter(
                    status__in=[
                        CoSpeakerInvitation.Status.PENDING,
                        CoSpeakerInvitation.Status.DECLINED,
                    ]
                ),
                to_attr="shown_invitations",
            )
        )
        .order_by("-created_at")
    )
    # Invitations to the member's verified addresses: the talk is not theirs until they say yes.
    invitations = (
        CoSpeakerInvitation.objects.open()
        .addressed_to(verified_emails(member))
        .select_related("talk", "invited_by")
        .order_by("-created_at")
    )
    return render(request, "talks/mine.html", {"talks": talks, "invitations": invitations})


@login_required
def talk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    talk = get_my_talk_or_404(request, pk)
    if not talk.is_editable:
        messages.error(
            request,
            _(
                "Ce talk est %(status)s : il n'est plus modifiable. Pour un changement, "
                "écrivez aux organisateurs."
            )
            % {"status": talk.get_status_display()},
        )
        return redirect("talks:mine")
    form = ProposalForm(request.POST or None, instance=talk, member=request.user, editing=True)
    context = {"form": form, "talk": talk, "editing": True, "refusal": None}
    if request.method != "POST":
        return render(request, "talks/propose.html", context)
    if not form.is_valid():
        messages.error(
            request, _("Vos modifications n'ont pas été enregistrées : voir ci-dessous.")
        )
        return render(request, "talks/propose.html", context, status=400)
    if "preview" in request.POST:
        context["preview"] = render_markdown(form.cleaned_data["abstract"])
        return render(request, "talks/propose.html", context)
    try:
        talk_update(talk=talk, member=request.user, **form.service_kwargs())
    except TalkError as error:
        messages.error(request, str(error))
        return redirect("talks:mine")
    messages.success(request, _("Votre proposition est à jour."))
    return redirect("talks:mine")


def _speaker_status_change(request: HttpRequest, pk: int, status: str, done: str) -> HttpResponse:
    talk = get_my_talk_or_404(request, pk)
    try:
        talk_set_status(talk=talk, status=status, by=request.user)
    except TalkError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done % {"title": talk.title})
    return redirect("talks:mine")


@require_POST
@login_required
def talk_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _speaker_status_change(
        request,
        pk,
        Talk.Status.WITHDRAWN,
        _("« %(title)s » est retiré. Les organisateurs sont prévenus."),
    )


@require_POST
@login_required
def talk_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    return _speaker_status_change(
        request,
        pk,
        Talk.Status.CONFIRMED,
        _("Merci : « %(title)s » est confirmé. À bientôt sur scène !"),
    )


@private_page
def talk_confirm_token(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the acceptance email: GET shows a button, only its POST confirms."""
    try:
        talk = talk_from_confirm_token(token)
    except InvalidToken as error:
        context = {"expired": error.expired}
        return render(request, "talks/confirm_token.html", context, status=400)
    if request.method == "POST":
        by = request.user if request.user.is_authenticated else None
        if by is not None and not member_manages_talk(by, talk):
            by = None
        try:
            talk_set_status(talk=talk, status=Talk.Status.CONFIRMED, by=by, via_token=True)
        except TalkError as error:
            if talk.status == Talk.Status.CONFIRMED:
                messages.info(request, _("Ce talk était déjà confirmé. Merci !"))
            else:
                messages.error(request, str(error))
            return redirect(request.path)
        messages.success(
            request,
            _("Merci : « %(title)s » est confirmé. À bientôt sur scène !") % {"title": talk.title},
        )
        return redirect(request.path)
    return render(request, "talks/confirm_token.html", {"talk": talk})


# Co-speaker invitations -----------------------------------------------------------


def get_my_invitation_or_404(request: HttpRequest, pk: int) -> CoSpeakerInvitation:
    """An invitation sent to one of the member's verified addresses; any other is a 404."""
    invitations = CoSpeakerInvitation.objects.addressed_to(verified_emails(request.user))
    return get_object_or_404(invitations.select_related("talk"), pk=pk)


def _answer_invitation(
    request: HttpRequest, invitation: CoSpeakerInvitation, *, accept: bool
) -> bool:
    """Call the service, turn its answer into a message; True when the member is in."""
    was_pending = invitation.is_pending
    try:
        if accept:
            invitation_accept(invitation=invitation, member=request.user)
        else:
            invitation_decline(invitation=invitation)
    except TalkError as error:
        messages.error(request, str(error))
        return False
    context = {"title": invitation.talk.title}
    if accept:
        done = _(
            "Bienvenue sur « %(title)s » : vous le présentez désormais, il est dans vos "
            "propositions."
        )
        again = _("Vous présentez déjà « %(title)s ».")
    else:
        done = _(
            "Invitation déclinée : « %(title)s » se fera sans vous. La personne qui vous a "
            "invité·e est prévenue."
        )
        again = _("Vous aviez déjà décliné cette invitation.")
    messages.success(request, (done if was_pending else again) % context)
    return accept


@require_POST
@login_required
def my_invitation_accept(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_my_invitation_or_404(request, pk)
    _answer_invitation(request, invitation, accept=True)
    return redirect("talks:mine")


@require_POST
@login_required
def my_invitation_decline(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_my_invitation_or_404(request, pk)
    _answer_invitation(request, invitation, accept=False)
    return redirect("talks:mine")


def _invitation_or_400(request: HttpRequest, token: str):
    """The invitation of an email link, or the page that explains a bad link (400)."""
    try:
        return invitation_from_token(token), None
    except InvalidToken as error:
        context = {"expired": error.expired, "valid_days": INVITATION_MAX_AGE.days}
        return None, render(request, "talks/invitation.html", context, status=400)


@private_page
@require_GET
def invitation_detail(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the invitation email: it shows the talk and two buttons, and changes
    nothing (mail scanners follow links)."""
    invitation, bad_link = _invitation_or_400(request, token)
    if bad_link:
        return bad_link
    user = request.user
    addressed_to_user = user.is_authenticated and invitation.email.lower() in verified_emails(user)
    context = {
        "invitation": invitation,
        "token": token,
        "talk": invitation.talk,
        "abstract": render_markdown(invitation.talk.abstract),
        "refusal": invitation_refusal(invitation),
        "addressed_to_user": addressed_to_user,
        "accepted_by_user": user.is_authenticated and invitation.accepted_by_id == user.pk,
        "login_url": f"{reverse('account_login')}?{urlencode({'next': request.path})}",
        "signup_url": f"{reverse('account_signup')}?{urlencode({'next': request.path})}",
    }
    return render(request, "talks/invitation.html", context)


@private_page
@require_POST
def invitation_accept_token(request: HttpRequest, token: str) -> HttpResponse:
    invitation, bad_link = _invitation_or_400(request, token)
    if bad_link:
        return bad_link
    page = reverse("talks:invitation", kwargs={"token": token})
    if not request.user.is_authenticated:
        # Accepting needs the account: log in, come back to the page, press again.
        return redirect(f"{reverse('account_login')}?{urlencode({'next': page})}")
    if _answer_invitation(request, invitation, accept=True):
        return redirect("talks:mine")
    return redirect(page)


@private_page
@require_POST
def invitation_decline_token(request: HttpRequest, token: str) -> HttpResponse:
    """No login needed: whoever holds the link may say no."""
    invitation, bad_link = _invitation_or_400(request, token)
    if bad_link:
        return bad_link
    _answer_invitation(request, invitation, accept=False)
    return redirect("talks:invitation", token=token)


def _archive_namesake(member) -> Speaker | None:
    """A speaker of the archive with the member's name, that they might want to claim."""
    slug = speaker_slug(member.display_name)
    if not slug:
        return None
    return (
        Speaker.objects.public().filter(slug=slug, user=None).exclude(claims__member=member).first()
    )


@login_required
def speaker_profile(request: HttpRequest) -> HttpResponse:
    """The member's own speaker profile (bio, photo, links, mentoring) and their claims."""
    member = request.user
    speaker = Speaker.objects.filter(user=member).first()
    refusal = member_refusal(member)
    if refusal:
        # The same rule as for proposing: the page says why, a POST changes nothing.
        status = 403 if request.method == "POST" else 200
        context = {"speaker": speaker, "refusal": refusal}
        return render(request, "talks/speaker_profile.html", context, status=status)
    context = {
        "speaker": speaker,
        "claims": SpeakerClaim.objects.pending().filter(member=member).select_related("speaker"),
        "namesake": _archive_namesake(member),
    }
    if speaker is None:
        if request.method == "POST":
            try:
                speaker_for_member(member=member)
            except TalkError as error:
                messages.error(request, str(error))
            return redirect("talks:speaker-profile")
        return render(request, "talks/speaker_profile.html", context)
    can_mentor = speaker.has_given_talk()
    form = SpeakerProfileForm(
        request.POST or None, request.FILES or None, instance=speaker, can_mentor=can_mentor
    )
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Votre profil d'intervenant·e est à jour."))
            return redirect("talks:speaker-profile")
        messages.error(request, _("Votre profil n'a pas été enregistré : voir ci-dessous."))
    context.update({"form": form, "can_mentor": can_mentor})
    return render(
        request, "talks/speaker_profile.html", context, status=400 if form.errors else 200
    )


# Wishlist -----------------------------------------------------------------


@anonymous_page
def wishlist(request: HttpRequest) -> HttpResponse:
    form = TopicForm()
    # A POST that gets to the page again was refused (a success redirects).
    status = 400 if request.method == "POST" else 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={reverse('talks:wishlist')}")
        form = TopicForm(request.POST)
        if form.is_valid() and (limited := rate_limit_refusal(request, action="wishlist_topic")):
            messages.error(request, limited)
            status = 429
        elif form.is_valid():
            try:
                topic = topic_create(member=request.user, **form.cleaned_data)
            except TalkError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Merci ! Le sujet est ajouté à la wishlist."))
                return redirect(topic)
        else:
            messages.error(request, _("Le sujet n'a pas été ajouté : voir ci-dessous."))
    topics = (
        Topic.objects.visible()
        .ranked()
        .prefetch_related(
            Prefetch(
                "talks",
                queryset=Talk.objects.public().order_by("-created_at"),
                to_attr="public_talks",
            )
        )
    )
    page = Paginator(topics, TOPICS_PER_PAGE).get_page(request.GET.get("page"))
    my_votes: set[int] = set()
    if request.user.is_authenticated:
        my_votes = set(
            TopicVote.objects.filter(member=request.user, topic__in=page.object_list).values_list(
                "topic_id", flat=True
            )
        )
    context = {
        "form": form,
        "page": page,
        "my_votes": my_votes,
        "refusal": member_refusal(request.user) if request.user.is_authenticated else None,
    }
    return render(request, "talks/wishlist.html", context, status=status)


def _topic_vote_change(request: HttpRequest, pk: int, vote: bool) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.visible(), pk=pk)
    default = reverse("talks:wishlist") + f"#topic-{topic.pk}"
    try:
        if vote:
            topic_vote(topic=topic, member=request.user)
        else:
            topic_unvote(topic=topic, member=request.user)
    except TalkError as error:
        messages.error(request, str(error))
    return HttpResponseRedirect(_safe_next(request, default))


@require_POST
@login_required
def topic_vote_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _topic_vote_change(request, pk, vote=True)


@require_POST
@login_required
def topic_unvote_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _topic_vote_change(request, pk, vote=False)
