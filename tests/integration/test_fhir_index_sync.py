"""The FHIR search index follows the graph: a capacity entry is visible to FHIR searches when the write returns,
an offer leaving `published` leaves the search, and `ror index sync` catches up a write made behind the
product's back (with the chained copies: an offer found by its site's new name)."""

from __future__ import annotations

import pytest

from fhir_api.index import listeners
from fhir_api.index.sync import FhirSync
from tests.fixtures.fhir.support import load_fixture_or_skip, search_app

pytestmark = pytest.mark.integration
PREFIX = "fhirsync"


@pytest.fixture(scope="module")
def client(graph, search_client, engine_endpoints, tmp_path_factory):
    load_fixture_or_skip(graph, engine_endpoints)
    listeners.install()
    return search_app(graph, search_client, tmp_path_factory, prefix=PREFIX).test_client()


def total(client, query: str) -> int:
    response = client.get(f"/fhir/{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["total"]


def test_a_capacity_entry_is_visible_when_the_write_returns(client, graph, search_client):
    from accounts.models import Principal, User
    from capacity import service as capacity_service
    from search.sync import IndexSync

    query = "Location?_id=PL-01-A&capacity-status=02&gender-capacity-available=01&nb-capacity=eq7"
    chained = "HealthcareService?location.gender-capacity-available=01&location.nb-capacity=eq7"
    assert total(client, query) == 0
    capacity_service.update(graph, Principal(User("test-fhir-sync", "admin"), via="cli"), "PL-01-A",
                            {"available_women": 7, "available_men": 0}, stale_hours=12,
                            sync=IndexSync(graph, search_client, PREFIX))
    assert total(client, query) == 1  # no wait: the push refreshed the index before the write returned
    assert total(client, chained) == 2  # the two offers at the place got the new copy of it


def test_an_offer_leaving_published_leaves_the_search(client, graph, search_client):
    from search.sync import reindex_offer_change

    assert total(client, "HealthcareService?_id=OFF-01-C") == 1
    graph.write("MATCH (o:Offer {id: 'OFF-01-C'}) SET o.status = 'draft', o.updated_at = datetime()")
    try:
        reindex_offer_change(graph, search_client, PREFIX, ["OFF-01-C"])
        assert total(client, "HealthcareService?_id=OFF-01-C") == 0
        assert total(client, "Location?_id=PL-01-C&_revinclude=HealthcareService:location") == 1
    finally:
        graph.write("MATCH (o:Offer {id: 'OFF-01-C'}) SET o.status = 'published', o.updated_at = datetime()")
        reindex_offer_change(graph, search_client, PREFIX, ["OFF-01-C"])
    assert total(client, "HealthcareService?_id=OFF-01-C") == 1


def test_sync_catches_up_a_write_and_the_copies_of_it(client, graph, search_client):
    graph.write("MATCH (s:Site {finess: '010000040'}) SET s.name = 'CLINIQUE DU BUGEY RENOMMEE', "
                "s.updated_at = datetime()")
    assert total(client, "Organization?name=clinique du bugey") == 0
    report = FhirSync(graph, search_client, PREFIX).sync()
    assert report.written["Organization"] >= 1
    assert total(client, "Organization?name=clinique du bugey") == 1
    assert total(client, "HealthcareService?organization.name=clinique du bugey") == 1  # OFF-01-C's copy


def test_the_page_and_includes_come_from_the_resource_store(client, search_client):
    """The search index keeps its own fields in `_source` (no resource text, no chained copies: they are
    indexed only); the resource store holds the rendered resource and its references, which searches return."""
    import orjson

    from fhir_api.index import names

    search_doc = search_client.get(index=names.alias(PREFIX, "HealthcareService"), id="OFF-01-A")["_source"]
    assert search_doc["id"] == "OFF-01-A" and search_doc["location"]
    assert "resource" not in search_doc and not [k for k in search_doc if k.startswith("chain-")]
    stored = search_client.get(index=names.resources(PREFIX, "HealthcareService"), id="OFF-01-A")["_source"]
    assert set(stored) >= {"id", "resource", "location", "organization"}
    assert stored["location"] == search_doc["location"]
    body = client.get("/fhir/HealthcareService?_id=OFF-01-A&_include=HealthcareService:location"
                      "&_revinclude=PractitionerRole:service").get_json()
    match = next(e["resource"] for e in body["entry"] if e["search"]["mode"] == "match")
    assert match == orjson.loads(stored["resource"])
    included = {(e["resource"]["resourceType"], e["resource"]["id"]) for e in body["entry"]
                if e["search"]["mode"] == "include"}
    assert {("Location", i) for i in stored["location"]} <= included
    roles = search_client.search(index=names.resources(PREFIX, "PractitionerRole"),
                                 body={"query": {"terms": {"service": ["OFF-01-A"]}}})["hits"]["hits"]
    assert len(roles) == 2 and {("PractitionerRole", h["_id"]) for h in roles} <= included


def test_a_deleted_resource_leaves_both_indices(client, graph, search_client):
    """An upsert of an id the graph no longer serves deletes it from the search index and the resource store."""
    from fhir_api.index import names

    sync = FhirSync(graph, search_client, PREFIX)
    store = names.resources(PREFIX, "Practitioner")
    search_client.index(index=store, id="GHOST-1", body={"id": "GHOST-1", "resource": "{}"}, refresh=True)
    search_client.index(index=names.alias(PREFIX, "Practitioner"), id="GHOST-1", body={"id": "GHOST-1"},
                        refresh=True)
    written, deleted = sync.upsert("Practitioner", ["GHOST-1"], refresh=True)
    assert (written, deleted) == (0, 1)
    assert not search_client.exists(index=store, id="GHOST-1")
    assert not search_client.exists(index=names.alias(PREFIX, "Practitioner"), id="GHOST-1")


def test_a_failed_build_leaves_no_index_behind(graph, search_client, tmp_path, monkeypatch):
    """A build that fails while filling deletes the indices it created; the live ones keep answering."""
    from fhir_api.index import build

    prefix = "fhirfail"
    index = build.FhirIndex(graph, search_client, prefix, tmp_path)
    index.drop()

    def broken(self, *args, **kwargs):
        raise RuntimeError("bulk refused")

    monkeypatch.setattr(build.FhirIndex, "bulk", broken)
    with pytest.raises(RuntimeError, match="bulk refused"):
        index.build()
    left = search_client.indices.get(index=f"{prefix}-fhir-*", ignore_unavailable=True, allow_no_indices=True)
    assert list(left) == []


def test_index_build_projections_only_builds_the_fhir_indices_alone(graph, search_client, engine_endpoints,
                                                                     tmp_path, monkeypatch):
    """`ror index build --projections-only`: the FHIR indices (search + resource store per type), no
    orientation index."""
    from click.testing import CliRunner

    import core.settings
    from fhir_api.index import names
    from ror.cli import cli

    load_fixture_or_skip(graph, engine_endpoints)
    monkeypatch.setattr(core.settings, "PROJECT_ROOT", tmp_path)  # the build's export folder: var/exports
    prefix = "fhirproj"
    search_client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True)
    endpoints, _ = engine_endpoints
    result = CliRunner().invoke(cli, ["index", "build", "--projections-only"], env={
        "NEO4J_URI": endpoints.neo4j_uri, "OPENSEARCH_URL": endpoints.opensearch_url, "ROR_INDEX_PREFIX": prefix})
    try:
        assert result.exit_code == 0, result.output
        assert "Index FHIR v1 en service" in result.output
        for rtype in ("Organization", "Location", "Practitioner", "HealthcareService", "PractitionerRole"):
            assert search_client.indices.exists_alias(name=names.alias(prefix, rtype))
            assert search_client.indices.exists_alias(name=names.resources(prefix, rtype))
        assert search_client.count(index=names.resources(prefix, "HealthcareService"))["count"] > 0
        assert not search_client.indices.exists(index=f"{prefix}-offers*", allow_no_indices=False)
    finally:
        search_client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True)


def test_an_index_without_resource_store_answers_503_not_an_empty_page(graph, search_client, engine_endpoints,
                                                                       tmp_path_factory):
    """FHIR indices built before the resource stores: a search says the index must be rebuilt (503), never a
    page without its resources."""
    from fhir_api.index import names

    load_fixture_or_skip(graph, engine_endpoints)
    prefix = "fhirold"
    app = search_app(graph, search_client, tmp_path_factory, prefix=prefix).test_client()
    try:
        assert app.get("/fhir/HealthcareService?_id=OFF-01-A").get_json()["total"] == 1
        store = names.resources(prefix, "HealthcareService")
        search_client.indices.delete(index=list(search_client.indices.get_alias(name=store)))
        response = app.get("/fhir/HealthcareService?_id=OFF-01-A")
        assert response.status_code == 503, response.get_data(as_text=True)
        assert "ror index build --projections-only" in response.get_data(as_text=True)
    finally:
        search_client.indices.delete(index=f"{prefix}-fhir-*", ignore_unavailable=True)


def test_a_resource_read_before_a_write_is_read_again_after_it(client, graph, search_client):
    """The resource cache of the search (`search.ResourceCache`) holds a resource at one document version: after
    a write, the page, an `_include` and a `_revinclude` all give the new text, as the resource store holds it."""
    import orjson

    from fhir_api.index import names

    queries = {"match": "HealthcareService?_id=OFF-01-A",
               "include": "PractitionerRole?service=OFF-01-A&_include=PractitionerRole:service",
               "revinclude": "Location?_id=PL-01-A&_revinclude=HealthcareService:location"}

    def offer_in(query: str) -> dict:
        body = client.get(f"/fhir/{query}").get_json()
        return next(e["resource"] for e in body["entry"] if e["resource"]["id"] == "OFF-01-A")

    before = {k: offer_in(q) for k, q in queries.items()}
    assert {r["name"] for r in before.values()} == {"Hospitalisation complète de pédopsychiatrie"}
    graph.write("MATCH (o:Offer {id: 'OFF-01-A'}) SET o.name = 'Pédopsychiatrie renommée', "
                "o.updated_at = datetime()")
    try:
        FhirSync(graph, search_client, PREFIX).upsert("HealthcareService", ["OFF-01-A"], refresh=True)
        stored = search_client.get(index=names.resources(PREFIX, "HealthcareService"), id="OFF-01-A")["_source"]
        for kind, query in queries.items():
            assert offer_in(query) == orjson.loads(stored["resource"]), kind
            assert offer_in(query)["name"] == "Pédopsychiatrie renommée", kind
    finally:
        graph.write("MATCH (o:Offer {id: 'OFF-01-A'}) SET o.name = 'Hospitalisation complète de pédopsychiatrie', "
                    "o.updated_at = datetime()")
        FhirSync(graph, search_client, PREFIX).upsert("HealthcareService", ["OFF-01-A"], refresh=True)
    assert {offer_in(q)["name"] for q in queries.values()} == {"Hospitalisation complète de pédopsychiatrie"}


def test_an_included_resource_deleted_from_its_store_leaves_the_page_at_once(client, search_client):
    """A page's includes are taken from the process's cache without asking their versions while their store has
    had no write nor delete since they were confirmed (`SearchEngine.store_state`): a delete moves the store's
    state, so the next page no longer includes the resource, and includes it again once it is back."""
    from fhir_api.index import names

    query = "PractitionerRole?service=OFF-01-A&_include=PractitionerRole:practitioner"

    def practitioners() -> set[str]:
        body = client.get(f"/fhir/{query}").get_json()
        return {e["resource"]["id"] for e in body["entry"] if e["resource"]["resourceType"] == "Practitioner"}

    before = practitioners()
    assert before and practitioners() == before  # read twice: the second page from the confirmed cache
    gone = sorted(before)[0]
    store = names.resources(PREFIX, "Practitioner")
    kept = search_client.get(index=store, id=gone)["_source"]
    search_client.delete(index=store, id=gone, refresh=True)
    try:
        assert practitioners() == before - {gone}
    finally:
        search_client.index(index=store, id=gone, body=kept, refresh=True)
    assert practitioners() == before
