"""Graph reads the pages need beyond the orientation service: provenance, organisation tree, history.

Cypher lives in `cypher/read/web_*.cypher`; values are passed only as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from search.grouping import Switchboard

CAPACITY_HISTORY = 30


@dataclass(eq=False)
class OrgNode:
    id: str
    name: str | None
    kind: str | None
    synthetic: bool
    children: list[OrgNode] = field(default_factory=list)


@dataclass(frozen=True)
class SiteContext:
    source: str | None
    source_version: str | None
    loaded_at: str | None
    synthetic: bool
    org_tree: list[OrgNode]
    tensions: list[dict]


@dataclass(frozen=True)
class OfferContext:
    source: str | None
    source_version: str | None
    loaded_at: str | None
    synthetic: bool
    places: list[dict]
    org_path: list[dict]


def professional(graph, rpps: str) -> dict | None:
    rows = graph.read_named("read/web_professional", rpps=rpps)
    return rows[0] if rows else None


def site_context(graph, finess: str) -> SiteContext | None:
    rows = graph.read_named("read/web_site_context", finess=finess)
    if not rows:
        return None
    row = rows[0]
    return SiteContext(source=row["source"], source_version=row["source_version"], loaded_at=row["loaded_at"],
                       synthetic=row["synthetic"], org_tree=org_tree(row["orgs"]), tensions=row["tensions"])


def org_tree(rows: list[dict]) -> list[OrgNode]:
    """Nested organisation nodes (pôle → service → UF) from flat rows with a parent id."""
    nodes = {r["id"]: OrgNode(r["id"], r["name"], r["kind"], r["synthetic"]) for r in rows}
    roots: list[OrgNode] = []
    for r in sorted(rows, key=lambda r: (r["depth"], r["name"] or "")):
        node = nodes[r["id"]]
        parent = nodes.get(r["parent"]) if r["parent"] else None
        if parent is None:
            if node not in roots:
                roots.append(node)
        elif node not in parent.children:
            parent.children.append(node)
    return roots


def offer_context(graph, offer_id: str) -> OfferContext | None:
    rows = graph.read_named("read/web_offer_context", offer_id=offer_id, history=CAPACITY_HISTORY)
    if not rows:
        return None
    row = rows[0]
    return OfferContext(source=row["source"], source_version=row["source_version"], loaded_at=row["loaded_at"],
                        synthetic=row["synthetic"], places=row["places"], org_path=row["org_path"])


def sparkline(values: list[int | None], width: int = 160, height: int = 32) -> str:
    """SVG polyline points for a capacity history ("" when fewer than two known values)."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return ""
    top = max(known) or 1
    step = width / (len(known) - 1)
    return " ".join(f"{i * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}" for i, v in enumerate(known))


def switchboards(graph, finess: list[str]) -> dict:
    """FINESS → Switchboard (the site's line, else another site's of its legal entity) for result cards."""
    if not finess:
        return {}
    rows = graph.read_named("read/web_switchboards", finess=sorted(set(finess)))
    return {r["finess"]: Switchboard(phone=r["phone"], email=r["email"], via_site=r["via_site"]) for r in rows}
