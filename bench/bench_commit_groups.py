"""Cost of a capacity entry by commit group size: Neo4j CPU (from /proc of the Neo4j process) and Python CPU
per entry, for groups of 1, 4, 16 entries per transaction (the `capacity.service` group commit).

Usage: .venv/bin/python bench/bench_commit_groups.py [--entries 800] [--groups 1,4,16]
Runs against the national demo engines (`ror engines up`: bolt 7687) and writes real capacity snapshots (with
their audit entries, actor "bench-capacite", note "banc de charge (synthétique)") on 400 existing bedded places,
like bench_capacity.py --national. No index push: this measures the transaction alone. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accounts.models import Principal, User  # noqa: E402
from capacity import service  # noqa: E402
from core.settings import Settings  # noqa: E402
from engines import manager  # noqa: E402
from graph.driver import Graph  # noqa: E402


def cpu_seconds(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=800)
    parser.add_argument("--groups", default="1,4,16")
    args = parser.parse_args()
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    settings = Settings.from_env()
    status = {s.name: s for s in manager.status(settings)}
    neo4j_pid = status["neo4j"].pid if "neo4j" in status else None
    if not neo4j_pid:
        raise SystemExit("Neo4j local introuvable : lancez « ror engines up » (la mesure lit /proc/<pid>).")
    graph = Graph.from_settings(settings)
    places = [r["place"] for r in graph.read(
        "MATCH (p:Place) WHERE p.installed_beds >= 8 WITH p ORDER BY p.id SKIP 3000 LIMIT 400 RETURN p.id AS place")]
    principal = Principal(User("bench-capacite", "admin", display_name="banc de charge (synthétique)"),
                          via="token:bench", ip="127.0.0.1")
    today = service.paris_today()
    print(f"Charge moyenne avant : {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for size in (int(x) for x in args.groups.split(",")):
        neo0, py0, wall0 = cpu_seconds(neo4j_pid), time.process_time(), time.perf_counter()
        done = 0
        while done < args.entries:
            group = [service._Pending(principal, places[(done + i) % len(places)],
                                      {"available_women": 1, "note": "banc de charge (synthétique)"}, today)
                     for i in range(size)]
            outcomes = graph.transaction(lambda tx, group=group: service._write_group(tx, group))
            failed = [o for o in outcomes if isinstance(o, BaseException)]
            if failed:
                raise SystemExit(f"entrée refusée : {failed[0]}")
            done += size
        neo, py, wall = (cpu_seconds(neo4j_pid) - neo0, time.process_time() - py0, time.perf_counter() - wall0)
        print(f"groupes de {size:>2} : {done} entrées ; par entrée : Neo4j {1000 * neo / done:.2f} ms CPU, "
              f"Python {1000 * py / done:.2f} ms CPU, {1000 * wall / done:.2f} ms écoulées")
    print(f"Charge moyenne après : {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    graph.close()


if __name__ == "__main__":
    main()
