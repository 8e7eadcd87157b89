"""Reading the old Jekyll site: dates, venues, speakers, Liquid (pure functions, no database)."""

from datetime import date, time

import pytest

from talks import jekyll, jekyll_prose, old_site
from talks.jekyll import JekyllError
from talks.jekyll_venues import find_venue, venue_address_key, venue_name_key


@pytest.mark.parametrize(
    ("prose", "posted", "expected_day", "expected_time"),
    [
        ("Cet événement aura lieu le 3 avril 2013 à 19h, en centre ville.", "2013-03-25",
         date(2013, 4, 3), time(19, 0)),
        ("Cet événement aura lieu le **lundi 03 juin 2024** à **19h** au **Centre**.",
         "2024-05-23", date(2024, 6, 3), time(19, 0)),
        ("Rendez-vous le 1er mars à 18h30 à **La Jetée**.", "2015-02-10",
         date(2015, 3, 1), time(18, 30)),
        # No year: the post's own year...
        ("Cet événement aura lieu le **lundi 29 juin** à **19h**.", "2026-06-16",
         date(2026, 6, 29), time(19, 0)),
        # ... or the next one when the evening would come well before the post.
        ("Cet événement aura lieu le jeudi 12 janvier à 19h.", "2016-12-10",
         date(2017, 1, 12), time(19, 0)),
        ("L'API Hour aura lieu le 05/05/2023 au **Bivouac**.", "2023-04-20",
         date(2023, 5, 5), None),
        # The registration date comes first in the text but is not the evening.
        ("Ouverture des inscriptions le 27 mars 2013 à partir de 18h.\n\n"
         "Cet événement aura lieu **le 3 avril 2013** à **19h**.", "2013-03-25",
         date(2013, 4, 3), time(19, 0)),
    ],
)  # fmt: skip
def test_find_date_reads_every_format_of_the_archive(prose, posted, expected_day, expected_time):
    found = jekyll.find_date(prose, date.fromisoformat(posted))

    assert (found.day, found.start, found.warnings, found.date_notes) == (
        expected_day,
        expected_time,
        [],
        [],
    )


def test_find_date_flags_a_weekday_that_does_not_match():
    found = jekyll.find_date("aura lieu le mardi 3 juin 2024", date(2024, 5, 1))

    assert found.day == date(2024, 6, 3)
    assert found.warnings == ["« mardi 3 juin 2024 » : le 03/06/2024 est un lundi"]


def test_find_date_without_any_date_is_none():
    assert jekyll.find_date("Bientôt, on vous dira quand.", date(2024, 5, 1)) is None


@pytest.mark.parametrize(
    ("author", "names"),
    [
        ("Christophe Prugnaud &amp; Florian Forestier",
         ["Christophe Prugnaud", "Florian Forestier"]),
        ("Mathieu Fournet & Tristan Colombet", ["Mathieu Fournet", "Tristan Colombet"]),
        ("Pierre Colomb et Olivier Coupelon", ["Pierre Colomb", "Olivier Coupelon"]),
        ("Rémi Dubourgnoux + Alexis Guérin", ["Rémi Dubourgnoux", "Alexis Guérin"]),
        ("Ada, Grace et Alan", ["Ada", "Grace", "Alan"]),
        (["Ada Lovelace", "Alan Turing"], ["Ada Lovelace", "Alan Turing"]),
        ("Fr&eacute;d&eacute;ric Barri&egrave;re", ["Frédéric Barrière"]),
        ("Jean-Philippe Serafin", ["Jean-Philippe Serafin"]),
    ],
)  # fmt: skip
def test_split_speakers(author, names):
    assert jekyll.split_speakers(author) == names


@pytest.mark.parametrize(
    ("prose", "name", "address", "room"),
    [
        ("## Informations pratiques\n\nL'adresse exacte : **SUPINFO** - 37 Rue Gonod "
         "63000 Clermont-Ferrand.", "SUPINFO", "37 Rue Gonod\n63000 Clermont-Ferrand", ""),
        ("aura lieu **le 23 mai 2013** à **19h**, à l'IUT. L'adresse exacte est :\n\n"
         "**IUT de Clermont-Ferrand** - Ensemble Universitaire des Cézeaux BP 86 - 63172 Aubière",
         "IUT de Clermont-Ferrand", "Ensemble Universitaire des Cézeaux BP 86\n63172 Aubière", ""),
        ("aura lieu le **26 février 2020** à **19h** à\n[Turing 22](https://www.turing22.com/), "
         "22 Allée Alan Turing,\nParc Technologique de La Pardieu, 63000 Clermont-Ferrand.",
         "Turing 22", "22 Allée Alan Turing, Parc Technologique de La Pardieu\n"
         "63000 Clermont-Ferrand", ""),
        # The room is apart from the venue: "(salle 4)" after the name...
        ("aura lieu le **lundi 03 juin 2024** à **19h** au **Centre Jean Richepin** (salle 4). "
         "L'adresse\nexacte est : [**21 Rue J. Richepin, 63000 Clermont-Ferrand**](https://osm.org/)",
         "Centre Jean Richepin", "21 Rue J. Richepin\n63000 Clermont-Ferrand", "salle 4"),
        # ... or inside it, before ("Amphi A de l'IUT…") or after ("…, salle 1", "… – Amphi B").
        ("à **l'Amphi A de l'IUT Informatique**. L'adresse exacte est : "
         "[**5 Avenue Blaise Pascal, 63170 Aubière**](https://osm.org/)",
         "IUT Informatique", "5 Avenue Blaise Pascal\n63170 Aubière", "Amphi A"),
        ("au **Centre Jean Richepin, salle 1** - 21 rue Jean Richepin, 63000 Clermont-Ferrand",
         "Centre Jean Richepin", "21 rue Jean Richepin\n63000 Clermont-Ferrand", "salle 1"),
        ("à **SUPINFO – Amphi B** - 37 Rue Gonod 63000 Clermont-Ferrand",
         "SUPINFO", "37 Rue Gonod\n63000 Clermont-Ferrand", "Amphi B"),
        ("Rendez-vous le 1er mars à 18h30 à **La Jetée**.", "La Jetée", "", ""),
        ("Pas de lieu ici.", "", "", ""),
    ],
)  # fmt: skip
def test_find_venue(prose, name, address, room):
    venue = find_venue(prose)

    assert (venue.name, venue.address, venue.room, venue.warnings) == (name, address, room, [])


@pytest.mark.parametrize(
    ("prose", "capacity"),
    [
        ("Cet événement est limité à **35 personnes**.", 35),
        ("L'événement est limité à 120 places.", 120),
        ("Venez nombreux !", None),
    ],
)
def test_find_capacity(prose, capacity):
    assert jekyll.find_capacity(prose) == capacity


def test_convert_prose_turns_liquid_into_links_or_drops_it():
    urls = {"2013-04-03-1-hello": "/talks/hello/"}
    prose = (
        "[Voir la vidéo]({% post_url 2013-04-03-1-hello %})\n\n"
        "[Voir la vidéo]({% post_url 2013-04-03-9-jamais-publie %})\n\n"
        "Sur {{ site.url }} et {{ page.author }}. {% include map.html %}\n\n"
        "{% highlight python %}\nprint(1)\n{% endhighlight %}\n\n"
        "{% raw %}{{ brut }}{% endraw %}\n\n"
        '<iframe src="https://www.openstreetmap.org/export/embed.html"></iframe>\n\n'
        "[![](http://maps.example/static.png)](https://maps.example/)\n\n"
        "[le code de conduite](/code-of-conduct.html), [l'API Hour 2](/api-hours/api-hour-2.html)"
        " et [la 3](/api-hours/api-hour-3.html). Le [code](http://www.clermontech.org/code-of-"
        "conduct.html), [encore]({{ site.url }}/code-of-conduct.html), [ailleurs]("
        "https://example.org/code-of-conduct.html), [les slides](/api-hours/slides/x.pdf)."
    )
    ours = {"/api-hours/api-hour-2.html": "/events/api-hour-2/"}

    text, warnings, _removed = jekyll_prose.convert_prose(
        prose,
        resolve=urls.get,
        old_page=lambda path: ours.get(path) or old_site.fixed_page(path),
        old_site="https://clermontech.org",
    )

    assert text.startswith(
        "[Voir la vidéo](/talks/hello/)\n\nSur  et .\n\n```python\nprint(1)\n```\n\n{{ brut }}"
    )
    assert "{%" not in text and "%}" not in text and "jamais-publie" not in text
    assert "site.url" not in text and "page.author" not in text
    assert "iframe" not in text and "static.png" not in text
    # The old code of conduct is ours now, however the link was written.
    assert "[le code de conduite](/code-de-conduite/)" in text
    assert "Le [code](/code-de-conduite/), [encore](/code-de-conduite/)" in text
    assert "[ailleurs](https://example.org/code-of-conduct.html)" in text
    assert "[l'API Hour 2](/events/api-hour-2/)" in text
    assert "[la 3](https://clermontech.org/api-hours/api-hour-3.html)" in text
    assert "[les slides](https://clermontech.org/api-hours/slides/x.pdf)" in text
    assert warnings == [
        "lien vers un billet non importé « 2013-04-03-9-jamais-publie » : retiré",
        "balise Liquid « {% include map.html %} » retirée",
        "expression Liquid « {{ page.author }} » retirée",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Pas d'en-tête du tout.", "pas d'en-tête YAML"),
        ('---\ntitle: "pas fermé\nauthor: [x\n---\nTexte', "en-tête YAML illisible"),
        ("---\n- une\n- liste\n---\nTexte", "n'est pas une liste de champs"),
    ],
)
def test_read_post_refuses_broken_front_matter(content, message):
    with pytest.raises(JekyllError, match=message):
        jekyll.read_post("2014-01-01-x.md", content)


def test_post_kind_and_unknown_layout():
    def kind(front):
        return jekyll.post_kind(jekyll.read_post("2014-01-01-x.md", f"---\n{front}\n---\n"))

    assert kind("layout: talk") == "talk"
    assert kind("layout: post\ncategory: api-hours") == "event"
    assert kind("layout: post\ncategories: [api-hours, news]") == "event"
    assert kind("layout: post\ncategory: workshops") is None
    with pytest.raises(JekyllError, match="mise en page inconnue « conference »"):
        kind("layout: conference")


def test_read_post_keeps_yaml_scalars_as_written():
    post = jekyll.read_post(
        "2014-01-01-x.md", "---\nlayout: talk\ntitle: 2048\nauthor: Ada\nvideo: no\n---\n"
    )

    assert post.title == "2048"
    assert jekyll.parse_talk(post).warnings == [
        "API Hour introuvable (categories: [talks, api-hour-N]) : talk sans événement",
        "vidéo non reconnue (YouTube seulement) « no »",
    ]


@pytest.mark.parametrize(
    ("video", "start", "url"),
    [
        ("UKG8EaHwY5E", "", "https://www.youtube.com/watch?v=UKG8EaHwY5E"),
        ("UKG8EaHwY5E", "90", "https://www.youtube.com/watch?v=UKG8EaHwY5E&t=90s"),
        ("UKG8EaHwY5E", "1m30s", "https://www.youtube.com/watch?v=UKG8EaHwY5E&t=90s"),
        ("UKG8EaHwY5E", "01:30", "https://www.youtube.com/watch?v=UKG8EaHwY5E&t=90s"),
        ("https://youtu.be/UKG8EaHwY5E?t=12", "", "https://www.youtube.com/watch?v=UKG8EaHwY5E&t=12s"),
        ("https://vimeo.com/12345", "", None),
    ],
)  # fmt: skip
def test_youtube_url(video, start, url):
    assert jekyll.youtube_url(video, start) == url


def test_event_number_and_photos_from_the_front_matter():
    post = jekyll.read_post(
        "2013-03-25-api-hour-1.md",
        "---\nlayout: post\ncategory: api-hours\ntitle: Clermont'ech API Hour &#35;1\n"
        "flickr_set_id: 72157633945134494\n---\naura lieu le 3 avril 2013 à 19h",
    )

    data = jekyll.parse_event(post)

    assert (data.number, data.title) == (1, "Clermont'ech API Hour #1")
    assert data.photos_url == "https://www.flickr.com/photos/96523012@N07/albums/72157633945134494"
    assert data.ends_at - data.starts_at == jekyll.DURATION


# Dates checked against the post's own date ------------------------------------------


def test_a_year_typo_with_a_misspelled_weekday_is_read_with_the_posts_year():
    # Posted on 28 May 2018 for "lundu 4 juin 2019": the weekday is misspelled and the year
    # is a typo; Monday 4 June 2018, a week after the post, is the consistent reading.
    found = jekyll.find_date(
        "Cet événement aura lieu le **lundu 4 juin 2019** à **19h**.", date(2018, 5, 28)
    )

    assert (found.day, found.start) == (date(2018, 6, 4), time(19, 0))
    assert found.warnings == ["jour « lundu » mal orthographié : lu « lundi »"]
    assert found.date_notes == [
        "date corrigée : « lundu 4 juin 2019 » tombe 372 jours après le billet du 28/05/2018 ; "
        "une soirée est annoncée quelques jours ou semaines avant : lu le lundi 04/06/2018 "
        "(année du billet)"
    ]


def test_a_date_far_from_its_post_without_a_consistent_reading_is_flagged_not_changed():
    # Thursday 12 March 2020 is right (a Thursday), but a year and a half after the post.
    found = jekyll.find_date("aura lieu le jeudi 12 mars 2020 à 19h", date(2018, 9, 1))

    assert found.day == date(2020, 3, 12)
    assert found.date_notes == [
        "date à vérifier : « jeudi 12 mars 2020 » (le jeudi 12/03/2020) est à 558 jours du "
        "billet du 01/09/2018, et aucune autre lecture n'est cohérente"
    ]


@pytest.mark.parametrize(
    ("word", "expected"),
    [("lundi", (0, True)), ("Lundu", (0, False)), ("mecredi", (2, False)),
     ("venderdi", (4, False)), ("jeudis", (3, False)), ("depuis", None), ("mardi", (1, True)),
     ("mars", None)],
)  # fmt: skip
def test_read_weekday_reads_typos(word, expected):
    assert jekyll.read_weekday(word) == expected


@pytest.mark.parametrize(
    "prose",
    [
        # The time comes in a later sentence than the "rendez-vous" with the date.
        "Rendez-vous le **jeudi 14 mars 2019** pour une nouvelle API Hour, dans les locaux "
        "de **Epitech**. L'accueil commence à **19h**, les talks suivent.",
        "Rendez-vous le mardi 9 avril 2019 !\n\nNous vous attendons au Bivouac, "
        "cet événement commencera à **19h**.",
    ],
)
def test_find_date_reads_a_time_written_after_the_rendez_vous_sentence(prose):
    found = jekyll.find_date(prose, date(2019, 3, 1))

    assert found.start == time(19, 0)


def test_find_date_skips_the_time_of_a_registration_opening():
    found = jekyll.find_date(
        "Rendez-vous le 14 mars 2019 au Bivouac. Ouverture des inscriptions le 1er mars à 12h.",
        date(2019, 3, 1),
    )

    assert (found.day, found.start) == (date(2019, 3, 14), None)


# Venues -------------------------------------------------------------------------------


def test_find_venue_never_takes_a_venue_from_a_link_to_another_post():
    venue = find_venue(
        "## Informations pratiques\n\nCet événement aura lieu le **4 juillet 2013** à **19h**, "
        "dans les mêmes locaux que l'[API Hour #4]({% post_url 2013-06-20-api-hour-4 %}) : "
        "9 rue Kessler, 63000 Clermont-Ferrand."
    )

    assert (venue.name, venue.address) == ("", "9 rue Kessler\n63000 Clermont-Ferrand")
    assert venue.warnings == [
        "« API Hour #4 » est le texte d'un lien vers une autre page, pas un lieu : ignoré"
    ]


@pytest.mark.parametrize(
    ("one", "other"),
    [("Turing 22", "Turing22"), ("Salle Gilbert Gaillard", "Gilbert Gaillard"),
     ("La salle Gilbert Gaillard", "Gilbert-Gaillard"), ("SUPINFO, salle 1", "Supinfo – Amphi A"),
     ("Amphi A de l'IUT", "IUT"), ("Le Bivouac", "Le Bivouac")],
)  # fmt: skip
def test_venue_name_key_ignores_rooms_spaces_accents_and_salle(one, other):
    assert venue_name_key(one) == venue_name_key(other)


def test_venue_address_key_ignores_punctuation_and_the_city_spelling():
    keys = {
        venue_address_key("37 Rue Gonod\n63000 Clermont-Ferrand"),
        venue_address_key("37, rue Gonod - 63000 Clermont-Fd"),
        venue_address_key("SUPINFO, 37 rue Gonod, 63000 CLERMONT-FERRAND"),
    }

    assert keys == {"37ruegonod|63000"}
    assert venue_address_key("9 rue Kessler, 63000 Clermont-Ferrand") != "37ruegonod|63000"
    assert venue_address_key("Quelque part en ville") == ""


# The description ----------------------------------------------------------------------

PROGRAMME = """## Programme

### Relax! • Jean-Philippe Serafin

Ou comment mettre en production un vendredi.

[Voir la vidéo]({% post_url 2013-04-03-2-relax %})

### Buffet • offert par Zenika

Des pizzas pour tout le monde.

### Hello • Julien Maupetit

Présentation de l'association.

Cette soirée est hébergée par SUPINFO, merci à eux !

Merci à notre sponsor Michelin pour les boissons.
"""


def test_without_programme_talks_keeps_every_other_sentence():
    cut = jekyll_prose.without_programme_talks(
        "Intro.\n\n" + PROGRAMME, {0: "Ou comment mettre en production.", 2: "Présentation."}
    )

    assert cut.talks == 2
    assert cut.text == (
        "Intro.\n\n## Programme\n\n### Buffet • offert par Zenika\n\nDes pizzas pour tout le "
        "monde.\n\nCette soirée est hébergée par SUPINFO, merci à eux !\n\nMerci à notre sponsor "
        "Michelin pour les boissons.\n"
    )


def test_without_programme_talks_drops_the_heading_when_only_thanks_remain():
    cut = jekyll_prose.without_programme_talks(
        PROGRAMME.replace("### Buffet • offert par Zenika\n\nDes pizzas pour tout le monde.\n", ""),
        {0: "Ou comment mettre en production.", 1: "Présentation."},
    )

    assert cut.text == (
        "Cette soirée est hébergée par SUPINFO, merci à eux !\n\n"
        "Merci à notre sponsor Michelin pour les boissons.\n"
    )


def test_without_registration_keeps_what_is_not_about_registering():
    cut = jekyll_prose.without_registration(
        "## Inscription\n\nCet événement est limité à **50 personnes**. Inscrivez-vous sur "
        '[Eventbrite](https://x.eventbrite.fr).\n\n<iframe src="//eventbrite.fr/t"></iframe>'
        "\n\nL'entrée est gratuite et le buffet offert.\n\n## Après\n\nFin."
    )

    assert cut.text == (
        "## Inscription\n\nL'entrée est gratuite et le buffet offert.\n\n## Après\n\nFin."
    )
    assert (cut.paragraphs, cut.services) == (2, ["Eventbrite"])


def test_without_venue_repeat_keeps_a_sentence_that_says_more():
    text, removed = jekyll_prose.without_venue_repeat(
        "## Informations pratiques\n\nCet événement aura lieu **le 3 avril 2013** à **19h**, en "
        "centre ville dans une salle prêtée par Supinfo. L'adresse exacte : **SUPINFO** - 37 "
        "Rue Gonod 63000 Clermont-Ferrand.\n\nRendez-vous à **19h** chez **SUPINFO** (salle 4)."
        "\n\n## Concept\n\nDes talks.",
        name="SUPINFO",
        address="37 Rue Gonod\n63000 Clermont-Ferrand",
        room="salle 4",
    )

    assert removed == 2
    assert text == (
        "## Informations pratiques\n\nCet événement aura lieu **le 3 avril 2013** à **19h**, en "
        "centre ville dans une salle prêtée par Supinfo.\n\n## Concept\n\nDes talks."
    )


def test_convert_prose_removes_map_links_and_image_captions_and_says_so():
    converted = jekyll_prose.convert_prose(
        "Le lieu :\n\n![Le Bivouac](/images/bivouac.jpg)\n*La grande salle du Bivouac*\n\n"
        '<iframe src="https://www.openstreetmap.org/export/embed.html"></iframe>\n'
        '<br/><small><a href="https://www.openstreetmap.org/#map=19">Afficher une carte plus '
        "grande</a></small>\n\nFin.",
        resolve={}.get,
    )

    assert converted.text == "Le lieu :\n\nFin."
    assert converted.removed == [
        "carte intégrée",
        "image « Le Bivouac »",
        "sa légende « La grande salle du Bivouac »",
        "lien « Afficher une carte plus grande » d'une carte retirée",
    ]
