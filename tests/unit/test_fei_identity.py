"""Adverse-event free text never stores a patient's identity: NIR and name + birth date are refused, with why."""

from __future__ import annotations

import pytest

from fei.identity import findings, refusal

REFUSED = {
    "nir with spaces": ("Patient adressé, NIR 1 85 05 78 006 084 36 noté sur le courrier.", "nir"),
    "nir in one run": ("Numéro 185057800608436 transmis par erreur.", "nir"),
    "nir without key, Corsica": ("le 2 69 05 2A 004 012 figurait sur la fiche", "nir"),
    "civility, name and date": ("Mme Dupont, 03/04/1950, arrivée sans scanner.", "name_and_date"),
    "civility in full, spelled-out date": ("Monsieur Martin né le 3 mars 1948, transféré.", "birth_date"),
    "birth marker and year": ("Patiente née en 1950, transfert de nuit.", "birth_date"),
    "DDN abbreviation": ("Transfert du patient (DDN 12/08/1939) sans imagerie.", "birth_date"),
    "lower-case civility": ("madame Durand arrivée le 12/03/2025", "name_and_date"),
}
ACCEPTED = {
    "event without identity": "Patiente de 80 ans transférée le 12/03/2025 sans l'imagerie convenue.",
    "ordinary 'ne le'": "On ne le savait pas en 2024 ; le bébé est né en ambulance.",
    "phone and FINESS": "Appel au 05 56 79 56 79 ; FINESS 330781196 ; SIRET 26330004300014.",
    "professional title without date": "Le Dr Martin a été prévenu par la régulation.",
}


@pytest.mark.parametrize("name", REFUSED)
def test_identity_is_found(name):
    text, kind = REFUSED[name]
    assert kind in {f.kind for f in findings(text)}
    message = refusal(text, "Description")
    assert message.startswith("Description : aucune identité de patient")


@pytest.mark.parametrize("name", ACCEPTED)
def test_texts_without_identity_pass(name):
    assert findings(ACCEPTED[name]) == [] and refusal(ACCEPTED[name], "Description") is None


def test_the_refusal_says_where_without_repeating_the_identity():
    text = "Suite au transfert, NIR 1 85 05 78 006 084 36."
    message = refusal(text, "Description")
    assert "NIR" in message and f"caractère {text.index('1 85') + 1}" in message
    assert "006 084" not in message
