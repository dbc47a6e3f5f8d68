"""The pages people use every day, timed over HTTP on the national demo: the result page of the SCENARIOS.md
clinician scenarios, the capacity board of the largest région and its population follow-up (time and bytes per
page, cold and kept).

Usage: .venv/bin/python bench/bench_pages.py [--rounds 10] [--region auto|11] [--port 0]
Uses NEO4J_URI / OPENSEARCH_URL (default: the shared national demo, bolt 7687 / http 9200, index prefix `ror`),
read-only: no account is created, the app maps a per-run random header secret to an in-memory administrator
("bench-pages") instead. The app runs in this process (werkzeug, threaded) on a loopback port; requests are
sequential (one person at a time: the figure is the page's own time, not a throughput). Prints the load average
with every figure.
"""

from __future__ import annotations

import argparse
import http.client
import logging
import os
import secrets
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import load_average, percentile  # noqa: E402

from core.settings import Settings  # noqa: E402

HEADER = "X-Bench-Admin"
# The clinician scenarios of SCENARIOS.md (1–8) as result-page URLs.
SCENARIOS = {
    "1 avis spécialisé (Belley, cardio, 70 ans)": {"mode": "specialist_opinion", "quoi": "cardio", "ou": "Belley",
                                                   "age": "10"},
    "2 équipe pour un acte (Mont-de-Marsan, thrombectomie)": {"mode": "act_team", "quoi": "thrombectomie",
                                                              "ou": "Mont-de-Marsan"},
    "2b même chose tapée en avis spécialisé": {"mode": "specialist_opinion", "quoi": "thrombectomie",
                                               "ou": "Mont-de-Marsan"},
    "3 IRM ouverte maintenant (Bayonne, 40 km)": {"mode": "equipment", "quoi": "IRM", "ou": "Bayonne", "ouvert": "1",
                                                 "rayon": "40"},
    "4 lit de gériatrie pour une femme (Périgueux, 30 km)": {"mode": "beds", "lits": "1", "quoi": "gériatrie",
                                                            "genre": "women", "ou": "Périgueux", "rayon": "30"},
    "5 hygiène (Rouen, activité 063)": {"mode": "specialist_opinion", "quoi": "063", "ou": "Rouen"},
    "6 soins palliatifs (Agen)": {"mode": "specialist_opinion", "quoi": "soins palliatifs", "ou": "Agen"},
    "7 urgences d'un enfant de 3 ans (Lyon)": {"mode": "specialist_opinion", "quoi": "urgences", "ou": "Lyon",
                                              "age": "03"},
    "8 accents et fautes (st jean de luz, imagerie par résonance magnétique)": {
        "mode": "equipment", "quoi": "imagerie par résonance magnétique", "ou": "st jean de luz"},
}


def serve(settings: Settings, secret: str, port: int):
    from flask import g, request
    from werkzeug.serving import make_server

    from accounts.models import Principal, User
    from web import create_app

    app = create_app(settings)
    admin = User("bench-pages", "admin", display_name="banc des pages (synthétique)")

    @app.before_request
    def bench_principal():
        if request.headers.get(HEADER) == secret:
            g.ror_principal = Principal(admin, via="token:bench", ip=request.remote_addr)

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request would bury the figures
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, name="bench-pages", daemon=True).start()
    return server, app


def get(port: int, path: str, secret: str) -> tuple[int, float, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    conn.request("GET", path, headers={HEADER: secret})
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    conn.close()
    return response.status, elapsed, len(body)


def measure(port: int, secret: str, label: str, path: str, rounds: int) -> dict:
    times, sizes, statuses = [], [], set()
    for _ in range(rounds):
        status, ms, size = get(port, path, secret)
        times.append(ms)
        sizes.append(size)
        statuses.add(status)
    row = {"label": label, "p50": percentile(times, 50), "p95": percentile(times, 95), "max": max(times),
           "kB": max(sizes) / 1000, "statuses": sorted(statuses), "load": load_average()}
    print(f"| {label} | {row['p50']:.0f} | {row['p95']:.0f} | {row['max']:.0f} | {row['kB']:.1f} | "
          f"{','.join(map(str, row['statuses']))} | {row['load']} |", flush=True)
    return row


def largest_region(app) -> str:
    from web.services import services

    with app.app_context():
        rows = services(app).get_graph().read(
            "MATCH (d:Department)<-[:IN]-(:Commune)<-[:IN]-(s:Site) RETURN d.region_code AS region, count(s) AS n "
            "ORDER BY n DESC LIMIT 1")
    return rows[0]["region"]


def cold(app, kind: str, region: str) -> float:
    """Seconds to build a région's kept table (what the first look after a start costs, in the background): the
    pages' own path (`prepare`: build, then one catch-up with the change feed, so the first page read afterwards
    is an ordinary one, as for a person who saw « préparation en cours »)."""
    from web.services import services

    with app.app_context():
        tables = services(app).board_tables if kind == "board" else services(app).population_tables
        started = time.perf_counter()
        if not tables.prepare(region, wait_s=1800):
            raise SystemExit(f"the {kind} table of région {region} was not ready after 30 min")
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--region", default="auto")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    settings = Settings.from_env(neo4j_uri=os.environ.get("NEO4J_URI", "bolt://127.0.0.1:7687"),
                                 opensearch_url=os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9200"))
    secret = secrets.token_urlsafe(24)
    server, app = serve(settings, secret, args.port)
    port = server.port
    region = largest_region(app) if args.region == "auto" else args.region
    print(f"national demo, région {region}, load {load_average()}, {args.rounds} rounds per page\n", flush=True)
    head = "| page | p50 ms | p95 ms | max ms | kB | status | load (1/5/15 min) |\n|---|---:|---:|---:|---:|---|---|"

    print("Result pages (SCENARIOS.md 1–8), each once unmeasured first:\n" + head)
    for label, params in SCENARIOS.items():
        path = "/?" + urlencode(params, quote_via=quote)
        get(port, path, secret)
        measure(port, secret, label, path, args.rounds)

    print(f"\nCapacity board, région {region}: cold build {cold(app, 'board', region):.1f} s (load {load_average()})\n"
          + head)
    base = f"/coordination/capacites?region={region}"
    for label, suffix in (("départements × activités, page 1", ""),
                          ("établissements, tri lits disponibles ↓", "&vue=sites&tri=disponibles&ordre=desc"),
                          ("unités périmées, page 3", "&vue=unites&fraicheur=perimees&page=3"),
                          ("un département, champ MCO", "&departement=" + ("75" if region == "11" else "")
                           + "&famille=champ-01"),
                          ("CSV de toutes les unités", "&vue=unites"), ):
        path = (base.replace("/coordination/capacites", "/coordination/capacites.csv") if "CSV" in label
                else base) + suffix
        measure(port, secret, label, path, args.rounds)

    print(f"\nPopulation follow-up, région {region}: cold build {cold(app, 'population', region):.1f} s "
          f"(load {load_average()})\n" + head)
    base = f"/coordination/peuplement?region={region}"
    for label, suffix in (("page 1", ""), ("lancée non validée, tri % unités ↓, page 2",
                                           "&etat=en-cours&tri=unites&ordre=desc&page=2")):
        measure(port, secret, label, base + suffix, args.rounds)
    server.shutdown()


if __name__ == "__main__":
    main()
