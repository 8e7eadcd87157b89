import re
import subprocess
import sys

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from members.models import User
from tests.conftest import text
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "nouvelle@example.org",
    "display_name": "Nouvelle Personne",
    "password1": "une phrase de passe solide",
    "password2": "une phrase de passe solide",
    "accept_code_of_conduct": "on",
}


def test_signup_asks_display_name_and_code_of_conduct(client):
    page = text(client.get(reverse("account_signup")))

    assert "Nom affiché" in page
    assert "J'ai lu et j'accepte le code de conduite de Clermont'ech" in page
    assert 'href="/code-de-conduite/"' in page


def test_signup_without_code_of_conduct_is_refused(client):
    data = {**SIGNUP, "accept_code_of_conduct": ""}

    response = client.post(reverse("account_signup"), data)

    assert "Vous devez accepter le code de conduite pour créer un compte." in text(response)
    assert not User.objects.filter(email=SIGNUP["email"]).exists()


def test_signup_sends_verification_and_confirming_logs_in(client):
    response = client.post(reverse("account_signup"), SIGNUP, follow=True)

    user = User.objects.get(email=SIGNUP["email"])
    assert user.display_name == "Nouvelle Personne"
    assert user.accepted_code_of_conduct_at is not None
    assert not user.has_verified_email()
    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)

    confirm_url = link.split("testserver", 1)[-1]
    client.post(confirm_url)

    assert user.has_verified_email()


def test_login_with_unverified_email_is_held_at_verification(client):
    UserFactory(email="pas-encore@example.org", verified=False)
    EmailAddress.objects.create(
        user=User.objects.get(email="pas-encore@example.org"),
        email="pas-encore@example.org",
        verified=False,
        primary=True,
    )

    response = client.post(
        reverse("account_login"),
        {"login": "pas-encore@example.org", "password": PASSWORD},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_login_with_email_and_password(client, member):
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("home")
    assert client.session["_auth_user_id"] == str(member.pk)


def test_password_reset_sends_an_email(client, member):
    client.post(reverse("account_reset_password"), {"email": member.email})

    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_account_pages_use_the_site_layout(member_client):
    page = text(member_client.get(reverse("account_change_password")))

    assert "Mes inscriptions" in page  # the site's navigation
    assert 'class="passwordinput form-control"' in page  # crispy-bootstrap5


def test_github_login_appears_only_with_keys():
    code = "from django.conf import settings; print('github' in settings.SOCIALACCOUNT_PROVIDERS)"
    env = {"DJANGO_SETTINGS_MODULE": "clermontech.settings", "PATH": "", "DEBUG": "1"}
    without = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    with_keys = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        capture_output=True, text=True, check=True,
        env={**env, "GITHUB_CLIENT_ID": "id", "GITHUB_SECRET": "secret"},
    )  # fmt: skip

    assert without.stdout.strip() == "False"
    assert with_keys.stdout.strip() == "True"


def test_user_manager_requires_an_email():
    with pytest.raises(ValueError, match="An email address is required."):
        User.objects.create_user(email="", password="x")


def test_signup_fields_in_order_with_code_of_conduct_last(client):
    page = text(client.get(reverse("account_signup")))

    names = ["email", "display_name", "password1", "password2", "accept_code_of_conduct"]
    positions = [page.index(f'name="{name}"') for name in names]
    assert positions == sorted(positions)
