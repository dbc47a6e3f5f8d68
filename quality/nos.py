"""NOS update: load a new nomenclature version and list the offers that use codes it retires."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from core.freshness import native
from graph.driver import Graph


@dataclass(frozen=True)
class RetiredUse:
    offer_id: str
    offer_name: str | None
    finess: str | None
    site_name: str | None
    relation: str
    key: str
    code: str
    label: str | None
    retired_on: date | None


@dataclass(frozen=True)
class NosUpdateReport:
    version_file: str
    newly_retired: tuple[str, ...]
    uses: tuple[RetiredUse, ...]


def retired_keys(graph: Graph, as_of: date | None = None) -> set[str]:
    return {r["key"] for r in graph.read_named("read/quality_retired_keys", as_of=as_of or date.max)}


def offers_using(graph: Graph, keys: set[str]) -> list[RetiredUse]:
    if not keys:
        return []
    rows = graph.read_named("read/quality_offers_using_keys", keys=sorted(keys))
    return [RetiredUse(offer_id=r["offer_id"], offer_name=r["offer_name"], finess=r["finess"],
                       site_name=r["site_name"], relation=r["relation"], key=r["key"], code=r["code"],
                       label=r["label"], retired_on=native(r["retired_on"])) for r in rows]


def update_nos(graph: Graph, data_dir: Path, path: Path | None = None) -> NosUpdateReport:
    """Load the NOS file (loaders.nos) and report the offers using a code that this load retired."""
    from loaders.nos import NOS_FILE, load_nos

    before = retired_keys(graph)
    load_nos(graph, data_dir, path=path)
    newly = retired_keys(graph) - before
    return NosUpdateReport(version_file=str(path or Path(data_dir) / NOS_FILE), newly_retired=tuple(sorted(newly)),
                           uses=tuple(offers_using(graph, newly)))
