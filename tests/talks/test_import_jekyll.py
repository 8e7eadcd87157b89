"""`manage.py import_jekyll`: the old site's archive becomes events, talks and speakers.

The fixture site (tests/talks/jekyll_fixtures) is written in the old site's format: every
date format of the archive, co-speakers, HTML entities, two spellings of one speaker,
Liquid tags, and three malformed posts.
"""

import shutil
import subprocess
import sys
from datetime import datetime
from io import BytesIO, StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image

from benchmarks.jekyll_site import write_site
from events.models import RSVP, Event, Venue
from talks.models import ImportedPost, Speaker, Talk, TalkSpeaker, TalkStatusChange
from tests.conftest import count_queries, text
from tests.factories import EventFactory, SpeakerFactory, TalkFactory, UserFactory

FIXTURES = Path(__file__).parent / "jekyll_fixtures"
PARIS = ZoneInfo("Europe/Paris")
MALFORMED = [
    "2014-01-01-broken-front-matter.md : en-tête YAML illisible (ligne 5)",
    "2014-01-02-unknown-layout.md : mise en page inconnue « conference »",
    "2014-01-03-talk-without-title.md : pas de titre",
]


def run_import(site=FIXTURES, *options) -> str:
    out = StringIO()
    call_command("import_jekyll", str(site), *options, stdout=out)
    return out.getvalue()


@pytest.fixture
def site(tmp_path):
    """A copy of the fixture site that a test may edit."""
    copy = tmp_path / "site"
    shutil.copytree(FIXTURES, copy)
    return copy


def edit_post(site: Path, name: str, old: str, new: str) -> None:
    path = site / "_posts" / name
    content = path.read_text()
    assert old in content
    path.write_text(content.replace(old, new))


def snapshot() -> dict:
    return {
        "events": list(Event.objects.order_by("pk").values()),
        "venues": list(Venue.objects.order_by("pk").values()),
        "talks": list(Talk.objects.order_by("pk").values()),
        "speakers": list(Speaker.objects.order_by("pk").values()),
        "links": list(TalkSpeaker.objects.order_by("pk").values()),
        "history": list(TalkStatusChange.objects.order_by("pk").values()),
        "records": list(ImportedPost.objects.order_by("pk").values()),
    }


@pytest.mark.django_db
def test_import_creates_events_with_date_venue_capacity_and_photos():
    run_import()

    first = Event.objects.get(slug="api-hour-1")
    assert first.number == 1 and first.title == "Clermont'ech API Hour #1"
    assert first.starts_at == datetime(2013, 4, 3, 19, 0, tzinfo=PARIS)
    assert first.ends_at == datetime(2013, 4, 3, 21, 30, tzinfo=PARIS)
    assert (first.venue.name, first.venue.address) == (
        "SUPINFO",
        "37 Rue Gonod\n63000 Clermont-Ferrand",
    )
    assert first.capacity == 35
    assert first.status == Event.Status.PUBLISHED
    assert first.photos_url == (
        "https://www.flickr.com/photos/96523012@N07/albums/72157633945134494"
    )
    starts = {e.number: e.starts_at for e in Event.objects.all()}
    assert starts == {
        1: datetime(2013, 4, 3, 19, 0, tzinfo=PARIS),
        13: datetime(2015, 3, 1, 18, 30, tzinfo=PARIS),  # "le 1er mars", the post's year
        25: datetime(2017, 1, 12, 19, 0, tzinfo=PARIS),  # "le jeudi 12 janvier", next year
        55: datetime(2023, 5, 5, 19, 0, tzinfo=PARIS),  # 05/05/2023, no time: 19h
        60: datetime(2024, 6, 3, 19, 0, tzinfo=PARIS),
    }
    # SUPINFO hosts #1 and #25: one venue.
    assert sorted(Venue.objects.values_list("name", flat=True)) == [
        "Bivouac",
        "Centre Jean Richepin",
        "La Jetée",
        "SUPINFO",
    ]
    assert Event.objects.get(number=25).venue == first.venue


@pytest.mark.django_db
def test_import_creates_talks_in_programme_order_with_video_and_slides():
    run_import()

    event = Event.objects.get(number=1)
    talks = list(Talk.objects.filter(event=event).in_programme_order())
    # The programme of the event post puts Relax! first, whatever the file names say.
    assert [(t.title, t.position) for t in talks] == [("Relax!", 1), ("Hello Clermont'ech", 2)]
    relax = talks[0]
    assert relax.status == Talk.Status.CONFIRMED
    assert relax.video_url == "https://www.youtube.com/watch?v=8Nk7ziz-hsY&t=90s"
    assert relax.video.start == 90
    assert relax.slides_url == "http://jeanphix.me/relax/"
    assert relax.created_at == event.starts_at
    history = [(c.from_status, c.to_status, c.changed_by) for c in relax.status_changes.all()]
    assert history == [("", Talk.Status.CONFIRMED, None)]
    ficus = Talk.objects.get(title="Ficus UI")
    assert ficus.format == Talk.Format.LONG  # "30 min" in the programme
    assert ficus.video_url == "https://www.youtube.com/watch?v=oMHWVsVjWwk&t=90s"
    assert ficus.slides_url == "https://slides.example.org/ficus"
    assert Talk.objects.get(title="Retour de Devoxx").format == Talk.Format.SHORT


@pytest.mark.django_db
def test_import_splits_co_speakers_and_merges_spellings():
    run_import()

    def names(title):
        return [s.name for s in Talk.objects.get(title=title).speaker_list]

    assert names("Hello Clermont'ech") == ["Julien Maupetit", "Léa Dubois"]  # &amp;
    assert names("Retour de Devoxx") == ["Pierre Colomb", "Olivier Coupelon"]  # et
    assert names("Enquêtes numériques") == ["Rémi Dubourgnoux", "Alexis Guérin"]  # +
    # "Rémi" and "Remi" slugify alike: one speaker, with the accented spelling.
    remi = Speaker.objects.get(slug="remi-dubourgnoux")
    assert remi.name == "Rémi Dubourgnoux"
    assert remi.talks.count() == 2
    assert Speaker.objects.count() == 8
    # author_url kept as a link, in the field it belongs to.
    assert Speaker.objects.get(slug="jean-philippe-serafin").github_url == (
        "https://github.com/jeanphix"
    )
    assert Speaker.objects.get(slug="nicolas-torion").website_url == "https://www.bearstudio.fr/"


@pytest.mark.django_db
def test_report_counts_and_lists_what_it_could_not_understand():
    output = run_import()

    lines = output.splitlines()
    assert lines[:5] == [
        f"Import de {FIXTURES / '_posts'} : 15 billets lus.",
        "API Hours : créés 5, mis à jour 0, inchangés 0",
        "Talks : créés 6, mis à jour 0, inchangés 0",
        "Intervenant·es : créés 8, mis à jour 0, inchangés 0",
        "Lieux : créés 4, réutilisés 1",
    ]
    assert "  - 2015-02-23-retour-workshop-git.md" in lines  # a blog post: ignored
    for line in MALFORMED:
        assert f"  - {line}" in lines
    for line in [
        "2013-03-25-api-hour-1.md : lien vers un billet non importé "
        "« 2013-04-03-9-talk-jamais-publie » : retiré",
        "2015-02-10-api-hour-13.md : adresse du lieu « La Jetée » introuvable",
        "2023-04-20-api-hour-55.md : heure introuvable : 19h retenue",
        # What was taken out of a text is said too (the "Inscription" paragraph with its
        # {% include inscription.html %} among them).
        "2013-03-25-api-hour-1.md : la liste des talks du « Programme » (2 talks, montrés par "
        "le site) ; 3 paragraphes d'inscription par Eventbrite, périmés : le site prend les "
        "inscriptions ; carte (image) ; 1 phrase sur la date et le lieu (affichés en haut de la "
        "page)",
    ]:
        assert f"  - {line}" in lines
    assert "Anciennes adresses redirigées vers les pages importées : 11" in lines
    # Nothing of the malformed posts was written.
    assert not Talk.objects.filter(title__in=["Une mise en page inconnue"]).exists()
    assert not Speaker.objects.filter(name__in=["Sans Titre", "Quelqu'un"]).exists()
    assert ImportedPost.objects.count() == 11


@pytest.mark.django_db
def test_liquid_never_reaches_the_pages(client):
    run_import()

    event_page = text(client.get(reverse("events:detail", kwargs={"slug": "api-hour-1"})))
    relax = Talk.objects.get(title="Relax!")
    talk_page = text(client.get(relax.get_absolute_url()))

    for page in (event_page, talk_page):
        assert "{%" not in page and "{{" not in page and "post_url" not in page
    # {% post_url %} became a link to the imported event; highlight became code.
    assert 'href="/events/api-hour-1/"' in talk_page
    assert "<pre><code>deploy(friday=True)" in talk_page
    # The event page shows the programme from the talks (the prose one is dropped).
    assert event_page.count("Relax!") == 1
    assert "Eventbrite" not in event_page  # the ticket widget frame is gone


@pytest.mark.django_db
def test_pages_show_the_imported_history(client):
    run_import()

    archive = text(client.get(reverse("talks:list")))
    assert "Relax!" in archive and "Ficus UI" in archive
    speaker = text(client.get(reverse("talks:speaker-detail", args=["remi-dubourgnoux"])))
    assert "Enquêtes numériques" in speaker and "La poubelle de Windows" in speaker


@pytest.mark.django_db
def test_second_import_changes_nothing():
    run_import()
    before = snapshot()

    output = run_import()

    assert snapshot() == before
    assert "API Hours : créés 0, mis à jour 0, inchangés 5" in output
    assert "Talks : créés 0, mis à jour 0, inchangés 6" in output
    assert "Intervenant·es : créés 0, mis à jour 0, inchangés 8" in output
    assert "Lieux : créés 0, réutilisés 5" in output


@pytest.mark.django_db
def test_reimport_updates_the_archive_but_keeps_admin_edits(site):
    run_import(site)
    # An organizer fixes a title in the admin; the archive changes two other things.
    relax = Talk.objects.get(title="Relax!")
    relax.title = "Relax ! (mise en production le vendredi)"
    relax.save()
    edit_post(site, "2013-04-03-2-jean-philippe-serafin-relax.md", "title: Relax!", "title: Relax")
    edit_post(site, "2013-04-03-2-jean-philippe-serafin-relax.md", "video_start: 1m30s", "")
    edit_post(site, "2013-03-25-api-hour-1.md", "**35 personnes**", "**40 personnes**")

    output = run_import(site)

    relax.refresh_from_db()
    assert relax.title == "Relax ! (mise en production le vendredi)"  # kept
    assert relax.video_url == "https://www.youtube.com/watch?v=8Nk7ziz-hsY"  # updated
    assert Event.objects.get(number=1).capacity == 40
    assert "Talks : créés 0, mis à jour 1, inchangés 5" in output
    assert "API Hours : créés 0, mis à jour 1, inchangés 4" in output
    assert "  - 2013-04-03-2-jean-philippe-serafin-relax.md : titre" in output.splitlines()

    output = run_import(site, "--overwrite")

    relax.refresh_from_db()
    assert relax.title == "Relax"
    assert Talk.objects.count() == 6


@pytest.mark.django_db
def test_reimport_keeps_a_status_changed_in_the_admin(organizer):
    run_import()
    ficus = Talk.objects.get(title="Ficus UI")
    Talk.objects.filter(pk=ficus.pk).update(status=Talk.Status.CANCELLED)

    output = run_import()

    ficus.refresh_from_db()
    assert ficus.status == Talk.Status.CANCELLED
    assert "  - 2024-05-23-nicolas-torion-ficus-ui.md : statut" in output.splitlines()


@pytest.mark.django_db
def test_rows_entered_by_hand_are_adopted_not_duplicated():
    # The organizers had typed API Hour #60 and one of its talks before the import.
    event = EventFactory(number=60, slug="api-hour-60", title="API Hour #60", past=True)
    torion = SpeakerFactory(name="Nicolas Torion", website_url="https://torion.example/")
    by_hand = TalkFactory(
        title="Ficus UI", event=event, status=Talk.Status.CONFIRMED, speakers=[torion]
    )

    output = run_import()

    assert Event.objects.filter(number=60).count() == 1
    assert list(Talk.objects.filter(title="Ficus UI")) == [by_hand]
    by_hand.refresh_from_db()
    event.refresh_from_db()
    # What was filled in by hand stays; what was empty is filled from the archive.
    assert event.title == "API Hour #60"
    assert by_hand.video_url == "https://www.youtube.com/watch?v=oMHWVsVjWwk&t=90s"
    assert Speaker.objects.get(slug="nicolas-torion").website_url == "https://torion.example/"
    assert event.room == "salle 4"  # it was empty
    lines = output.splitlines()
    assert "  - 2024-05-23-api-hour-60.md : titre, début, fin, lieu" in lines
    assert "  - 2024-05-23-nicolas-torion-ficus-ui.md : résumé, format, niveau" in lines


@pytest.mark.django_db
def test_dry_run_writes_nothing_and_prints_the_same_report():
    dry = run_import(FIXTURES, "--dry-run")

    assert snapshot() == {k: [] for k in snapshot()}
    real = run_import()
    assert dry.splitlines() == [
        "SIMULATION (--dry-run) : rien n'a été enregistré.",
        *real.splitlines(),
    ]


@pytest.mark.django_db
def test_a_post_that_fails_leaves_nothing_and_the_others_go_on(site):
    # API Hour #1 exists with 40 confirmed seats: the archive's 35 seats cannot apply.
    event = EventFactory(number=1, slug="api-hour-1", title="API Hour #1", past=True)
    for _ in range(40):
        RSVP.objects.create(event=event, member=UserFactory(), status=RSVP.Status.CONFIRMED)

    output = run_import(site, "--overwrite")

    event.refresh_from_db()
    assert (event.title, event.capacity, event.venue.name) != (
        "Clermont'ech API Hour #1",
        35,
        "SUPINFO",
    )
    assert event.title == "API Hour #1"
    assert not ImportedPost.objects.filter(source="2013-03-25-api-hour-1.md").exists()
    assert (
        "  - 2013-03-25-api-hour-1.md : Impossible de passer à 35 places : 40 places sont "
        "déjà confirmées. Annulez d'abord des inscriptions."
    ) in output.splitlines()
    assert Event.objects.count() == 5  # the other events are there
    assert Talk.objects.get(title="Relax!").event == event  # its talks too


def _png(path: Path, colour=(200, 30, 30)) -> None:
    buffer = BytesIO()
    Image.new("RGB", (600, 500), colour).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())


@pytest.mark.django_db
def test_images_become_speaker_photos(tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    _png(images / "julien-maupetit.png")
    (images / "pierre-et-olivier.png").write_bytes(b"not an image")

    output = run_import(FIXTURES, "--images", str(images))

    julien = Speaker.objects.get(slug="julien-maupetit")
    assert julien.photo.name.endswith(".webp")
    with Image.open(julien.photo.path) as photo:
        assert (photo.format, photo.size) == ("WEBP", (400, 400))
    lines = output.splitlines()
    assert (
        "  - 2013-04-03-2-jean-philippe-serafin-relax.md : photo introuvable dans le dossier "
        "d'images : missing.jpg"
    ) in lines
    assert (
        "  - 2024-05-23-pierre-colomb-olivier-coupelon-devoxx.md : photo « pierre-et-olivier.png »"
        " commune à plusieurs intervenant·es (Pierre Colomb, Olivier Coupelon) : non attribuée"
    ) in lines
    assert not Speaker.objects.get(slug="pierre-colomb").photo


@pytest.mark.django_db
def test_dry_run_with_images_writes_no_file(tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    _png(images / "julien-maupetit.png")

    run_import(FIXTURES, "--images", str(images), "--dry-run")

    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


@pytest.mark.django_db
def test_missing_site_dir_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="dossier introuvable ou illisible"):
        run_import(tmp_path / "nowhere")
    with pytest.raises(CommandError, match="pas de dossier _posts lisible"):
        run_import(tmp_path)
    with pytest.raises(CommandError, match="--images .* dossier introuvable"):
        run_import(FIXTURES, "--images", str(tmp_path / "nowhere"))
    assert not Event.objects.exists()


def test_missing_site_dir_exits_with_code_1(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "import_jekyll", str(tmp_path / "nowhere")],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1
    assert "dossier introuvable ou illisible. Rien n'a été importé." in result.stderr


@pytest.mark.django_db
def test_pages_keep_constant_queries_with_imported_data(client, tmp_path):
    write_site(tmp_path / "small", events=2)
    run_import(tmp_path / "small")
    urls = [
        reverse("talks:list"),
        reverse("talks:speakers"),
        reverse("events:list"),
        reverse("events:detail", args=["api-hour-1"]),
        reverse("talks:speaker-detail", args=["co-1"]),
    ]
    small = [count_queries(client, url) for url in urls]

    write_site(tmp_path / "big", events=40, first=3)
    run_import(tmp_path / "big")

    assert Talk.objects.count() == 126
    assert Speaker.objects.get(slug="co-1").talks.count() == 2  # #1 and #41
    assert [count_queries(client, url) for url in urls] == small


@pytest.mark.django_db
def test_admin_lists_the_imported_posts(organizer_client):
    run_import()

    page = text(organizer_client.get(reverse("admin:talks_importedpost_changelist")))

    assert "2013-04-03-2-jean-philippe-serafin-relax.md" in page
    assert "11 billets importés du site Jekyll" in page
