"""Fuzz the FHIR search parameters (hypothesis) on the real engines: never a 5xx, every refusal an OperationOutcome.

Issue 19: `_lastUpdated` with an offset of 24 h or more and a bare `_has=1` answered 500 on every resource type.
Here every declared parameter of every resource type (searchparams.PARAMS, what the CapabilityStatement says) is
combined with modifiers, prefixes, chains and values, typed ones close to valid and arbitrary text, plus the
result parameters (_count, _sort, _include, _elements…). Bounded examples per resource type; the fixture graph and
its FHIR index answer.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from fhir_api import searchparams
from tests.fixtures.fhir.support import load_fixture_or_skip, search_app

pytestmark = pytest.mark.integration
EXAMPLES = 60
PREFIX = "fhirfuzz"

MODIFIERS = ["missing", "not", "exact", "contains", "text", "below", "above", "of-type", "in", "iterate",
             "Organization", "Location", "", "x:y"]
PREFIXES = ["", "eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap", "zz", "-"]
OFFSETS = ["Z", "+01:00", "-05:30", "+99:00", "+24:00", "-24:00", "+23:59", "+1:00", "+0100", ""]
RESULT_PARAMS = ["_count", "_offset", "_sort", "_include", "_revinclude", "_elements", "_summary", "_total",
                 "_format", "_pretty", "_contained", "page", "_getpages", "_include:iterate", "_revinclude:iterate"]

texts = st.text(max_size=40)
numbers = st.one_of(st.integers(min_value=-10**20, max_value=10**20).map(str),
                    st.floats(allow_nan=True, allow_infinity=True).map(repr),
                    st.sampled_from(["1e9", "1e400", "-0", ".5", "5.", "0x10", "1_000", "nan", "inf", "١٢"]))
dates = st.builds(lambda y, m, d, t, off: f"{y}{m}{d}{t}{off}",
                  st.sampled_from(["2025", "1", "0000", "9999", "20250", "-2025"]),
                  st.sampled_from(["", "-01", "-12", "-13", "-00", "-1"]),
                  st.sampled_from(["", "-01", "-31", "-32", "-00"]),
                  st.sampled_from(["", "T10:00:00", "T25:61:61", "T10:00", "T10:00:00.123456789", "T"]),
                  st.sampled_from(OFFSETS))
tokens = st.one_of(texts, st.builds(lambda s, c: f"{s}|{c}", st.sampled_from(["", "http://x", "urn:oid:1.2", "|"]),
                                    st.one_of(texts, st.sampled_from(["01", "1", "OFF-01-A", ""]))))
references = st.one_of(texts, st.builds(lambda t, i: f"{t}/{i}",
                                        st.sampled_from(["Organization", "Location", "HealthcareService", "Nope",
                                                         "http://h/fhir/Location", ""]),
                                        st.one_of(texts, st.sampled_from(["ORG-01", "PL-01-A", "OFF-01-A", ""]))))
near = st.builds(lambda *parts: "|".join(parts), numbers, numbers, numbers,
                 st.sampled_from(["km", "m", "mi", "[mi_i]", "", "x"]))
has = st.builds(lambda *parts: ":".join(parts),
                st.sampled_from(["_has"]), st.sampled_from(["Location", "HealthcareService", "Task", "", "1"]),
                st.sampled_from(["organization", "location", "focus", "", "x"]),
                st.sampled_from(["name", "status", "_id", "", "_has"]))
filters = st.one_of(texts, st.builds(lambda p, op, v: f"{p} {op} {v}",
                                     st.sampled_from(["name", "_id", "active", "_has:Task:focus:status", "("]),
                                     st.sampled_from(["eq", "co", "sw", "gt", "and", "or", "not", ""]),
                                     st.one_of(texts, st.sampled_from(["'x'", "\"x\"", "(", ")", "true"]))))

BY_TYPE = {
    "token": tokens, "string": texts, "reference": references,
    "date": st.builds(lambda p, d: p + d, st.sampled_from(PREFIXES), dates),
    "number": st.builds(lambda p, n: p + n, st.sampled_from(PREFIXES), numbers),
    "quantity": st.builds(lambda p, n, u: p + n + u, st.sampled_from(PREFIXES), numbers,
                          st.sampled_from(["", "|http://unitsofmeasure.org|a", "||a", "|", "|x|y|z"])),
    "special": st.one_of(texts, near, filters),
}


def _value(ptype: str):
    one = st.one_of(BY_TYPE[ptype], texts)
    return st.lists(one, min_size=1, max_size=3).map(",".join)  # a comma is OR


def _named(rtype: str):
    params = searchparams.PARAMS[rtype]
    declared = st.sampled_from(params).flatmap(lambda p: st.tuples(
        st.one_of(st.just(p.name), st.sampled_from(MODIFIERS).map(lambda m, n=p.name: f"{n}:{m}"),
                  st.sampled_from(["name", "identifier", "_id", "x"]).map(lambda c, n=p.name: f"{n}.{c}")),
        _value(p.type)))
    special = st.one_of(st.tuples(has, st.one_of(texts, st.sampled_from(["1", "ready"]))),
                        st.tuples(st.just("_has"), st.one_of(texts, st.just("1"))),
                        st.tuples(st.just("_filter"), filters),
                        st.tuples(st.just("near"), near),
                        st.tuples(st.sampled_from(RESULT_PARAMS),
                                  st.one_of(texts, numbers, st.sampled_from(sorted(searchparams.INCLUDES)),
                                            st.sampled_from([p.name for p in params]).map(lambda n: "-" + n))),
                        st.tuples(texts, texts))  # an unknown name
    return st.lists(st.one_of(declared, declared, special), min_size=1, max_size=4)


@pytest.fixture(scope="module")
def client(graph, search_client, engine_endpoints, tmp_path_factory):
    load_fixture_or_skip(graph, engine_endpoints)
    return search_app(graph, search_client, tmp_path_factory, prefix=PREFIX).test_client()


@pytest.mark.parametrize("rtype", sorted(searchparams.PARAMS))
def test_search_parameters_never_fail(client, rtype):
    """Generated searches (GET and the POST _search form, lenient handling sometimes): a Bundle or a 4xx
    OperationOutcome, never a 5xx."""
    statuses: list[int] = []

    @given(query=_named(rtype), post=st.booleans(), lenient=st.booleans())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(query, post, lenient):
        headers = {"Prefer": "handling=lenient"} if lenient else {}
        if post:
            response = client.post(f"/fhir/{rtype}/_search", data=MultiDict(query), headers=headers,
                                   content_type="application/x-www-form-urlencoded")
        else:
            response = client.get(f"/fhir/{rtype}", query_string=MultiDict(query), headers=headers)
        text = response.get_data(as_text=True)[:400]
        assert response.status_code < 500, (query, text)
        body = response.get_json(silent=True)
        assert body is not None, (query, text)
        expected = "Bundle" if response.status_code == 200 else "OperationOutcome"
        assert body.get("resourceType") == expected, (query, response.status_code, text)
        if expected == "OperationOutcome":
            assert body["issue"] and all(i.get("diagnostics") for i in body["issue"]), (query, text)
        statuses.append(response.status_code)

    run()
    assert 200 in statuses and 400 in statuses, sorted(set(statuses))  # both valid and refused searches were made
