"""THE table: every URL of the site, how to call it, and who gets what.

Added a URL? Add its row here (the admin's model pages are generated in admin_policy.py;
its custom views are listed at the bottom). A URL without a row fails
test_every_url_has_a_row with a message naming it.

A row is a list of cases: one per kind of object the URL can be called with (an
upcoming event and a draft one, a public talk and a private proposal...).
Personas: anonymous, member (owns the things), other_member, banned, staff (no
permission), organizer, superuser. See expect.py for OK, LOGIN, FORBIDDEN...
"""

from __future__ import annotations

import re
from urllib.parse import quote

from django.urls import reverse

from .expect import (
    ADMIN_LOGIN,
    BAD_REQUEST,
    FORBIDDEN,
    LOGIN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    Expect,
    case,
    everyone,
    members_only,
    organizers_only,
    owner_only,
    post_only,
    redirect,
)
from .world import LOGGED_IN

ORGANIZERS_SEE_DRAFTS = {"organizer": OK, "superuser": OK}
ADMINS = ("staff", "organizer", "superuser")
# Admin pages: non-staff are sent to the admin's login page, staff without permission
# get a 403, organizers and superusers the page.
ADMIN_STAFF_PAGE = everyone(ADMIN_LOGIN, staff=OK, organizer=OK, superuser=OK)
ADMIN_CHANGE_PAGE = everyone(ADMIN_LOGIN, staff=FORBIDDEN, organizer=OK, superuser=OK)
# The announcement's test/send/retry act on POST only; a GET goes back to the preview.
_preview = redirect(
    lambda w: reverse("admin:community_announcement_preview", args=[w.announcement.pk])
)
ADMIN_BACK_TO_PREVIEW = everyone(
    ADMIN_LOGIN, staff=FORBIDDEN, organizer=_preview, superuser=_preview
)
# Logged-in visitors of the login and signup pages are sent home (allauth).
HOME = redirect("/")
LOGGED_IN_GO_HOME = dict.fromkeys(LOGGED_IN, HOME)


def _event_id(world) -> dict:
    return {"event_id": world.event.pk}


def _user_id(world) -> dict:
    return {"user_id": world.member.pk}


def _announcement_id(world) -> dict:
    return {"announcement_id": world.announcement.pk}


def _slug(attr: str):
    return lambda w: {"slug": getattr(w, attr).slug}


ROUTES = {
    # Events ---------------------------------------------------------------
    "home": [case(everyone())],
    "events:list": [case(everyone())],
    "events:mine": [case(members_only(), private=True)],
    "events:detail": [
        case(everyone(), _slug("event"), label="upcoming"),
        case(everyone(), _slug("past_event"), label="past"),
        case(everyone(), _slug("cancelled_event"), label="cancelled"),
        case(everyone(NOT_FOUND, **ORGANIZERS_SEE_DRAFTS), _slug("draft_event"), label="draft"),
        # Before the opening: the countdown, "Prévenez-moi à l'ouverture" (its forms are
        # knocked on by the junk tests from here).
        case(everyone(), _slug("opening_event"), label="not yet open"),
        case(everyone(), _slug("draw_event"), label="draw: requests open"),
        case(everyone(), _slug("drawn_event"), label="draw: drawn"),
    ],
    # The draw's public page (method before, record and result after); requests are POST.
    "events:draw": [
        case(everyone(), _slug("draw_event"), label="requests open"),
        case(everyone(), _slug("drawn_event"), label="drawn"),
        case(everyone(NOT_FOUND), _slug("event"), label="first come, first served"),
    ],
    "events:draw-request": [case(post_only(), _slug("draw_event"))],
    "events:draw-request-cancel": [case(post_only(), _slug("draw_event"))],
    "events:ics": [
        case(everyone(), _slug("event"), label="upcoming"),
        case(everyone(NOT_FOUND, **ORGANIZERS_SEE_DRAFTS), _slug("draft_event"), label="draft"),
    ],
    "events:calendar": [
        case(
            everyone(redirect("/events/api-hour-a-venir.ics", status=301)),
            _slug("event"),
            label="legacy address",
        )
    ],
    "events:calendar-feed": [case(everyone())],
    "events:atom": [case(everyone())],
    "events:rsvp": [case(post_only(), _slug("event"))],
    "events:rsvp-cancel": [case(post_only(), _slug("event"))],
    "events:opening-alert": [case(post_only(), _slug("opening_event"))],
    "events:opening-alert-cancel": [case(post_only(), _slug("opening_event"))],
    "events:ticket": [
        # Only the member holds a seat: the others have no ticket to show.
        case(owner_only(), _slug("event"), private=True),
    ],
    "events:reconfirm": [
        # The signed link works without logging in, for whoever holds it.
        case(everyone(), lambda w: {"token": w.tokens["reconfirm"]}, label="valid token"),
        case(everyone(BAD_REQUEST), lambda w: {"token": "forged"}, label="forged token"),
    ],
    # The door (organizers only) -------------------------------------------
    "events:checkin": [case(organizers_only(), _slug("event"), private=True)],
    "events:checkin-undo": [case(post_only(), _slug("event"))],
    "events:checkin-walk-in": [case(post_only(), _slug("event"))],
    "events:checkin-ticket": [
        case(
            organizers_only(),
            lambda w: {"code": w.rsvp.ticket_code},
            label="ticket",
            private=True,
        ),
        case(
            organizers_only(NOT_FOUND),
            lambda w: {"code": "inconnu"},
            label="unknown code",
            private=True,
        ),
    ],
    # Talks ----------------------------------------------------------------
    "talks:list": [case(everyone())],
    "talks:propose": [case(members_only(), private=True)],
    "talks:mine": [case(members_only(), private=True)],
    "talks:edit": [
        case(
            owner_only(),
            lambda w: {"pk": w.proposal.pk},
            private=True,
        )
    ],
    "talks:withdraw": [case(post_only(), lambda w: {"pk": w.proposal.pk})],
    "talks:confirm": [case(post_only(), lambda w: {"pk": w.proposal.pk})],
    "talks:confirm-token": [
        case(everyone(), lambda w: {"token": w.tokens["talk_confirm"]}, label="valid token"),
        case(everyone(BAD_REQUEST), lambda w: {"token": "forged"}, label="forged token"),
    ],
    "talks:speaker-profile": [case(members_only(), private=True)],
    "talks:detail": [
        case(everyone(), _slug("public_talk"), label="public talk"),
        case(
            everyone(NOT_FOUND, member=OK, **ORGANIZERS_SEE_DRAFTS),
            _slug("proposal"),
            label="the member's proposal",
        ),
    ],
    "talks:speakers": [case(everyone())],
    "talks:speaker-detail": [
        case(everyone(), _slug("public_speaker"), label="public speaker"),
        case(
            everyone(NOT_FOUND, member=OK, **ORGANIZERS_SEE_DRAFTS),
            _slug("member_speaker"),
            label="speaker without a public talk",
        ),
    ],
    "talks:speaker-claim": [case(post_only(), _slug("public_speaker"))],
    # The invitation's signed link: the page shows to whoever holds it (answers are POST).
    "talks:invitation": [
        case(
            everyone(),
            lambda w: {"token": w.tokens["invitation"]},
            label="valid token",
            private=True,
        ),
        case(everyone(BAD_REQUEST), lambda w: {"token": "forged"}, label="forged token"),
    ],
    "talks:invitation-accept": [case(post_only(), lambda w: {"token": w.tokens["invitation"]})],
    "talks:invitation-decline": [case(post_only(), lambda w: {"token": w.tokens["invitation"]})],
    "talks:my-invitation-accept": [case(post_only(), lambda w: {"pk": w.invitation.pk})],
    "talks:my-invitation-decline": [case(post_only(), lambda w: {"pk": w.invitation.pk})],
    "talks:wishlist": [case(everyone())],
    "talks:topic-vote": [case(post_only(), lambda w: {"pk": w.topic.pk})],
    "talks:topic-unvote": [case(post_only(), lambda w: {"pk": w.topic.pk})],
    # Members and community ----------------------------------------------
    "members:profile": [case(members_only(), private=True)],
    "members:detail": [
        # Profiles are private unless the member opts in; organizers see every member.
        case(
            everyone(NOT_FOUND, member=OK, **ORGANIZERS_SEE_DRAFTS),
            lambda w: {"pk": w.member.pk},
            label="private profile",
        ),
    ],
    "community:export": [case(members_only(), private=True)],
    "community:delete": [case(members_only(), private=True)],
    "community:report": [case(everyone())],
    "community:report-done": [case(everyone())],
    "community:unsubscribe": [
        case(everyone(), lambda w: {"token": w.tokens["unsubscribe"]}, label="valid token"),
        case(everyone(BAD_REQUEST), lambda w: {"token": "forged"}, label="forged token"),
    ],
    # The old site's addresses: permanent redirects for everyone, a 404 when unknown.
    "old-site:coc": [
        case(everyone(redirect("/code-de-conduite/", 301)), lambda w: {"path": "code-of-conduct"})
    ],
    "old-site:feed": [
        case(everyone(redirect("/events/feed.atom", 301)), lambda w: {"path": "atom.xml"})
    ],
    "old-site:page": [
        case(
            everyone(redirect("/wishlist/", 301)),
            lambda w: {"path": "api-hours/wishlist.html"},
            label="known page",
        ),
        case(everyone(NOT_FOUND), lambda w: {"path": "nulle-part.html"}, label="unknown page"),
    ],
    "old-site:event": [
        case(
            everyone(redirect(lambda w: w.event.get_absolute_url(), 301)),
            lambda w: {"path": f"api-hours/api-hour-{w.event.number}"},
        )
    ],
    "old-site:talk": [case(everyone(NOT_FOUND), lambda w: {"path": "talks/api-hour-1/inconnu"})],
    "sponsors:list": [case(everyone())],
    "history:history": [case(everyone())],
    # The organizers' insights, in the admin: staff without the organize permission: 403.
    "history:insights": [case(ADMIN_CHANGE_PAGE)],
    "history:insights-csv": [
        case(ADMIN_CHANGE_PAGE, lambda w: {"slug": "evenings"}, label="a table"),
        case(
            everyone(ADMIN_LOGIN, staff=FORBIDDEN, organizer=NOT_FOUND, superuser=NOT_FOUND),
            lambda w: {"slug": "inconnu"},
            label="unknown table",
        ),
    ],
    # The public API (api/): the same public data for everyone, logged in or not.
    "api-v1:api-root": [case(everyone(NOT_FOUND))],
    "api-v1:openapi-json": [case(everyone())],
    "api-v1:openapi-view": [case(everyone())],
    "api-v1:event_list": [case(everyone())],
    "api-v1:event_next": [case(everyone())],
    "api-v1:event_detail": [
        case(everyone(), _slug("event"), label="upcoming"),
        case(everyone(), _slug("cancelled_event"), label="cancelled"),
        # Drafts never leave through the API, not even for organizers.
        case(everyone(NOT_FOUND), _slug("draft_event"), label="draft"),
    ],
    "api-v1:talk_list": [case(everyone())],
    "api-v1:talk_detail": [
        case(everyone(), _slug("public_talk"), label="public talk"),
        case(everyone(NOT_FOUND), _slug("proposal"), label="submitted proposal"),
    ],
    "api-v1:speaker_list": [case(everyone())],
    "api-v1:speaker_detail": [
        case(everyone(), _slug("public_speaker"), label="public speaker"),
        case(everyone(NOT_FOUND), _slug("member_speaker"), label="speaker without a public talk"),
    ],
    "api-v1:sponsor_list": [case(everyone())],
    "code-of-conduct": [case(everyone())],
    "about": [case(everyone())],
    # The icon browsers ask for on their own (the admin's pages): the static SVG.
    "favicon": [case(everyone(redirect("/static/favicon.svg")))],
    "set_language": [case(everyone(HOME))],
    # Accounts (allauth) --------------------------------------------------
    "account_login": [case(everyone(OK, **LOGGED_IN_GO_HOME))],
    "account_signup": [case(everyone(OK, **LOGGED_IN_GO_HOME))],
    "account_logout": [case(everyone(OK, anonymous=HOME))],
    "account_inactive": [case(everyone())],
    "account_reauthenticate": [case(members_only())],
    "account_request_reauthentication_code": [case(members_only())],
    # Without a code requested first, back to the request page.
    "account_confirm_reauthentication_code": [
        case(members_only(redirect("/accounts/reauthenticate/code/")))
    ],
    "account_email": [case(members_only(), private=True)],
    "account_email_verification_sent": [case(everyone())],
    "account_change_password": [case(members_only(), private=True)],
    # Everyone in the world has a password: "set" sends them to "change".
    "account_set_password": [case(members_only(redirect("/accounts/password/change/")))],
    "account_reset_password": [case(everyone())],
    "account_reset_password_done": [case(everyone())],
    "account_reset_password_from_key_done": [case(everyone())],
    # Without a login by code under way: to the login page, or home when logged in.
    "account_confirm_login_code": [case(everyone(HOME, anonymous=redirect("/accounts/login/")))],
    "account_confirm_email": [case(everyone(), lambda w: {"key": "not-a-key"})],
    "account_reset_password_from_key": [
        case(everyone(), lambda w: {"uidb36": "1", "key": "not-a-key"})
    ],
    "socialaccount_login_cancelled": [case(everyone())],
    "socialaccount_login_error": [case(everyone(Expect(401)))],
    "socialaccount_signup": [case(everyone(redirect("/accounts/login/")))],
    "socialaccount_connections": [case(members_only(), private=True)],
    # allauth's old addresses, kept as permanent redirects to the new ones.
    "accounts/social/login/cancelled/": [
        case(everyone(redirect("/accounts/3rdparty/login/cancelled/", status=301)))
    ],
    "accounts/social/login/error/": [
        case(everyone(redirect("/accounts/3rdparty/login/error/", status=301)))
    ],
    "accounts/social/signup/": [case(everyone(redirect("/accounts/3rdparty/signup/", 301)))],
    "accounts/social/connections/": [case(everyone(redirect("/accounts/3rdparty/", 301)))],
    # Uploaded files, served by Django itself only with DEBUG on.
    "^media/(?P<path>.*)$": [case(everyone(NOT_FOUND), lambda w: {"path": "nothing.png"})],
    # Admin: the site's own pages (the model pages come from admin_policy.py) -------
    "admin:index": [case(ADMIN_STAFF_PAGE)],
    # Through allauth (secure_admin_login): its rate limits, the site's login page.
    "admin:login": [
        case(
            everyone(
                FORBIDDEN,
                anonymous=LOGIN,
                staff=redirect("/admin/"),
                organizer=redirect("/admin/"),
                superuser=redirect("/admin/"),
            )
        )  # fmt: skip
    ],
    # Django's admin logs out on POST only; non-staff are sent to the admin index.
    "admin:logout": [
        case(
            everyone(
                redirect("/admin/"), staff=NOT_ALLOWED, organizer=NOT_ALLOWED, superuser=NOT_ALLOWED
            )
        )
    ],  # fmt: skip
    "admin:password_change": [case(ADMIN_STAFF_PAGE)],
    "admin:password_change_done": [case(ADMIN_STAFF_PAGE)],
    "admin:jsi18n": [case(ADMIN_STAFF_PAGE)],
    # Without its parameters the autocomplete refuses; its permission check is Django's.
    "admin:autocomplete": [
        case(everyone(ADMIN_LOGIN, staff=FORBIDDEN, organizer=FORBIDDEN, superuser=FORBIDDEN))
    ],  # fmt: skip
    "admin:view_on_site": [
        case(
            everyone(ADMIN_LOGIN, **dict.fromkeys(ADMINS, redirect("/events/api-hour-a-venir/"))),
            lambda w: {"content_type_id": _content_type(w.event), "object_id": w.event.pk},
        )
    ],
    "admin/(?P<url>.*)$": [
        case(
            everyone(ADMIN_LOGIN, staff=NOT_FOUND, organizer=NOT_FOUND, superuser=NOT_FOUND),
            lambda w: {"url": "nothing/here/"},
        )
    ],
    # Admin: custom views of the model admins ------------------------------
    "admin:events_event_catering": [case(ADMIN_CHANGE_PAGE, _event_id)],
    "admin:events_event_catering_csv": [case(ADMIN_CHANGE_PAGE, _event_id)],
    "admin:events_event_catering_print": [case(ADMIN_CHANGE_PAGE, _event_id)],
    "admin:events_event_attendees_csv": [case(ADMIN_CHANGE_PAGE, _event_id)],
    "admin:members_user_ban": [case(ADMIN_CHANGE_PAGE, _user_id)],
    "admin:members_user_unban": [case(ADMIN_CHANGE_PAGE, _user_id)],
    "admin:members_user_erase": [case(ADMIN_CHANGE_PAGE, _user_id)],
    # Organizers do not change passwords (nor appoint organizers): superusers only.
    "admin:auth_user_password_change": [
        case(
            everyone(ADMIN_LOGIN, staff=FORBIDDEN, organizer=FORBIDDEN, superuser=OK),
            lambda w: {"id": w.member.pk},
        )
    ],
    "admin:community_announcement_preview": [case(ADMIN_CHANGE_PAGE, _announcement_id)],
    "admin:community_announcement_test": [case(ADMIN_BACK_TO_PREVIEW, _announcement_id)],
    "admin:community_announcement_send": [case(ADMIN_BACK_TO_PREVIEW, _announcement_id)],
    "admin:community_announcement_retry": [case(ADMIN_BACK_TO_PREVIEW, _announcement_id)],
    "admin:talks_talk_programme_index": [case(ADMIN_CHANGE_PAGE)],
    "admin:talks_talk_programme": [case(ADMIN_CHANGE_PAGE, _event_id)],
    # The buttons of a claim's page: POST only, organizers only.
    "admin:talks_speakerclaim_decide": [
        case(
            everyone(ADMIN_LOGIN, staff=NOT_ALLOWED, organizer=NOT_ALLOWED, superuser=NOT_ALLOWED),
            lambda w: {"claim_id": w.admin_objects["talks.SpeakerClaim"].pk},
        )
    ],
}


def _content_type(obj) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


_ROUTE_ARGUMENT = re.compile(r"\(\?P<(\w+)>[^)]*\)|<(?:\w+:)?(\w+)>")


def path_for(key: str, route: str, kwargs: dict) -> str:
    """The URL to request: reversed by name, or built from an unnamed route's text."""
    if not _is_unnamed(key):
        return reverse(key, kwargs=kwargs)

    def value(match: re.Match) -> str:
        return quote(str(kwargs[match.group(1) or match.group(2)]))

    return "/" + _ROUTE_ARGUMENT.sub(value, route.lstrip("^").rstrip("$").replace("$", ""))


def _is_unnamed(key: str) -> bool:
    return "/" in key
