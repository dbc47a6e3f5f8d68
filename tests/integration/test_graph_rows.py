"""`Graph.read` turns records into plain dicts faster than `Record.data()`, and gives exactly the same values."""

from __future__ import annotations

import datetime

import pytest

from graph.driver import row_of

pytestmark = pytest.mark.integration

# Every kind of value a read can return, nested: nodes, relationships and paths inside lists and maps,
# temporal values, points, bytes, nulls. Created in a transaction that is rolled back: nothing stays.
QUERY = """
CREATE p = (a:RowProbe {name: 'a', n: 1, tags: ['x', 'y']})-[r:ROW_LINK {w: 0.5}]->(b:RowProbe {name: 'b'})
RETURN a, r, p, [a, b] AS nodes, {node: a, rel: r, path: p, inner: [{r: r}]} AS nested,
       [p, [r]] AS mixed, date('2025-01-02') AS day, datetime('2025-01-02T03:04:05Z') AS moment,
       duration('P1D') AS span, point({latitude: 44.1, longitude: -0.5}) AS where, null AS nothing,
       1.5 AS x, true AS flag, 'texte' AS text, [1, [2, [3]]] AS deep, {} AS empty
"""


def test_row_of_equals_record_data_for_every_kind_of_value(graph):
    with graph.driver.session(database=graph.database) as session:
        tx = session.begin_transaction()
        try:
            record = tx.run(QUERY).single()
            expected, got = record.data(), row_of(record)
        finally:
            tx.rollback()
    assert got == expected
    assert got["r"] == ({"name": "a", "n": 1, "tags": ["x", "y"]}, "ROW_LINK", {"name": "b"})
    assert got["p"] == [{"name": "a", "n": 1, "tags": ["x", "y"]}, "ROW_LINK", {"name": "b"}]
    # temporals are converted once, here, to Python's types (zone kept); durations and points stay the driver's
    assert type(got["moment"]) is datetime.datetime and got["moment"] == expected["moment"].to_native()
    assert got["moment"].tzinfo is not None and got["moment"].isoformat() == "2025-01-02T03:04:05+00:00"
    assert type(got["day"]) is datetime.date and got["day"] == datetime.date(2025, 1, 2)
    assert type(got["span"]) is type(expected["span"]) and got["where"] == expected["where"]
    assert graph.read("MATCH (n:RowProbe) RETURN count(n) AS c") == [{"c": 0}]
