"""Tables kept in memory per key (a région), built once, brought up to date at every read, rebuilt in the background.

For views that are slow to compute from scratch but cheap to keep current from a change feed (capacity entries,
audit entries): `build(key)` computes a table (seconds), `catch_up(table)` applies what changed since it was built
or last caught up (milliseconds), `expired(table)` says when it must be rebuilt before use (the day changed).
After `rebuild_after_s` a fresh table is built in a background thread while readers keep the current one, so a
change the feed does not carry (a bulk load) is picked up too. Readers of one key are serialised. A page that must
answer at once asks `ready(key)` first and, when not, `prepare(key)` and says so (the API simply waits).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


class KeptTables(Generic[T]):
    def __init__(self, build: Callable[[str], T], catch_up: Callable[[T], None], *, rebuild_after_s: float,
                 expired: Callable[[T], bool] = lambda table: False, name: str = "table"):
        self._build, self._catch_up, self._expired = build, catch_up, expired
        self.rebuild_after_s, self.name = rebuild_after_s, name
        self._tables: dict[str, tuple[T, float]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._rebuilding: dict[str, threading.Event] = {}
        self._guard = threading.Lock()

    def _lock(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    @contextmanager
    def reading(self, key: str) -> Iterator[T]:
        """The table of `key`, current with the change feed, held still (no catch-up) while the caller reads it."""
        with self._lock(key):
            found = self._tables.get(key)
            if found is None or self._expired(found[0]):
                table = self._build(key)
                self._tables[key] = (table, time.monotonic())
            else:
                table, built_at = found
                self._catch_up(table)
                if time.monotonic() - built_at > self.rebuild_after_s:
                    self._rebuild_in_background(key)
            yield table

    def ready(self, key: str) -> bool:
        """Is a table of `key` there to read at once (possibly due for a refresh)?"""
        found = self._tables.get(key)
        return found is not None and not self._expired(found[0])

    def prepare(self, key: str, wait_s: float = 0.0) -> bool:
        """Build the table of `key` in the background and wait for it at most `wait_s`: True when it is ready (a
        page that gets False says the table is being prepared instead of keeping the person waiting)."""
        if self.ready(key):
            return True
        done = self._rebuild_in_background(key)
        done.wait(wait_s)
        return self.ready(key)

    def _rebuild_in_background(self, key: str) -> threading.Event:
        """Start a build of `key` (unless one runs); the event is set when it ends."""
        with self._guard:
            if key in self._rebuilding:
                return self._rebuilding[key]
            done = self._rebuilding[key] = threading.Event()

        def work() -> None:
            try:
                fresh = self._build(key)
                with self._lock(key):
                    self._catch_up(fresh)
                    self._tables[key] = (fresh, time.monotonic())
            except Exception:  # noqa: BLE001 - the current table stays in use; the next read tries again
                log.exception("%s: rebuilding %s failed", self.name, key)
            finally:
                with self._guard:
                    self._rebuilding.pop(key, None)
                done.set()

        threading.Thread(target=work, name=f"{self.name}-{key}", daemon=True).start()
        return done

    def forget(self) -> None:
        """Drop every table (the next read builds again)."""
        with self._guard:
            self._tables.clear()
