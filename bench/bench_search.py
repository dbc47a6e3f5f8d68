"""Search benchmark: full index build time, p50/p95 latency per query type through the orientation service,
and (on a graph you may write) the delay between a capacity change in the graph and its visibility in search.

    .venv/bin/python -m bench.bench_search --prefix bench --build --queries 1000
    .venv/bin/python -m bench.bench_search --neo4j bolt://127.0.0.1:27687 --opensearch http://127.0.0.1:29200 \
        --prefix dev --sync-delay --allow-write

Figures are printed; docs/benchmarks.md records them with the command used.
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from common import percentile

from bench.bench_http import PREFIXES, WORDS
from core.errors import BadRequest
from core.settings import Settings
from graph.driver import Graph
from search.client import make_client
from search.indexer import Indexer
from search.models import ActTeamQuery, BedsQuery, EquipmentQuery, Gender, SpecialistOpinionQuery, TextQuery, Where
from search.orientation import OrientationService

CAPACITY_UPDATE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "search" / "capacity_update.cypher"


def codes_in_index(client, alias: str, field: str, size: int = 200, extra: dict | None = None) -> list[str]:
    body = {"size": 0, "aggs": {"c": {"terms": {"field": field, "size": size}}}}
    if extra:
        body["query"] = extra
    return [b["key"] for b in client.search(index=alias, body=body)["aggregations"]["c"]["buckets"]]


def make_queries(service: OrientationService, n: int, seed: int) -> dict[str, list]:
    """Varied queries: origins are communes (by name, postal code or INSEE code) and random points."""
    rng = random.Random(seed)
    client, alias = service.client, service.names.alias("offers")
    communes = [c for c in service.gazetteer.by_insee.values() if c.kind == "commune-actuelle"]
    unique_names = [c for c in communes if len(service.gazetteer.by_key.get(_key(c.name), [])) == 1]
    activities = codes_in_index(client, alias, "activity_codes")
    acts = codes_in_index(client, alias, "act_codes") or ["0459"]
    equipment = codes_in_index(client, alias, "equipment_codes") or ["054"]
    bed_activities = codes_in_index(client, alias, "activity_codes",
                                    extra={"range": {"capacity.available_total": {"gte": 1}}}) or activities
    labels = [service.vocabulary.label("activity", c) or c for c in activities]

    def where():
        roll, c = rng.random(), rng.choice(unique_names)
        if roll < 0.5:
            return Where(text=c.name)
        if roll < 0.7:
            return Where(text=f"insee:{c.insee}")
        return Where(lat=c.lat + rng.uniform(-0.05, 0.05), lon=c.lon + rng.uniform(-0.05, 0.05))

    def radius():
        return rng.choice([None, None, 10, 30, 50, 100])

    return {
        "specialist_opinion": [SpecialistOpinionQuery(activity=rng.choice(activities), where=where(),
                                                      radius_km=radius(), size=10) for _ in range(n)],
        "act_team": [ActTeamQuery(act=rng.choice(acts), where=where(), radius_km=rng.choice([50, 100, 200]), size=10)
                     for _ in range(n)],
        "equipment": [EquipmentQuery(equipment=rng.choice(equipment), where=where(), radius_km=rng.choice([30, 60]),
                                     open_now=rng.random() < 0.5, size=10) for _ in range(n)],
        "beds": [BedsQuery(activity=rng.choice(bed_activities), where=where(), radius_km=rng.choice([30, 60, 100]),
                           gender=rng.choice(list(Gender)), size=10) for _ in range(n)],
        "text": [TextQuery(text=" ".join(rng.choice(labels).split()[:2]), size=10,
                           where=where() if rng.random() < 0.5 else None, radius_km=50) for _ in range(n)],
        # issue 15: the SAS radius widened, time-critical acts (nearest K), what clinicians type, autocomplete
        "widened": [SpecialistOpinionQuery(activity=rng.choice(activities), where=where(), size=10)
                    for _ in range(n)],
        "time_critical": [ActTeamQuery(act="0459", where=where(), size=10) for _ in range(n)],
        "text_place": [TextQuery(text=rng.choice(WORDS), where=where(), size=10) for _ in range(n)],
        "text_national": [TextQuery(text=rng.choice(WORDS), size=10) for _ in range(n)],
        "autocomplete": [rng.choice(PREFIXES) for _ in range(n)],
    }


def _key(name: str) -> str:
    from geo.gazetteer import name_key

    return name_key(name)


def run_latency(service: OrientationService, n: int, seed: int, kinds: list[str] | None = None) -> None:
    queries = make_queries(service, n, seed)
    if kinds:
        queries = {kind: queries[kind] for kind in kinds}
    for kind, items in queries.items():  # warm-up: JIT, caches, connection pool
        for q in items[:20]:
            _call(service, kind, q)
    print(f"{'query type':<20} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'errors':>6} {'mean hits':>9}")
    for kind, items in queries.items():
        times, errors, hits = [], 0, []
        for q in items:
            started = time.perf_counter()
            try:
                result = _call(service, kind, q)
                hits.append(len(result.hits))
            except BadRequest:
                errors += 1
            times.append((time.perf_counter() - started) * 1000)
        print(f"{kind:<20} {len(items):>5} {percentile(times, 50):>8.1f} {percentile(times, 95):>8.1f} "
              f"{max(times):>8.1f} {errors:>6} {statistics.mean(hits or [0]):>9.1f}")


def _call(service, kind, q):
    if kind == "autocomplete":
        return SimpleNamespace(hits=service.autocomplete(q, limit=8))
    if kind in ("widened", "time_critical", "text_place", "text_national"):
        method = {"widened": "specialist_opinion", "time_critical": "act_team"}.get(kind, "text")
        return getattr(service, method)(q)
    return getattr(service, kind)(q)


def run_sync_delay(graph: Graph, service: OrientationService, indexer: Indexer, rounds: int) -> None:
    """Write a new capacity for an offer, sync, and poll search until the new value is visible."""
    text = CAPACITY_UPDATE.read_text(encoding="utf-8")
    offers = service.client.search(index=service.names.alias("offers"), body={
        "size": rounds, "_source": ["id", "location", "activity_codes"],
        "query": {"bool": {"filter": [{"exists": {"field": "capacity.updated_at"}},
                                      {"exists": {"field": "location"}}]}}})["hits"]["hits"]
    delays, sync_times = [], []
    for n, hit in enumerate(offers):
        src = hit["_source"]
        women = 40 + n
        started = time.perf_counter()
        graph.write(text, offer_id=src["id"], id=f"BENCH-{uuid.uuid4().hex}", available_women=women, available_men=0,
                    available_undifferentiated=0, updated_at=datetime.now(UTC).isoformat())
        written = time.perf_counter()
        indexer.sync()
        sync_times.append(time.perf_counter() - written)
        q = BedsQuery(activity=src["activity_codes"][0], gender=Gender.WOMAN, radius_km=1, size=100,
                      where=Where(lat=src["location"]["lat"], lon=src["location"]["lon"]))
        while not any(h.offer_id == src["id"] and h.capacity.available_women == women
                      for h in service.beds(q).hits):
            time.sleep(0.01)
        delays.append(time.perf_counter() - started)
    print(f"capacity change → visible in search: n={len(delays)} p50 {percentile(delays, 50) * 1000:.0f} ms, "
          f"max {max(delays) * 1000:.0f} ms (of which sync p50 {percentile(sync_times, 50) * 1000:.0f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--neo4j"), parser.add_argument("--opensearch")
    parser.add_argument("--prefix", default="bench", help="index prefix (default: bench, leaves `ror` alone)")
    parser.add_argument("--build", action="store_true", help="time a full index build first")
    parser.add_argument("--queries", type=int, default=1000, help="queries per type")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--kinds", help="query types to time, comma-separated (default: all; the issue 15 ones: "
                                        "widened,time_critical,text_place,text_national,autocomplete)")
    parser.add_argument("--sync-delay", action="store_true", help="measure capacity change → search visibility")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--sync-scan", action="store_true",
                        help="time `ror index sync` when nothing changed (read-only on the graph)")
    parser.add_argument("--allow-write", action="store_true", help="required by --sync-delay (writes the graph)")
    args = parser.parse_args()
    logging.getLogger("neo4j").setLevel(logging.ERROR)

    settings = Settings.from_env().replace(index_prefix=args.prefix)
    graph = Graph.from_settings(settings, args.neo4j)
    client = make_client(settings, args.opensearch)
    indexer = Indexer(graph, client, args.prefix)
    print(f"graph {graph.uri}: {graph.read('MATCH (o:Offer) RETURN count(o) AS c')[0]['c']:,} offers")
    if args.build:
        report = indexer.build()
        print(f"ror index build: {report.seconds:.1f} s for {report.counts} (version v{report.version})")
    service = OrientationService(graph, client, settings)
    if args.queries:
        run_latency(service, args.queries, args.seed, [k for k in (args.kinds or "").split(",") if k])
    if args.sync_scan:
        times = []
        for _ in range(5):
            report = indexer.sync()
            times.append(report.seconds)
        print(f"ror index sync (nothing changed): median {statistics.median(times) * 1000:.0f} ms over 5 runs")
    if args.sync_delay:
        if not args.allow_write:
            raise SystemExit("--sync-delay writes capacity snapshots into the graph: add --allow-write")
        run_sync_delay(graph, service, indexer, args.rounds)
    client.close()
    graph.close()


if __name__ == "__main__":
    main()
