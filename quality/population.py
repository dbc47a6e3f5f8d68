"""Population follow-up ("suivi du peuplement") per establishment: campaign dates, % of the organisation and of
the units described, ARS validation and delay; as rows for the page and as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import cypher
from accounts.audit import append
from accounts.models import Principal
from accounts.store import UserStore
from core import clock
from core.errors import BadRequest
from core.freshness import native
from core.kept_tables import KeptTables
from graph.driver import Graph
from quality.service import offer_reports

MINIMUM_FAMILY = "description minimale"
CSV_COLUMNS = ("FINESS", "Établissement", "Département", "Lancement de la campagne", "Formations des référents",
               "% organisation peuplée", "% unités peuplées", "Unités", "Validation ARS",
               "Délai lancement → validation (jours)")


@dataclass(frozen=True)
class PopulationRow:
    finess: str
    name: str | None
    department_code: str | None
    launched_on: date | None
    trainings: tuple[date, ...]
    org_populated_pct: int
    units_populated_pct: int
    units: int
    ars_validated_on: date | None
    delay_days: int | None
    units_populated: int = 0  # how many of its units are populated (the % above, as a count)

    def csv_row(self) -> list[str]:
        return [self.finess, self.name or "", self.department_code or "", _d(self.launched_on),
                " ".join(_d(t) for t in self.trainings), str(self.org_populated_pct), str(self.units_populated_pct),
                str(self.units), _d(self.ars_validated_on), "" if self.delay_days is None else str(self.delay_days)]


def _d(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _org_pct(row: dict) -> int:
    if row["org_total"]:
        return round(100 * row["org_described"] / row["org_total"])
    return 100 if row["offers_at_site_level"] else 0


def departments(graph: Graph, region: str) -> list[dict]:
    """The départements of a région: [{code, name}]."""
    return graph.read_named("read/region_departments", region=region)


def table(graph: Graph, principal: Principal, region: str, department: str | None = None, *,
          tables: PopulationTables | None = None) -> list[PopulationRow]:
    """One row per establishment of the région (or of one of its départements) with offers or a campaign; from
    the kept table when `tables` is given (fast), else computed now."""
    check(graph, principal, region, department)
    if tables is None:
        return compute(graph, region, department)
    with tables.reading(region) as kept:
        return [r for r in kept.ordered() if department is None or r.department_code == department]


def check(graph: Graph, principal: Principal, region: str, department: str | None) -> None:
    """May the principal read this région's follow-up, and is the département one of it?"""
    principal.require("population.read")
    principal.regions_within(region)
    if department is not None and department not in {d["code"] for d in departments(graph, region)}:
        raise BadRequest(f"Le département {department} n'est pas dans la région {region}.",
                         fields={"department": f"un département de la région {region}"})


def compute(graph: Graph, region: str, department: str | None = None,
            finess: list[str] | None = None, reports: dict | None = None) -> list[PopulationRow]:
    """The rows from the graph: every offer's minimum description is checked by the quality rules (slow on a
    large région: seconds). `reports`: offer reports already evaluated, by offer id (the steering indicators
    pass theirs; the rest are evaluated here)."""
    rows = graph.read_named("read/quality_population", region=region, department=department, finess=finess)
    wanted = [i for row in rows for i in row["offer_ids"] if reports is None or i not in reports]
    reports = {**(reports or {}), **{r.offer_id: r for r in offer_reports(graph, wanted)}}
    out = []
    for row in rows:
        units = [reports[i] for i in row["offer_ids"] if i in reports]
        populated = [u for u in units if not any(a.family == MINIMUM_FAMILY for a in u.anomalies)]
        launched, validated = native(row["launched_on"]), native(row["ars_validated_on"])
        out.append(PopulationRow(
            finess=row["finess"], name=row["name"], department_code=row["department_code"], launched_on=launched,
            trainings=tuple(sorted(native(t) for t in row["trainings"] or [])),
            org_populated_pct=_org_pct(row),
            units_populated_pct=round(100 * len(populated) / len(units)) if units else 0, units=len(units),
            ars_validated_on=validated,
            delay_days=(validated - launched).days if launched and validated else None,
            units_populated=len(populated)))
    return out


# ------------------------------------------------------------------------------------------- kept tables

REBUILD_AFTER_S = 3600.0  # bulk loads write no audit entry: a full recount at least hourly
OVERLAP = timedelta(seconds=60)


@dataclass
class PopulationTable:
    region: str
    rows: dict[str, PopulationRow]
    day: str  # Paris date the quality rules were evaluated on (some depend on today)
    seen_ms: int  # latest audit entry taken into account

    def ordered(self) -> list[PopulationRow]:
        return sorted(self.rows.values(), key=lambda r: (r.department_code or "", r.name or "", r.finess))


class PopulationTables(KeptTables[PopulationTable]):
    """The follow-up of each région kept per app: built once (slow), then only the establishments the audit log
    names since are recomputed at each read (milliseconds)."""

    def __init__(self, graph: Graph):
        self.graph = graph
        super().__init__(self._build, self._catch_up, rebuild_after_s=REBUILD_AFTER_S, name="population",
                         expired=lambda table: table.day != paris_today())

    def _build(self, region: str) -> PopulationTable:
        day, seen = paris_today(), _latest_audit_ms(self.graph)
        return PopulationTable(region=region, rows={r.finess: r for r in compute(self.graph, region)}, day=day,
                               seen_ms=seen)

    def _catch_up(self, table: PopulationTable) -> None:
        since = datetime.fromtimestamp(table.seen_ms / 1000, UTC) - OVERLAP
        changes = self.graph.read_named("read/population_changes", region=table.region, since=since)
        sites = sorted({c["finess"] for c in changes if c["finess"]})
        if sites:
            fresh = {r.finess: r for r in compute(self.graph, table.region, finess=sites)}
            for finess in sites:
                if finess in fresh:
                    table.rows[finess] = fresh[finess]
                else:
                    table.rows.pop(finess, None)  # no offer and no campaign any more
        table.seen_ms = max([table.seen_ms, *(c["at"] for c in changes)])


def _latest_audit_ms(graph: Graph) -> int:
    rows = graph.read_named("read/audit_latest")
    return rows[0]["at"] if rows and rows[0]["at"] is not None else 0


def paris_today() -> str:
    return clock.paris_today().isoformat()


CAMPAIGN_STATES = {"toutes": "toutes", "non-lancee": "non lancée", "en-cours": "lancée, non validée",
                   "validee": "validée par l'ARS"}
POPULATION_SORTS = {"departement": "Département", "nom": "Établissement", "lancement": "Lancement",
                    "unites": "% unités peuplées", "organisation": "% organisation peuplée",
                    "validation": "Validation ARS", "delai": "Délai"}


@dataclass(frozen=True)
class Campaign:
    """What the campaign looks like over the rows shown: the dates it follows and how far it went."""

    establishments: int
    launched: int
    first_launch: date | None
    last_launch: date | None
    trained: int
    validated: int
    last_validation: date | None
    median_delay_days: int | None
    units: int
    units_populated_pct: int | None


@dataclass(frozen=True)
class PopulationPage:
    rows: tuple[PopulationRow, ...]
    total: int
    page: int
    size: int
    campaign: Campaign

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def state_of(row: PopulationRow) -> str:
    if row.ars_validated_on:
        return "validee"
    return "en-cours" if row.launched_on else "non-lancee"


def follow_up(rows: list[PopulationRow], *, state: str = "toutes", sort: str = "departement",
              descending: bool = False, page: int = 1, size: int = 100) -> PopulationPage:
    """One page of the follow-up with the campaign summary of every row kept by the filter."""
    if state not in CAMPAIGN_STATES or sort not in POPULATION_SORTS:
        raise BadRequest("Filtre du suivi du peuplement invalide.", fields={"etat": "état inconnu"} if (
            state not in CAMPAIGN_STATES) else {"tri": "tri inconnu"})
    kept = [r for r in rows if state == "toutes" or state_of(r) == state]
    keys = {"departement": lambda r: (r.department_code or "", r.name or ""),
            "nom": lambda r: ((r.name or "").lower(), r.finess),
            "lancement": lambda r: (r.launched_on or date.min, r.name or ""),
            "unites": lambda r: (r.units_populated_pct, r.name or ""),
            "organisation": lambda r: (r.org_populated_pct, r.name or ""),
            "validation": lambda r: (r.ars_validated_on or date.min, r.name or ""),
            "delai": lambda r: (r.delay_days if r.delay_days is not None else -1, r.name or "")}
    kept.sort(key=keys[sort], reverse=descending)
    page = max(1, page)
    return PopulationPage(rows=tuple(kept[(page - 1) * size: page * size]), total=len(kept), page=page, size=size,
                          campaign=campaign_of(kept))


def campaign_of(rows: list[PopulationRow]) -> Campaign:
    launches = sorted(r.launched_on for r in rows if r.launched_on)
    validations = sorted(r.ars_validated_on for r in rows if r.ars_validated_on)
    delays = sorted(r.delay_days for r in rows if r.delay_days is not None)
    units = sum(r.units for r in rows)
    populated = sum(round(r.units * r.units_populated_pct / 100) for r in rows)
    return Campaign(establishments=len(rows), launched=len(launches),
                    first_launch=launches[0] if launches else None, last_launch=launches[-1] if launches else None,
                    trained=sum(1 for r in rows if r.trainings), validated=len(validations),
                    last_validation=validations[-1] if validations else None,
                    median_delay_days=delays[len(delays) // 2] if delays else None, units=units,
                    units_populated_pct=round(100 * populated / units) if units else None)


def to_csv(rows: list[PopulationRow]) -> str:
    """CSV for spreadsheets used in France: `;` separator, UTF-8 with BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(row.csv_row())
    return "\ufeff" + buffer.getvalue()


FIELDS = {"launched_on": ("population_campaign_launched_on", "Lancement de la campagne"),
          "trainings": ("population_trainings", "Formations des référents"),
          "ars_validated_on": ("population_ars_validated_on", "Validation ARS")}


def _date(value, label: str, errors: dict, name: str):
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[name] = f"{label} : date au format AAAA-MM-JJ attendue."
        return None


def update(graph: Graph, principal: Principal, finess: str, payload: dict) -> dict:
    """Record campaign dates for a site (coordinators of its région); audited."""
    principal.require("population.write")
    target = UserStore(graph).locate("site", finess)
    principal.require("population.write", target)
    if not isinstance(payload, dict):
        raise BadRequest("Le corps de la requête doit être un objet JSON.", fields={"body": "objet JSON attendu"})
    errors, changes = {}, {}
    for name in sorted(set(payload) - set(FIELDS) - {"csrf_token"}):
        errors[name] = f"Champ inconnu : {name}."
    for name, (prop, label) in FIELDS.items():
        if name not in payload:
            continue
        if name == "trainings":
            values = payload[name] if isinstance(payload[name], list) else [payload[name]]
            changes[prop] = [d for d in (_date(v, label, errors, name) for v in values) if d] or None
        else:
            changes[prop] = _date(payload[name], label, errors, name)
    launched = changes.get("population_campaign_launched_on")
    validated = changes.get("population_ars_validated_on")
    if launched and validated and validated < launched:
        errors["ars_validated_on"] = "Validation ARS : ne peut pas précéder le lancement de la campagne."
    if errors:
        raise BadRequest("Suivi du peuplement invalide : " + ", ".join(sorted(errors)) + ".", fields=errors)

    def work(tx):
        row = tx.run(cypher.query("write/workflow_population"), finess=finess, changes=changes,
                     actor=principal.username).single()
        append(tx, principal, "site.population", target, row["before"], row["after"])
        return row["after"]

    return graph.transaction(work)
