"""`ror load fhir` applies the DELETE entries of a `$export?_since=` delta (its `deleted` files): the resources
disappear from the graph with a tombstone each, what cannot be deleted is rejected by name, a re-run is safe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from loaders.fhir import load_fhir
from loaders.nos import load_nos

pytestmark = pytest.mark.integration

DATA = Path(__file__).parent.parent.parent / "data"
EXAMPLES = DATA / "ror_fhir" / "examples_json"
ROLE = "11102379616.9597"  # the example role points to HealthcareService/9597 (a stub offer here)


@pytest.fixture
def imported(empty_graph):
    empty_graph.apply_schema()
    load_nos(empty_graph, DATA)
    summary = load_fhir(empty_graph, EXAMPLES)
    assert summary.rows_loaded == 4 and not summary.rejects
    return empty_graph


def _deleted_file(folder: Path, name: str, urls: list[str]) -> Path:
    """Lines as `$export` writes them in its deleted files: one transaction Bundle of DELETE requests each."""
    path = folder / name
    path.write_text("".join(json.dumps({
        "resourceType": "Bundle", "type": "transaction", "meta": {"lastUpdated": "2026-11-22T09:00:00Z"},
        "entry": [{"request": {"method": "DELETE", "url": url}}]}) + "\n" for url in urls), encoding="utf-8")
    return path


def _state(graph) -> dict:
    return graph.read("""
        RETURN COUNT { (:Offer {id: 'ror-healthcareservice-exemple'}) } AS offers,
               COUNT { (:Offer {id: '9597'}) } AS stubs,
               COUNT { (:Professional {rpps: '11102379616'})-[:WORKS_IN]->(:Offer) } AS roles,
               COUNT { (:Professional {rpps: '11102379616'}) } AS professionals,
               COUNT { (:Place {id: 'ror-location-exemple'}) } AS places,
               COUNT { (:Site) } AS sites""")[0]


def _tombstones(graph) -> set[tuple[str, str]]:
    return {(r["t"], r["i"]) for r in graph.read(
        "MATCH (t:Tombstone) RETURN t.resource_type AS t, t.resource_id AS i")}


def test_delete_entries_remove_resources_leave_tombstones_and_reject_what_cannot_go(imported, tmp_path):
    before = _state(imported)
    assert before == {"offers": 1, "stubs": 1, "roles": 1, "professionals": 1, "places": 1, "sites": before["sites"]}
    path = _deleted_file(tmp_path, "PractitionerRole-deleted.ndjson", [
        f"PractitionerRole/{ROLE}", "Location/ror-location-exemple", "Organization/eg-458174839",
        "PractitionerRole/sans-point", "Patient/123", "HealthcareService/absente-ici"])

    summary = load_fhir(imported, path)

    assert _state(imported) == {**before, "roles": 0, "places": 0}  # offer, professional, sites stay
    assert {("PractitionerRole", ROLE), ("Location", "ror-location-exemple"),
            ("HealthcareService", "absente-ici")} <= _tombstones(imported)
    reasons = {(r.line, r.value): r.reason for r in summary.rejects}
    assert set(reasons) == {(3, "Organization/eg-458174839"), (4, "PractitionerRole/sans-point"),
                            (5, "Patient/123")}
    assert "FINESS" in reasons[(3, "Organization/eg-458174839")]
    assert "<RPPS>.<identifiant de l'offre>" in reasons[(4, "PractitionerRole/sans-point")]
    assert summary.counts["suppressions demandées"] == 3 and summary.counts["nœuds supprimés"] == 1


def test_deleting_a_service_takes_its_roles_and_a_rerun_changes_nothing(imported, tmp_path):
    path = _deleted_file(tmp_path, "HealthcareService-deleted.ndjson",
                         ["HealthcareService/9597"])
    first = load_fhir(imported, path)
    after = _state(imported)
    assert after["stubs"] == 0 and after["roles"] == 0 and after["professionals"] == 1 and after["offers"] == 1
    assert {("HealthcareService", "9597"), ("PractitionerRole", ROLE)} <= _tombstones(
        imported)
    assert first.counts["nœuds supprimés"] == 1 and not first.rejects

    again = load_fhir(imported, path)
    assert _state(imported) == after and again.counts["nœuds supprimés"] == 0 and not again.rejects


def test_importing_the_resource_again_forgets_its_tombstone(imported, tmp_path):
    load_fhir(imported, _deleted_file(tmp_path, "Location-deleted.ndjson", ["Location/ror-location-exemple"]))
    assert ("Location", "ror-location-exemple") in _tombstones(imported)
    load_fhir(imported, EXAMPLES / "Location-ror-location-exemple.json")
    assert _state(imported)["places"] == 1
    assert ("Location", "ror-location-exemple") not in _tombstones(imported)
