"""More steps shared by the browser tests: the admin, emails, files to upload."""

from __future__ import annotations

import re
from pathlib import Path

from django.core import mail
from playwright.sync_api import expect

from tests.factories import PASSWORD, image_bytes


def admin_log_in(page, *, email: str, password: str = PASSWORD) -> None:
    """Open the admin as an organizer would: /admin/ sends to the site's login page (the
    admin has no login form of its own: allauth's rate limits apply), then back."""
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Fadmin%2F$"))
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gestion des API Hours")


def admin_run_action(page, *, rows: list[str], action: str, **selects: str) -> None:
    """On an admin list: tick the rows whose text contains each of ``rows``, choose
    the action by its label (and the extra selects of the action form by their
    name), then press "Envoyer"."""
    for text in rows:
        row = page.locator("#result_list tbody tr").filter(has_text=text)
        row.locator("input.action-select").check()
    for name, label in selects.items():
        page.locator(f"#changelist-form select[name={name}]").select_option(label=label)
    page.locator("#changelist-form select[name=action]").select_option(label=action)
    page.get_by_role("button", name="Envoyer").click()


def admin_messages(page):
    return page.locator("ul.messagelist li")


def emails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def link_in(message, path_pattern: str, base_url: str) -> str:
    """The one link of ``message`` whose path matches ``path_pattern`` (a regex)."""
    links = re.findall(re.escape(base_url) + path_pattern, message.body)
    assert len(links) == 1, f"expected one link {path_pattern!r} in:\n{message.body}"
    return links[0]


def png_file(directory: Path, name: str = "photo.png", size=(600, 400), **options) -> Path:
    """A real PNG made by Pillow, written to disk for set_input_files()."""
    path = directory / name
    path.write_bytes(image_bytes("PNG", size, **options))
    return path
