"""French elision: "de Bob", "d'Alice" (core/french.py), and the bare name in English."""

import pytest
from django.template import Context, Template
from django.utils import translation

from core.french import de


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Alice", "d'Alice"),
        ("Bob", "de Bob"),
        ("Élodie", "d'Élodie"),
        ("Hugo", "d'Hugo"),  # mute h
        ("Yann", "d'Yann"),
        ("Œdipe", "d'Œdipe"),
        ("ursula", "d'ursula"),
        ("Volcans Numériques", "de Volcans Numériques"),
        ("Exemple SA", "d'Exemple SA"),
        ("42 Clermont", "de 42 Clermont"),
        ("", "de "),
    ],
)
def test_de_elides_before_a_vowel_or_mute_h(name, expected):
    with translation.override("fr"):
        assert de(name) == expected


def test_de_is_the_bare_name_in_english():
    with translation.override("en"):
        assert de("Alice") == "Alice"


def test_de_filter_in_a_french_sentence():
    template = Template(
        "{% load i18n french %}{% blocktranslate with de_m=name|de %}"
        "Supprimer les données {{ de_m }}{% endblocktranslate %}"
    )

    with translation.override("fr"):
        alice = template.render(Context({"name": "Alice"}))
        html = template.render(Context({"name": "<b>Zoé</b>"}))

    assert alice == "Supprimer les données d&#x27;Alice"  # d'Alice, escaped in HTML
    assert html == "Supprimer les données de &lt;b&gt;Zoé&lt;/b&gt;"  # still escaped
