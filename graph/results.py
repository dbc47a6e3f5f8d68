"""Tabular query results (library and console): JSON-ready values, a small graph view, CSV/JSON export."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field

from neo4j.graph import Node, Path, Relationship
from neo4j.spatial import CartesianPoint, Point, WGS84Point

GRAPH_NODE_CAP = 300
_CAPTION_KEYS = ("name", "label", "code", "finess", "insee", "id", "rpps", "key")
_SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})


@dataclass
class QueryResult:
    """Columns and rows of plain JSON values; `graph` holds the nodes and edges met in the rows."""

    columns: list[str]
    rows: list[list]
    truncated: bool = False
    elapsed_ms: float = 0.0
    graph: dict = field(default_factory=lambda: {"nodes": [], "edges": []})

    def records(self) -> list[dict]:
        """Rows as dicts keyed by column (what tests and JSON consumers usually want)."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def to_json(self) -> str:
        return json.dumps({"columns": self.columns, "rows": self.records(), "truncated": self.truncated,
                           "elapsed_ms": round(self.elapsed_ms, 1)}, ensure_ascii=False, indent=2)

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow([_csv_cell(value) for value in row])
        return buffer.getvalue()


def build_result(columns: list[str], raw_rows: list[list], *, truncated: bool, elapsed_ms: float) -> QueryResult:
    """Convert driver values row by row and gather the graph view (nodes, relationships, paths)."""
    collector = _GraphCollector()
    rows = []
    for raw in raw_rows:
        row = []
        for value in raw:
            if type(value) in _SCALAR_TYPES:  # most cells of large exports: nothing to convert or collect
                row.append(value if type(value) is not float or math.isfinite(value) else _non_finite(value))
            else:
                collector.add(value)
                row.append(to_plain(value))
        rows.append(row)
    return QueryResult(columns, rows, truncated=truncated, elapsed_ms=elapsed_ms, graph=collector.view())


def to_plain(value):
    """A driver value as JSON-compatible Python (nodes, relationships, paths, points, temporal types)."""
    if isinstance(value, Node):
        return {"id": value.element_id, "labels": sorted(value.labels), "properties": _props(value)}
    if isinstance(value, Relationship):
        return {"id": value.element_id, "type": value.type, "start": _end_id(value.start_node),
                "end": _end_id(value.end_node), "properties": _props(value)}
    if isinstance(value, Path):
        return {"nodes": [to_plain(n) for n in value.nodes],
                "relationships": [to_plain(r) for r in value.relationships]}
    if isinstance(value, WGS84Point):
        return {"latitude": value.latitude, "longitude": value.longitude}
    if isinstance(value, CartesianPoint | Point):
        return {"srid": value.srid, "coordinates": list(value)}
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    if hasattr(value, "iso_format"):
        return value.iso_format()
    if isinstance(value, float) and not math.isfinite(value):
        return _non_finite(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _non_finite(value: float) -> str:
    """NaN and infinities have no JSON form: they travel as the text JavaScript would print."""
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _props(entity) -> dict:
    return {key: to_plain(item) for key, item in dict(entity).items()}


def _end_id(node) -> str | None:
    return node.element_id if node is not None else None


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class _GraphCollector:
    """Nodes and edges met anywhere in the results, deduplicated, capped for a small picture."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict] = {}
        self.edges: dict[str, dict] = {}

    def add(self, value) -> None:
        if isinstance(value, Node):
            self._node(value)
        elif isinstance(value, Relationship):
            self._edge(value)
        elif isinstance(value, Path):
            for node in value.nodes:
                self._node(node)
            for rel in value.relationships:
                self._edge(rel)
        elif isinstance(value, dict):
            for item in value.values():
                self.add(item)
        elif isinstance(value, list | tuple):
            for item in value:
                self.add(item)

    def _node(self, node: Node) -> None:
        if node.element_id in self.nodes or len(self.nodes) >= GRAPH_NODE_CAP:
            return
        caption = next((str(node[k]) for k in _CAPTION_KEYS if node.get(k) is not None), node.element_id)
        self.nodes[node.element_id] = {"id": node.element_id, "labels": sorted(node.labels), "caption": caption}

    def _edge(self, rel: Relationship) -> None:
        for end in (rel.start_node, rel.end_node):
            if end is not None and end.labels:
                self._node(end)
        start, end = _end_id(rel.start_node), _end_id(rel.end_node)
        if start in self.nodes and end in self.nodes:
            self.edges[rel.element_id] = {"id": rel.element_id, "type": rel.type, "source": start, "target": end}

    def view(self) -> dict:
        return {"nodes": list(self.nodes.values()), "edges": list(self.edges.values())}
