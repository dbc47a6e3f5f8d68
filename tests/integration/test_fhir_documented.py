"""Every read request of the ROR FHIR documentation (tests/fixtures/fhir/ror_documented_requests.json), sent as
documented (its placeholders filled with fixture values) to /fhir on the fixture graph + documented.cypher:
known matches, valid FHIR, typos refused with a 400 naming them (and their correction answered). The fixture holds
one anomaly report (Task 687, as the documentation numbers it) on the cardiology offer of Nantes; no tariff and no
indicator run (their known answers: tests/integration/test_fhir_tariffs.py, test_fhir_measures.py). The `$export`
kick-offs start export jobs: tests/integration/test_fhir_export.py sends them as written, with and without
`Prefer`."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

from tests.fixtures.fhir.support import load_fixture_or_skip, make_app, statements, validate

pytestmark = pytest.mark.integration
FIXTURES = Path(__file__).parents[1] / "fixtures" / "fhir"
REQUESTS = json.loads((FIXTURES / "ror_documented_requests.json").read_text(encoding="utf-8"))["requests"]

A, B, C, J, G = "OFF-01-A", "OFF-01-B", "OFF-01-C", "OFF-2A-A", "OFF-971-A"
CARDIO, CMPP, ITEP, ORTHO, SAAD, USINV = (f"OFF-44-{x}" for x in ("CARDIO", "CMPP", "ITEP", "ORTHO", "SAAD", "USINV"))
NANTES = [CARDIO, CMPP, ITEP, ORTHO, SAAD, USINV]
ALL_HS = [A, B, C, J, *NANTES, G]
ALL_PL = ["PL-01-A", "PL-01-C", "PL-2A-A", "PL-44-CARDIO", "PL-44-HOSP", "PL-971-A"]
ALL_ORG = ["eg-010000032", "eg-010000040", "eg-2A0000022", "eg-440000057", "eg-440000099", "eg-970100010",
           "ej-010000024", "ej-2A0000014", "ej-440000289"]
ROLE = "10009876543.OFF-44-CARDIO"
ALL_PR = ["10001234567.OFF-01-A", ROLE, "SYN0000002.OFF-01-A", "SYN0000002.OFF-2A-A"]

FILL = {  # placeholder values on the fixture, per request
    "R014": {"XX": "52"}, "R015": {"XXX": "10009876543"}, "R016": {"XXX": "356"},
    "R023": {"52/192675": "PL-44-HOSP"}, "R024": {"140": "PL-01-A", "141": "PL-01-C"},
    "R025": {"140": "PL-01-A", "141": "PL-01-C"}, "R027": {"11/339772": "PL-01-A", "11/347254": "PL-2A-A"},
    "R028": {"11/339772": "PL-01-A", "11/347254": "PL-2A-A"}, "R032": {"XX": "440000289"},
    "R033": {"XXX": CARDIO}, "R035": {"XXX": "101"}, "R037": {"XX": "52"}, "R038": {"XXX": CARDIO},
    "R065": {"XXX": "10009876543"}, "R068": {"1290004324": "440000289"}, "R072": {"XXX": "PL-44-CARDIO"},
    "R073": {"XXX": "PL-44-CARDIO"}, "R074": {"YYY": "PL-01-C"}, "R090": {"750000001": "440000057"},
    "R091": {"1290004324": "440000057"}, "R102": {"753": ROLE}, "R103": {"753": ROLE},
    "R104": {"11102379616": "10009876543"}, "R105": {"11102379616": "10009876543"},
    "R111": {"245876": "10009876543"}, "R112": {"245876": "10009876543"},
    "R042": {"XXX": CARDIO}, "R043": {"XXX": "52"}, "R044": {"XXX": "52"}, "R046": {"XXX": CARDIO},
    "R047": {"XXX": "ror-peuplement"}, "R049": {"X": "72"}, "R050": {"X": "62"}, "R051": {"XR": "13"},
    "R053": {"XXX": "description-offre"},
}
TASK = "687"  # the anomaly report of the fixture, on CARDIO (état « à traiter »: TRE_R352 02)

MATCHES = {  # the documented meaning on the fixture (ids in the server's order: by id, by distance with near)
    "R001": [A, C, J, ITEP], "R002": [], "R003": [ITEP], "R004": [], "R005": [CMPP], "R006": [CARDIO],
    "R007": [CARDIO], "R008": [SAAD], "R009": [], "R010": [], "R011": [], "R012": [], "R013": [],
    "R015": [CARDIO], "R016": [USINV], "R017": [USINV], "R018": [ORTHO], "R019": [USINV],
    "R020": ALL_PL, "R021": [], "R022": ["PL-44-CARDIO", "PL-44-HOSP"], "R023": ["PL-44-HOSP"],
    "R024": ["PL-01-A", "PL-01-C"], "R025": ["PL-01-A", "PL-01-C"], "R026": ALL_PL,
    "R027": ["PL-01-A", "PL-2A-A"], "R028": ["PL-01-A", "PL-2A-A"], "R029": ALL_HS,
    "R032": NANTES, "R033": [CARDIO], "R034": ALL_HS, "R035": [CARDIO, ITEP, ORTHO, SAAD, USINV, G],
    "R036": ALL_HS, "R037": NANTES, "R039": [CARDIO], "R040": [CARDIO, CMPP, ITEP, SAAD],
    "R055": ALL_HS, "R056": ALL_HS, "R057": ALL_HS, "R058": [], "R059": [CARDIO], "R060": [], "R061": [],
    "R062": [ITEP], "R063": [CARDIO], "R064": [], "R065": [CARDIO], "R066": ALL_HS, "R067": [A, C, J, ITEP],
    "R068": NANTES, "R069": ALL_PL, "R070": ALL_PL, "R071": ALL_PL, "R072": ["PL-44-CARDIO"],
    "R073": ["PL-44-CARDIO"], "R074": ["PL-01-C"], "R075": ["PL-44-HOSP"], "R076": ["PL-44-CARDIO"],
    "R077": ["PL-44-HOSP"], "R078": ["PL-44-HOSP"], "R079": ["PL-44-HOSP"], "R080": [],
    "R081": ["PL-44-CARDIO", "PL-44-HOSP"], "R082": ["PL-44-CARDIO", "PL-44-HOSP"], "R083": ALL_PL, "R084": [],
    "R085": ["PL-44-CARDIO", "PL-971-A", "PL-2A-A", "PL-01-A", "PL-01-C", "PL-44-HOSP"],
    "R086": ALL_ORG, "R087": ALL_ORG, "R088": ALL_ORG, "R089": ALL_ORG, "R090": ["eg-440000057"],
    "R091": ["eg-440000057"], "R092": ["eg-440000057", "eg-970100010"], "R093": ["ej-440000289"], "R094": [],
    "R095": [], "R096": ["eg-440000057", "eg-970100010"], "R097": [], "R098": [], "R099": ["eg-440000057"],
    "R100": ALL_PR, "R101": ALL_PR, "R102": [ROLE], "R104": [ROLE], "R105": [ROLE], "R106": ALL_PR,
    "R107": ALL_PR, "R108": [ROLE], "R109": ["10001234567", "10009876543", "SYN0000002"],
    "R110": ["10001234567"], "R111": ["10009876543"], "R113": [], "R114": ["10001234567", "SYN0000002"],
    "R115": ["10001234567", "10009876543"],
    "R014": [CARDIO], "R042": [TASK], "R043": [TASK], "R044": [], "R045": [TASK], "R046": [TASK],
    "R047": ["ror-peuplement"], "R048": [], "R049": [], "R050": [], "R051": [],
    "R052": ["capacite-lieu", "description-offre"], "R053": ["description-offre"],
    "R054": ["capacite-lieu", "description-offre"],
}
INCLUDED = {  # some included resources the documentation asks for
    "R001": {"Organization/ej-010000024", "Practitioner/SYN0000002", "Location/PL-44-CARDIO"},
    "R006": {"Location/PL-44-CARDIO", "Organization/ej-440000289", "Practitioner/10009876543"},
    "R020": {f"HealthcareService/{i}" for i in ALL_HS}, "R091": {"Organization/ej-440000289"},
    "R105": {"Practitioner/10009876543", "Organization/eg-440000057"},
    "R014": {f"Task/{TASK}", "Organization/eg-440000057", "Location/PL-44-CARDIO"},
}
SERVED = [r for r in REQUESTS if r["resource"] != "$export"]


@pytest.fixture(scope="module")
def client(graph, search_client, engine_endpoints, tmp_path_factory):
    load_fixture_or_skip(graph, engine_endpoints)
    for statement in statements(FIXTURES / "documented.cypher"):
        graph.write(statement)
    import cypher
    from tests.fixtures.fhir.support import build_index

    graph.write(cypher.query("write/anomaly_create"), anomaly={  # as quality.anomalies.report records it
        "id": TASK, "number": "ANO-2026-00000687", "focus_type": "HealthcareService", "focus_id": CARDIO,
        "focus_display": "Cardiologie (synthétique)", "theme": "01", "action": "COR", "element_path":
        "HealthcareService.telecom", "comment": "Le numéro de téléphone de l'unité a changé.",
        "system_requester": "API", "site_finesses": ["440000057"], "department_codes": ["44"],
        "region_codes": ["52"], "created_by": "documentation", "created_by_role": "reader"})

    exports = tmp_path_factory.mktemp("exports")
    build_index(graph, search_client, exports, "fhirdoc")
    return make_app(graph, search_client, index_prefix="fhirdoc", exports_dir=exports).test_client()


def filled(request: dict, path: str) -> str:
    for placeholder, value in sorted(FILL.get(request["id"], {}).items(), key=lambda kv: -len(kv[0])):
        path = path.replace(placeholder, value)
    base, _, query = path.partition("?")
    # as a client library sends it: each documented key and value (decoded where the documentation encodes
    # it) percent-encoded
    pairs = [tuple(unquote(x) for x in p.split("=", 1)) if "=" in p else (unquote(p), "")
             for p in query.split("&") if p]
    return base + ("?" + "&".join(f"{quote(k, safe=':._-')}={quote(v, safe='')}" for k, v in pairs) if pairs else "")


def get(client, request: dict, path: str):
    return client.get("/fhir/" + filled(request, path), headers=request.get("headers") or {})


def matches(bundle: dict) -> list[str]:
    return [e["resource"]["id"] for e in bundle["entry"] if e["search"]["mode"] == "match"]


@pytest.mark.parametrize("request_", SERVED, ids=[r["id"] for r in SERVED])
def test_documented_request(client, request_):
    if request_.get("typo"):
        refused = get(client, request_, request_["path"])
        assert refused.status_code == 400, refused.get_data(as_text=True)[:300]
        diagnostics = refused.get_json()["issue"][0]["diagnostics"]
        assert request_["typo"].split("=")[-1].split(":")[0] in diagnostics
        path = request_["corrected"]
    else:
        path = request_["path"]
    response = get(client, request_, path)
    assert response.status_code == request_.get("status", 200), response.get_data(as_text=True)[:500]
    if response.status_code != 200:
        return
    body = response.get_json()
    validate(body)
    if body["resourceType"] != "Bundle":  # a read
        assert body["id"] in {v for fill in FILL.values() for v in fill.values()} | {TASK}
        return
    for entry in body["entry"]:
        validate(entry["resource"])
    if request_["id"] in MATCHES:
        assert matches(body) == MATCHES[request_["id"]]
        assert body["total"] == len(MATCHES[request_["id"]])
    included = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in body["entry"]
                if e["search"]["mode"] == "include"}
    assert INCLUDED.get(request_["id"], set()) <= included


def test_near_gives_the_distance_of_the_places(client):
    request = next(r for r in REQUESTS if r["id"] == "R063")
    body = get(client, request, request["path"] + "&_include=HealthcareService:location").get_json()
    place = next(e for e in body["entry"] if e["resource"]["id"] == "PL-44-CARDIO")
    distance = place["search"]["extension"][0]["valueDistance"]
    assert distance["unit"] == "km" and distance["value"] == pytest.approx(0.0, abs=0.05)
    located = get(client, request, "Location?near=47.21827323906432|-1.6369631507460436|15|km").get_json()
    values = [e["search"]["extension"][0]["valueDistance"]["value"] for e in located["entry"]]
    assert values == sorted(values) and values[1] == pytest.approx(6.3, abs=0.3)  # Saint-Herblain → Hôtel-Dieu


def test_elements_subsets_the_matches(client):
    request = next(r for r in REQUESTS if r["id"] == "R037")
    body = get(client, request, request["path"]).get_json()
    subset = [e["resource"] for e in body["entry"] if e["search"]["mode"] == "match"]
    assert subset and all(set(r) <= {"resourceType", "id", "meta", "identifier"} for r in subset)
    assert all(any(t["code"] == "SUBSETTED" for t in r["meta"]["tag"]) for r in subset)


def test_paging_follows_the_next_links(client):
    seen, url = [], "/fhir/HealthcareService?_count=4"
    while url:
        body = client.get(url).get_json()
        assert body["total"] == len(ALL_HS)
        seen += matches(body)
        nxt = [link["url"] for link in body["link"] if link["relation"] == "next"]
        url = (lambda u: u.path + "?" + u.query)(urlsplit(nxt[0])) if nxt else None
    assert seen == ALL_HS
    assert len(matches(client.get("/fhir/HealthcareService").get_json())) == len(ALL_HS)  # 200 by default
