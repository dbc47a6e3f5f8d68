"""The FHIR index documents (values read from rendered resources) and the query compiler (criteria → one bool
query), without engines: what a search parameter reads, and the query it becomes."""

from __future__ import annotations

import pytest

from fhir_api import codes
from fhir_api import searchparams as sp
from fhir_api.filter import parse
from fhir_api.index import chains, documents, mapping
from fhir_api.params import InvalidParam
from fhir_api.query import Context, compile_tree, sort_keys
from fhir_api.resources import capacity_extensions
from fhir_api.search import criteria

R211 = codes.SYSTEM_ACTIVITY


def ctx() -> Context:
    return Context(commune_point=lambda insee: (47.21, -1.65, 30.0), has_ids=lambda rtype, cmp: ["X1", "X2"])


def query(rtype: str, qs: str) -> dict:
    items = [tuple(p.split("=", 1)) for p in qs.split("&")]
    return compile_tree(rtype, criteria(rtype, items).tree, ctx())


LOCATION = {
    "resourceType": "Location", "id": "PL-1", "meta": {"lastUpdated": "2025-05-01T08:00:00.000+00:00",
                                                      "tag": [{"system": codes.SYSTEM_REGION, "code": "84"}]},
    "identifier": [{"system": codes.SYSTEM_PLACE, "value": "PL-1", "type": {"coding": [
        {"system": codes.SYSTEM_PLACE_IDENTIFIER_TYPE, "code": "25"}]}}],
    "name": "Bâtiment Écarlate", "status": "active", "position": {"latitude": 46.2, "longitude": 5.2},
    "address": {"postalCode": "01000", "city": "Bourg-en-Bresse"},
    "extension": capacity_extensions({"available_women": 3, "installed": 30,
                                      "updated_at": "2025-05-01T08:00:00+00:00"}),
}


def test_a_location_document_holds_what_its_parameters_read():
    doc = documents.own_document("Location", LOCATION)
    assert doc["identifier"]["sc"] == [f"{codes.SYSTEM_PLACE}|PL-1", f"{codes.SYSTEM_PLACE_IDENTIFIER_TYPE}|PL-1"]
    assert doc["identifier"]["t"] == [f"{codes.SYSTEM_PLACE_IDENTIFIER_TYPE}|25|PL-1"]
    assert doc["name"] == {"n": ["batiment ecarlate"], "x": ["Bâtiment Écarlate"]}
    assert doc["near"] == {"lat": 46.2, "lon": 5.2}
    assert doc["meta-tag"]["c"] == ["84"]
    women = next(c for c in doc["capacity"] if c.get("gender-capacity-available", {}).get("c") == ["01"])
    assert women["capacity-status"]["c"] == ["02"] and women["nb-capacity"] == [3.0]
    assert women["capacity-type"]["sc"] == [f"{codes.SYSTEM_CAPACITY_TYPE}|01"]


def test_every_declared_parameter_is_mapped():
    for rtype in sp.TYPES:
        props = mapping.properties(rtype)
        for p in sp.own_params(rtype):
            assert (p.group or p.field) in props, (rtype, p.name)


def test_token_forms():
    assert query("HealthcareService", "specialty=227") == {"term": {"specialty.c": "227"}}
    assert query("HealthcareService", f"specialty={R211}|227") == {"term": {"specialty.sc": f"{R211}|227"}}
    assert query("HealthcareService", f"specialty={R211}|") == {"prefix": {"specialty.sc": f"{R211}|"}}
    typo = R211.replace("/FHIR/TRE-", "/FHIR/TRE_")  # the documentation's misspelt system URL
    assert query("HealthcareService", f"specialty={typo}|227") == {"term": {"specialty.sc": f"{R211}|227"}}
    assert query("HealthcareService", "specialty:not=227") == {"bool": {
        "filter": [{"match_all": {}}], "must_not": [{"term": {"specialty.c": "227"}}]}}


def test_capacity_parameters_combined_with_and_hold_for_one_figure_of_one_place():
    q = query("HealthcareService",
              "location.capacity-status=02&location.nb-capacity=gt0&location.address-postalcode=01")
    assert q == {"nested": {"path": "chain-location", "query": {"bool": {"filter": [
        {"prefix": {"chain-location.address-postalcode.n": "01"}},
        {"nested": {"path": "chain-location.capacity", "query": {"bool": {"filter": [
            {"term": {"chain-location.capacity.capacity-status.c": "02"}},
            {"range": {"chain-location.capacity.nb-capacity": {"gt": 0.0}}}]}}}}]}}}}


def test_or_keeps_comparisons_apart_and_value_lists_are_or():
    q = compile_tree("Location", parse('address-postalcode eq "22" or "29" or nb-capacity gt 5'), ctx())
    assert q == {"bool": {"should": [
        {"bool": {"should": [{"prefix": {"address-postalcode.n": "22"}}, {"prefix": {"address-postalcode.n": "29"}}],
                  "minimum_should_match": 1}},
        {"nested": {"path": "capacity", "query": {"range": {"capacity.nb-capacity": {"gt": 5.0}}}}}],
        "minimum_should_match": 1}}


def test_above_reads_the_organization_and_its_parents():
    assert query("HealthcareService", "organization.identifier:above=010000024") == {"nested": {
        "path": "chain-organization-above", "query": {"term": {"chain-organization-above.identifier.c": "010000024"}}}}


def test_a_plain_organization_chain_reads_the_direct_copies_of_the_above_field_apart_from_above():
    q = query("HealthcareService", "organization.type=355&organization.identifier:above=010000024")
    direct = {"term": {"chain-organization-above.direct": True}}
    assert q == {"bool": {"filter": [
        {"nested": {"path": "chain-organization-above", "query": {"bool": {"filter": [
            direct, {"term": {"chain-organization-above.type.c": "355"}}]}}}},
        {"nested": {"path": "chain-organization-above", "query": {
            "term": {"chain-organization-above.identifier.c": "010000024"}}}}]}}
    # a negated plain chain: no referenced organization matches (its parents are not read)
    assert query("HealthcareService", "organization.type:not=355") == {"bool": {
        "filter": [{"match_all": {}}], "must_not": [{"nested": {"path": "chain-organization-above", "query": {
            "bool": {"filter": [direct, {"term": {"chain-organization-above.type.c": "355"}}]}}}}]}}
    assert sort_keys("HealthcareService", "-organization.price-validity-start-date") == [
        {"chain-organization-above.price-validity-start-date": {
            "order": "desc", "missing": "_last",
            "nested": {"path": "chain-organization-above", "filter": direct}}}]


def test_chained_copies_mark_the_referenced_organizations_and_add_their_parents():
    own = {"EG1": {"id": "EG1", "partof": ["EJ1"], "name": {"n": ["eg"], "x": ["EG"]}},
           "EJ1": {"id": "EJ1", "name": {"n": ["ej"], "x": ["EJ"]}}}
    fetched = []

    def fetch(rtype, ids):
        fetched.append((rtype, ids))
        return {i: own[i] for i in ids if i in own}

    [fields] = chains.chains("Location", [{"id": "PL-1", "organization": ["EG1"]}], fetch)
    assert fields == {"chain-organization-above": [{**own["EG1"], "direct": True}, own["EJ1"]]}
    assert chains.dependents("Organization") == [
        ("HealthcareService", "organization", True), ("Location", "organization", True),
        ("Organization", "partof", False), ("PractitionerRole", "organization", True)]
    props = mapping.properties("HealthcareService")
    assert "chain-organization" not in props and props["chain-organization-above"]["properties"]["direct"] == {
        "type": "boolean"}


def test_has_and_near():
    assert query("HealthcareService", "_has:PractitionerRole:service:practitioner=P1") == {
        "terms": {"id": ["X1", "X2"]}}
    near = query("Location", "near-insee-code=44162|15|km")
    assert near == {"geo_distance": {"distance": "15000.0m", "near": {"lat": 47.21, "lon": -1.65}}}


def test_string_and_date_operators():
    assert compile_tree("Organization", parse("name co \"h*pital\""), ctx()) == {
        "wildcard": {"name.n": {"value": "*h\\*pital*"}}}
    assert compile_tree("Organization", parse("name ew nantes"), ctx()) == {
        "wildcard": {"name.n": {"value": "*nantes"}}}
    assert compile_tree("Organization", parse("_lastUpdated ge 2024-01-01"), ctx()) == {
        "range": {"meta-lastUpdated": {"gte": "2024-01-01T00:00:00+00:00"}}}


@pytest.mark.parametrize(("rtype", "qs", "says"), [
    ("HealthcareService", "specialty gt 3", "gt"),
    ("HealthcareService", "colour=blue", "colour"),
    ("HealthcareService", "location.location.name=x", "Chaînage"),
    ("PractitionerRole", "service.specialty:above=227", ":above"),
    ("HealthcareService", "name:text=x", ":text"),
    ("HealthcareService", "age-range-low=le5|http://unitsofmeasure.org|mo", "Unité"),
])
def test_refusals_name_the_parameter(rtype, qs, says):
    with pytest.raises(InvalidParam, match=says):
        if " " in qs:
            compile_tree(rtype, parse(qs), ctx())
        else:
            query(rtype, qs)


def test_sort_keys():
    assert sort_keys("Location", "-_lastUpdated,name") == [
        {"meta-lastUpdated": {"order": "desc", "missing": "_last"}}, {"name.n": {"order": "asc", "missing": "_last"}}]
    with pytest.raises(InvalidParam, match="_sort"):
        sort_keys("Location", "capacity-status")
