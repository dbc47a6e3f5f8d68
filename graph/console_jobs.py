"""Background console exports: long read-only analyses run by a bounded worker pool, results kept on disk.

A job is a console query or a library query, checked (text and plan) before it is accepted, then run in a
READ transaction with the export limits (larger row cap, longer timeout). Each job belongs to the user who
started it; its state lives in `<var>/console-jobs/<id>/job.json` and its result in `result.json` and
`result.csv` next to it. Finished jobs are deleted after a time-to-live. The folders, the state file and the worker
pool are the product's one job runner (`core.jobs.JobRunner`), shared with the FHIR `$export`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.errors import Conflict, NotFound, RorError
from core.jobs import JOB_ID, JobRunner, TooManyJobs
from graph.results import QueryResult

log = logging.getLogger(__name__)

__all__ = ["JOB_ID", "Job", "JobStore", "TooManyJobs"]
STATES = ("queued", "running", "done", "failed")
STATE_LABELS = {"queued": "en attente", "running": "en cours", "done": "terminé", "failed": "en échec"}
QUEUE_PER_WORKER = 4  # jobs waiting for a worker, per worker, before new ones are refused
STOP_WAIT_S = 60.0  # how long `delete` waits for a running job to stop (its transaction ends in Neo4j)
STOP_POLL_S = 0.1


@dataclass
class Job:
    id: str
    owner: str
    kind: str  # "console" or "library"
    label: str  # the query text (console) or the library query name
    params: dict
    state: str = "queued"
    created_at: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None
    rows: int | None = None
    truncated: bool = False
    columns: list | None = None
    error: str | None = None
    error_code: str | None = None

    def elapsed_ms(self, now: float | None = None) -> float | None:
        if self.started_at is None:
            return None
        end = self.finished_at if self.finished_at is not None else (now or time.time())
        return round((end - self.started_at) * 1000, 1)

    def public(self) -> dict:
        """What the owner sees (never another user's)."""
        return {"id": self.id, "kind": self.kind, "label": self.label, "params": self.params,
                "state": self.state, "state_label": STATE_LABELS[self.state],
                "created_at": _iso(self.created_at), "started_at": _iso(self.started_at),
                "finished_at": _iso(self.finished_at), "elapsed_ms": self.elapsed_ms(),
                "rows": self.rows, "truncated": self.truncated, "columns": self.columns,
                "error": self.error, "error_code": self.error_code}


def _iso(stamp: float | None) -> str | None:
    return None if stamp is None else datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds")


class JobStore:
    """Jobs of one app: a pool of `workers` threads, files under `folder`, results kept `ttl_s` seconds."""

    def __init__(self, folder: Path, *, workers: int = 2, ttl_s: float = 86400.0):
        self.runner = JobRunner(folder, workers=workers, name="ror-console-job", max_waiting=QUEUE_PER_WORKER)
        self.folder, self.workers, self.ttl_s = self.runner.folder, self.runner.workers, ttl_s

    def submit(self, owner: str, kind: str, label: str, params: dict,
               work: Callable[[Job], QueryResult]) -> Job:
        """Queue `work` (already checked by the caller) for `owner`; refused when the queue is full.

        `work` gets its job, whose id can tag the transaction so that `delete` can stop it."""
        self.purge()
        job = Job(id=self.runner.new_id(), owner=owner, kind=kind, label=label, params=params,
                  created_at=time.time())
        with self.runner.lock:  # the job's file and its place in the queue appear together
            if self.runner.full():
                raise TooManyJobs("Trop d'exports en cours : réessayez quand l'un d'eux sera terminé.")
            self._write(job)
            self.runner.submit(job.id, lambda: self._run(job, work))
        return job

    def _run(self, job: Job, work: Callable[[Job], QueryResult]) -> None:
        job.state, job.started_at = "running", time.time()
        self._write(job)
        try:
            result = work(job)
            folder = self._dir(job.id)
            (folder / "result.csv").write_text(result.to_csv(), encoding="utf-8")
            (folder / "result.json").write_text(result.to_json(), encoding="utf-8")
            job.rows, job.truncated, job.columns, job.state = len(result.rows), result.truncated, result.columns, "done"
        except RorError as exc:
            job.state, job.error, job.error_code = "failed", exc.message, exc.code
        except Exception:  # noqa: BLE001 - a job never dies silently; the person sees a French message
            log.exception("console job %s failed", job.id)
            job.state, job.error, job.error_code = "failed", "Erreur interne pendant l'export.", "internal_error"
        finally:
            job.finished_at = time.time()
            with self.runner.lock:  # the final state and leaving the live jobs are one step for `delete`
                self._write(job)
                self.runner.release(job.id)

    def get(self, owner: str, job_id: str) -> Job:
        """The job if it exists and belongs to `owner` (another user's job is "not found", not "forbidden")."""
        live = self.runner.live(job_id)  # looked at before the file: a worker writes its last state, then leaves
        job = self._read(job_id) if JOB_ID.fullmatch(job_id or "") else None
        if job is None or job.owner != owner:
            raise NotFound("Export introuvable (inconnu, expiré ou lancé par un autre utilisateur).")
        if job.state in ("queued", "running") and not live:
            job.state, job.error, job.error_code = "failed", "Export interrompu par un redémarrage du serveur.", \
                "interrupted"
        return job

    def owned(self, owner: str) -> list[Job]:
        self.purge()
        jobs = []
        for job_id in self.runner.ids():
            job = self._read(job_id)
            if job is not None and job.owner == owner:
                jobs.append(self.get(owner, job.id))
        return sorted(jobs, key=lambda j: j.created_at, reverse=True)

    def result_path(self, owner: str, job_id: str, fmt: str) -> Path:
        job = self.get(owner, job_id)
        if job.state != "done":
            raise Conflict(f"Export {STATE_LABELS[job.state]} : pas de résultat à télécharger"
                           + (f" ({job.error})" if job.error else "") + ".")
        return self._dir(job.id) / f"result.{fmt}"

    def delete(self, owner: str, job_id: str, stop: Callable[[Job], object] | None = None,
               wait_s: float = STOP_WAIT_S) -> None:
        """Remove a finished export, or cancel one still waiting for a worker.

        A running one is stopped with `stop` (which ends its transaction), then removed once its worker has
        let go of it; without `stop`, or when it has not stopped within `wait_s`, it is refused."""
        job = self.get(owner, job_id)
        with self.runner.lock:  # the job cannot leave between these two looks
            future = self.runner.future(job.id)
            running = future is not None and not self.runner.cancel(job.id)
        if running:
            if stop is None or future is None:
                raise Conflict("Export en cours : il ne peut être supprimé qu'une fois terminé.")
            self._stop(job, future, stop, wait_s)
        self.runner.remove(job.id)

    @staticmethod
    def _stop(job: Job, future: Future, stop: Callable[[Job], object], wait_s: float) -> None:
        """Call `stop` until the worker is done: a worker between its start and its transaction's start is
        caught by a later call."""
        deadline = time.monotonic() + wait_s
        while True:
            stop(job)
            try:
                future.result(timeout=STOP_POLL_S)
                return
            except FutureTimeout:
                if time.monotonic() > deadline:
                    raise Conflict("L'arrêt de l'export est demandé mais il n'est pas encore arrêté : "
                                   "réessayez dans un instant.") from None
            except Exception:  # noqa: BLE001 - `_run` keeps its own errors; whatever happened, it is over
                return

    def purge(self, now: float | None = None) -> int:
        """Delete jobs finished more than `ttl_s` ago; returns how many."""
        now = now or time.time()
        removed = 0
        for job_id in list(self.runner.ids()):
            job = self._read(job_id)
            with self.runner.lock:  # a worker writes its final state and leaves the live jobs under this lock
                live = job is not None and self.runner.live(job.id)
            if job is None or live:
                continue
            if now - (job.finished_at or job.created_at) > self.ttl_s:
                self.runner.remove(job.id)
                removed += 1
        return removed

    def shutdown(self) -> None:
        self.runner.shutdown()

    def _dir(self, job_id: str) -> Path:
        return self.folder / job_id

    def _write(self, job: Job) -> None:
        self.runner.write_state(job.id, asdict(job))

    def _read(self, job_id: str) -> Job | None:
        state = self.runner.read_state(job_id)
        try:
            return Job(**state) if state is not None else None
        except TypeError:
            return None
