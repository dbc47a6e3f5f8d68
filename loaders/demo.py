"""The whole demo graph from the bundled data: schema, NOS, territories, national FINESS, synthetic offer."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings
from geo.communes import COMMUNES_FILE, CommuneIndex
from graph.driver import Graph
from loaders.common import LoadSummary, Timer
from loaders.finess import FINESS_FILE, load_finess
from loaders.generator import generate_offer
from loaders.nos import load_nos
from loaders.territories import load_territories


def load_demo(settings: Settings, graph: Graph, *, progress: bool = True, seed: int = 42,
              departments: set[str] | None = None, finess_path: Path | None = None) -> LoadSummary:
    """Build (or refresh: re-running changes nothing) the national demo graph; returns the overall summary."""
    timer = Timer()
    data_dir = Path(settings.data_dir)
    graph.apply_schema()
    total = LoadSummary("Démo")
    steps = [
        lambda: load_nos(graph, data_dir, progress=progress),
        lambda: load_territories(graph, data_dir, progress=progress),
        lambda: load_finess(graph, finess_path or data_dir / FINESS_FILE, data_dir, progress=progress,
                            departments=departments,
                            communes=CommuneIndex.from_file(data_dir / COMMUNES_FILE)),
        lambda: generate_offer(graph, data_dir, seed=seed, departments=departments, progress=progress),
    ]
    for step in steps:
        summary = step()
        if progress:
            for line in summary.lines():
                print(line, flush=True)
        total.merge(summary)
    graph.replan()  # later queries are planned on the loaded data's statistics
    total.counts = graph.counts()
    total.seconds = timer.seconds
    return total
