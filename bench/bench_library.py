"""Time every pathway-library query on the graph of `ror engines up` (the national demo), read-only.

    .venv/bin/python bench/bench_library.py [--runs 5] [--apply-indexes] [--national]

Prints one Markdown row per query: rows returned, first (cold plan) run, then median and best of the
following runs, in milliseconds. `--apply-indexes` first applies cypher/schema/library.cypher (IF NOT EXISTS).
`--national` adds variants run over every département (department_code = "").
"""

from __future__ import annotations

import argparse
import statistics
import time

import cypher
from core.settings import Settings
from engines import manager
from graph import library
from graph.driver import Graph

NATIONAL = ("pediatric_emergency_coverage", "maternity_distance_gaps", "missing_generic_mailbox",
            "sites_without_ias_referent", "ias_referents_by_department", "professionals_per_100k",
            "stale_capacity")


def timed(graph: Graph, name: str, params: dict) -> tuple[float, int]:
    started = time.perf_counter()
    result = library.run(graph, name, params, timeout_s=120.0)
    return (time.perf_counter() - started) * 1000, len(result.rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--apply-indexes", action="store_true")
    parser.add_argument("--national", action="store_true")
    args = parser.parse_args()
    settings = Settings.from_env()
    graph = Graph.from_settings(settings, manager.endpoints(settings).neo4j_uri)
    try:
        if args.apply_indexes:
            for statement in cypher.statements("schema/library"):
                graph.write(statement)
            graph.write("CALL db.awaitIndexes(300)")
        counts = graph.read("MATCH (o:Offer) WITH count(o) AS offers MATCH (s:Site) "
                            "RETURN offers, count(s) AS sites")[0]
        print(f"graph: {counts['sites']} sites, {counts['offers']} offers; {args.runs} runs after a first one\n")
        print("| query | params | rows | first ms | median ms | best ms |")
        print("|---|---|---:|---:|---:|---:|")
        cases = [(q.name, {}) for q in library.all_queries()]
        if args.national:
            cases += [(name, {"department_code": ""}) for name in NATIONAL]
        for name, params in cases:
            first, rows = timed(graph, name, params)
            times = [timed(graph, name, params)[0] for _ in range(args.runs)]
            label = ", ".join(f"{k}={v!r}" for k, v in params.items()) or "défauts"
            print(f"| {name} | {label} | {rows} | {first:.0f} | {statistics.median(times):.0f} | {min(times):.0f} |",
                  flush=True)
    finally:
        graph.close()


if __name__ == "__main__":
    main()
