"""Nearest-k and radius questions: the product (orientation service on its sites index) next to a PostgreSQL +
PostGIS peer loaded with the same FINESS sites, in the same run, question by question interleaved (same window).

The peer is a private PostgreSQL cluster started from the Debian packages (postgresql-15, postgresql-15-postgis-3)
in a temporary folder on a free port, stopped and deleted at the end. The sites are read (scan, read-only) from the
product's index, so both sides hold the very same documents. Agreement: the product's answer against PostGIS's
sphere distance (ties at the k-th distance aside).

    apt-get install postgresql-15-postgis-3 && .venv/bin/pip install "psycopg[binary]"
    OPENSEARCH_URL=http://127.0.0.1:9200 .venv/bin/python -m bench.bench_postgis --questions 200

Figures are printed; docs/benchmarks.md records them with the command and the machine's load.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import percentile
from opensearchpy import helpers

from core.settings import Settings
from engines import manager, process
from search.client import make_client
from search.models import Where
from search.orientation import OrientationService

PG_BIN = Path("/usr/lib/postgresql/15/bin")
METRO = (42.4, 51.0, -4.7, 8.1)


def as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the packages' `postgres` user then."""
    if os.geteuid() != 0:
        return cmd
    return ["setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups", *cmd]


class Peer:
    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="ror-postgis-"))
        self.port = process.free_port()
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self.data = self.folder / "data"

    def start(self) -> None:
        subprocess.run(as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                                    "--no-sync", "-E", "UTF8"]), check=True, capture_output=True)
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c shared_buffers=128MB "
                   "-c fsync=off -c synchronous_commit=off -c jit=off")
        subprocess.run(as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
                                    "-l", str(self.folder / "log"), "-w", "start"]), check=True, capture_output=True)

    def stop(self) -> None:
        subprocess.run(as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]),
                       check=False, capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    def connect(self):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True)


def read_sites(client, alias: str) -> list[tuple[str, str, float, float]]:
    rows = []
    for doc in helpers.scan(client, index=alias, size=2000, _source=["finess", "category_code", "location"]):
        s = doc["_source"]
        if s.get("location"):
            rows.append((s["finess"], s.get("category_code") or "", s["location"]["lat"], s["location"]["lon"]))
    return rows


def load_peer(conn, sites) -> float:
    started = time.perf_counter()
    conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    conn.execute("CREATE TABLE sites (finess text PRIMARY KEY, category_code text, geog geography(Point, 4326))")
    buffer = io.StringIO("".join(f"{f}\t{c}\tSRID=4326;POINT({lon} {lat})\n" for f, c, lat, lon in sites))
    with conn.cursor().copy("COPY sites (finess, category_code, geog) FROM STDIN") as copy:
        copy.write(buffer.getvalue())
    conn.execute("CREATE INDEX sites_geog ON sites USING gist (geog)")
    conn.execute("CREATE INDEX sites_category ON sites (category_code)")
    conn.execute("ANALYZE sites")
    return time.perf_counter() - started


NEAREST = ("SELECT finess, ST_Distance(geog, p, false) / 1000 FROM sites, "
           "(SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography AS p) o "
           "WHERE category_code = %(c)s ORDER BY geog <-> p LIMIT %(k)s")
RADIUS = ("SELECT finess, ST_Distance(geog, p, false) / 1000 FROM sites, "
          "(SELECT ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)::geography AS p) o "
          "WHERE category_code = %(c)s AND ST_DWithin(geog, p, %(r)s * 1000, false) ORDER BY geog <-> p LIMIT %(k)s")


def agree(product: list[tuple[str, float]], peer: list[tuple[str, float]]) -> bool:
    """Same sites, ties at the last distance aside (10 m), distances within 100 m."""
    if len(product) != len(peer):
        return False
    if not peer:
        return True
    kth = peer[-1][1]
    got, want = dict(product), dict(peer)
    if any(abs(got[i] - d) > 0.1 for i, d in want.items() if i in got):
        return False
    return all(abs(got.get(i, want.get(i)) - kth) <= 0.01 for i in set(got) ^ set(want))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prefix", default=None, help="index prefix of the product (default ROR_INDEX_PREFIX)")
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--radius-km", type=float, default=20.0)
    args = parser.parse_args()
    settings = Settings.from_env()
    if args.prefix:
        settings = settings.replace(index_prefix=args.prefix)
    client = make_client(settings, manager.endpoints(settings).opensearch_url)
    service = OrientationService(None, client, settings)
    sites = read_sites(client, f"{settings.index_prefix}-sites")
    counts: dict[str, int] = {}
    for _, category, _, _ in sites:
        counts[category] = counts.get(category, 0) + 1
    categories = sorted(c for c, n in counts.items() if n >= 200 and c)
    rng = random.Random(18)
    asks = [(rng.uniform(*METRO[:2]), rng.uniform(*METRO[2:]), rng.choice(categories)) for _ in range(args.questions)]
    peer = Peer()
    try:
        peer.start()
        with peer.connect() as conn:
            load_s = load_peer(conn, sites)
            print(f"peer: {len(sites)} sites loaded and indexed in {load_s:.1f} s; {len(categories)} categories "
                  f"with ≥ 200 sites", flush=True)
            for kind in ("nearest", "radius"):
                times = {"product": [], "postgis": []}
                agreed = 0
                for lat, lon, category in asks[:20]:  # warm-up both sides
                    service.nearest_sites(Where(lat=lat, lon=lon), limit=args.k, category=category)
                    conn.execute(NEAREST, {"lat": lat, "lon": lon, "c": category, "k": args.k}).fetchall()
                for lat, lon, category in asks:
                    radius = args.radius_km if kind == "radius" else None
                    limit = 100 if kind == "radius" else args.k
                    started = time.perf_counter()
                    hits = service.nearest_sites(Where(lat=lat, lon=lon), limit=limit, category=category,
                                                 radius_km=radius)
                    times["product"].append((time.perf_counter() - started) * 1000)
                    params = {"lat": lat, "lon": lon, "c": category, "k": limit, "r": radius}
                    started = time.perf_counter()
                    rows = conn.execute(RADIUS if radius else NEAREST, params).fetchall()
                    times["postgis"].append((time.perf_counter() - started) * 1000)
                    agreed += agree([(h.finess, h.distance_km) for h in hits], [(f, float(d)) for f, d in rows])
                line = ", ".join(f"{side} p50 {statistics.median(t):.2f} ms / p95 {percentile(t, 95):.2f} ms"
                                 for side, t in times.items())
                ratio = percentile(times["product"], 95) / percentile(times["postgis"], 95)
                what = f"nearest-{args.k}" if kind == "nearest" else f"radius {args.radius_km:g} km (≤ 100)"
                print(f"{what} by category, {len(asks)} questions: {line}; p95 ratio product/PostGIS {ratio:.2f}; "
                      f"agreement {agreed}/{len(asks)}; load {' '.join(Path('/proc/loadavg').read_text().split()[:3])}",
                      flush=True)
    finally:
        peer.stop()
        client.close()


if __name__ == "__main__":
    main()
