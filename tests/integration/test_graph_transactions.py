"""`Graph.transaction`, `read_transaction` and `stream`: the only doors to driver sessions, with the driver's errors
translated into the product's."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import neo4j.time
import pytest
from neo4j import exceptions as neo4j_errors

from core.errors import BadRequest, QueryTimeout, ServiceUnavailable
from graph.driver import Graph, translated

pytestmark = pytest.mark.integration


class Boom(Exception):
    pass


@pytest.fixture(autouse=True)
def _no_probe_left(graph):
    yield
    graph.write("MATCH (n:TxProbe) DETACH DELETE n")


def _count(graph) -> int:
    return graph.read("MATCH (n:TxProbe) RETURN count(n) AS c")[0]["c"]


def test_a_transaction_lands_whole_or_not_at_all(empty_graph):
    def create_two_then_fail(tx, name):
        tx.run("CREATE (:TxProbe {name: $name})", name=name).consume()
        tx.run("CREATE (:TxProbe {name: $name + '-bis'})", name=name).consume()
        raise Boom

    with pytest.raises(Boom):
        empty_graph.transaction(create_two_then_fail, "a")
    assert _count(empty_graph) == 0
    assert empty_graph.transaction(lambda tx: tx.run("CREATE (n:TxProbe) RETURN 7 AS v").single()["v"]) == 7
    assert _count(empty_graph) == 1


def test_a_read_transaction_refuses_writes_and_sees_one_state(empty_graph):
    with pytest.raises(neo4j_errors.ClientError):
        empty_graph.read_transaction(lambda tx: tx.run("CREATE (:TxProbe)").consume())
    assert _count(empty_graph) == 0
    empty_graph.write("UNWIND range(1, 3) AS i CREATE (:TxProbe {i: i})")

    def two_reads(tx, label):
        first = tx.run(f"MATCH (n:{label}) RETURN count(n) AS c").single()["c"]
        return first, [r["i"] for r in tx.run(f"MATCH (n:{label}) RETURN n.i AS i ORDER BY i")]

    assert empty_graph.read_transaction(two_reads, "TxProbe", timeout_s=30, metadata={"probe": "tx"}) == (3, [1, 2, 3])


def test_a_read_transaction_timeout_stops_a_long_query(empty_graph):
    with pytest.raises(QueryTimeout):  # the server's TransactionTimedOut, translated
        empty_graph.read_transaction(
            lambda tx: tx.run("UNWIND range(1, 100000000) AS i WITH i WHERE i < 0 RETURN count(*)").consume(),
            timeout_s=0.2)


def test_stream_yields_rows_of_one_read_transaction(empty_graph):
    empty_graph.write("UNWIND range(1, 2500) AS i CREATE (:TxProbe {i: i, tags: ['t' + i]})")
    rows = empty_graph.stream("MATCH (n:TxProbe) RETURN n, n.i AS i, {i: n.i} AS m ORDER BY i", fetch_size=100)
    first = next(rows)
    assert first == {"n": {"i": 1, "tags": ["t1"]}, "i": 1, "m": {"i": 1}}
    assert sum(1 for _ in rows) == 2499
    maps = list(empty_graph.stream("MATCH (n:TxProbe) WHERE n.i <= $top RETURN n.i AS i, {i: n.i} AS m ORDER BY i",
                                   {"top": 2}, plain_values=False))
    assert maps == [{"i": 1, "m": {"i": 1}}, {"i": 2, "m": {"i": 2}}]


TEMPORALS = ("RETURN datetime('2026-01-02T03:04:05.123456789Z') AS at, date('2026-01-02') AS day, "
             "localtime('10:30') AS hour, {at: datetime('2026-01-02T03:04:05+01:00')} AS m, duration('P1D') AS span")


def test_temporals_are_read_back_as_pythons_at_the_driver_edge(graph):
    """The one conversion (graph.driver.plain): datetimes, dates and times, nested ones too; durations kept."""
    expected = {"at": datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC), "day": date(2026, 1, 2), "hour": time(10, 30),
                "m": {"at": datetime(2026, 1, 2, 2, 4, 5, tzinfo=UTC)}}
    for row in (graph.read(TEMPORALS)[0], next(graph.stream(TEMPORALS))):
        assert {k: row[k] for k in expected} == expected
        assert type(row["at"]) is datetime and type(row["day"]) is date and type(row["m"]["at"]) is datetime
        assert isinstance(row["span"], neo4j.time.Duration)


def test_driver_errors_become_the_products(empty_graph):
    empty_graph.write("CREATE CONSTRAINT tx_probe_key IF NOT EXISTS FOR (n:TxProbe) REQUIRE n.key IS UNIQUE")
    try:
        empty_graph.write("CREATE (:TxProbe {key: 'k'})")
        with pytest.raises(BadRequest, match="contrainte"):
            empty_graph.transaction(lambda tx: tx.run("CREATE (:TxProbe {key: 'k'})").consume())
    finally:
        empty_graph.write("DROP CONSTRAINT tx_probe_key IF EXISTS")


def test_an_unreachable_database_is_a_503_naming_it():
    graph = Graph("bolt://127.0.0.1:1")
    try:
        with pytest.raises(ServiceUnavailable) as caught:
            graph.transaction(lambda tx: tx.run("RETURN 1").consume())
        assert "bolt://127.0.0.1:1" in caught.value.detail
        with pytest.raises(ServiceUnavailable), translated(graph.uri):
            raise OSError("refused")
    finally:
        graph.close()
