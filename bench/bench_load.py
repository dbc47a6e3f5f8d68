"""Benchmark of the national load (`ror load demo`): wall time, nodes/s and relationships/s per step, peak RSS.

Usage: .venv/bin/python bench/bench_load.py [--wipe] [--departments 01,2A] [--out var/bench/load.json]
Runs against the Neo4j of the current settings (default: the local `ror engines up` instance).
`--wipe` empties the database first (not timed). Prints a Markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from core.settings import PROJECT_ROOT, Settings
from engines import manager
from graph.driver import Graph
from loaders.demo import load_demo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wipe", action="store_true", help="empty the database first (not timed)")
    parser.add_argument("--departments", default=None)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "var" / "bench" / "load.json")
    args = parser.parse_args()
    settings = Settings.from_env()
    graph = Graph.from_settings(settings, manager.endpoints(settings).neo4j_uri)
    try:
        if args.wipe:
            graph.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
        departments = set(args.departments.split(",")) if args.departments else None
        start = time.perf_counter()
        summary = load_demo(settings, graph, progress=True, seed=args.seed, departments=departments)
        wall = time.perf_counter() - start
        rels = graph.read("MATCH ()-[r]->() RETURN count(r) AS c")[0]["c"]
    finally:
        graph.close()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    steps = [{"step": p.name, "seconds": round(p.seconds, 1), "nodes_created": p.nodes_created,
              "relationships_created": p.relationships_created,
              "nodes_per_s": round(p.nodes_created / p.seconds) if p.seconds else None,
              "relationships_per_s": round(p.relationships_created / p.seconds) if p.seconds else None,
              "rejects": len(p.rejects)} for p in summary.parts]
    result = {"wall_seconds": round(wall, 1), "peak_rss_mib": round(peak_mib), "steps": steps,
              "counts": summary.counts, "relationships_total": rels,
              "nodes_created": summary.nodes_created, "relationships_created": summary.relationships_created}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print("| step | s | nodes created | rels created | nodes/s | rels/s | rejects |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for s in steps:
        print(f"| {s['step']} | {s['seconds']} | {s['nodes_created']:,} | {s['relationships_created']:,} | "
              f"{s['nodes_per_s'] or '-'} | {s['relationships_per_s'] or '-'} | {s['rejects']} |")
    print(f"Total wall time {wall:.0f} s, peak RSS {peak_mib:.0f} MiB, written to {args.out}")


if __name__ == "__main__":
    main()
