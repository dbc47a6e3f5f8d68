"""Capacity under load: concurrent capacity updates through the HTTP API while searches run.

Usage: .venv/bin/python bench/bench_capacity.py [--rate 200] [--seconds 60] [--places 400] [--workers 2]
                                                 [--national]
Private mode (default): starts a PRIVATE Neo4j + OpenSearch instance ("capbench") on free ports, seeds synthetic
places, builds the index. National mode (`--national`): uses the shared national demo engines (bolt 7687,
http 9200, index prefix `ror`) and writes capacity snapshots (with their audit entries and index pushes) on
`--places` of its existing bedded places, nothing else: no account is created there, the web workers map a
per-run random bearer secret to an in-memory admin principal ("bench-capacite") instead of a stored token.
Then serves the app with waitress in `--workers` processes, drives PUT /api/v1/places/<id>/capacity at
`--rate` per second from concurrent clients (each place owned by one client, so "the last write" of a place
is well defined) while other clients search beds, then checks: final latest snapshot of every place equals
its last acknowledged write, one latest per place, audit entries == writes, index == graph. Prints the load
average. Stops what it started.
"""

from __future__ import annotations

import argparse
import http.client
import json
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

from common import percentile  # noqa: E402

from core.settings import Settings  # noqa: E402
from engines import manager, process  # noqa: E402

INSTANCE = "capbench"
PREFIX = "capbench"
COMMUNES = (("40192", 43.8902, -0.4999), ("40088", 43.7102, -1.0536), ("01053", 46.2052, 5.2255))


NATIONAL_ACTOR = "bench-capacite"


def serve(port: int, neo4j_uri: str, opensearch_url: str, threads: int, prefix: str, secret: str | None) -> None:
    """Worker process: the real app (with the issue-7 blueprints) on waitress."""
    import importlib
    import os

    from waitress import serve as waitress_serve

    from web import create_app

    settings = Settings.from_env(neo4j_uri=neo4j_uri, opensearch_url=opensearch_url, index_prefix=prefix)
    app = create_app(settings)
    for name in ("admin_api", "admin_quality_api"):
        module = importlib.import_module(f"web.{name}")
        if module.bp.name not in app.blueprints:
            app.register_blueprint(module.bp)
    if secret:  # national mode: no stored account on the shared graph, an in-memory admin for this run only
        from flask import g, request

        from accounts.models import Principal, User

        principal_user = User(NATIONAL_ACTOR, "admin", display_name="banc de charge (synthétique)")

        @app.before_request
        def bench_principal():
            if request.headers.get("Authorization") == f"Bearer {secret}":
                g.ror_principal = Principal(principal_user, via="token:bench", ip=request.remote_addr)

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is N" under load
    print(f"worker {os.getpid()} on port {port}", flush=True)
    waitress_serve(app, host="127.0.0.1", port=port, threads=threads, connection_limit=1000, ident="capbench",
                   _quiet=True)


def national_places(graph, places: int) -> list[dict]:
    """Existing bedded places of the national demo whose offers are published and held at this place only
    (so an offer document carries exactly this place's capacity), spread over the country."""
    rows = graph.read("MATCH (p:Place) WHERE p.installed_beds >= 8 AND p.location IS NOT NULL "
                      "WITH p ORDER BY p.id SKIP 1000 LIMIT $scan "
                      "MATCH (p)<-[:AT]-(o:Offer) WITH p, collect(o) AS offers "
                      "WHERE ALL(o IN offers WHERE o.status = 'published' AND COUNT { (o)-[:AT]->(:Place) } = 1) "
                      "RETURN p.id AS place, p.installed_beds AS beds, [o IN offers | o.id] AS offers, "
                      "p.location.latitude AS lat, p.location.longitude AS lon LIMIT $n",
                      scan=places * 20, n=places)
    if len(rows) < places:
        raise SystemExit(f"only {len(rows)} suitable places found in the national demo")
    return rows


def seed(graph, places: int) -> tuple[list[dict], str]:
    from accounts.store import UserStore

    graph.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
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
    return [{"place": f"bench-place-{r['n']}", "beds": r["beds"], "offers": [f"bench-offer-{r['n']}"],
             "lat": r["lat"], "lon": r["lon"]} for r in rows], token


def main() -> None:  # noqa: C901 - a linear script: set up, drive, check, report
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200.0, help="capacity updates per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--places", type=int, default=400)
    parser.add_argument("--writers", type=int, default=96, help="concurrent writing clients")
    parser.add_argument("--searchers", type=int, default=4, help="concurrent searching clients")
    parser.add_argument("--workers", type=int, default=2, help="web server processes")
    # Threads are mostly parked on a commit group or an index push; with ~100 entries/s per process at
    # 0.1–0.3 s each, 48 threads were often all taken and searches queued behind writes (p95 138 ms → 67 ms
    # with 96, same load).
    parser.add_argument("--threads", type=int, default=96, help="threads per web server process")
    parser.add_argument("--grace", type=float, default=20.0, help="seconds a write may lag its schedule")
    parser.add_argument("--search-activity", help="activity of the bed searches (default: 047 private, 083 national)")
    parser.add_argument("--national", action="store_true",
                        help="use the shared national demo engines (bolt 7687, http 9200) instead of private ones")
    parser.add_argument("--serve", nargs=5, metavar=("PORT", "NEO4J_URI", "OPENSEARCH_URL", "PREFIX", "SECRET"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.search_activity = args.search_activity or ("083" if args.national else "047")
    logging.getLogger("neo4j").setLevel(logging.ERROR)  # schema-less warnings of a fresh database
    if args.serve:
        port, neo4j_uri, opensearch_url, prefix, secret = args.serve
        serve(int(port), neo4j_uri, opensearch_url, args.threads, prefix, secret if secret != "-" else None)
        return

    import os
    import secrets

    from graph.driver import Graph
    from search.client import make_client
    from search.indexer import Indexer

    base = Settings.from_env()
    servers: list[subprocess.Popen] = []
    if args.national:
        settings = base
        endpoints = manager.endpoints(settings, "default")
        prefix, secret = settings.index_prefix, secrets.token_urlsafe(24)
    else:
        settings = base.replace(neo4j_uri=None, opensearch_url=None, neo4j_bolt_port=process.free_port(),
                                neo4j_http_port=process.free_port(), opensearch_port=process.free_port(),
                                neo4j_pagecache="512m")
        print("Démarrage des moteurs privés…", flush=True)
        manager.up(settings, INSTANCE)
        endpoints = manager.endpoints(settings, INSTANCE)
        prefix, secret = PREFIX, None
    graph = Graph.from_settings(settings, endpoints.neo4j_uri)
    client = make_client(settings, endpoints.opensearch_url)
    try:
        if args.national:
            rows, token = national_places(graph, args.places), secret
            since = graph.read("RETURN datetime() AS now")[0]["now"]
        else:
            rows, token = seed(graph, args.places)
            Indexer(graph, client, PREFIX).build()
            since = None
        ports = [process.free_port() for _ in range(args.workers)]
        for port in ports:
            servers.append(subprocess.Popen([sys.executable, __file__, "--threads", str(args.threads), "--serve",
                                             str(port), endpoints.neo4j_uri, endpoints.opensearch_url, prefix,
                                             secret or "-"], cwd=ROOT))
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
        print(f"Charge moyenne avant : {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        report = drive(args, rows, token, ports)
        print(f"Charge moyenne après : {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        check(graph, client, report, rows, prefix, since)
        visibility(client, rows, token, ports, prefix)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=20)
        client.close()
        graph.close()
        if not args.national:
            manager.down(settings, INSTANCE)
            shutil.rmtree(settings.engines_dir / "instances" / INSTANCE, ignore_errors=True)


class Http:
    """A keep-alive HTTP/1.1 client on loopback (http.client: a fraction of requests' CPU per call, which matters
    when the load generator shares the 2 vCPUs with the system it measures). Reconnects after an error."""

    def __init__(self, ports: list[int], headers: dict[str, str]):
        self.ports, self.headers, self.conns = ports, headers, {}

    def call(self, method: str, port: int, path: str, body: dict | None = None) -> int | str:
        conn = self.conns.get(port)
        if conn is None:
            conn = self.conns[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = dict(self.headers)
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            self.conns.pop(port, None)
            return type(exc).__name__


def drive(args, rows, token, ports) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    places = [(r["place"], r["beds"]) for r in rows]
    origins = [(r["lat"], r["lon"]) for r in rows[:: max(1, len(rows) // 20)]]
    last_write: dict[str, dict] = {}
    write_latency: list[float] = []
    search_latency: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    stop = threading.Event()
    start = time.perf_counter() + 1.0
    total = int(args.rate * args.seconds)

    def writer(i: int) -> None:
        client = Http(ports, headers)
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
            t0 = time.perf_counter()
            status = client.call("PUT", ports[seq % len(ports)], f"/api/v1/places/{place}/capacity", body)
            elapsed = time.perf_counter() - t0
            with lock:
                write_latency.append(elapsed)
                if status == 200:
                    last_write[place] = body
                else:
                    errors[f"write {status}"] = errors.get(f"write {status}", 0) + 1

    def searcher(i: int) -> None:
        client = Http(ports, {})
        rng = random.Random(1000 + i)
        while not stop.is_set():
            lat, lon = origins[rng.randrange(len(origins))]
            gender = rng.choice(["any", "women", "men"])
            path = (f"/api/v1/orientation/beds"
                    f"?activity={args.search_activity}&lat={lat}&lon={lon}&radius_km=60&gender={gender}")
            t0 = time.perf_counter()
            status = client.call("GET", ports[rng.randrange(len(ports))], path)
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


def check(graph, client, report: dict, rows: list[dict], prefix: str, since) -> None:
    """Lost updates, one latest per place, snapshots == audit entries == acknowledged writes, index == graph."""
    last = report["last_write"]
    ids = [r["place"] for r in rows]
    found = graph.read("UNWIND $ids AS id MATCH (p:Place {id: id}) "
                       "OPTIONAL MATCH (p)-[:HAS_CAPACITY]->(k:CapacitySnapshot) "
                       "WHERE $since IS NULL OR k.updated_at >= $since "
                       "WITH p, count(k) AS snapshots "
                       "OPTIONAL MATCH (p)-[:HAS_CAPACITY]->(x:CapacitySnapshot {latest: true}) "
                       "WITH p, snapshots, collect(x) AS latest "
                       "RETURN p.id AS id, snapshots, size(latest) AS latest_count, "
                       "[x IN latest | x {.available_women, .available_men, .forecast_d, .note}][0] AS state",
                       ids=ids, since=since)
    lost = [r["id"] for r in found if r["id"] in last and (r["state"] is None or any(
        r["state"][k] != v for k, v in last[r["id"]].items()))]
    multi = [r["id"] for r in found if r["latest_count"] > 1]
    snapshots = sum(r["snapshots"] for r in found)
    audits = graph.read("MATCH (a:AuditEntry {action: 'capacity.update'}) WHERE a.target_id IN $ids "
                        "AND ($since IS NULL OR a.at >= $since) RETURN count(a) AS c", ids=ids, since=since)[0]["c"]
    client.indices.refresh(index=f"{prefix}-offers")
    states = {o: r["state"] for r in found for row in rows if row["place"] == r["id"] for o in row["offers"]}
    written = [o for row in rows if row["place"] in last for o in row["offers"]]
    stale_index = 0
    for startat in range(0, len(written), 500):
        chunk = written[startat:startat + 500]
        hits = client.search(index=f"{prefix}-offers", body={"query": {"ids": {"values": chunk}},
                                                             "size": len(chunk)})["hits"]["hits"]
        for hit in hits:
            cap = hit["_source"].get("capacity") or {}
            state = states[hit["_id"]]
            if cap.get("available_women") != state["available_women"] or cap.get("available_men") != state[
                    "available_men"]:
                stale_index += 1
        stale_index += len(chunk) - len(hits)
    print(f"Contrôle : places écrites {len(last)}, mises à jour perdues {len(lost)}, places avec plusieurs "
          f"« latest » {len(multi)}, instantanés {snapshots} / écritures acceptées {report['writes_ok']}, "
          f"entrées d'audit {audits}, documents d'index en retard {stale_index}")


def visibility(client, rows, token, ports, prefix: str, probes: int = 20) -> None:
    """Delay from the acknowledged PUT to the new value being returned by a search (no forced refresh). Each
    probe starts at a random moment: back-to-back probes would all start just after an index refresh (the
    previous probe ended on one) and measure the whole refresh interval every time."""
    session, delays = requests.Session(), []
    rng = random.Random(3)
    for i in range(probes):
        time.sleep(rng.uniform(0, 1.0))
        row = rows[i % len(rows)]
        women = (i % max(1, row["beds"] // 2)) + 1
        url = f"http://127.0.0.1:{ports[0]}/api/v1/places/{row['place']}/capacity"
        response = session.put(url, json={"available_women": women, "available_men": 0, "note": f"sonde {i}"},
                               headers={"Authorization": f"Bearer {token}"}, timeout=30)
        if response.status_code != 200:
            continue
        acked = time.perf_counter()
        body = {"query": {"bool": {"filter": [{"ids": {"values": [row["offers"][0]]}},
                                              {"term": {"capacity.available_women": women}}]}}}
        while time.perf_counter() - acked < 10:
            if client.count(index=f"{prefix}-offers", body=body)["count"]:
                delays.append(time.perf_counter() - acked)
                break
            time.sleep(0.02)
    print(f"Visibilité dans la recherche après l'acquittement ({len(delays)}/{probes} sondes) : "
          f"médiane {1000 * percentile(delays, 50):.0f} ms, max {1000 * max(delays or [float('nan')]):.0f} ms")


if __name__ == "__main__":
    main()
