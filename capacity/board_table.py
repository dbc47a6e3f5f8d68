"""The places of a région as the capacity board reads them, kept in memory per process.

Built once per région from the graph (one read: every bedded place with its site, activities, fields, latest entry
and the entries of the trend window), then kept current at every read: the capacity entries written since the last
read are applied to their places (an index range read, usually empty), so a bed count on the board is never older
than the request. The structure (new places, offers, activities) is re-read in the background every
`REBUILD_AFTER_S`, and at once when the Paris day changes (the trend window moves); readers keep the previous table
meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from core.clock import PARIS
from core.kept_tables import KeptTables
from graph.driver import Graph

TREND_DAYS = 7
REBUILD_AFTER_S = 600.0
# Entries are re-read from a little before the last one seen: a transaction that committed late with an earlier
# timestamp is not missed (applying an entry twice changes nothing).
OVERLAP = timedelta(seconds=30)


@dataclass(slots=True)
class PlaceState:
    """One bedded place and its latest capacity entry (mutable: entries are applied as they come)."""

    place_id: str
    place_name: str | None
    offer_names: tuple[str, ...]
    finess: str
    site_name: str | None
    department_code: str
    activities: tuple[str, ...]
    families: tuple[str, ...]  # "champ-01" (J20 field of an offer), "famille-004" (J51 family of an activity)
    installed_beds: int | None
    snapshot_id: str | None = None
    at_ms: int | None = None  # time of the latest entry
    installed: int | None = None
    available: int | None = None
    women: int | None = None
    men: int | None = None
    undifferentiated: int | None = None
    history: list[tuple[int, int | None]] = field(default_factory=list)  # (epoch ms, available), time order
    daily: tuple[int | None, ...] | None = None  # available at each day end of the trend (cached)

    def apply(self, entry: dict) -> bool:
        """An entry of this place (idempotent; an older one only joins the history). True when it changed."""
        point, changed = (entry["at"], entry["available"]), False
        if point not in self.history:
            self.history.append(point)
            self.history.sort(key=lambda p: p[0])
            self.daily, changed = None, True
        if self.at_ms is not None and (entry["at"], entry["id"]) <= (self.at_ms, self.snapshot_id or ""):
            return changed
        self.snapshot_id, self.at_ms = entry["id"], entry["at"]
        self.installed, self.available = entry["installed"], entry["available"]
        self.women, self.men, self.undifferentiated = entry["women"], entry["men"], entry["undifferentiated"]
        return True

    def installed_now(self) -> int:
        return self.installed if self.installed is not None else (self.installed_beds or 0)

    def daily_values(self, day_ends: list[tuple[str, int]]) -> tuple[int | None, ...]:
        if self.daily is None or len(self.daily) != len(day_ends):
            self.daily = tuple(self.available_at(end) for _, end in day_ends)
        return self.daily

    def available_at(self, end_ms: int) -> int | None:
        """The available beds of the last entry before `end_ms` (None: no entry yet then)."""
        value = None
        for at, available in self.history:
            if at >= end_ms:
                break
            value = available
        return value


@dataclass
class Labels:
    activities: dict[str, str]
    families: dict[str, str]  # key ("champ-01", "famille-004") → label
    family_of_activity: dict[str, tuple[str, ...]]  # J17 code → J51 family keys


@dataclass
class RegionTable:
    region: str
    places: dict[str, PlaceState]
    department_names: dict[str, str]
    labels: Labels
    paris_day: str
    seen_ms: int  # latest entry time applied
    tensions: dict[str, int] = field(default_factory=dict)  # FINESS → highest open tension level
    families: tuple[tuple[str, str], ...] = ()  # (key, label) of the families present, fields first
    version: int = 0  # incremented whenever an entry or a tension changes what the board shows
    views: dict[tuple, object] = field(default_factory=dict)  # the board's computed views of this version
    _activities: dict[tuple, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def activity_options(self, department: str | None, family: str | None) -> tuple[tuple[str, str], ...]:
        """(code, label) of the activities of the places of a département / family, by label (cached)."""
        key = (department, family)
        if key not in self._activities:
            codes = {a for p in self.places.values()
                     if (department is None or p.department_code == department)
                     and (family is None or family in p.families) for a in p.activities}
            self._activities[key] = tuple(sorted(((a, self.labels.activities.get(a, a)) for a in codes),
                                                 key=lambda pair: pair[1].lower()))
        return self._activities[key]

    def day_ends(self) -> list[tuple[str, int]]:
        """The end of each of the last TREND_DAYS Paris days (today last), as (ISO date, epoch ms)."""
        today = datetime.fromisoformat(self.paris_day).replace(tzinfo=PARIS)
        out = []
        for back in range(TREND_DAYS - 1, -1, -1):
            end = today + timedelta(days=1 - back)
            out.append(((end - timedelta(days=1)).date().isoformat(), int(end.timestamp() * 1000)))
        return out


def paris_day(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).astimezone(PARIS).date().isoformat()


def window_start(day: str) -> datetime:
    """Start of the trend window: midnight (Paris) TREND_DAYS - 1 days before `day`, in UTC (the Neo4j driver must
    not be handed a ZoneInfo datetime: converting it crashed the interpreter in a background thread)."""
    return (datetime.fromisoformat(day).replace(tzinfo=PARIS) - timedelta(days=TREND_DAYS - 1)).astimezone(UTC)


def read_labels(graph: Graph) -> Labels:
    activities, families, family_of = {}, {}, {}
    for row in graph.read_named("read/capacity_board_labels"):
        if row["kind"] == "activity":
            activities[row["code"]] = row["label"]
        elif row["kind"] == "field":
            families[f"champ-{row['code']}"] = row["label"]
        elif row["activities"]:
            key = f"famille-{row['code']}"
            families[key] = row["label"]
            for code in row["activities"]:
                family_of.setdefault(code, ())
                family_of[code] += (key,)
    return Labels(activities=activities, families=families, family_of_activity=family_of)


def build(graph: Graph, region: str) -> RegionTable:
    """Read a région's bedded places from the graph (the slow read, seconds on the largest région)."""
    day = paris_day()
    labels = read_labels(graph)
    rows = graph.read_named("read/capacity_board_places", region=region, since=window_start(day))
    places, names, seen = {}, {}, 0
    for r in rows:
        activities = tuple(sorted(r["activities"]))
        families = tuple(sorted({f"champ-{f}" for f in r["fields"]}
                                | {k for a in activities for k in labels.family_of_activity.get(a, ())}))
        place = PlaceState(place_id=r["place_id"], place_name=r["place_name"], offer_names=tuple(r["offer_names"]),
                           finess=r["finess"], site_name=r["site_name"], department_code=r["department_code"],
                           activities=activities, families=families, installed_beds=r["installed_beds"],
                           history=sorted({(p[0], p[1]) for p in r["history"]}, key=lambda p: p[0]))
        if r["latest"]:
            place.apply(r["latest"])
            seen = max(seen, r["latest"]["at"])
        places[place.place_id] = place
        names[r["department_code"]] = r["department_name"]
    table = RegionTable(region=region, places=places, department_names=names, labels=labels, paris_day=day,
                        seen_ms=seen)
    table.tensions = read_tensions(graph, region)
    table.families = tuple(sorted({(f, labels.families.get(f, f)) for p in places.values() for f in p.families},
                                  key=lambda pair: (not pair[0].startswith("champ"), pair[1].lower())))
    return table


def read_tensions(graph: Graph, region: str) -> dict[str, int]:
    return {r["finess"]: r["level"] for r in graph.read_named("read/capacity_board_tensions", region=region)}


class BoardTables(KeptTables[RegionTable]):
    """The région tables of one app: built from the graph, caught up with the capacity entries at every read."""

    def __init__(self, graph: Graph):
        self.graph = graph
        super().__init__(lambda region: build(graph, region), self._catch_up, rebuild_after_s=REBUILD_AFTER_S,
                         expired=lambda table: table.paris_day != paris_day(), name="capacity-board")

    def _catch_up(self, table: RegionTable) -> None:
        since = datetime.fromtimestamp(table.seen_ms / 1000, UTC) - OVERLAP if table.seen_ms else window_start(
            table.paris_day)
        changed = False
        for entry in self.graph.read_named("read/capacity_board_changes", since=since):
            place = table.places.get(entry["place_id"])
            if place is not None:
                changed = place.apply(entry) or changed
            table.seen_ms = max(table.seen_ms, entry["at"])
        tensions = read_tensions(self.graph, table.region)
        if changed or tensions != table.tensions:
            table.tensions = tensions
            table.version += 1
            table.views.clear()
