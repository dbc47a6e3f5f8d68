"""Extension points of the FHIR search for resource types kept outside the search index (Task, MeasureReport…).

Another module registers, keyed by "SourceType:reference" (the FHIR spelling, e.g. "Task:focus"):
- `has_providers[key](request) -> ids`: the logical ids of `request.target_type` resources that `SourceType`
  resources matching `request.param op request.values` point to through `reference`. It answers
  `_has:Task:focus:business-status=…` and the same comparison inside `_filter`; `request.deadline` is the
  search's time limit (pass `request.deadline.remaining()` as the Neo4j transaction timeout) and
  `request.graph` the search's graph.
- `revinclude_providers[key](target_type, ids, deadline, graph) -> list[dict]`: the `SourceType` resources
  pointing to these ids through `reference`, rendered (answers `_revinclude=Task:focus`).
A key nobody registered stays a 400 OperationOutcome naming the parameter. `capability_resources` holds
functions returning the CapabilityStatement `rest.resource` entries of the other modules' types. See docs/fhir.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from fhir_api.budget import Deadline


@dataclass(frozen=True)
class HasRequest:
    target_type: str  # the searched type (HealthcareService…)
    source_type: str  # the type that points to it (Task…)
    reference: str  # its reference parameter (focus…)
    param: str  # the parameter of the source type, with its modifier if any (business-status…)
    op: str  # eq, ne, gt… ("=" for an ordinary parameter, whose value may carry a prefix)
    values: tuple[str, ...]  # OR-ed
    deadline: Deadline
    graph: object = None  # the search's graph (graph.driver.Graph), where the provider reads its resources


HasProvider = Callable[[HasRequest], Iterable[str]]
RevIncludeProvider = Callable[[str, list[str], Deadline, object], list[dict]]

has_providers: dict[str, HasProvider] = {}
revinclude_providers: dict[str, RevIncludeProvider] = {}
capability_resources: list[Callable[[], dict]] = []
