"""Who may run a console query now: at most `per_user` at once per analyst, `total` at once in all, and a short
queue per analyst; beyond that, a clear refusal (429) instead of a request that holds a worker.

Issue 19: 52 concurrent console requests of one analyst exhausted the driver's pool and the health check and
public pages answered 503 for minutes. With the gate, that analyst runs `per_user` queries, `queue_per_user`
wait their turn (at most `wait_s` each), and the rest are refused at once.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from core.errors import RorError


class TooManyQueries(RorError):
    status = 429
    code = "too_many_requests"


class ConsoleGate:
    def __init__(self, *, per_user: int, queue_per_user: int, total: int):
        self.per_user, self.queue_per_user, self.total = max(1, per_user), max(0, queue_per_user), max(1, total)
        self._cond = threading.Condition()
        self._running: dict[str, int] = defaultdict(int)
        self._waiting: dict[str, int] = defaultdict(int)
        self._all = 0
        self.peaks = {"running": 0, "waiting": 0}  # the most ever running / waiting for one user (tests, logs)

    @contextmanager
    def slot(self, user: str, wait_s: float) -> Iterator[None]:
        """Hold one of `user`'s slots while the block runs (waiting at most `wait_s` for one)."""
        deadline = time.monotonic() + wait_s
        with self._cond:
            if not self._free(user):
                if self._waiting[user] >= self.queue_per_user:
                    raise TooManyQueries(
                        f"Trop de requêtes en cours : {self._running[user]} en cours et {self._waiting[user]} en "
                        "attente pour vous. Attendez qu'elles se terminent (ou annulez-en une).",
                        detail=f"user {user}: {self._running[user]} running, {self._waiting[user]} waiting")
                self._waiting[user] += 1
                self.peaks["waiting"] = max(self.peaks["waiting"], self._waiting[user])
                try:
                    while not self._free(user):
                        left = deadline - time.monotonic()
                        if left <= 0:
                            raise TooManyQueries("La console est occupée : votre requête n'a pas pu démarrer à "
                                                 "temps. Réessayez dans un instant.",
                                                 detail=f"user {user} waited {wait_s:.0f} s")
                        self._cond.wait(left)
                finally:
                    self._waiting[user] -= 1
            self._running[user] += 1
            self._all += 1
            self.peaks["running"] = max(self.peaks["running"], self._running[user])
        try:
            yield
        finally:
            with self._cond:
                self._running[user] -= 1
                self._all -= 1
                if not self._running[user]:
                    del self._running[user]
                if not self._waiting[user]:
                    self._waiting.pop(user, None)
                self._cond.notify_all()

    def _free(self, user: str) -> bool:
        return self._running.get(user, 0) < self.per_user and self._all < self.total

    def running(self, user: str | None = None) -> int:
        with self._cond:
            return self._all if user is None else self._running.get(user, 0)
