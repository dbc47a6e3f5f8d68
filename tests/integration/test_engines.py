"""The real engines do what the product needs: constraints, spatial points, French analysis, geo queries."""

from __future__ import annotations

import math
import uuid

import pytest
from neo4j.exceptions import ConstraintError

pytestmark = pytest.mark.integration

BELLEY = (45.7597, 5.6883)
PLACES = {"CH Belley": (45.751495, 5.68054), "CH Bourg": (46.222745, 5.208596), "Lyon": (45.7578, 4.8320),
          "Marseille": (43.2965, 5.3698)}


def haversine_km(a, b):
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def expected_order(names):
    return sorted(names, key=lambda n: haversine_km(BELLEY, PLACES[n]))


def test_neo4j_is_the_community_5_26_lts(graph):
    assert graph.ping().startswith("Neo4j/5.26")


def test_neo4j_constraint_is_enforced(empty_graph):
    empty_graph.write("CREATE CONSTRAINT probe_key IF NOT EXISTS FOR (n:Probe) REQUIRE n.key IS UNIQUE")
    empty_graph.write("CREATE (:Probe {key: $k})", k="a")
    with pytest.raises(ConstraintError):
        empty_graph.driver.execute_query("CREATE (:Probe {key: $k})", {"k": "a"})
    empty_graph.write("DROP CONSTRAINT probe_key")


def test_neo4j_point_distance_orders_sites(empty_graph):
    # Belley hospital, Bourg-en-Bresse hospital, Lyon centre; distances from Belley town centre.
    empty_graph.write(
        "UNWIND $rows AS r CREATE (:Probe {name: r.name, location: point({latitude: r.lat, longitude: r.lon})})",
        rows=[{"name": n, "lat": PLACES[n][0], "lon": PLACES[n][1]} for n in ("Lyon", "CH Bourg", "CH Belley")],
    )
    rows = empty_graph.read(
        "MATCH (p:Probe) WITH p, point.distance(p.location, point({latitude: $lat, longitude: $lon})) AS d "
        "RETURN p.name AS name, d / 1000.0 AS km ORDER BY d", lat=BELLEY[0], lon=BELLEY[1],
    )
    assert [r["name"] for r in rows] == expected_order(["Lyon", "CH Bourg", "CH Belley"])
    for row in rows:
        assert row["km"] == pytest.approx(haversine_km(BELLEY, PLACES[row["name"]]), abs=0.5)


@pytest.fixture
def probe_index(search_client):
    name = f"probe-{uuid.uuid4().hex[:8]}"
    search_client.indices.create(index=name, body={
        "settings": {"number_of_replicas": 0, "analysis": {
            "filter": {
                "fr_elision": {"type": "elision", "articles_case": True,
                               "articles": ["l", "m", "t", "qu", "n", "s", "j", "d", "c"]},
                "fr_stemmer": {"type": "stemmer", "language": "light_french"},
                "autocomplete": {"type": "edge_ngram", "min_gram": 2, "max_gram": 20},
            },
            "analyzer": {
                "fr": {"tokenizer": "standard", "filter": ["fr_elision", "lowercase", "asciifolding", "fr_stemmer"]},
                "fr_prefix": {"tokenizer": "standard", "filter": ["lowercase", "asciifolding", "autocomplete"]},
            },
        }},
        "mappings": {"properties": {
            "name": {"type": "text", "analyzer": "fr",
                     "fields": {"prefix": {"type": "text", "analyzer": "fr_prefix", "search_analyzer": "fr"}}},
            "location": {"type": "geo_point"},
            "area": {"type": "geo_shape"},
        }},
    })
    yield name
    search_client.indices.delete(index=name)


def _index(client, index, docs):
    for i, doc in enumerate(docs):
        client.index(index=index, id=str(i), body=doc)
    client.indices.refresh(index=index)


def test_french_analysis_folds_accents_case_and_elision(search_client, probe_index):
    _index(search_client, probe_index, [
        {"name": "Clinique Sainte-Benedicte"}, {"name": "L'hôpital des Enfants"}, {"name": "Pharmacie du Marché"},
    ])
    for text in ("bénédicte", "BENEDICTE", "Bénédicte"):
        hits = search_client.search(index=probe_index, body={"query": {"match": {"name": text}}})["hits"]["hits"]
        assert [h["_source"]["name"] for h in hits] == ["Clinique Sainte-Benedicte"], text
    hits = search_client.search(index=probe_index, body={"query": {"match": {"name": "hopitaux enfant"}}})
    assert hits["hits"]["hits"][0]["_source"]["name"] == "L'hôpital des Enfants"


def test_edge_ngrams_complete_a_prefix(search_client, probe_index):
    _index(search_client, probe_index, [{"name": "Cardiologie interventionnelle"}, {"name": "Chirurgie"}])
    hits = search_client.search(index=probe_index, body={"query": {"match": {"name.prefix": "cardio"}}})
    assert [h["_source"]["name"] for h in hits["hits"]["hits"]] == ["Cardiologie interventionnelle"]


def test_geo_distance_filter_and_sort(search_client, probe_index):
    _index(search_client, probe_index, [{"name": n, "location": {"lat": p[0], "lon": p[1]}} for n, p in PLACES.items()])
    origin = {"lat": BELLEY[0], "lon": BELLEY[1]}
    body = {"query": {"bool": {"filter": {"geo_distance": {"distance": "100km", "location": origin}}}},
            "sort": [{"_geo_distance": {"location": origin, "unit": "km", "order": "asc"}}]}
    hits = search_client.search(index=probe_index, body=body)["hits"]["hits"]
    assert [h["_source"]["name"] for h in hits] == expected_order(["CH Belley", "CH Bourg", "Lyon"])  # not Marseille
    for hit in hits:
        assert hit["sort"][0] == pytest.approx(haversine_km(BELLEY, PLACES[hit["_source"]["name"]]), abs=0.1)


def test_geo_shape_intersects_a_territory(search_client, probe_index):
    def box(w, s, e, n):
        return {"type": "polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}

    _index(search_client, probe_index, [{"name": "Ain (box)", "area": box(4.7, 45.6, 6.2, 46.5)},
                                        {"name": "Corse (box)", "area": box(8.5, 41.3, 9.6, 43.0)}])
    body = {"query": {"geo_shape": {"area": {"shape": {"type": "point", "coordinates": [5.68, 45.75]},
                                             "relation": "intersects"}}}}
    hits = search_client.search(index=probe_index, body=body)["hits"]["hits"]
    assert [h["_source"]["name"] for h in hits] == ["Ain (box)"]
