"""Closed-loop throughput of the orientation endpoints driven by `wrk` (a C load generator) instead of Python
client threads, with where the machine's CPU went: web server, OpenSearch, load generator.

Usage:
  .venv/bin/python bench/bench_wrk.py --serve [--connections 20] [--duration 15] [--warmup 5]
      [--endpoints specialist-opinion,act-team,equipment,beds] [--workers N]
  .venv/bin/python bench/bench_wrk.py --url http://127.0.0.1:8000 …   (an app already running)

Why: on a 2-core machine the Python load generator of bench/bench_http.py takes ≈ 0.45 ms of CPU a request
(≈ 0.2 core at 450 req/s) from the cores that the server and OpenSearch share; `wrk` takes ≈ 0.05 ms. The
queries are the same (bench_http's generator, same seed: real communes × the codes most used by the indexed
offers), written to a file that a small Lua script cycles through (each connection starts at a random line).
Needs `wrk` on the PATH (Debian/Ubuntu: `apt-get install wrk`); says so and stops otherwise. Every phase is a
warm-up run (not measured) then the measured run; a non-2xx answer or a socket error is an error (exit 1).
Latency percentiles come from wrk's own histogram (its `done` hook). The CPU split reads /proc before and
after the measured run: the server's process tree (with `--serve`), the OpenSearch JVM (found by its main
class) and wrk. Read-only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_http import ROOT, add_run_options, cpu_seconds, process_tree, query_makers, start_server, top_codes
from common import load_average

ENDPOINTS = ("specialist-opinion", "act-team", "equipment", "beds")
OPENSEARCH_MAIN = b"org.opensearch.bootstrap.OpenSearch"
MARK = "WRK-RESULT "
# Each connection cycles through the query file from its own random line; `done` prints the figures as JSON.
LUA = """
local urls = {}
local counter = 0
function init(args)
  for line in io.lines(args[1]) do urls[#urls + 1] = line end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  counter = math.random(#urls)
end
function request()
  counter = counter % #urls + 1
  return wrk.format("GET", urls[counter])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('%s{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\\n', "%MARK%",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
""".replace("%MARK%", MARK)


def opensearch_pids() -> list[int]:
    """The local OpenSearch JVMs (one per node), found by their main class in /proc."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if OPENSEARCH_MAIN in Path(f"/proc/{entry}/cmdline").read_bytes():
                    out.append(int(entry))
            except OSError:
                pass
    return out


def run_wrk(base: str, urls: Path, script: Path, connections: int, threads: int, seconds: float,
            watch: dict[str, list[int]]) -> dict:
    """One wrk run; its figures and the CPU (cores) of each watched group over the run."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
               "-s", str(script), base, str(urls)]
    before = {name: cpu_seconds(pids) for name, pids in watch.items()}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out, _ = proc.communicate()
    after = {name: cpu_seconds(pids) for name, pids in watch.items()}
    line = next((x for x in out.splitlines() if x.startswith(MARK)), None)
    if proc.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed (exit {proc.returncode}):\n{out}")
    figures = json.loads(line[len(MARK):])
    figures["cpu_s"] = {name: after[name] - before[name] for name in watch}
    return figures


def phase(base: str, endpoint: str, urls: list[str], args, watch: dict[str, list[int]], workdir: Path) -> dict:
    url_file = workdir / f"{endpoint}.txt"
    url_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
    script = workdir / "cycle.lua"
    script.write_text(LUA, encoding="utf-8")
    if args.warmup > 0:
        run_wrk(base, url_file, script, args.connections, args.wrk_threads, args.warmup, {})
    children = os.times()
    r = run_wrk(base, url_file, script, args.connections, args.wrk_threads, args.duration, watch)
    wrk_cpu = os.times().children_user + os.times().children_system - children.children_user - children.children_system
    seconds = r["duration_us"] / 1e6
    requests = r["requests"]
    errors = r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"]
    per_request = {name: round(cpu * 1000 / requests, 2) if requests else None for name, cpu in r["cpu_s"].items()}
    return {"requests": requests, "rps": round(requests / seconds, 1) if seconds else 0.0,
            "p50_ms": round(r["p50_us"] / 1000, 1), "p95_ms": round(r["p95_us"] / 1000, 1),
            "p99_ms": round(r["p99_us"] / 1000, 1), "max_ms": round(r["max_us"] / 1000, 1), "errors": errors,
            "non_2xx": r["status"], "cpu_ms_per_request": {**per_request,
                                                           "wrk": round(wrk_cpu * 1000 / requests, 3)
                                                           if requests else None},
            "cores": {name: round(cpu / seconds, 2) for name, cpu in r["cpu_s"].items()}, "load": load_average()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_options(parser, duration=15.0)
    parser.add_argument("--connections", type=int, default=20, help="wrk connections (the closed loop's clients)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS), help=f"among {', '.join(ENDPOINTS)}")
    parser.add_argument("--queries", type=int, default=5000, help="distinct queries per endpoint")
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "bench" / "wrk.json")
    args = parser.parse_args()
    if not args.url and not args.serve:
        parser.error("give --url or --serve")
    unknown = [e for e in args.endpoints.split(",") if e not in ENDPOINTS]
    if unknown:
        parser.error(f"unknown endpoint(s) {', '.join(unknown)}; among {', '.join(ENDPOINTS)}")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `apt-get install wrk` (Debian/Ubuntu), or use bench/bench_http.py")
    proc, base = start_server(args.threads, args.workers) if args.serve else (None, args.url.rstrip("/"))
    results = {}
    try:
        makers = query_makers(args.endpoints.split(","), top_codes(base), args.min_population, args.seed)
        watch = {"opensearch": opensearch_pids()}
        if proc is not None:
            watch["server"] = process_tree(proc.pid)
        with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
            for endpoint, make in makers.items():
                results[endpoint] = phase(base, endpoint, [make() for _ in range(args.queries)], args, watch,
                                          Path(tmp))
                print(endpoint, json.dumps(results[endpoint], ensure_ascii=False), flush=True)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"connections": args.connections, "duration_s": args.duration, "base": base,
                                    "workers": args.workers if args.serve else None, "results": results},
                                   indent=2, ensure_ascii=False))
    print("\n| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | errors | CPU ms/request: server, "
          "OpenSearch, wrk | cores: server, OpenSearch | load |\n|---|---|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        cpu, cores = r["cpu_ms_per_request"], r["cores"]
        print(f"| {name} | {r['requests']} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} "
              f"| {r['errors']} | {cpu.get('server', '–')}, {cpu['opensearch']}, {cpu['wrk']} "
              f"| {cores.get('server', '–')}, {cores['opensearch']} | {r['load']} |")
    if any(r["errors"] for r in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
