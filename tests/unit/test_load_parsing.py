"""Parsing and validation of the loaders' inputs (no engine needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.communes import CommuneIndex, department_of_postal_code, iter_communes, normalise_city
from loaders.finess import finess_error, in_france, parse_finess
from loaders.nos import concept_key, parse_nos

FIXTURES = Path(__file__).parent.parent / "fixtures" / "loaders"
DATA = Path(__file__).parent.parent.parent / "data"


@pytest.fixture(scope="module")
def communes() -> CommuneIndex:
    return CommuneIndex.from_file(FIXTURES / "communes_small.csv")


@pytest.mark.parametrize("number", ["010000024", "2A0000022", "2B0000038", "970100012", "010780054"])
def test_real_finess_numbers_are_valid(number):
    assert finess_error(number) is None


@pytest.mark.parametrize(("number", "reason"), [
    ("010000025", "clé de contrôle"), ("01000002", "9 caractères"), ("0100000244", "9 caractères"),
    ("01000A024", "caractères non autorisés"), ("2C0000022", "caractères non autorisés"),
    ("2A0000023", "clé de contrôle"),
])
def test_bad_finess_numbers_are_explained(number, reason):
    assert reason in finess_error(number)


def test_france_bounding_boxes():
    assert in_france(46.22, 5.21)          # Ain
    assert in_france(41.92, 8.74)          # Ajaccio
    assert in_france(16.27, -61.50)        # Les Abymes
    assert in_france(-20.88, 55.45)        # Saint-Denis de La Réunion
    assert not in_france(0.5, 0.5)
    assert not in_france(40.4, -3.7)       # Madrid


def test_finess_rejects_report_line_field_and_reason(communes):
    rejects = []
    rows = list(parse_finess(FIXTURES / "finess_with_bad_rows.csv", communes, rejects))
    assert [r["finess"] for r in rows] == ["010000024", "010002228", "010002285", "970100012", "2A0000022"]
    found = {(r.line, r.field): r.reason for r in rejects}
    assert set(found) == {(6, "*"), (7, "nofinesset"), (8, "nofinesset"), (9, "latitude"), (10, "nofinesset"),
                          (12, "date_maj")}
    assert "malformée" in found[(6, "*")]
    assert "clé de contrôle" in found[(7, "nofinesset")]
    assert "9 caractères" in found[(8, "nofinesset")]
    assert found[(9, "latitude")] == "coordonnées hors de France"
    assert found[(10, "nofinesset")] == "identifiant en double"
    assert "date invalide" in found[(12, "date_maj")]
    assert all(r.file == "finess_with_bad_rows.csv" for r in rejects)


def test_finess_row_is_normalised_and_located(communes):
    rows = {r["finess"]: r for r in parse_finess(FIXTURES / "finess_with_bad_rows.csv", communes, [])}
    ch = rows["010000024"]
    assert ch["commune_insee"] == "01451" and ch["department_code"] == "01"
    assert ch["siret"] == "26010004500012" and ch["siren"] == "260100045"
    assert ch["opened_on"] == "1979-02-13" and (ch["lat"], ch["lon"]) == (46.222745, 5.208596)
    # A CEDEX postal code has no commune: the nearest commune of the département is used.
    assert rows["2A0000022"]["commune_insee"] == "2A004"
    assert rows["970100012"]["commune_insee"] == "97101"


def test_finess_department_filter(communes):
    rows = list(parse_finess(FIXTURES / "finess_with_bad_rows.csv", communes, [], departments={"2A"}))
    assert [r["finess"] for r in rows] == ["2A0000022"]


def test_nos_rejects_and_merged_care_modes():
    rejects = []
    rows = {r.key: r for r in parse_nos(FIXTURES / "nos_with_bad_rows.csv", rejects)}
    assert {(r.line, r.field) for r in rejects} == {(14, "table"), (15, "code"), (16, "*"), (17, "code")}
    assert "J19|28" in rows and "R213|28" not in rows  # one concept per care mode code
    assert rows["R213|22"].retired_on == "2019-03-29" and rows["R213|22"].kind == "CareMode"
    assert rows["J186|G15|10"].label == "Médecin" and rows["J186|R356|10"].label != "Médecin"
    assert rows["J17|063"].kind == "Activity"


def test_concept_key():
    assert concept_key("J17", "157") == "J17|157"
    assert concept_key("J186", "10", "TRE_G15-ProfessionSante") == "J186|G15|10"


def test_communes_reader_and_lookup(communes):
    rows = list(iter_communes(FIXTURES / "communes_small.csv"))
    viriat = next(c for c in rows if c.insee == "01451")
    assert viriat.postal_codes == ("01440",) and viriat.population > 0 and viriat.has_centroid
    marseille = next(c for c in rows if c.insee == "13055")
    assert "13001" in marseille.postal_codes
    assert communes.find("01440", "VIRIAT", 46.22, 5.21).insee == "01451"
    assert communes.find("01300", "BELLEY CEDEX").insee == "01034"
    assert communes.find("13001", "MARSEILLE").insee == "13055"  # arrondissements resolve to the commune
    assert communes.find("99999", "NULLE PART") is None


def test_city_and_postal_code_helpers():
    assert normalise_city("ST ETIENNE CEDEX 2") == "SAINT ETIENNE"
    assert normalise_city("Ambérieu-en-Bugey") == "AMBERIEU EN BUGEY"
    assert department_of_postal_code("20184") == "2A" and department_of_postal_code("20250") == "2B"
    assert department_of_postal_code("97139") == "971" and department_of_postal_code("1234") is None
