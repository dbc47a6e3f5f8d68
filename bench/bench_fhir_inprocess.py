"""The documented ROR FHIR requests answered in process (Flask test client, no HTTP hop): CPU and wall time per
request, and the answers' bodies written to files to compare two versions of the code byte for byte.

Usage (national demo, read-only):
  NEO4J_URI=bolt://127.0.0.1:7687 OPENSEARCH_URL=http://127.0.0.1:9200 \\
    .venv/bin/python bench/bench_fhir_inprocess.py [--only R004,R020,R057] [--runs 30] [--capture DIR]

The requests are those of `bench_fhir_contract.py` (tests/fixtures/fhir/ror_documented_requests.json, the
documented form and its correction, placeholders filled from the served data), plus forms that exercise the
Bundle's assembly paths (a plain 200-entry page, `_summary`, `_elements`, `_count=0`, `_offset`, `_pretty`,
`near` with included places, the outcome entries of a widened `near` and of a lenient search). Each is answered
once, then the collector is frozen as the web process does (`web/app.py`), then `--runs` times: the median and
minimum of the process's CPU time (all threads, the include reads included) and of the wall time are printed
with the machine's load. `--capture DIR` writes each body to
DIR/<id>-<form>.json with the Bundle's `id` and `meta.lastUpdated` blanked (they differ on every answer):
`diff -r` of two captures taken back to back shows any byte that changed (a capacity entry made in between
changes its place, so capture the old code twice around the new one when the demo is being written).
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import statistics
import sys
import time
from pathlib import Path

import bench_fhir_contract as contract
from common import load_average

from core.settings import Settings
from web.app import create_app

R211 = "https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle"
EXTRA = {  # assembly paths the documented requests exercise little or not at all
    "X01": "HealthcareService?_count=200",
    "X02": "HealthcareService?_summary=true&_count=50&_include=HealthcareService:location",
    "X03": "HealthcareService?_elements=name,specialty&_count=50&_revinclude=PractitionerRole:service",
    "X04": "HealthcareService?_summary=count",
    "X05": "Location?_count=0",
    "X06": f"HealthcareService?specialty={R211}|227&_count=20&_offset=40&_include=HealthcareService:location",
    "X07": "Organization?_count=5&_pretty=true&_include:iterate=Organization:partof",
    "X08": "Location?near=47.218|-1.553|10|km&_count=30&_revinclude=HealthcareService:location",
    "X09": "HealthcareService?location.near=47.218|-1.553|10|km&_count=30&_include=HealthcareService:location",
    "X10": "HealthcareService?_summary=data&_count=10",
    "X11": "PractitionerRole?_count=3&_include=PractitionerRole:practitioner&_include=PractitionerRole:service",
    "X12": "Location?_count=10&_summary=text",
    "X13": "Location?name=zzzzqqq&_revinclude=HealthcareService:location",
    "X14": "Location?near=47.218|-1.553&_count=5&_revinclude=HealthcareService:location",  # widening outcome
    "X15": "HealthcareService?colour=blue&_count=2&_include=HealthcareService:organization",  # lenient below
}
HEADERS = {"X15": {"Prefer": "handling=lenient"}}
BUNDLE_STAMP = re.compile(rb'^\{"resourceType":"Bundle","id":"[^"]*","meta":\{"lastUpdated":"[^"]*"\}')
PRETTY_STAMP = re.compile(rb'^\{\n  "resourceType": "Bundle",\n  "id": "[^"]*",\n  "meta": \{\n'
                          rb'    "lastUpdated": "[^"]*"')


def requests(client) -> list[tuple[str, str, dict | None]]:
    """(name, path after /fhir/, headers) of every documented GET form and of the EXTRA forms."""
    def get(base: str, path: str, headers: dict | None = None, timeout: float = 30.0):
        response = client.get("/fhir/" + path, headers={"Accept": "application/fhir+json", **(headers or {})})
        body = response.get_data()
        return response.status_code, json.loads(body) if body else None, 0.0

    contract.get = get  # the placeholders are read through the same calls, in process
    values = contract.placeholders("")
    out = []
    for request in json.loads(contract.REQUESTS.read_text(encoding="utf-8"))["requests"]:
        if request["resource"] == "$export":
            continue
        for form, raw in (("documented", request["path"]), ("corrected", request.get("corrected"))):
            if raw:
                out.append((f"{request['id']}-{form}", contract.fill(request, raw, values), request.get("headers")))
    out += [(f"{name}-extra", path, HEADERS.get(name)) for name, path in EXTRA.items()]
    return out


def stamp_blanked(body: bytes) -> bytes:
    body = BUNDLE_STAMP.sub(b'{"resourceType":"Bundle","id":"-","meta":{"lastUpdated":"-"}', body, count=1)
    return PRETTY_STAMP.sub(b'{\n  "resourceType": "Bundle",\n  "id": "-",\n  "meta": {\n    "lastUpdated": "-"',
                            body, count=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated ids (R004,X01…): these requests only")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--capture", type=Path, help="write each answer's body to this folder")
    args = parser.parse_args()
    app = create_app(Settings.from_env())
    client = app.test_client()
    todo = requests(client)
    if args.only:
        wanted = set(args.only.split(","))
        todo = [t for t in todo if t[0].split("-")[0] in wanted]
    if args.capture:
        args.capture.mkdir(parents=True, exist_ok=True)
    for name, path, headers in todo:  # once each: the per-process caches filled
        response = client.get("/fhir/" + path, headers=headers or {})
        if args.capture:
            (args.capture / f"{name}.json").write_bytes(stamp_blanked(response.get_data()))
    gc.freeze()
    if not args.runs:
        return
    print(f"{len(todo)} requests, {args.runs} runs each, load {load_average()}", flush=True)
    cpu_all, wall_all = [], []
    for name, path, headers in todo:
        cpu, wall = [], []
        for _ in range(args.runs):
            c0, t0 = time.process_time(), time.perf_counter()
            response = client.get("/fhir/" + path, headers=headers or {})
            size = len(response.get_data())
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - t0) * 1000)
        cpu_all.append(statistics.median(cpu))
        wall_all.append(statistics.median(wall))
        print(f"{name:<16} {response.status_code}  {size:>9} B  cpu p50 {statistics.median(cpu):6.1f} "
              f"min {min(cpu):6.1f}  wall p50 {statistics.median(wall):6.1f} min {min(wall):6.1f} ms  "
              f"load {load_average()}", flush=True)
    print(f"mean of the medians over {len(todo)} requests: cpu {statistics.fmean(cpu_all):.2f} ms, "
          f"wall {statistics.fmean(wall_all):.2f} ms  load {load_average()}", file=sys.stdout, flush=True)


if __name__ == "__main__":
    main()
