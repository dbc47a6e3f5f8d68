"""Change counters of this process, and summaries reused while they are unchanged.

Every write made through `graph.driver.Graph` counts one change of its topic once it has committed: "any" unless the
writer names another (the emergency feed's commit groups count as "emergency"). A summary that a page reads often
and that is costly to compute (the emergency dashboard, the crisis board) is kept by `Summaries` with the counters of
the topics it depends on, read before it was computed: it is reused while they are unchanged, so a reader sees every
change committed in this process before its request. Writes of other processes (another web worker, a CLI) are not
counted: a summary is also never older than `max_age` seconds.

Concurrent readers of one summary share one computation (if it started after the changes they know of, `lagging`
topics aside). While one runs, a reader may take the previous summary if only `lagging` topics changed since and it
is younger than `lag` seconds: under a burst of emergency reports the dashboard stays one computation behind, and one
computation runs at a time, instead of every reader computing it again. A reader alone (no computation running)
always gets a summary computed after its request began."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

ANY = "any"

_counters: dict[tuple[str, str, str], int] = {}
_clock = time.monotonic  # a summary's age (tests put a clock of their own)
_lock = threading.Lock()


def _target(graph: Any) -> tuple[str, str]:
    return (str(getattr(graph, "uri", id(graph))), str(getattr(graph, "database", "")))


def changed(graph: Any, topic: str = ANY) -> None:
    """Count one committed change of `topic` in `graph`'s database."""
    key = (*_target(graph), topic)
    with _lock:
        _counters[key] = _counters.get(key, 0) + 1


def stamp(graph: Any, topics: Iterable[str]) -> tuple[int, ...]:
    """The counters of `topics` (in that order) for `graph`'s database."""
    target = _target(graph)
    with _lock:
        return tuple(_counters.get((*target, t), 0) for t in topics)


@dataclass
class _Entry:
    stamp: tuple[int, ...]
    at: float
    value: Any


@dataclass
class _Flight:
    stamp: tuple[int, ...]
    done: threading.Event = field(default_factory=threading.Event)
    value: Any = None
    error: BaseException | None = None


class Summaries:
    def __init__(self, topics: tuple[str, ...], *, max_age: float, lagging: tuple[str, ...] = (), lag: float = 0.0,
                 size: int = 256):
        self.topics = topics
        self.max_age = max_age
        self.lag = lag
        self.size = size
        self._lagging = tuple(n for n, t in enumerate(topics) if t in lagging)
        self._entries: dict[Hashable, _Entry] = {}
        self._flights: dict[Hashable, _Flight] = {}
        self._lock = threading.Lock()
        self.waiting = 0  # readers waiting for a computation another began

    def forget(self) -> None:
        with self._lock:
            self._entries.clear()

    def _lagging_only(self, old: tuple[int, ...], new: tuple[int, ...]) -> bool:
        return all(a == b or n in self._lagging for n, (a, b) in enumerate(zip(old, new, strict=True)))

    def get(self, graph: Any, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The summary of `key` in `graph`'s database (see the module's docstring)."""
        key = (_target(graph), key)
        now_stamp = stamp(graph, self.topics)
        with self._lock:
            entry, flight = self._entries.get(key), self._flights.get(key)
            age = _clock() - entry.at if entry else None
            if entry and age is not None and age < self.max_age:
                if entry.stamp == now_stamp:
                    return entry.value
                if flight is not None and age < self.lag and self._lagging_only(entry.stamp, now_stamp):
                    return entry.value
            if flight is not None and (all(a >= b for a, b in zip(flight.stamp, now_stamp, strict=True))
                                       or self._lagging_only(flight.stamp, now_stamp)):
                mine = False  # a computation that began after every change this reader knows of (but lagging ones)
            else:
                flight, mine = _Flight(now_stamp), True
                self._flights[key] = flight
        if not mine:
            with self._lock:
                self.waiting += 1
            try:
                flight.done.wait()
            finally:
                with self._lock:
                    self.waiting -= 1
            if flight.error is not None:
                raise flight.error
            return flight.value
        try:
            flight.value = compute()
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                if self._flights.get(key) is flight:
                    del self._flights[key]
                if flight.error is None:
                    old = self._entries.get(key)
                    if old is None or all(a <= b for a, b in zip(old.stamp, flight.stamp, strict=True)):
                        self._entries[key] = _Entry(flight.stamp, _clock(), flight.value)
                    if len(self._entries) > self.size:
                        del self._entries[min(self._entries, key=lambda k: self._entries[k].at)]
            flight.done.set()
        return flight.value
