"""Incremental full `$export`: a full export re-uses the previous one's lines (the snapshot) for what has not
changed since, and must write the same resources as a cold export at the same point; it falls back to the cold
path when the snapshot cannot be trusted (epoch, count self-check)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import pytest

from accounts.models import Principal, User
from capacity import service as capacity
from fhir_api.export import EXPORT_TYPES, ExportJobs
from geo.communes import CommuneIndex
from loaders.fhir import load_fhir
from loaders.finess import FINESS_SAMPLE, load_finess
from loaders.generator import generate_offer
from loaders.nos import load_nos
from loaders.territories import load_territories
from quality import description, workflow
from quality.service import offer_reports

pytestmark = pytest.mark.integration
DATA = Path(__file__).parent.parent.parent / "data"
COMMUNES = Path(__file__).parent.parent / "fixtures" / "loaders" / "communes_small.csv"
AS_OF = dt.datetime(2026, 11, 22, 6, tzinfo=dt.UTC)
ADMIN = Principal(User("export-test", "admin"), via="test")


@pytest.fixture(scope="module")
def world(graph, engine_endpoints):
    """NOS, territories, the FINESS sample's Ain and Guadeloupe sites and their generated offer (seed 7)."""
    _, may_wipe = engine_endpoints
    if not may_wipe:
        pytest.skip("needs a database the tests may wipe")
    graph.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
    graph.apply_schema()
    load_nos(graph, DATA)
    load_territories(graph, DATA, communes_path=COMMUNES)
    load_finess(graph, DATA / FINESS_SAMPLE, DATA, departments={"01", "971"},
                communes=CommuneIndex.from_file(COMMUNES))
    generate_offer(graph, DATA, seed=7, as_of=AS_OF)
    return graph


def make_jobs(graph, folder: Path) -> ExportJobs:
    jobs = ExportJobs(graph, folder)
    jobs.margin = dt.timedelta(0)  # the world was loaded just before: no margin, or everything is "changed"
    return jobs


def full_export(jobs: ExportJobs, types=EXPORT_TYPES, *, cold: bool = False) -> dict:
    job = jobs.start(list(types), None, "test", wait=True, cold=cold)
    state = jobs.state(job)
    assert state["status"] == "completed", state
    state["job"] = job
    return state


def resources(jobs: ExportJobs, state: dict) -> dict[str, dict[str, dict]]:
    """Resources of an export per type, by id (a duplicated id would fail the count comparison)."""
    out: dict[str, dict[str, dict]] = {}
    for item in state["output"]:
        lines = (jobs.dir / state["job"] / item["file"]).read_bytes().splitlines()
        assert len(lines) == item["count"]
        parsed = [json.loads(line) for line in lines]
        out[item["type"]] = {r["id"]: r for r in parsed}
        assert len(out[item["type"]]) == len(parsed), f"duplicated ids in {item['type']}"
    return out


def modes(state: dict) -> dict[str, str]:
    return {t: m["mode"] for t, m in state["modes"].items()}


def published_offers(graph) -> list[str]:
    rows = graph.read("MATCH (o:Offer {status: 'published'}) WHERE EXISTS { (o)<-[:WORKS_IN]-() } "
                      "RETURN o.id AS id ORDER BY id")
    return [r["id"] for r in rows]


def bedded_places(graph) -> list[str]:
    rows = graph.read("MATCH (p:Place) WHERE p.installed_beds >= 4 RETURN p.id AS id ORDER BY id")
    return [r["id"] for r in rows]


def clean_offer(graph, exclude: set[str]) -> str:
    """A published offer with roles and no blocking data-quality issue (the workflow can publish it again)."""
    for report in offer_reports(graph, [o for o in published_offers(graph) if o not in exclude][:60]):
        if not report.blocking:
            return report.offer_id
    raise AssertionError("no clean published offer in the generated world")


def republish(graph, offer_id: str) -> None:
    for step in ("validated_professionals", "validated_direction", "published"):
        workflow.transition(graph, ADMIN, offer_id, step)


def deleted_file(folder: Path, urls: list[str]) -> Path:
    path = folder / "deleted.ndjson"
    path.write_text("".join(json.dumps({
        "resourceType": "Bundle", "type": "transaction", "meta": {"lastUpdated": "2026-11-22T09:00:00Z"},
        "entry": [{"request": {"method": "DELETE", "url": url}}]}) + "\n" for url in urls), encoding="utf-8")
    return path


def test_incremental_export_after_real_writes_equals_a_cold_export(world, tmp_path):
    graph = world
    jobs = make_jobs(graph, tmp_path / "exports")
    first = full_export(jobs)
    assert modes(first) == dict.fromkeys(EXPORT_TYPES, "full")
    assert {m["reason"] for m in first["modes"].values()} == {"pas d'export complet précédent"}
    before = resources(jobs, first)

    # capacity entries on two places (capacity.service, as the form and the API do)
    places = bedded_places(graph)[:2]
    for i, place in enumerate(places):
        capacity.update(graph, ADMIN, place, {"available_women": i, "available_men": 1}, stale_hours=12)
    # a description edit
    edited = clean_offer(graph, set())
    revision = graph.read("MATCH (o:Offer {id: $id}) RETURN coalesce(o.revision, 0) AS r", id=edited)[0]["r"]
    description.update(graph, ADMIN, edited, {"revision": revision, "phone": "04 95 00 00 00"})
    # un-publish one offer (its roles disappear), un-publish and publish again another one
    unpublished = clean_offer(graph, {edited})
    workflow.transition(graph, ADMIN, unpublished, "draft")
    back = clean_offer(graph, {edited, unpublished})
    workflow.transition(graph, ADMIN, back, "draft")
    republish(graph, back)
    # new sites (Corse-du-Sud) from the FINESS loader and their generated offer
    load_finess(graph, DATA / FINESS_SAMPLE, DATA, departments={"2A"}, communes=CommuneIndex.from_file(COMMUNES))
    generate_offer(graph, DATA, seed=7, departments={"2A"}, as_of=AS_OF)
    # deletions through `ror load fhir` (a delta's deleted file): an offer, a place, a practitioner
    gone_offer = [o for o in published_offers(graph) if o not in {edited, unpublished, back}][0]
    gone_place = sorted(set(before["Location"]) - set(places))[0]
    gone_pro = graph.read("MATCH (p:Professional) WHERE NOT EXISTS { (p)-[:WORKS_IN]->(o:Offer) WHERE o.id IN $kept } "
                          "RETURN p.rpps AS rpps ORDER BY rpps LIMIT 1", kept=[edited, unpublished, back])[0]["rpps"]
    summary = load_fhir(graph, deleted_file(tmp_path, [f"HealthcareService/{gone_offer}", f"Location/{gone_place}",
                                                       f"Practitioner/{gone_pro}"]))
    assert not summary.rejects

    warm = full_export(jobs)
    assert modes(warm) == dict.fromkeys(EXPORT_TYPES, "incremental"), warm["modes"]
    assert "incrémental" in warm["progress"]
    cold = full_export(make_jobs(graph, tmp_path / "cold"), cold=True)
    assert modes(cold) == dict.fromkeys(EXPORT_TYPES, "full")
    got, expected = resources(jobs, warm), resources(jobs.__class__(graph, tmp_path / "cold"), cold)
    assert got.keys() == expected.keys()
    for rtype in EXPORT_TYPES:
        assert got[rtype] == expected[rtype], rtype

    # the changes are there (not two equally stale exports)
    after = got
    assert after["Location"][places[1]]["meta"]["lastUpdated"] > before["Location"][places[1]]["meta"]["lastUpdated"]
    assert any(e["url"].endswith("supported-capacity") for e in after["Location"][places[1]]["extension"])
    assert {"system": "phone", "value": "04 95 00 00 00"} in after["HealthcareService"][edited]["telecom"]
    assert unpublished not in after["HealthcareService"] and back in after["HealthcareService"]
    assert not [r for r in after["PractitionerRole"] if r.endswith("." + unpublished)]
    assert [r for r in after["PractitionerRole"] if r.endswith("." + back)]
    assert gone_offer not in after["HealthcareService"] and gone_place not in after["Location"]
    assert gone_pro not in after["Practitioner"]
    new_sites = {i for i in after["Organization"] if i.startswith("eg-2A")}
    assert new_sites and not new_sites & set(before["Organization"])
    assert len(after["HealthcareService"]) > len(before["HealthcareService"])
    warm_modes = warm["modes"]
    assert warm_modes["HealthcareService"]["added"] > 0 and warm_modes["HealthcareService"]["removed"] >= 2
    assert warm_modes["Location"]["changed"] >= 2


def test_an_unchanged_graph_gives_the_same_bytes_and_deleting_the_job_keeps_the_snapshot(world, tmp_path):
    jobs = make_jobs(world, tmp_path)
    first = full_export(jobs)
    meta, handle = jobs.snapshots.open("Location")
    handle.close()
    assert meta["count"] == first["output"][2]["count"]
    jobs.delete(first["job"])
    second = full_export(jobs)
    assert modes(second) == dict.fromkeys(EXPORT_TYPES, "incremental")
    third = full_export(jobs)
    for item in second["output"]:
        assert (tmp_path / second["job"] / item["file"]).read_bytes() == \
            (tmp_path / third["job"] / item["file"]).read_bytes()
    meta, handle = jobs.snapshots.open("Practitioner")
    with handle:
        assert len(handle.read().splitlines()) == meta["count"] > 0


def test_a_changed_region_name_invalidates_the_snapshot(world, tmp_path):
    jobs = make_jobs(world, tmp_path)
    full_export(jobs, ["Organization", "Location"])
    original = world.read("MATCH (r:Region {code: '84'}) RETURN r.name AS name")[0]["name"]
    world.write("MATCH (r:Region {code: '84'}) SET r.name = $name", name=original + " (renommée)")
    try:
        state = full_export(jobs, ["Organization", "Location"])
    finally:
        world.write("MATCH (r:Region {code: '84'}) SET r.name = $name", name=original)
    assert modes(state) == {"Organization": "full", "Location": "full"}
    assert "modifiés" in state["modes"]["Location"]["reason"]
    tags = [t for r in resources(jobs, state)["Location"].values() for t in r["meta"].get("tag", [])]
    assert any(t.get("display") == original + " (renommée)" for t in tags)


def test_a_node_deleted_behind_the_exporters_back_fails_the_count_check(world, tmp_path):
    jobs = make_jobs(world, tmp_path)
    first = full_export(jobs, ["Location"])
    victim = sorted(resources(jobs, first)["Location"])[-1]
    world.write("MATCH (p:Place {id: $id}) DETACH DELETE p", id=victim)  # no tombstone, no bump
    state = full_export(jobs, ["Location"])
    assert modes(state) == {"Location": "full"}
    assert state["modes"]["Location"]["reason"].startswith("contrôle du nombre")
    assert victim not in resources(jobs, state)["Location"]
    assert modes(full_export(jobs, ["Location"])) == {"Location": "incremental"}  # the new snapshot is used


def test_since_exports_neither_use_nor_replace_the_snapshot(world, tmp_path):
    jobs = make_jobs(world, tmp_path)
    full_export(jobs, ["HealthcareService"])
    snapshot = tmp_path / "snapshot" / "HealthcareService.json"
    meta = snapshot.read_bytes()
    job = jobs.start(["HealthcareService"], "2000-01-01T00:00:00Z", "test", wait=True)
    state = jobs.state(job)
    assert state["status"] == "completed" and state["modes"] == {}
    assert snapshot.read_bytes() == meta
    assert state["output"][0]["count"] == len(published_offers(world)) + world.read(
        "MATCH (o:Offer {status: 'published'}) WHERE NOT EXISTS { (o)<-[:WORKS_IN]-() } RETURN count(o) AS n")[0]["n"]


def test_two_full_exports_at_once_leave_a_consistent_snapshot(world, tmp_path):
    jobs = make_jobs(world, tmp_path)
    full_export(jobs)
    capacity.update(world, ADMIN, bedded_places(world)[-1], {"available_women": 1}, stale_hours=12)
    states = []
    threads = [threading.Thread(target=lambda: states.append(full_export(jobs))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(states) == 2
    for rtype in EXPORT_TYPES:
        meta, handle = jobs.snapshots.open(rtype)
        with handle:
            assert len(handle.read().splitlines()) == meta["count"], rtype
    warm = full_export(jobs)
    cold = full_export(make_jobs(world, tmp_path / "cold"), cold=True)
    assert resources(jobs, warm) == resources(ExportJobs(world, tmp_path / "cold"), cold)


def test_a_fhir_import_renaming_a_practitioner_is_re_exported(world, tmp_path):
    """`write/fhir_practitioners` bumps updated_at: the incremental export re-renders the renamed professional
    and his or her roles (their lines carry the name), though the line counts do not change."""
    jobs = make_jobs(world, tmp_path / "exports")
    types = ["Practitioner", "PractitionerRole"]
    full_export(jobs, types)
    rpps = world.read("MATCH (p:Professional)-[:WORKS_IN]->(o:Offer {status: 'published'}) "
                      "RETURN p.rpps AS rpps ORDER BY rpps LIMIT 1")[0]["rpps"]
    path = tmp_path / "practitioner.json"
    path.write_text(json.dumps({"resourceType": "Practitioner", "id": "imported-1",
                                "identifier": [{"value": rpps}],
                                "name": [{"family": "Renommé", "given": ["Importé"]}]}), encoding="utf-8")
    assert not load_fhir(world, path).rejects
    warm = full_export(jobs, types)
    assert modes(warm) == dict.fromkeys(types, "incremental")
    got = resources(jobs, warm)
    assert got["Practitioner"][rpps]["name"] == [{"family": "Renommé", "given": ["Importé"]}]
    roles = [r for i, r in got["PractitionerRole"].items() if i.startswith(rpps + ".")]
    assert roles and all({"url": "exerciseLastName", "valueString": "Renommé"} in r["extension"][0]["extension"]
                         for r in roles)
    cold = full_export(make_jobs(world, tmp_path / "cold"), types, cold=True)
    assert got == resources(ExportJobs(world, tmp_path / "cold"), cold)


def test_a_since_delta_brings_back_the_roles_of_an_offer_published_again(world, tmp_path):
    """Their lines carry the professional's lastUpdated (older than `_since`), but their tombstones are gone: a
    consumer that applied the deletion must get them again."""
    jobs = make_jobs(world, tmp_path)
    offer = clean_offer(world, set())
    roles = {r["id"] for r in world.read("MATCH (p:Professional)-[:WORKS_IN]->(o:Offer {id: $id}) "
                                         "RETURN p.rpps + '.' + o.id AS id", id=offer)}
    workflow.transition(world, ADMIN, offer, "draft")
    since = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    republish(world, offer)
    job = jobs.start(["HealthcareService", "PractitionerRole"], since, "test", wait=True)
    state = jobs.state(job)
    assert state["status"] == "completed" and state["deleted"] == []
    got = {item["type"]: {json.loads(line)["id"] for line in (tmp_path / job / item["file"]).read_bytes().splitlines()}
           for item in state["output"]}
    assert got["HealthcareService"] == {offer}
    assert roles and got["PractitionerRole"] == roles
