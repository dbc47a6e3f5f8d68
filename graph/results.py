"""Tabular query results (library and console): JSON-ready values, a small graph view, CSV/JSON export."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from typing import Any

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
    truncated_by: str | None = None  # "rows" (row cap) or "bytes" (byte cap) when `truncated`

    def records(self) -> list[dict]:
        """Rows as dicts keyed by column (what tests and JSON consumers usually want)."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def to_json(self) -> str:
        return json.dumps({"columns": self.columns, "rows": self.records(), "truncated": self.truncated,
                           "truncated_by": self.truncated_by, "elapsed_ms": round(self.elapsed_ms, 1)},
                          ensure_ascii=False, indent=2)

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow([_csv_cell(value) for value in row])
        return buffer.getvalue()


class ResultBuilder:
    """Rows converted and measured as they arrive, up to a row cap and a byte cap (JSON size of the rows).

    `add` answers False once a cap is reached: the caller stops reading, the result says it was cut and why.
    A row that would cross the byte cap is not kept (a single value larger than the cap leaves no row)."""

    def __init__(self, *, row_cap: int | None, max_bytes: int | None):
        self.row_cap, self.max_bytes = row_cap, max_bytes
        self.columns: list[str] = []
        self.rows: list[list] = []
        self.size = 2
        self.truncated_by: str | None = None
        self._collector = _GraphCollector()

    def start(self, columns: list[str]) -> None:
        self.columns = columns

    def add(self, raw: Any) -> bool:
        if self.row_cap is not None and len(self.rows) >= self.row_cap:
            self.truncated_by = "rows"
            return False
        budget = None if self.max_bytes is None else self.max_bytes - self.size
        try:
            size = 3 + sum(json_size(value, None if budget is None else budget) for value in raw)
        except _TooBig:
            self.truncated_by = "bytes"
            return False
        if budget is not None and size > budget:
            self.truncated_by = "bytes"
            return False
        row = []
        for value in raw:
            if type(value) in _SCALAR_TYPES:  # most cells of large exports: nothing to convert or collect
                row.append(value if type(value) is not float or math.isfinite(value) else _non_finite(value))
            else:
                self._collector.add(value)
                row.append(to_plain(value))
        self.rows.append(row)
        self.size += size
        return True

    def result(self, *, elapsed_ms: float) -> QueryResult:
        return QueryResult(self.columns, self.rows, truncated=self.truncated_by is not None, elapsed_ms=elapsed_ms,
                           graph=self._collector.view(), truncated_by=self.truncated_by)


class _TooBig(Exception):
    pass


def json_size(value: Any, budget: int | None = None) -> int:
    """About how many bytes `value` takes in the JSON of a result (nodes with their labels and properties);
    raises _TooBig as soon as it is known to exceed `budget` (a list of ten million numbers is refused from
    its length, without walking it)."""
    kind = type(value)
    if kind is str:
        size = len(value) + 2
    elif kind is bool or value is None:
        size = 5
    elif kind is int or kind is float:
        size = 24
    elif kind is list or kind is tuple:
        if budget is not None and len(value) * 2 > budget:
            raise _TooBig
        size = 2
        for item in value:
            size += json_size(item, None if budget is None else budget - size) + 1
    elif kind is dict:
        if budget is not None and len(value) * 6 > budget:
            raise _TooBig
        size = 2
        for key, item in value.items():
            size += len(key) + 4 + json_size(item, None if budget is None else budget - size)
    elif isinstance(value, Node):
        size = 80 + json_size(dict(value), budget)
    elif isinstance(value, Relationship):
        size = 120 + json_size(dict(value), budget)
    elif isinstance(value, Path):
        size = 30 + json_size(list(value.nodes), budget) + json_size(list(value.relationships), budget)
    else:
        size = 40
    if budget is not None and size > budget:
        raise _TooBig
    return size


def to_plain(value: Any) -> Any:
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


def _props(entity: Node | Relationship) -> dict:
    return {key: to_plain(item) for key, item in dict(entity).items()}


def _end_id(node: Node | None) -> str | None:
    return node.element_id if node is not None else None


def _csv_cell(value: Any) -> str:
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

    def add(self, value: Any) -> None:
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
        source, target = _end_id(rel.start_node), _end_id(rel.end_node)
        if source in self.nodes and target in self.nodes:
            self.edges[rel.element_id] = {"id": rel.element_id, "type": rel.type, "source": source, "target": target}

    def view(self) -> dict:
        return {"nodes": list(self.nodes.values()), "edges": list(self.edges.values())}
