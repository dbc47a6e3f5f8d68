"""Capacity under load: concurrent capacity updates through the HTTP API while searches run.

Usage: .venv/bin/python bench/bench_capacity.py [--rate 200] [--seconds 60] [--places 400] [--workers 4]
Starts a PRIVATE Neo4j + OpenSearch instance ("capbench") on free ports, seeds synthetic places, builds the
index, serves the app with waitress in `--workers` processes, drives PUT /api/v1/places/<id>/capacity at
`--rate` per second from concurrent clients (each place owned by one client, so "the last write" of a place
is well defined) while other clients search beds, then checks: final latest snapshot of every place equals
its last acknowledged write, one latest per place, audit entries == writes, index == graph. Stops everything.
"""

from __future__ import annotations

import argparse
import logging
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engines import manager, process  # noqa: E402
from ror.settings import Settings  # noqa: E402

INSTANCE = "capbench"
PREFIX = "capbench"
COMMUNES = (("40192", 43.8902, -0.4999), ("40088", 43.7102, -1.0536), ("01053", 46.2052, 5.2255))


def serve(port: int, neo4j_uri: str, opensearch_url: str, threads: int) -> None:
    """Worker process: the real app (with the issue-7 blueprints) on waitress."""
    import importlib

    from waitress import serve as waitress_serve

    from web import create_app

    settings = Settings.from_env(neo4j_uri=neo4j_uri, opensearch_url=opensearch_url, index_prefix=PREFIX)
    app = create_app(settings)
    for name in ("admin_api", "admin_quality_api"):
        module = importlib.import_module(f"web.{name}")
        if module.bp.name not in app.blueprints:
            app.register_blueprint(module.bp)
    waitress_serve(app, host="127.0.0.1", port=port, threads=threads, connection_limit=500, ident="capbench",
                   _quiet=True)


def seed(graph, places: int) -> tuple[list[dict], str]:
    from accounts.store import UserStore

    graph.run_autocommit("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
    graph.apply_schema()
    text = (ROOT / "tests/fixtures/access/territory.cypher").read_text(encoding="utf-8")
    graph.write("\n".join(line for line in text.splitlines() if not line.strip().startswith("//")).rstrip("; \n"))
    rng = random.Random(7)
    rows = []
    for n in range(places):
        insee, lat, lon = COMMUNES[n % len(COMMUNES)]
        dept = "01" if insee.startswith("01") else "40"
        rows.append({"finess": f"{dept}9{n:06d}", "insee": insee, "lat": lat + rng.uniform(-0.3, 0.3),
                     "lon": lon + rng.uniform(-0.3, 0.3), "n": n, "beds": rng.randint(8, 40)})
    graph.write((ROOT / "bench/capacity_seed.cypher").read_text(encoding="utf-8"), rows=rows)
    store = UserStore(graph)
    store.add("bench-admin", "mot-de-passe-de-charge", "admin")
    token = store.create_token("bench-admin", "bench")[1]
    return rows, token


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:  # noqa: C901 - a linear script: set up, drive, check, report
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200.0, help="capacity updates per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--places", type=int, default=400)
    parser.add_argument("--writers", type=int, default=48, help="concurrent writing clients")
    parser.add_argument("--searchers", type=int, default=4, help="concurrent searching clients")
    parser.add_argument("--workers", type=int, default=4, help="web server processes")
    parser.add_argument("--threads", type=int, default=24, help="threads per web server process")
    parser.add_argument("--grace", type=float, default=20.0, help="seconds a write may lag its schedule")
    parser.add_argument("--serve", nargs=3, metavar=("PORT", "NEO4J_URI", "OPENSEARCH_URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.getLogger("neo4j").setLevel(logging.ERROR)  # schema-less warnings of a fresh database
    if args.serve:
        serve(int(args.serve[0]), args.serve[1], args.serve[2], args.threads)
        return

    from graph.driver import Graph
    from search.client import make_client
    from search.indexer import Indexer

    base = Settings.from_env()
    settings = base.replace(neo4j_uri=None, opensearch_url=None, neo4j_bolt_port=process.free_port(),
                            neo4j_http_port=process.free_port(), opensearch_port=process.free_port(),
                            neo4j_pagecache="512m")
    servers: list[subprocess.Popen] = []
    print("Démarrage des moteurs privés…", flush=True)
    manager.up(settings, INSTANCE)
    endpoints = manager.endpoints(settings, INSTANCE)
    graph = Graph.from_settings(settings, endpoints.neo4j_uri)
    client = make_client(settings, endpoints.opensearch_url)
    try:
        rows, token = seed(graph, args.places)
        Indexer(graph, client, PREFIX).build()
        ports = [process.free_port() for _ in range(args.workers)]
        for port in ports:
            servers.append(subprocess.Popen([sys.executable, __file__, "--threads", str(args.threads), "--serve",
                                             str(port), endpoints.neo4j_uri, endpoints.opensearch_url], cwd=ROOT))
        for port in ports:
            deadline = time.time() + 60
            while True:
                try:
                    if requests.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if time.time() > deadline:
                    raise SystemExit(f"worker on port {port} did not start")
                time.sleep(0.3)
        report = drive(args, rows, token, ports)
        check(graph, client, report)
        visibility(client, rows, token, ports)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)
        client.close()
        graph.close()
        manager.down(settings, INSTANCE)
        shutil.rmtree(settings.engines_dir / "instances" / INSTANCE, ignore_errors=True)


def drive(args, rows, token, ports) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    places = [(f"bench-place-{r['n']}", r["beds"]) for r in rows]
    last_write: dict[str, dict] = {}
    write_latency: list[float] = []
    search_latency: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    stop = threading.Event()
    start = time.perf_counter() + 1.0
    total = int(args.rate * args.seconds)

    def writer(i: int) -> None:
        session = requests.Session()
        mine = places[i::args.writers]
        rng = random.Random(i)
        k = 0
        for seq in range(i, total, args.writers):
            due = start + seq / args.rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            elif -delay > args.grace:  # the server cannot keep the pace: stop instead of running for ever
                with lock:
                    errors["write not sent (behind schedule)"] = errors.get("write not sent (behind schedule)", 0) + 1
                continue
            place, beds = mine[k % len(mine)]
            k += 1
            women = rng.randint(0, beds // 2)
            body = {"available_women": women, "available_men": rng.randint(0, beds - women),
                    "forecast_d": rng.randint(0, beds), "note": f"charge {seq}"}
            url = f"http://127.0.0.1:{ports[seq % len(ports)]}/api/v1/places/{place}/capacity"
            t0 = time.perf_counter()
            try:
                response = session.put(url, json=body, headers=headers, timeout=30)
                status = response.status_code
            except requests.RequestException as exc:
                status = type(exc).__name__
            elapsed = time.perf_counter() - t0
            with lock:
                write_latency.append(elapsed)
                if status == 200:
                    last_write[place] = body
                else:
                    errors[f"write {status}"] = errors.get(f"write {status}", 0) + 1

    def searcher(i: int) -> None:
        session = requests.Session()
        rng = random.Random(1000 + i)
        while not stop.is_set():
            _, lat, lon = COMMUNES[rng.randrange(len(COMMUNES))]
            gender = rng.choice(["any", "women", "men"])
            url = (f"http://127.0.0.1:{ports[rng.randrange(len(ports))]}/api/v1/orientation/beds"
                   f"?activity=047&lat={lat}&lon={lon}&radius_km=60&gender={gender}")
            t0 = time.perf_counter()
            try:
                status = session.get(url, timeout=30).status_code
            except requests.RequestException as exc:
                status = type(exc).__name__
            elapsed = time.perf_counter() - t0
            with lock:
                if status == 200:
                    search_latency.append(elapsed)
                else:
                    errors[f"search {status}"] = errors.get(f"search {status}", 0) + 1
            time.sleep(0.05)

    searchers = [threading.Thread(target=searcher, args=(i,), daemon=True) for i in range(args.searchers)]
    writers = [threading.Thread(target=writer, args=(i,)) for i in range(args.writers)]
    for t in searchers + writers:
        t.start()
    for t in writers:
        t.join()
    wall = time.perf_counter() - start
    stop.set()
    for t in searchers:
        t.join(timeout=35)
    acked = len(write_latency) - sum(v for k, v in errors.items() if k.startswith("write ") and "not sent" not in k)
    report = {"writes_sent": len(write_latency), "writes_ok": acked, "wall_s": wall,
              "rate": len(write_latency) / wall, "write_p50_ms": 1000 * percentile(write_latency, 50),
              "write_p95_ms": 1000 * percentile(write_latency, 95),
              "write_p99_ms": 1000 * percentile(write_latency, 99), "searches": len(search_latency),
              "search_p50_ms": 1000 * percentile(search_latency, 50),
              "search_p95_ms": 1000 * percentile(search_latency, 95),
              "search_p99_ms": 1000 * percentile(search_latency, 99), "errors": errors, "last_write": last_write}
    print(f"Écritures : {report['writes_sent']} envoyées, {acked} acceptées en {wall:.1f} s "
          f"({report['rate']:.1f}/s) ; latence p50 {report['write_p50_ms']:.0f} ms, "
          f"p95 {report['write_p95_ms']:.0f} ms, p99 {report['write_p99_ms']:.0f} ms")
    print(f"Recherches : {report['searches']} ; latence p50 {report['search_p50_ms']:.0f} ms, "
          f"p95 {report['search_p95_ms']:.0f} ms, p99 {report['search_p99_ms']:.0f} ms")
    print(f"Erreurs : {errors or 'aucune'}")
    return report


def check(graph, client, report: dict) -> None:
    from audit.log import count

    last = report["last_write"]
    rows = graph.read("MATCH (p:Place) WHERE p.id STARTS WITH 'bench-place-' "
                      "OPTIONAL MATCH (p)-[:HAS_CAPACITY]->(k:CapacitySnapshot) "
                      "WITH p, count(k) AS snapshots, [x IN collect(k) WHERE x.latest] AS latest "
                      "RETURN p.id AS id, snapshots, size(latest) AS latest_count, "
                      "[x IN latest | x {.available_women, .available_men, .forecast_d, .note}][0] AS state")
    lost = [r["id"] for r in rows if r["id"] in last and (r["state"] is None or any(
        r["state"][k] != v for k, v in last[r["id"]].items()))]
    multi = [r["id"] for r in rows if r["latest_count"] > 1]
    snapshots = sum(r["snapshots"] for r in rows)
    audits = count(graph, "capacity.update")
    client.indices.refresh(index=f"{PREFIX}-offers")
    stale_index = 0
    ids = [f"bench-offer-{r['id'].rsplit('-', 1)[1]}" for r in rows if r["id"] in last]
    states = {f"bench-offer-{r['id'].rsplit('-', 1)[1]}": r["state"] for r in rows}
    for startat in range(0, len(ids), 500):
        chunk = ids[startat:startat + 500]
        hits = client.search(index=f"{PREFIX}-offers", body={"query": {"ids": {"values": chunk}},
                                                             "size": len(chunk)})["hits"]["hits"]
        for hit in hits:
            cap = hit["_source"].get("capacity") or {}
            state = states[hit["_id"]]
            if cap.get("available_women") != state["available_women"] or cap.get("available_men") != state[
                    "available_men"]:
                stale_index += 1
    print(f"Contrôle : places écrites {len(last)}, mises à jour perdues {len(lost)}, places avec plusieurs "
          f"« latest » {len(multi)}, instantanés {snapshots} / écritures acceptées {report['writes_ok']}, "
          f"entrées d'audit {audits}, documents d'index en retard {stale_index}")


def visibility(client, rows, token, ports, probes: int = 20) -> None:
    """Delay from the acknowledged PUT to the new value being returned by a search (no forced refresh)."""
    session, delays = requests.Session(), []
    for i in range(probes):
        row = rows[i % len(rows)]
        women = (i % max(1, row["beds"] // 2)) + 1
        url = f"http://127.0.0.1:{ports[0]}/api/v1/places/bench-place-{row['n']}/capacity"
        response = session.put(url, json={"available_women": women, "available_men": 0},
                               headers={"Authorization": f"Bearer {token}"}, timeout=30)
        if response.status_code != 200:
            continue
        acked = time.perf_counter()
        body = {"query": {"bool": {"filter": [{"ids": {"values": [f"bench-offer-{row['n']}"]}},
                                              {"term": {"capacity.available_women": women}}]}}}
        while time.perf_counter() - acked < 10:
            if client.count(index=f"{PREFIX}-offers", body=body)["count"]:
                delays.append(time.perf_counter() - acked)
                break
            time.sleep(0.02)
    print(f"Visibilité dans la recherche après l'acquittement ({len(delays)}/{probes} sondes) : "
          f"médiane {1000 * percentile(delays, 50):.0f} ms, max {1000 * max(delays or [float('nan')]):.0f} ms")


if __name__ == "__main__":
    main()
