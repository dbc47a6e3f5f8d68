"""The analyst console over HTTP on the graph of `ror engines up` (the national demo), read-only.

    .venv/bin/python bench/bench_console.py [--runs 7]

Times, through the Flask app (test client: the whole request path, no network), the interactive console
with the example path query and with a capped 1000-row table, one library query, and a background export of
100 000 rows from POST to "done"; and, on the driver alone, what the read-only checks cost (text scan +
EXPLAIN + plan check) next to the run itself. Authentication is stubbed with an analyst principal so that
no account is created on the shared demo graph; everything else is the production code path.
Prints medians and best of `--runs` runs after one warm-up, in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from flask import g

from accounts.models import Principal, User
from core.settings import Settings
from engines import manager
from graph.console import ConsoleLimits, check, run_read
from graph.driver import Graph
from web import create_app

PATH_QUERY = ("MATCH p = (s:Site)-[:HAS_ORG*1..3]->(:InternalOrg)-[:OFFERS]->(:Offer)-[:PROVIDES]->(:Activity) "
              "WHERE s.department_code = $departement RETURN p LIMIT 5")
TABLE_QUERY = "MATCH (o:Offer) RETURN o.id AS id, o.name AS name, o.phone AS phone LIMIT $n"
EXPORT_QUERY = ("MATCH (s:Site)-[:HAS_ORG*0..3]->()-[:OFFERS]->(o:Offer) "
                "RETURN s.finess AS finess, s.name AS site, o.id AS offer, o.name AS name LIMIT $n")


def timed(call, runs: int) -> tuple[list[float], object]:
    call()  # warm-up: plan compilation, caches
    times, last = [], None
    for _ in range(runs):
        started = time.perf_counter()
        last = call()
        times.append((time.perf_counter() - started) * 1000)
    return times, last


def row(label: str, times: list[float], note: str) -> None:
    print(f"| {label} | {note} | {statistics.median(times):.0f} | {min(times):.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    settings = Settings.from_env()
    graph = Graph.from_settings(settings, manager.endpoints(settings).neo4j_uri)
    with tempfile.TemporaryDirectory(prefix="bench-console-") as var:
        app = create_app(settings.replace(var_dir=Path(var)), graph=graph)
        app.before_request(lambda: setattr(g, "ror_principal",
                                           Principal(User("bench", "analyst"), via="token:bench")))
        client = app.test_client()
        print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print("| what | result | median ms | best ms |\n|---|---|---:|---:|")

        def console(query, params):
            response = client.post("/api/v1/cypher", json={"query": query, "params": params})
            assert response.status_code == 200, response.get_json()
            return response.get_json()

        times, body = timed(lambda: console(PATH_QUERY, {"departement": "01"}), args.runs)
        drawn = body["graph"]
        row("POST /api/v1/cypher — example path query (01)", times,
            f"{body['row_count']} paths, graph {len(drawn['nodes'])} nodes / {len(drawn['links'])} links")
        times, body = timed(lambda: console(TABLE_QUERY, {"n": 5000}), args.runs)
        row("POST /api/v1/cypher — table capped at 1000 rows", times,
            f"{body['row_count']} rows, truncated={body['truncated']}")

        def library_run():
            response = client.post("/api/v1/cypher/library/stroke_pathway", json={"params": {}})
            assert response.status_code == 200, response.get_json()
            return response.get_json()

        times, body = timed(library_run, args.runs)
        row("POST /api/v1/cypher/library/stroke_pathway (Landes)", times, f"{body['row_count']} rows")

        def export():
            started = client.post("/api/v1/cypher/jobs", json={"query": EXPORT_QUERY, "params": {"n": 100000}})
            assert started.status_code == 202, started.get_json()
            url = started.headers["Location"]
            while True:
                job = client.get(url).get_json()["job"]
                if job["state"] in ("done", "failed"):
                    assert job["state"] == "done", job
                    return job
                time.sleep(0.05)

        times, job = timed(export, max(1, args.runs // 2))
        folder = Path(var) / "console-jobs" / job["id"]
        sizes = ", ".join(f"{p.suffix[1:]} {p.stat().st_size / 1e6:.1f} MB" for p in sorted(folder.glob("result.*")))
        row("POST /api/v1/cypher/jobs → done (export)", times, f"{job['rows']} rows, {sizes}")

        statement, params = PATH_QUERY, {"departement": "01"}
        times_check, _ = timed(lambda: check(graph, statement, params), args.runs)
        times_run, _ = timed(lambda: run_read(graph, statement, params, ConsoleLimits()), args.runs)
        row("checks only (text scan + EXPLAIN + plan check), path query", times_check, "—")
        row("run only (READ transaction), path query", times_run, "5 paths")
        print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        store = app.extensions.get("ror_console_jobs")
        if store is not None:
            store.shutdown()
    graph.close()


if __name__ == "__main__":
    main()
