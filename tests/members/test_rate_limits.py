"""Rate limits count per visitor, behind the proxy too; reports are limited and unnumbered."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from community.models import IncidentReport
from members.models import User
from tests.conftest import text
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # what REMOTE_ADDR says for every visitor behind the proxy


def _visitor(address: str) -> Client:
    """A browser at `address`, reaching the site through the TLS proxy."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


def _fail_logins(client: Client, times: int) -> None:
    for n in range(times):
        client.post(reverse("account_login"), {"login": f"x{n}@example.org", "password": "no"})


def _logs_in(client: Client, member) -> bool:
    client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})
    return "_auth_user_id" in client.session


def test_two_visitors_behind_the_proxy_are_limited_separately(settings, member):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    attacker = _visitor("203.0.113.5")
    _fail_logins(attacker, 11)

    assert not _logs_in(_visitor("203.0.113.5"), member)  # the attacker's address is limited
    assert _logs_in(_visitor("198.51.100.7"), member)  # everyone else still logs in


def test_without_trusted_proxies_one_visitor_locks_everyone_out(settings, member):
    """The defect the setting fixes: the proxy's address is everyone's address."""
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    _fail_logins(_visitor("203.0.113.5"), 11)

    assert not _logs_in(_visitor("198.51.100.7"), member)


def test_sign_ups_are_limited_per_visitor_behind_the_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "3/m/ip"}

    def signup(client: Client, n: int) -> int:
        password = "une phrase de passe solide"
        data = {"email": f"new{n}@example.org", "display_name": f"New {n}",
                "password1": password, "password2": password,
                "accept_code_of_conduct": "on"}  # fmt: skip
        return client.post(reverse("account_signup"), data).status_code

    busy = _visitor("203.0.113.5")
    assert [signup(busy, n) for n in range(4)] == [302, 302, 302, 429]
    assert signup(_visitor("198.51.100.7"), 9) == 302
    assert User.objects.filter(email__startswith="new").count() == 4


def test_a_forged_forwarded_header_cannot_choose_the_address(settings, member):
    """With one trusted proxy, only the address the proxy appended counts: a visitor who
    sends their own X-Forwarded-For cannot escape their limit by changing it."""
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for n in range(11):
        forged = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.5")
        forged.post(reverse("account_login"), {"login": f"x{n}@example.org", "password": "no"})

    assert not _logs_in(_visitor("203.0.113.5"), member)


@pytest.mark.parametrize("header", ["", "not-an-address", "1.2.3.4, garbage", "\x00"])
def test_a_malformed_forwarded_header_is_no_error(settings, member, header):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=header)

    response = client.post(reverse("account_login"), {"login": member.email, "password": PASSWORD})

    assert response.status_code == 302


# Incident reports ------------------------------------------------------------------


def _report(client: Client):
    return client.post(
        reverse("community:report"),
        {"what_happened": "Des remarques déplacées à la pause.", "contact_email": ""},
    )


def test_reports_are_limited_per_address_with_a_clear_message(settings):
    settings.ORGANIZERS_EMAILS = ["coc@clermontech.org"]
    client = Client()

    answers = [_report(client).status_code for _ in range(6)]

    assert answers == [302] * 5 + [429]
    assert IncidentReport.objects.count() == 5
    assert "réessayez plus tard" in text(_report(client))
    assert _report(Client(REMOTE_ADDR="192.0.2.99")).status_code == 302


def test_report_reference_is_random_and_shown_to_the_reporter(
    settings, django_capture_on_commit_callbacks
):
    settings.ORGANIZERS_EMAILS = ["coc@clermontech.org"]
    client = Client()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.get(_report(client)["Location"])
    second = _report(Client(REMOTE_ADDR="192.0.2.98"))

    first, other = IncidentReport.objects.order_by("pk")
    assert second.status_code == 302
    assert first.reference != other.reference
    assert len(first.reference) == 9 and first.reference[4] == "-"
    assert not set(first.reference) & set("ILOU")
    assert first.reference in text(done)
    assert mail.outbox[0].subject == f"[Clermont'ech] Nouveau signalement ({first.reference})"
    # Shown once: a reload does not show it again.
    assert first.reference not in text(client.get(reverse("community:report-done")))


def test_a_member_report_counts_against_the_same_address_limit(settings):
    settings.ORGANIZERS_EMAILS = ["coc@clermontech.org"]
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "incident_report": "1/h/ip"}
    client = Client()
    client.force_login(UserFactory())

    assert [_report(client).status_code for _ in range(2)] == [302, 429]


# Proposals and wishlist topics --------------------------------------------------------


def test_proposals_are_limited_per_member_with_a_clear_message(settings, member_client):
    from talks.models import Talk

    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "talk_proposal": "2/d/user"}

    def propose(n: int):
        return member_client.post(
            reverse("talks:propose"),
            {"title": f"Un talk numéro {n}", "format": "short", "language": "fr",
             "level": "beginner", "abstract": "Un résumé assez long pour être accepté " * 3},
        )  # fmt: skip

    answers = [propose(n).status_code for n in range(3)]

    assert answers == [302, 302, 429]
    assert Talk.objects.count() == 2
    assert "réessayez plus tard" in text(propose(9))


def test_wishlist_topics_are_limited_per_member(settings, member_client):
    from talks.models import Topic

    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "wishlist_topic": "1/d/user"}
    url = reverse("talks:wishlist")

    first = member_client.post(url, {"title": "Les files de messages"})
    second = member_client.post(url, {"title": "Le cache HTTP"})

    assert (first.status_code, second.status_code) == (302, 429)
    assert list(Topic.objects.values_list("title", flat=True)) == ["Les files de messages"]
    assert "réessayez plus tard" in text(second)


def test_wrong_passwords_for_a_member_lock_out_the_guesser_not_the_member(settings, member):
    """The QA walk: 5 wrong passwords for an address locked that account for everyone,
    so anyone could keep a member (or the organizer at the door) out."""
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    guesser = _visitor("203.0.113.5")
    for _ in range(6):
        guesser.post(reverse("account_login"), {"login": member.email, "password": "no"})

    assert not _logs_in(_visitor("203.0.113.5"), member)  # the guesser waits
    assert _logs_in(_visitor("198.51.100.7"), member)  # the member does not


def test_one_account_is_still_bounded_from_everywhere_together(settings, member):
    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_account": "3/h/key"}
    for n in range(3):
        _visitor(f"203.0.113.{n}").post(
            reverse("account_login"), {"login": member.email, "password": "no"}
        )

    assert not _logs_in(_visitor("198.51.100.7"), member)
