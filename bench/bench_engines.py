"""Measure cold start time (artifacts cached) and resident memory of each local engine.

Usage: .venv/bin/python bench/bench_engines.py [--runs 3]
Starts a private instance on free ports, so it does not disturb `ror engines up`.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time

from core.settings import Settings
from engines import process
from engines.manager import local_servers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    base = Settings.from_env()
    timings: dict[str, list[float]] = {"neo4j": [], "opensearch": []}
    rss: dict[str, list[float]] = {"neo4j": [], "opensearch": []}
    for run in range(args.runs):
        instance = f"bench-{run}"
        settings = base.replace(neo4j_bolt_port=process.free_port(), neo4j_http_port=process.free_port(),
                                opensearch_port=process.free_port())
        servers = local_servers(settings, instance)
        try:
            for server in servers:
                server.install()
                start = time.perf_counter()
                server.start()
                timings[server.name].append(time.perf_counter() - start)
            time.sleep(5)  # let both settle before reading memory
            for server in servers:
                rss[server.name].append(server.status().rss_mib or 0.0)
        finally:
            for server in servers:
                server.stop()
            shutil.rmtree(settings.engines_dir / "instances" / instance, ignore_errors=True)
    for name in timings:
        print(f"{name:<11} start s: median {statistics.median(timings[name]):.1f} "
              f"(runs {', '.join(f'{t:.1f}' for t in timings[name])}); "
              f"RSS MiB after start: median {statistics.median(rss[name]):.0f}")


if __name__ == "__main__":
    main()
