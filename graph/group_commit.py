"""Group commit: concurrent writes of one kind share one transaction, each with its own checks and outcome.

A transaction has a fixed cost (measured on the national demo: 1.9 ms of Neo4j CPU and 1.4 ms of Python per
capacity entry committed alone, 0.6 + 0.6 ms in groups of 4, 0.3 + 0.4 ms in groups of 16), so under load a few
milliseconds of patience halve the CPU per write. A thread takes whatever items are waiting (at most one per key
— a key's later item waits for the next group, in arrival order — and `max_group` in all) and runs
`write_group(tx, items)` in one write transaction, `linger` seconds after the first one arrived; it returns one
outcome per item: a result, or the exception refusing that item. If a group fails for another reason, its items
are retried one by one, so one bad item never takes the others down.

With `workers` > 1, that many groups are in flight at once (the next group is gathered while the previous one waits
for the database: a transaction's round trips, not its CPU, bound a single committer's rate); a key is in at most one
group in flight, so a key's items are still committed one after the other, in arrival order."""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from core.errors import ServiceUnavailable

Transact = Callable[[Callable[[Any], list]], list]  # runs work(tx) in one managed write transaction


@dataclass
class Pending:
    """One item waiting for its group (any object with a `key` and a `future` will do); subclasses carry what
    `write_group` needs."""

    key: str  # at most one item per key in a group (e.g. the place or the site written)
    future: Future = field(default_factory=Future, init=False, repr=False, compare=False)


class GroupCommitter:
    def __init__(self, transact: Transact, write_group: Callable[[Any, list], list], *, name: str,
                 max_group: int = 64, linger: float = 0.015, workers: int = 1, start: bool = True):
        self.transact = transact
        self.write_group = write_group
        self.max_group = max_group
        self.linger = linger
        self.graph = None  # whose committer this is (see `committer`)
        self.pending: deque[Pending] = deque()
        self.in_flight: set[str] = set()  # keys of the groups being committed
        self.cond = threading.Condition()
        if start:
            for n in range(max(1, workers)):
                threading.Thread(target=self._run, name=f"ror-{name}-commit-{n}", daemon=True).start()

    def submit(self, pending: Pending) -> Future:
        with self.cond:
            self.pending.append(pending)
            self.cond.notify()
        return pending.future

    def ready(self) -> bool:
        """Whether an item waits whose key is not in flight (next_group blocks until one does)."""
        return any(p.key not in self.in_flight for p in self.pending)

    def next_group(self, linger: float | None = None) -> list[Pending]:
        """The next group (its keys then in flight until `commit` returns); empty if another worker took what was
        waiting meanwhile."""
        with self.cond:
            while not self.ready():
                self.cond.wait()
        linger = self.linger if linger is None else linger
        if linger:
            time.sleep(linger)  # let concurrent items join this group
        with self.cond:
            group: list = []
            later: deque = deque()
            keys: set = set()
            while self.pending and len(group) < self.max_group:
                pending = self.pending.popleft()
                (later if pending.key in keys or pending.key in self.in_flight else group).append(pending)
                keys.add(pending.key)
            self.pending.extendleft(reversed(later))
            self.in_flight.update(p.key for p in group)
            return group

    def _run(self) -> None:
        while True:
            group = self.next_group()
            if not group:
                continue
            try:
                self.commit(group)
            except BaseException as exc:  # noqa: BLE001 - never leave a caller waiting
                for pending in group:
                    if not pending.future.done():
                        pending.future.set_exception(exc)

    def commit(self, group: list[Pending]) -> None:
        """Commit `group` (from next_group) and answer each item; its keys are no longer in flight afterwards."""
        try:
            self._commit(group)
        finally:
            with self.cond:
                self.in_flight.difference_update(p.key for p in group)
                self.cond.notify_all()

    def _commit(self, group: list[Pending]) -> None:
        if not group:
            return
        try:
            outcomes = self.transact(lambda tx: self.write_group(tx, group))
        except ServiceUnavailable as exc:
            # The database is down (after the driver's own retries): every item waiting now would fail the same
            # way after as long a wait, so they are answered at once instead of one group at a time.
            with self.cond:
                waiting, self.pending = list(self.pending), deque()
            for pending in group + waiting:
                pending.future.set_exception(exc)
            return
        except Exception as exc:  # noqa: BLE001 - isolate the failing item, or report it to its caller
            if len(group) > 1:
                for pending in group:
                    self._commit([pending])
                return
            group[0].future.set_exception(exc)
            return
        for pending, outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                pending.future.set_exception(outcome)
            else:
                pending.future.set_result(outcome)


_committers: dict[tuple[int, int, str], GroupCommitter] = {}
_committers_lock = threading.Lock()


def committer(graph: Any, name: str, transact: Transact, write_group: Callable[[Any, list], list],
              **options: Any) -> GroupCommitter:
    """This process's committer `name` for `graph` (keyed by pid too: a forked child does not inherit the
    thread)."""
    key = (os.getpid(), id(graph), name)
    with _committers_lock:
        found = _committers.get(key)
        if found is None or found.graph is not graph:
            found = _committers[key] = GroupCommitter(transact, write_group, name=name, **options)
            found.graph = graph
        return found
