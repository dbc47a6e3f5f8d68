"""One small runner for the product's background jobs (console exports, FHIR `$export`).

Each job has an id, a folder `<folder>/<id>/` holding its files and its state `job.json` (written atomically: a
reader never sees half a file, and the state survives a restart), and runs in a bounded pool of worker threads.
What a state contains, and what a job writes next to it, is the caller's business.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from core.errors import RorError

JOB_ID = re.compile(r"[A-Za-z0-9_-]{16,40}")
STATE_FILE = "job.json"


class TooManyJobs(RorError):
    status = 429
    code = "too_many_requests"


class JobRunner:
    """Jobs under `folder`, run by `workers` threads. With `max_waiting`, a job arriving when that many are already
    waiting for a worker (per worker) is refused with TooManyJobs; without it, jobs wait as long as needed."""

    def __init__(self, folder: Path, *, workers: int, name: str, max_waiting: int | None = None):
        self.folder = Path(folder)
        self.workers = max(1, workers)
        self.max_waiting = max_waiting
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix=name)
        self.lock = threading.RLock()  # held while a job is submitted or leaves (callers may hold it around both)
        self._futures: dict[str, Future] = {}

    # ------------------------------------------------------------------------------------------- files

    def new_id(self) -> str:
        return secrets.token_hex(16)

    def path(self, job_id: str) -> Path | None:
        """The job's folder if `job_id` is well formed and its state exists, else None."""
        if not JOB_ID.fullmatch(job_id or ""):
            return None
        folder = self.folder / job_id
        return folder if (folder / STATE_FILE).is_file() else None

    def write_state(self, job_id: str, state: dict) -> None:
        folder = self.folder / job_id
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"{STATE_FILE}.{threading.get_ident()}.tmp"
        tmp.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        tmp.replace(folder / STATE_FILE)

    def read_state(self, job_id: str) -> dict | None:
        folder = self.path(job_id)
        if folder is None:
            return None
        try:
            state = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return state if isinstance(state, dict) else None

    def ids(self) -> Iterator[str]:
        """Ids of the jobs on disk (whatever their state)."""
        if self.folder.exists():
            for path in list(self.folder.glob(f"*/{STATE_FILE}")):
                yield path.parent.name

    def remove(self, job_id: str) -> None:
        if JOB_ID.fullmatch(job_id or ""):
            shutil.rmtree(self.folder / job_id, ignore_errors=True)

    # ------------------------------------------------------------------------------------------- running

    def submit(self, job_id: str, work: Callable[[], Any], *, refused: str = "Trop de tâches en cours.") -> Future:
        """Run `work()` in a worker; the job is live (`live`) until it returns, whatever happens in it."""
        with self.lock:
            if self.full():
                raise TooManyJobs(refused, detail=f"{len(self._futures)} jobs live")

            def run() -> Any:
                try:
                    return work()
                finally:
                    with self.lock:
                        self._futures.pop(job_id, None)

            # submitted under the lock: whoever sees the job live also finds its future
            future = self._futures[job_id] = self._pool.submit(run)
        return future

    def live(self, job_id: str) -> bool:
        """Queued or running in this process (a job left live by a previous process is not)."""
        return job_id in self._futures

    def release(self, job_id: str) -> None:
        """The job is over: no longer live, even before its worker returns. A job that writes its final state and
        calls this under `lock` is never seen done-but-live, nor live-but-done."""
        with self.lock:
            self._futures.pop(job_id, None)

    def future(self, job_id: str) -> Future | None:
        return self._futures.get(job_id)

    def cancel(self, job_id: str) -> bool:
        """Take a job that has not started yet out of the queue; False when it runs (or ran) already."""
        with self.lock:
            future = self._futures.get(job_id)
            if future is not None and future.cancel():
                self._futures.pop(job_id, None)
                return True
            return False

    def full(self) -> bool:
        """No room for one more job (`max_waiting` jobs per worker already wait)."""
        return self.max_waiting is not None and len(self._futures) >= self.workers * (1 + self.max_waiting)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
