"""Territories on the real engines seeded with the 01 / 2A / 971 fixture: coverage gaps equal a pure-Python
brute force over the bundled communes, picture counts equal direct Cypher counts, and API errors are French."""

from __future__ import annotations

import csv
import io
import math

import pytest
from openapi_schema_validator import OAS30Validator
from shapely.geometry import Point, shape

from geo.communes import COMMUNES_FILE, distance_km, iter_communes

pytestmark = pytest.mark.integration
ZONE = {"type": "Polygon", "coordinates": [[[5.0, 46.0], [5.5, 46.0], [5.5, 46.4], [5.0, 46.4], [5.0, 46.0]]]}
OCEAN = {"type": "Polygon", "coordinates": [[[-20.0, 45.0], [-19.0, 45.0], [-19.0, 46.0], [-20.0, 45.0]]]}
IN_DEPARTMENT = "MATCH (o:Offer {status: 'published'}) MATCH (s:Site {finess: o.site_finess})-[:IN]->(:Commune)" \
                "-[:IN]->(:Department {code: $dep}) "


@pytest.fixture(scope="module")
def openapi(live_app):
    return live_app.test_client().get("/api/v1/openapi.json").get_json()


def conforms(openapi: dict, path: str, body: dict, method: str = "get") -> None:
    schema = openapi["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    OAS30Validator({**schema, "components": openapi["components"]}).validate(body)


def error_of(response, status: int, field: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["status"] == status and field in error["fields"], error
    return error


@pytest.fixture(scope="module")
def communes(seeded_settings):
    """Every bundled current commune with a centroid (what the coverage computation must cover)."""
    return [c for c in iter_communes(seeded_settings.data_dir / COMMUNES_FILE)
            if c.kind == "commune-actuelle" and c.has_centroid]


@pytest.fixture(scope="module")
def activities(graph, seeded_settings):
    """(most frequent, least frequent) activity among published offers with a position."""
    rows = graph.read("MATCH (a:Activity)<-[:PROVIDES]-(o:Offer {status: 'published'}) "
                      "RETURN a.code AS code, count(DISTINCT o) AS n ORDER BY n DESC, code")
    assert len(rows) > 5
    return rows[0]["code"], rows[-1]["code"]


def graph_points(graph, code: str) -> list[tuple[float, float]]:
    return [(r["lat"], r["lon"]) for r in graph.read_named("read/territory_offer_points", activities=[code])]


def brute_force(communes, points) -> dict[str, float]:
    """Nearest offer distance of every commune, one haversine per (commune, point) pair."""
    return {c.insee: min((distance_km(c.lat, c.lon, la, lo) for la, lo in points), default=math.inf)
            for c in communes}


def csv_rows(response) -> dict[str, list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:5] == ["Code INSEE", "Commune", "Département", "Population",
                           "Distance à l'offre la plus proche (km)"]
    return {r[0]: r for r in rows[1:]}


def check_against_brute_force(rows, expected, communes, max_km: float) -> tuple[int, int]:
    by_insee = {c.insee: c for c in communes}
    assert set(rows) == set(expected)
    far_population = far_communes = 0
    for insee, distance in expected.items():
        row = rows[insee]
        if math.isinf(distance):
            assert row[4] == "" and row[5] == "oui"
        else:
            assert float(row[4].replace(",", ".")) == pytest.approx(distance, abs=0.006), insee
            if abs(distance - max_km) > 0.01:
                assert (row[5] == "oui") == (distance > max_km), insee
        if not distance <= max_km:
            far_communes += 1
            far_population += by_insee[insee].population or 0
    return far_communes, far_population


def test_coverage_of_all_communes_of_france_equals_brute_force(api, graph, communes, activities, openapi):
    _, rare = activities
    points = graph_points(graph, rare)
    assert points, "the fixture has offers of this activity"
    expected = brute_force(communes, points)
    max_km = 40.0
    rows = csv_rows(api.get(f"/api/v1/territories/coverage?territory=FR&activity={rare}&max_km=40&format=csv"))
    far_communes, far_population = check_against_brute_force(rows, expected, communes, max_km)

    body = api.get(f"/api/v1/territories/coverage?territory=FR&activity={rare}&max_km=40&limit=20").get_json()
    conforms(openapi, "/api/v1/territories/coverage", body)
    assert body["communes"] == len(communes) == body["territory"]["communes"]
    assert body["communes_far"] == far_communes and body["population_far"] == far_population
    assert body["population"] == sum(c.population or 0 for c in communes)
    assert body["offer_points"] <= len(points) and body["offers"] == len(points)
    farthest = max(expected.items(), key=lambda kv: kv[1])
    assert body["worst"][0]["distance_km"] == pytest.approx(farthest[1], abs=0.006)
    assert len(body["worst"]) == 20


def test_coverage_of_a_region_sees_offers_across_its_border(api, graph, communes, activities):
    common, _ = activities
    points = graph_points(graph, common)
    region = [c for c in communes if c.region_code == "84"]
    expected = brute_force(region, points)
    rows = csv_rows(api.get(f"/api/v1/territories/coverage?territory=R84&activity={common}&max_km=15&format=csv"))
    far_communes, far_population = check_against_brute_force(rows, expected, region, 15.0)
    body = api.get(f"/api/v1/territories/coverage?territory=R84&activity={common}&max_km=15").get_json()
    assert (body["communes_far"], body["population_far"]) == (far_communes, far_population)
    # Savoie (73) has no fixture offer: its nearest ones are in the Ain (01), another département.
    savoie = [rows[c.insee] for c in region if c.department_code == "73"]
    assert savoie and all(r[6][:2] in {"01", "2A", "97"} for r in savoie if r[6])


def test_coverage_of_a_family_and_of_a_drawn_zone(api, graph, communes, activities, openapi):
    families = graph.read("MATCH (f:ActivityFamily)-[:GROUPS]->(a:Activity)"
                          "<-[:PROVIDES]-(:Offer {status: 'published'}) "
                          "RETURN f.code AS code, collect(DISTINCT a.code) AS codes ORDER BY size(codes) DESC, code "
                          "LIMIT 1")
    family, codes = families[0]["code"], families[0]["codes"]
    points = [p for code in codes for p in graph_points(graph, code)]
    zone = shape(ZONE)
    inside = [c for c in communes if zone.contains(Point(c.lon, c.lat))]
    expected = brute_force(inside, points)
    response = api.post(f"/api/v1/territories/zone/coverage?family={family}&max_km=5&format=csv",
                        json={"geometry": ZONE, "name": "Bresse"})
    check_against_brute_force(csv_rows(response), expected, inside, 5.0)
    body = api.post(f"/api/v1/territories/zone/coverage?family={family}&max_km=5", json={"geometry": ZONE}).get_json()
    conforms(openapi, "/api/v1/territories/zone/coverage", body, "post")
    assert body["activity"]["family"] == family and sorted(body["activity"]["codes"]) == sorted(
        graph.read("MATCH (:ActivityFamily {code: $f})-[:GROUPS]->(a:Activity) RETURN collect(a.code) AS c",
                   f=family)[0]["c"])
    geo = api.post(f"/api/v1/territories/zone/coverage?family={family}&max_km=5&format=geojson",
                   json={"geometry": ZONE}).get_json()
    assert geo["level"] == "commune" and len(geo["features"]) == len(inside)


def test_picture_counts_equal_direct_cypher_counts(api, graph, seeded_settings, openapi, communes):
    body = api.get("/api/v1/territories/picture?territory=D01").get_json()
    conforms(openapi, "/api/v1/territories/picture", body)
    dep = "01"
    assert body["offers"] == graph.read(IN_DEPARTMENT + "RETURN count(DISTINCT o) AS n", dep=dep)[0]["n"] > 100
    assert body["sites"] == graph.read(IN_DEPARTMENT + "RETURN count(DISTINCT s) AS n", dep=dep)[0]["n"]
    fields = {r["code"]: r["n"] for r in graph.read(
        IN_DEPARTMENT + "MATCH (o)-[:IN_FIELD]->(f:Field) RETURN f.code AS code, count(DISTINCT o) AS n", dep=dep)}
    assert {r["code"]: r["offers"] for r in body["by_field"]} == fields and fields
    families = {r["code"]: r["n"] for r in graph.read(
        IN_DEPARTMENT + "MATCH (o)-[:PROVIDES]->(:Activity)<-[:GROUPS]-(f:ActivityFamily) "
                        "RETURN f.code AS code, count(DISTINCT o) AS n", dep=dep)}
    assert {r["code"]: r["offers"] for r in body["by_family"]} == families and families
    beds = graph.read(
        IN_DEPARTMENT + "MATCH (o)-[:AT]->(:Place)-[:HAS_CAPACITY]->(k:CapacitySnapshot {latest: true}) "
        "RETURN count(DISTINCT o) AS places, sum(k.installed) AS installed, sum(k.available_total) AS available, "
        # core.freshness's rule: stale from more than $hours in whole minutes (12 h: from 12 h 01)
        "sum(CASE WHEN k.updated_at <= datetime() - duration({minutes: toInteger(floor($hours * 60)) + 1}) "
        "THEN 1 ELSE 0 END) "
        "AS stale", dep=dep, hours=seeded_settings.capacity_stale_hours)[0]
    assert body["beds"]["places_reporting"] == beds["places"] > 0
    assert (body["beds"]["installed"], body["beds"]["available"]) == (beds["installed"], beds["available"])
    assert body["beds"]["stale"] == beds["stale"]
    alerts = graph.read(
        "MATCH (s:Site)-[:IN]->(:Commune)-[:IN]->(:Department {code: $dep}) "
        "WHERE EXISTS { MATCH (:Offer {site_finess: s.finess, status: 'published'}) } "
        "MATCH (s)-[:HAS_TENSION]->(t:TensionAlert {open: true}) RETURN count(t) AS n, count(DISTINCT s) AS sites",
        dep=dep)[0]
    assert (body["open_alerts"], body["sites_in_tension"]) == (alerts["n"], alerts["sites"])
    assert sum(t["alerts"] for t in body["tension"]) == alerts["n"]
    people = graph.read("MATCH (p:Professional)-[:WORKS_IN]->(o:Offer) MATCH (s:Site {finess: o.site_finess})"
                        "-[:IN]->(:Commune)-[:IN]->(:Department {code: $dep}) RETURN count(DISTINCT p) AS n",
                        dep=dep)[0]["n"]
    population = sum(c.population or 0 for c in communes if c.department_code == dep)
    assert body["territory"]["population"] == population == graph.read(
        "MATCH (c:Commune {department_code: $dep, kind: 'commune-actuelle'}) WHERE c.location IS NOT NULL "
        "RETURN sum(c.population) AS n", dep=dep)[0]["n"]
    assert body["professionals"] == people > 0
    assert body["professionals_per_100k"] == pytest.approx(round(people * 100_000 / population, 1))


def test_picture_of_a_drawn_zone_counts_the_offers_inside_it(api, graph, openapi):
    body = api.post("/api/v1/territories/zone/picture", json={"geometry": ZONE, "name": "Bresse"}).get_json()
    conforms(openapi, "/api/v1/territories/zone/picture", body, "post")
    zone = shape(ZONE)
    rows = graph.read("MATCH (o:Offer {status: 'published'}) MATCH (s:Site {finess: o.site_finess}) "
                      "OPTIONAL MATCH (o)-[:AT]->(p:Place) WITH o, coalesce(p.location, s.location) AS loc "
                      "WHERE loc IS NOT NULL RETURN DISTINCT o.id AS id, loc.latitude AS lat, loc.longitude AS lon")
    inside = {r["id"] for r in rows if zone.contains(Point(r["lon"], r["lat"]))}
    assert body["offers"] == len(inside) > 0
    assert body["territory"]["label"] == "Bresse" and body["territory"]["kind"] == "polygon"


def test_compare_puts_two_territories_side_by_side(api, openapi):
    body = api.get("/api/v1/territories/compare?a=D01&b=D2A").get_json()
    conforms(openapi, "/api/v1/territories/compare", body)
    a = api.get("/api/v1/territories/picture?territory=D01").get_json()
    assert body["a"]["offers"] == a["offers"] and body["b"]["territory"]["code"] == "D2A"
    rows = {r["key"]: r for r in body["rows"]}
    assert rows["offers"]["a"] == a["offers"]
    assert rows["offers_per_100k"]["b"] == pytest.approx(
        round(body["b"]["offers"] * 100_000 / body["b"]["territory"]["population"], 1))
    mixed = api.post("/api/v1/territories/zone/compare", json={"a": "D01", "b": ZONE, "b_name": "Bresse"}).get_json()
    assert mixed["a"]["offers"] == a["offers"] and mixed["b"]["territory"]["label"] == "Bresse"


@pytest.mark.parametrize(("url", "field", "words"), [
    ("/api/v1/territories/picture?territory=D99", "territory", "Département inconnu : 99."),
    ("/api/v1/territories/picture?territory=R12", "territory", "Région inconnue : 12."),
    ("/api/v1/territories/picture?territory=Paris", "territory", "Paramètre invalide"),
    ("/api/v1/territories/picture", "territory", "Paramètre invalide"),
    ("/api/v1/territories/compare?a=D01&b=D00", "b", "Département inconnu : 00."),
    ("/api/v1/territories/coverage?territory=D01&activity=083&max_km=0", "max_km", "Paramètre invalide"),
    ("/api/v1/territories/coverage?territory=D01&activity=083&max_km=301", "max_km", "Paramètre invalide"),
    ("/api/v1/territories/coverage?territory=D01&activity=083&max_km=loin", "max_km", "Paramètre invalide"),
    ("/api/v1/territories/coverage?territory=D01&activity=083&format=xls", "format", "Paramètre invalide"),
    ("/api/v1/territories/coverage?territory=D01&max_km=10", "activity", "Indiquez une activité"),
    ("/api/v1/territories/coverage?territory=D01&activity=083&family=004", "family", "pas les deux"),
    ("/api/v1/territories/coverage?territory=D01&activity=XYZ", "activity", "Activité inconnue : XYZ"),
    ("/api/v1/territories/coverage?territory=D01&family=XYZ", "family", "Famille d'activités inconnue"),
])
def test_get_errors_name_the_faulty_parameter(api, url, field, words):
    assert words in error_of(api.get(url), 400, field)["message"]


@pytest.mark.parametrize(("body", "status", "field", "words"), [
    ({"geometry": {"type": "Polygon", "coordinates": [[[5, 46], [5.5, 46.4], [5.5, 46], [5, 46.4], [5, 46]]]}},
     400, "geometry", "auto-intersection"),
    ({"geometry": {"type": "Point", "coordinates": [5, 46]}}, 400, "geometry", "Polygon ou MultiPolygon"),
    ({"geometry": {"type": "Polygon", "coordinates": [[[-30, 20], [50, 20], [50, 70], [-30, 70], [-30, 20]]]}},
     400, "geometry", "Zone trop grande"),
    ({"name": "sans géométrie"}, 400, "geometry", "Polygone manquant"),
    ({"geometry": ZONE, "colour": "red"}, 400, "colour", "Champ inconnu"),
    ({"geometry": OCEAN}, 404, "", "Aucune commune"),
])
def test_post_errors_say_what_is_wrong_with_the_zone(api, body, status, field, words):
    response = api.post("/api/v1/territories/zone/coverage?activity=083&max_km=10", json=body)
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert words in error["message"] and (not field or field in error["fields"])


def test_post_without_json_is_refused(api):
    error = error_of(api.post("/api/v1/territories/zone/picture", data="pas du json", content_type="text/plain"), 400,
                     "body")
    assert "objet JSON" in error["message"]


def test_pages_render_the_picture_the_comparison_and_the_coverage(api, activities):
    common, _ = activities
    page = api.get("/territoires?territoire=D01")
    assert page.status_code == 200 and "Ain (01)" in page.get_data(as_text=True)
    compared = api.get("/territoires?territoire=D01&comparer=D2A").get_data(as_text=True)
    assert "Comparaison" in compared and "Corse-du-Sud (2A)" in compared
    coverage = api.get(f"/territoires/couverture?territoire=D01&activite={common}&km=10")
    text = coverage.get_data(as_text=True)
    assert coverage.status_code == 200 and "communes-eloignees" in text and "format=csv" in text
    download = api.get(f"/territoires/couverture?territoire=D01&activite={common}&km=10&format=csv")
    assert download.mimetype == "text/csv" and download.get_data(as_text=True).startswith("\ufeffCode INSEE")
    wrong = api.get("/territoires/couverture?territoire=D01&activite=083&km=9999")
    assert wrong.status_code == 400 and "Seuil (km)" in wrong.get_data(as_text=True)
    bad_zone = api.post("/territoires", data={"geojson": '{"type": "Polygon"}'})
    assert bad_zone.status_code == 400 and "GeoJSON invalide" in bad_zone.get_data(as_text=True)
