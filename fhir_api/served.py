"""The FHIR types served outside the search index (anomalies as `Task`, indicators as `Measure`, input templates
as `Questionnaire`): low-volume resources read from the graph or computed, rendered, then matched in memory
against search parameters declared like those of the index (`searchparams.SearchParam`, `extract` reading the
rendered resource), the `_filter` tree of `fhir_api.filter` included.

A type registers a `ServedType` in `SERVED` (its module is imported by `fhir_api.blueprint.register`): this
module's blueprint answers `GET /fhir/<Type>`, `POST /fhir/<Type>/_search` and `GET /fhir/<Type>/<id>` for it,
and `/fhir/metadata` lists it (`hooks.capability_resources`). Chained parameters that point to an indexed type
(`focus:HealthcareService.identifier`, also written `focus:HealthcareService:identifier` by the ROR
documentation) are answered by the FHIR search index, restricted to the ids the candidates point to; `_has`
between served types (`Measure?_has:MeasureReport:measure:date=…`) by the source type's candidates.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import orjson
from flask import Blueprint, request

from core.errors import ServiceUnavailable
from fhir_api import codes, hooks, params
from fhir_api import extract as x
from fhir_api import filter as fl
from fhir_api import searchparams as sp
from fhir_api.budget import Deadline
from fhir_api.index.documents import normalise
from fhir_api.params import InvalidParam
from fhir_api.searchparams import SearchParam

RESULT_PARAMS = {"_count", "_offset", "_sort", "_summary", "_elements", "_format", "_pretty", "_total",
                 "_include", "_revinclude"}
DEFAULT_COUNT = 200
MAX_COUNT = 1000
MAX_CHAIN_IDS = 10_000  # ids one chained comparison sends to the index at once


@dataclass
class Ctx:
    """What answering a request needs: the graph, the indexed search (chains), the time limit, the base URL."""

    graph: object
    service: object | None  # fhir_api.service.FhirService (None without the index: chains refused)
    deadline: Deadline
    base_url: str = ""


Include = Callable[[Ctx, list[dict]], list[dict]]  # matches → resources they point to
RevInclude = Callable[[Ctx, list[str]], list[dict]]  # ids of matches → resources pointing to them


@dataclass(frozen=True)
class ServedType:
    name: str
    profile: str | None
    params: tuple[SearchParam, ...]
    candidates: Callable[[Ctx, fl.And], Iterable[dict]]  # rendered resources a search may match (may prefilter)
    read: Callable[[Ctx, str], dict | None]
    # reference parameters: name → the types it may point to (chains resolved by the index for indexed types)
    references: dict[str, tuple[str, ...]] = field(default_factory=dict)
    includes: dict[str, Include] = field(default_factory=dict)  # "Type:param" → …
    revincludes: dict[str, RevInclude] = field(default_factory=dict)  # "Source:param" → …
    default_sort: Callable[[dict], tuple] | None = None
    interactions: tuple[dict, ...] = ({"code": "read"}, {"code": "search-type"})
    documentation: str = ""
    versioning: str = "no-version"  # CapabilityStatement: "versioned-update" when writes honour If-Match

    def param(self, name: str) -> SearchParam | None:
        return next((p for p in self.params if p.name == name), None)


SERVED: dict[str, ServedType] = {}
bp = Blueprint("fhir_served", __name__, url_prefix="/fhir")


def register_type(served: ServedType, *, routes: bool = True) -> None:
    """Serve a type: its search and read routes (unless another module routes it), its CapabilityStatement
    entry."""
    first = served.name not in SERVED
    SERVED[served.name] = served
    if first:
        hooks.capability_resources.append(lambda name=served.name: capability(SERVED[name]))
    if first and routes:
        bp.add_url_rule(f"/{served.name}", f"search_{served.name}", _search_route(served.name), methods=["GET"])
        bp.add_url_rule(f"/{served.name}/_search", f"post_{served.name}", _search_route(served.name, True),
                        methods=["POST"])
        bp.add_url_rule(f"/{served.name}/<resource_id>", f"read_{served.name}", _read_route(served.name),
                        methods=["GET"])


def common_params() -> tuple[SearchParam, ...]:
    """`_id`, `_lastUpdated`, `_content`, `_filter` and `_has` (between served types), as on every type."""
    return (SearchParam("_id", "token", "Identifiant logique de la ressource", lambda r: [(None, r["id"])]),
            sp.date("_lastUpdated", x.last_updated, "Date de la dernière mise à jour"),
            SearchParam("_content", "special", "Recherche plein texte dans le contenu de la ressource",
                        x.text),
            sp.special("_has", "Chaînage inverse (_has:Type:référence:paramètre)"),
            sp.special("_filter", "Expression de filtre (grammaire FHIR _filter)"))


# --- routes ---------------------------------------------------------------------------------------------------

def _ctx() -> Ctx:
    from fhir_api import blueprint

    graph, search = blueprint._graph_and_search()
    service = blueprint.service() if search is not None else None
    time_limit = service.time_limit if service is not None else blueprint._state()["time_limit"]
    return Ctx(graph, service, Deadline(time_limit), blueprint._base_url())


def _search_route(name: str, post: bool = False):
    def view():
        from fhir_api import blueprint

        items = list(request.args.items(multi=True)) + (list(request.form.items(multi=True)) if post else [])
        body = search(SERVED[name], _ctx(), items, lenient=blueprint._lenient())
        return blueprint.fhir_response(body)

    return view


def _read_route(name: str):
    def view(resource_id: str):
        from fhir_api import blueprint

        resource = SERVED[name].read(_ctx(), resource_id)
        if resource is None:
            from core.errors import NotFound

            raise NotFound(f"Ressource {name}/{resource_id} introuvable.")
        meta = resource.get("meta") or {}
        headers = {"Last-Modified": meta.get("lastUpdated"),
                   "ETag": f'W/"{meta["versionId"]}"' if meta.get("versionId") else None}
        return blueprint.fhir_response(resource, headers={k: v for k, v in headers.items() if v})

    return view


def install(app) -> None:
    """Mount the served types' routes on `app` (their errors are OperationOutcomes, as on /fhir)."""
    from fhir_api import blueprint

    if not bp.error_handler_spec.get(None):
        bp.register_error_handler(blueprint.RorError, blueprint.ror_error)
        bp.register_error_handler(blueprint.HTTPException, blueprint.http_error)
        bp.register_error_handler(Exception, blueprint.unexpected)
    if bp.name not in app.blueprints:
        app.register_blueprint(bp)


# --- search ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Path:
    """Where a comparison points: a parameter of the type, maybe through a chain or a reverse chain."""

    param: SearchParam | None
    modifier: str | None = None
    chain: tuple[str, str, str] | None = None  # (reference, target type, target parameter path)
    has: tuple[str, str, str] | None = None  # (source type, its reference, its parameter path)
    type_modifier: str | None = None  # `focus:HealthcareService=…`


def resolve(served: ServedType, path: str) -> Path:
    """The parameter a path names; 400 naming it when unknown (never built into any query text)."""
    if path.startswith("_has:"):
        parts = path.split(":")
        if len(parts) < 4 or not all(parts[1:4]):
            raise InvalidParam(f"Chaînage inverse invalide : « {path} » (attendu _has:Type:référence:paramètre).")
        source, reference, inner = parts[1], parts[2], ":".join(parts[3:])
        src = SERVED.get(source)
        ref = src.param(reference) if src else None
        if ref is None or ref.type != "reference" or served.name not in src.references.get(reference, ()):
            raise InvalidParam(f"Chaînage inverse non pris en charge : « {path} » pour {served.name}.")
        resolve(src, inner)
        return Path(None, has=(source, reference, inner))
    head, dot, rest = path.partition(".")
    name, _, modifier = head.partition(":")
    param = served.param(name)
    if param is not None and param.type == "reference":
        targets = served.references.get(name, ())
        type_modifier, inner = None, None
        if modifier:
            first, _, second = modifier.partition(":")  # `focus:HealthcareService:identifier` (ROR form)
            if first not in targets:
                raise InvalidParam(f"Type de cible non pris en charge : « {path} » ({', '.join(targets)}).")
            type_modifier = first
            inner = second or None
        if dot:
            inner = rest
        if inner is not None:
            target = type_modifier or (targets[0] if len(targets) == 1 else None)
            if target is None:
                raise InvalidParam(f"Chaînage ambigu : « {path} » (précisez le type, ex. "
                                   f"{name}:{targets[0]}.identifier).")
            _check_chain_target(path, target, inner)
            return Path(param, chain=(name, target, inner), type_modifier=target)
        return Path(param, type_modifier=type_modifier)
    if dot or param is None or name in ("_has", "_filter"):
        raise InvalidParam(f"Le paramètre de recherche « {path} » n'est pas pris en charge pour {served.name}.")
    allowed = sp.TYPE_MODIFIERS.get(param.type, ()) + param.modifiers
    if modifier and modifier not in allowed:
        raise InvalidParam(f"Le modificateur « :{modifier} » n'est pas pris en charge pour « {name} ».")
    return Path(param, modifier or None)


def _check_chain_target(path: str, target: str, inner: str) -> None:
    if target in SERVED:
        resolve(SERVED[target], inner)
        return
    if target not in sp.PARAMS:
        raise InvalidParam(f"Chaînage non pris en charge : « {path} ».")
    from fhir_api.query import resolve as resolve_indexed

    resolve_indexed(target, inner)


def criteria(served: ServedType, items: list[tuple[str, str]], lenient: bool, ignored: list[str]) -> fl.And:
    nodes = []
    for key, value in items:
        if key.partition(":")[0] in RESULT_PARAMS:
            continue
        try:
            if key == "_filter":
                tree = fl.parse(value)
                for cmp in fl.comparisons(tree):
                    resolve(served, cmp.path)
                nodes.append(tree)
                continue
            resolve(served, key)
        except InvalidParam:
            if lenient:
                ignored.append(key)
                continue
            raise
        values = tuple(params.split_values(value))
        if not values:
            raise InvalidParam(f"Le paramètre « {key} » n'a pas de valeur.")
        nodes.append(fl.Compare(key, "=", values))
    return fl.And(tuple(nodes))


def search(served: ServedType, ctx: Ctx, items: list[tuple[str, str]], *, lenient: bool = False) -> dict:
    """A searchset Bundle: the page of matches, then what `_include` / `_revinclude` bring."""
    from fhir_api.service import SUMMARY, SearchRequest, _links, _subset, now, outcome

    values: dict[str, list[str]] = {}
    for key, value in items:
        values.setdefault(key, []).append(value)
    last = {k: v[-1] for k, v in values.items()}
    count = params.positive_int(last.get("_count"), "_count", DEFAULT_COUNT, MAX_COUNT)
    offset = params.positive_int(last.get("_offset"), "_offset", 0, 10**9)
    summary = last.get("_summary")
    if summary is not None and summary not in SUMMARY:
        raise InvalidParam(f"Valeur de « _summary » non prise en charge : {summary!r}.")
    if summary == "count":
        count = 0
    elements = [e for v in values.get("_elements", []) for e in params.split_values(v)]
    ignored: list[str] = []
    tree = criteria(served, items, lenient, ignored)
    includes, revincludes = _include_specs(served, items, lenient, ignored)
    found = matching(served, ctx, tree)
    found.sort(key=_sorter(served, last.get("_sort")))
    page = found[offset:offset + count]
    entries = [{"fullUrl": f"{ctx.base_url}/{served.name}/{r['id']}",
                "resource": _subset(orjson.dumps(r).decode(), summary, elements), "search": {"mode": "match"}}
               for r in page]
    seen = {(served.name, r["id"]) for r in page}
    extra = []
    if page:
        for spec in includes:
            extra += served.includes[spec](ctx, page)
        for spec in revincludes:
            extra += served.revincludes[spec](ctx, [r["id"] for r in page])
    for resource in extra:
        key = (resource["resourceType"], resource["id"])
        if key not in seen:
            seen.add(key)
            entries.append({"fullUrl": f"{ctx.base_url}/{key[0]}/{key[1]}", "resource": resource,
                            "search": {"mode": "include"}})
    if ignored:
        entries.append({"resource": outcome("warning", "not-supported", "Paramètres ignorés : "
                                            + ", ".join(sorted(set(ignored))) + "."), "search": {"mode": "outcome"}})
    req = SearchRequest(served.name, items, ctx.base_url, lenient)
    return {"resourceType": "Bundle", "id": str(uuid.uuid4()), "meta": {"lastUpdated": now()}, "type": "searchset",
            "total": len(found), "link": _links(req, offset, count, len(found)), "entry": entries}


def _include_specs(served: ServedType, items, lenient: bool, ignored: list[str]) -> tuple[list[str], list[str]]:
    includes, revincludes = [], []
    for key, value in items:
        name, _, modifier = key.partition(":")
        if name not in ("_include", "_revinclude"):
            continue
        table = served.includes if name == "_include" else served.revincludes
        spec = ":".join(value.split(":")[:2])
        if spec not in table or modifier not in ("", "iterate"):
            if not lenient:
                raise InvalidParam(f"« {key}={value} » n'est pas pris en charge pour {served.name}.")
            ignored.append(f"{key}={value}")
            continue
        (includes if name == "_include" else revincludes).append(spec)
    return list(dict.fromkeys(includes)), list(dict.fromkeys(revincludes))


def matching(served: ServedType, ctx: Ctx, tree: fl.And) -> list[dict]:
    """The candidates of a type that satisfy a tree of comparisons."""
    candidates = list(served.candidates(ctx, tree))
    ctx.deadline.remaining()
    chains = _chain_sets(served, ctx, tree, candidates)
    return [r for r in candidates if evaluate(served, r, tree, chains, ctx)]


def _chain_sets(served: ServedType, ctx: Ctx, tree, candidates: list[dict]) -> dict:
    """For each chained comparison: the references ("Type/id") of the candidates' targets that satisfy it; for
    each reverse chain: the references held by the source resources that satisfy it."""
    out = {}
    for cmp in fl.comparisons(tree):
        path = resolve(served, cmp.path)
        if cmp in out or (path.chain is None and path.has is None):
            continue
        if path.has is not None:
            source, reference, inner = path.has
            src = SERVED[source]
            pointing = matching(src, ctx, fl.And((fl.Compare(inner, cmp.op, cmp.values),)))
            out[cmp] = {ref for r in pointing for ref in src.param(reference).extract(r)}
            continue
        reference, target, inner = path.chain
        refs = sorted({ref for r in candidates for ref in path.param.extract(r) if ref.startswith(target + "/")})
        ids = [ref.split("/", 1)[1] for ref in refs]
        out[cmp] = {f"{target}/{i}" for i in matching_ids(ctx, target, fl.Compare(inner, cmp.op, cmp.values), ids)}
    return out


def matching_ids(ctx: Ctx, rtype: str, cmp: fl.Compare, ids: list[str]) -> list[str]:
    """Which of these ids of `rtype` satisfy a comparison: a served type in memory, an indexed one by the index."""
    if not ids:
        return []
    if rtype in SERVED:
        served = SERVED[rtype]
        wanted = set(ids)
        tree = fl.And((cmp,))
        return [r["id"] for r in matching(served, ctx, tree) if r["id"] in wanted]
    if ctx.service is None:
        raise ServiceUnavailable("Ce chaînage demande l'index de recherche FHIR (OpenSearch).")
    from fhir_api.search import Criteria

    out = []
    for start in range(0, len(ids), MAX_CHAIN_IDS):
        chunk = ids[start:start + MAX_CHAIN_IDS]
        crit = Criteria(rtype, fl.And((cmp, fl.Compare("_id", "=", tuple(chunk)))))
        found = ctx.service.engine.run(crit, offset=0, count=len(chunk), sort=None, deadline=ctx.deadline)
        out += [h.id for h in found.hits]
    return out


def evaluate(served: ServedType, resource: dict, node, chains: dict, ctx: Ctx) -> bool:
    if isinstance(node, fl.And):
        return all(evaluate(served, resource, item, chains, ctx) for item in node.items)
    if isinstance(node, fl.Or):
        return any(evaluate(served, resource, item, chains, ctx) for item in node.items)
    if isinstance(node, fl.Not):
        return not evaluate(served, resource, node.item, chains, ctx)
    return compare(served, resource, node, chains, ctx)


def compare(served: ServedType, resource: dict, cmp: fl.Compare, chains: dict, ctx: Ctx) -> bool:
    path = resolve(served, cmp.path)
    if path.has is not None:
        return f"{served.name}/{resource['id']}" in chains.get(cmp, set())
    param = path.param
    values = param.extract(resource) if param.extract else []
    if path.chain is not None:
        wanted = chains.get(cmp, set())
        return any(v in wanted for v in values)
    if param.type == "reference":
        return _reference(path, cmp, values)
    if param.name == "_content":
        text = normalise(values if isinstance(values, str) else " ".join(values))
        return any(normalise(v) in text for v in cmp.values)
    kind = {"token": _token, "string": _string, "date": _date, "number": _number, "quantity": _number}.get(param.type)
    if kind is None:
        raise InvalidParam(f"Le paramètre « {cmp.path} » n'est pas pris en charge ici.")
    return kind(path, cmp, values)


def _reference(path: Path, cmp: fl.Compare, values: list[str]) -> bool:
    if cmp.op not in ("=", "eq"):
        raise InvalidParam(f"L'opérateur « {cmp.op} » ne s'applique pas à « {cmp.path} ».")
    if path.param.target:  # an indexed type's reference parameter reads bare ids
        values = [v if "/" in v else f"{path.param.target}/{v}" for v in values]
    for raw in cmp.values:
        parts = raw.rstrip("/").split("/")
        wanted = "/".join(parts[-2:]) if len(parts) >= 2 else None
        for ref in values:
            rtype, _, rid = ref.partition("/")
            if path.type_modifier and rtype != path.type_modifier:
                continue
            if ref == wanted or (wanted is None and rid == raw) or ref == raw:
                return True
    return False


def _token(path: Path, cmp: fl.Compare, values: list) -> bool:
    if cmp.op not in ("=", "eq", "ne"):
        raise InvalidParam(f"L'opérateur « {cmp.op} » ne s'applique pas à « {cmp.path} ».")
    pairs = []
    for value in values:
        if isinstance(value, dict):  # an identifier
            pairs.append((value.get("system"), value["value"]))
        else:
            pairs.append((value[0], value[1]))
    hit = False
    for raw in cmp.values:
        token = params.token(raw)
        system = codes.canonical_system(token["system"]) if token["system"] else token["system"]
        for s, c in pairs:
            s = codes.canonical_system(s) if s else s
            if (token["code"] is None or c == token["code"]) and (system is None or (s or "") == system):
                hit = True
    negate = (path.modifier == "not") != (cmp.op == "ne")
    return hit != negate


def _string(path: Path, cmp: fl.Compare, values: list[str]) -> bool:
    op = {"contains": "co", "exact": "exact"}.get(path.modifier or "", cmp.op)
    for raw in cmp.values:
        for value in values:
            if op == "exact" and value == raw:
                return True
            text, wanted = normalise(value), normalise(raw)
            if (op in ("=", "eq", "sw") and text.startswith(wanted)) or (op == "co" and wanted in text) or \
                    (op == "ew" and text.endswith(wanted)):
                return True
    if op not in ("=", "eq", "sw", "co", "ew", "exact"):
        raise InvalidParam(f"L'opérateur « {op} » ne s'applique pas au texte « {cmp.path} ».")
    return False


def _prefixed(cmp: fl.Compare, raw: str) -> str:
    if cmp.op == "=":
        return raw
    if cmp.op not in params.PREFIXES:
        raise InvalidParam(f"L'opérateur « {cmp.op} » ne s'applique pas à « {cmp.path} ».")
    return cmp.op + raw


def _instant(value: str) -> dt.datetime | None:
    try:
        return params._date_bounds(value, "date")[0]
    except InvalidParam:
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None


def _date(path: Path, cmp: fl.Compare, values: list) -> bool:
    starts = [s for s in (_instant(v.get("start", "")) if isinstance(v, dict) else _instant(v) for v in values) if s]
    for raw in cmp.values:
        cond = params.date_condition(_prefixed(cmp, raw), cmp.path)
        lo = dt.datetime.fromisoformat(cond["lo"]) if cond["lo"] else None
        hi = dt.datetime.fromisoformat(cond["hi"]) if cond["hi"] else None
        inside = any((lo is None or s >= lo) and (hi is None or s < hi) for s in starts)
        if inside != cond["negate"] and starts:
            return True
    return False


def _number(path: Path, cmp: fl.Compare, values: list) -> bool:
    numbers = [float(v) for v in values]
    for raw in cmp.values:
        number = raw.partition("|")[0]
        cond = params.number_condition(_prefixed(cmp, number), cmp.path, path.param.minimum)
        for n in numbers:
            inside = (cond["lo"] is None or n > cond["lo"] or (cond["lo_incl"] and n == cond["lo"])) and \
                     (cond["hi"] is None or n < cond["hi"] or (cond["hi_incl"] and n == cond["hi"]))
            if inside != cond["negate"]:
                return True
    return False


def _sorter(served: ServedType, raw: str | None):
    keys = []
    for item in params.split_values(raw or ""):
        descending = item.startswith("-")
        name = item[1:] if descending else item
        param = served.param(name)
        if param is None or param.extract is None or param.type not in ("token", "string", "date", "number"):
            raise InvalidParam(f"Tri impossible sur « {item} » (_sort).")
        keys.append((param, descending))

    def key(resource: dict):
        out = []
        for param, descending in keys:
            values = param.extract(resource)
            first = values[0] if values else None
            if isinstance(first, tuple):
                first = first[1]
            elif isinstance(first, dict):
                first = first.get("value") or first.get("start")
            text = "" if first is None else str(first)
            out.append(_Reversed(text) if descending else text)
        base = served.default_sort(resource) if served.default_sort else (resource["id"],)
        return (*out, *base)

    return key


class _Reversed:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __lt__(self, other):
        return other.value < self.value

    def __eq__(self, other):
        return self.value == other.value


# --- CapabilityStatement ----------------------------------------------------------------------------------------

def capability(served: ServedType) -> dict:
    search_params = []
    for p in served.params:
        entry = {"name": p.name, "type": p.type, "documentation": p.doc}
        search_params.append(entry)
    entry = {"type": served.name, "interaction": list(served.interactions), "versioning": served.versioning,
             "readHistory": False, "searchInclude": sorted(served.includes),
             "searchRevInclude": sorted(served.revincludes), "searchParam": search_params}
    if any(i["code"] == "update" for i in served.interactions):
        entry["updateCreate"] = False
    if served.profile:
        entry["profile"] = served.profile
    if served.documentation:
        entry["documentation"] = served.documentation
    return entry
