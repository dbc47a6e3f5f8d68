"""The "why" cases of issue 15 tried as a clinician, a coordinator and an analyst would, on the national demo.

Each case calls the app in-process (Flask test client, read-only, an in-memory administrator: no account is
created) on the shared demo (bolt 7687, http 9200, prefix `ror`) and prints what a person would see, next to the
national statistic the issue compares it with. The graph counts (thrombectomy sites, MRI devices, maternities…)
come from `ror generate figures` (the same figures as docs/generated-offer.md), run here too.

    NEO4J_URI=bolt://127.0.0.1:7687 OPENSEARCH_URL=http://127.0.0.1:9200 \\
        .venv/bin/python bench/bench_clinician_cases.py [--markdown]

Figures go to docs/benchmarks.md ("Issue 15 on the national demo") with the load average printed here.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import load_average  # noqa: E402

from core.settings import Settings  # noqa: E402

# Names that a heavy device or a rare act must never sit on (issue 15: "CENTRE DE SOINS DENTAIRES - CHU63",
# "CMP - CHU63", "CPEF DE BELLEY", a laboratory, a lactarium).
IMPLAUSIBLE = re.compile(r"\b(CMPP?|CATTP|CPEF|PLANIFICATION|DENTAIRE|LABORATOIRE|LBM|LACTARIUM|PMI|EHPAD)\b", re.I)


def client(settings: Settings):
    from flask import g

    from accounts.models import Principal, User
    from web import create_app

    app = create_app(settings)
    admin = User("bench-cases", "admin", display_name="banc des cas cliniques (synthétique)")

    @app.before_request
    def bench_principal():
        g.ror_principal = Principal(admin, via="token:bench", ip="127.0.0.1")

    return app.test_client()


def get(c, url: str, **params):
    started = time.perf_counter()
    response = c.get(f"/api/v1{url}", query_string=params)
    ms = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} {params}: HTTP {response.status_code} {response.get_data(as_text=True)[:300]}")
    return response, ms


def orientation(c, url: str, **params) -> dict:
    response, ms = get(c, url, **params)
    body = response.get_json()
    hits = body.get("hits") or body.get("results") or []
    widening = body.get("widening") or {}
    first = hits[0] if hits else {}
    names = "; ".join(f"{h.get('site_name') or h.get('name')} ({h.get('distance_km')} km)" for h in hits[:3])
    return {"total": body.get("total"), "radius": widening.get("radius_km", body.get("radius_km")),
            "mode": widening.get("mode"), "explanation": widening.get("explanation"),
            "nearest_km": first.get("distance_km"), "first": names, "phone": bool(first.get("phone")),
            "implausible": sum(1 for h in hits if IMPLAUSIBLE.search(h.get("site_name") or "")),
            "ms": round(ms)}


def cases(c) -> list[tuple[str, str, str]]:
    """(case, what the demo answers, what the issue / France says)."""
    rows = []
    r = orientation(c, "/orientation/act-team", act="thrombectomie", where="Aurillac", size=5)
    rows.append(("Équipe pour un acte : thrombectomie, Aurillac (rayon SAS)",
                 f"{r['total']} résultat(s), mode {r['mode']}, « {r['explanation']} » ; {r['first']} ; "
                 f"téléphone sur la 1re carte : {'oui' if r['phone'] else 'non'} ; {r['ms']} ms",
                 "avant : 0 résultat à 50 km ; l'équipe la plus proche à 76 km (Clermont-Ferrand ≈ 125 km, "
                 "Toulouse ≈ 155 km à vol d'oiseau)"))
    r = orientation(c, "/orientation/specialist-opinion", activity="cardiologie", age_group="03", where="Brest",
                    size=5)
    rows.append(("Avis : cardiologie, enfant, Brest (rayon SAS)",
                 f"{r['total']} résultat(s), mode {r['mode']}, « {r['explanation']} » ; {r['first']} ; {r['ms']} ms",
                 "avant : 0 (aucune cardiologie n'acceptait d'enfant en France) ; CHU de Brest"))
    r = orientation(c, "/orientation/specialist-opinion", activity="cardiologie", age_group="03", where="Brest",
                    radius_km=10, size=5)
    rows.append(("Avis : cardiologie, enfant, Brest, rayon donné 10 km",
                 f"{r['total']} résultat(s), mode {r['mode']}, « {r['explanation']} » ; {r['first']}",
                 "un rayon donné est respecté (pas d'élargissement sans le demander)"))
    response, ms = get(c, "/search", q="imagerie par resonance", where="Pau", size=5)
    body = response.get_json()
    read = ", ".join(f"{m['kind']} {m['label']} ({m['code']})" for m in body.get("interpretation", [])[:2])
    hits = body.get("hits") or []
    first = "; ".join(f"{h.get('site_name')} ({h.get('distance_km')} km)" for h in hits[:2])
    rows.append(("Texte libre « imagerie par resonance » autour de Pau",
                 f"{body.get('total')} résultat(s), lu comme {read} ; {first} ; {round(ms)} ms",
                 "avant : rien (l'expression accentuée trouvait 6 083 offres en France)"))
    response, ms = get(c, "/autocomplete", prefix="cardo", limit=6)
    suggestions = response.get_json()["suggestions"]
    rows.append(("Autocomplétion « cardo »",
                 " | ".join(f"{s.get('kind')}: {s.get('label')}" for s in suggestions[:5]) + f" ; {round(ms)} ms",
                 "avant : communes et pharmacies, pas cardiologie"))
    return rows


def implausible_sites(settings: Settings) -> list[tuple[str, str, str]]:
    """Sites whose name says they cannot hold an MRI or perform a thrombectomy, counted on the graph."""
    from graph.driver import Graph

    graph = Graph.from_settings(settings)
    try:
        rows = graph.read_named("read/figures_site_names_with", timeout_=300, keys=["J16|0459", "J18|054"])
    finally:
        graph.close()
    out = []
    for key, what in (("J16|0459", "thrombectomie"), ("J18|054", "IRM")):
        names = [r["name"] or "" for r in rows if r["key"] == key]
        bad = sorted(n for n in names if IMPLAUSIBLE.search(n))
        out.append((f"Sites ({what}) au nom de CMP, CPEF, centre dentaire, laboratoire, lactarium, PMI, EHPAD",
                    f"{len(bad)} sur {len(names)} sites" + (f" (ex. {', '.join(bad[:3])})" if bad else ""),
                    "0 ; avant : « CENTRE DE SOINS DENTAIRES - CHU63 », « CMP - CHU63 », « CPEF DE BELLEY »"))
    return out


def territory(c) -> list[tuple[str, str, str]]:
    rows = []
    for code, name in (("FR", "France"), ("D40", "Landes"), ("D33", "Gironde"), ("D75", "Paris"),
                       ("R11", "Île-de-France")):
        response, ms = get(c, "/territories/picture", territory=code)
        body = response.get_json()
        population = body["territory"]["population"]
        beds = body["beds"]
        hospital = round(beds["hospital_installed"] * 100_000 / population)
        medico = round(beds["medico_social_installed"] * 100_000 / population)
        rows.append((f"Portrait de territoire, {name} ({code}) : lits et places pour 100 000 habitants",
                     f"hospitaliers (MCO, SMR, psychiatrie) {hospital} ; médico-sociaux {medico} "
                     f"({beds['places_reporting']} unités avec relevé) ; {round(ms)} ms",
                     "France : 555 lits d'hospitalisation complète + 119 places partielles = 674 hospitaliers, "
                     "1 097 (personnes âgées) + 741 (handicap) = 1 838 médico-sociaux ; "
                     "avant : 4 388 lits pour 100 000"))
    response, ms = get(c, "/territories/coverage", territory="D33", activity="100", format="csv")
    reader = csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    hourtin = next((row for row in reader if row[0] == "33203"), None)  # insee;commune;dép.;pop.;km;…;finess;site
    rows.append(("Carte des manques : maternité la plus proche d'Hourtin (33203)",
                 f"{hourtin[7]} à {hourtin[4]} km ; {round(ms)} ms"
                 if hourtin else "commune absente du CSV",
                 "avant : un centre d'IRM ; attendu : une maternité (Lesparre-Médoc, Bordeaux…)"))
    return rows


def stroke_pathway() -> list[tuple[str, str, str]]:
    out = subprocess.run([str(ROOT / ".venv/bin/ror"), "cypher", "run", "stroke_pathway", "-p", "department_code=40",
                          "--json", "--timeout", "300"], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return [("Filière AVC des Landes (bibliothèque)", f"échec : {out.stderr.strip()[-200:]}", "")]
    rows = json.loads(out.stdout)
    rows = rows.get("rows", rows) if isinstance(rows, dict) else rows
    targets: dict[str, int] = {}
    for row in rows:
        for key, value in row.items():
            if key == "unv" and value:
                targets[value] = targets.get(value, 0) + 1
    listed = ", ".join(f"{name} ({n} communes)" for name, n in sorted(targets.items(), key=lambda x: -x[1])[:4])
    return [("Filière AVC des Landes (40) : sites de thrombectomie retenus",
             f"{len(rows)} communes ; {listed or json.dumps(rows[:1], ensure_ascii=False)[:200]}",
             "avant : un lactarium ; attendu : CHU de Bordeaux / Pau / Toulouse")]


def figures() -> str:
    out = subprocess.run([str(ROOT / ".venv/bin/ror"), "generate", "figures", "--markdown"],
                         capture_output=True, text=True, check=False)
    return out.stdout if out.returncode == 0 else f"ror generate figures failed: {out.stderr[-300:]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-figures", action="store_true", help="skip `ror generate figures` on the graph")
    parser.add_argument("--no-pathway", action="store_true", help="skip the stroke pathway library query")
    parser.add_argument("--repeat", action="store_true", help="run the clinician cases twice, print the warm run")
    args = parser.parse_args()
    settings = Settings.from_env(neo4j_uri=os.environ.get("NEO4J_URI", "bolt://127.0.0.1:7687"),
                                 opensearch_url=os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9200"))
    print(f"load at start: {load_average()}  ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})")
    c = client(settings)
    rows = cases(c)
    if args.repeat:  # warm figures: the first request of each kind pays the JIT, caches and connection pool
        rows = cases(c)
    rows += territory(c) + implausible_sites(settings)
    if not args.no_pathway:
        rows += stroke_pathway()
    print("\n| case | national demo now | before / France |\n|---|---|---|")
    for case, now, ref in rows:
        print(f"| {case} | {now} | {ref} |")
    if not args.no_figures:
        print()
        print(figures())
    print(f"load at end: {load_average()}")


if __name__ == "__main__":
    main()
