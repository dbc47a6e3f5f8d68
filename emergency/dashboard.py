"""The regional emergency dashboard (coordinators, SAMU regulators) and one site's activity: latest values, trend
over 24 h and 7 days, freshness, the threshold fired and since when, the sites that have not reported."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from accounts.models import Principal
from accounts.store import UserStore
from core.errors import NotFound
from core.freshness import age_minutes, age_text, moment
from emergency import series
from emergency.indicators import EMERGENCY_ACTIVITIES, LABELS, SERIES, occupancy
from graph import changes
from graph.driver import Graph

STALE_MINUTES = 90  # reports come every hour or more often: older than this, the site is flagged
CHARTED = ("present", "boarding")  # on the dashboard (a site's own view charts every SERIES indicator)
SILENT_CACHE_SECONDS = 600  # the list of emergency sites changes with the directory, not with the feed
SUMMARY_MAX_AGE = 10.0  # seconds a dashboard is reused while nothing changed in this process (others' writes)
FEED_LAG = 5.0  # while a new dashboard is computed, readers may take the previous one if it is this recent and
# only emergency reports were committed since (graph/changes.py)


@dataclass(frozen=True)
class SiteActivity:
    finess: str
    site_name: str | None
    department_code: str | None
    region_code: str | None
    synthetic: bool  # the values come from the synthetic feed
    lat: float | None
    lon: float | None
    observed_at: datetime | None
    received_at: datetime | None
    age_minutes: int | None
    age_text: str
    stale: bool
    values: dict  # indicator → latest value
    uhcd_occupancy: float | None
    fired_rule: str | None
    fired_level: int | None
    fired_label: str | None
    fired_value: float | None
    alert_since: datetime | None  # over a threshold since
    tension_level: int | None  # open TES alert of the site (any source)
    trend_24h: dict  # indicator → 24 hourly values (None: no report that hour), oldest first
    trend_7d: dict  # indicator → 168 hourly values


@dataclass(frozen=True)
class SilentSite:
    finess: str
    site_name: str | None
    department_code: str | None
    synthetic: bool


@dataclass(frozen=True)
class Dashboard:
    generated_at: datetime
    stale_after_minutes: int
    rows: tuple[SiteActivity, ...]
    silent: tuple[SilentSite, ...]  # emergency sites of the territory without any report
    reporting: int
    stale: int
    over_threshold: int
    present: int
    boarding: int


def to_activity(row: dict, now: datetime, charted: tuple[str, ...] = CHARTED) -> SiteActivity:
    status = row["status"]
    weeks = {k: series.window(status, k, hours=168, now=now) for k in charted}
    observed = moment(status, "observed_at")
    minutes = age_minutes(observed, now)
    values = {k: status.get(k) for k in LABELS}
    location = row.get("location") or {}
    return SiteActivity(
        finess=status["finess"], site_name=row.get("site_name") or status.get("site_name"),
        department_code=status.get("department_code"), region_code=status.get("region_code"),
        synthetic=bool(status.get("synthetic")), lat=location.get("lat"), lon=location.get("lon"),
        observed_at=observed, received_at=moment(status, "received_at"), age_minutes=minutes,
        age_text=age_text(minutes).replace("saisie", "reçu"), stale=minutes is None or minutes > STALE_MINUTES,
        values=values, uhcd_occupancy=occupancy(values), fired_rule=status.get("fired_rule"),
        fired_level=status.get("fired_level"), fired_label=status.get("fired_label"),
        fired_value=status.get("fired_value"), alert_since=moment(status, "alert_since"),
        tension_level=row.get("tension_level"),
        trend_24h={k: week[-24:] for k, week in weeks.items()}, trend_7d=weeks)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def activity_json(a: SiteActivity) -> dict:
    """A site's activity as JSON (written out field by field: the dashboard of a large région holds hundreds of
    them, and the generic dataclass walk cost more than the database read)."""
    return {"finess": a.finess, "site_name": a.site_name, "department_code": a.department_code,
            "region_code": a.region_code, "synthetic": a.synthetic, "lat": a.lat, "lon": a.lon,
            "observed_at": _iso(a.observed_at), "received_at": _iso(a.received_at), "age_minutes": a.age_minutes,
            "age_text": a.age_text, "stale": a.stale, "values": a.values, "uhcd_occupancy": a.uhcd_occupancy,
            "fired_rule": a.fired_rule, "fired_level": a.fired_level, "fired_label": a.fired_label,
            "fired_value": a.fired_value, "alert_since": _iso(a.alert_since), "tension_level": a.tension_level,
            "trend_24h": a.trend_24h, "trend_7d": a.trend_7d}


def dashboard_json(d: Dashboard) -> dict:
    return {"generated_at": _iso(d.generated_at), "stale_after_minutes": d.stale_after_minutes,
            "rows": [activity_json(r) for r in d.rows],
            "silent": [{"finess": s.finess, "site_name": s.site_name, "department_code": s.department_code,
                        "synthetic": s.synthetic} for s in d.silent],
            "reporting": d.reporting, "stale": d.stale, "over_threshold": d.over_threshold, "present": d.present,
            "boarding": d.boarding}


def _order(row: SiteActivity):
    """Over a threshold first (highest level, longest first), then by patients waiting for a bed."""
    since = row.alert_since.timestamp() if row.alert_since else 0
    return (-(row.fired_level or 0), since if row.fired_level else 0, -(row.values.get("boarding") or 0),
            row.site_name or "")


_summaries = changes.Summaries((changes.ANY, "emergency"), max_age=SUMMARY_MAX_AGE, lagging=("emergency",),
                                lag=FEED_LAG)


def dashboard(graph: Graph, principal: Principal, *, region: str | None = None, department: str | None = None,
              now: datetime | None = None) -> Dashboard:
    """The dashboard of `region` (default: the principal's régions; all for an admin). Without `now`, the
    territory's summary is shared by its readers and reused until something changes (graph/changes.py)."""
    principal.require("emergency.dashboard")
    regions = principal.regions_within(region)
    if now is not None:
        return _dashboard(graph, regions, department, now)
    key = ("emergency-dashboard", tuple(regions) if regions is not None else None, department)
    return _summaries.get(graph, key, lambda: _dashboard(graph, regions, department, datetime.now(UTC)))


def _dashboard(graph: Graph, regions: list[str] | None, department: str | None, now: datetime) -> Dashboard:
    rows = sorted((to_activity(r, now) for r in graph.read_named(
        "read/emergency_dashboard", regions=regions, department=department)), key=_order)
    reporting = {r.finess for r in rows}
    silent = tuple(s for s in emergency_sites(graph, regions, department) if s.finess not in reporting)
    return Dashboard(generated_at=now, stale_after_minutes=STALE_MINUTES, rows=tuple(rows), silent=silent,
                     reporting=len(rows), stale=sum(r.stale for r in rows),
                     over_threshold=sum(1 for r in rows if r.fired_level),
                     present=sum(r.values.get("present") or 0 for r in rows if not r.stale),
                     boarding=sum(r.values.get("boarding") or 0 for r in rows if not r.stale))


_silent_cache: dict[tuple, tuple[float, tuple[SilentSite, ...]]] = {}
_silent_lock = threading.Lock()


def emergency_sites(graph: Graph, regions: list[str] | None, department: str | None) -> tuple[SilentSite, ...]:
    """The emergency sites of the territory (cached for SILENT_CACHE_SECONDS per process and graph)."""
    key = (id(graph), tuple(regions) if regions is not None else None, department)
    with _silent_lock:
        found = _silent_cache.get(key)
        if found is not None and time.monotonic() - found[0] < SILENT_CACHE_SECONDS:
            return found[1]
    sites = tuple(SilentSite(finess=r["finess"], site_name=r["site_name"], department_code=r["department_code"],
                             synthetic=r["synthetic"])
                  for r in graph.read_named("read/emergency_sites", activities=list(EMERGENCY_ACTIVITIES),
                                            regions=regions, department=department))
    with _silent_lock:
        _silent_cache[key] = (time.monotonic(), sites)
    return sites


def forget_sites() -> None:
    """Drop the cached emergency-site lists and dashboards (tests, after loading another directory)."""
    with _silent_lock:
        _silent_cache.clear()
    _summaries.forget()


@dataclass(frozen=True)
class SiteReport:
    message_id: str
    observed_at: datetime
    received_at: datetime | None
    source: str
    late: bool
    received_by: str | None
    values: dict


def site(graph: Graph, principal: Principal, finess: str, *, now: datetime | None = None,
         hours: int = 24) -> tuple[SiteActivity | None, list[SiteReport], str | None]:
    """(the site's activity or None before its first report, its reports of the last `hours`, its name)."""
    principal.require("emergency.read")
    target = UserStore(graph).locate("site", finess)
    principal.require("emergency.read", target)
    now = now or datetime.now(UTC)
    rows = graph.read_named("read/emergency_site", finess=finess)
    if not rows:
        raise NotFound("Établissement introuvable.")
    row = rows[0]
    activity = to_activity(row, now, SERIES) if row["status"] and row["status"].get("observed_at") else None
    return activity, reports(graph, finess, now - timedelta(hours=hours), now + timedelta(minutes=5)), row["site_name"]


def reports(graph: Graph, finess: str, start: datetime, end: datetime, limit: int = 500) -> list[SiteReport]:
    rows = graph.read_named("read/emergency_site_reports", finess=finess, start=start, end=end, limit=limit)
    return [SiteReport(message_id=r["report"]["message_id"], observed_at=series.native(r["report"]["observed_at"]),
                       received_at=series.native(r["report"].get("received_at")), source=r["report"].get("source"),
                       late=bool(r["report"].get("late")), received_by=r["report"].get("received_by"),
                       values={k: r["report"].get(k) for k in LABELS}) for r in rows]
