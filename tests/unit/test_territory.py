"""Territories without engines: codes, GeoJSON validation (French errors), communes inside a shape, and the
vectorised nearest-offer distances checked against a pure-Python brute force."""

from __future__ import annotations

import csv
import io
import json
import math
import random

import numpy as np
import pytest
import shapely
from shapely.geometry import Point, shape

from core.errors import BadRequest
from core.settings import Settings
from geo import territory as T
from geo import territory_coverage as C
from geo.communes import distance_km

DATA = Settings.from_env().data_dir
SQUARE_LANDES = {"type": "Polygon", "coordinates": [[[-1.2, 43.6], [-0.6, 43.6], [-0.6, 44.1], [-1.2, 44.1],
                                                     [-1.2, 43.6]]]}


def test_codes_resolve_to_the_communes_of_the_territory():
    table = T.commune_table(DATA)
    ain = T.resolve_code(DATA, "D01")
    assert ain.kind == "department" and ain.name == "Ain" and ain.label == "Ain (01)"
    assert len(ain.rows) > 350 and set(table.department[ain.rows]) == {"01"}
    aura = T.resolve_code(DATA, "r84")
    assert aura.kind == "region" and set(table.region[aura.rows]) == {"84"}
    assert set(ain.rows) < set(aura.rows)
    corse_sud = T.resolve_code(DATA, "D2A")
    assert set(table.department[corse_sud.rows]) == {"2A"}
    france = T.resolve_code(DATA, "FR")
    assert len(france.rows) == len(table) > 34_000
    assert T.population(DATA, france) == int(table.population.sum()) > 60_000_000
    assert ain.index_filter() == [{"term": {"department_code": "01"}}]
    assert aura.index_filter() == [{"term": {"region_code": "84"}}]
    assert france.index_filter() == []


@pytest.mark.parametrize(("code", "message"), [
    ("D99", "Département inconnu : 99."), ("R12", "Région inconnue : 12."),
    ("X1", "Territoire mal formé"), ("", "Territoire mal formé"), ("D1", "Territoire mal formé"),
])
def test_unknown_or_malformed_codes_are_named_in_french(code, message):
    with pytest.raises(BadRequest) as err:
        T.resolve_code(DATA, code, "a")
    assert err.value.message.startswith(message)
    assert "a" in err.value.fields


def test_a_polygon_holds_the_communes_whose_centroid_is_inside():
    zone = T.resolve(DATA, json.dumps(SQUARE_LANDES), name="Carré landais")
    table = T.commune_table(DATA)
    polygon = shape(SQUARE_LANDES)
    expected = {i for i in range(len(table)) if polygon.contains(Point(table.lon[i], table.lat[i]))}
    assert set(zone.rows.tolist()) == expected and len(expected) > 50
    assert zone.label == "Carré landais" and zone.kind == "polygon"
    assert zone.index_filter()[0]["geo_shape"]["location"]["relation"] == "intersects"
    south, west, north, east = zone.bounds()
    assert (south, west, north, east) == (43.6, -1.2, 44.1, -0.6)


def test_features_and_collections_of_polygons_are_accepted():
    feature = {"type": "Feature", "properties": {}, "geometry": SQUARE_LANDES}
    other = {"type": "Polygon", "coordinates": [[[4.8, 45.7], [5.0, 45.7], [5.0, 45.9], [4.8, 45.7]]]}
    collection = {"type": "FeatureCollection", "features": [feature, {"type": "Feature", "geometry": other}]}
    assert T.parse_geojson(feature).equals(shape(SQUARE_LANDES))
    both = T.parse_geojson(collection)
    assert both.geom_type == "MultiPolygon" and math.isclose(both.area, shape(SQUARE_LANDES).area + shape(other).area)


@pytest.mark.parametrize(("value", "words"), [
    ("{not json", "JSON valide"),
    ({"type": "Point", "coordinates": [1, 2]}, "Polygon ou MultiPolygon"),
    ({"type": "Polygon", "coordinates": [[[0, 43], [1, 44], [1, 43], [0, 44], [0, 43]]]}, "auto-intersection"),
    ({"type": "Polygon", "coordinates": [[[0, 43], [200, 44], [1, 43], [0, 43]]]}, "hors limites"),
    ({"type": "Polygon", "coordinates": [[["a", 43], [1, 44], [1, 43], [0, 43]]]}, "[longitude, latitude]"),
    ({"type": "Polygon", "coordinates": [[[0, 43], [1, 44]]]}, "mal formées"),
    ({"type": "Polygon", "coordinates": []}, "vides"),
    ({"type": "Polygon", "coordinates": [[[-20, 30], [40, 30], [40, 70], [-20, 70], [-20, 30]]]}, "Zone trop grande"),
    ({"type": "Polygon", "coordinates": [[[1, 43], [1.0001, 43], [1.0001, 43.0001], [1, 43]]]}, "Zone trop petite"),
    ({"type": "FeatureCollection", "features": []}, "aucun polygone"),
    ([1, 2], "objet"),
])
def test_bad_geojson_gets_a_french_reason(value, words):
    with pytest.raises(BadRequest) as err:
        T.parse_geojson(value, "geojson")
    assert words in err.value.message
    assert "geojson" in err.value.fields


def test_area_is_close_to_the_known_area_of_a_departement():
    landes = T.boundaries(DATA, "department")["40"].geometry
    assert 9000 < T.area_km2(landes) < 9600  # 9,243 km² (INSEE)


def brute_force(lat, lon, points):
    best, which = math.inf, -1
    for k, (plat, plon) in enumerate(points):
        d = distance_km(lat, lon, plat, plon)
        if d < best:
            best, which = d, k
    return best, which


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_nearest_equals_brute_force_on_random_points(seed):
    rng = random.Random(seed)
    queries = [(rng.uniform(-89, 89), rng.uniform(-180, 180)) for _ in range(300)]
    queries += [(89.9, 10.0), (-89.9, -170.0), (0.0, 179.99), (0.0, -179.99), (46.0, 2.0)]
    points = [(rng.uniform(-60, 60), rng.uniform(-180, 180)) for _ in range(rng.choice([1, 7, 250]))]
    points += [(0.0, -179.995), (46.0001, 2.0)]
    lat, lon = np.array([q[0] for q in queries]), np.array([q[1] for q in queries])
    distance, which = C.nearest(lat, lon, np.array([p[0] for p in points]), np.array([p[1] for p in points]))
    for i, (qlat, qlon) in enumerate(queries):
        best, _ = brute_force(qlat, qlon, points)
        assert distance[i] == pytest.approx(best, abs=1e-9)
        assert distance_km(qlat, qlon, *points[which[i]]) == pytest.approx(best, abs=1e-9)


def test_nearest_without_any_point_is_infinite():
    distance, which = C.nearest(np.array([45.0]), np.array([5.0]), np.array([]), np.array([]))
    assert math.isinf(distance[0]) and which[0] == -1


def test_haversine_is_the_formula_of_geo_distance():
    rng = random.Random(7)
    pairs = [(rng.uniform(-90, 90), rng.uniform(-180, 180), rng.uniform(-90, 90), rng.uniform(-180, 180))
             for _ in range(500)]
    arr = np.array(pairs).T
    assert C.haversine_np(*arr) == pytest.approx([distance_km(*p) for p in pairs], abs=1e-9)


def coverage_of(territory_code: str, points: list[tuple[float, float, str]], max_km: float) -> C.Coverage:
    rows = [{"lat": a, "lon": b, "site_finess": f} for a, b, f in points]
    territory = T.resolve_code(DATA, territory_code)
    return C.compute(DATA, territory, C.ActivityRef(("999",), "Activité d'essai", None),
                     C.offer_points(rows), max_km)


def test_coverage_summary_classes_and_csv_agree_with_brute_force():
    # Two points outside the Landes and one inside: border communes are served from across the border.
    points = [(43.70, -1.05, "400000001"), (44.85, -0.58, "330000001"), (43.30, -0.37, "640000001")]
    cov = coverage_of("D40", points, 25.0)
    table = T.commune_table(DATA)
    expected = {str(table.insee[r]): brute_force(table.lat[r], table.lon[r], [(p[0], p[1]) for p in points])[0]
                for r in cov.territory.rows}
    far = {k for k, d in expected.items() if d > 25.0}
    result = cov.result(limit=5)
    assert result.communes == len(expected) and result.communes_far == len(far) > 0
    pop = {str(table.insee[r]): int(table.population[r]) for r in cov.territory.rows}
    assert result.population_far == sum(pop[k] for k in far)
    assert sum(c.communes for c in result.classes) == result.communes
    assert sum(c.population for c in result.classes) == result.population
    assert [c.key for c in result.classes] == ["c1", "c2", "c3", "c4", "none"]
    assert result.worst[0].distance_km == pytest.approx(max(expected.values()), abs=0.01)
    assert all(w.far for w in result.worst)
    rows = list(csv.reader(io.StringIO(cov.to_csv().lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "Code INSEE" and len(rows) == len(expected) + 1
    for row in rows[1:]:
        assert float(row[4].replace(",", ".")) == pytest.approx(expected[row[0]], abs=0.006)
        assert (row[5] == "oui") == (row[0] in far)
    distances = [float(r[4].replace(",", ".")) for r in rows[1:]]
    assert distances == sorted(distances, reverse=True)


def test_coverage_without_any_offer_counts_everyone_as_far():
    result = coverage_of("D2A", [], 30.0).result()
    assert result.communes_far == result.communes and result.population_far == result.population
    assert result.classes[-1].communes == result.communes and result.max_distance_km is None
    assert result.worst[0].distance_km is None


def test_choropleth_has_one_cell_per_commune_and_departments_for_france():
    cov = coverage_of("D2A", [(41.93, 8.74, "2A0000001")], 20.0)
    geo = cov.to_geojson()
    assert geo["level"] == "commune" and len(geo["features"]) == len(cov.territory.rows)
    corse_sud = T.boundaries(DATA, "department")["2A"].geometry.buffer(0.01)
    for feature in geo["features"][:40]:
        cell = shape(feature["geometry"])
        assert cell.geom_type in ("Polygon", "MultiPolygon") and not cell.is_empty
        assert corse_sud.contains(cell)
        assert feature["properties"]["classe"] in {"c1", "c2", "c3", "c4", "none"}
    france = coverage_of("FR", [(41.93, 8.74, "2A0000001")], 20.0).to_geojson()
    assert france["level"] == "department" and len(france["features"]) >= 96
    total_far = sum(f["properties"]["population_far"] for f in france["features"])
    assert 0 < total_far <= T.population(DATA, T.resolve_code(DATA, "FR"))


def test_cells_cover_their_commune_centroid():
    cells = C.commune_cells(DATA)
    table = T.commune_table(DATA)
    sample = np.random.default_rng(3).choice(len(table), 300, replace=False)
    inside = shapely.contains_xy(cells[sample], table.lon[sample], table.lat[sample])
    assert inside.mean() > 0.95  # a few coastal centroids fall just outside their simplified département


def test_nearest_over_every_commune_spans_several_blocks():
    table = T.commune_table(DATA)
    assert len(table) > 2 * C.BLOCK
    rng = random.Random(11)
    points = [(rng.uniform(42, 51), rng.uniform(-5, 8)) for _ in range(40)] + [(-21.1, 55.5)]  # one in La Réunion
    distance, which = C.nearest(table.lat, table.lon, np.array([p[0] for p in points]),
                                np.array([p[1] for p in points]))
    for i in [*rng.sample(range(len(table)), 300), len(table) - 1]:
        best, k = brute_force(table.lat[i], table.lon[i], points)
        assert distance[i] == pytest.approx(best, abs=1e-9) and which[i] == k
