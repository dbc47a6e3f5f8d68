"""Read-only Cypher console for analysts: a query runs only once proven to read.

Three independent locks (see docs/cypher-console.md):
1. the text, with comments and literals masked, must be one statement without a write, admin,
   `USE`, `LOAD CSV`, `IN TRANSACTIONS`, `EXPLAIN`/`PROFILE` keyword;
2. Neo4j's own plan (`EXPLAIN`, itself under the time limit) must say query type "r", contain no forbidden
   operator (LOAD CSV, transaction batching, TERMINATE, admin SHOW, procedure outside an allow-list), and read
   only the care-offer model (graph/console_access.py: labels and relationship types from an allow-list);
3. it then runs in a READ transaction with a timeout, and at most `row_cap` rows come back.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Literal

from neo4j import exceptions as neo4j_errors

from core.errors import BadRequest, Forbidden
from graph.console_access import check_access
from graph.driver import Graph
from graph.results import QueryResult, ResultBuilder

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
# Procedures that return nodes or properties of any label (full-text and vector index queries, the property
# types per label) are left out: they would reach past the care-offer model (graph/console_access.py).
ALLOWED_PROCEDURES = frozenset({
    "db.labels", "db.relationshipTypes", "db.propertyKeys", "db.ping", "db.info", "db.schema.visualization",
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
    max_bytes: int | None = 8_000_000  # JSON size of the rows kept; the rest is cut (and said)


class QueryTimeout(BadRequest):
    """The query ran longer than its time limit and was stopped by Neo4j."""

    code = "query_timeout"


class QueryTooComplex(BadRequest):
    """The statement nests or chains expressions beyond what Neo4j's parser survives (refused before it)."""

    code = "query_too_complex"


class QueryTooLarge(BadRequest):
    """Neo4j ran out of the memory a transaction may use, or the result could not be held."""

    code = "query_too_large"


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
    check_shape(masked)
    return query[:len(masked)].strip()


# Shape limits, checked on the masked text before anything reaches Neo4j. Its parser recurses once per level
# of an expression: a 2 KB query of 1,000 nested lists, or a chain of 250 string concatenations, overflows its
# stack, the error cannot be sent back, and the connection hangs until the driver gives up (issue 19). Below
# these limits Neo4j answers (tests/integration/test_console_limits.py runs queries at the limits).
MAX_QUERY_CHARS = 20_000
MAX_DEPTH = 100  # nesting of ( [ { and CASE, plus chained operators and property accesses along the way
MAX_UNIONS = 50
MAX_SUBQUERY_DEPTH = 8  # nested EXISTS/COLLECT/COUNT/CALL subqueries: planning time grows exponentially with
# their nesting and, past ~20 levels, no longer stops at the transaction's time limit
MAX_HOPS = 40  # relationship patterns in the statement (a long path's planning time grows fast)
MAX_PARAM_DEPTH = 16
MAX_PARAM_ITEMS = 100_000
_SHAPE_TOKEN = re.compile(r"\s+|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|\$\w+"
                          r"|<>|<=|>=|=~|\|\||->|<-|\.\.|.", re.DOTALL)
_OPEN, _CLOSE = "([{", ")]}"
_WORD_OPERATORS = frozenset({"AND", "OR", "XOR", "NOT", "IS", "IN", "STARTS", "ENDS", "CONTAINS"})
_SYMBOL_OPERATORS = frozenset({"+", "-", "*", "/", "%", "^", "=", "<>", "<", ">", "<=", ">=", "=~", "||", "!"})
_ARROWS = frozenset({"-", "->", "<-", "<", ">"})
_SEPARATORS = frozenset({",", "|", ":", ";"})
_CLAUSES = frozenset({"MATCH", "OPTIONAL", "WHERE", "RETURN", "WITH", "UNWIND", "ORDER", "BY", "SKIP", "LIMIT",
                      "CALL", "YIELD", "WHEN", "THEN", "ELSE", "DISTINCT", "AS", "UNION", "ALL"})


def check_shape(masked: str) -> None:
    """Refuse (400, before Neo4j) a statement whose expressions nest or chain too deeply for Neo4j's parser."""
    if len(masked) > MAX_QUERY_CHARS:
        raise too_complex(f"elle dépasse {MAX_QUERY_CHARS} caractères")
    tokens = [t for t in _SHAPE_TOKEN.findall(masked) if not t.isspace()]
    levels: list[list] = [["top", 0]]  # [kind, operators chained so far at this level]
    depth = unions = hops = 0
    for i, token in enumerate(tokens):
        upper = token.upper()
        previous = tokens[i - 1] if i else ""
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token in _OPEN or upper == "CASE":
            subquery = (token == "{" and previous.upper() in ("EXISTS", "COLLECT", "COUNT", "CALL", ")")) or (
                token == "[" and following == "(")
            if token == "[" and (previous in ("]", ")") or _WORD.fullmatch(previous or "-")):
                levels[-1][1] += 1  # an index or slice chained on a value, like an operator
            levels.append(["SUBQUERY" if subquery else upper, 0])
            if sum(kind == "SUBQUERY" for kind, _ in levels) > MAX_SUBQUERY_DEPTH:
                raise too_complex(f"elle imbrique plus de {MAX_SUBQUERY_DEPTH} sous-requêtes "
                                  "(EXISTS, COLLECT, COUNT, CALL, compréhensions de motifs)")
        elif token in _CLOSE or upper == "END":
            if len(levels) > 1 and (upper == "END") == (levels[-1][0] == "CASE"):
                levels.pop()
        elif token in _SEPARATORS or upper in _CLAUSES:
            levels[-1][1] = 0
            unions += upper == "UNION"
        elif token in _ARROWS and (previous in (")", "]", "-", "<-") or following in ("[", "(", "-", "->")):
            hops += previous == ")"  # one relationship pattern starts after each node pattern it follows
        elif upper in _WORD_OPERATORS or token in _SYMBOL_OPERATORS or (token == "." and following[:1].isalpha()):
            levels[-1][1] += 1
        depth = max(depth, len(levels) - 1 + sum(count for _, count in levels))
        if depth > MAX_DEPTH:
            raise too_complex(f"ses expressions sont imbriquées ou enchaînées sur plus de {MAX_DEPTH} niveaux "
                              "(crochets, parenthèses, accolades, CASE, opérateurs, accès aux propriétés)")
    if unions > MAX_UNIONS:
        raise too_complex(f"elle réunit plus de {MAX_UNIONS} requêtes (UNION)")
    if hops > MAX_HOPS:
        raise too_complex(f"ses motifs comptent plus de {MAX_HOPS} relations")


def too_complex(reason: str) -> BadRequest:
    return QueryTooComplex(f"Requête trop complexe pour la console : {reason}. Simplifiez-la ou découpez-la.",
                           fields={"query": reason})


def check_params_shape(params: dict) -> None:
    """Parameters nested at most MAX_PARAM_DEPTH levels, with at most MAX_PARAM_ITEMS values in all."""
    count = 0
    stack: list[tuple[dict | list, int]] = [(params, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_PARAM_DEPTH:
            raise BadRequest(f"Paramètres trop imbriqués (au plus {MAX_PARAM_DEPTH} niveaux).",
                             fields={"params": f"au plus {MAX_PARAM_DEPTH} niveaux"})
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        for child in children:
            count += 1
            if count > MAX_PARAM_ITEMS:
                raise BadRequest(f"Paramètres trop volumineux (au plus {MAX_PARAM_ITEMS} valeurs).",
                                 fields={"params": f"au plus {MAX_PARAM_ITEMS} valeurs"})
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))


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
    operators = plan_operators(plan)
    for operator, details in operators:
        if operator in _FORBIDDEN_OPERATORS:
            raise refuse(_FORBIDDEN_OPERATORS[operator])
        if operator.startswith("Show") and operator not in _ALLOWED_SHOW:
            raise refuse(f"c'est une commande d'administration ({operator})")
        if operator == "ProcedureCall":
            name = details.split("(")[0].strip()
            if name not in ALLOWED_PROCEDURES:
                raise refuse(f"la procédure {name} n'est pas autorisée dans la console")
    reason = check_access(operators)
    if reason:
        raise refuse(reason)


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
    check_params_shape(raw)
    return raw


def run_console(graph: Graph, query: str, params: str | dict | None = None,
                limits: ConsoleLimits | None = None, *, metadata: dict | None = None) -> QueryResult:
    """Check `query` (text, then plan) and run it read-only with a timeout, a row cap and a byte cap.

    `metadata` is attached to the transactions (see `SHOW TRANSACTIONS`), which lets `cancel` find them."""
    limits = limits or ConsoleLimits()
    statement, params = check(graph, query, params, limits, metadata=metadata)
    return run_read(graph, statement, params, limits, metadata=metadata)


def check(graph: Graph, query: str, params: str | dict | None = None, limits: ConsoleLimits | None = None, *,
          metadata: dict | None = None) -> tuple[str, dict]:
    """The statement and parameters once both the text and Neo4j's plan say it only reads (nothing runs)."""
    statement = check_text(query)
    params = parse_params(params)
    query_type, plan = explain(graph, statement, params, limits, metadata=metadata)
    check_plan(query_type, plan)
    return statement, params


def run_read(graph: Graph, statement: str, params: dict, limits: ConsoleLimits, *,
             metadata: dict | None = None) -> QueryResult:
    """Run a statement in one READ transaction with the limits' timeout, keeping at most `row_cap` rows and
    `max_bytes` of JSON (the rows are converted and measured as they arrive; past a cap the rest is not read).

    No retry: a console query that failed once is reported, not run again (the driver's managed transactions
    retry for 30 s, which held a connection per query)."""
    builder = ResultBuilder(row_cap=limits.row_cap, max_bytes=limits.max_bytes)
    started = time.perf_counter()
    with graph.read_once(timeout_s=limits.timeout_s, metadata=metadata, errors=_client_errors(limits)) as tx:
        result = tx.run(statement, params)
        builder.start(list(result.keys()))
        for record in result:
            if not builder.add(record.values()):
                break
    return builder.result(elapsed_ms=(time.perf_counter() - started) * 1000)


def cancel(graph: Graph, metadata: dict) -> int:
    """Terminate the running transactions whose metadata holds every key/value of `metadata`; how many."""
    if not metadata:
        raise ValueError("cancel needs metadata to match, or it would stop every transaction")
    rows = graph.read("SHOW TRANSACTIONS YIELD transactionId, metaData "
                      "WHERE all(key IN keys($wanted) WHERE metaData[key] = $wanted[key]) RETURN transactionId",
                      wanted=metadata)
    ids = [r["transactionId"] for r in rows]
    if ids:
        graph.write("TERMINATE TRANSACTIONS $ids", ids=ids)
    return len(ids)


def explain(graph: Graph, statement: str, params: dict | None = None, limits: ConsoleLimits | None = None, *,
            metadata: dict | None = None) -> tuple[str | None, dict | None]:
    """Neo4j's query type and plan for `statement`, without running it: planning runs under the limits' time
    limit too (a long path pattern can keep the planner busy for minutes), once, without retry."""
    limits = limits or ConsoleLimits()
    with graph.read_once(timeout_s=limits.timeout_s, metadata=metadata, errors=_client_errors(limits)) as tx:
        summary = tx.run("EXPLAIN " + statement, params or {}).consume()
    return summary.query_type, summary.plan


class _client_errors:
    """Neo4j's refusals and syntax errors as product errors (the server message kept for the analyst)."""

    def __init__(self, limits: ConsoleLimits):
        self.limits = limits

    def __enter__(self) -> _client_errors:
        return self

    def __exit__(self, exc_type: type | None, exc: BaseException | None, tb: object) -> Literal[False]:
        if isinstance(exc, MemoryError):
            raise QueryTooLarge("Résultat trop volumineux pour la console : restreignez la requête (LIMIT, "
                                "moins de colonnes) ou lancez-la en export.", detail="MemoryError") from exc
        code = getattr(exc, "code", None) or ""
        if isinstance(exc, neo4j_errors.Neo4jError) and ("MemoryPool" in code or "OutOfMemory" in code
                                                         or "MemoryLimit" in code):
            raise QueryTooLarge("Requête trop gourmande en mémoire pour la base : restreignez-la (filtre, "
                                "LIMIT, agrégat sur moins de valeurs).", detail=str(exc)) from exc
        if not isinstance(exc, neo4j_errors.ClientError) or isinstance(exc, neo4j_errors.ConstraintError):
            return False
        if "AccessMode" in code or "Forbidden" in code or "Security" in code:
            raise refuse("Neo4j a refusé une écriture en transaction de lecture") from exc
        if code.endswith("Transaction.Terminated"):
            raise QueryCancelled("Requête annulée : elle a été arrêtée avant la fin.", detail=str(exc)) from exc
        if "TransactionTimedOut" in code or "Terminated" in code:
            raise QueryTimeout(f"Requête interrompue : elle a dépassé {self.limits.timeout_s:g} s, le délai maximal. "
                               "Restreignez-la (LIMIT, filtre) ou lancez-la en export.",
                               detail=str(exc)) from exc
        raise BadRequest(f"Requête invalide : {exc.message}", detail=str(exc)) from exc
