"""Gazetteer, distances, SAS radii and address geocoding (geopy mocked: our logic only, no network)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from geopy import exc as geopy_errors

from core.errors import BadRequest, ServiceUnavailable
from core.settings import PROJECT_ROOT
from geo.distance import check_point, check_radius, haversine_km
from geo.gazetteer import Gazetteer, name_key
from geo.geocoder import AddressGeocoder
from geo.places import Where
from geo.sas import FALLBACK_RADIUS_KM, SasRadii, normalise_department

DATA = PROJECT_ROOT / "data"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_data_dir(DATA)


def test_haversine_known_distances():
    assert haversine_km(48.8566, 2.3522, 48.8566, 2.3522) == 0
    # Paris – Marseille ≈ 661 km; one degree of latitude ≈ 111.2 km
    assert haversine_km(48.8566, 2.3522, 43.2965, 5.3698) == pytest.approx(660.5, abs=2)
    assert haversine_km(45.0, 5.0, 46.0, 5.0) == pytest.approx(111.195, abs=0.01)


@pytest.mark.parametrize("lat,lon,field", [(91, 0, "lat"), (0, 181, "lon"), ("abc", 1, "lat"), (None, 1, "lat")])
def test_bad_coordinates_name_the_field(lat, lon, field):
    with pytest.raises(BadRequest) as err:
        check_point(lat, lon)
    assert field in err.value.fields


@pytest.mark.parametrize("radius", [0, -3, 501, "loin"])
def test_radius_out_of_range_is_refused(radius):
    with pytest.raises(BadRequest) as err:
        check_radius(radius)
    assert "radius_km" in err.value.fields and "Rayon" in err.value.message


def test_name_key_folds_accents_case_hyphens_and_saint():
    assert name_key("St-Jean-de-Luz") == name_key("SAINT JEAN DE LUZ") == name_key("saint-jean-de-luz")
    assert name_key("Périgueux") == "perigueux"
    assert name_key("Ste Foy") == "sainte foy"


@pytest.mark.parametrize("text,insee", [
    ("Belley", "01034"), ("BELLEY", "01034"), ("st jean de luz", "64483"), ("Saint-Jean-de-Luz", "64483"),
    ("01300", "01034"), ("01034", "01034"), ("Périgueux", "24322"), ("perigueux", "24322"),
    ("Saint-Denis (974)", "97411"), ("Saint-Denis 93", "93066"), ("insee:97411", "97411"),
    ("Ajaccio", "2A004"), ("2A004", "2A004"), ("Pointe-à-Pitre", "97120"),
])
def test_places_resolve_to_their_commune(gazetteer, text, insee):
    origin = gazetteer.resolve(Where(text=text))
    assert origin.commune_insee == insee
    commune = gazetteer.by_insee[insee]
    assert (origin.lat, origin.lon) == (commune.lat, commune.lon)


def test_ambiguous_place_lists_candidates_with_departement(gazetteer):
    with pytest.raises(BadRequest) as err:
        gazetteer.resolve(Where(text="Saint-Denis"))
    candidates = err.value.fields["candidates"]
    assert {"93", "974"} <= {c["department_code"] for c in candidates}
    assert "ambigu" in err.value.message


def test_unknown_place_suggests_close_names(gazetteer):
    with pytest.raises(BadRequest) as err:
        gazetteer.resolve(Where(text="Belleyy"))
    assert "Belley" in [c["name"] for c in err.value.fields["candidates"]]
    with pytest.raises(BadRequest):
        gazetteer.resolve(Where(text="99999"))


def test_point_resolves_its_departement(gazetteer):
    origin = gazetteer.resolve(Where(text="16.24, -61.53"))
    assert origin.kind == "point" and origin.department_code == "971"
    with pytest.raises(BadRequest):
        gazetteer.resolve(Where(lat=95.0, lon=2.0))


def test_nearest_commune_equals_brute_force(gazetteer):
    """The ring search over the fine grid finds exactly the nearest centroid within max_km (mainland, Corsica,
    overseas, sea points with no commune in reach)."""
    import random

    rng = random.Random(11)
    communes = list(gazetteer.by_insee.values())
    boxes = [((42.3, 51.1), (-5.2, 8.3)), ((41.3, 43.1), (8.5, 9.6)), ((15.8, 16.6), (-61.9, -61.0)),
             ((-21.5, -20.8), (55.1, 55.9)), ((46.0, 47.0), (-8.0, -6.0))]
    for (lat_lo, lat_hi), (lon_lo, lon_hi) in boxes:
        for _ in range(20):
            lat, lon = rng.uniform(lat_lo, lat_hi), rng.uniform(lon_lo, lon_hi)
            for max_km in (5.0, 60.0):
                within = [(haversine_km(lat, lon, c.lat, c.lon), c.insee) for c in communes]
                within = [w for w in within if w[0] < max_km]
                found = gazetteer.nearest_commune(lat, lon, max_km)
                assert (found.insee if found else None) == (min(within)[1] if within else None), (lat, lon, max_km)


def test_street_address_without_geocoder_is_refused(gazetteer):
    with pytest.raises(BadRequest):
        gazetteer.resolve(Where(text="12 rue de la Paix, Paris"))


def test_commune_autocomplete_is_accent_insensitive(gazetteer):
    labels = [s.label for s in gazetteer.suggest("st jean de l", limit=8)]
    assert "Saint-Jean-de-Luz" in labels
    assert [s.label for s in gazetteer.suggest("perigu")][0] == "Périgueux"


def test_sas_radius_per_departement():
    sas = SasRadii.from_file(DATA / "sas" / "SAS_Rayons_zones_de_recherche_2025.csv")
    assert normalise_department("1") == "01" and normalise_department("20A") == "2A"
    assert sas.for_department("01").radius_km == 20 and sas.for_department("01").enlargement_km == 10
    assert sas.for_department("75").radius_km == 5
    assert sas.for_department("2A").radius_km == 30
    guyane = sas.for_department("973")  # the table has 0 there
    assert guyane.radius_km == FALLBACK_RADIUS_KM and not guyane.from_table


class _FakeBan:
    def __init__(self, result=None, error=None):
        self.result, self.error, self.calls = result, error, []

    def geocode(self, text, exactly_one=True):
        self.calls.append(text)
        if self.error:
            raise self.error
        return self.result


def test_geocoder_maps_ban_answer_to_origin():
    raw = {"properties": {"citycode": "75102", "context": "75, Paris, Île-de-France"}}
    fake = _FakeBan(SimpleNamespace(latitude=48.8686, longitude=2.3309, address="12 Rue de la Paix 75002 Paris",
                                    raw=raw))
    origin = AddressGeocoder("https://api-adresse.data.gouv.fr", client=fake).geocode("12 rue de la paix paris")
    assert (origin.kind, origin.department_code, origin.commune_insee) == ("address", "75", "75102")


def test_gazetteer_sends_street_addresses_to_geocoder():
    fake = _FakeBan(SimpleNamespace(latitude=43.39, longitude=-1.66, address="x", raw={"properties": {}}))
    g = Gazetteer.from_data_dir(DATA, geocoder=AddressGeocoder("https://ban.example", client=fake))
    assert g.resolve(Where(text="3 rue Gambetta Saint-Jean-de-Luz")).kind == "address"
    assert g.resolve(Where(text="Belley")).kind == "commune" and len(fake.calls) == 1


def test_geocoder_failures_become_product_errors():
    with pytest.raises(BadRequest):
        AddressGeocoder("ban.example", client=_FakeBan(None)).geocode("nulle part")
    with pytest.raises(ServiceUnavailable):
        AddressGeocoder("ban.example", client=_FakeBan(error=geopy_errors.GeocoderUnavailable("down"))).geocode("x")


def test_geocoder_url_is_split_for_geopy():
    geocoder = AddressGeocoder("https://ban.example/api")
    assert geocoder.client.domain == "ban.example/api" and geocoder.client.scheme == "https"
