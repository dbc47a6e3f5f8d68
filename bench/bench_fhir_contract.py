"""Replay every read request of the ROR FHIR documentation against a running FHIR server: per request p50/p95,
status and total, then a mixed load of concurrent clients, then the change→visible delay of capacity entries.

Usage (national demo, FHIR indices built under a prefix, see docs/benchmarks.md):
  ROR_INDEX_PREFIX=h14 NEO4J_URI=bolt://127.0.0.1:7687 OPENSEARCH_URL=http://127.0.0.1:9200 \\
    .venv/bin/python bench/bench_fhir_contract.py --serve [--runs 20] [--clients 50] [--duration 30]
      [--changes 10] [--rate 200]

`--serve` starts `ror web serve` (waitress, real HTTP) on a free loopback port and stops it at the end. The
requests come from tests/fixtures/fhir/ror_documented_requests.json, sent as documented (a documentation typo is
sent as written, answered 400, and its correction is measured too); the documentation's placeholders (XXX…) are
filled with ids read from the server first (a Task id: the first anomaly report, if the demo holds one). The
`$export` kick-offs are not replayed (each starts an export job of the whole country: `bench/bench_fhir.py
--export` measures exports); `--exports` sends each once and deletes its job. `--changes N` sends N capacity
entries as `PATCH /fhir/Location/<id>` (JSON Patch, with a token of the bench's admin account
`bench-fhir-contract`, created the first time and active only during the run, the token revoked at the end) on
places with beds and measures how long from the PATCH until a FHIR
search sees each one. Prints the machine's load average next to every figure. Every request is sent once before
the replay (`--no-warm-pass` to skip); `--only R001,R081` restricts the replay and the mixed load to some requests.
`--rate R` paces the mixed load at R requests/s in all over the `--clients` connections (open loop: a slow answer does
not lower the offered load); without it the mixed load is closed loop.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from bench_http import _connection, load_phase, process_tree, start_server  # noqa: E402
from common import percentile  # noqa: E402

from core.settings import DEFAULT_THREADS  # noqa: E402

REQUESTS = ROOT / "tests" / "fixtures" / "fhir" / "ror_documented_requests.json"
R30 = "https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM"


def load() -> list[float]:
    return [round(x, 1) for x in os.getloadavg()]


def get(base: str, path: str, headers: dict | None = None, timeout: float = 30.0) -> tuple[int, dict | None, float]:
    conn = _connection(base, timeout)
    t0 = time.perf_counter()
    conn.request("GET", "/fhir/" + path, headers={"Accept": "application/fhir+json", **(headers or {})})
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - t0) * 1000
    conn.close()
    try:
        return response.status, json.loads(body) if body else None, elapsed
    except ValueError:
        return response.status, None, elapsed


def first(base: str, path: str) -> dict:
    status, body, _ = get(base, path)
    entries = [e["resource"] for e in (body or {}).get("entry", []) if e.get("search", {}).get("mode") == "match"]
    if status != 200 or not entries:
        raise SystemExit(f"cannot read placeholder values from {path}: HTTP {status}")
    return entries[0]


def placeholders(base: str) -> dict[str, dict[str, str]]:
    """Values for the documentation's placeholders, read from the served data (region 52 where it matters)."""
    role = first(base, f"PractitionerRole?_tag={R30}|52&_count=1")
    offer = first(base, f"HealthcareService?_tag={R30}|52&_count=1")
    site = first(base, f"Organization?_tag={R30}|52&type=https://mos.esante.gouv.fr/NOS/TRE_R66-"
                       "CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement|355&_count=1")
    ej = site["partOf"]["reference"].split("/")[1][3:]
    status, body, _ = get(base, f"Location?_tag={R30}|52&_count=4")
    places = [e["resource"]["id"] for e in body["entry"]]
    rpps = role["identifier"][0]["value"]
    status, tasks, _ = get(base, "Task?_count=1")
    task = next((e["resource"]["id"] for e in (tasks or {}).get("entry", []) if e["search"]["mode"] == "match"),
                "687")
    by_description = {
        "practitioner identifier (RPPS)": rpps, "activity code (356 in the explanation)": "356",
        "region code": "52", "FINESS (EG or EJ)": ej, "offer identifier": offer["id"],
        "site category (TRE_R66)": "101", "FINESS (EJ)": ej, "role identifier": rpps, "role id": role["id"],
        "RPPS": rpps, "practitioner id": rpps, "external synchronisation identifier": places[0],
        "Task id": task, "indicator identifier": "ror-peuplement", "template identifier": "description-offre",
    }
    return {"by_description": by_description, "places": places, "site": site["id"][3:]}


def fill(request: dict, path: str, values: dict) -> str:
    subs = {}
    place_keys = iter(values["places"])
    for key, description in (request.get("placeholders") or {}).items():
        if description in ("place identifier", "place id"):
            subs[key] = next(place_keys)
        elif description == "FINESS" and key in ("750000001", "1290004324"):
            subs[key] = values["site"]
        elif description == "amount in euros":  # an accommodation price (X), a GIR 3-4 dependency price (XR)
            subs[key] = "13" if key == "XR" else "72"
        else:
            subs[key] = values["by_description"].get(description, key)
    for key in sorted(subs, key=len, reverse=True):
        path = path.replace(key, subs[key])
    base, _, query = path.partition("?")
    pairs = [tuple(unquote(x) for x in p.split("=", 1)) if "=" in p else (unquote(p), "")
             for p in query.split("&") if p]
    return base + ("?" + "&".join(f"{quote(k, safe=':._-')}={quote(v, safe='')}" for k, v in pairs) if pairs else "")


def measure(base: str, request: dict, path: str, runs: int) -> dict:
    get(base, path, request.get("headers"))  # warm
    times, statuses, total = [], set(), None
    for _ in range(runs):
        status, body, ms = get(base, path, request.get("headers"))
        times.append(ms)
        statuses.add(status)
        if body and body.get("resourceType") == "Bundle":
            total = body.get("total")
    return {"p50": round(percentile(times, 50), 1), "p95": round(percentile(times, 95), 1),
            "max": round(max(times), 1), "status": sorted(statuses), "total": total}


def warm_pass(base: str, values: dict) -> None:
    """Every request once (with `--only` too) before any is measured: a server just started builds its
    per-process caches (base map, commune table and cells: ≈ 3 s of CPU, 10-15 s at load 7-10) in a thread that
    shares the GIL with the requests, so without this pass the first requests of the replay (R001, R004) were
    measured during it."""
    t0 = time.perf_counter()
    for request in json.loads(REQUESTS.read_text(encoding="utf-8"))["requests"]:
        if request["resource"] == "$export":
            continue
        for raw in (request["path"], request.get("corrected")):
            if raw:
                get(base, fill(request, raw, values), request.get("headers"))
    print(f"warm pass {time.perf_counter() - t0:.1f} s  load {load()}", flush=True)


def replay(base: str, runs: int, values: dict, exports: bool = False,
           only: set[str] | None = None) -> tuple[list[dict], list[str]]:
    rows, mixed = [], []
    for request in json.loads(REQUESTS.read_text(encoding="utf-8"))["requests"]:
        if only and request["id"] not in only:
            continue
        if request["resource"] == "$export":
            if exports:
                rows.append(kick_off(base, request))
            continue
        forms = [("documented", request["path"])] + ([("corrected", request["corrected"])]
                                                       if request.get("corrected") else [])
        for form, raw in forms:
            path = fill(request, raw, values)
            result = measure(base, request, path, runs)
            expected = 400 if form == "documented" and request.get("typo") else request.get("status", 200)
            result.update(id=request["id"], form=form, expected=expected, family=family(request),
                          verdict="ok" if result["status"] == [expected] else "WRONG")
            rows.append(result)
            if result["verdict"] == "ok" and expected == 200:
                mixed.append("/fhir/" + path)
            print(f"{request['id']} {form:<10} {str(result['status']):<8} {result['verdict']:<7} "
                  f"p50 {result['p50']:7.1f}  p95 {result['p95']:7.1f}  total {result['total']}  "
                  f"load {load()}", flush=True)
    return rows, mixed


def family(request: dict) -> str:
    """The request's family for the summary: its type, with `near`, `_filter`, chains and tariffs apart."""
    path = request.get("corrected") or request["path"]
    query = path.partition("?")[2]
    kind = path.partition("?")[0].split("/")[0]
    if "/" in path.partition("?")[0]:
        return kind + " read"
    for marker, name in (("price-", "tariffs"), ("near=", "near"), ("_filter=", "_filter"),
                         ("Task:", "Task hooks")):
        if marker in query:
            return f"{kind} {name}"
    return kind + (" search" if query else " all")


def kick_off(base: str, request: dict) -> dict:
    """One `$export` kick-off as documented (202), then its job deleted."""
    conn = _connection(base, 30.0)
    t0 = time.perf_counter()
    conn.request("GET", "/fhir/" + request["path"], headers=request.get("headers") or {})
    response = conn.getresponse()
    response.read()
    ms = round((time.perf_counter() - t0) * 1000, 1)
    location = response.getheader("Content-Location")
    conn.close()
    if location:
        conn = _connection(base, 30.0)
        parts = urlsplit(location)
        conn.request("DELETE", parts.path + (f"?{parts.query}" if parts.query else ""))
        conn.getresponse().read()
        conn.close()
    print(f"{request['id']} kick-off   [{response.status}]  {ms} ms  load {load()}", flush=True)
    return {"id": request["id"], "form": "kick-off", "expected": 202, "family": "$export", "p50": ms, "p95": ms,
            "max": ms, "status": [response.status], "total": None,
            "verdict": "ok" if response.status == 202 else "WRONG"}


def families(rows: list[dict]) -> dict:
    """p50 / p95 / max per family, over the per-request figures (the worst request of the family for p95, max)."""
    out: dict[str, dict] = {}
    for row in rows:
        if row["verdict"] != "ok" or row["expected"] != 200:
            continue
        f = out.setdefault(row["family"], {"requests": 0, "p50_median": [], "p95_max": 0.0, "max": 0.0})
        f["requests"] += 1
        f["p50_median"].append(row["p50"])
        f["p95_max"] = max(f["p95_max"], row["p95"])
        f["max"] = max(f["max"], row["max"])
    for f in out.values():
        f["p50_median"] = round(percentile(f["p50_median"], 50), 1)
    return out


BENCH_USER = "bench-fhir-contract"


def _bench_token(graph) -> tuple[str, str]:
    """(token id, plaintext) of a fresh API token of the bench's admin account, created with a random password
    the first time (audited like any account) and active only while the bench runs; `_bench_done` revokes the
    token and deactivates the account."""
    import secrets

    from accounts.store import UserStore

    store = UserStore(graph)
    user = store.get(BENCH_USER)
    if user is None:
        store.add(BENCH_USER, secrets.token_urlsafe(24), "admin", display_name="Banc d'essai FHIR")
    elif not user.active:
        store.grant(BENCH_USER, active=True)
    return store.create_token(BENCH_USER, "bench_fhir_contract capacity changes")


def _bench_done(graph, token_id: str) -> None:
    from accounts.store import UserStore

    store = UserStore(graph)
    store.revoke_token(token_id)
    store.grant(BENCH_USER, active=False)


def patch_location(base: str, place: str, operations: list, token: str) -> tuple[int, bytes, float]:
    conn = _connection(base, 30.0)
    t0 = time.perf_counter()
    conn.request("PATCH", "/fhir/Location/" + place, body=json.dumps(operations).encode(),
                 headers={"Content-Type": "application/json-patch+json", "Accept": "application/fhir+json",
                          "Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body, (time.perf_counter() - t0) * 1000


def capacity_changes(base: str, count: int, seed: int = 5) -> dict:
    """`count` capacity entries sent as an integrator sends them, `PATCH /fhir/Location/<id>` (JSON Patch, Bearer
    token of the bench's admin account) to the served application; for each, the time from sending the PATCH to
    the first FHIR search that sees the new figure (polled every 20 ms)."""
    from core.settings import Settings
    from fhir_api.resources import capacity_extensions
    from graph.driver import Graph

    graph = Graph.from_settings(Settings.from_env())
    places = graph.read("MATCH (p:Place)<-[:AT]-(o:Offer {status: 'published'}) WHERE p.installed_beds >= 5 "
                        "RETURN DISTINCT p.id AS id, p.installed_beds AS beds LIMIT 2000")
    token_id, token = _bench_token(graph)
    rng = random.Random(seed)
    delays, writes = [], []
    def showing(place: str, women: int) -> str:
        """The FHIR search that finds `place` once it shows `women` available women's beds."""
        return (f"Location?_id={place}&capacity-status=02&gender-capacity-available=01&nb-capacity=eq{women}"
                "&_summary=count")

    try:
        for place in rng.sample(places, min(count, len(places))):
            women = rng.randint(1, int(place["beds"]))
            while get(base, showing(place["id"], women))[1]["total"] == 1:
                women = women % int(place["beds"]) + 1  # a figure the place does not show yet
            # the extensions as the product renders them (an integrator sends back what it read)
            operations = [{"op": "add", "path": "/extension/-", "value": ext}
                          for ext in capacity_extensions({"available_women": women, "available_men": 0})]
            query = showing(place["id"], women)
            t0 = time.perf_counter()
            status, body, ms = patch_location(base, place["id"], operations, token)
            if status != 200:
                raise SystemExit(f"PATCH Location/{place['id']}: HTTP {status} {body[:300]!r}")
            writes.append(ms)
            while True:
                status, found, _ = get(base, query)
                if status == 200 and found["total"] == 1:
                    break
                if time.perf_counter() - t0 > 60:
                    raise SystemExit(f"capacity entry on {place['id']} not visible after 60 s")
                time.sleep(0.02)
            delays.append((time.perf_counter() - t0) * 1000)
    finally:
        _bench_done(graph, token_id)
        graph.close()
    return {"entries": len(delays), "patch_ms_p50": round(percentile(writes, 50), 1),
            "patch_ms_max": round(max(writes), 1), "visible_ms_p50": round(percentile(delays, 50), 1),
            "visible_ms_max": round(max(delays), 1), "load": load()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url")
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                        help="with --serve: threads per web process (default: the product's, `ror web serve`)")
    parser.add_argument("--workers", type=int, help="with --serve: web processes (`ror web serve --workers`)")
    parser.add_argument("--rate", type=float, help="mixed phase paced at this many requests/s in all (open loop, "
                        "spread over --clients connections); closed loop without it")
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--no-replay", action="store_true")
    parser.add_argument("--exports", action="store_true", help="send each documented $export kick-off once")
    parser.add_argument("--no-warm-pass", action="store_true",
                        help="measure from the first request (no pass over every request before the replay)")
    parser.add_argument("--only", help="comma-separated request ids (R001,R081…): replay and mix these only")
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "bench" / "fhir_contract.json")
    args = parser.parse_args()
    if not args.url and not args.serve:
        parser.error("give --url or --serve")
    proc, base = (start_server(args.threads, args.workers) if args.serve else (None, args.url))
    report: dict = {"load_start": load(), "runs": args.runs}
    try:
        values = placeholders(base)
        only = set(args.only.split(",")) if args.only else None
        if not args.no_warm_pass:
            warm_pass(base, values)
        rows, mixed = replay(base, 1 if args.no_replay else args.runs, values, args.exports, only)
        report["requests"] = rows
        ok = [r for r in rows if r["verdict"] == "ok" and r["expected"] == 200]
        report["summary"] = {
            "answered_as_documented": len([r for r in rows if r["verdict"] == "ok"]),
            "families": families(rows),
            "wrong": [r["id"] for r in rows if r["verdict"] == "WRONG"],
            "five_xx": [r["id"] for r in rows if any(s >= 500 for s in r["status"])],
            "p95_over_100ms": [r["id"] for r in ok if r["p95"] > 100],
            "p50_over_30ms": [r["id"] for r in ok if r["p50"] > 30],
        }
        print(json.dumps(report["summary"]), flush=True)
        rng, lock = random.Random(3), threading.Lock()

        def make() -> str:
            with lock:
                return rng.choice(mixed)

        if args.clients:
            report["mixed"] = load_phase(base, make, args.clients, args.duration, args.warmup, rate=args.rate,
                                         server_pids=process_tree(proc.pid) if proc is not None else None)
            report["mixed"]["load"] = load()
            print("mixed", json.dumps(report["mixed"]), flush=True)
        if args.changes:
            report["capacity_changes"] = capacity_changes(base, args.changes)
            print("capacity", json.dumps(report["capacity_changes"]), flush=True)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=20)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
