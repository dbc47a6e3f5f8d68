"""What every loader shares: rejects, run folders, batching with a progress bar, load summaries."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import itertools
import json
import re
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from core.errors import RorError
from core.settings import PROJECT_ROOT
from graph.driver import Graph

DEFAULT_BATCH_SIZE = 10_000
MAX_LINE_CHARS = 20_000  # a record longer than this is refused before it is parsed (csv's own limit is 131 072)
MAX_FIELD_CHARS = 1_000  # no field of the reference files comes near; a longer one is a reject naming the field
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # control characters (tab kept as a space)


class FileRefused(RorError):
    """A file refused as a whole, before anything is written (not UTF-8, bad compression, wrong header…)."""

    status = 400
    code = "file_refused"


def text_lines(path: Path) -> Iterator[str]:
    """The lines of a plain or gzipped UTF-8 file (a leading BOM dropped), or FileRefused naming the file and the
    line: bytes that are not UTF-8 (a Latin-1 export), a `.gz` that is not gzip, truncated or corrupt."""
    path = Path(path)
    name = path.name
    gz = path.suffix == ".gz"
    number = 0
    try:
        with (gzip.open(path, "rb") if gz else open(path, "rb")) as raw:
            for number, line in enumerate(raw, 1):
                if number == 1:
                    if not gz and line[:2] == b"\x1f\x8b":
                        raise FileRefused(f"{name} : ce fichier est compressé (gzip) ; nommez-le « {name}.gz ».")
                    if line.startswith(codecs.BOM_UTF8):
                        line = line[len(codecs.BOM_UTF8):]
                try:
                    yield line.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise FileRefused(
                        f"{name}, ligne {number} : l'octet 0x{line[exc.start]:02X} n'est pas de l'UTF-8 (fichier en "
                        "Latin-1 ou Windows-1252 ?). Rien n'a été chargé : convertissez le fichier en UTF-8 "
                        "(iconv -f latin1 -t utf-8).", detail=str(exc)) from None
    except gzip.BadGzipFile as exc:
        raise FileRefused(f"{name} : ce n'est pas une archive gzip lisible (fichier .gz attendu). Rien n'a été "
                          "chargé.", detail=str(exc)) from None
    except EOFError as exc:
        raise FileRefused(f"{name} : archive gzip tronquée (elle s'arrête après la ligne {number}). Rien n'a été "
                          "chargé : téléchargez le fichier à nouveau.", detail=str(exc)) from None
    except zlib.error as exc:
        raise FileRefused(f"{name} : archive gzip endommagée (après la ligne {number}). Rien n'a été chargé.",
                          detail=str(exc)) from None


def line_problem(line: str, columns: list[str]) -> tuple[str, str, str] | None:
    """(field, value, reason) when a `;`-separated line cannot be a record: too long (the longest field named
    when the line has the right number of fields), or an unbalanced `"`."""
    if len(line) > MAX_LINE_CHARS:
        parts = line.split(";")
        if len(parts) == len(columns):
            longest = max(range(len(parts)), key=lambda i: len(parts[i]))
            return columns[longest], parts[longest][:200], too_long_reason(len(parts[longest]))
        return "*", line[:200], too_long_reason(len(line), MAX_LINE_CHARS, "ligne")
    if line.count('"') % 2:
        return "*", line[:200], "guillemet non fermé (la ligne est refusée seule ; les suivantes sont lues)"
    return None


def too_long_reason(size: int, limit: int = MAX_FIELD_CHARS, what: str = "champ") -> str:
    return f"{what} trop long ({size:,} caractères, au plus {limit:,})".replace(",", " ")


def clean(value: str) -> str:
    """A field without control characters (a NUL byte, a vertical tab…); a tab becomes a space."""
    return _CONTROL.sub("", value.replace("\t", " ")) if _CONTROL.search(value) or "\t" in value else value


@contextmanager
def staged(rows: Iterable[dict]) -> Iterator[tuple[Iterator[dict], int]]:
    """Read every row first (a file refused half-way raises here, before anything is written), keeping them in
    a temporary file; then yield them again for writing, with their count."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as store:
        count = 0
        for row in rows:
            store.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
        store.seek(0)
        yield (json.loads(line) for line in store), count


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
