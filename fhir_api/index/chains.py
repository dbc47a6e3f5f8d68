"""Chained copies: a document holds the own fields of the resources it references (`searchparams.CHAINS`), and
for `:above` chains those of their parents too (an EG's EJ, in the same field: the referenced ones are marked
`direct`), so a chained search is one query."""

from __future__ import annotations

from collections.abc import Callable

from fhir_api import searchparams as sp
from fhir_api.index.documents import RESOURCE

TEXT = "meta-content"  # the field of `_content`

# (type, ids) → {id: own fields} of the documents found (from the index being built, or the live one)
FetchOwn = Callable[[str, list[str]], dict[str, dict]]


def own_part(source: dict) -> dict:
    """A stored document without its resource text and chains: what a chained copy holds."""
    return {k: v for k, v in source.items() if k != RESOURCE and not k.startswith("chain-")}


def chains(rtype: str, docs: list[dict], fetch: FetchOwn) -> list[dict[str, list[dict]]]:
    """For each document, `chain-…` field → the copies of its targets (and of their parents for `:above`)."""
    wanted: dict[str, set[str]] = {target: set() for target in sp.CHAINS[rtype].values()}
    for doc in docs:
        for reference, target in sp.CHAINS[rtype].items():
            wanted[target].update(doc.get(reference) or [])
    found = {target: fetch(target, sorted(ids)) if ids else {} for target, ids in wanted.items()}
    parents = _parents(rtype, found, fetch)
    out = []
    for doc in docs:
        fields: dict[str, list[dict]] = {}
        for reference, target in sp.CHAINS[rtype].items():
            copies = [_copy(found[target][i], reference) for i in doc.get(reference) or [] if i in found[target]]
            if (rtype, reference) in sp.ABOVE:
                above = [{**c, sp.DIRECT: True} for c in copies] + [
                    _copy(parents[p], reference) for c in copies for p in c.get(sp.PARENT[1]) or [] if p in parents]
                if above:
                    fields[sp.chain_field(reference, above=True)] = above
            elif copies:
                fields[sp.chain_field(reference)] = copies
        out.append(fields)
    return out


def _copy(own: dict, reference: str) -> dict:
    if reference in sp.TEXT_CHAINS:
        return own
    return {k: v for k, v in own.items() if k != TEXT}


def _parents(rtype: str, found: dict[str, dict[str, dict]], fetch: FetchOwn) -> dict[str, dict]:
    parent_type, parent_ref = sp.PARENT
    ids: set[str] = set()
    for reference, target in sp.CHAINS[rtype].items():
        if (rtype, reference) in sp.ABOVE and target == parent_type:
            for copy in found[target].values():
                ids.update(copy.get(parent_ref) or [])
    return fetch(parent_type, sorted(ids)) if ids else {}


def dependents(target: str) -> list[tuple[str, str, bool]]:
    """(source type, reference, above) of the documents that copy `target` documents."""
    out = []
    for source, refs in sp.CHAINS.items():
        for reference, to in refs.items():
            if to == target:
                out.append((source, reference, (source, reference) in sp.ABOVE))
    return out
