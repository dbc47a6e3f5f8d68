"""A search Bundle written directly as JSON bytes (`fhir_api.service.Page.json`, the stored resources' text
spliced in) is byte for byte the Bundle written from dicts (`Page.bundle`, kept for `_pretty`)."""

from __future__ import annotations

import orjson
import pytest

from fhir_api import codes
from fhir_api.includes import Included
from fhir_api.search import Hit, Matches
from fhir_api.service import Page, SearchRequest, outcome

BASE = "http://example.org/fhir"


def resource(rtype: str, rid: str, **more) -> bytes:
    return orjson.dumps({"resourceType": rtype, "id": rid, "meta": {"tag": [{"code": "synthetic"}]},
                         "name": f"Lieu « {rid} » — synthétique", "identifier": [{"value": rid}], **more})


def hit(rtype: str, rid: str, **more) -> Hit:
    return Hit(rid, resource(rtype, rid, **more), {})


OFFERS = [hit("HealthcareService", f"OFF-{i}", comment="hors résumé") for i in range(3)]
PLACES = [hit("Location", "PL-1", position={"latitude": 46.2, "longitude": 5.2}), hit("Location", "PL-2")]
PLACED = [PLACES[0], hit("Location", "PL-3", position={"latitude": 45.0, "longitude": 5.0})]
ORGS = [hit("Organization", "eg-010000032"), hit("Organization", "ej-010000024")]
WARNING = {"resource": outcome("warning", "not-supported", "Paramètres ignorés : colour."),
           "search": {"mode": "outcome"}}
NEAR = {"lat": 46.0, "lon": 5.0, "field": "near"}


def page(rtype="HealthcareService", items=(("specialty", "227"),), hits=OFFERS, total=None, included=(),
         outcomes=(), summary=None, elements=(), near=None, distances=(), offset=0, count=2) -> Page:
    req = SearchRequest(rtype, list(items), BASE)
    matches = Matches(len(hits) if total is None else total, list(hits), near, list(distances))
    return Page(req, offset, count, matches, list(included), list(outcomes), summary, list(elements))


CASES = {
    "matches only": page(),
    "empty page": page(hits=[], total=0),
    "count only": page(hits=[], total=42, summary="count", count=0),
    "includes and outcome": page(included=[Included("Location", h) for h in PLACES]
                                 + [Included("Organization", h) for h in ORGS], outcomes=[WARNING]),
    "outcomes without matches": page(hits=[], total=0, outcomes=[WARNING, WARNING]),
    "paged": page(total=11, offset=4, count=3, items=[("specialty", "227"), ("_count", "3"), ("_offset", "4")]),
    "summary true": page(summary="true", included=[Included("Location", PLACES[0])]),
    "summary data": page(summary="data"),
    "summary text": page(summary="text"),
    "summary false": page(summary="false"),
    "elements": page(elements=["name", "identifier"], included=[Included("Organization", ORGS[0])]),
    "near, distances on matches": page("Location", [("near", "46|5|40|km")], PLACED, near=NEAR,
                                       distances=[1.23456, 7.0]),
    "near, distances from the positions": page("Location", [("near-insee-code", "01004")], PLACED,
                                               near={**NEAR, "field": "near-insee-code"}, distances=[None, None]),
    "near on an offer, its places included": page(near={**NEAR, "field": "location.near"},
                                                  included=[Included("Location", h) for h in PLACES],
                                                  distances=[None, None, None]),
    "an id and a base needing escapes": Page(SearchRequest("Location", [("name", 'a"b\\c')], 'http://h/"x"/fhir'),
                                             0, 1, Matches(1, [hit("Location", 'P"1')]), [], [], None, []),
}


@pytest.mark.parametrize("name", CASES)
def test_the_spliced_bundle_is_the_dict_bundle_byte_for_byte(name):
    page = CASES[name]
    spliced = page.json()
    assert spliced == orjson.dumps(page.bundle())
    bundle = orjson.loads(spliced)
    modes = [e["search"]["mode"] for e in bundle["entry"]]
    assert modes == (["match"] * len(page.matches.hits) + ["include"] * len(page.included)
                     + ["outcome"] * len(page.outcomes))
    assert bundle["total"] == page.matches.total and bundle["link"][0]["relation"] == "self"


def test_the_stored_text_is_written_as_it_is():
    """A plain match or include is the resource store's text verbatim (not parsed and written again)."""
    text = b'{"resourceType":"Location","id":"PL-9", "name" : "espac\\u00e9"}'  # not orjson's spacing
    spliced = page("Location", hits=[Hit("PL-9", text, {})], included=[Included("Location", Hit("PL-8", text, {}))])
    assert spliced.json().count(text) == 2


def test_subsets_and_distances_are_marked():
    bundle = orjson.loads(CASES["summary true"].json())
    assert all(e["resource"]["meta"]["tag"][-1]["code"] == "SUBSETTED" for e in bundle["entry"][:3])
    assert "comment" not in bundle["entry"][0]["resource"] and "meta" in bundle["entry"][3]["resource"]
    located = orjson.loads(CASES["near, distances on matches"].json())["entry"]
    assert located[0]["search"]["extension"][0]["valueDistance"]["value"] == 1.235
    located = orjson.loads(CASES["near, distances from the positions"].json())["entry"]
    assert located[1]["search"]["extension"][0]["url"] == codes.EXT_LOCATION_DISTANCE
    assert located[1]["search"]["extension"][0]["valueDistance"]["value"] == pytest.approx(111.2, abs=0.1)
    included = orjson.loads(CASES["near on an offer, its places included"].json())["entry"][3:]
    assert "extension" in included[0]["search"] and "extension" not in included[1]["search"]
