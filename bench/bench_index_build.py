"""National orientation index build: where the time goes, then the full build under a private prefix.

Phases (each kind alone, one after the other, nothing written): the projection streamed from Neo4j
(`read`), plus the Python documents (`documents`), plus their NDJSON encoding (`encode`); then the full
`Indexer.build` (kinds in parallel, bulk writers, alias swap) under `--prefix`, whose indices are deleted at the
end unless `--keep`. Prints one line per measure with the load average, and writes artifacts/bench/index_build.json.

    NEO4J_URI=bolt://127.0.0.1:7687 OPENSEARCH_URL=http://127.0.0.1:9200 \\
        .venv/bin/python -m bench.bench_index_build --prefix h18 --phases --build
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import orjson

import cypher
from core.settings import Settings
from engines import manager
from graph.driver import Graph
from search.client import make_client
from search.documents import DOCUMENT_ID, TO_DOCUMENT
from search.indexer import BUILD_FETCH, Indexer
from search.mappings import KINDS


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def phases(graph: Graph, kinds: list[str]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for kind in kinds:
        times: dict[str, float] = {}
        for phase in ("read", "documents", "encode"):
            started, rows = time.perf_counter(), 0
            cpu = time.process_time()
            for values in graph.stream(cypher.query(f"index/{kind}"), {"ids": None}, fetch_size=BUILD_FETCH,
                                       plain_values=False):
                rows += 1
                if phase != "read":
                    doc = TO_DOCUMENT[kind](values)
                    if phase == "encode":
                        orjson.dumps(doc[DOCUMENT_ID[kind]])
                        orjson.dumps(doc)
            times[phase] = round(time.perf_counter() - started, 1)
            times[f"{phase}_python_cpu"] = round(time.process_time() - cpu, 1)
            print(f"{kind:<14} {phase:<10} {rows:>8} rows {times[phase]:>7.1f} s "
                  f"(Python CPU {times[f'{phase}_python_cpu']:.1f} s)  load {load()}", flush=True)
        out[kind] = times
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--prefix", default="bench-build", help="private index prefix (never the demo's `ror`)")
    parser.add_argument("--kind", dest="kinds", action="append", choices=KINDS)
    parser.add_argument("--phases", action="store_true", help="time read / documents / encode per kind")
    parser.add_argument("--build", action="store_true", help="full build under --prefix")
    parser.add_argument("--keep", action="store_true", help="keep the built indices")
    args = parser.parse_args()
    if args.prefix == "ror":
        parser.error("--prefix ror is the demo's own index: choose a private prefix")
    settings = Settings.from_env()
    kinds = args.kinds or list(KINDS)
    endpoints = manager.endpoints(settings)
    graph = Graph.from_settings(settings, endpoints.neo4j_uri)
    client = make_client(settings, endpoints.opensearch_url)
    result: dict = {"load_before": load(), "kinds": kinds}
    try:
        if args.phases:
            result["phases"] = phases(graph, kinds)
        if args.build:
            print(f"build under {args.prefix!r}, load {load()}", flush=True)
            report = Indexer(graph, client, args.prefix).build(kinds)
            result["build"] = {"seconds": round(report.seconds, 1), "counts": report.counts,
                               "indices": sum(len(v) for v in report.indices.values()), "load_after": load()}
            print(f"build {report.seconds:.1f} s  {report.counts}  load {load()}", flush=True)
            if not args.keep:
                client.indices.delete(index=f"{args.prefix}-*", request_timeout=120)
                print(f"deleted {args.prefix}-*")
    finally:
        graph.close()
    out = Path("artifacts/bench/index_build.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
