"""Indexer.sync_offers: the public per-offer push used by capacity, tension, workflow and description writes."""

from __future__ import annotations

import pytest

from search import indexer


class FakeIndices:
    def get_alias(self, name):
        assert name == "t-offers"
        return {"t-offers-75-v3": {}, "t-offers-84-v3": {}}


class FakeClient:
    def __init__(self, previous):
        self.indices = FakeIndices()
        self.previous = previous
        self.searches: list[dict] = []

    def search(self, index, body):
        self.searches.append(body)
        return {"hits": {"hits": self.previous}}


ROWS = {"o1": {"id": "o1", "name": "Gériatrie", "status": "published", "region_code": "75"},
        "o2": {"id": "o2", "name": "Urgences", "status": "draft", "region_code": "84"}}


ERRORS: list[dict] = []


class FakeGraph:
    """The graph rows of ROWS, as `Graph.stream_named` would stream them."""

    def stream_named(self, name, ids):
        assert name.startswith("index/")
        return [ROWS[i] for i in ids if i in ROWS]


@pytest.fixture
def bulks(monkeypatch):
    """The bulk actions sent, as (op, index, id[, version]); answers with ERRORS."""
    sent: list[list[tuple]] = []

    def bulk(client, actions, **kw):
        sent.append([(a["_op_type"], a["_index"], a["_id"], *([a["version"]] if "version" in a else []))
                     for a in actions])
        assert kw["raise_on_error"] is False
        return len(sent[-1]) - len(ERRORS), list(ERRORS)

    monkeypatch.setattr(indexer.helpers, "bulk", bulk)
    ERRORS.clear()
    return sent


def test_sync_offers_writes_each_offer_into_its_region_index(bulks):
    client = FakeClient(previous=[{"_index": "t-offers-84-v3", "_id": "o1"}])  # o1 moved from 84 to 75
    assert indexer.Indexer(FakeGraph(), client, "t").sync_offers(["o2", "o1", "o1"]) == 2
    assert bulks == [[("index", "t-offers-75-v3", "o1"), ("index", "t-offers-84-v3", "o2"),
                      ("delete", "t-offers-84-v3", "o1")]]
    assert client.searches == [{"query": {"ids": {"values": ["o1", "o2"]}}, "_source": False, "size": 10_000}]


def test_offers_gone_from_the_graph_leave_the_index(bulks):
    client = FakeClient(previous=[{"_index": "t-offers-75-v3", "_id": "gone"}])
    assert indexer.Indexer(FakeGraph(), client, "t").sync_offers(["gone"]) == 0
    assert bulks == [[("delete", "t-offers-75-v3", "gone")]]


def test_without_relocation_no_search_for_previous_copies(bulks):
    client = FakeClient(previous=[{"_index": "t-offers-84-v3", "_id": "o1"}])
    assert indexer.Indexer(FakeGraph(), client, "t").sync_offers(["o1"], relocate=False) == 1
    assert client.searches == [] and bulks == [[("index", "t-offers-75-v3", "o1")]]


def test_documents_carry_their_change_time_as_external_version(bulks):
    ROWS["o3"] = {"id": "o3", "status": "published", "region_code": "75", "changed_us": [5, 1_700_000_000_000_001]}
    client = FakeClient(previous=[])
    assert indexer.Indexer(FakeGraph(), client, "t").sync_offers(["o3"], relocate=False) == 1
    assert bulks == [[("index", "t-offers-75-v3", "o3", 1_700_000_000_000_001)]]
    ERRORS.append({"index": {"_id": "o3", "status": 409, "error": {"type": "version_conflict_engine_exception"}}})
    assert indexer.Indexer(FakeGraph(), client, "t").sync_offers(["o3"], relocate=False) == 1  # a newer one won
    ERRORS[:] = [{"index": {"_id": "o3", "status": 400, "error": {"type": "mapper_parsing_exception"}}}]
    with pytest.raises(indexer.helpers.BulkIndexError):
        indexer.Indexer(FakeGraph(), client, "t").sync_offers(["o3"], relocate=False)
    del ROWS["o3"]
