"""What every loader shares: rejects, run folders, batching with a progress bar, load summaries."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from core.settings import PROJECT_ROOT
from graph.driver import Graph

DEFAULT_BATCH_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class Reject:
    """One input row refused by a loader, with where and why (reported, never silent)."""

    file: str
    line: int
    field: str
    value: str
    reason: str


class RowError(ValueError):
    """A row that cannot be loaded; carries the offending field and value."""

    def __init__(self, field_name: str, value, reason: str):
        super().__init__(reason)
        self.field = field_name
        self.value = "" if value is None else str(value)
        self.reason = reason


@dataclass
class LoadSummary:
    """Counters of one load run (what was read, written, rejected), printable and mergeable."""

    name: str
    rows_read: int = 0
    rows_loaded: int = 0
    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0
    seconds: float = 0.0
    rejects: list[Reject] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    rejects_path: Path | None = None
    parts: list[LoadSummary] = field(default_factory=list)

    def add_counters(self, counters: dict[str, int]) -> None:
        self.nodes_created += counters.get("nodes_created", 0)
        self.relationships_created += counters.get("relationships_created", 0)
        self.properties_set += counters.get("properties_set", 0)

    def merge(self, other: LoadSummary) -> None:
        self.parts.append(other)
        self.rows_read += other.rows_read
        self.rows_loaded += other.rows_loaded
        self.nodes_created += other.nodes_created
        self.relationships_created += other.relationships_created
        self.properties_set += other.properties_set
        self.rejects.extend(other.rejects)

    def reject_reasons(self) -> Counter:
        return Counter(r.reason for r in self.rejects)

    def lines(self) -> list[str]:
        """The French summary printed by the CLI."""
        out = [
            f"{self.name} : {self.rows_loaded:,} lignes chargées sur {self.rows_read:,} lues, "
            f"{len(self.rejects):,} rejetées, {self.nodes_created:,} nœuds et "
            f"{self.relationships_created:,} relations créés en {self.seconds:.1f} s.".replace(",", " ")
        ]
        for reason, n in self.reject_reasons().most_common():
            out.append(f"  rejet « {reason} » : {n}")
        if self.rejects_path:
            out.append(f"  rapport des rejets : {self.rejects_path}")
        for label, n in sorted(self.counts.items()):
            out.append(f"  {label:<20} {n:>10,}".replace(",", " "))
        return out


class RunLog:
    """A run folder `var/runs/<timestamp>/` holding `run.log` and `rejects.csv`."""

    def __init__(self, root: Path | None = None, name: str = "load"):
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        self.folder = (root or PROJECT_ROOT / "var" / "runs") / f"{stamp}-{name}"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.log_path = self.folder / "run.log"
        self.rejects_path = self.folder / "rejects.csv"

    def log(self, message: str) -> None:
        with self.log_path.open("a", encoding="utf-8") as f:
            f.write(f"{dt.datetime.now(dt.UTC).isoformat(timespec='seconds')} {message}\n")

    def write_rejects(self, rejects: Iterable[Reject]) -> Path:
        with self.rejects_path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["file", "line", "field", "value", "reason"])
            for r in rejects:
                writer.writerow([r.file, r.line, r.field, r.value, r.reason])
        return self.rejects_path

    def finish(self, summary: LoadSummary) -> None:
        summary.rejects_path = self.write_rejects(summary.rejects)
        for line in summary.lines():
            self.log(line)


def chunks(rows: Iterable, size: int) -> Iterator[list]:
    """Consecutive lists of at most `size` items, never materialising the whole input."""
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def write_in_batches(graph: Graph, query_name: str, rows: Iterable[dict], summary: LoadSummary, *,
                     batch_size: int = DEFAULT_BATCH_SIZE, progress: bool = False, total: int | None = None,
                     desc: str | None = None, on_batch: Callable[[list[dict]], None] | None = None,
                     **params) -> None:
    """Stream `rows` into `cypher/<query_name>.cypher`, one write transaction per batch."""
    bar = tqdm(total=total, desc=desc or query_name, unit=" lignes", disable=not progress, leave=False)
    try:
        for batch in chunks(rows, batch_size):
            summary.add_counters(graph.write_batches(query_name, batch, **params))
            if on_batch:
                on_batch(batch)
            bar.update(len(batch))
    finally:
        bar.close()


class Timer:
    def __init__(self):
        self.start = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
