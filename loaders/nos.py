"""NOS nomenclatures (ROR value sets) → `Concept` nodes, plus the activity-family map (ASS_A14)."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from geo.communes import open_text
from graph.driver import Graph
from loaders.common import LoadSummary, Reject, RowError, Timer, write_in_batches

NOS_FILE = Path("nos") / "ror_nomenclatures.csv.gz"
A14_FILE = Path("nos") / "ASS_A14-FamilleActivite-ActiviteOperationnelle.map.csv"
NOS_COLUMNS = ["table", "systeme", "system_url", "oid_systeme", "code", "libelle", "libelle_court", "date_fin"]

# ROR value set (table prefix) → (short name stored in `value_set`, kind label). Allow-list of kind labels.
VALUE_SETS: dict[str, tuple[str, str]] = {
    "JDV_J15-": ("J15", "AgeGroup"),
    "JDV_J16-": ("J16", "Act"),
    "JDV_J17-": ("J17", "Activity"),
    "JDV_J186-": ("J186", "Profession"),
    "JDV_J18-": ("J18", "EquipmentType"),
    "JDV_J19-": ("J19", "CareMode"),
    "JDV_J20-": ("J20", "Field"),
    "JDV_J210-": ("J210", "Specialty"),
    "JDV_J220-": ("J220", "ContactFunction"),
    "JDV_J221-": ("J221", "ContactNature"),
    "JDV_J226-": ("J226", "ReceptionMode"),
    "JDV_J29-": ("J29", "Public"),
    "JDV_J30-": ("J30", "ReceptionTemporality"),
    "JDV_J51-": ("J51", "ActivityFamily"),
    "JDV_J55-": ("J55", "SiteCategory"),
    "TRE_R213-": ("R213", "CareMode"),
}
KIND_LABELS = sorted({kind for _, kind in VALUE_SETS.values()})


@dataclass(frozen=True, slots=True)
class ConceptRow:
    key: str
    value_set: str
    kind: str
    system: str
    system_url: str
    oid: str
    code: str
    label: str
    short_label: str
    retired_on: str | None


def concept_key(value_set: str, code: str, system: str = "") -> str:
    """`<value_set>|<code>`; J186 mixes six code systems whose codes collide, so its key adds the system."""
    if value_set == "J186":
        return f"J186|{system_short(system)}|{code}"
    return f"{value_set}|{code}"


def system_short(system: str) -> str:
    """`TRE_G15-ProfessionSante` → `G15`."""
    return system.split("-", 1)[0].removeprefix("TRE_")


def value_set_of(table: str) -> tuple[str, str] | None:
    for prefix, value in VALUE_SETS.items():
        if table.startswith(prefix):
            return value
    return None


def _retired_on(date_fin: str) -> str | None:
    """`20180330120000` → `2018-03-30`."""
    value = date_fin.strip()
    if not value:
        return None
    if len(value) < 8 or not value[:8].isdigit():
        raise RowError("date_fin", date_fin, "date de fin invalide")
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}"


def parse_nos(path: Path, rejects: list[Reject]) -> Iterator[ConceptRow]:
    """Stream concept rows; a J19 code and the same TRE_R213 code are one concept (the J19 one)."""
    seen: set[str] = set()
    r213: list[tuple[int, ConceptRow]] = []
    j19_codes: set[str] = set()
    name = Path(path).name
    with open_text(path) as stream:
        reader = csv.reader(stream, delimiter=";")
        header = next(reader, None)
        if header != NOS_COLUMNS:
            rejects.append(Reject(name, 1, "*", ";".join(header or []), "en-tête inattendu"))
            return
        for line, fields in enumerate(reader, start=2):
            try:
                row = _concept(fields)
            except RowError as exc:
                rejects.append(Reject(name, line, exc.field, exc.value, exc.reason))
                continue
            if row.value_set == "R213":
                r213.append((line, row))  # decided once every J19 code is known
                continue
            if row.key in seen:
                rejects.append(Reject(name, line, "code", row.code, "code en double dans le jeu de valeurs"))
                continue
            seen.add(row.key)
            if row.value_set == "J19":
                j19_codes.add(row.code)
            yield row
    for line, row in r213:
        if row.code in j19_codes:
            continue  # same concept as the J19 code, already loaded
        if row.key in seen:
            rejects.append(Reject(name, line, "code", row.code, "code en double dans le jeu de valeurs"))
            continue
        seen.add(row.key)
        yield row


def _concept(fields: list[str]) -> ConceptRow:
    if len(fields) != len(NOS_COLUMNS):
        raise RowError("*", ";".join(fields), f"ligne malformée ({len(fields)} champs au lieu de {len(NOS_COLUMNS)})")
    values = dict(zip(NOS_COLUMNS, fields, strict=True))
    known = value_set_of(values["table"])
    if known is None:
        raise RowError("table", values["table"], "jeu de valeurs NOS inconnu")
    code = values["code"].strip()
    if not code:
        raise RowError("code", code, "code NOS vide")
    if not values["libelle"].strip():
        raise RowError("libelle", "", "libellé vide")
    value_set, kind = known
    return ConceptRow(
        key=concept_key(value_set, code, values["systeme"]), value_set=value_set, kind=kind,
        system=values["systeme"], system_url=values["system_url"], oid=values["oid_systeme"], code=code,
        label=values["libelle"].strip(), short_label=values["libelle_court"].strip(),
        retired_on=_retired_on(values["date_fin"]),
    )


def file_version(path: Path) -> str:
    """A short content hash: the version of a bundled file (same bytes ⇒ same version)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return f"{Path(path).name}@{digest.hexdigest()[:12]}"


def load_nos(graph: Graph, data_dir: Path, *, progress: bool = False, path: Path | None = None,
             a14_path: Path | None = None) -> LoadSummary:
    """Load every ROR value set, then the family → activity map."""
    path = Path(path or Path(data_dir) / NOS_FILE)
    a14_path = Path(a14_path or Path(data_dir) / A14_FILE)
    summary, timer = LoadSummary("NOS"), Timer()
    version = file_version(path)
    rows = [_as_dict(row) for row in parse_nos(path, summary.rejects)]  # ~2,600 small rows
    summary.rows_read = len(rows) + len(summary.rejects)
    write_in_batches(graph, "write/concepts", rows, summary, progress=progress, total=len(rows),
                     desc="NOS", version=version)
    summary.rows_loaded = len(rows)
    _load_a14(graph, a14_path, summary, {r["key"] for r in rows})
    summary.seconds = timer.seconds
    return summary


def _as_dict(row: ConceptRow) -> dict:
    return {name: getattr(row, name) for name in ConceptRow.__slots__}


def _load_a14(graph: Graph, path: Path, summary: LoadSummary, known_keys: set[str]) -> None:
    pairs = []
    name = path.name
    with open_text(path) as stream:
        for line, row in enumerate(csv.DictReader(stream, delimiter=";"), start=2):
            summary.rows_read += 1
            family = f"J51|{row.get('source_code') or ''}"
            activity = f"J17|{row.get('target_code') or ''}"
            if family not in known_keys:
                summary.rejects.append(Reject(name, line, "source_code", row.get("source_code") or "",
                                              "code NOS inconnu (famille d'activité J51)"))
                continue
            if activity not in known_keys:
                summary.rejects.append(Reject(name, line, "target_code", row.get("target_code") or "",
                                              "code NOS inconnu (activité opérationnelle J17)"))
                continue
            pairs.append({"family": family, "activity": activity})
    write_in_batches(graph, "write/activity_families", pairs, summary)
    summary.rows_loaded += len(pairs)
