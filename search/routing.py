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
# A little under the Earth's mean radius (OpenSearch's arc distance uses 6 371.0088 km): a lower bound stays one.
LOWER_BOUND_EARTH_KM = 6371.0 * 0.999


class IndexRouter:
    def __init__(self, client: OpenSearch, alias: str, ttl_seconds: float = 10.0):
        self.client, self.alias, self.ttl = client, alias, ttl_seconds
        self._bounds: dict[str, tuple[float, float, float, float] | None] = {}
        self._populated: tuple[str, ...] = ()
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

    def populated(self) -> str:
        """An index expression for a search around a place without a radius: the indices holding documents (an
        empty regional index still costs a shard request), the alias when none is known to."""
        self.bounds()
        with self._lock:
            return ",".join(self._populated) or self.alias

    def ranked(self, lat: float, lon: float, radius_km: float | None = None) -> list[tuple[float, str]]:
        """(lower bound of the distance from (lat, lon) to any indexed point of the index, index), nearest first,
        for the indices holding located documents (within radius_km when given). A nearest-k search that has k
        hits no farther than the next index's bound needs no other index."""
        ranked = [(lower_bound_km(lat, lon, box), index) for index, box in self.bounds().items() if box is not None]
        return sorted(r for r in ranked if radius_km is None or r[0] <= radius_km)

    def invalidate(self) -> None:
        with self._lock:
            self._loaded_at = -math.inf

    def bounds(self) -> dict[str, tuple[float, float, float, float] | None]:
        with self._lock:
            if time.monotonic() - self._loaded_at > self.ttl:
                self._bounds, self._populated = self._fetch()
                self._loaded_at = time.monotonic()
            return self._bounds

    def _fetch(self) -> tuple[dict[str, tuple[float, float, float, float] | None], tuple[str, ...]]:
        """The box of each aliased index's located documents (None when it has none) and the indices holding
        documents, located or not."""
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
        return out, tuple(sorted(b["key"] for b in buckets if b["doc_count"] and b["key"] in out))


def lower_bound_km(lat: float, lon: float, box: tuple[float, float, float, float]) -> float:
    """A lower bound of the great-circle distance from (lat, lon) to any point of a latitude/longitude box
    (south, north, west, east): 0 inside it. Any path changes latitude by at most its length (the latitude gap),
    and a point whose longitude differs by at least g is no nearer than the great circle of the meridian at g
    (cross-track distance asin(cos lat · sin g), g capped at 90°)."""
    south, north, west, east = box
    lat_gap = max(south - lat, lat - north, 0.0)
    lon_gap = 0.0 if west <= lon <= east else min((west - lon) % 360.0, (lon - east) % 360.0)
    cross = math.asin(min(1.0, abs(math.cos(math.radians(lat))) * math.sin(math.radians(min(lon_gap, 90.0)))))
    return LOWER_BOUND_EARTH_KM * max(math.radians(lat_gap), cross)


def _meets(box: tuple[float, float, float, float], south: float, north: float, west: float, east: float) -> bool:
    b_south, b_north, b_west, b_east = box
    return not (b_north < south or b_south > north or b_east < west or b_west > east)
