"""search.routing.lower_bound_km: never more than the distance to any point of the box (nearest-k routing relies
on it to skip régions), 0 inside the box, and tight enough to rank régions."""

from __future__ import annotations

import random

from geo.distance import haversine_km
from search.routing import IndexRouter, lower_bound_km


def test_lower_bound_never_exceeds_the_distance_to_a_point_of_the_box():
    rng = random.Random(18)
    for _ in range(20_000):
        south = rng.uniform(-80, 75)
        north = min(89.0, south + rng.uniform(0, 15))
        west = rng.uniform(-180, 170)
        east = min(180.0, west + rng.uniform(0, 20))
        lat, lon = rng.uniform(-89, 89), rng.uniform(-180, 180)
        bound = lower_bound_km(lat, lon, (south, north, west, east))
        for _ in range(5):
            plat, plon = rng.uniform(south, north), rng.uniform(west, east)
            assert bound <= haversine_km(lat, lon, plat, plon) + 1e-9, (lat, lon, south, north, west, east)
        corner = min(haversine_km(lat, lon, a, b) for a in (south, north) for b in (west, east))
        assert bound <= corner + 1e-9


def test_lower_bound_is_zero_inside_and_close_to_the_truth_nearby():
    brittany = (47.2, 48.9, -5.2, -1.0)
    assert lower_bound_km(48.1, -1.7, brittany) == 0.0
    paris = (48.85, 2.35)
    bound = lower_bound_km(*paris, brittany)
    assert 0.9 * haversine_km(*paris, 48.1, -1.0) < bound <= haversine_km(*paris, 48.1, -1.0)
    # across the antimeridian: the short way round
    assert lower_bound_km(-14.3, -178.1, (-22.5, -19.5, 163.5, 168.2)) < 1500


class Bounds(IndexRouter):
    def __init__(self, boxes):
        self._fixed = boxes

    def bounds(self):
        return self._fixed


def test_ranked_orders_by_bound_skips_empty_indices_and_applies_the_radius():
    router = Bounds({"s-53": (47.2, 48.9, -5.2, -1.0), "s-11": (48.1, 49.3, 1.4, 3.6), "s-none": None,
                     "s-84": (44.1, 46.8, 2.0, 7.2)})
    ranked = router.ranked(48.1, -1.7)
    assert [index for _, index in ranked] == ["s-53", "s-11", "s-84"]
    assert ranked[0][0] == 0.0
    assert [index for _, index in router.ranked(48.1, -1.7, radius_km=250)] == ["s-53", "s-11"]
