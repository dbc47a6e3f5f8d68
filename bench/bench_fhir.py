"""FHIR facade latency (p50/p95 of the integrators' usual searches) and full $export time, read-only.

Usage: .venv/bin/python bench/bench_fhir.py [--runs 50] [--export [--export-types T1,T2] [--changes N]]
       [--no-queries]
Uses the engines of the environment (`NEO4J_URI`/`OPENSEARCH_URL`, else the `ror engines up` ports). Requests go
through the real Flask blueprint (test client, no network hop). The searches only read. `--export` times a cold
full `$export` (the snapshot of the previous one removed first), then makes `--changes` capacity entries (default
2000) through the product's write path (`capacity.service.update`, as the form and the API do, re-indexing the
offers) on random places, and times a warm full export (incremental from the cold one's snapshot). The capacity
entries are legitimate demo writes; nothing is un-published or deleted. `--changes 0` skips the warm export.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import percentile
from flask import Flask

import fhir_api
from accounts.models import Principal, User
from capacity import service as capacity_service
from core.settings import PROJECT_ROOT, Settings
from engines import manager
from graph.driver import Graph
from search.client import make_client
from search.sync import IndexSync

R211 = "https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle"
IG_INCLUDES = ("&_include=HealthcareService:organization&_include:iterate=Organization:partof"
               "&_include=HealthcareService:location&_revinclude=PractitionerRole:service"
               "&_include=PractitionerRole:practitioner")
# Operational activities with offers in the national demo, from the most frequent (293: ≈ 40 000 offers) to
# a rarer one (227: ≈ 2 200), and big / small towns (centroid latitude, longitude). Until 08:20 on 2026-11-22
# the list held three codes without any offer (183, 004, 001): half the IG runs measured an empty page.
ACTIVITIES = ["293", "285", "025", "083", "063", "227"]
TOWNS = [(48.8566, 2.3522), (45.7640, 4.8357), (43.2965, 5.3698), (44.8378, -0.5792), (46.2052, 5.2255),
         (41.9192, 8.7386), (16.2411, -61.5331), (47.2184, -1.5536), (50.6292, 3.0573), (45.9584, 5.3589)]


def timed_get(client, url: str) -> tuple[float, dict]:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code} {response.get_data(as_text=True)[:300]}")
    return elapsed, response.get_json()


def run_queries(client, runs: int, seed: int = 7) -> dict[str, dict]:
    rng = random.Random(seed)
    scenarios = {
        "HealthcareService?specialty=…&_include=… (IG query, _count=20)":
            lambda: f"/fhir/HealthcareService?specialty={R211}|{rng.choice(ACTIVITIES)}{IG_INCLUDES}",
        "Location?near=lat|lon|10|km (_count=20)":
            lambda: "/fhir/Location?near={}|{}|10|km".format(*rng.choice(TOWNS)),
        "Location?near=…|30|km&capacity-status=02&nb-capacity=gt0":
            lambda: "/fhir/Location?near={}|{}|30|km&capacity-status=02&nb-capacity=gt0".format(
                *rng.choice(TOWNS)),
    }
    results = {}
    for name, make_url in scenarios.items():
        for _ in range(3):  # warm-up (query plans, page cache)
            timed_get(client, make_url())
        times, totals = [], []
        for _ in range(runs):
            elapsed, body = timed_get(client, make_url())
            times.append(elapsed)
            totals.append(body["total"])
        results[name] = {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 95), 1),
                         "max_ms": round(max(times), 1), "runs": runs,
                         "median_total": statistics.median(totals)}
    return results


def baseline(graph, runs: int) -> dict:
    """Round trip of a trivial query: how loaded the machine is while the figures above were taken."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        graph.read("RETURN 1 AS one")
        times.append((time.perf_counter() - start) * 1000)
    return {"p50_ms": round(statistics.median(times), 2), "p95_ms": round(percentile(times, 95), 2)}


def run_export(client, exports_dir: Path, types: str | None) -> dict:
    start = time.perf_counter()
    url = "/fhir/$export" + (f"?_type={types}" if types else "")
    kick = client.get(url, headers={"Prefer": "respond-async"})
    status_url = kick.headers["Content-Location"].split("://", 1)[1].split("/", 1)[1]
    while True:
        status = client.get("/" + status_url)
        if status.status_code != 202:
            break
        time.sleep(0.5)
    seconds = time.perf_counter() - start
    manifest = status.get_json()
    counts = {o["type"]: o["count"] for o in manifest.get("output", [])}
    job = status_url.rsplit("/", 1)[1]
    state = json.loads((exports_dir / job / "job.json").read_text(encoding="utf-8"))
    client.delete("/" + status_url)  # the files are not needed; the snapshot keeps its own link
    return {"types": types or "all", "seconds": round(seconds, 1), "counts": counts, "status": status.status_code,
            "resources_per_second": round(sum(counts.values()) / seconds) if seconds else None,
            "modes": {t: {k: v for k, v in m.items() if k != "text"} for t, m in state.get("modes", {}).items()},
            "load_average_after": [round(x, 1) for x in os.getloadavg()]}


def capacity_changes(graph, search, index_prefix: str, count: int, seed: int = 11) -> dict:
    """`count` capacity entries on random places with beds, through capacity.service (8 concurrent writers)."""
    places = graph.read("MATCH (p:Place) WHERE p.installed_beds >= 1 RETURN p.id AS id, p.installed_beds AS beds")
    rng = random.Random(seed)
    picks = [rng.choice(places) for _ in range(count)]
    admin = Principal(User("bench-fhir-export", "admin"), via="cli")

    def write(place: dict) -> None:
        beds = int(place["beds"])
        women = rng.randint(0, beds)
        capacity_service.update(graph, admin, place["id"], {"available_women": women,
                                                            "available_men": rng.randint(0, beds - women),
                                                            "note": "bench_fhir --export"},
                                stale_hours=12, sync=IndexSync(graph, search, index_prefix))

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, picks))
    return {"entries": count, "distinct_places": len({p["id"] for p in picks}),
            "seconds": round(time.perf_counter() - start, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--export", action="store_true", help="also time a system-level $export")
    parser.add_argument("--export-types", default=None, help="_type of the timed export (default: every type)")
    parser.add_argument("--no-queries", action="store_true", help="only the export")
    parser.add_argument("--changes", type=int, default=2000,
                        help="capacity entries made between the cold and the warm export (0: no warm export)")
    parser.add_argument("--exports-dir", type=Path, default=PROJECT_ROOT / "var" / "exports" / "bench")
    args = parser.parse_args()
    settings = Settings.from_env()
    endpoints = manager.endpoints(settings)
    graph = Graph.from_settings(settings, endpoints.neo4j_uri)
    search = make_client(settings, endpoints.opensearch_url)
    app = Flask("bench-fhir")
    fhir_api.register(app, graph=graph, search=search, index_prefix=settings.index_prefix,
                      exports_dir=args.exports_dir)
    client = app.test_client()
    counts = graph.read("MATCH (o:Offer) WITH count(o) AS offers MATCH (p:Place) RETURN offers, count(p) AS places")
    report = {"dataset": counts[0], "load_average_before": [round(x, 1) for x in os.getloadavg()]}
    if not args.no_queries:
        report["bolt_round_trip_RETURN_1"] = baseline(graph, args.runs)
        report["queries"] = run_queries(client, args.runs)
    if args.export:
        shutil.rmtree(args.exports_dir / "snapshot", ignore_errors=True)  # cold: no previous export to re-use
        report["export_cold"] = run_export(client, args.exports_dir, args.export_types)
        if args.changes:
            report["changes"] = capacity_changes(graph, search, settings.index_prefix, args.changes)
            report["export_warm"] = run_export(client, args.exports_dir, args.export_types)
    report["load_average_after"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(report, ensure_ascii=False, indent=2))
    graph.close()
    search.close()


if __name__ == "__main__":
    main()
