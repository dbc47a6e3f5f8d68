"""What OpenSearch alone costs an orientation request: the searches the product sends, replayed straight to the
engine (no web tier, no Python on the answer's path but the replaying threads), with the engine's CPU per request
and the throughput ceiling it sets on this machine.

Usage:
  .venv/bin/python bench/bench_engine_floor.py [--queries 300] [--requests 3000] [--connections 4]
      [--endpoints specialist-opinion,act-team,equipment,beds]

Why: a closed loop of the orientation endpoints (bench/bench_wrk.py) splits the machine's CPU between the web
server and OpenSearch. Whatever the web tier does, a request cannot cost less than what OpenSearch spends on its
search, so `cores × 1000 / OpenSearch CPU ms a request` bounds the requests/s of this machine even with a web
tier that costs nothing.

How: the app is built in this process (`create_app`, the environment's engines: `NEO4J_URI` / `OPENSEARCH_URL`,
else the `ror engines up` ports) with a search client whose `search` records what it is asked; the queries are
bench/bench_http.py's (same seed: real communes × the codes most used by the indexed offers), sent through the
Flask test client, so the recorded searches are exactly the product's (indices chosen by the regional router,
body with its filters, distance sort, radius counts, page size). They are then replayed with `--connections`
keep-alive connections for `--requests` requests (after one unmeasured pass), and the OpenSearch JVMs' CPU is
read from /proc before and after. A reference (`match_all`, no hit returned, over the indices of the first
endpoint's searches) gives the engine's fixed cost of a request fanned out to the same regional indices.
Read-only. Prints a table; writes artifacts/bench/engine_floor.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench_http import ROOT, codes_from, cpu_seconds, query_makers
from bench_wrk import ENDPOINTS, opensearch_pids
from common import load_average, percentile, send

from core.settings import Settings
from search.client import make_client
from web.app import create_app

REFERENCE = "reference: match_all, no hit, same indices"


def capture(endpoints: list[str], queries: int, min_population: int, seed: int) -> tuple[dict, str]:
    """{endpoint: [(path, body bytes), …]}: the distance-sorted searches the app sends for `queries` requests of
    each endpoint, and the OpenSearch base URL they went to."""
    settings = Settings.from_env()
    client = make_client(settings)
    recorded: list[tuple[str, dict]] = []
    search = client.search

    def recording(*args, **kwargs):
        body = kwargs.get("body")
        if isinstance(body, dict) and "sort" in body:  # not the router's index bounds nor the text popularity
            index = kwargs.get("index")
            recorded.append((",".join(index) if isinstance(index, list | tuple) else str(index), body))
        return search(*args, **kwargs)

    client.search = recording
    app = create_app(settings, search=client)
    web = app.test_client()

    def get(path: str) -> tuple[int, dict]:
        response = web.get(path)
        return response.status_code, response.get_json()

    makers = query_makers(endpoints, codes_from(get), min_population, seed)
    out: dict[str, list[tuple[str, bytes]]] = {}
    for endpoint in endpoints:
        recorded.clear()
        for _ in range(queries):
            url = makers[endpoint]()
            status, body = get(url)
            if status != 200:
                raise SystemExit(f"{url}: HTTP {status} {json.dumps(body, ensure_ascii=False)[:300]}")
        out[endpoint] = [(f"/{index}/_search", json.dumps(body).encode()) for index, body in recorded]
        print(f"{endpoint}: {len(out[endpoint])} searches recorded from {queries} requests", flush=True)
    base = settings.opensearch_url or f"http://127.0.0.1:{settings.opensearch_port}"
    client.close()
    return out, base.split(",")[0].strip()


def replay(base: str, searches: list[tuple[str, bytes]], requests: int, connections: int,
           engine: list[int]) -> dict:
    """`requests` searches over `connections` keep-alive connections (one unmeasured pass first); the engine's
    CPU ms per request, req/s, latency."""
    parts = urlsplit(base if "//" in base else f"//{base}")
    headers = {"Content-Type": "application/json"}
    errors: list[str] = []

    def worker(first: int, total: int, latencies: list[float]) -> None:
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 9200, timeout=60)
        for i in range(first, total, connections):
            path, body = searches[i % len(searches)]
            started = time.perf_counter()
            status = send(conn, "POST", path, body, headers)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors.append(f"{path}: {status}")
                return
        conn.close()

    def run(total: int) -> tuple[float, list[float]]:
        lists: list[list[float]] = [[] for _ in range(connections)]
        threads = [threading.Thread(target=worker, args=(k, total, lists[k])) for k in range(connections)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.perf_counter() - started, [x for one in lists for x in one]

    run(len(searches))  # warm: every recorded search once
    before = cpu_seconds(engine)
    seconds, latencies = run(requests)
    cpu_ms = (cpu_seconds(engine) - before) * 1000 / requests
    if errors or len(latencies) != requests:
        raise SystemExit(f"OpenSearch did not answer every recorded search: {errors[:1] or len(latencies)}")
    cores = os.cpu_count() or 1
    return {"requests": requests, "rps": round(requests / seconds, 1), "engine_cpu_ms": round(cpu_ms, 2),
            "ceiling_rps": round(cores * 1000 / cpu_ms) if cpu_ms else None,
            "p50_ms": round(percentile(latencies, 50) * 1000, 2), "p95_ms": round(percentile(latencies, 95) * 1000, 2),
            "load": load_average()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS), help=f"among {', '.join(ENDPOINTS)}")
    parser.add_argument("--queries", type=int, default=300, help="orientation requests recorded per endpoint")
    parser.add_argument("--requests", type=int, default=3000, help="searches replayed (measured) per endpoint")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections to OpenSearch")
    parser.add_argument("--min-population", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "bench" / "engine_floor.json")
    args = parser.parse_args()
    endpoints = args.endpoints.split(",")
    unknown = [e for e in endpoints if e not in ENDPOINTS]
    if unknown:
        parser.error(f"unknown endpoint(s) {', '.join(unknown)}; among {', '.join(ENDPOINTS)}")
    engine = opensearch_pids()
    if not engine:
        raise SystemExit("no local OpenSearch process found: its CPU is what this benchmark reads (ror engines up)")
    recorded, base = capture(endpoints, args.queries, args.min_population, args.seed)
    nothing = json.dumps({"size": 0, "query": {"match_all": {}}}).encode()
    recorded[REFERENCE] = [(path, nothing) for path, _ in recorded[endpoints[0]]]
    results = {}
    for name, searches in recorded.items():
        results[name] = replay(base, searches, args.requests, args.connections, engine)
        print(name, json.dumps(results[name]), flush=True)
    print(f"\nOpenSearch alone, {os.cpu_count()} cores, {args.connections} connections, {args.requests} searches each:")
    print("| searches of | req/s | OpenSearch CPU ms/request | ceiling req/s (every core to OpenSearch) | p50 ms "
          "| p95 ms | load |")
    print("|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['rps']} | {r['engine_cpu_ms']} | {r['ceiling_rps']} | {r['p50_ms']} | {r['p95_ms']} "
              f"| {r['load']} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"connections": args.connections, "cores": os.cpu_count(),
                                    "queries": args.queries, "results": results}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
