"""Small inline SVG line charts (sparklines) drawn on the server: no script, no library, readable by assistive
technologies through their title. Hours without a value break the line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    segments: tuple[str, ...]  # SVG polyline `points`, one per unbroken run of values
    last: tuple[float, float] | None  # where the latest value is drawn
    threshold_y: float | None  # a horizontal line (e.g. the tension threshold), when within the scale
    maximum: int
    label: str  # the chart's text alternative, in French


def sparkline(values: list[int | None], *, label: str, width: int = 120, height: int = 28,
              threshold: float | None = None) -> Sparkline:
    """Geometry of the chart of `values` (oldest first), scaled from 0 to the largest value (or the threshold)."""
    known = [v for v in values if v is not None]
    top = max([*known, threshold or 0, 1])
    step = width / max(1, len(values) - 1)
    pad = 2

    def y(value: float) -> float:
        return round(height - pad - (height - 2 * pad) * value / top, 1)

    segments, run, last = [], [], None
    for n, value in enumerate(values):
        if value is None:
            if run:
                segments.append(" ".join(run))
            run = []
            continue
        point = (round(n * step, 1), y(value))
        run.append(f"{point[0]},{point[1]}")
        last = point
    if run:
        segments.append(" ".join(run) if len(run) > 1 else f"{run[0]} {run[0]}")
    summary = (f"{label} : de {min(known)} à {max(known)}, dernière valeur {known[-1]}" if known
               else f"{label} : aucune donnée")
    return Sparkline(width=width, height=height, segments=tuple(segments), last=last,
                     threshold_y=y(threshold) if threshold is not None else None, maximum=int(top), label=summary)
