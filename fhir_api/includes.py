"""`_include` / `_revinclude` (and `:iterate`) answered from the FHIR resource stores by id or by reference.

Every `_include` applies to all resources gathered so far, matches and included ones (the national server's
example query relies on it for `PractitionerRole:practitioner`), in waves until nothing new; a `_revinclude`
reads the source type's index by reference, or a registered provider (`hooks.revinclude_providers`).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import orjson

from fhir_api import hooks
from fhir_api import searchparams as sp
from fhir_api.budget import Deadline, TooCostly
from fhir_api.params import InvalidParam
from fhir_api.search import NO_FETCH, Hit

MAX_INCLUDED = 5000
MAX_WAVES = 5
_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="fhir-include")


@dataclass(frozen=True)
class IncludeSpec:
    source: str
    reference: str
    target: str | None  # None: a provider's type (Task…)
    iterate: bool = False

    @property
    def key(self) -> str:
        return f"{self.source}:{self.reference}"


@dataclass(slots=True)
class Included:
    rtype: str
    hit: Hit


def include_specs(rtype: str, items, lenient: bool, ignored: list[str]) -> tuple[list[IncludeSpec], list[IncludeSpec]]:
    """The `_include` and `_revinclude` of a query string; unsupported ones: 400 naming them (or ignored)."""
    includes, revincludes = [], []
    for key, value in items:
        name, _, modifier = key.partition(":")
        if name not in ("_include", "_revinclude"):
            continue
        spec = ":".join(value.split(":")[:2])
        found = _spec(rtype, name, spec, modifier == "iterate")
        if found is None or modifier not in ("", "iterate") or len(value.split(":")) > 3:
            if not lenient:
                raise InvalidParam(f"« {key}={value} » n'est pas pris en charge pour {rtype}.")
            ignored.append(f"{key}={value}")
            continue
        (includes if name == "_include" else revincludes).append(found)
    return includes, revincludes


def _spec(rtype: str, name: str, spec: str, iterate: bool) -> IncludeSpec | None:
    if name == "_revinclude" and spec in hooks.revinclude_providers:
        source, reference = spec.split(":")
        return IncludeSpec(source, reference, None, iterate)
    declared = sp.INCLUDES.get(spec)
    if declared is None:
        return None
    source, reference, target = declared
    if name == "_revinclude" and target != rtype:
        return None
    return IncludeSpec(source, reference, target, iterate)


def soon(call, *args) -> Future:
    """`call(*args)` started on the include reads' threads (`FhirService.page`: the stores' state, read while the
    search runs)."""
    return _POOL.submit(call, *args)


def gather(engine, rtype: str, matches: list[Hit], includes: list[IncludeSpec], revincludes: list[IncludeSpec],
           deadline: Deadline, state=None) -> list[Included]:
    """The included resources of a page, in the Bundle's order (the wave rule in the module's docstring);
    `state`: the stores' state read at the start of the request (`SearchEngine.store_state`), or None."""
    seen = {(rtype, h.id) for h in matches}
    pool = [Included(rtype, h) for h in matches]
    types = {rtype}  # the types present in the pool
    added: list[Included] = []

    def keep(rt: str, hits: list[Hit]) -> list[Included]:
        new = []
        for hit in hits:
            if (rt, hit.id) not in seen:
                seen.add((rt, hit.id))
                new.append(Included(rt, hit))
        if new:
            types.add(rt)
            added.extend(new)
        if len(added) > MAX_INCLUDED:
            raise TooCostly(f"Trop de ressources incluses (plus de {MAX_INCLUDED}) : réduisez « _count ».")
        return new

    ids = [h.id for h in matches]
    tasks = [lambda spec=spec: [(spec.source, _revincluded(engine, rtype, spec, ids, deadline))]
             for spec in revincludes]  # read in the same wave as the first includes
    fresh = pool  # a wave follows the references of the resources the previous one added (the first: the page's)
    for _ in range(MAX_WAVES):
        wanted: dict[str, list[str]] = {}
        for spec in includes:
            if spec.source not in types:
                continue
            targets = wanted.setdefault(spec.target, [])  # in the order of the includes, as the Bundle lists them
            for item in fresh:
                if item.rtype == spec.source:
                    targets.extend(i for i in item.hit.refs.get(spec.reference, ()) if (spec.target, i) not in seen)
        wanted = {t: list(dict.fromkeys(v)) for t, v in wanted.items() if v}
        if wanted:  # every type the wave reads by id: one read (`SearchEngine.resources_of`)
            tasks.append(lambda wanted=wanted: list(engine.resources_of(wanted, deadline, state).items()))
        if not tasks:
            break
        fresh = []
        # one wave's reads run side by side (the last one in this thread); each gives (type, hits) pairs
        results = [_POOL.submit(task) for task in tasks[:-1]] + [tasks[-1]()]
        for pairs in results:
            for target, hits in (pairs.result() if isinstance(pairs, Future) else pairs):
                fresh += keep(target, hits)
        tasks = []
    return added


def _revincluded(engine, rtype: str, spec: IncludeSpec, ids: list[str], deadline: Deadline) -> list[Hit]:
    if spec.target is None:
        provided = hooks.revinclude_providers[spec.key](rtype, ids, deadline, engine.graph)
        return [Hit(r["id"], orjson.dumps(r), {}) for r in provided]
    return _referencing(engine, spec, ids, deadline)


def _referencing(engine, spec: IncludeSpec, ids: list[str], deadline: Deadline) -> list[Hit]:
    """The source type's resources whose reference points to `ids` (its resource store indexes references):
    the search returns their ids and versions, the resources come from the cache or by id."""
    body = {"query": {"terms": {spec.reference: ids}}, "size": MAX_INCLUDED + 1, "track_total_hits": False,
            "sort": [{"id": "asc"}], **NO_FETCH, "seq_no_primary_term": True}
    hits = engine.search(spec.source, body, deadline, store=True)["hits"]["hits"]
    if len(hits) > MAX_INCLUDED:
        raise TooCostly(f"« _revinclude={spec.key} » inclut plus de {MAX_INCLUDED} ressources : réduisez « _count ».")
    return engine.cached_hits(spec.source, hits, deadline)
