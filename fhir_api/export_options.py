"""What a `$export` kick-off asks beyond the types and `_since`, as the ROR documents its export
(docs/pages/guide/modeleV3/methodes-fhir/export.md) besides the Bulk Data specification:

- `_typeFilter=<Type>?<search>` (several, comma-separated or repeated; OR-ed per type): only the resources of that
  type matching the search (its ordinary parameters and `_filter`, evaluated on the rendered resources with the
  declarations of `searchparams`; chains, `near` and grouped parameters are refused by name);
- `includeAssociatedData=_myCompleteExtract` (and always in the ROR's call form, without `Prefer:
  respond-async`): an export of HealthcareService brings the resources associated with the offers it holds — their
  Organizations (EG and EJ), Locations, PractitionerRoles and Practitioners — filtered along with them;
- `_outputFormat=application/fhir+json` or `application/json` (the ROR's formats): the files are JSON Bundles
  (`collection`) of at most JSON_SLICE resources each, `<Type>-<n>.json`, instead of NDJSON.

Filtering and slicing run after the job wrote each type's NDJSON (full, incremental or `_since`), into new files
(the snapshot of an incremental export is a hard link to the job's NDJSON: never rewritten in place).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qsl

import orjson

from core.errors import BadRequest
from fhir_api import filter as fl
from fhir_api import searchparams as sp
from fhir_api.params import InvalidParam

ASSOCIATED = "_myCompleteExtract"
NDJSON_FORMATS = (None, "", "application/fhir+ndjson", "application/ndjson", "ndjson")
JSON_FORMATS = ("application/fhir+json", "application/json", "json")
JSON_SLICE = 5000
_SPLIT = re.compile(r",(?=[A-Z][A-Za-z]*\?)")  # a comma that starts another `Type?…` filter
UNFILTERABLE = ("near", "near-insee-code", "_has")


def output_format(raw: str | None) -> str:
    """`ndjson` or `json`. A `+` left unencoded in the URL (as the ROR's own example sends it) arrives as a
    space: `application/fhir json` is `application/fhir+json`."""
    raw = raw.strip().replace(" ", "+") if raw else raw
    if raw in NDJSON_FORMATS:
        return "ndjson"
    if raw in JSON_FORMATS:
        return "json"
    raise BadRequest(f"Format de sortie non pris en charge : {raw} (application/fhir+ndjson, ou "
                     "application/fhir+json et application/json comme le ROR).")


def associated(values: list[str], ror_form: bool) -> bool:
    wanted = {v.strip() for raw in values for v in raw.split(",") if v.strip()}
    unknown = sorted(wanted - {ASSOCIATED})
    if unknown:
        raise BadRequest(f"« includeAssociatedData » : valeur non prise en charge : {', '.join(unknown)} "
                         f"(seule {ASSOCIATED} l'est).")
    return ror_form or ASSOCIATED in wanted


def type_filters(values: list[str], exportable: tuple[str, ...]) -> dict[str, list[list[tuple[str, str]]]]:
    """`_typeFilter` values → {type: [query items, …]} (each query checked now: 400 naming what is wrong)."""
    out: dict[str, list[list[tuple[str, str]]]] = {}
    for raw in values:
        for text in _SPLIT.split(raw):
            rtype, mark, query = text.strip().partition("?")
            if not mark or rtype not in exportable:
                raise BadRequest(f"« _typeFilter » invalide : {text!r} (attendu Type?paramètre=valeur, type parmi "
                                 f"{', '.join(exportable)}).")
            items = parse_qsl(query, keep_blank_values=True)
            if not items:
                raise BadRequest(f"« _typeFilter » sans critère : {text!r}.")
            _check(rtype, items)
            out.setdefault(rtype, []).append(items)
    return out


def _indexed(rtype: str):
    from fhir_api import served

    params = []
    for p in sp.PARAMS[rtype]:
        if p.name == "_id":
            p = served.SearchParam("_id", "token", p.doc, lambda r: [(None, r["id"])])
        params.append(p)
    return served.ServedType(name=rtype, profile=None, params=tuple(params), candidates=lambda ctx, tree: [],
                             read=lambda ctx, i: None)


def _check(rtype: str, items: list[tuple[str, str]]) -> None:
    from fhir_api import served

    kind = _indexed(rtype)
    tree = served.criteria(kind, items, False, [])
    for cmp in fl.comparisons(tree):
        path = served.resolve(kind, cmp.path)
        param = path.param
        if path.chain or path.has or param is None or param.group or param.name in UNFILTERABLE \
                or (param.type == "special" and param.name != "_content"):
            raise InvalidParam(f"« _typeFilter » : le paramètre « {cmp.path} » n'y est pas pris en charge.")


def _matcher(rtype: str, queries: list[list[tuple[str, str]]]):
    from fhir_api import served
    from fhir_api.budget import Deadline

    kind = _indexed(rtype)
    trees = [served.criteria(kind, items, False, []) for items in queries]
    ctx = served.Ctx(None, None, Deadline(10**9))
    return lambda resource: any(served.evaluate(kind, resource, tree, {}, ctx) for tree in trees)


def _lines(path: Path):
    if not path.exists():
        return
    with path.open("rb") as lines:
        for line in lines:
            if line.strip():
                yield line


def _refs(value, target: str) -> list[str]:
    from fhir_api import extract as x

    return x.references(value, target)


def select(folder: Path, counts: dict[str, int], filters: dict, with_associated: bool) -> dict[str, int]:
    """Keep, in each type's NDJSON of the job, the resources the filters (and what the kept offers bring) select;
    returns the new counts. Without filters every resource stays (an associated export is then complete)."""
    if not filters:
        return counts
    keep: dict[str, set[str]] = {}
    offers: set[str] = set()
    for rtype, queries in filters.items():
        matches = _matcher(rtype, queries)
        keep[rtype] = {r["id"] for r in map(orjson.loads, _lines(folder / f"{rtype}.ndjson")) if matches(r)}
    if with_associated and "HealthcareService" in keep:
        offers = keep["HealthcareService"]
        derived: dict[str, set[str]] = {"Organization": set(), "Location": set(), "PractitionerRole": set(),
                                        "Practitioner": set()}
        for resource in map(orjson.loads, _lines(folder / "HealthcareService.ndjson")):
            if resource["id"] in offers:
                derived["Organization"].update(_refs(resource.get("providedBy"), "Organization"))
                derived["Location"].update(_refs(resource.get("location"), "Location"))
        for resource in map(orjson.loads, _lines(folder / "PractitionerRole.ndjson")):
            if set(_refs(resource.get("healthcareService"), "HealthcareService")) & offers:
                derived["PractitionerRole"].add(resource["id"])
                derived["Practitioner"].update(_refs(resource.get("practitioner"), "Practitioner"))
        for resource in map(orjson.loads, _lines(folder / "Organization.ndjson")):
            if resource["id"] in derived["Organization"]:
                derived["Organization"].update(_refs(resource.get("partOf"), "Organization"))
        for rtype, ids in derived.items():
            if rtype in counts:
                keep[rtype] = keep[rtype] & ids if rtype in keep else ids
    out = dict(counts)
    for rtype, ids in keep.items():
        if rtype in counts:
            out[rtype] = _rewrite(folder / f"{rtype}.ndjson", rtype, ids)
    return out


def _rewrite(path: Path, rtype: str, ids: set[str]) -> int:
    """The type's NDJSON with only these ids, written beside and renamed over (never in place)."""
    prefix = b'{"resourceType":"' + rtype.encode() + b'","id":"'
    start, count = len(prefix), 0
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as out:
        for line in _lines(path):
            rid = line[start:line.index(b'"', start)].decode() if line.startswith(prefix) else \
                orjson.loads(line)["id"]
            if rid in ids:
                out.write(line if line.endswith(b"\n") else line + b"\n")
                count += 1
    if count:
        os.replace(tmp, path)
    else:
        tmp.unlink()
        path.unlink(missing_ok=True)
    return count


def as_bundles(folder: Path, rtype: str, slice_size: int = JSON_SLICE) -> list[dict]:
    """The type's NDJSON as JSON Bundles (`collection`) of at most `slice_size` resources: `<Type>-<n>.json`;
    returns the manifest outputs. The resources are copied as they are (not parsed again)."""
    path = folder / f"{rtype}.ndjson"
    outputs, batch, number = [], [], 0

    def flush():
        nonlocal batch, number
        if not batch:
            return
        number += 1
        name = f"{rtype}-{number}.json"
        body = b'{"resourceType":"Bundle","type":"collection","entry":[' + b",".join(
            b'{"resource":' + line.rstrip(b"\r\n") + b"}" for line in batch) + b"]}"
        (folder / name).write_bytes(body)
        outputs.append({"type": rtype, "file": name, "count": len(batch)})
        batch = []

    for line in _lines(path):
        batch.append(line)
        if len(batch) >= slice_size:
            flush()
    flush()
    return outputs
