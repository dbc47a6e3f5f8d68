"""Population follow-up ("suivi du peuplement") per establishment: campaign dates, % of the organisation and of
the units described, ARS validation and delay; as rows for the page and as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

import cypher
from accounts.audit import append, in_write_transaction
from accounts.models import Principal
from accounts.store import UserStore
from core.errors import BadRequest, Forbidden
from core.freshness import native
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


def table(graph: Graph, principal: Principal, region: str, department: str | None = None) -> list[PopulationRow]:
    """One row per establishment of the région (or of one of its départements) with offers or a campaign."""
    principal.require("population.read")
    visible = principal.regions_visible()
    if visible is not None and region not in visible:
        raise Forbidden("Région hors de votre périmètre.")
    if department is not None and department not in {d["code"] for d in departments(graph, region)}:
        raise BadRequest(f"Le département {department} n'est pas dans la région {region}.",
                         fields={"department": f"un département de la région {region}"})
    rows = graph.read_named("read/quality_population", region=region, department=department)
    reports = {r.offer_id: r for r in offer_reports(graph, [i for row in rows for i in row["offer_ids"]])}
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
            delay_days=(validated - launched).days if launched and validated else None))
    return out


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

    return in_write_transaction(graph, work)
