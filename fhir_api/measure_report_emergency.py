"""The emergency activity of a site for one hour as a FHIR R4 MeasureReport (the latest report observed in that
hour; `pending` while the hour runs). Read by id (`urgences-<FINESS>-<AAAAMMJJHH>`, the hour in UTC) or searched
by site (`subject=Organization/eg-<FINESS>`) and period (`date=ge…&date=lt…`, at most 7 days). Reading needs
the same rights as the JSON API (a token or a session: the site's contributors, its région's coordinators)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from accounts.store import UserStore
from accounts.web import authenticated
from core.errors import BadRequest, NotFound
from core.identifiers import FINESS_PATTERN
from emergency import dashboard
from emergency.indicators import LABELS, occupancy
from fhir_api import codes, measure_reports

MEASURE = "https://ror-graph.fr/fhir/Measure/activite-urgences"
SYSTEM_INDICATOR = "https://ror-graph.fr/fhir/CodeSystem/indicateur-urgences"
REPORT_ID = re.compile(rf"urgences-({FINESS_PATTERN})-([0-9]{{10}})")
SUBJECT = re.compile(rf"(?:Organization/)?eg-({FINESS_PATTERN})")
DATE = re.compile(r"(ge|gt|le|lt|eq)?([0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9:]{5,8}(?:\.[0-9]+)?(?:Z|[+-][0-9:]{5})?)?)")
MAX_SPAN = timedelta(days=7)
UNITS = {"age75_share": "%", "uhcd_occupancy": "%"}


def report_id(finess: str, hour_start: datetime) -> str:
    return f"urgences-{finess}-{hour_start.astimezone(UTC):%Y%m%d%H}"


def render(finess: str, hour_start: datetime, report, now: datetime, site_name: str | None = None) -> dict:
    """One MeasureReport from a `emergency.dashboard.SiteReport`."""
    end = hour_start + timedelta(hours=1)
    values = {**report.values, "uhcd_occupancy": occupancy(report.values)}
    groups = []
    for name, label in {**LABELS, "uhcd_occupancy": "Occupation de l'UHCD (%)"}.items():
        value = values.get(name)
        if value is None:
            continue
        score = {"value": value, "system": codes.SYSTEM_UCUM, "code": "%", "unit": "%"} if name in UNITS else \
            {"value": value}
        groups.append({"code": {"coding": [{"system": SYSTEM_INDICATOR, "code": name, "display": label}]},
                       "measureScore": score})
    meta = {"lastUpdated": (report.received_at or report.observed_at).astimezone(UTC).isoformat()}
    if report.source == "synthetic":
        meta["tag"] = [{"system": codes.SYSTEM_PROVENANCE, "code": "synthetic", "display": "Donnée synthétique"}]
    subject = {"reference": f"Organization/eg-{finess}", **({"display": site_name} if site_name else {})}
    return {
        "resourceType": "MeasureReport", "id": report_id(finess, hour_start), "meta": meta,
        "identifier": [{"system": "https://ror-graph.fr/fhir/sid/message-urgences", "value": report.message_id}],
        "status": "complete" if end <= now else "pending", "type": "summary", "measure": MEASURE,
        "subject": subject, "reporter": {"reference": f"Organization/eg-{finess}"},
        "date": report.observed_at.astimezone(UTC).isoformat(),
        "period": {"start": hour_start.isoformat(), "end": end.isoformat()}, "group": groups,
    }


def _allowed(finess: str):
    principal = authenticated("emergency.read")
    graph = measure_reports.graph()
    principal.require("emergency.read", UserStore(graph).locate("site", finess))
    return graph


def _hourly(graph, finess: str, start: datetime, end: datetime) -> list[tuple[datetime, object]]:
    """(hour start, the latest report observed in it) for the hours of [start, end), oldest first."""
    latest: dict[datetime, object] = {}
    for report in dashboard.reports(graph, finess, start, end, limit=5000):  # newest first
        hour = report.observed_at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        latest.setdefault(hour, report)
    return sorted(latest.items(), key=lambda item: item[0])


def read(resource_id: str) -> dict:
    match = REPORT_ID.fullmatch(resource_id)
    if not match:
        raise NotFound(f"MeasureReport/{resource_id} introuvable.")
    finess = match.group(1)
    try:
        hour = datetime.strptime(match.group(2), "%Y%m%d%H").replace(tzinfo=UTC)
    except ValueError as exc:
        raise NotFound(f"MeasureReport/{resource_id} introuvable.") from exc
    graph = _allowed(finess)
    found = _hourly(graph, finess, hour, hour + timedelta(hours=1))
    if not found:
        raise NotFound(f"Aucun message d'activité pour {finess} dans l'heure demandée.")
    return render(finess, hour, found[0][1], datetime.now(UTC), _site_name(graph, finess))


def _site_name(graph, finess: str) -> str | None:
    rows = graph.read_named("read/emergency_site", finess=finess)
    return rows[0]["site_name"] if rows else None


def _period(values: list[str], now: datetime) -> tuple[datetime, datetime]:
    start, end = now - timedelta(hours=24), now + timedelta(hours=1)
    for raw in values:
        match = DATE.fullmatch(raw)
        if not match:
            raise BadRequest(f"date : valeur invalide « {raw[:40]} » (ex. ge2026-01-15T00:00:00+01:00).")
        prefix, text = match.group(1) or "eq", match.group(2)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if prefix in ("ge", "gt"):
            start = moment
        elif prefix in ("le", "lt"):
            end = moment
        else:
            start, end = moment, moment + (timedelta(days=1) if "T" not in text else timedelta(hours=1))
    if end <= start or end - start > MAX_SPAN:
        raise BadRequest("date : période vide ou de plus de 7 jours.")
    return start, end


def search(params: dict, base: str) -> dict:
    subjects = params.get("subject") or []
    match = SUBJECT.fullmatch(subjects[0]) if len(subjects) == 1 else None
    if not match:
        raise BadRequest("subject : une seule structure des urgences attendue (Organization/eg-<FINESS>).")
    unknown = set(params) - {"subject", "date", "measure", "_count"}
    if unknown:
        raise BadRequest("Paramètre non pris en charge : " + ", ".join(sorted(unknown)) + ".")
    finess, now = match.group(1), datetime.now(UTC)
    graph = _allowed(finess)
    start, end = _period(params.get("date") or [], now)
    site_name = _site_name(graph, finess)
    entries = [{"fullUrl": f"{base}/MeasureReport/{report_id(finess, hour)}",
                "resource": render(finess, hour, report, now, site_name), "search": {"mode": "match"}}
               for hour, report in reversed(_hourly(graph, finess, start, end))]
    return {"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries,
            "link": [{"relation": "self", "url": f"{base}/MeasureReport?subject=Organization/eg-{finess}"}]}


def provider() -> measure_reports.Provider:
    return measure_reports.Provider(
        measure=MEASURE, owns=lambda i: i.startswith("urgences-"), read=read, search=search,
        accepts=lambda params: any(SUBJECT.fullmatch(s) for s in params.get("subject", ())))


measure_reports.PROVIDERS.append(provider)


def register(app) -> None:
    measure_reports.register(app)
