"""Mappings of the FHIR search indices, generated from the parameter declarations (`searchparams`)."""

from __future__ import annotations

from fhir_api import searchparams as sp
from fhir_api.index.documents import RESOURCE
from fhir_api.searchparams import SearchParam
from search.mappings import AUTO_REPLICAS, analysis

KW = {"type": "keyword"}
# Matched only, never sorted nor aggregated: no doc values (they cost indexing time and disk, on every copy).
MATCHED = {"type": "keyword", "doc_values": False}
# `c` (token) and `n` (string) are the `_sort` keys; `:contains` / `ew` are wildcard queries on `n` (a keyword:
# its term dictionary is scanned, fast enough for the ROR's names, and far cheaper to index than a wildcard field).
TOKEN = {"properties": {"c": KW, "sc": MATCHED, "t": MATCHED}}
STRING = {"properties": {"n": KW, "x": MATCHED}}
TEXT = {"type": "text", "analyzer": "fr", "search_analyzer": "fr_search"}


def field_mapping(param: SearchParam, *, copy: bool = False) -> dict:
    if param.type == "token":
        return TOKEN
    if param.type == "string":
        return STRING
    if param.type == "date":
        return {"type": "date_range"} if param.period else {"type": "date"}
    if param.type in ("number", "quantity"):
        return {"type": "double"}
    if param.type == "reference":  # own references are aggregated by `_has`; a copy's are matched only
        return MATCHED if copy else KW
    if param.name == "near":
        return {"type": "geo_point"}
    if param.name == "_content":
        return TEXT
    raise ValueError(f"no mapping for {param.name}")


def own_properties(rtype: str, *, text: bool = True, copy: bool = False) -> dict:
    """The fields of a document without its chains (also the fields of a chained copy, `copy`, with its text only
    where a chained `_content` is searched: `sp.TEXT_CHAINS`)."""
    props: dict = {"id": KW}
    for param in sp.own_params(rtype):
        if param.group is None and (text or param.name != "_content"):
            props[param.field] = field_mapping(param, copy=copy)
    for group in sp.GROUPS.get(rtype, {}):
        props[group] = {"type": "nested", "properties": {
            p.field: field_mapping(p, copy=copy) for p in sp.PARAMS[rtype] if p.group == group}}
    return props


def properties(rtype: str) -> dict:
    props = own_properties(rtype)
    for reference, target in sp.CHAINS[rtype].items():
        copy = own_properties(target, text=reference in sp.TEXT_CHAINS, copy=True)
        if (rtype, reference) in sp.ABOVE:  # the targets (`direct`) and their parents, in one field
            props[sp.chain_field(reference, above=True)] = {"type": "nested",
                                                            "properties": {**copy, sp.DIRECT: {"type": "boolean"}}}
        else:
            props[sp.chain_field(reference)] = {"type": "nested", "properties": copy}
    return props


def reference_fields(rtype: str) -> list[str]:
    """The reference parameters of a type (what `_include` follows and `_revinclude` looks up)."""
    return [p.field for p in sp.own_params(rtype) if p.type == "reference" and p.group is None]


def _settings(**more) -> dict:
    """One shard, a replica when the cluster has several nodes (replicas are added at the swap: none while
    building), no refresh and an asynchronous translog while building (1 s and request durability at the swap)."""
    return {"number_of_shards": 1, "number_of_replicas": 0, "refresh_interval": "-1",
            "translog": {"durability": "async"}, **more}


# What a live index gets at the alias swap (`build.FhirIndex._swap`).
LIVE_SETTINGS = {"refresh_interval": "1s", "translog.durability": "request", "auto_expand_replicas": AUTO_REPLICAS}


def index_body(rtype: str) -> dict:
    """The search fields of a type. The chained copies are indexed but not kept in `_source` (a copy is rebuilt
    from its target's own fields, never read back): `_source` holds the own fields only, read by the build and
    the sync to make the copies."""
    return {
        "settings": _settings(mapping={"nested_objects": {"limit": 100000}}, analysis=analysis()),
        "mappings": {"dynamic": "strict", "_source": {"excludes": ["chain-*"]}, "properties": properties(rtype)},
    }


def store_body(rtype: str) -> dict:
    """The resource store of a type: per resource its rendered JSON text and its references, returned whole
    (no `_source` filtering: that costs more than the bytes it saves) by searches, `_include` and
    `_revinclude` (the references are indexed for the latter)."""
    props = {"id": KW, RESOURCE: {"type": "keyword", "index": False, "doc_values": False}}
    props.update({f: KW for f in reference_fields(rtype)})
    return {"settings": _settings(), "mappings": {"dynamic": "strict", "properties": props}}
