"""A FHIR search in id order asks OpenSearch for its page and its exact total as two searches of one `_msearch`
(`fhir_api.search.SearchEngine.run`); other sorts keep one search. A failed part of the `_msearch` is said as the
same failure of one search: past the time limit a 503 `too-costly`, a refused query a 400, an engine fault a 503.
The engine here is a recording stand-in of the OpenSearch client (the real engine: tests/integration/
test_fhir_search.py and test_fhir_documented.py)."""

from __future__ import annotations

import pytest

from core.errors import BadRequest, ServiceUnavailable
from fhir_api import filter as fl
from fhir_api.budget import Deadline, SearchTimeout
from fhir_api.search import Criteria, SearchEngine

ALL = Criteria("HealthcareService", fl.And(()))
BY_NAME = Criteria("HealthcareService", fl.And((fl.Compare("name", "=", ("cardio",)),)))


class Client:
    """Answers `search`, `msearch` and `mget` from canned values and records what it was asked."""

    def __init__(self, ids: list[str], total: int, errors: dict[int, dict] | None = None, timed_out=False):
        self.ids, self.total, self.errors, self.timed_out = ids, total, errors or {}, timed_out
        self.calls: list[tuple[str, object]] = []

    def _answer(self, body: dict) -> dict:
        hits = [] if body.get("size") == 0 else [{"sort": [i]} for i in self.ids]
        hits_part: dict = {"hits": hits}
        if body.get("track_total_hits"):
            hits_part["total"] = {"value": self.total, "relation": "eq"}
        return {"timed_out": self.timed_out, "hits": hits_part}

    def search(self, *, index, body, params=None, request_timeout=None):
        self.calls.append(("search", body))
        return self._answer(body)

    def msearch(self, *, index, body, request_timeout=None):
        bodies = body[1::2]
        self.calls.append(("msearch", bodies))
        return {"responses": [self.errors.get(n) or self._answer(b) for n, b in enumerate(bodies)]}

    def mget(self, *, body, params=None, request_timeout=None):
        """Documents found under their concrete index (the alias's name + "-1"), whole or as versions only."""
        source = params is None
        self.calls.append(("mget", (source, len(body["docs"]))))
        docs = []
        for d in body["docs"]:
            doc = {"_index": d["_index"].removesuffix("-1") + "-1", "_id": d["_id"], "_seq_no": 1,
                   "_primary_term": 1, "found": not d["_id"].startswith("gone")}
            if source:
                doc["_source"] = {"resource": f'{{"id":"{d["_id"]}"}}', "id": d["_id"]}
            docs.append(doc)
        return {"docs": docs}


def engine(client: Client) -> SearchEngine:
    return SearchEngine(client, "t")


def run(client: Client, crit=ALL, *, count=200, sort=None):
    return engine(client).run(crit, offset=0, count=count, sort=sort, deadline=Deadline(30))


def test_in_id_order_the_page_and_the_total_are_two_searches_of_one_request():
    client = Client(["A", "B"], 159_701)
    matches = run(client)
    assert (matches.total, [h.id for h in matches.hits]) == (159_701, ["A", "B"])
    kind, (page, counted) = client.calls[0]
    assert kind == "msearch"
    assert page["track_total_hits"] is False and page["size"] == 200 and page["sort"] == [{"id": "asc"}]
    assert counted["size"] == 0 and counted["track_total_hits"] is True and counted["query"] == page["query"]
    assert "timeout" in page and "timeout" in counted  # each part bounded by the time limit


def test_other_sorts_and_counts_alone_stay_one_search():
    client = Client(["A"], 3)
    assert run(client, BY_NAME, sort=[{"name": "desc"}]).total == 3
    assert run(client, count=0).total == 3
    assert [kind for kind, _ in client.calls if kind != "mget"] == ["search", "search"]
    assert all(body["track_total_hits"] is True for kind, body in client.calls if kind == "search")


@pytest.mark.parametrize(("error", "raised"), [
    ({"status": 400, "error": {"type": "search_phase_execution_exception",
                               "caused_by": {"type": "task_cancelled_exception",
                                             "reason": "cancelled task with reason: Cancellation timeout"}}},
     SearchTimeout),
    ({"status": 400, "error": {"type": "parsing_exception", "reason": "unknown query"}}, BadRequest),
    ({"status": 500, "error": {"type": "search_phase_execution_exception", "reason": "all shards failed"}},
     ServiceUnavailable),
    ({"status": 404, "error": {"type": "index_not_found_exception", "reason": "no such index"}},
     ServiceUnavailable),
])
@pytest.mark.parametrize("part", [0, 1])
def test_a_failed_part_is_said_as_the_failure_of_one_search(error, raised, part):
    with pytest.raises(raised) as caught:
        run(Client(["A"], 1, errors={part: error}))
    if raised is ServiceUnavailable:
        assert not isinstance(caught.value, SearchTimeout)


def test_a_part_that_timed_out_is_a_search_timeout():
    with pytest.raises(SearchTimeout):
        run(Client(["A"], 1, timed_out=True))


def test_resources_of_several_types_are_two_reads_then_one_on_a_warm_cache():
    client = Client([], 0)
    engine_ = engine(client)
    wanted = {"Organization": ["O1", "gone-1", "O2"], "Location": ["L1"]}
    first = engine_.resources_of(wanted, Deadline(30))
    assert {t: [h.id for h in hits] for t, hits in first.items()} == {"Organization": ["O1", "O2"], "Location": ["L1"]}
    assert client.calls == [("mget", (False, 4)), ("mget", (True, 3))]  # versions of all, then whole documents
    client.calls.clear()
    again = engine_.resources_of(wanted, Deadline(30))
    assert {t: [h.resource for h in hits] for t, hits in again.items()} == {
        t: [h.resource for h in hits] for t, hits in first.items()}
    assert client.calls == [("mget", (False, 4))]  # the cache holds every version: no second read


class Indices:
    def __init__(self, answer):
        self.answer = answer

    def stats(self, *, index, metric, params, request_timeout):
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def shard(primary: bool, max_seq: int, checkpoint: int | None = None) -> dict:
    return {"routing": {"primary": primary},
            "seq_no": {"max_seq_no": max_seq, "local_checkpoint": max_seq,
                       "global_checkpoint": max_seq if checkpoint is None else checkpoint}}


def test_the_store_state_is_each_store_s_settled_write_position():
    from opensearchpy import exceptions as os_errors

    client = Client([], 0)
    client.indices = Indices({"indices": {
        "t-fhir-location-resources-v3": {"uuid": "U1", "shards": {"0": [shard(True, 41), shard(False, 41)]}},
        "t-fhir-organization-resources-v1": {"uuid": "U2", "shards": {"0": [shard(True, 9, checkpoint=8)]}},
    }})
    state = engine(client).store_state(("Location", "Organization", "Practitioner"), Deadline(30))
    assert state.stores == {"Location": ("t-fhir-location-resources-v3", ("U1", (("0", 41),)))}
    assert state.generations == {"t-fhir-location-resources-v3": ("U1", (("0", 41),))}  # Organization: replicating
    client.indices = Indices(os_errors.ConnectionError("N/A", "refused", None))
    assert engine(client).store_state(("Location",), Deadline(30)) is None


def test_resources_confirmed_at_the_store_state_are_not_asked_their_version():
    from fhir_api.search import StoreState

    client = Client([], 0)
    engine_ = engine(client)
    at = StoreState({"Location": ("t-fhir-location-resources-1", ("U", (("0", 7),)))},
                    {"t-fhir-location-resources-1": ("U", (("0", 7),))})
    first = engine_.resources_of({"Location": ["L1", "L2"]}, Deadline(30), at)
    assert client.calls == [("mget", (False, 2)), ("mget", (True, 2))]
    client.calls.clear()
    assert engine_.resources_of({"Location": ["L1", "L2"]}, Deadline(30), at) == first
    assert client.calls == []  # the store has not moved: no read at all
    moved = StoreState({"Location": ("t-fhir-location-resources-1", ("U", (("0", 8),)))},
                       {"t-fhir-location-resources-1": ("U", (("0", 8),))})
    assert engine_.resources_of({"Location": ["L1", "L2"]}, Deadline(30), moved) == first
    assert client.calls == [("mget", (False, 2))]  # moved: the versions are asked, the cache still serves the text
