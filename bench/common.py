"""Helpers shared by the benchmarks (run as `python bench/<script>.py`: this folder is on the path)."""

from __future__ import annotations

import http.client
from pathlib import Path


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank `p`th percentile (0–100) of `values`; NaN when there are none."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def load_average() -> str:
    """The machine's load (1, 5, 15 min), to print next to every figure."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def send(conn: http.client.HTTPConnection, method: str, url: str, body: str | bytes | None = None,
         headers: dict | None = None) -> int | str:
    """One request on a kept-alive connection, its body read: the status, or the error's name (the caller then
    opens a new connection)."""
    try:
        conn.request(method, url, body, headers or {})
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        return type(exc).__name__
