"""Sponsors: /sponsors/, the event page, the home page and the admin."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from PIL import Image

from sponsors.models import Sponsor, Sponsorship
from tests.conftest import count_queries
from tests.factories import EventFactory, SponsorFactory, SponsorshipFactory, image_bytes

SPONSORS_URL = reverse("sponsors:list")


def media_files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def with_logo(sponsor: Sponsor) -> Sponsor:
    sponsor.logo.save("logo.webp", ContentFile(image_bytes("WEBP", (400, 200))), save=True)
    return sponsor


# /sponsors/


def test_sponsor_list_groups_active_sponsors_by_tier(client, db):
    SponsorFactory(name="Argent Un", tier=Sponsor.Tier.SILVER)
    SponsorFactory(name="Or Un", tier=Sponsor.Tier.GOLD)
    SponsorFactory(name="Partenaire B", tier=Sponsor.Tier.PARTNER)
    SponsorFactory(name="Partenaire A", tier=Sponsor.Tier.PARTNER)
    SponsorFactory(name="Ancien", tier=Sponsor.Tier.PARTNER, is_active=False)

    response = client.get(SPONSORS_URL)

    assert response.status_code == 200
    html = response.content.decode()
    headings = ["Partenaire</h2>", "Partenaire A", "Partenaire B", "Or</h2>", "Or Un"]
    headings += ["Argent</h2>", "Argent Un"]
    positions = [html.index(text) for text in headings]
    assert positions == sorted(positions)
    assert "Ancien" not in html
    assert "Bronze" not in html  # no empty tier


def test_sponsor_list_shows_logo_description_and_link(client, db):
    sponsor = with_logo(
        SponsorFactory(
            name="Volcans & Co",
            slug="volcans",
            website_url="https://volcans.example.com/",
            description="Hébergeur auvergnat.",
        )
    )

    html = client.get(SPONSORS_URL).content.decode()

    assert f'<img src="/media/{sponsor.logo.name}" alt="Volcans &amp; Co"' in html
    assert '<article class="card h-100" id="volcans" data-testid="sponsor">' in html
    assert "Hébergeur auvergnat." in html
    assert '<a href="https://volcans.example.com/" rel="sponsored noopener">' in html


def test_sponsor_list_shows_the_name_when_there_is_no_logo(client, db):
    SponsorFactory(name="Sans Logo")

    html = client.get(SPONSORS_URL).content.decode()

    assert 'fs-5 text-center">Sans Logo</span>' in html


def test_sponsor_list_when_there_is_none(client, db):
    assert "Aucun partenaire pour l'instant." in client.get(SPONSORS_URL).content.decode()


@pytest.mark.parametrize("n", [1, 6])
def test_sponsor_list_query_count_does_not_grow(client, db, n, django_assert_num_queries):
    for i in range(n):
        with_logo(SponsorFactory(tier=[10, 20, 30][i % 3]))

    with django_assert_num_queries(1):
        response = client.get(SPONSORS_URL)

    assert response.content.decode().count('data-testid="sponsor"') == n


# The event page


def test_event_page_thanks_the_evenings_sponsors(client, event):
    SponsorshipFactory(
        event=event,
        sponsor=SponsorFactory(name="Gold Corp", tier=Sponsor.Tier.GOLD),
        provides_venue=True,
        provides_food=False,
        provides_drinks=True,
        thanks="Merci à Gold Corp qui nous accueille !",
    )
    SponsorshipFactory(
        event=event,
        sponsor=SponsorFactory(name="Ancien Partenaire", is_active=False),
        thanks="",
        provides_food=True,
        provides_livestream=True,
    )
    SponsorshipFactory(sponsor=SponsorFactory(name="Autre Soir"))  # another event

    html = client.get(event.get_absolute_url()).content.decode()

    assert "Merci à ceux qui rendent cette soirée possible" in html
    assert html.count('data-testid="event-sponsor"') == 2
    assert "Merci à Gold Corp qui nous accueille !" in html
    assert "Lieu, boissons</p>" in html
    assert "Repas, diffusion en direct</p>" in html
    assert html.index("Gold Corp") < html.index("Ancien Partenaire")  # by tier
    assert "Autre Soir" not in html


def test_event_page_without_sponsors_has_no_section(client, event):
    html = client.get(event.get_absolute_url()).content.decode()

    assert 'id="event-sponsors"' not in html


def test_past_event_page_thanks_in_the_past_tense(client, db):
    event = EventFactory(past=True)
    SponsorshipFactory(event=event)

    html = client.get(event.get_absolute_url()).content.decode()

    assert "Merci à ceux qui ont rendu cette soirée possible" in html


def test_event_page_query_count_does_not_grow_with_sponsors(client, event):
    # The page also shows other apps' sections (programme...): compare 1 with 5 sponsors.
    SponsorshipFactory(event=event, sponsor=with_logo(SponsorFactory()))
    one = count_queries(client, event.get_absolute_url())
    for _ in range(4):
        SponsorshipFactory(event=event, sponsor=with_logo(SponsorFactory()))

    assert count_queries(client, event.get_absolute_url()) == one
    html = client.get(event.get_absolute_url()).content.decode()
    assert html.count('data-testid="event-sponsor"') == 5


# The home page


def test_home_page_shows_current_partners_only(client, event):
    with_logo(SponsorFactory(name="Partenaire Actif", tier=Sponsor.Tier.PARTNER))
    SponsorFactory(name="Partenaire Parti", tier=Sponsor.Tier.PARTNER, is_active=False)
    SponsorFactory(name="Sponsor Or", tier=Sponsor.Tier.GOLD)

    html = client.get(reverse("home")).content.decode()

    assert html.count('data-testid="home-partner"') == 1
    assert 'alt="Partenaire Actif"' in html
    assert "Partenaire Parti" not in html
    assert "Sponsor Or" not in html
    assert f'<a href="{SPONSORS_URL}">Tous nos partenaires</a>' in html


def test_home_page_query_count_does_not_grow_with_partners(client, event):
    with_logo(SponsorFactory(tier=Sponsor.Tier.PARTNER))
    one = count_queries(client, reverse("home"))
    for _ in range(4):
        with_logo(SponsorFactory(tier=Sponsor.Tier.PARTNER))

    assert count_queries(client, reverse("home")) == one
    html = client.get(reverse("home")).content.decode()
    assert html.count('data-testid="home-partner"') == 5


def test_nav_links_to_the_sponsors_page(client, db):
    html = client.get(reverse("home")).content.decode()

    assert f'<a class="nav-link" href="{SPONSORS_URL}">Partenaires</a>' in html


# Admin


def sponsor_form(**overrides) -> dict:
    data = {
        "name": "Volcans & Co",
        "slug": "",
        "tier": str(Sponsor.Tier.GOLD.value),
        "is_active": "on",
        "website_url": "https://volcans.example.com/",
        "description": "Hébergeur auvergnat.",
        "sponsorships-TOTAL_FORMS": "0",
        "sponsorships-INITIAL_FORMS": "0",
        "sponsorships-MIN_NUM_FORMS": "0",
        "sponsorships-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_admin_adds_a_sponsor_with_a_transparent_logo(organizer_client, settings):
    logo = image_bytes("WEBP", (1000, 400), mode="RGBA", color=(0, 0, 0, 0), lossless=True)

    response = organizer_client.post(
        reverse("admin:sponsors_sponsor_add"),
        sponsor_form(logo_upload=SimpleUploadedFile("logo.webp", logo)),
    )

    assert response.status_code == 302
    sponsor = Sponsor.objects.get()
    assert sponsor.slug == "volcans-co"
    assert sponsor.logo.name.startswith("sponsors/")
    assert media_files(settings) == [sponsor.logo.name]
    stored = Image.open(Path(settings.MEDIA_ROOT) / sponsor.logo.name)
    assert (stored.format, stored.size, stored.mode) == ("WEBP", (400, 160), "RGBA")
    assert stored.getpixel((0, 0))[3] == 0


def test_admin_refuses_a_renamed_pdf_logo_and_stores_nothing(organizer_client, settings):
    response = organizer_client.post(
        reverse("admin:sponsors_sponsor_add"),
        sponsor_form(logo_upload=SimpleUploadedFile("logo.png", b"%PDF-1.4\n%%EOF\n")),
    )

    assert response.status_code == 200
    message = (
        "Ce fichier n'est pas une image PNG, JPEG ou WebP. Le contenu du fichier est vérifié, "
        "pas son nom : un PDF, un SVG ou un GIF renommé est refusé."
    )
    assert response.context["adminform"].form.errors["logo_upload"] == [message]
    assert escape(message) in response.content.decode()
    assert Sponsor.objects.count() == 0
    assert media_files(settings) == []


def test_admin_replaces_a_logo_and_deletes_the_old_file(
    organizer_client, settings, django_capture_on_commit_callbacks
):
    sponsor = with_logo(SponsorFactory(name="Volcans & Co", slug="volcans"))
    old = sponsor.logo.name

    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(
            reverse("admin:sponsors_sponsor_change", args=[sponsor.pk]),
            sponsor_form(
                slug="volcans",
                logo_upload=SimpleUploadedFile("new.png", image_bytes("PNG", (200, 100))),
            ),
        )

    assert response.status_code == 302
    sponsor.refresh_from_db()
    assert sponsor.logo.name != old
    assert media_files(settings) == [sponsor.logo.name]


def test_admin_removes_a_logo(organizer_client, settings, django_capture_on_commit_callbacks):
    sponsor = with_logo(SponsorFactory(slug="volcans"))

    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(
            reverse("admin:sponsors_sponsor_change", args=[sponsor.pk]),
            sponsor_form(slug="volcans", remove_logo="on"),
        )

    sponsor.refresh_from_db()
    assert sponsor.logo.name == ""
    assert media_files(settings) == []


def test_admin_refuses_a_slug_already_taken(organizer_client, db):
    SponsorFactory(slug="volcans-co")

    response = organizer_client.post(reverse("admin:sponsors_sponsor_add"), sponsor_form())

    assert response.context["adminform"].form.errors["slug"] == [
        "L'adresse « volcans-co » est déjà prise : choisissez-en une autre."
    ]
    assert Sponsor.objects.count() == 1


def test_admin_adds_a_sponsorship_from_the_sponsor_page(organizer_client, event):
    response = organizer_client.post(
        reverse("admin:sponsors_sponsor_add"),
        sponsor_form(
            **{
                "sponsorships-TOTAL_FORMS": "1",
                "sponsorships-0-event": str(event.pk),
                "sponsorships-0-provides_food": "on",
                "sponsorships-0-thanks": "Merci pour les pizzas !",
            }
        ),
    )

    assert response.status_code == 302
    sponsorship = Sponsorship.objects.get()
    assert (sponsorship.event, sponsorship.sponsor.name) == (event, "Volcans & Co")
    assert sponsorship.contributions() == ["repas"]
    assert sponsorship.thanks == "Merci pour les pizzas !"


def test_admin_event_page_has_the_sponsorship_inline(organizer_client, event):
    SponsorshipFactory(event=event, sponsor=SponsorFactory(name="Gold Corp"))

    response = organizer_client.get(reverse("admin:events_event_change", args=[event.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Sponsors de la soirée" in html
    assert 'name="sponsorships-TOTAL_FORMS" value="1"' in html
    assert "Gold Corp" in html


def test_admin_sponsor_list_page(organizer_client, event):
    SponsorshipFactory(event=event, sponsor=with_logo(SponsorFactory(name="Gold Corp")))

    response = organizer_client.get(reverse("admin:sponsors_sponsor_changelist"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Gold Corp" in html
    assert 'height="40">' in html


def test_admin_list_page_deactivates_a_sponsor(organizer_client, db):
    sponsor = SponsorFactory(is_active=True)

    response = organizer_client.post(
        reverse("admin:sponsors_sponsor_changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(sponsor.pk),
            "_save": "Enregistrer",
        },
    )

    assert response.status_code == 302
    sponsor.refresh_from_db()
    assert sponsor.is_active is False


def test_admin_deleting_a_sponsor_deletes_its_logo(
    organizer_client, settings, django_capture_on_commit_callbacks
):
    sponsor = with_logo(SponsorFactory())
    assert media_files(settings) == [sponsor.logo.name]

    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(
            reverse("admin:sponsors_sponsor_delete", args=[sponsor.pk]), {"post": "yes"}
        )

    assert response.status_code == 302
    assert Sponsor.objects.count() == 0
    assert media_files(settings) == []


def test_admin_deleting_sponsors_in_bulk_deletes_their_logos(
    organizer_client, settings, django_capture_on_commit_callbacks
):
    sponsors = [with_logo(SponsorFactory()), with_logo(SponsorFactory())]

    with django_capture_on_commit_callbacks(execute=True):
        organizer_client.post(
            reverse("admin:sponsors_sponsor_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [str(s.pk) for s in sponsors],
                "post": "yes",
            },
        )

    assert Sponsor.objects.count() == 0
    assert media_files(settings) == []
