"""Console and library queries run in worker processes: a memory ceiling, a hard deadline, few connections.

A Bolt record arrives whole: `RETURN range(1, 10000000)` is one record of ten million numbers, decoded by the
driver into ~400 MB of Python objects before any byte cap can look at it (issue 19: +570 MB in the app). In a
worker process, the app watches the worker's resident memory while it works and kills it past `memory_mb`
(a clear 400, "trop volumineux"); the app's own memory stays flat. (An address-space limit alone is not
enough: the driver's compiled decoder aborts, and may hang, when an allocation fails.) A worker that does not
answer by its deadline (a connection Neo4j left hanging) is killed rather than waited for. Each worker holds
one connection of its own driver, so console queries can never take connections from the app's pool (the
health check and the public pages stay up).

Workers are started on first use (`spawn`: nothing of the app's threads or sockets is inherited) and reused;
one that failed on memory, was killed, or died is replaced by a new one at the next query.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import resource
import threading
import time
from dataclasses import asdict
from multiprocessing.connection import Connection
from typing import Any

from core.errors import RorError, ServiceUnavailable
from graph.console import ConsoleLimits, QueryTimeout, QueryTooLarge
from graph.results import QueryResult

log = logging.getLogger(__name__)
POLL_S = 0.2  # how often a busy worker's memory is looked at
_PAGE = os.sysconf("SC_PAGE_SIZE")
DEADLINE_GRACE_S = 5.0  # beyond the query's own time limit (planning + run) before the worker is killed
START_TIMEOUT_S = 120.0  # a worker imports the driver; on a loaded machine that can take a while
IDLE_EXIT_S = 300.0  # a worker with nothing to do for this long exits (the next query starts a new one)


class ConsoleRunner:
    """`workers` processes (started lazily), each limited to `memory_mb` of address space."""

    def __init__(self, uri: str, *, auth: tuple[str, str] | None, database: str, workers: int, memory_mb: int):
        self.uri, self.auth, self.database = uri, auth, database
        self.memory_mb = memory_mb
        self.workers = max(1, workers)
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(self.workers)
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._context = multiprocessing.get_context("spawn")

    def run(self, kind: str, payload: dict, limits: ConsoleLimits, *, wait_s: float) -> QueryResult:
        """Run `kind` in a worker ("console": check a console query, then run it; "plan": only check a
        statement's plan; "library": check its plan, then run it; "read": run a statement already checked) and
        raise the product error it met."""
        if not self._slots.acquire(timeout=wait_s):
            raise ServiceUnavailable("La console est saturée : réessayez dans un instant.",
                                     detail=f"all {self.workers} console workers busy for {wait_s:.0f} s")
        worker = None
        try:
            worker = self._take()
            deadline = 2 * limits.timeout_s + DEADLINE_GRACE_S
            answer = worker.ask(("run", kind, payload, asdict(limits)), deadline)
            if answer is None:
                self._discard(worker, kill=True)
                worker = None
                raise QueryTimeout(f"Requête interrompue : elle n'a pas répondu dans les {deadline:g} s permises.",
                                   detail="console worker killed at its deadline")
            if answer == "died":
                self._discard(worker, kill=True)
                worker = None
                raise QueryTooLarge("La requête a dépassé la mémoire permise à la console : restreignez-la "
                                    "(LIMIT, moins de colonnes) ou lancez-la en export.",
                                    detail="console worker died")
            status, body, fatal = answer
            if fatal:  # the worker's driver may be in a bad state after a MemoryError: start afresh
                self._discard(worker, kill=True)
                worker = None
            if status == "ok":
                return QueryResult(**body)
            raise _error(body)
        finally:
            if worker is not None:
                self._idle.put(worker)
            self._slots.release()

    def _take(self) -> _Worker:
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            if worker.process.is_alive():
                return worker
            self._discard(worker, kill=False)  # it left after IDLE_EXIT_S without work
        with self._lock:
            if self._closed:
                raise ServiceUnavailable("La console est arrêtée.", detail="console runner closed")
            worker = _Worker(self._context, self.uri, self.auth, self.database, self.memory_mb)
            self._all.add(worker)
        return worker

    def _discard(self, worker: _Worker, *, kill: bool) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.stop(kill=kill)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.stop(kill=False)


class _Worker:
    def __init__(self, context: Any, uri: str, auth: Any, database: str, memory_mb: int):
        self.memory_mb = memory_mb
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, uri, auth, database, memory_mb),
                                       name="ror-console-worker", daemon=True)
        self.process.start()
        child.close()
        self.ready = False

    def ask(self, message: Any, deadline_s: float) -> Any:
        """The worker's answer, None past the deadline, "died" when it exited without answering."""
        try:
            if not self.ready:  # the first answer of a fresh worker says it is up (imports done)
                if not self.conn.poll(START_TIMEOUT_S):
                    return None
                self.conn.recv()
                self.ready = True
            self.conn.send(message)
            deadline = time.monotonic() + deadline_s
            while not self.conn.poll(min(POLL_S, max(0.0, deadline - time.monotonic()))):
                if not self.process.is_alive() or self.rss_mb() > self.memory_mb:
                    return "died"
                if time.monotonic() >= deadline:
                    return None
            return self.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            return "died"

    def rss_mb(self) -> float:
        try:
            with open(f"/proc/{self.process.pid}/statm") as statm:
                return int(statm.read().split()[1]) * _PAGE / (1024 * 1024)
        except (OSError, ValueError, IndexError):
            return 0.0

    def stop(self, *, kill: bool) -> None:
        try:
            if kill:
                self.process.kill()
            else:
                try:
                    self.conn.send(None)
                except OSError:
                    pass
            self.process.join(timeout=10)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(timeout=10)
        finally:
            self.conn.close()
            if not self.process.is_alive():
                self.process.close()


def _error(body: dict) -> RorError:
    from core import errors
    from graph import console

    cls = getattr(console, body["type"], None) or getattr(errors, body["type"], None)
    if not (isinstance(cls, type) and issubclass(cls, RorError)):
        cls = RorError
    error = cls(body["message"], detail=body["detail"], fields=body["fields"])
    error.status, error.code = body["status"], body["code"]
    return error


# ------------------------------------------------------------------------------------------- in the worker


def _serve(conn: Connection, uri: str, auth: Any, database: str, memory_mb: int) -> None:
    """The worker's loop: one query at a time, until the app closes the pipe (or dies)."""
    from graph.driver import Graph

    os.environ["RUST_BACKTRACE"] = "0"  # a failed allocation in the compiled decoder must not try to print one
    limit = 3 * memory_mb * 1024 * 1024  # a backstop: the app kills a worker whose memory exceeds memory_mb
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    graph = Graph(uri, auth=auth, database=database, pool_size=1)
    conn.send(("ready", os.getpid()))
    try:
        while True:
            try:
                if not conn.poll(IDLE_EXIT_S):
                    return
                message = conn.recv()
            except (EOFError, OSError):
                return
            if message is None:
                return
            _, kind, payload, limits = message
            answer = _answer(graph, kind, payload, ConsoleLimits(**limits))
            conn.send(answer)
            if answer[2]:
                return
    finally:
        graph.close()


def _answer(graph: Any, kind: str, payload: dict, limits: ConsoleLimits) -> tuple[str, dict, bool]:
    from graph.console import check_plan, explain, run_console, run_read

    started = time.perf_counter()
    try:
        if kind == "console":
            result = run_console(graph, payload["query"], payload["params"], limits, metadata=payload["metadata"])
        elif kind == "plan":  # checked, not run
            check_plan(*explain(graph, payload["statement"], payload["params"], limits,
                                metadata=payload["metadata"]))
            result = QueryResult([], [])
        else:
            if kind == "library":
                check_plan(*explain(graph, payload["statement"], payload["params"], limits,
                                    metadata=payload["metadata"]))
            result = run_read(graph, payload["statement"], payload["params"], limits, metadata=payload["metadata"])
        return "ok", asdict(result), False
    except RorError as exc:
        return "error", _error_body(exc), isinstance(exc, QueryTooLarge)
    except MemoryError:
        error: RorError = QueryTooLarge("Résultat trop volumineux pour la console : restreignez la requête (LIMIT, "
                                        "moins de colonnes) ou lancez-la en export.",
                                        detail="MemoryError in the console worker")
        return "error", _error_body(error), True
    except Exception as exc:  # noqa: BLE001 - reported to the app, which logs it and answers 500
        log.exception("console worker failed after %.0f ms", (time.perf_counter() - started) * 1000)
        error = RorError("Erreur interne pendant la requête.", detail=f"{type(exc).__name__}: {exc}")
        return "error", _error_body(error), True


def _error_body(exc: RorError) -> dict:
    return {"type": type(exc).__name__, "message": exc.message, "detail": exc.detail, "fields": exc.fields,
            "status": exc.status, "code": exc.code}
