"""Read-only Cypher console for analysts: a query runs only once proven to read.

Three independent locks (see docs/cypher-console.md):
1. the text, with comments and literals masked, must be one statement without a write, admin,
   `USE`, `LOAD CSV`, `IN TRANSACTIONS`, `EXPLAIN`/`PROFILE` keyword;
2. Neo4j's own plan (`EXPLAIN`) must say query type "r" and contain no forbidden operator
   (LOAD CSV, transaction batching, TERMINATE, admin SHOW, procedure outside an allow-list);
3. it then runs in a READ transaction with a timeout, and at most `row_cap` rows come back.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass

import neo4j
from neo4j import exceptions as neo4j_errors

from core.errors import BadRequest, Forbidden
from graph.driver import Graph, _translated
from graph.results import QueryResult, build_result

READ_ONLY = "La console est en lecture seule."

# Keywords that only ever appear in statements that write, administer or reach outside the database.
_WRITE_KEYWORDS = ("CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "FOREACH", "DROP", "ALTER",
                   "RENAME", "GRANT", "DENY", "REVOKE", "START", "STOP", "TERMINATE", "ENABLE",
                   "DEALLOCATE", "REALLOCATE", "DRYRUN")
_KEYWORD_REASONS = {
    "LOAD": "elle lit un fichier ou une URL extérieure (LOAD CSV)",
    "USE": "elle change de base de données (USE)",
    "EXPLAIN": "le préfixe EXPLAIN est ajouté par la console elle-même",
    "PROFILE": "le préfixe PROFILE exécute la requête hors du contrôle de la console",
}
_IN_TRANSACTIONS = re.compile(r"\bIN\s+(?:\S+\s+CONCURRENT\s+)?TRANSACTIONS\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Read procedures an analyst may call; any other procedure is refused, even when Neo4j calls it "read"
# (db.stats.collect, db.clearQueryCaches and friends change server state from a read transaction).
ALLOWED_PROCEDURES = frozenset({
    "db.labels", "db.relationshipTypes", "db.propertyKeys", "db.ping", "db.info",
    "db.schema.visualization", "db.schema.nodeTypeProperties", "db.schema.relTypeProperties",
    "db.index.fulltext.queryNodes", "db.index.fulltext.queryRelationships",
    "db.index.vector.queryNodes", "db.index.vector.queryRelationships",
})
_ALLOWED_SHOW = frozenset({"ShowIndexes", "ShowConstraints", "ShowProcedures", "ShowFunctions"})
_FORBIDDEN_OPERATORS = {
    "LoadCSV": "elle lit un fichier ou une URL extérieure (LOAD CSV)",
    "TransactionApply": "elle découpe l'exécution en transactions (CALL { … } IN TRANSACTIONS)",
    "TransactionForeach": "elle découpe l'exécution en transactions (CALL { … } IN TRANSACTIONS)",
    "TerminateTransactions": "c'est une commande d'administration (TERMINATE TRANSACTIONS)",
}


@dataclass(frozen=True)
class ConsoleLimits:
    timeout_s: float = 10.0
    row_cap: int | None = 1000


class QueryTimeout(BadRequest):
    """The query ran longer than its time limit and was stopped by Neo4j."""

    code = "query_timeout"


class QueryCancelled(BadRequest):
    """The query's transaction was terminated before it finished (by its author's "Annuler", or by an admin)."""

    code = "query_cancelled"


def refuse(reason: str) -> Forbidden:
    return Forbidden(f"Requête refusée : {reason}. {READ_ONLY}", detail=reason)


def mask(text: str) -> str:
    """Same length as `text`, with comments blanked and string/backtick literals replaced by `x`."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out[i:end] = " " * (end - i)
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out[i:end] = " " * (end - i)
            i = end
        elif ch in "'\"`":
            j = i + 1
            while j < n and text[j] != ch:
                j += 2 if text[j] == "\\" and ch != "`" else 1
            j = min(j, n - 1)
            out[i + 1:j] = "x" * (j - i - 1)
            i = j + 1
        else:
            i += 1
    return "".join(out)


def check_text(query: str) -> str:
    """The single statement to run (trailing `;` removed), or a refusal naming the offending keyword."""
    if not query or not query.strip():
        raise BadRequest("La requête est vide.")
    masked = mask(query).rstrip()
    if masked.endswith(";"):
        masked = masked[:-1].rstrip()
    if not masked.strip():
        raise BadRequest("La requête ne contient que des commentaires.")
    if ";" in masked:
        raise refuse("elle contient plusieurs instructions (« ; »)")
    if _IN_TRANSACTIONS.search(masked):
        raise refuse(_FORBIDDEN_OPERATORS["TransactionApply"])
    for match in _WORD.finditer(masked):
        word = match.group().upper()
        before = masked[match.start() - 1] if match.start() else " "
        after = masked[match.end():].lstrip()[:1]
        if before in ".:$" or after == ":":
            continue  # a property key, label, parameter or map key, not a clause
        if word in _WRITE_KEYWORDS:
            raise refuse(f"elle modifie la base ou l'administre ({word})")
        if word in _KEYWORD_REASONS:
            raise refuse(_KEYWORD_REASONS[word])
    return query[:len(masked)].strip()


def plan_operators(plan: dict | None) -> list[tuple[str, str]]:
    """Every (operator, details) of an EXPLAIN plan, depth first."""
    if not plan:
        return []
    operator = plan.get("operatorType", "").split("@")[0]
    found = [(operator, str(plan.get("args", {}).get("Details", "")))]
    for child in plan.get("children", []):
        found.extend(plan_operators(child))
    return found


def check_plan(query_type: str | None, plan: dict | None) -> None:
    """Refuse unless Neo4j planned a pure read using only allowed operators and procedures."""
    if query_type in ("w", "rw"):
        raise refuse("elle modifie la base (écriture détectée par le planificateur)")
    if query_type == "s":
        raise refuse("c'est une commande de schéma ou d'administration")
    if query_type != "r":
        raise refuse(f"type de requête inattendu ({query_type})")
    for operator, details in plan_operators(plan):
        if operator in _FORBIDDEN_OPERATORS:
            raise refuse(_FORBIDDEN_OPERATORS[operator])
        if operator.startswith("Show") and operator not in _ALLOWED_SHOW:
            raise refuse(f"c'est une commande d'administration ({operator})")
        if operator == "ProcedureCall":
            name = details.split("(")[0].strip()
            if name not in ALLOWED_PROCEDURES:
                raise refuse(f"la procédure {name} n'est pas autorisée dans la console")


def parse_params(raw: str | dict | None) -> dict:
    """Parameters given as a JSON object (text or already decoded)."""
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise BadRequest(f"Les paramètres ne sont pas du JSON valide : {exc.msg}.") from exc
    if not isinstance(raw, dict) or not all(isinstance(k, str) and _WORD.fullmatch(k) for k in raw):
        raise BadRequest("Les paramètres doivent être un objet JSON dont les clés sont des noms simples.")
    return raw


def run_console(graph: Graph, query: str, params: dict | None = None,
                limits: ConsoleLimits | None = None, *, metadata: dict | None = None) -> QueryResult:
    """Check `query` (text, then plan) and run it read-only with a timeout and a row cap.

    `metadata` is attached to the transaction (see `SHOW TRANSACTIONS`), which lets `cancel` find it."""
    limits = limits or ConsoleLimits()
    statement, params = check(graph, query, params)
    return run_read(graph, statement, params, limits, metadata=metadata)


def check(graph: Graph, query: str, params: str | dict | None = None) -> tuple[str, dict]:
    """The statement and parameters once both the text and Neo4j's plan say it only reads (nothing runs)."""
    statement = check_text(query)
    params = parse_params(params)
    query_type, plan = explain(graph, statement, params)
    check_plan(query_type, plan)
    return statement, params


def run_read(graph: Graph, statement: str, params: dict, limits: ConsoleLimits, *,
             metadata: dict | None = None) -> QueryResult:
    """Run a statement in a READ transaction with the limits' timeout, keeping at most `row_cap` rows."""
    with _translated(graph.uri), _client_errors(limits), graph.driver.session(
            database=graph.database, default_access_mode=neo4j.READ_ACCESS) as session:
        started = time.perf_counter()
        columns, rows, truncated = session.execute_read(
            neo4j.unit_of_work(timeout=limits.timeout_s, metadata=metadata)(_fetch), statement, params,
            limits.row_cap)
        elapsed_ms = (time.perf_counter() - started) * 1000
    return build_result(columns, rows, truncated=truncated, elapsed_ms=elapsed_ms)


def cancel(graph: Graph, metadata: dict) -> int:
    """Terminate the running transactions whose metadata holds every key/value of `metadata`; how many."""
    if not metadata:
        raise ValueError("cancel needs metadata to match, or it would stop every transaction")
    with _translated(graph.uri):
        records, _, _ = graph.driver.execute_query(
            "SHOW TRANSACTIONS YIELD transactionId, metaData "
            "WHERE all(key IN keys($wanted) WHERE metaData[key] = $wanted[key]) RETURN transactionId",
            {"wanted": metadata}, database_=graph.database)
        ids = [r["transactionId"] for r in records]
        if ids:
            graph.driver.execute_query("TERMINATE TRANSACTIONS $ids", {"ids": ids}, database_=graph.database)
    return len(ids)


def explain(graph: Graph, statement: str, params: dict | None = None) -> tuple[str | None, dict | None]:
    """Neo4j's query type and plan for `statement`, without running it (used by tests and checks)."""
    with _translated(graph.uri), _client_errors(ConsoleLimits()), graph.driver.session(
            database=graph.database, default_access_mode=neo4j.READ_ACCESS) as session:
        summary = session.execute_read(_explain, statement, params or {})
    return summary.query_type, summary.plan


def _explain(tx, statement: str, params: dict):
    return tx.run("EXPLAIN " + statement, params).consume()


def _fetch(tx, statement: str, params: dict, row_cap: int | None):
    result = tx.run(statement, params)
    columns = list(result.keys())
    rows: list[list] = []
    for record in result:
        if len(rows) == row_cap:
            return columns, rows, True
        rows.append(list(record.values()))
    return columns, rows, False


class _client_errors:
    """Neo4j's refusals and syntax errors as product errors (the server message kept for the analyst)."""

    def __init__(self, limits: ConsoleLimits):
        self.limits = limits

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if not isinstance(exc, neo4j_errors.ClientError) or isinstance(exc, neo4j_errors.ConstraintError):
            return False
        code = exc.code or ""
        if "AccessMode" in code or "Forbidden" in code or "Security" in code:
            raise refuse("Neo4j a refusé une écriture en transaction de lecture") from exc
        if code.endswith("Transaction.Terminated"):
            raise QueryCancelled("Requête annulée : elle a été arrêtée avant la fin.", detail=str(exc)) from exc
        if "TransactionTimedOut" in code or "Terminated" in code:
            raise QueryTimeout(f"Requête interrompue : elle a dépassé {self.limits.timeout_s:g} s, le délai maximal. "
                               "Restreignez-la (LIMIT, filtre) ou lancez-la en export.",
                               detail=str(exc)) from exc
        raise BadRequest(f"Requête invalide : {exc.message}", detail=str(exc)) from exc
