"""Steering indicators (issue 14, item 5) as FHIR Measure / MeasureReport on the access world (real Neo4j and
OpenSearch): the values equal the coordinator pages' figures (quality report, population follow-up, territory
picture), per région and département; the documented requests R047 and R048 answer with them; every resource is
valid FHIR."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accounts.models import Principal
from accounts.store import UserStore
from quality import indicators, population
from quality import service as quality
from search.sync import IndexSync
from tests.fixtures.fhir.support import validate

pytestmark = pytest.mark.integration
PREFIX = "fhirmeasure"
RUN_AT = datetime(2023, 10, 6, 15, 0, 12, tzinfo=UTC)  # the date of the documentation's example (R048)


@pytest.fixture(scope="module")
def world(graph, search_client, engine_endpoints, settings):
    access = pytest.importorskip("tests.integration.access_world")
    from search.indexer import Indexer

    access.build_world(graph, engine_endpoints, "quality", "publication")
    graph.apply_schema()
    # one stale capacity entry, in the Ain (région 84); Mont-de-Marsan's (région 75) are fresh
    graph.write("MATCH (p:Place {id: 'pl-c'}) CREATE (p)-[:HAS_CAPACITY]->(:CapacitySnapshot {id: 'cap-old-c', "
                "latest: true, installed: 20, available_women: 1, available_men: 1, available_undifferentiated: 0, "
                "available_total: 2, updated_at: datetime() - duration('P2D'), synthetic: true})")
    Indexer(graph, search_client, PREFIX).build()
    settings = settings.replace(index_prefix=PREFIX)
    values = indicators.compute(graph, index=IndexSync(graph, search_client, PREFIX),
                                stale_hours=settings.capacity_stale_hours)
    run_id = indicators.record(graph, values, stale_hours=settings.capacity_stale_hours, at=RUN_AT)
    app = access.make_app(settings, graph, search_client)
    admin = Principal(UserStore(graph).get("admin"))
    return {"client": app.test_client(), "values": values, "run": run_id, "admin": admin, "settings": settings}


def value(world, indicator: str, group: str, level: str, code: str):
    wanted = (indicator, group, level, code)
    return next(v for v in world["values"] if (v.indicator, v.group, v.level, v.code) == wanted)


def test_completeness_equals_the_quality_report(world, graph):
    for region in ("75", "84"):
        page = quality.region_report(graph, world["admin"], region)
        got = value(world, "completude", "completude", "region", region)
        assert got.score == page.completeness and got.denominator == page.offers
    landes = value(world, "completude", "completude", "department", "40")
    assert landes.score == quality.region_report(graph, world["admin"], "75").completeness  # all of 75 is in 40


def test_population_equals_the_follow_up(world, graph):
    for region in ("75", "84"):
        rows = population.table(graph, world["admin"], region)
        assert rows
        units = value(world, "peuplement", "unites-peuplees", "region", region)
        assert (units.numerator, units.denominator) == (sum(r.units_populated for r in rows),
                                                        sum(r.units for r in rows))
        for group, floor in (("objectif-95", 95), ("plancher-85", 85)):
            share = value(world, "peuplement", group, "region", region)
            reached = sum(r.units_populated_pct >= floor for r in rows)
            assert (share.numerator, share.denominator) == (reached, len(rows))
            assert share.score == round(100 * reached / len(rows), 1)
    assert any(r.units_populated_pct < 85 for r in population.table(graph, world["admin"], "75"))


def test_staleness_equals_the_territory_picture(world, graph, search_client):
    from geo.territory import resolve_code
    from search.territory_picture import TerritoryService

    settings = world["settings"]
    service = TerritoryService(graph, search_client, settings.data_dir, PREFIX, settings.capacity_stale_hours)
    for code in ("R75", "R84", "D40", "D01"):
        beds = service.picture(resolve_code(settings.data_dir, code)).beds
        level = "region" if code[0] == "R" else "department"
        got = value(world, "capacites-perimees", "perimees", level, code[1:])
        assert (got.numerator, got.denominator) == (beds.stale, beds.places_reporting)
    assert value(world, "capacites-perimees", "perimees", "region", "84").score == 100.0
    assert value(world, "capacites-perimees", "perimees", "region", "75").score == 0.0


def matches(bundle: dict) -> list[str]:
    return [e["resource"]["id"] for e in bundle["entry"] if e["search"]["mode"] == "match"]


def test_measures_and_reports_in_fhir(world):
    client = world["client"]
    measures = client.get("/fhir/Measure").get_json()
    assert matches(measures) == ["ror-capacites-perimees", "ror-completude", "ror-peuplement"]
    for entry in measures["entry"]:
        validate(entry["resource"])
    body = client.get("/fhir/Measure?identifier=ror-completude&_revinclude=MeasureReport:measure").get_json()
    assert matches(body) == ["ror-completude"]
    reports = [e["resource"] for e in body["entry"] if e["search"]["mode"] == "include"]
    assert [r["id"] for r in reports] == [f"ind-completude-{world['run']}"]
    report = reports[0]
    validate(report)
    assert report["measure"] == "https://ror-graph.fr/fhir/Measure/ror-completude"
    assert report["date"].startswith("2023-10-06T15:00:12")
    strata = {s["code"][0]["coding"][0]["code"]: {x["value"]["coding"][0]["code"]: x for x in s["stratum"]}
              for s in report["group"][0]["stratifier"]}
    for region in ("75", "84"):
        assert strata["region"][region]["measureScore"]["value"] == \
            value(world, "completude", "completude", "region", region).score
    assert set(strata["departement"]) >= {"40", "01"}
    segur = client.get(f"/fhir/MeasureReport/ind-peuplement-{world['run']}").get_json()
    validate(segur)
    assert [g["code"]["coding"][0]["code"] for g in segur["group"]] == ["unites-peuplees", "objectif-95",
                                                                        "plancher-85"]
    assert client.get("/fhir/MeasureReport/ind-peuplement-nope").status_code == 404
    by_measure = client.get("/fhir/MeasureReport?measure=Measure/ror-capacites-perimees").get_json()
    assert matches(by_measure) == [f"ind-capacites-perimees-{world['run']}"]
    assert matches(client.get("/fhir/MeasureReport?measure=https://ror-graph.fr/fhir/Measure/ror-peuplement"
                              ).get_json()) == [f"ind-peuplement-{world['run']}"]
    assert matches(client.get("/fhir/MeasureReport?measure=Measure/inconnue").get_json()) == []
    assert len(matches(client.get("/fhir/MeasureReport?date=ge2023-10-06").get_json())) == 3
    assert matches(client.get("/fhir/MeasureReport?date=ge2023-10-07").get_json()) == []


def test_documented_indicator_requests(world):
    """R047 and R048 as documented (exemples/consultation-indicateurs-pilotage.md)."""
    from tests.integration.test_fhir_documented import REQUESTS

    client = world["client"]
    documented = {r["id"]: r for r in REQUESTS}
    r047 = client.get("/fhir/" + documented["R047"]["path"].replace("XXX", "ror-peuplement")).get_json()
    assert matches(r047) == ["ror-peuplement"]
    assert [e["resource"]["id"] for e in r047["entry"] if e["search"]["mode"] == "include"] == \
        [f"ind-peuplement-{world['run']}"]
    r048 = client.get("/fhir/" + documented["R048"]["path"]).get_json()  # eq2023-10-06T15:00, as written
    assert matches(r048) == ["ror-capacites-perimees", "ror-completude", "ror-peuplement"]
    assert len([e for e in r048["entry"] if e["search"]["mode"] == "include"]) == 3
    other_day = client.get("/fhir/Measure?_has:MeasureReport:measure:date=eq2023-10-07").get_json()
    assert matches(other_day) == []
    for entry in r048["entry"]:
        validate(entry["resource"])


def test_metadata_lists_measure_and_measurereport(world):
    statement = world["client"].get("/fhir/metadata").get_json()
    validate(statement)
    types = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert {"Measure", "MeasureReport"} <= set(types)
    assert "MeasureReport:measure" in types["Measure"]["searchRevInclude"]
    assert {"measure", "date"} <= {p["name"] for p in types["MeasureReport"]["searchParam"]}
