"""Reading the old Jekyll site: dates, venues, speakers, Liquid (pure functions, no database)."""

from datetime import date, time

import pytest

from talks import jekyll
from talks.jekyll import JekyllError


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
    day, start, warnings = jekyll.find_date(prose, date.fromisoformat(posted))

    assert (day, start, warnings) == (expected_day, expected_time, [])


def test_find_date_flags_a_weekday_that_does_not_match():
    day, _start, warnings = jekyll.find_date("aura lieu le mardi 3 juin 2024", date(2024, 5, 1))

    assert day == date(2024, 6, 3)
    assert warnings == ["« mardi 3 juin 2024 » : le 03/06/2024 est un lundi"]


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
    ("prose", "name", "address"),
    [
        ("## Informations pratiques\n\nL'adresse exacte : **SUPINFO** - 37 Rue Gonod "
         "63000 Clermont-Ferrand.", "SUPINFO", "37 Rue Gonod\n63000 Clermont-Ferrand"),
        ("aura lieu **le 23 mai 2013** à **19h**, à l'IUT. L'adresse exacte est :\n\n"
         "**IUT de Clermont-Ferrand** - Ensemble Universitaire des Cézeaux BP 86 - 63172 Aubière",
         "IUT de Clermont-Ferrand", "Ensemble Universitaire des Cézeaux BP 86\n63172 Aubière"),
        ("aura lieu le **26 février 2020** à **19h** à\n[Turing 22](https://www.turing22.com/), "
         "22 Allée Alan Turing,\nParc Technologique de La Pardieu, 63000 Clermont-Ferrand.",
         "Turing 22", "22 Allée Alan Turing, Parc Technologique de La Pardieu\n"
         "63000 Clermont-Ferrand"),
        ("aura lieu le **lundi 03 juin 2024** à **19h** au **Centre Jean Richepin** (salle 4). "
         "L'adresse\nexacte est : [**21 Rue J. Richepin, 63000 Clermont-Ferrand**](https://osm.org/)",
         "Centre Jean Richepin", "21 Rue J. Richepin\n63000 Clermont-Ferrand"),
        ("à **l'Amphi A de l'IUT Informatique**. L'adresse exacte est : "
         "[**5 Avenue Blaise Pascal, 63170 Aubière**](https://osm.org/)",
         "Amphi A de l'IUT Informatique", "5 Avenue Blaise Pascal\n63170 Aubière"),
        ("Rendez-vous le 1er mars à 18h30 à **La Jetée**.", "La Jetée", ""),
        ("Pas de lieu ici.", "", ""),
    ],
)  # fmt: skip
def test_find_venue(prose, name, address):
    assert jekyll.find_venue(prose) == (name, address)


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
        " et [la 3](/api-hours/api-hour-3.html)."
    )

    text, warnings = jekyll.convert_prose(
        prose, resolve=urls.get, event_url=lambda n: "/events/api-hour-2/" if n == 2 else None
    )

    assert text.startswith(
        "[Voir la vidéo](/talks/hello/)\n\nSur  et .\n\n```python\nprint(1)\n```\n\n{{ brut }}"
    )
    assert "{%" not in text and "%}" not in text and "jamais-publie" not in text
    assert "site.url" not in text and "page.author" not in text
    assert "iframe" not in text and "static.png" not in text
    assert "[le code de conduite](https://clermontech.org/code-of-conduct.html)" in text
    assert "[l'API Hour 2](/events/api-hour-2/)" in text
    assert "[la 3](https://clermontech.org/api-hours/api-hour-3.html)" in text
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
