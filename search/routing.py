"""Which regional indices a geographic query needs: those whose documents' bounding box meets the circle.

Every search goes through the alias (all régions) unless a radius is given; then only the physical indices
whose indexed points (geo_bounds of their own documents, refreshed every few seconds) can lie inside the
circle are searched. The answer is the same as searching the alias — fewer shards do the work.
"""

from __future__ import annotations

import math
import threading
import time

from opensearchpy import OpenSearch

from search.client import translated

KM_PER_DEGREE = 111.32


class IndexRouter:
    def __init__(self, client: OpenSearch, alias: str, ttl_seconds: float = 10.0):
        self.client, self.alias, self.ttl = client, alias, ttl_seconds
        self._bounds: dict[str, tuple[float, float, float, float] | None] = {}
        self._loaded_at = -math.inf
        self._lock = threading.Lock()

    def indices(self, lat: float | None, lon: float | None, radius_km: float | None) -> str:
        """An index expression for a search around (lat, lon) within radius_km (the alias when unbounded)."""
        if lat is None or lon is None or radius_km is None:
            return self.alias
        bounds = self.bounds()
        if not bounds:
            return self.alias
        dlat = radius_km / KM_PER_DEGREE * 1.01 + 0.01
        south, north = lat - dlat, lat + dlat
        cos_lat = math.cos(math.radians(min(89.0, max(abs(south), abs(north)))))
        dlon = radius_km / (KM_PER_DEGREE * max(cos_lat, 1e-6)) * 1.01 + 0.01
        west, east = lon - dlon, lon + dlon
        wraps = west < -180 or east > 180 or north > 89 or south < -89
        chosen = [index for index, box in bounds.items() if box is not None and (wraps or _meets(box, south, north,
                                                                                              west, east))]
        return ",".join(sorted(chosen)) if chosen else next(iter(sorted(bounds)))

    def invalidate(self) -> None:
        with self._lock:
            self._loaded_at = -math.inf

    def bounds(self) -> dict[str, tuple[float, float, float, float] | None]:
        with self._lock:
            if time.monotonic() - self._loaded_at > self.ttl:
                self._bounds = self._fetch()
                self._loaded_at = time.monotonic()
            return self._bounds

    def _fetch(self) -> dict[str, tuple[float, float, float, float] | None]:
        body = {"size": 0, "aggs": {"by_index": {"terms": {"field": "_index", "size": 1000},
                                                 "aggs": {"box": {"geo_bounds": {"field": "location",
                                                                                 "wrap_longitude": False}}}}}}
        with translated():
            aliased = self.client.indices.get_alias(name=self.alias)
            buckets = self.client.search(index=self.alias, body=body)["aggregations"]["by_index"]["buckets"]
        out: dict[str, tuple[float, float, float, float] | None] = {index: None for index in aliased}
        for b in buckets:
            box = b["box"].get("bounds")
            if box:
                out[b["key"]] = (box["bottom_right"]["lat"], box["top_left"]["lat"], box["top_left"]["lon"],
                                 box["bottom_right"]["lon"])
        return out


def _meets(box: tuple[float, float, float, float], south: float, north: float, west: float, east: float) -> bool:
    b_south, b_north, b_west, b_east = box
    return not (b_north < south or b_south > north or b_east < west or b_west > east)
