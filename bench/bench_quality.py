"""Time the coordinators' quality reads on the graph of `ror engines up` (the national demo), read-only.

    .venv/bin/python bench/bench_quality.py [--runs 5] [--regions 84,11,75,94] [--population 11,11:75,84:69]

For each région: the validation queues (`quality.service.worklist`, every queue, 200 offers listed with their
quality reports) and the région's completeness distribution (`region_report`); then the population follow-up
(`quality.population.table`) of each `région` or `région:département` given. Prints one Markdown row per read:
offers (or establishments) counted, first (cold plan) run, then median and best of the following runs, in ms.
"""

from __future__ import annotations

import argparse
import statistics
import time

from accounts.models import Principal, User
from core.settings import Settings
from engines import manager
from graph.driver import Graph
from quality import population, service

ADMIN = Principal(User(username="bench", role="admin"), via="cli")


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    out = call()
    return (time.perf_counter() - started) * 1000, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--regions", default="84,11,75,94")
    parser.add_argument("--population", default="11,11:75,11:93,84:69,75:40")
    args = parser.parse_args()
    settings = Settings.from_env()
    graph = Graph.from_settings(settings, manager.endpoints(settings).neo4j_uri)
    try:
        print("| région | read | offers counted (queues / région) | listed | first ms | median ms | best ms |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for region in filter(None, args.regions.split(",")):
            reads = [(f"worklist {queue}", lambda q=queue, r=region: service.worklist(graph, ADMIN, r, q))
                     for queue in service.QUEUES]
            reads.append(("region_report", lambda r=region: service.region_report(graph, ADMIN, r)))
            for label, call in reads:
                times, out = [], None
                for _ in range(args.runs + 1):
                    ms, out = timed(call)
                    times.append(ms)
                if isinstance(out, service.Worklist):
                    offers, listed = sum(out.counts.values()), len(out.offers)
                else:
                    offers, listed = out.offers, "–"
                rest = times[1:]
                print(f"| {region} | {label} | {offers} | {listed} | {times[0]:.0f} | "
                      f"{statistics.median(rest):.0f} | {min(rest):.0f} |", flush=True)
        for spec in filter(None, args.population.split(",")):
            region, _, department = spec.partition(":")
            times, rows = [], []
            for _ in range(args.runs + 1):
                ms, rows = timed(lambda r=region, d=department: population.table(graph, ADMIN, r, d or None))
                times.append(ms)
            rest = times[1:]
            print(f"| {region} | population {department or 'toute la région'} | {len(rows)} establishments | – | "
                  f"{times[0]:.0f} | {statistics.median(rest):.0f} | {min(rest):.0f} |", flush=True)
    finally:
        graph.close()


if __name__ == "__main__":
    main()
