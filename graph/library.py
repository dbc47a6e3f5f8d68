"""The pathway library: saved, documented, parameterised read queries in `cypher/library/*.cypher`.

Each file opens with a header of `//` comment lines:

    // @title Titre en français
    // @description Ce que calcule la requête (peut continuer
    //   sur les lignes suivantes).
    // @question La question d'analyste à laquelle elle répond ?
    // @param department_code: string = "40" — code du département
    // @param radius_km: float = 30.0 — rayon en km

A default is a JSON literal; a parameter without `= default` is required. Types: int, float, string,
bool, list<string>, list<int>, list<float>.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import cypher
from core.errors import BadRequest, NotFound
from core.scalars import to_bool, to_float, to_int
from graph.console import ConsoleLimits, check_plan, explain, run_read
from graph.driver import Graph
from graph.results import QueryResult

FOLDER = "library"
TYPES = ("int", "float", "string", "bool", "list<string>", "list<int>", "list<float>")
_REQUIRED = object()
_TAG = re.compile(r"^//\s*@(\w+)\s*(.*)$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*:\s*(?P<type>[\w<>]+)\s*(?:=\s*(?P<default>.+?))?\s+—\s+(?P<doc>.+)$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: object
    description: str

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def describe(self) -> str:
        default = "obligatoire" if self.required else f"défaut {json.dumps(self.default, ensure_ascii=False)}"
        return f"{self.name} ({self.type}, {default}) — {self.description}"


@dataclass(frozen=True)
class LibraryQuery:
    name: str
    title: str
    description: str
    question: str
    params: tuple[Param, ...]
    text: str

    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params if not p.required}


def parse(name: str, text: str) -> LibraryQuery:
    """Read the header of one library file; ValueError (English, for developers) when it is malformed."""
    tags: dict[str, list[str]] = {}
    params: list[Param] = []
    current: list[str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("//"):
            if stripped:
                break
            continue
        match = _TAG.match(stripped)
        if match and match.group(1) == "param":
            params.append(_parse_param(name, match.group(2).strip()))
            current = None
        elif match:
            current = tags.setdefault(match.group(1), [])
            current.append(match.group(2).strip())
        elif current is not None and stripped[2:].strip():
            current.append(stripped[2:].strip())
    missing = [tag for tag in ("title", "description", "question") if not tags.get(tag)]
    if missing:
        raise ValueError(f"{name}: header lacks @{', @'.join(missing)}")
    declared = {p.name for p in params}
    used = set(re.findall(r"\$([A-Za-z_]\w*)", _strip_comments(text)))
    if used != declared:
        raise ValueError(f"{name}: parameters used {sorted(used)} but declared {sorted(declared)}")
    return LibraryQuery(name=name, title=" ".join(tags["title"]), description=" ".join(tags["description"]),
                        question=" ".join(tags["question"]), params=tuple(params), text=text)


def _parse_param(query_name: str, spec: str) -> Param:
    match = _PARAM.match(spec)
    if not match:
        raise ValueError(f"{query_name}: malformed @param {spec!r} (expected 'name: type = default — doc')")
    ptype = match.group("type")
    if ptype not in TYPES:
        raise ValueError(f"{query_name}: unknown type {ptype!r} for parameter {match.group('name')}")
    param = Param(match.group("name"), ptype, _REQUIRED, match.group("doc").strip())
    if match.group("default") is not None:
        try:
            raw = json.loads(match.group("default"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{query_name}: default of {param.name} is not JSON: {exc.msg}") from exc
        param = Param(param.name, ptype, coerce(param, raw), param.description)
    return param


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.strip().startswith("//"))


def coerce(param: Param, value: Any) -> Any:
    """`value` (a JSON value, or text from the command line) as the parameter's type, or a French error."""
    try:
        if param.type.startswith("list<"):
            item = Param(param.name, param.type[5:-1], _REQUIRED, param.description)
            if isinstance(value, str):
                text = value.strip()
                value = json.loads(text) if text.startswith("[") else [v.strip() for v in text.split(",") if v.strip()]
            if not isinstance(value, list):
                raise TypeError
            return [coerce(item, v) for v in value]
        return _coerce_scalar(param.type, value)
    except (TypeError, ValueError) as exc:
        raise BadRequest(f"Paramètre « {param.name} » : valeur {value!r} invalide, attendu {param.type}.",
                         fields={param.name: param.type}) from exc


def _coerce_scalar(ptype: str, value: Any) -> Any:
    if ptype == "string":
        if isinstance(value, bool | dict | list) or value is None:
            raise TypeError
        return str(value)
    if ptype == "bool":
        return to_bool(value)
    if ptype == "int":
        return to_int(value)
    return to_float(value)


def names() -> list[str]:
    return [n.split("/", 1)[1] for n in cypher.names(FOLDER)]


def all_queries() -> list[LibraryQuery]:
    return [get(name) for name in names()]


def get(name: str) -> LibraryQuery:
    if name not in names():
        raise NotFound(f"Requête « {name} » inconnue dans la bibliothèque (voir `ror cypher list`).")
    return parse(name, cypher.query(f"{FOLDER}/{name}"))


def bind(query: LibraryQuery, given: dict | None) -> dict:
    """Defaults overlaid with `given`, every value typed; unknown or missing parameters are refused."""
    given = given or {}
    by_name = {p.name: p for p in query.params}
    unknown = sorted(set(given) - set(by_name))
    if unknown:
        raise BadRequest(f"Paramètre inconnu pour « {query.name} » : {', '.join(unknown)}. "
                         f"Attendus : {', '.join(by_name) or 'aucun'}.")
    bound = {}
    for param in query.params:
        if param.name in given:
            bound[param.name] = coerce(param, given[param.name])
        elif param.required:
            raise BadRequest(f"Paramètre obligatoire manquant : « {param.name} » ({param.description}).")
        else:
            bound[param.name] = param.default
    return bound


def run(graph: Graph, name: str, given: dict | None = None, *, timeout_s: float = 60.0) -> QueryResult:
    """Run one library query with typed parameters, read-only, every row returned; like a console query, its
    plan must read only the care-offer model (graph/console_access.py)."""
    query = get(name)
    bound = bind(query, given)
    limits = ConsoleLimits(timeout_s=timeout_s, row_cap=None, max_bytes=None)
    check_plan(*explain(graph, query.text, bound, limits))
    return run_read(graph, query.text, bound, limits)
