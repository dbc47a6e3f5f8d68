"""A synthetic emergency feed (labelled synthetic): what an emergency department's software would push, with
realistic daily and weekly profiles and occasional saturation episodes, so the demo shows living data.

Deterministic and stateless: the figures of a site at a moment are a function of (seed, FINESS, moment) only,
so a restarted feed, a backfill of the last days and a test all see the same values (pure: unit-tested)."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
SOURCE = "synthetic"
# Arrivals by hour of the day (Paris time) and by day of the week (Monday first), relative to the mean: the
# classic emergency curve, low at dawn, a late-morning rise and a plateau until the evening; Mondays busiest.
DAILY = (0.48, 0.38, 0.32, 0.28, 0.27, 0.31, 0.45, 0.74, 1.10, 1.38, 1.52, 1.52, 1.43, 1.40, 1.41, 1.39, 1.36,
         1.36, 1.31, 1.25, 1.13, 0.98, 0.80, 0.62)
WEEKLY = (1.12, 1.02, 0.98, 0.97, 1.00, 0.94, 0.97)
# Share of an hour's arrivals still present k hours later (length of stay).
STAY = (0.92, 0.76, 0.56, 0.41, 0.29, 0.21, 0.15, 0.11, 0.08, 0.06, 0.04, 0.03)
SATURATION_CHANCE = 0.12  # of a saturation episode on a given day at a given site
_DAILY_MEAN = sum(DAILY) / len(DAILY)
_WEEKLY_MEAN = sum(WEEKLY) / len(WEEKLY)


@dataclass(frozen=True)
class FeedSite:
    finess: str
    paediatric: bool = False


def _unit(*key) -> float:
    """A deterministic number in [0, 1) for `key` (not Python's salted hash)."""
    digest = hashlib.blake2b("|".join(map(str, key)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _rng(*key) -> random.Random:
    return random.Random(int(_unit(*key) * 2**53))


@lru_cache(maxsize=65536)
def yearly_visits(seed: int, site: FeedSite) -> int:
    """The site's size: 12,000 to 80,000 visits a year (log-uniform), paediatric departments smaller."""
    low, high = (8_000, 35_000) if site.paediatric else (12_000, 80_000)
    return int(low * (high / low) ** _unit(seed, site.finess, "size"))


@lru_cache(maxsize=262144)
def hourly_arrivals(seed: int, site: FeedSite, hour: int) -> int:
    """Arrivals during the hour starting at `hour` (hours since the epoch, UTC)."""
    local = datetime.fromtimestamp(hour * 3600, UTC).astimezone(PARIS)
    mean = yearly_visits(seed, site) / 8760
    rate = mean * DAILY[local.hour] / _DAILY_MEAN * WEEKLY[local.weekday()] / _WEEKLY_MEAN
    rate *= 1 + 0.6 * saturation(seed, site, hour)
    noise = _rng(seed, site.finess, "arrivals", hour).gauss(0, 1)
    return max(0, round(rate + noise * rate ** 0.5))


@lru_cache(maxsize=65536)
def _episode(seed: int, site: FeedSite, day_ordinal: int) -> tuple[int, int, float] | None:
    """(start hour, duration in hours, intensity) of the site's saturation episode that day, if any."""
    rng = _rng(seed, site.finess, "saturation", day_ordinal)
    if rng.random() >= SATURATION_CHANCE:
        return None
    return rng.randint(9, 17), rng.randint(6, 16), rng.uniform(0.8, 2.0)


def saturation(seed: int, site: FeedSite, hour: int) -> float:
    """0 in normal times; up to the episode's intensity during a saturation episode (ramps up and down)."""
    local = datetime.fromtimestamp(hour * 3600, UTC).astimezone(PARIS)
    best = 0.0
    for back in (0, 1):  # an episode that began the day before may still run
        day = local.date() - timedelta(days=back)
        episode = _episode(seed, site, day.toordinal())
        if episode is None:
            continue
        start, length, intensity = episode
        into = back * 24 + local.hour - start
        if 0 <= into < length:
            ramp = min(1.0, (into + 1) / 3, (length - into) / 3)
            best = max(best, intensity * ramp)
    return best


def values(seed: int, site: FeedSite, at: datetime) -> dict:
    """The indicators of `site` at `at` (an aware datetime), as its software would report them."""
    at = at.astimezone(UTC)
    hour = int(at.timestamp() // 3600)
    into = (at.timestamp() % 3600) / 3600
    current = hourly_arrivals(seed, site, hour)
    previous = hourly_arrivals(seed, site, hour - 1)
    sat = saturation(seed, site, hour)
    rng = _rng(seed, site.finess, "state", int(at.timestamp() // 60))
    local_midnight = at.astimezone(PARIS).replace(hour=0, minute=0, second=0, microsecond=0)
    first = int(local_midnight.astimezone(UTC).timestamp() // 3600)
    today = sum(hourly_arrivals(seed, site, h) for h in range(first, hour)) + round(current * into)
    mean = yearly_visits(seed, site) / 8760
    boarding = round(mean * 0.6 * (1 + 2.5 * sat) * rng.uniform(0.7, 1.3))
    present = boarding + round(current * into * STAY[0] + sum(
        hourly_arrivals(seed, site, hour - k) * share for k, share in enumerate(STAY[1:], start=1))
        * (1 + 0.5 * sat))
    uhcd_beds = 4 + int(12 * _unit(seed, site.finess, "uhcd"))
    return {
        "arrivals_last_hour": round(previous * (1 - into) + current * into),
        "arrivals_today": today,
        "present": present,
        "waiting_to_be_seen": min(present, round(current * 0.7 * (1 + sat) * rng.uniform(0.6, 1.2))),
        "over_4h": min(present, round(present * (0.10 + 0.18 * sat) * rng.uniform(0.8, 1.2))),
        "boarding": min(present, boarding),
        "uhcd_occupied": min(uhcd_beds, round(uhcd_beds * min(1.0, rng.uniform(0.55, 0.9) + 0.15 * sat))),
        "uhcd_beds": uhcd_beds,
        "age75_share": 0.0 if site.paediatric else round(18 + 10 * rng.random(), 1),
        "transfers_out": round(today * 0.025),
    }


def message_id(seed: int, site: FeedSite, at: datetime) -> str:
    return f"syn-{seed}-{site.finess}-{at.astimezone(UTC):%Y%m%dT%H%M}"


def message(seed: int, site: FeedSite, at: datetime) -> dict:
    """The JSON body the site's software would post for `at` (minute precision)."""
    at = at.astimezone(UTC).replace(second=0, microsecond=0)
    return {"message_id": message_id(seed, site, at), "finess": site.finess, "observed_at": at.isoformat(),
            **values(seed, site, at)}


def slots(start: datetime, end: datetime, every: timedelta) -> list[datetime]:
    """The moments from `start` (rounded down to `every`) to `end`, `every` apart."""
    step = int(every.total_seconds())
    first = int(start.timestamp()) // step * step
    return [datetime.fromtimestamp(t, UTC) for t in range(first, int(end.timestamp()) + 1, step)]
