"""How long the web app takes to answer 503 with Neo4j down (issue 19, finding 7): the web app's interactive
driver (ROR_NEO4J_INTERACTIVE_TIMEOUT_S) next to the driver's defaults, which the app used before.

    .venv/bin/python bench/bench_fail_fast.py [--runs 3]

Neo4j is "down" as a closed local port (connection refused: the case of a stopped server). OpenSearch is not
needed. Prints, per request kind, the median seconds to the answer and its status, for both drivers.
"""

from __future__ import annotations

import argparse
import logging
import socket
import statistics
import time

from core.settings import Settings
from graph.driver import Graph
from web import create_app

REQUESTS = {
    "login": ("post", "/api/v1/auth/login", {"json": {"username": "x", "password": "y" * 12}}),
    "capacity write": ("put", "/api/v1/places/p/capacity",
                       {"json": {"available_men": 1}, "headers": {"Authorization": "Bearer ror_abc_def"}}),
    "FHIR read": ("get", "/fhir/Location/p", {}),
    "health": ("get", "/api/v1/health", {}),
}


def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"bolt://127.0.0.1:{s.getsockname()[1]}"


def measure(uri: str, interactive: bool, runs: int) -> dict[str, tuple[float, int]]:
    settings = Settings.from_env().replace(neo4j_uri=uri, opensearch_url="http://127.0.0.1:9")
    graph = Graph.from_settings(settings, uri, interactive=interactive)
    app = create_app(settings, graph=graph)
    client = app.test_client()
    found = {}
    try:
        for name, (method, path, kwargs) in REQUESTS.items():
            times, status = [], None
            for _ in range(runs):
                started = time.perf_counter()
                status = getattr(client, method)(path, **kwargs).status_code
                times.append(time.perf_counter() - started)
            found[name] = (statistics.median(times), status)
    finally:
        graph.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with open("/proc/loadavg") as load:
        print("loadavg:", load.read().strip())
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)  # the driver's retry warnings, one per attempt
    for down, uri in (("closed port", closed_port()),):
        for label, interactive in (("interactive driver", True), ("driver defaults (before)", False)):
            print(f"Neo4j down ({down}), {label}:")
            for name, (seconds, status) in measure(uri, interactive, args.runs).items():
                print(f"  {name:<15} {seconds:6.2f} s  → {status}")


if __name__ == "__main__":
    main()
