"""Single OpenSearch node vs a local 3-node cluster on the same machine: nearest-site search through the orientation
service (p50/p95, closed-loop throughput), the cost in memory, and the time back to green after a node restart.

The national FINESS sites are copied (read-only scan) from a running index (default: the shared demo's
`ror-sites` on http://127.0.0.1:9200) into each topology, with the product's own index settings, so both answer
the same questions on the same documents. Nothing is written to the source.

    .venv/bin/python -m bench.bench_cluster --queries 2000 --clients 8

Figures are printed; docs/benchmarks.md records them with the command and the machine's load.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import threading
import time

from common import load_average, percentile
from opensearchpy import helpers

from core.settings import Settings
from engines import manager, process
from search.client import make_client
from search.mappings import index_body
from search.models import Where
from search.orientation import OrientationService

PREFIX = "benchcluster"
METRO = (42.4, 51.0, -4.7, 8.1)


def free_base_port(nodes: int) -> int:
    for _ in range(100):
        base = process.free_port()
        ports = [base + i for i in range(nodes)] + [base + 100 + i for i in range(nodes)]
        if max(ports) < 65535 and not any(process.port_in_use(p) for p in ports[1:]):
            return base
    raise RuntimeError("no free ports")


def copy_sites(source, target, source_alias: str) -> int:
    """Same per-région physical indices behind `<PREFIX>-sites`, filled from the source's documents."""
    physical = sorted(source.indices.get_alias(name=source_alias))
    actions = []
    for index in physical:
        region = index.split("-")[-2]
        name = f"{PREFIX}-sites-{region}-v1"
        target.indices.create(index=name, body=index_body("sites", building=False), request_timeout=120)
        for doc in helpers.scan(source, index=index, size=2000):
            actions.append({"_index": name, "_id": doc["_id"], "_source": doc["_source"]})
    ok, _ = helpers.bulk(target, actions, chunk_size=2000, request_timeout=120)
    target.indices.refresh(index=f"{PREFIX}-sites-*", request_timeout=120)
    target.indices.put_alias(index=f"{PREFIX}-sites-*", name=f"{PREFIX}-sites", request_timeout=120)
    return ok


def questions(n: int, categories: list[str], seed: int = 18) -> list[tuple[float, float, str | None]]:
    rng = random.Random(seed)
    return [(rng.uniform(*METRO[:2]), rng.uniform(*METRO[2:]), rng.choice(categories)) for _ in range(n)]


def run_load(service: OrientationService, asks: list, clients: int) -> dict:
    latencies, errors = [], []
    lock = threading.Lock()
    cursor = iter(range(len(asks)))

    def worker() -> None:
        while True:
            with lock:
                i = next(cursor, None)
            if i is None:
                return
            lat, lon, category = asks[i]
            started = time.perf_counter()
            try:
                service.nearest_sites(Where(lat=lat, lon=lon), limit=5, category=category)
            except Exception as exc:  # noqa: BLE001 - counted
                with lock:
                    errors.append(repr(exc))
                continue
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {"p50": statistics.median(latencies), "p95": percentile(latencies, 95), "rps": len(latencies) / seconds,
            "errors": len(errors)}


def wait_green(client, nodes: int, bound: float = 600) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < bound:
        # 408 = not green within the 5 s the request waited: ask again
        health = client.cluster.health(params={"wait_for_status": "green", "timeout": "5s"}, request_timeout=60,
                                       ignore=[408])
        if health["status"] == "green" and health["number_of_nodes"] == nodes:
            return time.perf_counter() - started
    raise RuntimeError("not green")


def bench(nodes: int, base: Settings, source, source_alias: str, args) -> None:
    instance = f"bench-cluster-{nodes}"
    settings = base.replace(opensearch_url=None, search_nodes=nodes, opensearch_port=free_base_port(nodes))
    servers = manager.search_servers(settings, instance, nodes)
    try:
        started = time.perf_counter()
        for server in servers:
            server.launch()
        for server in servers:
            server.wait_ready()
        up_s = time.perf_counter() - started
        client = make_client(settings, ",".join(s.url for s in servers))
        copied = copy_sites(source, client, source_alias)
        green_s = wait_green(client, nodes)
        rss = sum(server.status().rss_mib or 0 for server in servers)
        service = OrientationService(None, client, settings.replace(index_prefix=PREFIX))
        aggs = client.search(index=f"{PREFIX}-sites", body={
            "size": 0, "aggs": {"c": {"terms": {"field": "category_code", "size": 30}}}})["aggregations"]
        categories = sorted(b["key"] for b in aggs["c"]["buckets"])
        run_load(service, questions(200, categories, seed=1), args.clients)  # warm-up
        result = run_load(service, questions(args.queries, categories), args.clients)
        print(f"{nodes} node(s): up {up_s:.1f} s, {copied} sites copied, green {green_s:.1f} s, RSS {rss:.0f} MiB; "
              f"nearest-5 by category, {args.queries} questions, {args.clients} clients: p50 {result['p50']:.1f} ms, "
              f"p95 {result['p95']:.1f} ms, {result['rps']:.0f} req/s, errors {result['errors']}; "
              f"load {load_average()}", flush=True)
        if nodes > 1:
            victim = servers[1]
            victim.stop()
            while client.cluster.health(request_timeout=60)["number_of_nodes"] != nodes - 1:
                time.sleep(0.5)
            during = run_load(service, questions(args.queries // 2, categories, seed=2), args.clients)
            restarted = time.perf_counter()
            victim.start()
            back_s = time.perf_counter() - restarted
            green_again = wait_green(client, nodes)
            print(f"{nodes} nodes, one stopped: p50 {during['p50']:.1f} ms, p95 {during['p95']:.1f} ms, "
                  f"{during['rps']:.0f} req/s, errors {during['errors']}; node restart to healthy {back_s:.1f} s, "
                  f"then green with {nodes} nodes after {green_again:.1f} s more; load {load_average()}", flush=True)
        client.close()
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(settings.engines_dir / "instances" / instance, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", default="http://127.0.0.1:9200")
    parser.add_argument("--source-alias", default="ror-sites")
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--nodes", type=int, nargs="+", default=[1, 3])
    args = parser.parse_args()
    base = Settings.from_env()
    source = make_client(base, args.source)
    for nodes in args.nodes:
        bench(nodes, base, source, args.source_alias, args)


if __name__ == "__main__":
    main()
