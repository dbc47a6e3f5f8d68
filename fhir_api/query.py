"""Search criteria (the `_filter` tree, ordinary parameters read as comparisons) → one OpenSearch bool query.

Built only from data structures: parameter names come from the declarations (`searchparams`), values are typed
by the parsers of `fhir_api.params` and placed in query clauses, never in query text. Comparisons combined with
`and` that read the same nested item (a chained Location, one capacity figure) are merged into one nested
query, so `location.capacity-status=…|02&location.nb-capacity=gt0` holds for one figure of one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fhir_api import codes, params
from fhir_api import searchparams as sp
from fhir_api.filter import And, Compare, Not, Or
from fhir_api.index.documents import normalise
from fhir_api.params import InvalidParam
from fhir_api.searchparams import SearchParam

ORDERED = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb")
DIRECT_KEY = "#direct"  # a nesting key: the `:above` field's path, its `direct` copies only
MATCH_NOTHING = {"bool": {"must_not": {"match_all": {}}}}


@dataclass(frozen=True)
class Target:
    """Where a comparison path points: a parameter of `rtype`, maybe through a chain."""

    rtype: str
    param: SearchParam
    modifier: str | None
    chain: str | None = None  # `chain-location`, `chain-organization-above`…
    direct: bool = False  # a plain chain read from an `:above` field: its `direct` copies only

    def field(self, name: str | None = None) -> str:
        name = name or self.param.field
        if self.param.group:
            name = f"{self.param.group}.{name}"
        return f"{self.chain}.{name}" if self.chain else name

    @property
    def nest(self) -> tuple[str, ...]:
        out = ((self.chain + DIRECT_KEY if self.direct else self.chain),) if self.chain else ()
        if self.param.group:
            out += (f"{self.chain}.{self.param.group}" if self.chain else self.param.group,)
        return out


@dataclass(frozen=True)
class Clause:
    query: dict
    nest: tuple[str, ...] = ()
    negate: bool = False


@dataclass
class Context:
    """What compiling needs besides the declarations: the commune centre of `near-insee-code` and the ids a
    `_has` finds (both may read an engine, within the search's time limit)."""

    commune_point: Callable[[str], tuple[float, float, float]]
    has_ids: Callable[[str, Compare], list[str]]
    near: dict | None = None  # the `near` point of the search ({lat, lon, meters}), for distances
    near_field: str | None = None  # `near` (the searched Location) or `chain-location.near`


def resolve(rtype: str, path: str) -> Target:
    """The parameter a path names: `name[:modifier]` or `reference.name[:modifier]` (one link)."""
    head, dot, rest = path.partition(".")
    if not dot:
        name, _, modifier = path.partition(":")
        return Target(rtype, _param(rtype, name, path), modifier or None)
    target_type = sp.CHAINS.get(rtype, {}).get(head)
    if target_type is None or "." in rest:
        raise InvalidParam(f"Chaînage non pris en charge : « {path} » pour {rtype}.")
    name, _, modifier = rest.partition(":")
    above = modifier == "above"
    if above and (rtype, head) not in sp.ABOVE:
        raise InvalidParam(f"Le modificateur « :above » n'est pas pris en charge pour « {path} ».")
    param = _param(target_type, name, path)
    if not above and (rtype, head) in sp.ABOVE:
        return Target(target_type, param, modifier or None, sp.chain_field(head, True), direct=True)
    return Target(target_type, param, None if above else (modifier or None), sp.chain_field(head, above))


def _param(rtype: str, name: str, path: str) -> SearchParam:
    param = sp.BY_NAME[rtype].get(name)
    if param is None or name in ("_has", "_filter"):
        raise InvalidParam(f"Le paramètre de recherche « {path} » n'est pas pris en charge pour {rtype}.")
    return param


def compile_tree(rtype: str, tree, ctx: Context) -> dict:
    """One bool query for a tree of comparisons (the whole search is an `And` of its parameters)."""
    return _as_query(_compile(rtype, tree, ctx))


def _compile(rtype: str, node, ctx: Context) -> list[Clause]:
    if isinstance(node, Compare):
        return [compare_clause(rtype, node, ctx)]
    if isinstance(node, And):
        return [c for item in node.items for c in _compile(rtype, item, ctx)]
    if isinstance(node, Or):
        return [Clause({"bool": {"should": [_as_query(_compile(rtype, item, ctx)) for item in node.items],
                                 "minimum_should_match": 1}})]
    if isinstance(node, Not):
        return [Clause(_as_query(_compile(rtype, node.item, ctx)), negate=True)]
    raise TypeError(node)


def _as_query(clauses: list[Clause], depth: int = 0) -> dict:
    """AND of clauses; those sharing a nested path at this depth go into one nested query."""
    must, must_not, nested = [], [], {}
    for clause in clauses:
        if clause.negate:
            query = clause.query
            for path in reversed(clause.nest[depth:]):
                query = _nested(path, query)
            must_not.append(query)
        elif len(clause.nest) > depth:
            nested.setdefault(clause.nest[depth], []).append(clause)
        else:
            must.append(clause.query)
    for path, group in nested.items():
        must.append(_nested(path, _as_query(group, depth + 1)))
    if len(must) == 1 and not must_not:
        return must[0]
    body: dict = {"filter": must} if must else {"filter": [{"match_all": {}}]}
    if must_not:
        body["must_not"] = must_not
    return {"bool": body}


def _nested(key: str, query: dict) -> dict:
    """A nested query on a nesting key (a path, or an `:above` field's path restricted to its `direct` copies)."""
    if key.endswith(DIRECT_KEY):
        path = key.removesuffix(DIRECT_KEY)
        query = {"bool": {"filter": [{"term": {f"{path}.{sp.DIRECT}": True}}, query]}}
        return {"nested": {"path": path, "query": query}}
    return {"nested": {"path": key, "query": query}}


def compare_clause(rtype: str, cmp: Compare, ctx: Context) -> Clause:
    if cmp.path.startswith("_has:"):
        return Clause({"terms": {"id": ctx.has_ids(rtype, cmp)}})
    target = resolve(rtype, cmp.path)
    op = cmp.op
    if op == "ne":
        return Clause(_positive(target, Compare(cmp.path, "eq", cmp.values), ctx), target.nest, negate=True)
    if target.modifier == "not":
        if op not in ("eq", "="):
            raise InvalidParam(f"« :not » ne se combine pas avec « {op} » ({cmp.path}).")
        return Clause(_positive(target, cmp, ctx), target.nest, negate=True)
    return Clause(_positive(target, cmp, ctx), target.nest)


def _positive(target: Target, cmp: Compare, ctx: Context) -> dict:
    param, values = target.param, list(cmp.values)
    if not values or any(v == "" for v in values) and param.type != "string":
        raise InvalidParam(f"Le paramètre « {cmp.path} » n'a pas de valeur.")
    _check_modifier(target, cmp.path)
    if param.name == "_id":
        _only(cmp, ("eq", "="))
        return {"terms": {target.field("id") if target.chain else "id": values}}
    if param.name == "_content":
        _only(cmp, ("eq", "=", "co"))
        return _any({"match_bool_prefix": {target.field(): {"query": v, "operator": "and"}}} for v in values)
    if param.name in ("near", "near-insee-code"):
        _only(cmp, ("eq", "="))
        return _near(target, cmp, ctx)
    compiler = {"token": _token, "string": _string, "date": _date, "number": _number, "quantity": _quantity,
                "reference": _reference}.get(param.type)
    if compiler is None:
        raise InvalidParam(f"Le paramètre « {cmp.path} » ne peut pas être utilisé ainsi.")
    return compiler(target, cmp)


def _check_modifier(target: Target, path: str) -> None:
    allowed = sp.TYPE_MODIFIERS.get(target.param.type, ()) + target.param.modifiers
    if target.param.type == "reference":
        allowed += (target.param.target,)
    if target.modifier is not None and target.modifier not in allowed:
        raise InvalidParam(f"Le modificateur « :{target.modifier} » n'est pas pris en charge pour « {path} ».")


def _only(cmp: Compare, ops: tuple[str, ...]) -> None:
    if cmp.op not in ops:
        raise InvalidParam(f"L'opérateur « {cmp.op} » ne s'applique pas à « {cmp.path} ».")


def _any(queries) -> dict:
    queries = list(queries)
    return queries[0] if len(queries) == 1 else {"bool": {"should": queries, "minimum_should_match": 1}}


def _token(target: Target, cmp: Compare) -> dict:
    _only(cmp, ("eq", "="))
    out = []
    for raw in cmp.values:
        if target.modifier == "of-type":
            parts = raw.split("|")
            if len(parts) != 3 or not all(parts):
                raise InvalidParam(f"« {cmp.path}:of-type » attend système|code-du-type|valeur : {raw!r}.")
            out.append({"term": {target.field() + ".t": f"{codes.canonical_system(parts[0])}|{parts[1]}|{parts[2]}"}})
            continue
        token = params.token(raw)
        if target.param.choices and token["code"] not in target.param.choices:
            raise InvalidParam(f"Valeur invalide pour « {cmp.path} » : {raw!r} (valeurs possibles : "
                               f"{', '.join(target.param.choices)}).")
        system = codes.canonical_system(token["system"]) if token["system"] else token["system"]
        if token["code"] is None:
            # `system|`: any code of the system (each "system|code" pair starts so)
            out.append({"prefix": {target.field() + ".sc": f"{system}|"}} if system else MATCH_NOTHING)
        elif system is None:
            out.append({"term": {target.field() + ".c": token["code"]}})
        else:
            out.append({"term": {target.field() + ".sc": f"{system}|{token['code']}"}})
    return _any(out)


def _string(target: Target, cmp: Compare) -> dict:
    op = {"contains": "co", "exact": "exact"}.get(target.modifier or "", cmp.op)
    out = []
    for raw in cmp.values:
        value = normalise(raw)
        if op == "exact":
            out.append({"term": {target.field() + ".x": raw}})
        elif op in ("eq", "=", "sw"):
            out.append({"prefix": {target.field() + ".n": value}})
        elif op == "co":
            out.append({"wildcard": {target.field() + ".n": {"value": f"*{_escape(value)}*"}}})
        elif op == "ew":
            out.append({"wildcard": {target.field() + ".n": {"value": f"*{_escape(value)}"}}})
        else:
            raise InvalidParam(f"L'opérateur « {op} » ne s'applique pas au texte « {cmp.path} ».")
    return _any(out)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")


def _prefixed(cmp: Compare, raw: str) -> str:
    """An ordinary parameter carries its prefix in the value (`ge2024`); a `_filter` comparison in its operator."""
    if cmp.op == "=":
        return raw
    if cmp.op not in ORDERED:
        raise InvalidParam(f"L'opérateur « {cmp.op} » ne s'applique pas à « {cmp.path} ».")
    return cmp.op + raw


def _date(target: Target, cmp: Compare) -> dict:
    out = []
    for raw in cmp.values:
        cond = params.date_condition(_prefixed(cmp, raw), cmp.path)
        bounds = {k: v for k, v in (("gte", cond["lo"]), ("lt", cond["hi"])) if v}
        if target.param.period:
            relation = "within" if cond["lo"] and cond["hi"] else "intersects"
            query = {"range": {target.field(): {**bounds, "relation": relation}}}
        else:
            query = {"range": {target.field(): bounds}}
        out.append({"bool": {"must_not": query}} if cond["negate"] else query)
    return _any(out)


def _number_query(target: Target, cond: dict) -> dict:
    bounds = {}
    if cond["lo"] is not None:
        bounds["gte" if cond["lo_incl"] else "gt"] = cond["lo"]
    if cond["hi"] is not None:
        bounds["lte" if cond["hi_incl"] else "lt"] = cond["hi"]
    query = {"range": {target.field(): bounds}}
    return {"bool": {"must_not": query}} if cond["negate"] else query


def _number(target: Target, cmp: Compare) -> dict:
    return _any(_number_query(target, params.number_condition(_prefixed(cmp, raw), cmp.path, target.param.minimum))
                for raw in cmp.values)


def _quantity(target: Target, cmp: Compare) -> dict:
    out = []
    for raw in cmp.values:
        number, _, unit = raw.partition("|")
        code = unit.rpartition("|")[2].casefold() if unit else ""
        if code and target.param.unit and code not in target.param.unit:
            raise InvalidParam(f"Unité non prise en charge pour « {cmp.path} » : {code!r} "
                               f"(attendu : {', '.join(target.param.unit[:1])}).")
        out.append(_number_query(target, params.number_condition(_prefixed(cmp, number), cmp.path,
                                                                 target.param.minimum)))
    return _any(out)


def _reference(target: Target, cmp: Compare) -> dict:
    _only(cmp, ("eq", "="))
    ids = [params.reference_id(v, target.param.target, cmp.path) for v in cmp.values]
    return {"terms": {target.field(): ids}}


def _near(target: Target, cmp: Compare, ctx: Context) -> dict:
    if len(cmp.values) != 1:
        raise InvalidParam(f"« {cmp.path} » n'accepte qu'une valeur.")
    raw = cmp.values[0]
    if target.param.name == "near-insee-code":
        insee, _, rest = raw.partition("|")
        lat, lon, default_km = ctx.commune_point(insee)
        point = params.near(f"{lat}|{lon}|{rest}", target.param.name, default_km)
    else:
        point = params.near(raw)
    if ctx.near is not None and ctx.near != point:
        raise InvalidParam("Un seul point « near » ou « near-insee-code » est accepté par recherche.")
    field = f"{target.chain}.near" if target.chain else "near"
    ctx.near, ctx.near_field = point, field
    return {"geo_distance": {"distance": f"{point['meters']}m", field: {"lat": point["lat"], "lon": point["lon"]}}}


def sort_keys(rtype: str, raw: str | None) -> list[dict]:
    """`_sort=a,-b` → OpenSearch sort keys (a chained parameter sorts on its copy in the document)."""
    keys = []
    for item in params.split_values(raw or ""):
        descending = item.startswith("-")
        name = item[1:] if descending else item
        order = "desc" if descending else "asc"
        try:
            target = resolve(rtype, name)
        except InvalidParam as exc:
            raise InvalidParam(f"Tri impossible sur « {item} » (_sort) : {exc.message}") from exc
        param = target.param
        if param.group or param.period or param.type in ("special", "reference") and param.name != "_id" \
                or target.modifier:
            raise InvalidParam(f"Tri impossible sur « {item} » (_sort).")
        if param.name == "_id":
            field = target.field("id") if target.chain else "id"
        elif param.type in ("string", "token"):
            field = target.field() + (".n" if param.type == "string" else ".c")
        else:
            field = target.field()
        key: dict = {"order": order, "missing": "_last"}
        if target.chain:
            key["nested"] = {"path": target.chain}
            if target.direct:
                key["nested"]["filter"] = {"term": {f"{target.chain}.{sp.DIRECT}": True}}
        keys.append({field: key})
    return keys
