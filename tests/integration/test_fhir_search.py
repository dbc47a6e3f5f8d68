"""FHIR search parameters with known answers on the hand-written fixture graph (tests/fixtures/fhir)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from fhir_api import codes, searchparams
from tests.fixtures.fhir.support import load_fixture_or_skip, search_app, validate

pytestmark = pytest.mark.integration

R211 = "https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle"
R212 = "https://mos.esante.gouv.fr/NOS/TRE_R212-Equipement/FHIR/TRE-R212-Equipement"
R66 = codes.SYSTEM_SITE_CATEGORY


@pytest.fixture(scope="module")
def client(graph, search_client, engine_endpoints, tmp_path_factory):
    load_fixture_or_skip(graph, engine_endpoints)
    return search_app(graph, search_client, tmp_path_factory).test_client()


def search(client, query: str, headers: dict | None = None, status: int = 200) -> dict:
    response = client.get(f"/fhir/{query}", headers=headers or {})
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def matches(bundle: dict) -> list[str]:
    return [e["resource"]["id"] for e in bundle["entry"] if e["search"]["mode"] == "match"]


def included(bundle: dict) -> set[str]:
    return {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in bundle["entry"]
            if e["search"]["mode"] == "include"}


A, B, C, J, G = "OFF-01-A", "OFF-01-B", "OFF-01-C", "OFF-2A-A", "OFF-971-A"

CASES = [
    # HealthcareService
    ("HealthcareService?specialty=227", [A, C, J]),
    (f"HealthcareService?specialty={R211}|227", [A, C, J]),
    ("HealthcareService?specialty=http://other|227", []),
    ("HealthcareService?specialty=227,183", [A, B, C, J, G]),
    ("HealthcareService?specialty=227&specialty=183", []),
    ("HealthcareService?specialty:not=227", [B, G]),
    ("HealthcareService?characteristic=0320", [B]),
    ("HealthcareService?characteristic=09", [C, G]),
    ("HealthcareService?characteristic=28&characteristic=0320", [B]),
    ("HealthcareService?service-type=01", [B, G]),
    ("HealthcareService?service-category=05", [A, C, J]),
    ("HealthcareService?patient-type=04", [C]),
    ("HealthcareService?age-range-low=le5", [A, C, J]),
    ("HealthcareService?age-range-high=ge70", [B]),
    ("HealthcareService?age-range-low=le14&age-range-high=ge14", [A]),
    ("HealthcareService?age-range-high=ge16|http://unitsofmeasure.org|a", [B, G]),
    (f"HealthcareService?identifier={codes.SYSTEM_OFFER}|{B}", [B]),
    ("HealthcareService?name=hospit", [A]),
    ("HealthcareService?name:contains=pédopsy", [A, C]),
    ("HealthcareService?name:exact=Neurochirurgie HC", [B]),
    ("HealthcareService?name:exact=neurochirurgie hc", []),
    ("HealthcareService?location=Location/PL-01-A", [A, B]),
    ("HealthcareService?organization=Organization/eg-010000032", [A, B]),
    ("HealthcareService?organization=ej-010000024", []),  # providedBy is the EG
    ("HealthcareService?organization.identifier:above=010000024", [A, B, C]),  # the EG or its EJ
    (f"HealthcareService?organization.identifier={codes.SYSTEM_FINESS}|010000040", [C]),
    ("HealthcareService?location.near=46.2160|5.2460|10|km", [A, B]),
    ("HealthcareService?location.near=46.2160|5.2460|40|km&specialty=227", [A, C]),
    ("HealthcareService?_tag=84", [A, B, C]),
    (f"HealthcareService?_tag={codes.SYSTEM_REGION}|94", [J]),
    ("HealthcareService?_tag=01", [G]),
    ("HealthcareService?_lastUpdated=ge2025-03-01", [B, C]),
    ("HealthcareService?_lastUpdated=lt2025", [J]),
    ("HealthcareService?_lastUpdated=2025-06", [C]),
    ("HealthcareService?_lastUpdated=gt2025-03-01T12:00:00Z", [C]),
    ("HealthcareService?_lastUpdated=ge2025-01-01&_lastUpdated=lt2025-03-01", [A, G]),
    ("HealthcareService?_lastUpdated=ne2025-01-10", [B, C, J, G]),
    (f"HealthcareService?_id={A},{J}", [A, J]),
    ("HealthcareService?active=false", []),  # drafts (OFF-01-D) are never public
    ("HealthcareService?_has:PractitionerRole:service:practitioner=SYN0000002", [A, J]),
    ("HealthcareService?_has:PractitionerRole:service:identifier=10001234567", [A]),
    # Location
    ("Location?near=46.2160|5.2460|10|km", ["PL-01-A"]),
    ("Location?near=46.2160|5.2460|40|km", ["PL-01-A", "PL-01-C"]),
    ("Location?near=45.9584|5.3589|40000|m", ["PL-01-C", "PL-01-A"]),
    ("Location?near-insee-code=01004|5|km", ["PL-01-C"]),
    ("Location?near-insee-code=01004|50", ["PL-01-C", "PL-01-A"]),
    ("Location?commune-cog=01053", ["PL-01-A"]),
    (f"Location?commune-cog={codes.SYSTEM_COMMUNE}|2A004", ["PL-2A-A"]),
    ("Location?address-postalcode=01", ["PL-01-A", "PL-01-C"]),
    ("Location?address-postalcode=20000", ["PL-2A-A"]),
    ("Location?address-city=ajac", ["PL-2A-A"]),
    ("Location?name:contains=ambérieu", ["PL-01-C"]),
    ("Location?equipment-type=003", ["PL-01-A"]),
    (f"Location?equipment-type={R212}|009", ["PL-01-C"]),
    ("Location?capacity-status=02&gender-capacity-available=01&nb-capacity=gt0", ["PL-2A-A"]),  # available, women
    (f"Location?gender-capacity-available={codes.SYSTEM_CAPACITY_GENDER}|02&nb-capacity=gt0", ["PL-01-A"]),  # men
    ("Location?capacity-status=01&nb-capacity=ge20", ["PL-01-A"]),  # installed
    ("Location?capacity-update-date=ge2025-04-15", ["PL-01-A"]),
    ("Location?capacity-update-date=lt2025-04", ["PL-2A-A"]),
    ("Location?_has:HealthcareService:location:specialty=183", ["PL-01-A", "PL-971-A"]),
    ("Location?organization=eg-010000040", ["PL-01-C"]),
    (f"Location?identifier={codes.SYSTEM_PLACE}|PL-971-A", ["PL-971-A"]),
    ("Location?_tag=94", ["PL-2A-A"]),
    ("Location?_lastUpdated=ge2025-06-01", ["PL-01-C"]),
    # Organization
    ("Organization?identifier=010000032", ["eg-010000032"]),
    (f"Organization?identifier={codes.SYSTEM_SIREN}|260100016", ["ej-010000024"]),
    (f"Organization?identifier={codes.SYSTEM_SIRET}|26010001600012", ["eg-010000032"]),
    ("Organization?identifier=http://unknown|010000032", []),
    ("Organization?name=centre", ["ej-010000024", "ej-2A0000014"]),
    ("Organization?name:contains=fleyriat", ["eg-010000032"]),
    ("Organization?type=355", ["eg-010000032", "eg-2A0000022"]),
    (f"Organization?type={R66}|365", ["eg-010000040"]),
    ("Organization?type=13", ["ej-010000024", "ej-2A0000014"]),
    ("Organization?partof=Organization/ej-010000024", ["eg-010000032", "eg-010000040"]),
    ("Organization?partof.identifier=2A0000014", ["eg-2A0000022"]),
    ("Organization?_tag=84", ["eg-010000032", "eg-010000040", "ej-010000024"]),
    ("Organization?_lastUpdated=ge2025-06-01", ["eg-010000040"]),
    ("Organization?_has:HealthcareService:organization:specialty=183", ["eg-010000032", "eg-970100010"]),
    # PractitionerRole
    ("PractitionerRole?service=HealthcareService/OFF-01-A", ["10001234567.OFF-01-A", "SYN0000002.OFF-01-A"]),
    ("PractitionerRole?practitioner=SYN0000002", ["SYN0000002.OFF-01-A", "SYN0000002.OFF-2A-A"]),
    ("PractitionerRole?identifier=10001234567", ["10001234567.OFF-01-A"]),
    ("PractitionerRole?specialty=SM33", ["10001234567.OFF-01-A"]),
    ("PractitionerRole?_tag=94", ["SYN0000002.OFF-2A-A"]),
    ("PractitionerRole?service._tag=94", ["SYN0000002.OFF-2A-A"]),
    ("PractitionerRole?organization=eg-010000032", ["10001234567.OFF-01-A", "SYN0000002.OFF-01-A"]),
    # Practitioner
    ("Practitioner?name=mart", ["10001234567"]),
    ("Practitioner?family=dupont", ["SYN0000002"]),
    ("Practitioner?given=jean", ["10001234567"]),
    (f"Practitioner?identifier={codes.SYSTEM_RPPS}|SYN0000002", ["SYN0000002"]),
    ("Practitioner?_lastUpdated=ge2025-07", ["SYN0000002"]),
    ("Practitioner?_tag=84", ["10001234567", "SYN0000002"]),
    ("Practitioner?_has:PractitionerRole:practitioner:service=OFF-2A-A", ["SYN0000002"]),
]


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[c[0] for c in CASES])
def test_search_parameter_known_answer(client, query, expected):
    bundle = search(client, query)
    assert bundle["type"] == "searchset"
    assert matches(bundle) == expected
    assert bundle["total"] == len(expected)


def test_near_returns_the_distance_of_each_entry(client):
    bundle = search(client, "Location?near=46.2160|5.2460|40|km")
    distances = [e["search"]["extension"][0] for e in bundle["entry"]]
    assert all(d["url"] == codes.EXT_LOCATION_DISTANCE for d in distances)
    values = [d["valueDistance"]["value"] for d in distances]
    assert values[0] == pytest.approx(0.0, abs=0.01)
    assert values[1] == pytest.approx(29.9, abs=0.5)  # Fleyriat → Ambérieu
    assert distances[1]["valueDistance"]["code"] == "km"


def test_bundles_validate_as_fhir_r4(client):
    bundle = search(client, "HealthcareService?specialty=227&_include=HealthcareService:location")
    validate(bundle)
    for entry in bundle["entry"]:
        validate(entry["resource"])


def test_paging_is_stable_and_linked(client):
    seen, url, pages = [], "HealthcareService?_count=2", 0
    while url:
        bundle = search(client, url)
        assert bundle["total"] == 5
        seen.extend(matches(bundle))
        pages += 1
        nxt = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
        url = None
        if nxt:
            parts = urlsplit(nxt[0])
            url = parts.path.removeprefix("/fhir/") + "?" + parts.query
    assert pages == 3
    assert seen == sorted(seen) == [A, B, C, J, G]
    last = search(client, "HealthcareService?_count=2&_offset=4")
    relations = {link["relation"] for link in last["link"]}
    assert "next" not in relations and {"self", "first", "previous", "last"} <= relations
    assert matches(search(client, "HealthcareService?_count=2&_offset=2")) == [C, J]  # same page twice


def test_summary_count(client):
    bundle = search(client, "HealthcareService?specialty=227&_summary=count")
    assert bundle["total"] == 3 and bundle["entry"] == []


def test_national_server_include_query(client):
    """The query of the ROR IG test scripts: offers of an activity with organisation chain, places, roles."""
    bundle = search(client, f"HealthcareService?specialty={R211}|227&_include=HealthcareService:organization"
                            "&_include:iterate=Organization:partof&_include=HealthcareService:location"
                            "&_revinclude=PractitionerRole:service&_include=PractitionerRole:practitioner")
    assert matches(bundle) == [A, C, J]
    assert included(bundle) == {
        "Organization/eg-010000032", "Organization/eg-010000040", "Organization/eg-2A0000022",
        "Organization/ej-010000024", "Organization/ej-2A0000014",
        "Location/PL-01-A", "Location/PL-01-C", "Location/PL-2A-A",
        "PractitionerRole/10001234567.OFF-01-A", "PractitionerRole/SYN0000002.OFF-01-A",
        "PractitionerRole/SYN0000002.OFF-2A-A", "Practitioner/10001234567", "Practitioner/SYN0000002",
    }
    assert bundle["total"] == 3  # includes are not counted


def test_revinclude_offers_of_a_location(client):
    bundle = search(client, "Location?_id=PL-01-A&_revinclude=HealthcareService:location")
    assert matches(bundle) == ["PL-01-A"]
    assert included(bundle) == {f"HealthcareService/{A}", f"HealthcareService/{B}"}


def test_unknown_parameter_is_a_400_unless_lenient(client):
    body = search(client, "HealthcareService?colour=blue", status=400)
    validate(body)
    assert body["resourceType"] == "OperationOutcome"
    assert "colour" in body["issue"][0]["diagnostics"] and "pas pris en charge" in body["issue"][0]["diagnostics"]
    lenient = search(client, "HealthcareService?colour=blue&specialty=183", headers={"Prefer": "handling=lenient"})
    assert matches(lenient) == [B, G]
    outcome = [e for e in lenient["entry"] if e["search"]["mode"] == "outcome"]
    assert "colour" in outcome[0]["resource"]["issue"][0]["diagnostics"]


@pytest.mark.parametrize("query", [
    "HealthcareService?_lastUpdated=yesterday",
    "HealthcareService?_count=-1",
    "HealthcareService?age-range-low=le5|http://unitsofmeasure.org|mo",
    "HealthcareService?specialty:text=psy",
    "HealthcareService?_include=HealthcareService:nothing",
    "HealthcareService?_revinclude=Task:nothing",
    "Location?near=abc",
    "Location?near=46|5|10|parsec",
    "Location?near-insee-code=99999",
    "Location?location.name=x",
])
def test_invalid_values_are_400_operation_outcomes(client, query):
    body = search(client, query, status=400)
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["severity"] == "error"
    assert "Traceback" not in body["issue"][0]["diagnostics"]


def _sample(p) -> str | None:
    return {"token": p.choices[0] if p.choices else "x", "string": "x", "date": "2025", "number": "1",
            "quantity": "1", "reference": f"{p.target}/x"}.get(p.type)


def test_metadata_declares_exactly_what_is_implemented(client):
    statement = search(client, "metadata")
    validate(statement)
    from fhir_api import served

    declared = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert set(declared) == set(searchparams.PARAMS) | set(served.SERVED)  # indexed types, and those served aside
    hs = declared["HealthcareService"]
    assert "HealthcareService:organization" in hs["searchInclude"]
    assert hs["searchRevInclude"] == ["PractitionerRole:service", "Task:focus"]
    for rtype, resource in declared.items():
        for sp in resource["searchParam"]:
            if rtype in served.SERVED:
                kind = served.SERVED[rtype]
                p = kind.param(sp["name"])
                targets = kind.references.get(p.name, ())
                value = f"{targets[0]}/x" if p.type == "reference" else _sample(p)
            else:
                p = searchparams.BY_NAME[rtype][sp["name"]]
                value = _sample(p)
            if value is None or p.name == "_content":  # _content needs the search index: test_fhir_content.py
                continue
            response = client.get(f"/fhir/{rtype}", query_string={p.name: value})
            assert response.status_code == 200, (rtype, p.name, response.get_data(as_text=True))


def test_a_capacity_entry_makes_the_location_part_of_the_delta(client):
    """Location.lastUpdated follows the latest capacity entry, so _lastUpdated polling sees capacity changes."""
    loc = search(client, "Location/PL-01-A")
    assert loc["meta"]["lastUpdated"].startswith("2025-05-01T08:00:00")  # capacity, not the place's 2025-01-01
    assert matches(search(client, "Location?_lastUpdated=ge2025-04-15")) == ["PL-01-A", "PL-01-C"]


def test_post_search_equals_get(client):
    posted = client.post("/fhir/HealthcareService/_search", data={"specialty": "227", "_tag": "84"})
    assert posted.status_code == 200
    assert matches(posted.get_json()) == matches(search(client, "HealthcareService?specialty=227&_tag=84")) == [A, C]


SPLICED = [
    "HealthcareService?specialty=227",
    f"HealthcareService?specialty={R211}|227&_include=HealthcareService:organization"
    "&_include:iterate=Organization:partof&_include=HealthcareService:location"
    "&_revinclude=PractitionerRole:service&_include=PractitionerRole:practitioner",
    "HealthcareService?_elements=identifier&_include=HealthcareService:location",
    "HealthcareService?_summary=true&_revinclude=PractitionerRole:service",
    "HealthcareService?specialty=227&_summary=count",
    "HealthcareService?specialty=http://other|227&_include=HealthcareService:location",
    "HealthcareService?_count=2&_offset=2",
    "Location?near=46.2160|5.2460|40|km&_revinclude=HealthcareService:location",
    "Location?near=46.2160|5.2460",  # the widened radius: an outcome entry
    "HealthcareService?location.near=46.2160|5.2460|40|km&_include=HealthcareService:location",
    "Location?_id=PL-01-A&_revinclude=HealthcareService:location",
]


@pytest.mark.parametrize("query", SPLICED)
def test_the_spliced_bundle_is_the_dict_bundle(client, query):
    """The Bundle a search answers (written as bytes around the stored resources' text) is byte for byte the
    Bundle written from dicts (`_pretty` and earlier versions), on real pages with their includes."""
    import orjson

    from fhir_api import blueprint
    from fhir_api.service import SearchRequest

    path = query.partition("?")[0]
    with client.application.test_request_context(f"/fhir/{query}"):
        from flask import request

        req = SearchRequest(path, list(request.args.items(multi=True)), "http://localhost/fhir")
        page = blueprint.service().page(req)
    assert page.json() == orjson.dumps(page.bundle())
    served = search(client, query)
    spliced = orjson.loads(page.json())
    for bundle in (served, spliced):
        bundle.pop("id"), bundle.pop("meta")
    assert spliced == served


def test_a_lenient_search_says_what_it_ignored_in_the_spliced_bundle(client):
    bundle = search(client, "HealthcareService?colour=blue&specialty=227", headers={"Prefer": "handling=lenient"})
    assert matches(bundle) == [A, C, J]
    assert bundle["entry"][-1]["search"]["mode"] == "outcome"
    assert "colour" in bundle["entry"][-1]["resource"]["issue"][0]["diagnostics"]
