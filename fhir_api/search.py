"""The FHIR search engine: query-string parameters → fixed Cypher (`cypher/fhir/search_*.cypher`) parameters.

Chained (`organization.identifier=…`) and reverse-chained (`_has:PractitionerRole:service:role=…`) parameters
are resolved by running the inner search first and passing the ids it finds as a reference filter. `_content`
asks the search index (OpenSearch) for the matching offers, then filters in the graph like any other id list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cypher
from fhir_api import codes, content, params, resources, searchparams
from fhir_api.params import InvalidParam, Param

RESULT_PARAMS = {"_count", "_offset", "_include", "_revinclude", "_summary", "_format", "_pretty", "_total",
                 "_elements"}
MAX_COUNT = 1000
DEFAULT_COUNT = 20
INNER_LIMIT = 100_000  # ids an inner (chained) search may contribute

SEARCH_QUERY = {
    "HealthcareService": "fhir/search_healthcareservice",
    "Location": "fhir/search_location",
    "Organization": "fhir/search_organization",
    "PractitionerRole": "fhir/search_practitionerrole",
    "Practitioner": "fhir/search_practitioner",
}
# Reference search parameters usable as the first link of a chain: (source type, param) → target type.
CHAIN_TARGETS = {(t, p.name): p.reference_to for t, ps in searchparams.PARAMS.items() for p in ps if p.reference_to}


@dataclass
class Criteria:
    """Parsed search: Cypher parameters plus what the engine must do around the query."""

    resource_type: str
    cypher: dict
    ignored: list[str] = field(default_factory=list)
    no_match: bool = False


@dataclass
class Matches:
    total: int
    ids: list[str]
    distances: dict[str, float]


class SearchEngine:
    def __init__(self, graph, search_client=None, index_prefix: str = "ror"):
        self.graph = graph
        self.content = content.ContentSearch(search_client, index_prefix)

    # --- parsing -----------------------------------------------------------------------------------------

    def criteria(self, resource_type: str, items: list[tuple[str, str]], *, lenient: bool = False) -> Criteria:
        """Parse (key, value) pairs of the query string; unknown parameters raise unless `lenient`."""
        cy: dict = {name: [] for name in searchparams.FILTERS[resource_type]}
        cy.update(searchparams.CONSTANTS)
        crit = Criteria(resource_type, cy)
        known = searchparams.BY_NAME[resource_type]
        for key, value in items:
            if key in RESULT_PARAMS or key.partition(":")[0] in ("_include", "_revinclude"):
                continue
            try:
                self._one(crit, known, key, value)
            except _Unknown as exc:
                if not lenient:
                    raise InvalidParam(str(exc)) from exc
                crit.ignored.append(key)
        return crit

    def _one(self, crit: Criteria, known: dict, key: str, value: str) -> None:
        rtype = crit.resource_type
        if key.startswith("_has:"):
            self._has(crit, key, value)
            return
        p = Param.parse_key(key, value)
        if "." in p.name:
            self._chain(crit, p)
            return
        spec = known.get(p.name)
        if spec is None:
            raise _Unknown(f"Le paramètre de recherche « {p.name} » n'est pas pris en charge pour {rtype}.")
        if p.name == "_id":
            self._add_ids(crit, params.split_values(p.value))
        elif p.name == "_content":
            offers = self.content.offer_ids(p.value)
            ids = offers if rtype == "HealthcareService" else self.referenced_ids(
                "HealthcareService", {"Location": "location", "Organization": "organization"}[rtype], offers)
            self._add_ids(crit, ids)
        elif p.name in ("near", "near-insee-code"):
            self._near(crit, p)
        else:
            group = spec.parse(p)
            if rtype == "Organization" and p.name in ("identifier", "type"):
                table = searchparams.ORG_IDENTIFIER_PROPS if p.name == "identifier" else searchparams.ORG_TYPE_PROPS
                group = searchparams.resolve_props(group, table)
            crit.cypher[spec.target].append(group)

    @staticmethod
    def _add_ids(crit: Criteria, ids: list[str]) -> None:
        crit.cypher["ids"].append({"negate": False, "values": list(ids)})

    def _near(self, crit: Criteria, p: Param) -> None:
        if crit.cypher.get("near") is not None:
            raise InvalidParam("Un seul paramètre « near » ou « near-insee-code » est accepté par recherche.")
        if p.name == "near":
            crit.cypher["near"] = params.near(p.value)
            return
        insee, _, rest = p.value.partition("|")
        rows = self.graph.read_named("fhir/commune_point", insee=insee)
        if not rows or rows[0]["lat"] is None:
            raise InvalidParam(f"Commune inconnue pour « near-insee-code » : {insee!r}.")
        default_km = rows[0]["radius_km"] or 30.0
        crit.cypher["near"] = params.near(f"{rows[0]['lat']}|{rows[0]['lon']}|{rest}", p.name, default_km)

    def _chain(self, crit: Criteria, p: Param) -> None:
        first, _, rest = p.name.partition(".")
        target = CHAIN_TARGETS.get((crit.resource_type, first))
        if target is None:
            raise _Unknown(f"Chaînage non pris en charge : « {p.name} » pour {crit.resource_type}.")
        inner_key = rest + (f":{p.modifier}" if p.modifier else "")
        ids = self.all_ids(target, [(inner_key, p.value)])
        spec = searchparams.BY_NAME[crit.resource_type][first]
        crit.cypher[spec.target].append({"negate": False, "values": ids})

    def _has(self, crit: Criteria, key: str, value: str) -> None:
        """`_has:Type:reference:param=value`: resources referenced (via `reference`) by matching `Type`s."""
        parts = key.split(":")
        if len(parts) < 4:
            raise InvalidParam(f"Chaînage inverse invalide : « {key} » (attendu _has:Type:référence:paramètre).")
        source, ref, inner_key = parts[1], parts[2], ":".join(parts[3:])
        if CHAIN_TARGETS.get((source, ref)) != crit.resource_type:
            raise _Unknown(f"Chaînage inverse non pris en charge : « {key} ».")
        inner_ids = self.all_ids(source, [(inner_key, value)])
        self._add_ids(crit, self.referenced_ids(source, ref, inner_ids))

    def referenced_ids(self, source: str, ref: str, ids: list[str]) -> list[str]:
        """Ids that `source` resources (by id) point to through their reference parameter `ref`."""
        if source == "PractitionerRole":
            pairs = [resources.split_practitioner_role_id(i) for i in ids]
            if ref == "practitioner":
                return sorted({p[0] for p in pairs if p})
            if ref == "service":
                return sorted({p[1] for p in pairs if p})
        rows = self.graph.read_named("fhir/references", source=source, ref=ref, ids=ids)
        return [row["id"] for row in rows]

    # --- running -----------------------------------------------------------------------------------------

    def run(self, crit: Criteria, *, offset: int = 0, count: int = DEFAULT_COUNT) -> Matches:
        indexed = self._from_index(crit, offset, count)
        if indexed is not None:
            return indexed
        cy = dict(crit.cypher, offset=offset, count=count)
        rtype = crit.resource_type
        if rtype == "HealthcareService":
            cy["anchor_ids"] = _intersection(cy["ids"])
            cy["anchor_activity"] = cy["specialty"][0]["values"] if _positive(cy["specialty"]) else None
            cy["age_bounds"] = codes.AGE_GROUP_BOUNDS
        elif rtype == "Location":
            cy["anchor_ids"] = _intersection(cy["ids"])
            cy.setdefault("near", None)
            cy["capacity_fields"] = codes.CAPACITY_FIELDS
        elif rtype == "Organization":
            cy["anchor_finess"] = _organization_anchor(cy["ids"], cy["identifier"])
        elif rtype == "PractitionerRole":
            cy["anchor_services"] = _intersection(cy["service"])
            cy["anchor_practitioners"] = _intersection(cy["practitioner"])
        row = self.graph.read(cypher.query(SEARCH_QUERY[rtype]), **cy)[0]
        page = row["page"] or []
        distances = {e["id"]: e["distance"] for e in page if e.get("distance") is not None}
        return Matches(total=row["total"], ids=[e["id"] for e in page], distances=distances)

    def _from_index(self, crit: Criteria, offset: int, count: int) -> Matches | None:
        """`HealthcareService?specialty=<J17 codes>` alone (the integrators' most frequent search) is answered by
        the offers index of the orientation service, like the portal's activity search: same published offers,
        ordered by id; any other parameter, or an index that cannot answer, goes to the graph."""
        if crit.resource_type != "HealthcareService" or self.content.client is None:
            return None
        used = {name for name, groups in crit.cypher.items() if name in searchparams.FILTERS["HealthcareService"]
                and groups}
        if used != {"specialty"}:
            return None
        groups = []
        for group in crit.cypher["specialty"]:
            if group["negate"] or not all(t.get("code") and t.get("system") in (None, codes.SYSTEM_ACTIVITY)
                                          for t in group["values"]):
                return None
            groups.append(sorted({t["code"] for t in group["values"]}))
        answer = self.content.offers_by_activity(groups, offset, count)
        if answer is None:
            return None
        total, ids = answer
        return Matches(total=total, ids=ids, distances={})

    def all_ids(self, resource_type: str, items: list[tuple[str, str]]) -> list[str]:
        crit = self.criteria(resource_type, items)
        return self.run(crit, offset=0, count=INNER_LIMIT).ids


class _Unknown(Exception):
    """An unsupported parameter (400, or ignored with Prefer: handling=lenient)."""


def _positive(groups: list[dict]) -> bool:
    return bool(groups) and not groups[0]["negate"] and all(t.get("code") for t in groups[0]["values"])


def _organization_anchor(id_groups: list[dict], identifier_groups: list[dict]) -> list[str] | None:
    """FINESS numbers an Organization search can start from (index seeks instead of a scan), if any."""
    ids = _intersection(id_groups)
    if ids is not None:
        return sorted({i[3:] for i in ids if i[:3] in ("eg-", "ej-")})
    for g in identifier_groups:
        if not g["negate"] and g["values"] and all(t["prop"] == "finess" for t in g["values"]):
            return sorted({t["code"] for t in g["values"]})
    return None


def _intersection(groups: list[dict]) -> list[str] | None:
    """Ids every positive group allows (a starting set for the query), or None when there is no such group."""
    allowed = None
    for g in groups:
        if g["negate"]:
            continue
        values = set(g["values"])
        allowed = values if allowed is None else allowed & values
    return sorted(allowed) if allowed is not None else None
