"""Regional capacity board: totals per département × activity, stale entries and 7-day trend."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Principal
from core.errors import Forbidden
from graph.driver import Graph

TREND_DAYS = 7


@dataclass(frozen=True)
class TrendPoint:
    day: str
    available: int
    reporting: int


@dataclass(frozen=True)
class BoardRow:
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


def board(graph: Graph, principal: Principal, *, region: str | None, department: str | None,
          stale_hours: float) -> list[BoardRow]:
    """Rows visible to `principal`: coordinators see their régions only."""
    principal.require("board.read")
    visible = principal.regions_visible()
    if region is not None:
        if visible is not None and region not in visible:
            raise Forbidden("Région hors de votre périmètre.")
        regions = [region]
    else:
        regions = visible
    rows = graph.read_named("read/capacity_board", regions=regions, department=department,
                            stale_minutes=int(stale_hours * 60), days=TREND_DAYS)
    return [BoardRow(department_code=r["department_code"], department_name=r["department_name"],
                     region_code=r["region_code"], activity_code=r["activity_code"],
                     activity_label=r["activity_label"], places=r["place_count"], entered=r["entered"],
                     installed=r["installed"], available=r["available"], stale=r["stale"],
                     trend=tuple(TrendPoint(day=t["day"], available=t["available"] or 0,
                                            reporting=t["reporting"]) for t in r["trend"]))
            for r in rows]
