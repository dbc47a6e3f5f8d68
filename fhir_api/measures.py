"""Steering indicators as FHIR `Measure` (their definitions, RORMeasure) and `MeasureReport` (each recorded run of
`quality.indicators`, one report per indicator: the figure for France, and per région and per département as the
stratifiers `region` and `departement`), as the ROR's « consultation d'indicateurs de pilotage » asks:
`Measure?identifier=…&_revinclude=MeasureReport:measure`, `Measure?_has:MeasureReport:measure:date=eq…`.

`Measure` is a served type (`fhir_api.served`); the indicator reports are another kind of MeasureReport on the one
`/fhir/MeasureReport` route (`fhir_api.measure_reports`, which the emergency activity reports share), matched in
memory with the parameters declared here (`measure`, `date`, `period`, `identifier`, `status`, `_id`,
`_lastUpdated`).
"""

from __future__ import annotations

from core.errors import NotFound
from fhir_api import codes, measure_reports, served
from fhir_api import extract as x
from fhir_api import searchparams as sp
from quality import indicators
from quality.indicators import INDICATORS, Indicator, Run

BASE = "https://ror-graph.fr/fhir/Measure/"
PROFILE_MEASURE = codes.ROR_SD + "ror-measure"
PROFILE_REPORT = codes.ROR_SD + "ror-measurereport"
SYSTEM_INDICATOR = "https://ror-graph.fr/fhir/sid/indicateur"
SYSTEM_REPORT = "https://ror-graph.fr/fhir/sid/mesure-indicateur"
SYSTEM_GROUP = "https://ror-graph.fr/fhir/CodeSystem/groupe-indicateur"
SYSTEM_STRATIFIER = "https://ror-graph.fr/fhir/CodeSystem/niveau-territorial"
SYSTEM_DEPARTMENT = codes.NOS + "TRE_G09-DepartementOM/FHIR/TRE-G09-DepartementOM"
SYSTEM_COUNTRY = "urn:iso:std:iso:3166"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem/"
DEFINED_ON = "2026-12-01"  # date of the definitions below
REPORT_PREFIX = "ind-"
MAX_RUNS = 400


def measure_id(key: str) -> str:
    return f"ror-{key}"


def measure_url(key: str) -> str:
    return BASE + measure_id(key)


def _coding(system: str, code: str, display: str | None = None) -> dict:
    return {"coding": [{"system": system, "code": code, **({"display": display} if display else {})}]}


def measure(indicator: Indicator) -> dict:
    return {
        "resourceType": "Measure", "id": measure_id(indicator.key),
        "meta": {"profile": [PROFILE_MEASURE], "lastUpdated": DEFINED_ON + "T00:00:00+00:00"},
        "url": measure_url(indicator.key),
        "identifier": [{"system": SYSTEM_INDICATOR, "value": measure_id(indicator.key)}],
        "name": "".join(p.capitalize() for p in measure_id(indicator.key).split("-")),
        "title": indicator.title, "status": "active", "date": DEFINED_ON, "publisher": "ror-graph",
        "description": indicator.description, "purpose": indicator.purpose,
        "topic": [_coding(TERMINOLOGY + "definition-topic", "assessment", "Assessment")],
        "scoring": _coding(TERMINOLOGY + "measure-scoring", "proportion", "Proportion"),
        "type": [_coding(TERMINOLOGY + "measure-type", "structure", "Structure")],
        "improvementNotation": _coding(TERMINOLOGY + "measure-improvement-notation", indicator.improvement),
        "group": [{"code": _coding(SYSTEM_GROUP, g.code, g.label), "description": g.description,
                   "stratifier": [{"code": _coding(SYSTEM_STRATIFIER, "region", "Région")},
                                  {"code": _coding(SYSTEM_STRATIFIER, "departement", "Département")}]}
                  for g in indicator.groups],
    }


MEASURES = {measure_id(k): measure(i) for k, i in INDICATORS.items()}


def report_id(key: str, run: Run) -> str:
    return f"{REPORT_PREFIX}{key}-{run.id}"


def _score(value) -> dict:
    out = {"populations": [
        {"code": _coding(TERMINOLOGY + "measure-population", "numerator"), "count": value.numerator},
        {"code": _coding(TERMINOLOGY + "measure-population", "denominator"), "count": value.denominator}]}
    if value.score is not None:
        out["measureScore"] = {"value": value.score, "unit": "%", "system": codes.SYSTEM_UCUM, "code": "%"}
    return out


def _stratum(system: str, value) -> dict:
    scored = _score(value)
    out = {"value": _coding(system, value.code, value.name), "population": scored["populations"]}
    if "measureScore" in scored:
        out["measureScore"] = scored["measureScore"]
    return out


def report(key: str, run: Run) -> dict:
    """The MeasureReport of one indicator in one run: France, then its régions and départements."""
    indicator = INDICATORS[key]
    at = run.at.isoformat(timespec="seconds")
    groups = []
    for group in indicator.groups:
        values = [v for v in run.values if v.indicator == key and v.group == group.code]
        france = next((v for v in values if v.level == "france"), None)
        entry = {"code": _coding(SYSTEM_GROUP, group.code, group.label)}
        if france is not None:
            scored = _score(france)
            entry["population"] = scored["populations"]
            if "measureScore" in scored:
                entry["measureScore"] = scored["measureScore"]
        strata = []
        for level, code, label, system in (("region", "region", "Région", codes.SYSTEM_REGION),
                                           ("department", "departement", "Département", SYSTEM_DEPARTMENT)):
            strata.append({"code": [_coding(SYSTEM_STRATIFIER, code, label)],
                           "stratum": [_stratum(system, v) for v in values if v.level == level]})
        entry["stratifier"] = [s for s in strata if s["stratum"]]
        groups.append(entry)
    meta = {"profile": [PROFILE_REPORT], "lastUpdated": at}
    if run.synthetic:
        meta["tag"] = [{"system": codes.SYSTEM_PROVENANCE, "code": "synthetic", "display": "Donnée synthétique"}]
    return {
        "resourceType": "MeasureReport", "id": report_id(key, run), "meta": meta,
        "identifier": [{"system": SYSTEM_REPORT, "value": f"{measure_id(key)}-{run.id}"}],
        "status": "complete", "type": "summary", "measure": measure_url(key), "date": at,
        "subject": {"identifier": {"system": SYSTEM_COUNTRY, "value": "FR"}, "display": "France"},
        "period": {"start": at, "end": at}, "group": groups,
    }


def _measure_refs(report_: dict) -> list[str]:
    url = report_.get("measure") or ""
    return [f"Measure/{url.rsplit('/', 1)[-1]}"] if url else []


# --- Measure ----------------------------------------------------------------------------------------------------

def _reports(ctx: served.Ctx, tree=None) -> list[dict]:
    timeout = ctx.deadline.remaining() if ctx.deadline else None
    return [report(key, run) for run in indicators.runs(ctx.graph, limit=MAX_RUNS, timeout=timeout)
            for key in INDICATORS if any(v.indicator == key for v in run.values)]


def _revinclude_reports(ctx: served.Ctx, ids: list[str]) -> list[dict]:
    wanted = {f"Measure/{i}" for i in ids}
    return [r for r in _reports(ctx) if set(_measure_refs(r)) & wanted]


MEASURE = served.ServedType(
    name="Measure", profile=PROFILE_MEASURE,
    params=(*served.common_params(),
            sp.token("identifier", lambda m: [(i["system"], i["value"]) for i in m.get("identifier") or []],
                     "Identifiant de l'indicateur"),
            sp.token("topic", lambda m: x.codings(m.get("topic")), "Sujet de l'indicateur"),
            sp.token("status", lambda m: [(None, m["status"])], "Statut de la définition"),
            sp.token("url", lambda m: [(None, m["url"])], "URL canonique de l'indicateur"),
            sp.string("title", lambda m: [m["title"]], "Titre de l'indicateur"),
            sp.string("name", lambda m: [m["name"]], "Nom informatique de l'indicateur")),
    candidates=lambda ctx, tree: list(MEASURES.values()),
    read=lambda ctx, i: MEASURES.get(i),
    revincludes={"MeasureReport:measure": _revinclude_reports},
    documentation="Indicateurs de pilotage (profil RORMeasure) ; leurs valeurs : MeasureReport.")


def _include_measure(ctx: served.Ctx, reports: list[dict]) -> list[dict]:
    ids = {ref.split("/", 1)[1] for r in reports for ref in _measure_refs(r)}
    return [MEASURES[i] for i in sorted(ids) if i in MEASURES]


def _read_report(ctx: served.Ctx, rid: str) -> dict | None:
    key, _, run_id = rid[len(REPORT_PREFIX):].rpartition("-")
    if not rid.startswith(REPORT_PREFIX) or key not in INDICATORS:
        return None
    found = indicators.runs(ctx.graph, run_id=run_id, limit=1)
    return report(key, found[0]) if found and any(v.indicator == key for v in found[0].values) else None


REPORT = served.ServedType(
    name="MeasureReport", profile=PROFILE_REPORT,
    params=(*served.common_params(),
            served.SearchParam("measure", "reference", "Indicateur mesuré (Measure/<id> ou son URL canonique)",
                               _measure_refs),
            sp.date("date", lambda r: [r["date"]] if r.get("date") else [], "Date de la mesure"),
            sp.date("period", lambda r: [r["period"]["start"]] if r.get("period") else [], "Période mesurée"),
            sp.token("identifier", lambda r: [(i["system"], i["value"]) for i in r.get("identifier") or []],
                     "Identifiant de la mesure"),
            sp.token("status", lambda r: [(None, r["status"])], "Statut de la mesure")),
    candidates=lambda ctx, tree: _reports(ctx, tree), read=_read_report,
    references={"measure": ("Measure",)}, includes={"MeasureReport:measure": _include_measure},
    default_sort=lambda r: (_newest_first(r.get("date") or ""), r["id"]),
    documentation="Valeurs des indicateurs de pilotage (profil RORMeasureReport, un rapport par indicateur et par "
                  "calcul, strates région et département) ; l'activité des urgences par établissement et par heure "
                  "se cherche par subject=Organization/eg-<FINESS> et date (authentifié).")


def _newest_first(text: str) -> str:
    return "".join(chr(0x10FFFF - ord(c)) for c in text)


served.register_type(MEASURE)
served.register_type(REPORT, routes=False)  # the /fhir/MeasureReport route is fhir_api.measure_reports'


# --- the indicator reports on the one MeasureReport route -------------------------------------------------------

def _search(params: dict, base: str) -> dict:
    ctx = served._ctx()
    items = [(k, v) for k, values in params.items() for v in values]
    return served.search(REPORT, ctx, items)


def _read(rid: str) -> dict:
    found = _read_report(served._ctx(), rid)
    if found is None:
        raise NotFound(f"MeasureReport/{rid} introuvable.")
    return found


def provider() -> measure_reports.Provider:
    return measure_reports.Provider(
        measure=measure_url("completude"), measures=tuple(measure_url(k) for k in INDICATORS),
        owns=lambda i: i.startswith(REPORT_PREFIX), read=_read, search=_search,
        accepts=lambda params: "subject" not in params)


measure_reports.PROVIDERS.append(provider)

