"""Regional capacity board for a crisis: filter (département, activity, activity family, staleness), sort, totals,
drill-down (départements × activities → sites → units), pages and CSV, read from the région's in-memory table
(`capacity/board_table.py`), which every read brings up to the last capacity entry."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from accounts.models import Principal
from capacity.board_table import BoardTables, PlaceState, RegionTable
from core import freshness
from core.clock import iso_with_offset
from core.errors import BadRequest

LEVELS = ("departements", "sites", "unites")
STALENESS = ("toutes", "perimees", "a-jour")
SORTS = {"departement": "Département", "activite": "Activité", "etablissement": "Établissement",
         "disponibles": "Lits disponibles", "installes": "Lits installés", "occupation": "Taux d'occupation",
         "perimees": "Saisies périmées", "saisie": "Dernière saisie"}
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class TrendPoint:
    day: str
    available: int
    reporting: int


@dataclass(frozen=True)
class BoardRow:
    """One département × activity (kept for the API: GET /api/v1/capacity/board)."""

    department_code: str
    department_name: str | None
    region_code: str | None
    activity_code: str
    activity_label: str | None
    places: int
    entered: int
    installed: int
    available: int
    stale: int
    trend: tuple[TrendPoint, ...]


@dataclass(frozen=True, kw_only=True)
class BoardQuery:
    region: str
    department: str | None = None
    activity: str | None = None
    family: str | None = None  # "champ-01" | "famille-004"
    staleness: str = "toutes"
    level: str = "departements"
    finess: str | None = None  # the units of one site
    sort: str = "departement"
    descending: bool = False
    page: int = 1
    size: int = 50


@dataclass(frozen=True)
class Totals:
    places: int = 0
    entered: int = 0
    installed: int = 0
    available: int = 0
    stale: int = 0

    @property
    def occupancy(self) -> int | None:
        """Share of installed beds not available, in % (None without installed beds)."""
        return round(100 * (self.installed - self.available) / self.installed) if self.installed else None


@dataclass(frozen=True, kw_only=True)
class Row:
    """A line of the board at any level; what it is keyed by depends on the level."""

    department_code: str
    department_name: str | None
    activity_code: str | None = None
    activity_label: str | None = None
    finess: str | None = None
    site_name: str | None = None
    place_id: str | None = None
    place_name: str | None = None
    offer_names: tuple[str, ...] = ()
    totals: Totals = field(default_factory=Totals)
    last_entry: datetime | None = None
    tension_level: int | None = None
    women: int | None = None
    men: int | None = None
    undifferentiated: int | None = None
    trend: tuple[TrendPoint, ...] = ()


@dataclass(frozen=True, kw_only=True)
class BoardPage:
    query: BoardQuery
    rows: tuple[Row, ...]
    total_rows: int
    totals: Totals
    as_of: datetime
    stale_hours: float
    departments: tuple[tuple[str, str], ...]  # the région's, for the filter
    activities: tuple[tuple[str, str], ...]  # present in the région (after the other filters)
    families: tuple[tuple[str, str], ...]
    site_name: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total_rows // self.query.size))


def check(principal: Principal, query: BoardQuery) -> BoardQuery:
    """The query, once the principal may read this région and its values are known ones."""
    principal.require("board.read")
    principal.regions_within(query.region)
    errors = {}
    if query.level not in LEVELS:
        errors["vue"] = "départements, sites ou unités"
    if query.staleness not in STALENESS:
        errors["fraicheur"] = "toutes, périmées ou à jour"
    if query.sort not in SORTS:
        errors["tri"] = "un des tris proposés"
    if errors:
        raise BadRequest("Filtre du tableau des capacités invalide.", fields=errors)
    return replace(query, size=max(1, min(query.size, MAX_PAGE_SIZE)), page=max(1, query.page))


def read(tables: BoardTables, principal: Principal, query: BoardQuery, *, stale_hours: float,
         now: datetime | None = None, paged: bool = True, with_trend: bool = True) -> BoardPage:
    """One page of the board (or every row when `paged` is False: the CSV export)."""
    query = check(principal, query)
    now = now or datetime.now(UTC)
    with tables.reading(query.region) as table:
        stale_before = int(freshness.stale_cutoff(stale_hours, now).timestamp() * 1000)  # stale: at or before
        groups, totals, chosen = _view(table, query, stale_before)
        activities = table.activity_options(query.department, query.family)
        families = table.families
        departments = tuple(sorted(table.department_names.items()))
        site_name = next((p.site_name for p in chosen if p.finess == query.finess), None) if query.finess else None
        groups = sorted(groups, key=_sort_key(query.sort), reverse=query.descending)
        shown = groups[(query.page - 1) * query.size: query.page * query.size] if paged else groups
        # Row objects (and the 7-day trend, which walks every entry of their places) only for the rows shown
        rows = [_row(table, query, g, with_trend) for g in shown]
    return BoardPage(query=query, rows=tuple(rows), total_rows=len(groups), totals=totals, as_of=now,
                     stale_hours=stale_hours, departments=departments, activities=tuple(activities),
                     families=tuple(families), site_name=site_name)


VIEWS_KEPT = 64


def _view(table: RegionTable, q: BoardQuery, stale_before: int) -> tuple[list, Totals, list[PlaceState]]:
    """The groups and totals of the filters (kept while no entry changes and the minute is the same: sorting and
    paging a crisis board reuse them)."""
    key = (q.department, q.activity, q.family, q.staleness, q.level, q.finess, stale_before // 60_000)
    found = table.views.get(key)
    if found is None:
        if len(table.views) >= VIEWS_KEPT:
            table.views.clear()
        chosen = [p for p in table.places.values() if _kept(p, q, stale_before)]
        found = table.views[key] = (*_groups(table, q, chosen, stale_before), chosen)
    return found


def _kept(place: PlaceState, q: BoardQuery, stale_before: int) -> bool:
    if q.department and place.department_code != q.department:
        return False
    if q.finess and place.finess != q.finess:
        return False
    if q.family and q.family not in place.families:
        return False
    if q.activity and q.activity not in place.activities:
        return False
    stale = place.at_ms is None or place.at_ms <= stale_before
    return q.staleness == "toutes" or (q.staleness == "perimees") == stale


@dataclass(slots=True)
class _Group:
    """Sums of one row while the rows are chosen, sorted and paged (cheaper than a Row per candidate)."""

    department_code: str
    key: str  # activity code, FINESS or place id
    label: str
    members: list[PlaceState]
    places: int = 0
    entered: int = 0
    installed: int = 0
    available: int = 0
    stale: int = 0
    last_ms: int = 0

    def add(self, p: PlaceState, stale_before: int) -> None:
        self.members.append(p)
        self.places += 1
        self.installed += p.installed_now()
        if p.at_ms is None:
            self.stale += 1
            return
        self.entered += 1
        self.available += p.available or 0
        self.stale += p.at_ms <= stale_before
        self.last_ms = max(self.last_ms, p.at_ms)

    def totals(self) -> Totals:
        return Totals(places=self.places, entered=self.entered, installed=self.installed, available=self.available,
                      stale=self.stale)


def _groups(table: RegionTable, q: BoardQuery, places: list[PlaceState],
            stale_before: int) -> tuple[list[_Group], Totals]:
    """The groups of the level and the totals of the places chosen (each place counted once)."""
    labels = table.labels.activities
    groups: dict[tuple[str, str], _Group] = {}
    whole = _Group("", "", "", [])
    for p in places:
        whole.add(p, stale_before)
        if q.level == "unites":
            keys = ((p.place_id, p.place_name or p.place_id),)
        elif q.level == "sites":
            keys = ((p.finess, p.site_name or p.finess),)
        else:
            keys = tuple((a, labels.get(a, a)) for a in p.activities if q.activity is None or a == q.activity)
        for key, label in keys:
            group = groups.get((p.department_code, key))
            if group is None:
                group = groups[(p.department_code, key)] = _Group(p.department_code, key, label, [])
            group.add(p, stale_before)
    return list(groups.values()), whole.totals()


def _trend(table: RegionTable, places: list[PlaceState]) -> tuple[TrendPoint, ...]:
    ends = table.day_ends()
    sums, counts = [0] * len(ends), [0] * len(ends)
    for p in places:
        for i, value in enumerate(p.daily_values(ends)):
            if value is not None:
                sums[i] += value
                counts[i] += 1
    return tuple(TrendPoint(day=day, available=sums[i], reporting=counts[i]) for i, (day, _) in enumerate(ends))


def _row(table: RegionTable, q: BoardQuery, g: _Group, with_trend: bool) -> Row:
    first = g.members[0]
    common = {"department_code": g.department_code, "department_name": table.department_names.get(g.department_code),
              "totals": g.totals(), "last_entry": datetime.fromtimestamp(g.last_ms / 1000, UTC) if g.last_ms else None,
              "trend": _trend(table, g.members) if with_trend else ()}
    if q.level == "departements":
        return Row(activity_code=g.key, activity_label=g.label, **common)
    site = {"finess": first.finess, "site_name": first.site_name, "tension_level": table.tensions.get(first.finess)}
    if q.level == "sites":
        return Row(**site, **common)
    return Row(**site, place_id=first.place_id, place_name=first.place_name, offer_names=first.offer_names,
               women=first.women, men=first.men, undifferentiated=first.undifferentiated, **common)


def _sort_key(sort: str) -> Callable[[_Group], tuple]:
    def occupancy(g: _Group) -> float:
        return (g.installed - g.available) / g.installed if g.installed and g.entered else -1.0

    keys: dict[str, Callable[[_Group], tuple]] = {
        "departement": lambda g: (g.department_code, g.label.lower()),
        "activite": lambda g: (g.label.lower(), g.department_code),
        "etablissement": lambda g: (((g.members[0].site_name or "").lower()), g.label.lower()),
        "disponibles": lambda g: (g.available, g.department_code, g.label.lower()),
        "installes": lambda g: (g.installed, g.department_code, g.label.lower()),
        "occupation": lambda g: (occupancy(g), g.department_code, g.label.lower()),
        "perimees": lambda g: (g.stale, g.department_code, g.label.lower()),
        "saisie": lambda g: (g.last_ms, g.department_code, g.label.lower()),
    }
    return keys[sort]


def board(tables: BoardTables, principal: Principal, *, region: str | None, department: str | None,
          stale_hours: float, regions: list[str] | None = None) -> list[BoardRow]:
    """Département × activity rows of the visible régions (the API's flat shape, with the 7-day trend)."""
    principal.require("board.read")
    chosen = principal.regions_within(region)
    if chosen is None:  # every région: those given
        chosen = regions or []
    out = []
    for code in chosen:
        page = read(tables, principal, BoardQuery(region=code, department=department, size=MAX_PAGE_SIZE),
                    stale_hours=stale_hours, paged=False)
        out += [BoardRow(department_code=r.department_code, department_name=r.department_name, region_code=code,
                         activity_code=r.activity_code or "", activity_label=r.activity_label,
                         places=r.totals.places, entered=r.totals.entered, installed=r.totals.installed,
                         available=r.totals.available, stale=r.totals.stale, trend=r.trend) for r in page.rows]
    return out


CSV_COLUMNS = {
    "departements": ("Département", "Activité", "Lieux", "Saisis", "Lits installés", "Lits disponibles",
                     "Saisies périmées", "Dernière saisie"),
    "sites": ("Département", "FINESS", "Établissement", "Tension", "Lieux", "Saisis", "Lits installés",
              "Lits disponibles", "Saisies périmées", "Dernière saisie"),
    "unites": ("Département", "FINESS", "Établissement", "Lieu", "Offres", "Lits installés", "Lits disponibles",
               "Femmes", "Hommes", "Indifférenciés", "Périmée", "Dernière saisie"),
}


def to_csv(page: BoardPage) -> str:
    """CSV for spreadsheets used in France (`;`, UTF-8 with BOM); times ISO 8601 with the Paris offset."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    level = page.query.level
    writer.writerow(CSV_COLUMNS[level])
    for r in page.rows:
        t, last = r.totals, iso_with_offset(r.last_entry)
        if level == "departements":
            writer.writerow([r.department_code, r.activity_label, t.places, t.entered, t.installed, t.available,
                             t.stale, last])
        elif level == "sites":
            writer.writerow([r.department_code, r.finess, r.site_name, r.tension_level or "", t.places, t.entered,
                             t.installed, t.available, t.stale, last])
        else:
            writer.writerow([r.department_code, r.finess, r.site_name, r.place_name, " / ".join(r.offer_names),
                             t.installed, t.available if t.entered else "", _blank(r.women), _blank(r.men),
                             _blank(r.undifferentiated), "oui" if t.stale else "non", last])
    return "\ufeff" + buffer.getvalue()


def _blank(value) -> str:
    return "" if value is None else str(value)

