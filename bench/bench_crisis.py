"""Crisis modules under load, on the national demo: the emergency feed (≥ 700 sites reporting every 5 minutes, then
a burst of 200 messages/s for 30 s) while coordinators watch the emergency dashboard of the largest région; then
the plan blanc crisis board of the largest région.

Usage: NEO4J_URI=bolt://127.0.0.1:7687 OPENSEARCH_URL=http://127.0.0.1:9200 ROR_INDEX_PREFIX=h17 \\
       .venv/bin/python bench/bench_crisis.py [--sites 700] [--steady 90] [--burst-rate 200] [--burst 30]
                                               [--after 30] [--history-days 7] [--watchers 2] [--board-requests 60]

What it writes on the shared graph (demo data, labelled synthetic): the schema of the crisis modules (IF NOT
EXISTS), the région's history of the synthetic feed as `ror demo` writes it (hourly series of the older days,
reports `syn-<seed>-…` for the last 24 h), emergency reports of the measured run (message ids `bench-<run>-…`)
and their sites' statuses (tension alerts when a threshold fires, as the demo feed would), plan blanc states
and crisis resources of the largest région's hospitals (note « banc de charge (synthétique) »). No account is
stored: the web worker maps per-run random bearer secrets to in-memory principals. The index prefix should be
one of your own (`ROR_INDEX_PREFIX`): tension changes push offers to `<prefix>-offers`, which need not exist.
Checks: every message acknowledged (201) and stored (count of `bench-<run>-` reports), none lost.
Prints the figures and the load average. Stops what it started, and removes what it wrote (`cleanup`: the
`bench-…` and `syn-<seed>-…` reports, the emergency statuses left without reports, the tension alerts the
threshold rules opened and every audit entry of `signal-urgences` / `bench-urgences`, the plan blanc states and
resources it declared); `--keep` leaves them, `--cleanup-only` removes what an earlier run left.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import random
import secrets
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import percentile, send  # noqa: E402

from core.settings import Settings  # noqa: E402
from engines import process  # noqa: E402

SENDER, WATCHER = "bench-urgences", "bench-coordination"


def serve(port: int, threads: int, sender_secret: str, watcher_secret: str, regions: str) -> None:
    """Worker process: the real app on waitress; two in-memory principals for this run only."""
    from flask import g, request
    from waitress import serve as waitress_serve

    from accounts.models import Principal, User
    from web import create_app

    app = create_app(Settings.from_env())
    sender = User(SENDER, "admin", display_name="banc de charge (synthétique)")
    watcher = User(WATCHER, "coordinator", regions=tuple(regions.split(",")), display_name="banc de charge")

    @app.before_request
    def bench_principal():
        header = request.headers.get("Authorization")
        if header == f"Bearer {sender_secret}":
            g.ror_principal = Principal(sender, via="token:bench", ip=request.remote_addr)
        elif header == f"Bearer {watcher_secret}":
            g.ror_principal = Principal(watcher, via="token:bench", ip=request.remote_addr)

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    print(f"worker {os.getpid()} on port {port}", flush=True)
    waitress_serve(app, host="127.0.0.1", port=port, threads=threads, connection_limit=1000, ident="crisisbench",
                   _quiet=True)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def connection(port: int) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", port, timeout=60)


def wait_ready(port: int, proc: subprocess.Popen) -> None:
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the web worker stopped")
        try:
            conn = connection(port)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the web worker did not answer in 120 s")


def choose(graph, count: int):
    """The largest région (most emergency departments) and `count` sites: all of that région's, then others."""
    from emergency import feeder
    from emergency.indicators import FEED_ACTIVITIES

    rows = graph.read_named("read/emergency_sites", activities=list(FEED_ACTIVITIES), regions=None, department=None)
    by_region: dict[str, list[str]] = {}
    for r in rows:
        by_region.setdefault(r["region_code"] or "?", []).append(r["finess"])
    region = max(by_region, key=lambda code: len(by_region[code]))
    everything = {s.finess: s for s in feeder.sites(graph)}
    first = [everything[f] for f in sorted(by_region[region]) if f in everything]
    rest = [s for f, s in sorted(everything.items()) if f not in set(by_region[region])]
    chosen = (first + rest)[:count]
    if not chosen:
        raise SystemExit("no emergency site in the graph")
    return region, len(first), chosen


def schedule(sites, run: str, seed: int, start: float, steady: float, burst_at: float, burst: float,
             burst_rate: float, after: float, every: float = 300.0) -> list[tuple[float, dict]]:
    """(due time, message): each site every `every` s (its phase spread evenly), plus the burst: a backlog of
    earlier reports (observed within the last 30 min) sent at `burst_rate` per second."""
    from emergency import feed

    rng = random.Random(seed)
    plan = []
    end = start + steady + burst + after
    for n, site in enumerate(sites):
        due = start + every * n / len(sites)
        k = 0
        while due < end:
            at = datetime.now(UTC) + timedelta(seconds=due - time.time())
            body = {**feed.message(seed, site, at), "message_id": f"bench-{run}-{site.finess}-s{k}"}
            plan.append((due, body))
            due, k = due + every, k + 1
    total = int(burst * burst_rate)
    for n in range(total):
        site = sites[rng.randrange(len(sites))]
        due = burst_at + n / burst_rate
        at = datetime.now(UTC) + timedelta(seconds=due - time.time()) - timedelta(minutes=rng.uniform(1, 30))
        plan.append((due, {**feed.message(seed, site, at), "message_id": f"bench-{run}-{site.finess}-b{n}"}))
    plan.sort(key=lambda item: item[0])
    return plan


def send_all(port: int, secret: str, plan, senders: int) -> dict:
    """Open loop: message i goes out at its due time from thread i % senders (late if the thread is busy)."""
    results: list[list] = [[] for _ in range(senders)]

    def run(k: int) -> None:
        conn = connection(port)
        headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
        for due, body in plan[k::senders]:
            pause = due - time.time()
            if pause > 0:
                time.sleep(pause)
            started = time.time()
            status = send(conn, "POST", "/api/v1/emergency/reports", json.dumps(body), headers)
            if isinstance(status, str):
                conn = connection(port)
            results[k].append((due, started, time.time(), status))

    threads = [threading.Thread(target=run, args=(k,), daemon=True) for k in range(senders)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"all": [r for part in results for r in part]}


def watch(port: int, secret: str, path: str, stop: threading.Event, out: list) -> None:
    conn = connection(port)
    headers = {"Authorization": f"Bearer {secret}"}
    while not stop.is_set():
        started = time.time()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            out.append((started, time.time(), response.status))
        except (OSError, http.client.HTTPException):
            out.append((started, time.time(), "error"))
            conn.close()
            conn = connection(port)


def prepare_board(graph, region: str, share: float, seed: int) -> int:
    """Plan blanc states and resources for a share of the région's hospitals (as an establishment would)."""
    from accounts.models import Principal, User
    from crisis import plan as crisis_plan
    from crisis.declarations import BED_ACTIVITIES, SSE_CATEGORIES

    rows = graph.read("MATCH (d:Department {region_code: $r}) MATCH (s:Site {department_code: d.code}) "
                      "WHERE s.category_code IN $c RETURN s.finess AS finess ORDER BY finess",
                      r=region, c=list(SSE_CATEGORIES))
    rng = random.Random(seed)
    actor = Principal(User(SENDER, "admin"), via="bench")
    declared = 0
    for row in rows:
        if rng.random() > share:
            continue
        counts = {f"beds_24h_{k}": rng.randint(0, 20) for k in BED_ACTIVITIES}
        counts.update(ventilators=rng.randint(0, 15), ecmo=rng.randint(0, 2), note="banc de charge (synthétique)")
        crisis_plan.declare_resources(graph, actor, row["finess"], counts)
        if rng.random() < 0.3:
            crisis_plan.set_plan(graph, actor, row["finess"], {"active": True, "level": rng.choice([1, 2]),
                                                               "note": "banc de charge (synthétique)"})
        declared += 1
    return len(rows)


def cleanup(graph, seed: int) -> dict:
    """Remove what the bench writes on the shared graph (see the docstring); the demo itself never runs the feed
    nor the threshold rules, so whatever they left there is the bench's."""
    removed = {}
    for name, query in (
        ("reports", "MATCH (r:EmergencyReport) WHERE r.message_id STARTS WITH 'bench-' "
                    "OR r.message_id STARTS WITH $syn WITH r LIMIT 20000 DETACH DELETE r RETURN count(*) AS n"),
        ("statuses", "MATCH (st:EmergencyStatus) WHERE NOT EXISTS { MATCH (r:EmergencyReport {finess: st.finess}) } "
                     "DETACH DELETE st RETURN count(*) AS n"),
        ("audit", "MATCH (a:AuditEntry) WHERE a.actor IN ['signal-urgences', $actor] "
                  "WITH a LIMIT 20000 DELETE a RETURN count(*) AS n"),
        ("tension_alerts", "MATCH (t:TensionAlert {source: 'urgences'}) WHERE t.updated_by = 'signal-urgences' "
                           "DETACH DELETE t RETURN count(*) AS n"),
        ("plan_states", "MATCH (p:CrisisPlanState {updated_by: $actor}) DETACH DELETE p RETURN count(*) AS n"),
        ("resources", "MATCH (p:CrisisResources {updated_by: $actor}) DETACH DELETE p RETURN count(*) AS n"),
        ("site_locks", "MATCH (s:Site) WHERE s._crisis_lock IS NOT NULL AND NOT EXISTS { (s)-[:HAS_CRISIS_PLAN]->() } "
                       "AND NOT EXISTS { (s)-[:HAS_CRISIS_RESOURCES]->() } REMOVE s._crisis_lock RETURN count(*) AS n"),
    ):
        total = 0
        while True:  # in slices: a run leaves tens of thousands of reports
            n = _write_count(graph, query, syn=f"syn-{seed}-", actor=SENDER)
            total += n
            if n < 20000:
                break
        removed[name] = total
    return removed


def _write_count(graph, query: str, **params) -> int:
    return graph.transaction(lambda tx: tx.run(query, **params).single()["n"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=700)
    parser.add_argument("--steady", type=float, default=90.0, help="seconds of steady feed before the burst")
    parser.add_argument("--burst", type=float, default=30.0)
    parser.add_argument("--burst-rate", type=float, default=200.0)
    parser.add_argument("--after", type=float, default=30.0, help="seconds of steady feed after the burst")
    parser.add_argument("--history-days", type=int, default=7, help="hourly history of the région's sites first")
    parser.add_argument("--watchers", type=int, default=2, help="clients reloading the dashboard")
    parser.add_argument("--senders", type=int, default=96, help="sender threads (open loop: enough for the burst)")
    parser.add_argument("--threads", type=int, default=64, help="waitress threads (as `ror web serve`)")
    parser.add_argument("--board-requests", type=int, default=60)
    parser.add_argument("--board-share", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--keep", action="store_true", help="leave what the run wrote on the graph")
    parser.add_argument("--cleanup-only", action="store_true", help="remove what earlier runs left, and stop")
    parser.add_argument("--serve", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        port, threads, sender_secret, watcher_secret, regions = args.serve
        serve(int(port), int(threads), sender_secret, watcher_secret, regions)
        return

    from emergency import feeder
    from graph.driver import Graph

    logging.getLogger("neo4j").setLevel(logging.ERROR)
    settings = Settings.from_env()
    if not settings.neo4j_uri:
        raise SystemExit("set NEO4J_URI and OPENSEARCH_URL (the national demo) and ROR_INDEX_PREFIX")
    graph = Graph.from_settings(settings)
    import cypher

    if args.cleanup_only:
        print(json.dumps({"removed": cleanup(graph, args.seed)}), flush=True)
        graph.close()
        return
    for statement in cypher.statements("schema/crisis"):
        graph.write(statement)
    region, in_region, sites = choose(graph, args.sites)
    print(f"Région {region} : {in_region} structures des urgences ; {len(sites)} structures émettrices.", flush=True)
    loadavg = " ".join(f"{x:.2f}" for x in os.getloadavg())
    if args.history_days:
        started = time.time()  # as `ror demo` does: the last 24 h as reports, the older days into the series
        said = feeder.backfill(graph, args.seed, sites[:in_region], timedelta(days=args.history_days),
                               feeder.BACKFILL_EVERY)
        print(f"{said} ({time.time() - started:.0f} s, hors mesure)", flush=True)

    run, port = secrets.token_hex(3), process.free_port()
    sender_secret, watcher_secret = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port), str(args.threads), sender_secret,
                             watcher_secret, region], cwd=ROOT)
    try:
        wait_ready(port, proc)
        dashboard = f"/api/v1/emergency/dashboard?region={region}"
        alone, conn = [], connection(port)
        cpu0 = cpu_seconds(proc.pid)
        for n in range(23):  # the dashboard alone first (the first 3 warm the worker: plans, caches)
            started = time.time()
            conn.request("GET", dashboard, headers={"Authorization": f"Bearer {watcher_secret}"})
            conn.getresponse().read()
            if n == 2:
                cpu0 = cpu_seconds(proc.pid)
            elif n > 2:
                alone.append(time.time() - started)
        print(json.dumps({"dashboard_alone_p50_ms": round(1000 * percentile(alone, 50), 1),
                          "dashboard_alone_p95_ms": round(1000 * percentile(alone, 95), 1),
                          "worker_cpu_ms_per_dashboard": round(1000 * (cpu_seconds(proc.pid) - cpu0) / len(alone), 1),
                          "load": " ".join(f"{x:.2f}" for x in os.getloadavg())}), flush=True)
        start = time.time() + 5
        burst_at = start + args.steady
        # fewer sites than asked: each reports a little more often, so the offered rate is that of --sites
        every = 300.0 * len(sites) / args.sites
        plan = schedule(sites, run, args.seed, start, args.steady, burst_at, args.burst, args.burst_rate, args.after,
                        every=every)
        print(f"Run {run} : {len(plan)} messages ({len(sites)} structures toutes les {every:.0f} s pendant "
              f"{args.steady + args.burst + args.after:.0f} s, rafale {args.burst_rate:.0f}/s × {args.burst:.0f} s) ; "
              f"charge avant : {loadavg}", flush=True)
        stop, watched = threading.Event(), []
        watchers = [threading.Thread(target=watch, args=(port, watcher_secret, dashboard, stop, watched),
                                     daemon=True) for _ in range(args.watchers)]
        for t in watchers:
            t.start()
        cpu0, wall0 = cpu_seconds(proc.pid), time.time()
        sent = send_all(port, sender_secret, plan, args.senders)["all"]
        worker_cpu, wall = cpu_seconds(proc.pid) - cpu0, time.time() - wall0
        stop.set()
        for t in watchers:
            t.join()
        load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
        ok = [r for r in sent if r[3] == 201]
        failed = [r for r in sent if r[3] != 201]
        stored = graph.read("MATCH (r:EmergencyReport) WHERE r.message_id STARTS WITH $p RETURN count(r) AS n",
                            p=f"bench-{run}-")[0]["n"]
        burst_end = burst_at + args.burst
        in_burst = [e - s for s, e, st in watched if burst_at <= s < burst_end and st == 200]
        outside = [e - s for s, e, st in watched if not burst_at <= s < burst_end and st == 200]
        burst_sent = [r for r in sent if burst_at <= r[0] < burst_end]
        post_lat = [r[2] - r[1] for r in ok]
        lag = [r[1] - r[0] for r in burst_sent]
        print(json.dumps({
            "run": run, "region": region, "sites": len(sites), "messages": len(plan), "acknowledged_201": len(ok),
            "failed": len(failed), "failures": sorted({str(r[3]) for r in failed}), "stored": stored,
            "lost": len(ok) - stored,
            "burst_offered_per_s": round(len(burst_sent) / args.burst, 1),
            "burst_achieved_per_s": round(len(burst_sent) / max(1e-9, max(r[2] for r in burst_sent) - burst_at), 1)
            if burst_sent else None,
            "burst_send_lag_p95_s": round(percentile(lag, 95), 3) if lag else None,
            "post_p50_ms": round(1000 * percentile(post_lat, 50), 1),
            "post_p95_ms": round(1000 * percentile(post_lat, 95), 1),
            "dashboard_requests_burst": len(in_burst),
            "dashboard_p50_ms_burst": round(1000 * percentile(in_burst, 50), 1),
            "dashboard_p95_ms_burst": round(1000 * percentile(in_burst, 95), 1),
            "dashboard_p95_ms_outside": round(1000 * percentile(outside, 95), 1),
            "dashboard_errors": sum(1 for _, _, st in watched if st != 200),
            "worker_cpu_s": round(worker_cpu, 1), "wall_s": round(wall, 1),
            "worker_cpu_share": round(worker_cpu / wall, 2),
            "load_before": loadavg, "load_after": load_after}, indent=1), flush=True)

        hospitals = prepare_board(graph, region, args.board_share, args.seed)
        board = []
        conn = connection(port)
        cpu0 = cpu_seconds(proc.pid)
        for n in range(args.board_requests + 3):
            started = time.time()
            conn.request("GET", f"/api/v1/crisis/board?region={region}",
                         headers={"Authorization": f"Bearer {watcher_secret}"})
            response = conn.getresponse()
            body = response.read()
            if n >= 3:
                board.append(time.time() - started)
            if response.status != 200:
                raise SystemExit(f"board: HTTP {response.status} {body[:200]}")
        rows = len(json.loads(body)["rows"])
        board_cpu = (cpu_seconds(proc.pid) - cpu0) / (args.board_requests + 3)
        print(json.dumps({"board_region": region, "board_rows": rows, "hospitals": hospitals,
                          "board_p50_ms": round(1000 * percentile(board, 50), 1),
                          "board_p95_ms": round(1000 * percentile(board, 95), 1),
                          "worker_cpu_ms_per_request": round(1000 * board_cpu, 1),
                          "load": " ".join(f"{x:.2f}" for x in os.getloadavg())}, indent=1), flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if not args.keep:
            print(json.dumps({"removed": cleanup(graph, args.seed)}), flush=True)
        graph.close()


if __name__ == "__main__":
    main()
