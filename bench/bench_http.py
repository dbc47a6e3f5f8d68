"""HTTP load of the orientation endpoints: p50/p95/p99 latency, sustained requests/s and errors per endpoint.

Usage:
  .venv/bin/python bench/bench_http.py --serve [--clients 20] [--duration 30] [--warmup 5] [--threads 32]
  .venv/bin/python bench/bench_http.py --url http://127.0.0.1:8000 …   (an app already running)

`--serve` starts `ror web serve` (`--workers N` processes; default the product's) on a free loopback port with
the environment's engines (`NEO4J_URI`/`OPENSEARCH_URL`, else the `ror engines up` ports) and stops it at the
end. Each endpoint is loaded in its own phase by `--clients` threads with keep-alive connections for
`--duration` seconds after a warm-up; queries are drawn (fixed seed) from real communes × the
activity/act/equipment codes most used by the indexed offers, so every request is valid and any non-200
answer is an error. Read-only.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from common import percentile, send

from core.settings import DEFAULT_THREADS

ROOT = Path(__file__).resolve().parent.parent
ENDPOINTS = ("specialist-opinion", "act-team", "equipment", "beds")
# More phases (--endpoints): time-critical acts without a radius (widening to the nearest K), free text with and
# without a place, autocomplete — what clinicians type (typos and abbreviations included).
EXTRA = ("act-team-urgent", "text-place", "text-national", "autocomplete")
WORDS = ("cardiologie", "IRM", "urgences", "gériatrie", "cardiolgie", "imagerie par resonance", "pédiatrie",
         "dialyse", "maternité", "psychiatrie", "scanner", "kiné", "soins palliatifs", "réa", "EHPAD", "AVC",
         "cardiologie enfant", "hemodyalise", "thrombectomie", "neurologie", "USIC", "laboratoire", "HAD", "SMR")
PREFIXES = ("car", "cardo", "irm", "urg", "geri", "pedi", "dial", "mater", "psy", "scan", "kine", "soins p", "rea",
            "ehp", "thromb", "neo", "onco", "chir", "nephr", "ortho", "bre", "lyo", "mars", "pau", "auri")


def towns(data_dir: Path, minimum_population: int, rng: random.Random, count: int) -> list[str]:
    """INSEE codes of real communes (weighted to towns where people call from)."""
    with gzip.open(data_dir / "geo" / "communes_france.csv.gz", "rt", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["type"] == "commune-actuelle" and r["latitude"]
                and int(r["population"] or 0) >= minimum_population]
    return ["insee:" + r["code_insee"] for r in rng.sample(rows, min(count, len(rows)))]


def top_codes(base: str, timeout: float = 30.0) -> dict[str, list[str]]:
    """The codes most used by indexed offers, read from the search facets of the app at `base`."""
    conn = _connection(base, timeout)

    def get(path: str) -> tuple[int, dict]:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, json.loads(response.read())

    try:
        return codes_from(get)
    finally:
        conn.close()


def codes_from(get) -> dict[str, list[str]]:
    """The codes most used by indexed offers, from the app's search facets and autocomplete (`get(path)` →
    (status, JSON body): over HTTP, or a Flask test client)."""
    out: dict[str, list[str]] = {"activity": [], "act": [], "equipment": []}
    status, body = get("/api/v1/search?" + urlencode({"q": "", "size": 1}))
    if status != 200:
        raise SystemExit(f"the app is not ready to be measured: HTTP {status} {body}")
    for facet in body.get("facets", []):
        if facet["name"] == "activity":
            out["activity"] = [b["key"] for b in facet["buckets"]][:30]
    for kind, prefixes in (("act", ("ech", "bil", "con", "thr", "cor")), ("equipment", ("irm", "sca", "tom"))):
        for prefix in prefixes:
            out[kind] += [s["code"] for s in get("/api/v1/autocomplete?" + urlencode(
                {"prefix": prefix, "kinds": kind, "limit": 10}))[1]["suggestions"]]
    return out


def query_factory(endpoint: str, codes: dict[str, list[str]], places: list[str], rng: random.Random):
    activities = codes["activity"] or ["013"]

    def make() -> str:
        where = rng.choice(places)
        if endpoint == "specialist-opinion":
            params = {"activity": rng.choice(activities), "where": where}
        elif endpoint == "act-team":
            params = {"act": rng.choice(codes["act"] or ["0459"]), "where": where, "radius_km": 100}
        elif endpoint == "act-team-urgent":
            params = {"act": "0459", "where": where}
        elif endpoint == "text-place":
            return "/api/v1/search?" + urlencode({"q": rng.choice(WORDS), "where": where, "size": 10})
        elif endpoint == "text-national":
            return "/api/v1/search?" + urlencode({"q": rng.choice(WORDS), "size": 10})
        elif endpoint == "autocomplete":
            return "/api/v1/autocomplete?" + urlencode({"prefix": rng.choice(PREFIXES), "limit": 8})
        elif endpoint == "equipment":
            params = {"equipment": rng.choice(codes["equipment"] or ["054"]), "where": where,
                      "open_now": rng.choice(["true", "false"])}
        else:
            params = {"activity": rng.choice(activities), "where": where, "gender": rng.choice(["any", "women"])}
        return f"/api/v1/orientation/{endpoint.removesuffix('-urgent')}?{urlencode(params)}"

    return make


def _connection(base: str, timeout: float) -> http.client.HTTPConnection:
    parts = urlsplit(base)
    return http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)


def load_phase(base: str, make_url, clients: int, duration: float, warmup: float, rate: float | None = None,
               server_pids: list[int] | None = None) -> dict:
    """`clients` threads, keep-alive; closed loop, or paced to `rate` requests/s in all (open loop, so a
    slow answer does not lower the offered load). Only requests started after the warm-up are measured;
    with `server_pids`, the server's CPU milliseconds per measured request."""
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + duration
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors: list[list[str]] = [[] for _ in range(clients)]
    lock = threading.Lock()

    def worker(i: int) -> None:
        conn = _connection(base, 10.0)
        interval = clients / rate if rate else 0.0
        next_at = start + (i * interval / clients if rate else 0.0)
        while True:
            with lock:
                url = make_url()
            if rate:
                next_at += interval
                delay = next_at - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            t0 = time.perf_counter()
            if t0 >= stop_at:
                break
            status = send(conn, "GET", url, headers={"Accept": "application/json"})
            if isinstance(status, str):
                conn = _connection(base, 10.0)
            elapsed = (time.perf_counter() - t0) * 1000
            if t0 >= measure_from:
                latencies[i].append(elapsed)
                if status != 200:
                    errors[i].append(f"{status} {url}")
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    cpu_at_start: list[float] = []
    if server_pids:  # the server's CPU counted from the end of the warm-up
        sampler = threading.Timer(max(0.0, measure_from - time.perf_counter()),
                                  lambda: cpu_at_start.append(cpu_seconds(server_pids)))
        sampler.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cpu = cpu_seconds(server_pids) - cpu_at_start[0] if server_pids and cpu_at_start else None
    flat = [x for lst in latencies for x in lst]
    errs = [x for lst in errors for x in lst]
    return {"requests": len(flat), "errors": len(errs), "error_samples": errs[:5],
            "rps": round(len(flat) / duration, 1), "p50_ms": round(percentile(flat, 50), 1),
            "p95_ms": round(percentile(flat, 95), 1), "p99_ms": round(percentile(flat, 99), 1),
            "max_ms": round(max(flat), 1) if flat else None,
            "server_cpu_ms": round(cpu * 1000 / max(1, len(flat)), 2) if cpu is not None else None,
            "load": os.getloadavg()[0]}


def start_server(threads: int, workers: int | None = None) -> tuple[subprocess.Popen, str]:
    from engines import process

    port = process.free_port()
    env = {**os.environ, "ROR_HOST": "127.0.0.1", "ROR_PORT": str(port)}
    more = ["--workers", str(workers)] if workers else []
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "ror"), "web", "serve", "--threads", str(threads), *more],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = _connection(base, 2.0)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                settle(proc.pid)
                return proc, base
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit(f"the app did not become healthy on {base}: {proc.stdout.read() if proc.stdout else ''}")


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (the gunicorn master and its workers)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                todo += [int(c) for c in Path(f"/proc/{p}/task/{task}/children").read_text().split()]
        except OSError:
            pass
    return out


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by these processes (Linux /proc; 0 elsewhere)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            pass
    return total / os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 0.0


def settle(pid: int, idle_share: float = 0.15, bound_s: float = 180.0) -> None:
    """Wait until the server's processes are idle (under `idle_share` of a core for a second): each worker warms
    its caches after it answers /health (base map, commune cells: seconds of CPU), and that must not fall into
    the measured phases."""
    deadline = time.time() + bound_s
    while time.time() < deadline:
        pids = process_tree(pid)
        before = cpu_seconds(pids)
        time.sleep(1.0)
        if cpu_seconds(pids) - before < idle_share:
            return


def add_run_options(parser: argparse.ArgumentParser, *, duration: float) -> None:
    """The options every orientation load shares: the app measured (a running one or one served for the run),
    the phases' timing and the queries' seed."""
    parser.add_argument("--url", help="base URL of a running app")
    parser.add_argument("--serve", action="store_true", help="start `ror web serve` for the run")
    parser.add_argument("--duration", type=float, default=duration, help="measured seconds per endpoint")
    parser.add_argument("--warmup", type=float, default=5.0, help="unmeasured seconds before each phase")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                        help="threads per web process with --serve (default: the product's, `ror web serve`)")
    parser.add_argument("--workers", type=int, default=None,
                        help="web processes with --serve (default: the product's, ROR_WEB_WORKERS / one per core)")
    parser.add_argument("--min-population", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)


def query_makers(endpoints: list[str], codes: dict[str, list[str]], min_population: int, seed: int) -> dict:
    """{endpoint: a function drawing its next query}: real communes × `codes` (`top_codes`: the most used by the
    served offers), each endpoint drawn from its own generator seeded with `seed` (the same queries each run)."""
    places = towns(ROOT / "data", min_population, random.Random(seed), 400)
    return {endpoint: query_factory(endpoint, codes, places, random.Random(seed)) for endpoint in endpoints}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_run_options(parser, duration=30.0)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS), help=f"among {', '.join(ENDPOINTS + EXTRA)}")
    parser.add_argument("--rate", type=float, help="pace the clients to this many requests/s in all")
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "bench" / "http.json")
    args = parser.parse_args()
    if not args.url and not args.serve:
        parser.error("give --url or --serve")
    proc = None
    base = args.url
    if args.serve:
        proc, base = start_server(args.threads, args.workers)
    try:
        codes = top_codes(base)
        makers = query_makers(args.endpoints.split(","), codes, args.min_population, args.seed)
        results = {}
        for endpoint, make in makers.items():
            results[endpoint] = load_phase(base, make, args.clients, args.duration, args.warmup, args.rate,
                                           server_pids=process_tree(proc.pid) if proc is not None else None)
            print(endpoint, json.dumps(results[endpoint], ensure_ascii=False), flush=True)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
    report = {"clients": args.clients, "rate": args.rate, "duration_s": args.duration, "warmup_s": args.warmup,
              "threads": args.threads if args.serve else None,
              "workers": args.workers if args.serve else None, "base": base, "codes": codes, "results": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print("\n| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | errors | server CPU ms/request | load |\n"
          "|---|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(f"| {name} | {r['requests']} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} "
              f"| {r['errors']} | {r['server_cpu_ms'] if r['server_cpu_ms'] is not None else '–'} | {r['load']:.1f} |")
    if any(r["errors"] for r in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
