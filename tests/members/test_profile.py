"""/members/me/ (the member's own profile) and /members/<id>/ (the public page)."""

import os
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from PIL import ExifTags, Image

from events.forms import RSVPForm
from events.models import RSVP, Diet
from members.models import User
from tests.conftest import count_queries, text
from tests.core.test_images import BROKEN, NOT_AN_IMAGE, TOO_MANY_PIXELS
from tests.factories import (
    EventFactory,
    RSVPFactory,
    SpeakerFactory,
    UserFactory,
    black_and_white_png,
    image_bytes,
)

PROFILE_URL = reverse("members:profile")


def profile_data(**overrides) -> dict:
    data = {
        "display_name": "Camille Martin",
        "bio": "Développeuse Python à Clermont.",
        "website_url": "https://camille.example.org/",
        "mastodon_url": "https://piaille.fr/@camille",
        "github_url": "https://github.com/camille",
        "linkedin_url": "https://www.linkedin.com/in/camille",
        "default_diet": "",
        "default_diet_notes": "",
        "receives_announcements": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def media_files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def stored_image(settings, name: str) -> Image.Image:
    image = Image.open(Path(settings.MEDIA_ROOT) / name)
    image.load()
    return image


def png_upload(size=(800, 600), name="moi.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG", size), content_type="image/png")


# The page itself


def test_profile_asks_anonymous_visitors_to_log_in(client):
    response = client.get(PROFILE_URL)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={PROFILE_URL}"


def test_profile_shows_the_members_details_and_form(member_client, member):
    member.bio = "J'aime les API."
    member.github_url = "https://github.com/camille"
    member.save()

    response = member_client.get(PROFILE_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Mon profil</h1>" in html
    assert escape("J'aime les API.") in html
    assert '<a href="https://github.com/camille" rel="me nofollow noopener ugc">GitHub</a>' in html
    assert "Votre profil est privé : seuls les organisateurs le voient." in html
    assert 'enctype="multipart/form-data"' in html
    assert response.context["form"].initial["display_name"] == "Camille"


def test_profile_saves_the_members_details(member_client, member):
    response = member_client.post(
        PROFILE_URL, profile_data(profile_public="on", default_diet=Diet.VEGETARIAN)
    )

    assert response.status_code == 302
    assert response.url == PROFILE_URL
    member.refresh_from_db()
    assert member.display_name == "Camille Martin"
    assert member.bio == "Développeuse Python à Clermont."
    assert member.website_url == "https://camille.example.org/"
    assert member.mastodon_url == "https://piaille.fr/@camille"
    assert member.github_url == "https://github.com/camille"
    assert member.linkedin_url == "https://www.linkedin.com/in/camille"
    assert member.default_diet == Diet.VEGETARIAN
    assert member.receives_announcements is True
    assert member.profile_public is True
    page = member_client.get(PROFILE_URL).content.decode()
    assert "Votre profil est enregistré." in page
    assert "Votre profil est public." in page


def test_profile_saves_unticked_boxes_as_off(member_client, member):
    member_client.post(PROFILE_URL, profile_data(receives_announcements=None))

    member.refresh_from_db()
    assert member.receives_announcements is False
    assert member.profile_public is False


def test_profile_adds_https_to_a_link_typed_without_it(member_client, member):
    member_client.post(PROFILE_URL, profile_data(website_url="camille.example.org"))

    member.refresh_from_db()
    assert member.website_url == "https://camille.example.org"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("github_url", "https://gitlab.com/camille", "Indiquez une adresse sur github.com."),
        (
            "linkedin_url",
            "https://x.example/linkedin.com",
            "Indiquez une adresse sur linkedin.com.",
        ),
        (
            "website_url",
            "ftp://camille.example.org/",
            "Indiquez une adresse qui commence par https://",
        ),
        ("display_name", "   ", "Ce champ est obligatoire."),
        ("default_diet", "vide", "Sélectionnez un choix valide. vide n’en fait pas partie."),
    ],
)
def test_profile_refuses_a_bad_value_with_a_message(member_client, member, field, value, message):
    before = User.objects.values().get(pk=member.pk)

    response = member_client.post(PROFILE_URL, profile_data(**{field: value}))

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert escape(message) in response.content.decode()
    assert User.objects.values().get(pk=member.pk) == before


def test_profile_requires_notes_for_an_other_diet(member_client, member):
    response = member_client.post(PROFILE_URL, profile_data(default_diet=Diet.OTHER))

    assert response.status_code == 400
    assert response.context["form"].errors["default_diet_notes"] == [
        "Précisez votre régime ou vos allergies."
    ]
    member.refresh_from_db()
    assert member.default_diet == ""


def test_profile_keeps_diet_notes_only_for_an_other_diet(member_client, member):
    member_client.post(
        PROFILE_URL, profile_data(default_diet=Diet.VEGAN, default_diet_notes="sans noix")
    )

    member.refresh_from_db()
    assert (member.default_diet, member.default_diet_notes) == (Diet.VEGAN, "")


# Avatar


def test_profile_stores_an_uploaded_avatar_and_shows_it(member_client, member, settings):
    response = member_client.post(PROFILE_URL, profile_data(avatar=png_upload()))

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.avatar.name.startswith("avatars/")
    assert member.avatar.name.endswith("_400x400.webp")
    assert member.avatar_thumb.name.endswith("_96x96.webp")
    assert media_files(settings) == sorted([member.avatar.name, member.avatar_thumb.name])
    avatar = stored_image(settings, member.avatar.name)
    assert (avatar.format, avatar.size) == ("WEBP", (400, 400))
    assert stored_image(settings, member.avatar_thumb.name).size == (96, 96)
    page = member_client.get(PROFILE_URL).content.decode()
    assert f'<img src="/media/{member.avatar.name}" width="160" height="160"' in page


def test_profile_accepts_a_large_photo_streamed_to_a_temporary_file(
    member_client, member, settings
):
    # Over FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), Django keeps the upload in a temporary file.
    noise = Image.frombytes("RGB", (1000, 1000), os.urandom(3_000_000))
    out = BytesIO()
    noise.save(out, "PNG")
    assert 2_621_440 < len(out.getvalue()) < settings.IMAGE_UPLOAD_MAX_BYTES

    response = member_client.post(
        PROFILE_URL, profile_data(avatar=SimpleUploadedFile("big.png", out.getvalue()))
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert stored_image(settings, member.avatar.name).size == (400, 400)


def test_profile_strips_exif_and_gps_from_an_avatar(member_client, member, settings):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneCorp"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (45.0, 46.0, 30.0),
    }
    photo = SimpleUploadedFile("photo.jpg", image_bytes("JPEG", (640, 480), exif=exif))

    member_client.post(PROFILE_URL, profile_data(avatar=photo))

    member.refresh_from_db()
    for name in (member.avatar.name, member.avatar_thumb.name):
        image = stored_image(settings, name)
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
        assert b"PhoneCorp" not in (Path(settings.MEDIA_ROOT) / name).read_bytes()


def test_profile_replaces_an_avatar_and_deletes_the_old_files(
    member_client, member, settings, django_capture_on_commit_callbacks
):
    member_client.post(PROFILE_URL, profile_data(avatar=png_upload()))
    member.refresh_from_db()
    old = sorted([member.avatar.name, member.avatar_thumb.name])

    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(PROFILE_URL, profile_data(avatar=png_upload((300, 500))))

    member.refresh_from_db()
    new = sorted([member.avatar.name, member.avatar_thumb.name])
    assert set(new).isdisjoint(old)
    assert media_files(settings) == new


def test_profile_offers_to_remove_an_avatar_only_when_there_is_one(member_client, member):
    assert "remove_avatar" not in member_client.get(PROFILE_URL).context["form"].fields

    member_client.post(PROFILE_URL, profile_data(avatar=png_upload()))

    assert "remove_avatar" in member_client.get(PROFILE_URL).context["form"].fields


def test_profile_removes_the_avatar(
    member_client, member, settings, django_capture_on_commit_callbacks
):
    member_client.post(PROFILE_URL, profile_data(avatar=png_upload()))

    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(PROFILE_URL, profile_data(remove_avatar="on"))

    member.refresh_from_db()
    assert (member.avatar.name, member.avatar_thumb.name) == ("", "")
    assert media_files(settings) == []
    page = member_client.get(PROFILE_URL).content.decode()
    assert '<img src="/static/img/avatar.svg" width="160" height="160"' in page


def test_profile_refuses_to_upload_and_remove_at_once(member_client, member, settings):
    member_client.post(PROFILE_URL, profile_data(avatar=png_upload()))
    member.refresh_from_db()
    stored = media_files(settings)

    response = member_client.post(
        PROFILE_URL, profile_data(avatar=png_upload(), remove_avatar="on")
    )

    assert response.status_code == 400
    assert response.context["form"].errors["remove_avatar"] == [
        "Choisissez : envoyer un nouvel avatar ou supprimer l'actuel, pas les deux."
    ]
    assert media_files(settings) == stored == sorted([member.avatar.name, member.avatar_thumb.name])


def _truncated_jpeg() -> bytes:
    noise = Image.effect_noise((300, 300), 60).convert("RGB")
    out = BytesIO()
    noise.save(out, "JPEG")
    return out.getvalue()[:3000]


REFUSED_UPLOADS = {
    "renamed-pdf": ("moi.png", lambda: b"%PDF-1.4\n%%EOF\n", NOT_AN_IMAGE),
    "svg": (
        "moi.svg",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        NOT_AN_IMAGE,
    ),
    "decompression-bomb": ("moi.png", lambda: black_and_white_png(12000, 12000), TOO_MANY_PIXELS),
    "truncated": ("moi.jpg", _truncated_jpeg, BROKEN),
    "20000x20000": ("moi.png", lambda: black_and_white_png(20000, 20000), TOO_MANY_PIXELS),
}  # fmt: skip


@pytest.mark.parametrize("kind", REFUSED_UPLOADS)
def test_profile_refuses_a_bad_avatar_and_stores_nothing(member_client, member, settings, kind):
    name, make, message = REFUSED_UPLOADS[kind]
    before = User.objects.values().get(pk=member.pk)

    response = member_client.post(
        PROFILE_URL, profile_data(avatar=SimpleUploadedFile(name, make()))
    )

    assert response.status_code == 400
    assert response.context["form"].errors["avatar"] == [message]
    html = response.content.decode()
    assert escape(message) in html
    assert "Votre profil n&#x27;a pas été enregistré : voir ci-dessous." in html
    assert User.objects.values().get(pk=member.pk) == before  # not even the display name
    assert media_files(settings) == []


def test_profile_refuses_an_avatar_over_the_size_limit(member_client, member, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 2000
    noise = Image.effect_noise((100, 100), 80).convert("RGB")
    out = BytesIO()
    noise.save(out, "PNG")
    photo = SimpleUploadedFile("moi.png", out.getvalue())
    before = User.objects.values().get(pk=member.pk)

    response = member_client.post(PROFILE_URL, profile_data(avatar=photo))

    assert response.status_code == 400
    size = f"{len(out.getvalue()) / 1024:.1f}".replace(".", ",")
    assert response.context["form"].errors["avatar"] == [
        f"Ce fichier pèse {size}\N{NO-BREAK SPACE}Kio : le maximum est 2,0\N{NO-BREAK SPACE}Kio."
    ]
    assert User.objects.values().get(pk=member.pk) == before
    assert media_files(settings) == []


def test_profile_stores_nothing_when_another_field_is_wrong(member_client, member, settings):
    response = member_client.post(
        PROFILE_URL, profile_data(avatar=png_upload(), github_url="https://gitlab.com/x")
    )

    assert response.status_code == 400
    member.refresh_from_db()
    assert member.avatar.name == ""
    assert media_files(settings) == []


# RSVPs and past evenings on the profile


def test_profile_lists_upcoming_rsvps_and_past_evenings(member_client, member):
    soon = EventFactory(title="API Hour #1 bientôt")
    later = EventFactory(
        title="API Hour #2 plus tard", starts_at=timezone.now() + timedelta(days=40)
    )
    waiting = EventFactory(title="API Hour #3 complet")
    attended = EventFactory(past=True, title="API Hour #0 passée")
    missed = EventFactory(past=True, title="API Hour #-1 annulée à temps")
    RSVPFactory(event=later, member=member)
    RSVPFactory(event=soon, member=member)
    RSVPFactory(event=waiting, member=member, status=RSVP.Status.WAITLISTED)
    RSVPFactory(event=attended, member=member)
    RSVPFactory(event=missed, member=member, status=RSVP.Status.CANCELLED)
    RSVPFactory(event=EventFactory(title="Pas pour moi"))  # someone else's

    response = member_client.get(PROFILE_URL)

    [evenings] = [
        item["section"]
        for item in response.context["sections"]
        if "upcoming_rsvps" in item["section"]
    ]  # the section the events app gives the member's page
    upcoming = [r.event.title for r in evenings["upcoming_rsvps"]]
    past = [r.event.title for r in evenings["past_rsvps"]]
    assert upcoming == ["API Hour #1 bientôt", "API Hour #3 complet", "API Hour #2 plus tard"]
    assert past == ["API Hour #0 passée"]
    html = response.content.decode()
    assert html.count('data-testid="upcoming-rsvp"') == 3
    assert html.count('data-testid="past-rsvp"') == 1
    assert "Liste d'attente" in html


def test_profile_query_count_does_not_grow_with_rsvps(member_client, member):
    RSVPFactory(event=EventFactory(), member=member)
    RSVPFactory(event=EventFactory(past=True), member=member)
    one = count_queries(member_client, PROFILE_URL)
    for _ in range(4):
        RSVPFactory(event=EventFactory(), member=member)
        RSVPFactory(event=EventFactory(past=True), member=member)

    assert count_queries(member_client, PROFILE_URL) == one
    html = member_client.get(PROFILE_URL).content.decode()
    assert html.count('data-testid="upcoming-rsvp"') == 5
    assert html.count('data-testid="past-rsvp"') == 5


# Who sees a member's page


def _other_clients(request, who: str) -> Client:
    if who == "anonymous":
        return Client()
    return request.getfixturevalue(f"{who}_client")


@pytest.mark.parametrize(
    ("who", "private_status", "public_status"),
    [
        ("anonymous", 404, 200),
        ("member", 200, 200),  # the member themself
        ("outsider", 404, 200),  # another member
        ("organizer", 200, 200),
    ],
)
def test_member_page_visibility(request, member, who, private_status, public_status):
    client = _other_clients(request, who)
    url = reverse("members:detail", args=[member.pk])

    assert client.get(url).status_code == private_status
    member.profile_public = True
    member.save()
    response = client.get(url)
    assert response.status_code == public_status
    assert '<h1 id="member-name">Camille</h1>' in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 404), ("outsider", 404), ("organizer", 200)]
)
def test_member_page_of_a_banned_member_is_never_public(request, member, who, status):
    member.profile_public = True
    member.banned_at = timezone.now()
    member.save()

    response = _other_clients(request, who).get(reverse("members:detail", args=[member.pk]))

    assert response.status_code == status
    if status == 200:
        assert "Ce membre est exclu : son profil n'est jamais public." in response.content.decode()


def test_member_page_tells_the_member_their_profile_is_private(member_client, member):
    response = member_client.get(reverse("members:detail", args=[member.pk]))

    assert (
        "Votre profil est privé : seuls vous et les organisateurs voyez cette page."
        in response.content.decode()
    )


def test_member_page_shows_bio_and_links(client, db):
    member = UserFactory(
        display_name="Alex",
        profile_public=True,
        bio="J'aime **Python**.\n\n<script>alert(1)</script>Deuxième paragraphe",
        mastodon_url="https://piaille.fr/@alex",
    )

    html = client.get(reverse("members:detail", args=[member.pk])).content.decode()

    # Markdown, as in the talk form (one format everywhere), sanitised by nh3.
    assert "<p>J'aime <strong>Python</strong>.</p>" in html
    assert "**Python**" not in html and "<script>alert" not in html
    assert "Deuxième paragraphe" in html
    assert '<a href="https://piaille.fr/@alex" rel="me nofollow noopener ugc">Mastodon</a>' in html
    assert "Profil privé" not in html


def test_member_page_404_for_an_unknown_member(organizer_client):
    assert organizer_client.get(reverse("members:detail", args=[999999])).status_code == 404


# The RSVP form is prefilled from the profile


def test_rsvp_form_prefers_the_profile_diet(member):
    RSVPFactory(member=member, diet=Diet.NO_PORK)
    member.default_diet = Diet.OTHER
    member.default_diet_notes = "allergie aux arachides"

    assert RSVPForm.initial_for(member) == {
        "diet": Diet.OTHER,
        "diet_notes": "allergie aux arachides",
    }


def test_rsvp_form_falls_back_on_the_previous_rsvp(member):
    RSVPFactory(member=member, diet=Diet.NO_PORK)

    assert RSVPForm.initial_for(member) == {"diet": Diet.NO_PORK, "diet_notes": ""}


def test_rsvp_form_defaults_to_no_diet(member):
    assert RSVPForm.initial_for(member) == {"diet": Diet.NONE}


def test_event_page_prefills_the_rsvp_form_from_the_profile(member_client, member, event):
    member.default_diet = Diet.VEGAN
    member.save()

    html = member_client.get(event.get_absolute_url()).content.decode()

    assert '<input type="radio" name="diet" value="vegan" id="id_diet_2" required checked>' in html
    assert html.count(" checked>") == 1


def test_profile_page_links_to_data_export_and_account_deletion(member_client):
    page = text(member_client.get(reverse("members:profile")))

    assert f'href="{reverse("community:export")}"' in page
    assert f'href="{reverse("community:delete")}"' in page
    assert "Supprimer mon compte" in page


def test_bio_has_the_same_help_text_in_the_profile_and_the_talk_form(member_client):
    profile = text(member_client.get(PROFILE_URL))
    proposal = text(member_client.get(reverse("talks:propose")))

    help_text = "Quelques lignes sur vous, en Markdown : **gras**, *italique*"
    assert help_text in profile and help_text in proposal


def test_bio_written_in_the_profile_shows_as_markdown_on_the_speaker_page(member_client, member):
    member.bio = "Développeuse **Python** à Clermont."
    member.save(update_fields=["bio"])
    speaker = SpeakerFactory(user=member, bio=member.bio)

    url = reverse("talks:speaker-detail", kwargs={"slug": speaker.slug})

    page = member_client.get(url).content.decode()  # their own page: no public talk yet

    assert "Développeuse <strong>Python</strong> à Clermont." in page
