"""Runs the synthetic emergency feed (emergency.feed) through the same path as a site's software: checked,
committed in groups, idempotent by message id (a restarted feed resends nothing new). `ror demo` starts it: a
backfill of the last days, then every few minutes the current values of every emergency department."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from accounts.models import Principal, User
from crisis import checks
from emergency import feed
from emergency.indicators import FEED_ACTIVITIES, check_report
from emergency.service import submit_checked
from graph.driver import Graph

log = logging.getLogger(__name__)
FEEDER = Principal(User(username="flux-synthetique", role="admin", display_name="flux synthétique (démonstration)"),
                   via="feed")
BACKFILL = timedelta(days=7)
REPORTED_HISTORY = timedelta(hours=24)  # the last part of the history is sent as reports, the rest as series
BACKFILL_EVERY = timedelta(hours=1)
CHUNK = 5000  # messages in flight at once


@dataclass(frozen=True)
class Sent:
    accepted: int
    duplicates: int
    refused: int


def sites(graph: Graph, limit: int | None = None) -> list[feed.FeedSite]:
    """The emergency departments the feed animates (general and paediatric), in FINESS order."""
    rows = graph.read_named("read/emergency_sites", activities=list(FEED_ACTIVITIES), regions=None, department=None)
    found = sorted((feed.FeedSite(r["finess"], paediatric="157" not in r["activities"]) for r in rows),
                   key=lambda s: s.finess)
    return found[:limit] if limit else found


def send(graph: Graph, seed: int, sites: list[feed.FeedSite], moments: list[datetime], *,
         now: datetime | None = None) -> Sent:
    """Send the messages of `sites` at each of `moments` (in order), waiting for them all (a few thousand at a
    time, so a backfill of days does not sit in memory at once)."""
    now = now or datetime.now(UTC)
    step = max(1, CHUNK // max(1, len(sites)))
    total = Sent(0, 0, 0)
    for n in range(0, len(moments), step):
        got = _send(graph, seed, sites, moments[n:n + step], now)
        total = Sent(total.accepted + got.accepted, total.duplicates + got.duplicates, total.refused + got.refused)
    return total


def _send(graph: Graph, seed: int, sites: list[feed.FeedSite], moments: list[datetime], now: datetime) -> Sent:
    reports = []
    for at in moments:
        for site in sites:
            try:
                reports.append(check_report(feed.message(seed, site, at), now=now))
            except checks.FieldErrors as exc:  # never expected: the feed makes valid reports
                log.warning("synthetic report refused for %s: %s", site.finess, exc.fields)
    accepted = duplicates = refused = 0
    for future in submit_checked(graph, FEEDER, reports, source=feed.SOURCE, now=now):
        try:
            receipt = future.result()
        except Exception as exc:  # noqa: BLE001 - count and go on: one bad site must not stop the feed
            log.warning("synthetic report refused: %s", exc)
            refused += 1
            continue
        if receipt.status == "duplicate":
            duplicates += 1
        else:
            accepted += 1
    return Sent(accepted, duplicates, refused)


def seed_history(graph: Graph, seed: int, sites: list[feed.FeedSite], start: datetime, end: datetime) -> int:
    """Hourly series of [start, end) written straight into the sites' statuses (the older part of the demo's
    history: sent as reports it would take minutes at national scale); hours a status already holds are kept.
    Returns the hours written."""
    from emergency import series
    from emergency.indicators import SERIES

    written = 0
    for n in range(0, len(sites), 500):
        chunk = sites[n:n + 500]
        known = {r["finess"]: r["series"] for r in graph.read_named("read/emergency_statuses",
                                                                  finesses=[s.finess for s in chunk])}
        rows = []
        for site in chunk:
            status = {k: v for k, v in (known.get(site.finess) or {}).items() if v is not None}
            have = set(status.get("hours") or ())
            for at in feed.slots(start, end, BACKFILL_EVERY):
                moment = at + timedelta(minutes=55)
                if series.hour_of(moment) in have or moment >= end:
                    continue
                values = feed.values(seed, site, moment)
                report = _Seeded(moment, series.hour_of(moment), {k: values[k] for k in SERIES})
                status.update(series.fold(status, report, now=end))
                written += 1
            if status:
                rows.append({"finess": site.finess, "series": status})
        if rows:
            graph.write_named("write/emergency_series_seed", rows=rows)
    return written


@dataclass(frozen=True)
class _Seeded:
    """What series.fold reads of a report."""

    observed_at: datetime
    hour: int
    values: dict


def backfill(graph: Graph, seed: int, sites: list[feed.FeedSite], span: timedelta, every: timedelta) -> str:
    """The history of the last `span`: the last REPORTED_HISTORY as hourly reports (through the normal path), the
    older part straight into the series. Returns what was done, in French."""
    now = datetime.now(UTC)
    recent = min(span, REPORTED_HISTORY)
    hours = seed_history(graph, seed, sites, now - span, now - recent) if span > recent else 0
    sent = send(graph, seed, sites, feed.slots(now - recent, now - every, BACKFILL_EVERY))
    return (f"Flux synthétique des urgences : {len(sites)} structures ; historique de {span.days} j ({hours} heures "
            f"écrites dans les séries, puis {sent.accepted} messages pour les dernières "
            f"{recent.total_seconds() / 3600:.0f} h, {sent.duplicates} déjà reçus, {sent.refused} refusés).")


class Feeder:
    """A daemon thread: backfill, then the current values of every site every `every` (stop() ends it)."""

    def __init__(self, graph: Graph, *, seed: int, every: timedelta = timedelta(minutes=5),
                 backfill: timedelta = BACKFILL, say=print, sites_limit: int | None = None):
        self.graph, self.seed, self.every, self.backfill, self.say = graph, seed, every, backfill, say
        self.sites_limit = sites_limit
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="ror-emergency-feed", daemon=True)

    def start(self) -> Feeder:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()

    def _run(self) -> None:
        try:
            found = sites(self.graph, self.sites_limit)
            if not found:
                self.say("Flux synthétique des urgences : aucune structure des urgences au répertoire.")
                return
            if self.backfill:
                self.say(backfill(self.graph, self.seed, found, self.backfill, self.every))
            while not self.stopped.is_set():
                now = datetime.now(UTC)
                send(self.graph, self.seed, found, feed.slots(now, now, self.every))
                wait = self.every.total_seconds() - now.timestamp() % self.every.total_seconds()
                self.stopped.wait(wait + 1)
        except Exception:  # noqa: BLE001 - the demo goes on without its feed; say why in the log
            log.exception("synthetic emergency feed stopped")
