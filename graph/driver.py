"""One Neo4j driver per process/app; reads in read transactions, writes in write transactions.

`Graph` is the only door to the driver: single queries (`read`, `write`), managed transactions of several
statements (`transaction`, `read_transaction`), rows streamed from one read transaction (`stream`). Driver
errors are translated here into the product's errors (`translated`, `raise … from e`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, TypeVar

import neo4j
import neo4j.graph
import neo4j.time
from neo4j import GraphDatabase
from neo4j import exceptions as neo4j_errors

import cypher
from core.errors import BadRequest, QueryTimeout, ServiceUnavailable
from core.settings import Settings
from graph import changes

T = TypeVar("T")
Transaction = neo4j.ManagedTransaction  # what `transaction` and `read_transaction` hand to their work
DEFAULT_FETCH_SIZE = 1000  # records per round trip of a stream (the driver's default)
_AS_IS = frozenset({str, int, float, bool, type(None), bytes})
_TEMPORALS = (neo4j.time.DateTime, neo4j.time.Date, neo4j.time.Time)  # read back as Python's datetime, date, time


def plain(value: Any) -> Any:
    """What `Record.data()` makes of a value, without its generic type checks on every scalar (its cost was
    most of the time of reads returning thousands of rows of lists and maps): nodes become their properties,
    relationships `(start, type, end)`, paths alternating lists; dates, times and datetimes become Python's (the one
    place where Neo4j temporals are converted: microsecond precision, the zone kept); durations and points are kept."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is list:
        return [plain(v) for v in value]
    if kind is dict:
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, neo4j.graph.Node):
        return plain(dict(value))
    if isinstance(value, neo4j.graph.Relationship):  # a relationship read from a record has both its ends
        return plain(dict(value.start_node or {})), type(value).__name__, plain(dict(value.end_node or {}))
    if isinstance(value, neo4j.graph.Path):
        path = [plain(value.start_node)]
        for relationship, node in zip(value.relationships, value.nodes[1:], strict=True):
            path += [type(relationship).__name__, plain(node)]
        return path
    if isinstance(value, _TEMPORALS):
        return value.to_native()
    return value


def row_of(record: neo4j.Record) -> dict:
    """One record as a plain dict, equal to `record.data()`."""
    return {key: plain(value) for key, value in record.items()}


class Graph:
    """A thin façade over the driver: fixed Cypher text from `cypher/`, values only as parameters."""

    def __init__(self, uri: str, *, auth: tuple[str, str] | None = None, database: str = "neo4j",
                 pool_size: int = 50, fail_after_s: float | None = None):
        """`fail_after_s` (interactive use: the web app) bounds connecting, waiting for a pooled connection
        and the driver's retries, so that with Neo4j down a request fails in about that long (503) instead of
        the driver's 30 s retry window; batch work (loaders, CLI) keeps the driver's defaults."""
        self.uri = uri
        self.database = database
        self.auth = auth  # for processes that open their own connection (the FHIR $export renderers)
        self.fail_after_s = fail_after_s
        # The product's queries name optional parts of the model on purpose (IN_DEPARTMENT, HAS_ORG, TensionAlert…
        # exist in some datasets only): "unknown label/type/property" notifications would be logged on every call.
        bounds: dict[str, Any] = {} if fail_after_s is None else {
            "connection_timeout": fail_after_s, "connection_acquisition_timeout": fail_after_s,
            "max_transaction_retry_time": fail_after_s / 2}
        self.driver = GraphDatabase.driver(
            uri, auth=auth, max_connection_pool_size=pool_size, **({"connection_timeout": 5.0} | bounds),
            notifications_disabled_classifications=[neo4j.NotificationDisabledClassification.UNRECOGNIZED])

    @classmethod
    def from_settings(cls, settings: Settings, uri: str | None = None, *, interactive: bool = False,
                      pool_size: int = 50) -> Graph:
        auth = (settings.neo4j_user, settings.neo4j_password) if settings.neo4j_password else None
        return cls(uri or settings.neo4j_uri or f"bolt://127.0.0.1:{settings.neo4j_bolt_port}",
                   auth=auth, database=settings.neo4j_database, pool_size=pool_size,
                   fail_after_s=settings.neo4j_interactive_timeout_s if interactive else None)

    def close(self) -> None:
        self.driver.close()

    def read(self, query_text: str, timeout_: float | None = None, **params: Any) -> list[dict]:
        """Run a read query (routing READ) and return plain dicts; `timeout_` (seconds) bounds the transaction:
        past it the server ends it and the caller gets a SearchTimeout-like 503."""
        query = neo4j.Query(query_text, timeout=timeout_) if timeout_ is not None else query_text
        with translated(self.uri):
            records, _, _ = self.driver.execute_query(
                query, params, routing_=neo4j.RoutingControl.READ, database_=self.database
            )
        return [row_of(record) for record in records]

    def read_named(self, name: str, timeout_: float | None = None, **params: Any) -> list[dict]:
        return self.read(cypher.query(name), timeout_=timeout_, **params)

    def write(self, query_text: str, **params: Any) -> neo4j.ResultSummary:
        try:
            with translated(self.uri):
                _, summary, _ = self.driver.execute_query(
                    query_text, params, routing_=neo4j.RoutingControl.WRITE, database_=self.database
                )
        finally:
            changes.changed(self)
        return summary

    def write_named(self, name: str, **params: Any) -> neo4j.ResultSummary:
        return self.write(cypher.query(name), **params)

    def replan(self, timeout_s: int = 300) -> None:
        """Resample the index statistics, wait for it, and clear the query caches, after a bulk load.

        Without it, a query planned while an index still counted no entries (statistics lag behind a bulk load)
        keeps a plan that seeks that index from every row: the site documents of the search index, seeking
        every published offer for each of 95,333 sites, ran for minutes instead of 6 s."""
        with translated(self.uri):
            self.driver.execute_query("CALL db.prepareForReplanning($timeout)", {"timeout": timeout_s},
                                      database_=self.database)

    def run_autocommit(self, query_text: str, **params: Any) -> None:
        """For `CALL { … } IN TRANSACTIONS`, which needs an implicit (auto-commit) transaction."""
        try:
            with translated(self.uri), self.driver.session(database=self.database) as session:
                session.run(query_text, params).consume()
        finally:
            changes.changed(self)

    def write_batches(self, name: str, rows: Iterable[dict], **params: Any) -> dict[str, int]:
        """One write transaction for one `UNWIND $rows` batch: all of it lands or none of it."""
        try:
            with translated(self.uri), self.driver.session(database=self.database) as session:
                counters = session.execute_write(_run_counted, cypher.query(name), {"rows": list(rows), **params})
        finally:
            changes.changed(self)
        return counters

    def transaction(self, work: Callable[..., T], *args: Any, changes_: str = changes.ANY) -> T:
        """`work(tx, *args)` in one managed write transaction: all its statements land or none (the driver retries
        it on transient errors, so `work` must be safe to run again). Counted as a change of `changes_` (see
        graph/changes.py) once it ends."""
        try:
            with translated(self.uri), self.driver.session(database=self.database) as session:
                return session.execute_write(work, *args)
        finally:
            changes.changed(self, changes_)

    def read_transaction(self, work: Callable[..., T], *args: Any, timeout_s: float | None = None,
                         metadata: dict | None = None) -> T:
        """`work(tx, *args)` in one managed read transaction (one consistent view for several reads). `timeout_s`
        bounds it on the server; `metadata` is attached to it (`SHOW TRANSACTIONS`)."""
        if timeout_s is not None or metadata is not None:
            work = neo4j.unit_of_work(timeout=timeout_s, metadata=metadata)(work)
        with translated(self.uri), self.driver.session(database=self.database,
                                                       default_access_mode=neo4j.READ_ACCESS) as session:
            return session.execute_read(work, *args)

    @contextmanager
    def read_once(self, *, timeout_s: float | None = None, metadata: dict | None = None,
                  errors: AbstractContextManager | None = None) -> Iterator[neo4j.Transaction]:
        """One explicit READ transaction, run once (no retry: for a query a person typed, a failure is reported,
        not run again). `errors` is entered inside the error translation, around the transaction: a caller's own
        reading of the driver's errors comes first."""
        with translated(self.uri), (errors or nullcontext()), \
                self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session, \
                session.begin_transaction(timeout=timeout_s, metadata=metadata) as tx:
            yield tx

    def stream(self, query_text: str, params: dict | None = None, *, fetch_size: int | None = None,
               plain_values: bool = True) -> Iterator[dict]:
        """Rows of a read query as dicts, streamed from one read transaction (never all in memory).

        `plain_values=False` is for queries returning only maps and scalars (no nodes, relationships or paths): each
        row is then the record's own values, at a fifth of the cost of `row_of` for rows of nested maps.
        Notifications are off: streamed projections name optional parts of the model on purpose."""
        with translated(self.uri), self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS,
                                                       notifications_min_severity="OFF",
                                                       fetch_size=fetch_size or DEFAULT_FETCH_SIZE) as session:
            result = session.run(query_text, params or {})
            if plain_values:
                for record in result:
                    yield row_of(record)
            else:
                keys = result.keys()
                for record in result:
                    yield dict(zip(keys, record, strict=True))

    def stream_named(self, name: str, **params: Any) -> Iterator[dict]:
        return self.stream(cypher.query(name), params)

    def apply_schema(self) -> int:
        """Apply every `cypher/schema/*.cypher` statement (all are IF NOT EXISTS: repeatable)."""
        count = 0
        for name in cypher.names("schema"):
            for statement in cypher.statements(name):
                self.write(statement)
                count += 1
        with translated(self.uri):
            self.driver.execute_query("CALL db.awaitIndexes(300)", database_=self.database)
        return count

    def ping(self) -> str:
        """Server version; raises ServiceUnavailable when Neo4j cannot be reached."""
        with translated(self.uri):
            info = self.driver.get_server_info()
        return info.agent

    def counts(self) -> dict[str, int]:
        rows = self.read("CALL db.labels() YIELD label "
                         "CALL (label) { MATCH (n) WHERE label IN labels(n) RETURN count(n) AS c } "
                         "RETURN label, c ORDER BY label")
        return {row["label"]: row["c"] for row in rows}


def _run_counted(tx: neo4j.ManagedTransaction, query_text: str, params: dict) -> dict[str, int]:
    summary = tx.run(query_text, params).consume()
    c = summary.counters
    return {"nodes_created": c.nodes_created, "relationships_created": c.relationships_created,
            "properties_set": c.properties_set, "nodes_deleted": c.nodes_deleted}


@contextmanager
def translated(uri: str) -> Iterator[None]:
    """Driver errors raised inside the block as the product's errors: Neo4j out of reach → ServiceUnavailable
    (503, naming `uri` in the detail), a uniqueness constraint violated → BadRequest."""
    try:
        yield
    except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, neo4j_errors.ConnectionPoolError,
            OSError) as exc:
        raise ServiceUnavailable(
            "La base de données de l'offre de soins est indisponible pour le moment.",
            detail=f"Neo4j at {uri}: {exc}",
        ) from exc
    except neo4j_errors.ConstraintError as exc:
        raise BadRequest("Donnée en conflit avec une contrainte d'unicité.", detail=str(exc)) from exc
    except (neo4j_errors.ClientError, neo4j_errors.TransientError) as exc:
        if "TransactionTimedOut" in (exc.code or "") or "Terminated" in (exc.code or ""):
            raise QueryTimeout("La requête a dépassé son temps limite et a été arrêtée.", detail=str(exc)) from exc
        raise
