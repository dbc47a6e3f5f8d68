"""Time territory pictures and coverage gaps on the engines of `ror engines up` (the national demo), read only.

    .venv/bin/python bench/bench_territory.py [--runs 5] [--activities 249,100,083,293] [--prefix ror]

Coverage gap over every commune of France (≈ 35,000) for each activity: the whole service call (offer positions
from the index, nearest distances, site names), then the distance computation alone; pictures of a région and a
département; first run (cold caches: commune table, Voronoi cells) reported apart. Prints Markdown rows with
p50 and max in milliseconds, and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from functools import partial

from core.settings import Settings
from engines import manager
from geo import territory as territories
from geo import territory_coverage as coverage
from graph.driver import Graph
from search.client import make_client
from search.territory_picture import TerritoryService


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    out = call()
    return (time.perf_counter() - started) * 1000, out


def row(label: str, detail: str, first: float, times: list[float]) -> str:
    return f"| {label} | {detail} | {first:.0f} | {statistics.median(times):.0f} | {max(times):.0f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--activities", default="249,100,083,293")
    parser.add_argument("--prefix", default=None, help="index prefix (default: ROR_INDEX_PREFIX)")
    parser.add_argument("--region", default="R75")
    parser.add_argument("--department", default="D40")
    parser.add_argument("--max-km", type=float, default=30.0)
    args = parser.parse_args()
    settings = Settings.from_env()
    endpoints = manager.endpoints(settings)
    graph = Graph.from_settings(settings, endpoints.neo4j_uri)
    client = make_client(settings, endpoints.opensearch_url)
    service = TerritoryService(graph, client, settings.data_dir, args.prefix or settings.index_prefix,
                               settings.capacity_stale_hours)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    try:
        first_load, _ = timed(lambda: territories.commune_table(settings.data_dir))
        france = territories.resolve_code(settings.data_dir, "FR")
        print(f"commune table (once per process): {first_load:.0f} ms, {len(france.rows)} communes; "
              f"{args.runs} runs after a first one\n")
        print("| what | detail | first ms | p50 ms | max ms |")
        print("|---|---|---:|---:|---:|")
        for code in args.activities.split(","):
            first, result = timed(partial(service.coverage, france, code, None, args.max_km))
            times = [timed(partial(service.coverage, france, code, None, args.max_km))[0] for _ in range(args.runs)]
            summary = result.result(0)
            detail = (f"activité {code} ({summary.offers} offres, {summary.offer_points} lieux) ; "
                      f"{summary.communes_far} communes à plus de {args.max_km:g} km")
            print(row("couverture France entière (service)", detail, first, times), flush=True)
            compute = partial(coverage.compute, settings.data_dir, france, result.activity, result.points,
                              args.max_km)
            first, _ = timed(compute)
            times = [timed(compute)[0] for _ in range(args.runs)]
            print(row("couverture France entière (calcul des distances seul)", f"activité {code}", first, times),
                  flush=True)
        for code in (args.region, args.department):
            territory = territories.resolve_code(settings.data_dir, code)
            call = partial(service.picture, territory)
            first, picture = timed(call)
            times = [timed(call)[0] for _ in range(args.runs)]
            print(row("portrait", f"{picture.territory.label} : {picture.offers} offres, "
                                  f"{picture.professionals} professionnels", first, times), flush=True)
        territory = territories.resolve_code(settings.data_dir, args.region)
        cov = service.coverage(territory, args.activities.split(",")[0], None, args.max_km)
        first, geo = timed(cov.to_geojson)
        times = [timed(cov.to_geojson)[0] for _ in range(args.runs)]
        print(row("carte choroplèthe (GeoJSON)", f"{territory.label} : {len(geo['features'])} communes "
                                                   "(first = cellules de Voronoï construites)", first, times))
    finally:
        graph.close()
        client.close()
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
