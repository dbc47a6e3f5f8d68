"""Bulk Data `$export` (HL7 Bulk Data 2.0 async pattern): kick-off → status → NDJSON download.

A job writes one NDJSON file per resource type under `<exports_dir>/<job>/` from a background thread, and
its state (`job.json`) is the status endpoint's answer. `_since` exports only resources whose lastUpdated is
at or after it, and lists deletions recorded in the graph as `(:Tombstone {resource_type, resource_id,
deleted_at})` in the manifest's `deleted` files (Bundles of DELETE requests), as the spec asks.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import re
import shutil
import threading
import uuid
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import cypher
from fhir_api import params, resources, store
from fhir_api.search import SearchEngine
from ror.errors import BadRequest, NotFound

EXPORT_TYPES = ("Organization", "HealthcareService", "Location", "PractitionerRole", "Practitioner")
BATCH = 2000
RENDER_WORKERS = 2  # processes mapping rows to FHIR JSON (the Python side is the bottleneck; 2 cores here)
RENDER_AHEAD = 4  # chunks in flight per type
EXPORT_QUERY = {t: f"fhir/export_{t.lower()}" for t in EXPORT_TYPES}
MAPPERS = {"Organization": resources.organization_resource, "HealthcareService": resources.healthcare_service_resource,
           "Location": resources.location_resource, "PractitionerRole": resources.practitioner_role_resource,
           "Practitioner": resources.practitioner_resource}
JOB_ID = re.compile(r"^[0-9a-f]{32}$")
FILE_NAME = re.compile(r"^[A-Za-z]+(-deleted)?\.ndjson$")


def parse_types(raw: str | None) -> list[str]:
    if not raw:
        return list(EXPORT_TYPES)
    types = [t.strip() for t in raw.split(",") if t.strip()]
    unknown = [t for t in types if t not in EXPORT_TYPES]
    if unknown:
        raise BadRequest(f"Type(s) non exportable(s) : {', '.join(unknown)} (types disponibles : "
                         f"{', '.join(EXPORT_TYPES)}).")
    return list(dict.fromkeys(types))


def parse_since(raw: str | None) -> str | None:
    """`_since` as an ISO instant (FHIR instant; a date or partial time is taken at its start)."""
    if not raw:
        return None
    condition = params.date_condition("ge" + raw, "_since")
    return condition["lo"]


class ExportJobs:
    """Kick-off, status, files and deletion of export jobs (state on disk: survives a restart)."""

    def __init__(self, graph, exports_dir: Path):
        self.graph = graph
        self.dir = Path(exports_dir)
        self._pool: ProcessPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def start(self, types: list[str], since: str | None, request_url: str, *, wait: bool = False) -> str:
        job = uuid.uuid4().hex
        folder = self.dir / job
        folder.mkdir(parents=True, exist_ok=True)
        state = {"status": "in-progress", "request": request_url, "types": types, "since": since,
                 "transactionTime": _now(), "output": [], "deleted": [], "error": [], "progress": "en cours"}
        _write_state(folder, state)
        thread = threading.Thread(target=self._run, args=(folder, state), name=f"fhir-export-{job}", daemon=True)
        thread.start()
        if wait:
            thread.join()
        return job

    def state(self, job: str) -> dict:
        folder = self._folder(job)
        return json.loads((folder / "job.json").read_text(encoding="utf-8"))

    def file(self, job: str, name: str) -> Path:
        if not FILE_NAME.match(name):
            raise NotFound("Fichier d'export introuvable.")
        path = self._folder(job) / name
        if not path.is_file():
            raise NotFound("Fichier d'export introuvable.")
        return path

    def delete(self, job: str) -> None:
        shutil.rmtree(self._folder(job), ignore_errors=True)

    def _folder(self, job: str) -> Path:
        folder = self.dir / job
        if not JOB_ID.match(job) or not (folder / "job.json").is_file():
            raise NotFound(f"Export {job} introuvable (terminé et supprimé, ou jamais demandé).")
        return folder

    def _run(self, folder: Path, state: dict) -> None:
        written: dict[str, int] = dict.fromkeys(state["types"], 0)
        lock = threading.Lock()

        def progress(rtype: str, count: int) -> None:
            with lock:
                written[rtype] = count
                state["progress"] = ", ".join(f"{t} {n}" for t, n in written.items())
                if (folder / "job.json").exists():
                    _write_state(folder, state)

        try:
            with ThreadPoolExecutor(max_workers=len(state["types"])) as pool:
                counts = dict(zip(state["types"], pool.map(
                    lambda t: self._export_type(folder, t, state["since"], progress), state["types"]), strict=True))
            state["output"] = [{"type": t, "file": f"{t}.ndjson", "count": c} for t, c in counts.items() if c]
            if state["since"]:  # a full export simply omits deleted resources
                state["deleted"] = self._tombstones(folder, state["types"], state["since"])
            state["status"] = "completed"
            state["progress"] = ", ".join(f"{t} {n}" for t, n in counts.items())
        except Exception as exc:  # noqa: BLE001 — the job must record any failure for the status endpoint
            state["status"] = "error"
            state["error"] = [f"L'export a échoué : {getattr(exc, 'message', None) or type(exc).__name__}."]
        if (folder / "job.json").exists():
            _write_state(folder, state)

    def _export_type(self, folder: Path, rtype: str, since: str | None, progress=None) -> int:
        """Write `<rtype>.ndjson`: a full export streams one large read of the type (`cypher/fhir/export_*`),
        rendered to NDJSON in worker processes chunk by chunk; a `_since` delta reads the changed ids."""
        path = folder / f"{rtype}.ndjson"
        if since:
            chunks = (_render(rtype, None, batch) for batch in _batches(self.resources(rtype, since), BATCH))
            count = _write(path, chunks, rtype, progress)
        else:
            count = self._stream_type(path, rtype, progress)
        if not count:
            path.unlink()
        return count

    def _stream_type(self, path: Path, rtype: str, progress) -> int:
        """One read for the whole type; rows go in chunks to the renderer processes, written back in order
        (at most RENDER_AHEAD chunks in flight per type), so memory stays flat whatever the size."""
        pool = self._renderers()
        query = cypher.query(EXPORT_QUERY[rtype])

        def rendered() -> Iterator[str]:
            pending: deque = deque()
            with self.graph.driver.session(database=self.graph.database, fetch_size=BATCH,
                                           default_access_mode="READ") as session:
                result = session.run(query)
                for rows in _batches((record.data() for record in result), BATCH):
                    pending.append(pool.submit(_render, rtype, rows, None))
                    if len(pending) >= RENDER_AHEAD:
                        yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()

        return _write(path, rendered(), rtype, progress)

    def _renderers(self) -> ProcessPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=RENDER_WORKERS,
                                                 mp_context=multiprocessing.get_context("spawn"))
            return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def resources(self, rtype: str, since: str | None) -> Iterator[dict]:
        """Resources of a type changed since `since`, in id order, fetched by id in batches (deltas)."""
        engine = SearchEngine(self.graph)
        items = [("_lastUpdated", "ge" + since)] if since else []
        crit = engine.criteria(rtype, items)
        ids = engine.run(crit, offset=0, count=10**9).ids
        for start in range(0, len(ids), BATCH):
            yield from store.fetch(self.graph, rtype, ids[start:start + BATCH])

    def _tombstones(self, folder: Path, types: list[str], since: str | None) -> list[dict]:
        rows = self.graph.read_named("fhir/export_tombstones", types=types, since=since)
        by_type: dict[str, list[dict]] = {}
        for row in rows:
            by_type.setdefault(row["resource_type"], []).append(row)
        out = []
        for rtype, items in sorted(by_type.items()):
            name = f"{rtype}-deleted.ndjson"
            with (folder / name).open("w", encoding="utf-8") as f:
                for row in items:
                    bundle = {"resourceType": "Bundle", "meta": {"lastUpdated": _instant(row["deleted_at"])},
                              "type": "transaction", "entry": [
                                  {"request": {"method": "DELETE", "url": f"{rtype}/{row['resource_id']}"}}]}
                    f.write(json.dumps(bundle, separators=(",", ":")) + "\n")
            out.append({"type": "Bundle", "file": name, "count": len(items)})
        return out


def _batches(items, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _render(rtype: str, rows: list[dict] | None, resources_: list[dict] | None) -> str:
    """NDJSON text of a chunk: graph rows mapped to resources (in a renderer process), or ready resources."""
    items = resources_ if resources_ is not None else [MAPPERS[rtype](row) for row in rows]
    return "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in items)


def _write(path: Path, chunks: Iterator[str], rtype: str, progress) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for text in chunks:
            out.write(text)
            count += text.count("\n")
            if progress:
                progress(rtype, count)
    return count


def manifest(state: dict, file_url) -> dict:
    """The Bulk Data completion manifest; `file_url(name)` gives each file's download URL."""
    return {
        "transactionTime": state["transactionTime"],
        "request": state["request"],
        "requiresAccessToken": False,
        "output": [{"type": o["type"], "url": file_url(o["file"]), "count": o["count"]} for o in state["output"]],
        "deleted": [{"type": o["type"], "url": file_url(o["file"]), "count": o["count"]} for o in state["deleted"]],
        "error": [],
    }


def _write_state(folder: Path, state: dict) -> None:
    tmp = folder / "job.json.tmp"
    tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    tmp.replace(folder / "job.json")


def _instant(value: str) -> str:
    """A Neo4j datetime string as a FHIR instant (milliseconds, UTC offset)."""
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat(timespec="milliseconds")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
