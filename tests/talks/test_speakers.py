"""Speaker profiles: identity by slug, the member's own profile, photos, mentors."""

import io
import os
from io import BytesIO

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from talks.models import Speaker, Talk
from talks.services import speaker_for_member
from tests.conftest import text
from tests.factories import EventFactory, SpeakerFactory, TalkFactory, UserFactory


def image_file(image_format: str, name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "#1d3557").save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# Identity -------------------------------------------------------------------


def test_speaker_for_member_creates_profile_from_account(member):
    member.bio = "Développeuse."
    member.github_url = "https://github.com/camille"
    member.save()

    speaker = speaker_for_member(member=member)

    assert (speaker.name, speaker.slug, speaker.user) == ("Camille", "camille", member)
    assert (speaker.bio, speaker.github_url) == ("Développeuse.", "https://github.com/camille")
    assert speaker_for_member(member=member) == speaker


def test_speaker_for_member_never_links_an_archive_namesake(member, run_on_commit):
    """Was: the archive speaker of the same name was linked at once (a takeover)."""
    archive = SpeakerFactory(name="CAMILLE", bio="Déjà venue en 2014.")

    with run_on_commit():
        speaker = speaker_for_member(member=member)

    assert (speaker.name, speaker.slug, speaker.user) == ("Camille", "camille-2", member)
    archive.refresh_from_db()
    assert (archive.user, archive.bio) == (None, "Déjà venue en 2014.")
    assert mail.outbox == []


def test_two_accounts_with_the_same_name_get_two_profiles(member):
    twin = UserFactory(display_name="Camille", email="autre.camille@example.org")
    first = speaker_for_member(member=member)

    second = speaker_for_member(member=twin)

    assert (first.slug, second.slug, second.user) == ("camille", "camille-2", twin)


# The member's own profile page ------------------------------------------------


def test_speaker_profile_page_without_profile_offers_to_create(member_client):
    page = text(member_client.get(reverse("talks:speaker-profile")))

    assert "Créer mon profil</button>" in page
    assert "ne sont jamais reliés d'office à un compte, même quand le nom est le même" in page


def test_speaker_profile_created_on_demand(member, member_client):
    response = member_client.post(reverse("talks:speaker-profile"))

    assert response.status_code == 302
    assert Speaker.objects.get(user=member).name == "Camille"


def test_speaker_profile_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("talks:speaker-profile"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def profile_data(**changes) -> dict:
    return {
        "name": "Camille Martin",
        "bio": "Développeuse **Rust**.",
        "website_url": "camille.example.org",
        "mastodon_url": "",
        "bluesky_url": "",
        "github_url": "",
        "gitlab_url": "",
        "linkedin_url": "",
        **changes,
    }


def test_speaker_profile_edit_saves_and_renames(member_speaker, member_client):
    response = member_client.post(
        reverse("talks:speaker-profile"), profile_data(photo=image_file("PNG"))
    )

    assert response.status_code == 302
    member_speaker.refresh_from_db()
    assert (member_speaker.name, member_speaker.slug) == ("Camille Martin", "camille-martin")
    assert member_speaker.website_url == "https://camille.example.org"
    assert member_speaker.photo.name.startswith("speakers/camille-martin-")
    assert member_speaker.photo.name.endswith(".webp")


def test_speaker_profile_name_of_someone_else_is_refused(member_speaker, member_client):
    SpeakerFactory(name="Camille Martin")

    response = member_client.post(reverse("talks:speaker-profile"), profile_data())

    assert response.status_code == 400
    assert "Un autre profil d&#x27;intervenant·e porte déjà ce nom." in response.content.decode()
    member_speaker.refresh_from_db()
    assert member_speaker.name == "Camille"


BANNED = (
    "Votre compte ne permet plus de participer aux propositions de Clermont'ech. "
    "Pour en parler, écrivez aux organisateurs."
)


def test_speaker_profile_banned_member_sees_why_and_cannot_edit(
    member, member_speaker, member_client
):
    member_speaker.bio = "Ma présentation."
    member_speaker.save()
    member.banned_at = timezone.now()
    member.save()

    page = member_client.get(reverse("talks:speaker-profile"))
    response = member_client.post(
        reverse("talks:speaker-profile"), profile_data(bio="Réécrite après l'exclusion.")
    )

    assert page.status_code == 200
    assert BANNED in text(page)
    assert 'name="bio"' not in page.content.decode()
    assert response.status_code == 403
    assert BANNED in text(response)
    member_speaker.refresh_from_db()
    assert (member_speaker.name, member_speaker.bio) == ("Camille", "Ma présentation.")


def test_speaker_profile_banned_member_without_profile_gets_none(member, member_client):
    member.banned_at = timezone.now()
    member.save()

    page = member_client.get(reverse("talks:speaker-profile"))
    response = member_client.post(reverse("talks:speaker-profile"))

    assert BANNED in text(page)
    assert response.status_code == 403
    assert not Speaker.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            lambda: image_file("GIF", "anim.gif"),
            "Ce fichier n'est pas une image PNG, JPEG ou WebP.",
        ),
        (
            lambda: SimpleUploadedFile(
                "photo.png", b"<svg onload=alert(1)>", content_type="image/png"
            ),
            "Téléversez une image valide.",
        ),
        (
            lambda: SimpleUploadedFile(
                "big.png",
                image_file("PNG").read() + b"\0" * (5 * 1024 * 1024),
                content_type="image/png",
            ),
            "Ce fichier pèse 5,0\xa0Mio : le maximum est 5,0\xa0Mio.",
        ),
    ],
)
def test_speaker_photo_is_checked(member_speaker, member_client, upload, message):
    response = member_client.post(reverse("talks:speaker-profile"), profile_data(photo=upload()))

    assert response.status_code == 400
    assert message in text(response)
    member_speaker.refresh_from_db()
    assert not member_speaker.photo


@pytest.mark.parametrize("image_format", ["JPEG", "WEBP", "PNG"])
def test_speaker_photo_is_reencoded_square_without_metadata(
    member_speaker, member_client, image_format
):
    exif = Image.Exif()
    exif[0x010F] = "Appareil photo"  # Make
    exif[0x8825] = {2: (45.0, 46.0, 26.0)}  # GPSInfo: a latitude
    source = BytesIO()
    Image.new("RGB", (900, 600), (10, 120, 200)).save(source, image_format, exif=exif)
    upload = SimpleUploadedFile("x.png", source.getvalue(), content_type="image/png")

    member_client.post(reverse("talks:speaker-profile"), profile_data(photo=upload))

    member_speaker.refresh_from_db()
    assert member_speaker.photo.name.endswith(".webp")
    with Image.open(member_speaker.photo.path) as stored:
        assert (stored.format, stored.size) == ("WEBP", (400, 400))
        assert not stored.getexif()


def test_replacing_the_photo_deletes_the_old_file(
    member_speaker, member_client, django_capture_on_commit_callbacks
):
    member_client.post(reverse("talks:speaker-profile"), profile_data(photo=image_file("PNG")))
    member_speaker.refresh_from_db()
    old_path = member_speaker.photo.path

    with django_capture_on_commit_callbacks(execute=True):
        member_client.post(reverse("talks:speaker-profile"), profile_data(photo=image_file("PNG")))

    member_speaker.refresh_from_db()
    assert member_speaker.photo.path != old_path
    assert not os.path.exists(old_path)


def test_speaker_photo_shows_on_public_pages(member_speaker, member_client, client, event):
    member_client.post(reverse("talks:speaker-profile"), profile_data(photo=image_file("PNG")))
    member_speaker.refresh_from_db()
    talk = TalkFactory(status=Talk.Status.CONFIRMED, event=event, speakers=[member_speaker])

    html = client.get(talk.get_absolute_url()).content.decode()

    assert f'<img src="/media/{member_speaker.photo.name}" alt="" width="96" height="96"' in html


# Mentors ----------------------------------------------------------------------


def test_mentor_choice_only_for_past_speakers(member_speaker, member_client):
    page = member_client.get(reverse("talks:speaker-profile")).content.decode()
    member_client.post(reverse("talks:speaker-profile"), profile_data(is_mentor="on"))

    assert 'name="is_mentor"' not in page
    assert "Après votre premier talk à une API Hour" in page
    member_speaker.refresh_from_db()
    assert member_speaker.is_mentor is False


def test_past_speaker_volunteers_as_mentor(member_speaker, member_client, client):
    TalkFactory(
        status=Talk.Status.CONFIRMED, event=EventFactory(past=True), speakers=[member_speaker]
    )

    member_client.post(
        reverse("talks:speaker-profile"),
        profile_data(is_mentor="on", mentor_topics="Les slides, le trac"),
    )

    member_speaker.refresh_from_db()
    assert (member_speaker.is_mentor, member_speaker.mentor_topics) == (True, "Les slides, le trac")
    html = client.get(member_speaker.get_absolute_url()).content.decode()
    assert "Peut aider sur : Les slides, le trac." in html


# The admin ------------------------------------------------------------------------


def test_admin_speaker_add_derives_slug_and_refuses_namesake(organizer_client, admin_form):
    SpeakerFactory(name="Ada Lovelace")
    url = reverse("admin:talks_speaker_add")

    response = organizer_client.post(
        url, admin_form(organizer_client, url, "speaker_form", name="Ada LOVELACE", slug="")
    )

    assert "Un profil porte déjà ce nom : c&#x27;est la même personne" in response.content.decode()
    assert Speaker.objects.count() == 1


def test_admin_speaker_add_refuses_gif_photo(organizer_client, admin_form):
    url = reverse("admin:talks_speaker_add")
    data = admin_form(
        organizer_client, url, "speaker_form", name="Grace Hopper", slug="grace-hopper"
    )

    response = organizer_client.post(url, {**data, "photo": image_file("GIF", "g.gif")})

    assert "Ce fichier n&#x27;est pas une image PNG, JPEG ou WebP." in response.content.decode()
    assert not Speaker.objects.exists()
