"""Sponsors in a real browser: an organizer adds one in the admin, the site thanks it."""

import pytest
from PIL import Image
from playwright.sync_api import expect

from sponsors.models import Sponsor, Sponsorship
from tests.browser.steps import admin_log_in, admin_messages, png_file

pytestmark = pytest.mark.browser


def test_organizer_adds_sponsor_with_logo_and_event_page_thanks_it(
    new_page, tmp_path, organizer, event
):
    admin = new_page()
    admin_log_in(admin, email=organizer.email)
    sponsors_row = admin.locator("tr").filter(has=admin.locator("#sponsors-sponsor"))
    sponsors_row.get_by_role("link", name="Ajouter").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Ajout de sponsor")

    admin.get_by_label("Nom").fill("Volcans Numériques")
    admin.get_by_label("Niveau").select_option(label="Or")
    admin.get_by_label("Site web").fill("volcans.example.com")
    admin.get_by_label("Présentation").fill("Une coopérative de développeurs à Clermont.")
    # A transparent, wide logo: scaled down into 400 × 200, transparency kept.
    logo = png_file(tmp_path, "logo.png", size=(800, 300), mode="RGBA", color=(0, 90, 160, 0))
    admin.get_by_label("Nouveau logo").set_input_files(logo)

    admin.get_by_role("button", name="Ajouter une soirée soutenue").click()
    row = admin.locator(".dynamic-sponsorships").first
    row.locator(".select2-selection").click()
    admin.locator(".select2-search__field").fill(event.title)
    admin.locator(".select2-results__option").filter(has_text=event.title).click()
    # A tabular inline: the column headers name the checkboxes, not labels.
    row.locator("input[name$=provides_food]").check()
    row.locator("input[name$=provides_drinks]").check()
    row.locator("input[name$=thanks]").fill("Merci pour le buffet et les boissons !")
    admin.get_by_role("button", name="Enregistrer", exact=True).click()

    expect(admin_messages(admin)).to_have_text(
        # Django's French message, with its non-breaking spaces inside the quotes.
        ["L'objet sponsor «\xa0Volcans Numériques\xa0» a été ajouté avec succès."]
    )
    sponsor = Sponsor.objects.get()
    assert (sponsor.slug, sponsor.tier, sponsor.is_active) == (
        "volcans-numeriques",
        Sponsor.Tier.GOLD,
        True,
    )
    assert sponsor.website_url == "https://volcans.example.com"
    with Image.open(sponsor.logo.path) as image:
        assert (image.format, image.size, image.mode) == ("WEBP", (400, 150), "RGBA")
    sponsorship = Sponsorship.objects.get()
    assert (sponsorship.sponsor, sponsorship.event) == (sponsor, event)
    assert sponsorship.contributions() == ["repas", "boissons"]
    assert sponsorship.thanks == "Merci pour le buffet et les boissons !"

    visitor = new_page()
    visitor.goto(event.get_absolute_url())
    section = visitor.locator("section[aria-labelledby=event-sponsors]")
    expect(section.get_by_role("heading", level=2)).to_have_text(
        "Merci à ceux qui rendent cette soirée possible"
    )
    thanked = section.get_by_test_id("event-sponsor")
    expect(thanked).to_have_count(1)
    expect(thanked.locator("p")).to_have_text(
        ["Volcans Numériques", "Repas, boissons", "Merci pour le buffet et les boissons !"]
    )
    expect(thanked.get_by_role("link")).to_have_attribute("href", "https://volcans.example.com")
    logo_img = thanked.get_by_role("img", name="Volcans Numériques")
    expect(logo_img).to_have_attribute("src", f"/media/{sponsor.logo.name}")
    visitor.wait_for_load_state("load")
    assert logo_img.evaluate("img => [img.complete, img.naturalWidth]") == [True, 400]

    visitor.goto("/sponsors/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Nos partenaires")
    card = visitor.get_by_test_id("sponsor")
    expect(card).to_have_count(1)
    expect(visitor.get_by_role("heading", level=2)).to_have_text(["Or"])
    expect(card.get_by_role("heading", level=3)).to_have_text("Volcans Numériques")
    expect(card.locator(".card-text")).to_have_text("Une coopérative de développeurs à Clermont.")
    expect(card.get_by_role("link", name="Le site de Volcans Numériques")).to_have_attribute(
        "href", "https://volcans.example.com"
    )
    expect(card.get_by_role("img", name="Volcans Numériques")).to_be_visible()
