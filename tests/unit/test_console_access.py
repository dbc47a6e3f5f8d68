"""Every label and relationship type the product declares or writes is either in the console's allow-list (the
care-offer model) or named private: a new one fails this test until someone decides, and until then the
console refuses it (allow-list). tests/integration/test_console_access.py runs the checks on Neo4j's plans.
"""

from __future__ import annotations

import re
from pathlib import Path

import cypher
from graph.console_access import (
    CONSOLE_LABELS,
    CONSOLE_RELATIONSHIP_TYPES,
    PRIVATE_LABELS,
    PRIVATE_RELATIONSHIP_TYPES,
    check_access,
)

ROOT = Path(cypher.__file__).parent
_SCHEMA_LABEL = re.compile(r"FOR \(\w+:(\w+)\)")
_SCHEMA_TYPE = re.compile(r"FOR \(\)-\[\w+:(\w+)\]-\(\)")
_WRITTEN_LABEL = re.compile(r"(?:CREATE|MERGE)[^;]*?\(\w*:(\w+)|SET \w+:(\w+)")
_WRITTEN_TYPE = re.compile(r"(?:CREATE|MERGE)[^;]*?\[\w*:(\w+)")


def schema_labels() -> set[str]:
    return {label for name in cypher.names("schema") for label in _SCHEMA_LABEL.findall(cypher.query(name))}


def schema_types() -> set[str]:
    return {kind for name in cypher.names("schema") for kind in _SCHEMA_TYPE.findall(cypher.query(name))}


def written() -> tuple[set[str], set[str]]:
    labels, types = set(), set()
    for path in ROOT.rglob("*.cypher"):
        text = "\n".join(line for line in path.read_text().splitlines() if not line.strip().startswith("//"))
        for match in _WRITTEN_LABEL.finditer(text):
            labels.add(match.group(1) or match.group(2))
        types.update(_WRITTEN_TYPE.findall(text))
    return labels, types


def test_every_label_the_schema_declares_is_classified():
    declared = schema_labels()
    assert {"Site", "Offer", "User", "ApiToken", "AuditEntry", "Tombstone"} <= declared
    assert declared <= CONSOLE_LABELS | PRIVATE_LABELS, declared - CONSOLE_LABELS - PRIVATE_LABELS
    assert schema_types() <= CONSOLE_RELATIONSHIP_TYPES | PRIVATE_RELATIONSHIP_TYPES


def test_every_label_and_type_a_query_writes_is_classified():
    labels, types = written()
    assert {"User", "ApiToken", "AuditEntry", "CapacitySnapshot"} <= labels and "HAS_TOKEN" in types
    assert labels <= CONSOLE_LABELS | PRIVATE_LABELS, labels - CONSOLE_LABELS - PRIVATE_LABELS
    assert types <= CONSOLE_RELATIONSHIP_TYPES | PRIVATE_RELATIONSHIP_TYPES


def test_private_and_public_do_not_overlap():
    assert not CONSOLE_LABELS & PRIVATE_LABELS and not CONSOLE_RELATIONSHIP_TYPES & PRIVATE_RELATIONSHIP_TYPES


def test_every_declared_label_is_checked_on_a_plan():
    """On the plans Neo4j makes for `MATCH (n:L)`, by label scan, index seek or count."""
    for label in schema_labels() | {"SecretFuture"}:
        plans = [[("ProduceResults", "n"), ("NodeByLabelScan", f"n:{label}")],
                 [("ProduceResults", "n"), ("NodeUniqueIndexSeek", f"UNIQUE n:{label}(id) WHERE id = $autostring_0")],
                 [("ProduceResults", "c"), ("NodeCountFromCountStore", f"count( (:{label}) ) AS c")],
                 [("ProduceResults", "n"), ("UnionNodeByLabelsScan", f"n:Site|{label}")]]
        for plan in plans:
            reason = check_access(plan)
            assert (reason is None) == (label in CONSOLE_LABELS), (label, plan, reason)
            if reason:
                assert label in reason and "pas consultable" in reason


def test_unknown_operators_and_untyped_traversals_are_refused():
    assert "opérateur non pris en charge" in check_access([("SomethingNew", "n")])
    assert "sans type" in check_access([("Expand(All)", "(s)-[anon_0]-(x)"), ("NodeByLabelScan", "s:Site")])
    assert "HAS_TOKEN" in check_access([("Expand(All)", "(s)-[r:AT|HAS_TOKEN]-(x)")])
    assert check_access([("VarLengthExpand(Pruning,BFS,All)", "(a)-[anon_0:NEXT_STEP*]->(b)"),
                         ("NodeIndexSeek", "RANGE INDEX a:Activity(code) WHERE code = $from")]) is None
