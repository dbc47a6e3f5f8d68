"""Index documents of the FHIR search: the search values of a rendered resource (`searchparams` declarations)
and the values of the resources it chains to; beside it, in the type's resource store, the resource itself
(JSON text, returned as is) with its references (`store_document`).

Field encodings, by parameter type (`mapping.py` maps them):
- token: `{c: codes, sc: "system|code" (or "|code"; `system|` is a prefix query on it),
  t: "type-system|type-code|value"}`;
- string: `{n: normalised (case and accents folded), x: as written}`;
- date: ISO instants (or `{gte, lte}` ranges for period parameters); number / quantity: numbers;
- reference: logical ids of the target; `near`: a geo point; `_content`: the resource's text.
"""

from __future__ import annotations

import unicodedata

from fhir_api import searchparams as sp
from fhir_api.searchparams import SearchParam

RESOURCE = "resource"  # the rendered resource (JSON text, in the resource store): returned, never searched


def normalise(text: str) -> str:
    """Case- and accent-insensitive form of a string (FHIR string search)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def token_value(values: list) -> dict:
    codes_, pairs, typed = [], [], []
    for value in values:
        if isinstance(value, dict):  # an identifier: its system and its type codings
            code = value["value"]
            systems_of = [value.get("system")] + [s for s, _ in value.get("types") or []]
            typed += [f"{s or ''}|{c}|{code}" for s, c in value.get("types") or []]
        else:
            systems_of, code = [value[0]], value[1]
        codes_.append(code)
        for system in systems_of:
            pairs.append(f"{system or ''}|{code}")
    out = {"c": _unique(codes_), "sc": _unique(pairs)}
    if typed:
        out["t"] = _unique(typed)
    return out


def string_value(values: list[str]) -> dict:
    folded = _unique(normalise(v) for v in values)
    return {"n": folded, "x": _unique(values)}


def date_value(param: SearchParam, values: list):
    if param.period:
        return [{k: v for k, v in (("gte", p.get("start")), ("lte", p.get("end"))) if v} for p in values]
    return _unique(values)


def encode(param: SearchParam, values: list):
    """The field value of one parameter (None when the resource has no value for it)."""
    if not values:
        return None
    if param.type == "token":
        return token_value(values)
    if param.type == "string":
        return string_value(values)
    if param.type == "date":
        return date_value(param, values)
    if param.name == "_content":
        return values if isinstance(values, str) else " ".join(values)
    if param.name == "near":
        return values[0]
    return _unique(values)


def own_document(rtype: str, resource: dict) -> dict:
    """The document of one resource without its chains: its id, its parameters and its groups."""
    doc: dict = {"id": resource["id"]}
    for param in sp.own_params(rtype):
        if param.group is None:
            value = encode(param, param.extract(resource))
            if value is not None:
                doc[param.field] = value
    for group, items in sp.GROUPS.get(rtype, {}).items():
        params = [p for p in sp.PARAMS[rtype] if p.group == group]
        encoded = []
        for item in items(resource):
            entry = {p.field: v for p in params if (v := encode(p, item.get(p.name) or [])) is not None}
            if entry:
                encoded.append(entry)
        if encoded:
            doc[group] = encoded
    return doc


def full_document(own: dict, chains: dict[str, list[dict]]) -> dict:
    """The search document: own fields and the chained copies (`chain-…` fields)."""
    doc = dict(own)
    for field, targets in chains.items():
        if targets:
            doc[field] = targets
    return doc


def store_document(own: dict, text: str, references: list[str]) -> dict:
    """The resource store's document: the resource's JSON text and its reference fields (`mapping.store_body`)."""
    doc = {"id": own["id"], RESOURCE: text}
    for field in references:
        if own.get(field):
            doc[field] = own[field]
    return doc


def _unique(values) -> list:
    return list(dict.fromkeys(values))
