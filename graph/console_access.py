"""What the analyst console and the pathway library may read: the care-offer model, and nothing else.

An allow-list, not a deny-list: a label or relationship type that is not named here is refused by the plan
check of graph/console.py (`check_plan`), so a private label added later is unreadable until someone decides
otherwise here. The private part of the graph (accounts, API tokens, the audit log, FHIR tombstones, the index
outbox, adverse-event forms) is kept apart from the care-offer model: no relationship of an allowed type touches a
private node, which `tests/integration/test_console_access.py` checks on a loaded graph.
"""

from __future__ import annotations

import re

# Node labels of the care-offer model (docs/graph-model.md), concept kind labels included.
CONSOLE_LABELS = frozenset({
    "LegalEntity", "Site", "InternalOrg", "Offer", "Place", "Professional",
    "Concept", "Activity", "Act", "EquipmentType", "CareMode", "AgeGroup", "Public", "Field", "ContactFunction",
    "ContactNature", "Specialty", "Profession", "ActivityFamily", "SiteCategory", "ReceptionMode",
    "ReceptionTemporality",
    "Commune", "Department", "Region", "CapacitySnapshot", "TensionAlert",
    # crisis modules (issue 17): the operational state of establishments, like capacity and tension
    "CrisisPlanState", "CrisisResources", "CrisisSurvey", "EmergencyReport", "EmergencyStatus",
    "Tariff",  # prices of an establishment (EHPAD), published like its offer (issue 14)
    "IndicatorRun", "IndicatorValue",  # steering indicators: aggregated figures, published as FHIR MeasureReport
})

# Relationship types of the care-offer model; each connects two nodes of CONSOLE_LABELS only.
CONSOLE_RELATIONSHIP_TYPES = frozenset({
    "OPERATES", "HAS_ORG", "OFFERS", "AT", "PROVIDES", "MODE", "PERFORMS", "FOR_AGE", "FOR_PUBLIC", "IN_FIELD",
    "HAS_EQUIPMENT", "WORKS_IN", "HAS_PROFESSION", "HAS_SPECIALTY", "IN", "IN_DEPARTMENT", "HAS_CAPACITY",
    "HAS_TENSION", "NEXT_STEP", "GROUPS", "RECEPTION", "TEMPORALITY",
    "HAS_CRISIS_PLAN", "HAS_CRISIS_RESOURCES", "HAS_CRISIS_SURVEY", "HAS_EMERGENCY_STATUS",
    "HAS_TARIFF", "HAS_VALUE",
})

# Private labels and types, named so that tests can tell "private on purpose" from "forgotten": the console
# refuses them like any label absent from the allow-lists above.
# Adverse-event forms (FEI) hold free-text accounts of incidents and who they were routed to: private.
# Anomaly reports (FHIR Task) keep who reported and handled them: private too (FHIR publishes them without names).
PRIVATE_LABELS = frozenset({"User", "ApiToken", "AuditEntry", "Tombstone", "IndexOutbox", "AdverseEvent",
                            "AdverseEventAnswer", "Anomaly", "Questionnaire"})
PRIVATE_RELATIONSHIP_TYPES = frozenset({"HAS_TOKEN", "INVOLVES", "HAS_ANSWER"})

# Operators that bring nodes into a query: each must name labels, all of them allowed.
_NODE_SOURCES = frozenset({
    "NodeByLabelScan", "UnionNodeByLabelsScan", "IntersectionNodeByLabelsScan", "SubtractionNodeByLabelsScan",
    "NodeIndexSeek", "NodeUniqueIndexSeek", "NodeIndexScan", "NodeIndexContainsScan", "NodeIndexEndsWithScan",
    "NodeIndexSeekByRange", "NodeUniqueIndexSeekByRange", "MultiNodeIndexSeek", "AssertingMultiNodeIndexSeek",
    "NodeCountFromCountStore",
})
# Operators that bring relationships (and their end nodes): each must name types, all of them allowed.
_RELATIONSHIP_SOURCES = frozenset({
    f"{direction}{kind}" for direction in ("Directed", "Undirected") for kind in (
        "RelationshipTypeScan", "UnionRelationshipTypesScan", "RelationshipIndexSeek", "RelationshipIndexScan",
        "RelationshipIndexContainsScan", "RelationshipIndexEndsWithScan", "RelationshipIndexSeekByRange",
        "RelationshipUniqueIndexSeek", "RelationshipUniqueIndexSeekByRange")
} | {"RelationshipCountFromCountStore"})
# Operators that reach anything: every node, every relationship, or an entity by its internal id.
_EVERYTHING = {
    "AllNodesScan": "elle parcourt tous les nœuds sans étiquette ; partez d'une étiquette, par exemple (s:Site)",
    "DirectedAllRelationshipsScan": "elle parcourt toutes les relations sans type ; précisez le type, "
                                    "par exemple ()-[:AT]->()",
    "UndirectedAllRelationshipsScan": "elle parcourt toutes les relations sans type ; précisez le type, "
                                      "par exemple ()-[:AT]-() (et l'étiquette des nœuds)",
    "NodeByIdSeek": "elle lit un nœud par son identifiant interne ; cherchez-le par sa clé (finess, id…)",
    "NodeByElementIdSeek": "elle lit un nœud par son identifiant interne ; cherchez-le par sa clé (finess, id…)",
    "DirectedRelationshipByIdSeek": "elle lit une relation par son identifiant interne",
    "UndirectedRelationshipByIdSeek": "elle lit une relation par son identifiant interne",
    "DirectedRelationshipByElementIdSeek": "elle lit une relation par son identifiant interne",
    "UndirectedRelationshipByElementIdSeek": "elle lit une relation par son identifiant interne",
}
# Operators that only combine, filter, sort or project rows already obtained (or expand along relationships,
# whose types are checked wherever a relationship pattern appears in an operator's details).
_ROW_OPERATORS = frozenset({
    "ProduceResults", "Projection", "Filter", "Limit", "ExhaustiveLimit", "Skip", "Sort", "PartialSort", "Top",
    "PartialTop", "Distinct", "OrderedDistinct", "EagerAggregation", "OrderedAggregation", "Aggregation", "Eager",
    "Apply", "SemiApply", "AntiSemiApply", "LetSemiApply", "LetAntiSemiApply", "SelectOrSemiApply",
    "SelectOrAntiSemiApply", "LetSelectOrSemiApply", "LetSelectOrAntiSemiApply", "RollUpApply",
    "ConditionalApply", "AntiConditionalApply", "Argument", "ArgumentTracker", "CartesianProduct",
    "NodeHashJoin", "ValueHashJoin", "NodeLeftOuterHashJoin", "NodeRightOuterHashJoin", "Union", "Unwind",
    "Optional", "Anti", "CacheProperties", "EmptyResult", "EmptyRow", "ProjectEndpoints", "AssertSameNode",
    "AssertSameRelationship", "TriadicSelection", "TriadicBuild", "TriadicFilter", "NullifyMetadata",
    "ProcedureCall", "ShowIndexes", "ShowConstraints", "ShowProcedures", "ShowFunctions",
})
# Operators that follow relationships from nodes already found (any variant: `VarLengthExpand(Pruning,BFS,All)`
# …): the types they follow must be allowed. (Other
# operators may show patterns too, e.g. a path rebuilt by a Projection or a degree in a Filter, over
# relationships already checked where they were read.)
_TRAVERSALS = ("Expand(", "OptionalExpand(", "VarLengthExpand(", "BFSPruningVarExpand", "ShortestPath",
               "StatefulShortestPath(", "Repeat(", "Trail")
_NAME = r"(?:`[^`]*`|[A-Za-z_][A-Za-z0-9_]*)"
# `n:Site`, `n:Site|Offer`, `UNIQUE n:Site(finess)`, `RANGE INDEX n:Site(finess)`, `count( (:Site) )`
_NODE_LABELS = re.compile(rf"(?:^|[\s(,]){_NAME}?:(?P<labels>(?:{_NAME}|[|&!%:])+)")
_COUNT_NODES = re.compile(r"count\( \((?P<inside>[^)]*)\) \)")
# `-[r:AT|OFFERS*1..3]->`, `-[anon_0]-`, `-[`anon_4`]-`; `)--(` and `)-->(` are untyped patterns too
_RELATIONSHIP = re.compile(rf"-\[(?P<var>{_NAME})?(?::(?P<types>[^\]*({{]*))?[^\]]*\]-|\)<?-->?\(")
_INLINED = re.compile(r"inlined predicates:\s*(?P<predicates>.*)")


def check_access(operators: list[tuple[str, str]]) -> str | None:
    """Why a plan reads outside the care-offer model (None when it does not): every node it starts from has
    allowed labels, every relationship it reads or expands along has allowed types, and no operator it uses
    is unknown to this check (a new Neo4j operator is refused until it is reviewed here)."""
    for operator, details in operators:
        if operator in _EVERYTHING:
            return _EVERYTHING[operator]
        if operator.startswith("Partitioned"):
            return f"opérateur non pris en charge par la console ({operator})"
        if operator in _NODE_SOURCES:
            reason = _node_labels_reason(operator, details)
            if reason:
                return reason
        elif (operator not in _RELATIONSHIP_SOURCES and operator not in _ROW_OPERATORS
              and not operator.startswith(_TRAVERSALS)):
            return f"opérateur non pris en charge par la console ({operator})"
        if operator in _RELATIONSHIP_SOURCES or operator.startswith(_TRAVERSALS):
            reason = _relationship_types_reason(details)
            if reason:
                return reason
    return None


def _node_labels_reason(operator: str, details: str) -> str | None:
    head = details
    if operator == "NodeCountFromCountStore":
        expressions = [m.group("inside").strip().lstrip(":") for m in _COUNT_NODES.finditer(head)]
    else:
        expressions = [m.group("labels") for m in _NODE_LABELS.finditer(head)]
    if not expressions or not all(expressions):
        return "elle compte ou parcourt des nœuds sans étiquette ; précisez l'étiquette, par exemple (s:Site)"
    for expression in expressions:
        reason = _names_reason(expression, CONSOLE_LABELS, "l'étiquette")
        if reason:
            return reason
    return None


def _relationship_types_reason(details: str) -> str | None:
    inlined = _INLINED.search(details)
    conjuncts = [c.strip() for c in inlined.group("predicates").split(" AND ")] if inlined else []
    for match in _RELATIONSHIP.finditer(details):
        types = match.group("types") if match.group(0).startswith("-[") else None
        variable = match.group("var") if match.group(0).startswith("-[") else None
        if not types and variable:  # a shortest path's pattern carries its types as an inlined predicate
            bare = variable.strip("`")
            types = next((c.split(":", 1)[1] for c in conjuncts if c.split(":", 1)[0].strip("`") == bare
                          and ":" in c), None)
        if not types:
            return ("elle suit des relations sans type ; précisez le type de chaque relation, "
                    "par exemple (s:Site)-[:HAS_ORG]->(o)")
        reason = _names_reason(types, CONSOLE_RELATIONSHIP_TYPES, "le type de relation")
        if reason:
            return reason
    return None


def _names_reason(expression: str, allowed: frozenset[str], what: str) -> str | None:
    """`expression`: labels or types joined by | & : (negation and wildcards are refused)."""
    if "!" in expression or "%" in expression or "$" in expression:
        return f"{what} est donné par une négation, un joker ou une expression ({expression})"
    for name in re.split(r"[|&:]", expression):
        name = name.strip().strip("`")
        if name and name not in allowed:
            private = "données privées : comptes, jetons, journal d'audit… " if (
                name in PRIVATE_LABELS or name in PRIVATE_RELATIONSHIP_TYPES) else ""
            return (f"{what} {name} n'est pas consultable dans la console ({private}"
                    f"seul le modèle de l'offre de soins l'est)")
    return None
