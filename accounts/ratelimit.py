"""Login rate limiting: a sliding window of failed attempts per (username, address) and per address."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


class LoginLimiter:
    def __init__(self, max_failures: int = 5, per_ip_failures: int = 20, window_seconds: float = 300.0,
                 clock=time.monotonic):
        self.max_failures, self.per_ip_failures, self.window = max_failures, per_ip_failures, window_seconds
        self.clock = clock
        self._failures: dict[tuple, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple) -> deque:
        now, q = self.clock(), self._failures[key]
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def blocked(self, username: str, ip: str | None) -> bool:
        with self._lock:
            return (len(self._recent(("user", username.lower(), ip))) >= self.max_failures
                    or len(self._recent(("ip", ip))) >= self.per_ip_failures)

    def failed(self, username: str, ip: str | None) -> None:
        with self._lock:
            now = self.clock()
            self._recent(("user", username.lower(), ip)).append(now)
            self._recent(("ip", ip)).append(now)

    def succeeded(self, username: str, ip: str | None) -> None:
        with self._lock:
            self._failures.pop(("user", username.lower(), ip), None)
