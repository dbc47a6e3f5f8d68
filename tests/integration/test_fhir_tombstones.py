"""Deleted resources as tombstones: every deleting / un-publishing path records them in its transaction, `_since`
exports list them as DELETE bundles, reads answer 410, and what comes back (re-publication, reload) is no longer
listed."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from geo.communes import CommuneIndex
from graph import tombstones
from loaders.finess import FINESS_SAMPLE, load_finess
from loaders.generator import generate_offer
from loaders.nos import load_nos
from loaders.territories import load_territories
from tests.fixtures.fhir.support import load_fixture_or_skip, make_app, validate
from tests.integration.access_world import bearer, build_world
from tests.integration.access_world import make_app as make_web_app

pytestmark = pytest.mark.integration
ASYNC = {"Prefer": "respond-async"}
DATA = Path(__file__).parent.parent.parent / "data"
COMMUNES = Path(__file__).parent.parent / "fixtures" / "loaders" / "communes_small.csv"
AS_OF = dt.datetime(2026, 11, 22, 6, tzinfo=dt.UTC)


def tombstone_set(graph) -> set[tuple[str, str]]:
    rows = graph.read("MATCH (t:Tombstone) RETURN t.resource_type AS type, t.resource_id AS id")
    return {(r["type"], r["id"]) for r in rows}


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def deleted_in_delta(client, since: str, types: str) -> list[str]:
    """`$export?_type=…&_since=…` run to completion; the `request.url` of every DELETE entry of its deleted files."""
    kick = client.get(f"/fhir/$export?_type={types}&_since={since}", headers=ASYNC)
    assert kick.status_code == 202, kick.get_data(as_text=True)
    status_url = urlsplit(kick.headers["Content-Location"]).path
    deadline = time.monotonic() + 120
    while (status := client.get(status_url)).status_code == 202 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert status.status_code == 200, status.get_data(as_text=True)
    manifest = status.get_json()
    urls = []
    for item in manifest["deleted"]:
        assert item["type"] == "Bundle"
        with client.get(urlsplit(item["url"]).path) as response:
            lines = response.get_data(as_text=True).splitlines()
        assert len(lines) == item["count"]
        for line in lines:
            bundle = json.loads(line)
            validate(bundle)
            assert bundle["type"] == "transaction"
            for entry in bundle["entry"]:
                assert entry["request"]["method"] == "DELETE"
                urls.append(entry["request"]["url"])
    client.delete(status_url)
    return sorted(urls)


def move(client, token, offer, to):
    response = client.post(f"/api/v1/offers/{offer}/status", json={"to": to}, headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)


def test_unpublish_through_the_workflow_is_a_deletion_and_republish_undoes_it(
        graph, search_client, engine_endpoints, settings):
    tokens = build_world(graph, engine_endpoints, "quality")
    client = make_web_app(settings, graph, search_client).test_client()
    for step in ("validated_professionals", "validated_direction"):
        move(client, tokens["contrib_a"], "off-complete", step)
    move(client, tokens["coord_na"], "off-complete", "published")
    assert client.get("/fhir/HealthcareService/off-complete").status_code == 200
    assert tombstone_set(graph) == set()

    since = now_iso()
    move(client, tokens["coord_na"], "off-complete", "draft")
    gone = client.get("/fhir/HealthcareService/off-complete")
    assert gone.status_code == 410
    assert gone.get_json()["issue"][0]["code"] == "deleted"
    assert "supprimée" in gone.get_json()["issue"][0]["diagnostics"]
    row = graph.read("MATCH (t:Tombstone {resource_id: 'off-complete'}) "
                     "RETURN t.resource_type AS type, t.deleted_by AS by, t.reason AS reason")
    assert row == [{"type": "HealthcareService", "by": "coord_na", "reason": "offer.unpublished"}]
    assert deleted_in_delta(client, since, "HealthcareService") == ["HealthcareService/off-complete"]

    for step in ("validated_professionals", "validated_direction"):
        move(client, tokens["contrib_a"], "off-complete", step)
    move(client, tokens["coord_na"], "off-complete", "published")
    assert client.get("/fhir/HealthcareService/off-complete").status_code == 200
    assert tombstone_set(graph) == set()
    assert deleted_in_delta(client, since, "HealthcareService") == []


def test_unpublishing_an_offer_also_deletes_its_practitioner_roles(graph, engine_endpoints):
    load_fixture_or_skip(graph, engine_endpoints)
    before = tombstone_set(graph)

    def unpublish(tx):
        return tombstones.offer_status_changed(tx, "OFF-01-A", "published", "draft", "tester")

    assert graph.transaction(unpublish) == 3
    assert tombstone_set(graph) - before == {("HealthcareService", "OFF-01-A"),
                                             ("PractitionerRole", "10001234567.OFF-01-A"),
                                             ("PractitionerRole", "SYN0000002.OFF-01-A")}
    # a move between two unpublished statuses deletes nothing; coming back to published clears them
    assert graph.transaction(lambda tx: tombstones.offer_status_changed(
        tx, "OFF-01-A", "draft", "validated_professionals", "tester")) == 0
    graph.transaction(lambda tx: tombstones.offer_status_changed(
        tx, "OFF-01-A", "validated_direction", "published", "tester"))
    assert tombstone_set(graph) == before


def published_resources(graph) -> set[tuple[str, str]]:
    """What the FHIR facade publishes from the generated part of the graph, as (type, id)."""
    rows = graph.read("""
        MATCH (o:Offer {source: 'generator'}) WHERE o.status = 'published'
        RETURN 'HealthcareService' AS type, o.id AS id
        UNION MATCH (p:Place {source: 'generator'}) RETURN 'Location' AS type, p.id AS id
        UNION MATCH (p:Professional {source: 'generator'}) RETURN 'Practitioner' AS type, p.rpps AS id
        UNION MATCH (p:Professional)-[:WORKS_IN]->(o:Offer {source: 'generator'}) WHERE o.status = 'published'
        RETURN 'PractitionerRole' AS type, p.rpps + '.' + o.id AS id""")
    return {(r["type"], r["id"]) for r in rows}


def test_generator_reloads_tombstone_exactly_what_disappears(empty_graph, tmp_path):
    g = empty_graph
    g.apply_schema()
    load_nos(g, DATA)
    load_territories(g, DATA, communes_path=COMMUNES)
    load_finess(g, DATA / FINESS_SAMPLE, DATA, departments={"2A"}, communes=CommuneIndex.from_file(COMMUNES))
    generate_offer(g, DATA, seed=7, as_of=AS_OF)
    first = published_resources(g)
    assert {t for t, _ in first} == {"HealthcareService", "Location", "Practitioner", "PractitionerRole"}

    generate_offer(g, DATA, seed=7, as_of=AS_OF)  # reload without changes
    assert tombstone_set(g) == set()
    generate_offer(g, DATA, seed=7, as_of=AS_OF, replace=True)  # delete everything, re-create the same
    assert tombstone_set(g) == set()
    assert published_resources(g) == first

    since = now_iso()
    generate_offer(g, DATA, seed=8, as_of=AS_OF, replace=True)  # another seed: some offers, places… disappear
    second = published_resources(g)
    expected = first - second
    assert expected and {t for t, _ in expected} >= {"HealthcareService", "PractitionerRole"}
    assert tombstone_set(g) == expected
    reasons = g.read("MATCH (t:Tombstone) RETURN DISTINCT t.reason AS reason, t.deleted_by AS by")
    assert reasons == [{"reason": "generator.replace", "by": "ror generate offer --replace"}]

    client = make_app(g, exports_dir=tmp_path).test_client()
    assert deleted_in_delta(client, since, "HealthcareService,Location,Practitioner,PractitionerRole") == sorted(
        f"{t}/{i}" for t, i in expected)
    assert deleted_in_delta(client, now_iso(), "HealthcareService") == []  # deleted before that _since
    rtype, rid = sorted(expected)[0]
    assert client.get(f"/fhir/{rtype}/{rid}").status_code == 410
    kept = sorted(second)[0]
    assert client.get(f"/fhir/{kept[0]}/{kept[1]}").status_code == 200
