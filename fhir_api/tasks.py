"""Anomaly reports as FHIR `Task` (the ROR's RORTask: « signalement d'anomalie »), over `quality.anomalies`.

- `POST /fhir/Task` (any signed-in person, `Authorization: Bearer <token>`): `focus` (a reference, or the ROR
  form `{"type": "Organization", "identifier": {"value": "<FINESS>"}}`), `code` (theme, TRE_R350),
  `description` (comment), `reasonCode` (TRE_R349, default COR), `input` `pathElementError` (FHIRPath of the faulty
  element) → 201, `Location`, the Task (state « à traiter », businessStatus TRE_R352 02).
- `PATCH /fhir/Task/<id>`: FHIRPath Patch (`Parameters`, `replace` of `Task.businessStatus` or `Task.status`, as
  the ROR documents it) or JSON Patch (`/businessStatus`, `/status`), optional `Task.note`: the report's handlers
  (contributors of its sites, coordinators of its régions, administrators) move it; its author may cancel it
  (businessStatus 03).
- `GET /fhir/Task[/<id>]`: search (`focus` with its chains `focus:HealthcareService.identifier` and the ROR's
  `focus:HealthcareService:identifier`, `business-status`, `status`, `code`, `identifier`, `authored-on`,
  `_lastUpdated`, `_id`, `_content`, `_filter`) and read, public like the other FHIR reads: a Task names no
  person (the reporter and handlers stay in the graph and the audit log).
- The searches of the indexed types get `_revinclude=Task:focus` and `_has:Task:focus:<param>` (also inside
  `_filter`) through `fhir_api.hooks`.
"""

from __future__ import annotations

from flask import current_app, request

from core.errors import BadRequest, RorError
from fhir_api import codes, hooks, served
from fhir_api import extract as x
from fhir_api import filter as fl
from fhir_api import searchparams as sp
from fhir_api.budget import Deadline
from fhir_api.params import InvalidParam
from quality import anomalies
from quality.anomalies import BY_BUSINESS_STATUS, STATES, Anomaly

PROFILE = codes.ROR_SD + "ror-task"
SYSTEM_BUSINESS_STATUS = codes.NOS + "TRE_R352-StatutMetierAnomalie/FHIR/TRE-R352-StatutMetierAnomalie"
SYSTEM_THEME = codes.NOS + "TRE_R350-ThematiqueAnomalie/FHIR/TRE-R350-ThematiqueAnomalie"
SYSTEM_ACTION = codes.NOS + "TRE_R349-ActionAnomalie/FHIR/TRE-R349-ActionAnomalie"
SYSTEM_INPUT = "https://interop.esante.gouv.fr/ig/fhir/ror/CodeSystem/input-task-ror-codesystem"
SYSTEM_TASK_STATUS = "http://hl7.org/fhir/task-status"
SYSTEM_ANOMALY = "https://ror-graph.fr/fhir/sid/anomalie"
BY_TASK_STATUS = {s.task_status: s for s in STATES.values()}
FOCUS_TYPES = tuple(anomalies.FOCUS_TYPES)


def _instant(value) -> str | None:
    return value.isoformat(timespec="milliseconds") if value else None


def render(a: Anomaly) -> dict:
    """The Task of one anomaly report (RORTask profile)."""
    state = a.state_info
    inputs = [{"type": {"coding": [{"system": SYSTEM_INPUT, "code": "systemRequester"}]},
               "valueString": a.system_requester}]
    if a.element_path:
        inputs.append({"type": {"coding": [{"system": SYSTEM_INPUT, "code": "pathElementError"}]},
                       "valueExpression": {"language": "text/fhirpath", "expression": a.element_path}})
    focus = {"reference": f"{a.focus_type}/{a.focus_id}", "type": a.focus_type}
    if a.focus_display:
        focus["display"] = a.focus_display
    task = {
        "resourceType": "Task", "id": a.id,
        "meta": {"profile": [PROFILE], "lastUpdated": _instant(a.updated_at)},
        "identifier": [{"system": SYSTEM_ANOMALY, "value": a.number}],
        "status": state.task_status,
        "businessStatus": {"coding": [{"system": SYSTEM_BUSINESS_STATUS, "code": state.business_status,
                                       "display": state.business_label}], "text": state.label},
        "intent": "order",
        "code": {"coding": [{"system": SYSTEM_THEME, "code": a.theme, "display": a.theme_label}]},
        "description": a.comment,
        "focus": focus,
        "authoredOn": _instant(a.created_at),
        "lastModified": _instant(a.updated_at),
        "reasonCode": {"coding": [{"system": SYSTEM_ACTION, "code": a.action, "display": a.action_label}]},
        "input": inputs,
    }
    if a.closed_at:
        task["executionPeriod"] = {"end": _instant(a.closed_at)}
    if a.note:
        task["note"] = [{"text": a.note}]
    return task


def _focus_refs(task: dict) -> list[str]:
    ref = (task.get("focus") or {}).get("reference")
    return [ref] if ref else []


PARAMS = (*served.common_params(),
          sp.token("identifier", lambda t: [(i.get("system"), i["value"]) for i in t.get("identifier") or []],
                   "Identifiant de l'anomalie"),
          served.SearchParam("focus", "reference", "Ressource en anomalie (HealthcareService, Organization, Location, "
                             "Practitioner, PractitionerRole) ; chaînes focus:Type.paramètre", _focus_refs),
          sp.token("business-status", lambda t: x.codings(t.get("businessStatus")),
                   "Statut métier de l'anomalie (TRE_R352)"),
          sp.token("status", lambda t: [(SYSTEM_TASK_STATUS, t["status"])], "Statut de la tâche FHIR"),
          sp.token("code", lambda t: x.codings(t.get("code")), "Thématique de l'anomalie (TRE_R350)"),
          sp.date("authored-on", lambda t: [t["authoredOn"]] if t.get("authoredOn") else [],
                  "Date de création de l'anomalie"),
          sp.date("modified", lambda t: [t["lastModified"]] if t.get("lastModified") else [],
                  "Date de dernière modification"))


def _candidates(ctx: served.Ctx, tree: fl.And) -> list[dict]:
    return [render(a) for a in anomalies.rows_of(ctx.graph, timeout=ctx.deadline.remaining())]


def _read(ctx: served.Ctx, task_id: str) -> dict | None:
    rows = anomalies.rows_of(ctx.graph, ids=[task_id])
    return render(rows[0]) if rows else None


def _include_focus(ctx: served.Ctx, tasks: list[dict]) -> list[dict]:
    from fhir_api import store

    wanted: dict[str, list[str]] = {}
    for task in tasks:
        for ref in _focus_refs(task):
            rtype, _, rid = ref.partition("/")
            wanted.setdefault(rtype, []).append(rid)
    out = []
    for rtype, ids in sorted(wanted.items()):
        out += store.fetch(ctx.graph, rtype, list(dict.fromkeys(ids)))
    return out


TASK = served.ServedType(
    name="Task", profile=PROFILE, params=PARAMS, candidates=_candidates, read=_read,
    references={"focus": FOCUS_TYPES}, includes={"Task:focus": _include_focus},
    default_sort=lambda t: (_neg(t.get("lastModified") or ""), t["id"]),
    interactions=({"code": "read"}, {"code": "search-type"},
                  {"code": "create", "documentation": "Signalement d'une anomalie (jeton Bearer)"},
                  {"code": "patch", "documentation": "Statut métier (FHIRPath Patch ou JSON Patch), par les "
                                                     "contributeurs et coordinateurs concernés"}),
    documentation="Anomalies signalées sur les ressources du répertoire (profil RORTask).")


def _neg(text: str) -> str:
    """A key sorting ISO instants newest first."""
    return "".join(chr(0x10FFFF - ord(c)) for c in text)


served.register_type(TASK)


# --- the searches of the indexed types: _has:Task:focus:… and _revinclude=Task:focus ---------------------------

def has_focus(req: hooks.HasRequest) -> list[str]:
    """Ids of `req.target_type` resources that Tasks matching `param op values` are about."""
    if "." in req.param or req.param.startswith("_has"):
        raise InvalidParam(f"« _has:Task:focus:{req.param} » : chaînage non pris en charge dans un _has.")
    ctx = served.Ctx(req.graph, None, req.deadline)
    tasks = [render(a) for a in anomalies.rows_of(req.graph, focus_type=req.target_type,
                                                  timeout=req.deadline.remaining())]
    cmp = fl.Compare(req.param, req.op, req.values)
    served.resolve(TASK, req.param)
    return sorted({t["focus"]["reference"].split("/", 1)[1] for t in tasks
                   if served.evaluate(TASK, t, cmp, {}, ctx)})


def revinclude_focus(target_type: str, ids: list[str], deadline: Deadline, graph) -> list[dict]:
    if not ids:
        return []
    rows = anomalies.rows_of(graph, focus_type=target_type, focus_ids=list(ids), timeout=deadline.remaining())
    return [render(a) for a in sorted(rows, key=lambda a: a.id)]


hooks.has_providers["Task:focus"] = has_focus
hooks.revinclude_providers["Task:focus"] = revinclude_focus


# --- writes ---------------------------------------------------------------------------------------------------

def _principal(permission: str):
    from fhir_api.blueprint import NotImplementedYet

    if "ror" not in current_app.extensions:
        raise NotImplementedYet("Le signalement d'anomalies demande l'application web (comptes et jetons).")
    from accounts.web import authenticated

    return authenticated(permission)


def _codes(concept, system: str) -> list[str]:
    found = [c for s, c in x.codings(concept) if s is None or codes.canonical_system(s) == system]
    return found


def focus_of(body: dict) -> tuple[str, str]:
    """(type, logical id) of a Task's `focus`: a reference, or a type and an identifier (the ROR's form)."""
    focus = body.get("focus")
    if not isinstance(focus, dict):
        raise BadRequest("« focus » est obligatoire : la ressource concernée par l'anomalie.",
                         fields={"focus": "référence attendue (ex. HealthcareService/<id>)"})
    reference = focus.get("reference")
    if isinstance(reference, str) and "/" in reference:
        parts = reference.rstrip("/").split("/")
        return parts[-2], parts[-1]
    rtype, ident = focus.get("type"), (focus.get("identifier") or {}).get("value")
    if rtype not in FOCUS_TYPES or not isinstance(ident, str) or not ident:
        raise BadRequest("« focus » : une référence Type/id, ou un type (" + ", ".join(FOCUS_TYPES)
                         + ") et un identifiant.", fields={"focus": "référence ou type + identifiant"})
    if rtype == "Organization" and not ident.startswith(("eg-", "ej-")):
        return rtype, _organization_id(ident)
    if rtype == "PractitionerRole":
        raise BadRequest("« focus » d'un PractitionerRole : donnez sa référence (PractitionerRole/<id>).",
                         fields={"focus": "référence attendue"})
    return rtype, ident


def _organization_id(finess: str) -> str:
    from fhir_api.blueprint import _graph_and_search

    graph = _graph_and_search()[0]
    for prefix in ("eg-", "ej-"):
        try:
            anomalies.locate(graph, "Organization", prefix + finess)
            return prefix + finess
        except RorError:
            continue
    return "eg-" + finess  # unknown: `report` answers 404 naming it


def parse_new(body) -> dict:
    """The report a POSTed Task describes (400 naming what is missing or wrong)."""
    if not isinstance(body, dict) or body.get("resourceType") != "Task":
        raise BadRequest("Corps attendu : une ressource Task (JSON FHIR).", fields={"body": "resourceType Task"})
    focus_type, focus_id = focus_of(body)
    themes = _codes(body.get("code"), SYSTEM_THEME)
    actions = _codes(body.get("reasonCode"), SYSTEM_ACTION)
    status = _codes(body.get("businessStatus"), SYSTEM_BUSINESS_STATUS)
    if status and status[0] != STATES["a_traiter"].business_status:
        raise BadRequest("Une anomalie signalée commence « à traiter » (businessStatus 02).",
                         fields={"businessStatus": "02 attendu (ou absent)"})
    path, requester = None, "API"
    for item in body.get("input") or []:
        kind = [c for _, c in x.codings((item or {}).get("type"))]
        if "pathElementError" in kind:
            expression = item.get("valueExpression") or {}
            path = expression.get("expression") or item.get("valueString")
        if "systemRequester" in kind and item.get("valueString") in anomalies.REQUESTERS:
            requester = item["valueString"]
    return {"focus_type": focus_type, "focus_id": focus_id, "theme": themes[0] if themes else None,
            "action": actions[0] if actions else "COR", "element_path": path,
            "comment": body.get("description"), "system_requester": requester}


def _base() -> str:
    from fhir_api.blueprint import _base_url

    return _base_url()


def _written(a: Anomaly, status: int):
    from fhir_api.blueprint import fhir_response

    headers = {"Last-Modified": _instant(a.updated_at) or "", "ETag": f'W/"{a.revision}"'}
    if status == 201:
        headers["Location"] = f"{_base()}/Task/{a.id}"
    return fhir_response(render(a), status, headers=headers)


@served.bp.post("/Task")
def create():
    principal = _principal("anomaly.report")
    fields = parse_new(request.get_json(force=True, silent=True))
    from fhir_api.blueprint import _graph_and_search

    anomaly = anomalies.report(_graph_and_search()[0], principal, fields.pop("focus_type"), fields.pop("focus_id"),
                               **fields)
    return _written(anomaly, 201)


def _value_state(path: str, value) -> str:
    if path in ("businessStatus", "Task.businessStatus"):
        found = [c for c in _codes(value, SYSTEM_BUSINESS_STATUS) if c in BY_BUSINESS_STATUS]
        if not found:
            raise _unprocessable("Statut métier non pris en charge : attendu TRE_R352 "
                                 + ", ".join(f"{s.business_status} ({s.business_label})" for s in STATES.values())
                                 + ".")
        return BY_BUSINESS_STATUS[found[0]].code
    if value not in BY_TASK_STATUS:
        raise _unprocessable("Statut non pris en charge : attendu " + ", ".join(BY_TASK_STATUS) + ".")
    return BY_TASK_STATUS[value].code


class Unprocessable(RorError):
    status = 422
    code = "unprocessable"


def _unprocessable(message: str) -> Unprocessable:
    return Unprocessable(message)


def parse_patch(body, content_type: str) -> tuple[str | None, str | None]:
    """(new state, note) of a FHIRPath Patch (Parameters) or a JSON Patch of a Task; 422 for anything else."""
    changes: list[tuple[str, str, object]] = []  # (op, path, value)
    if isinstance(body, dict) and body.get("resourceType") == "Parameters":
        for operation in body.get("parameter") or []:
            if (operation or {}).get("name") != "operation":
                continue
            parts = {p.get("name"): p for p in operation.get("part") or [] if isinstance(p, dict)}
            value = parts.get("value") or {}
            found = next((value[k] for k in ("valueCodeableConcept", "valueCode", "valueString", "valueAnnotation")
                          if k in value), None)
            changes.append(((parts.get("type") or {}).get("valueString"), (parts.get("path") or {}).get(
                "valueString"), found))
    elif isinstance(body, list):
        for operation in body:
            if not isinstance(operation, dict):
                raise BadRequest("JSON Patch : une liste d'opérations attendue.")
            changes.append((operation.get("op"), str(operation.get("path") or "").lstrip("/"), operation.get("value")))
    else:
        raise BadRequest(f"Corps attendu : Parameters (FHIRPath Patch) ou JSON Patch (reçu : {content_type}).")
    if not changes:
        raise BadRequest("Aucune opération dans le patch.")
    state, note = None, None
    for op, path, value in changes:
        if path in ("businessStatus", "Task.businessStatus", "status", "Task.status") and op == "replace":
            state = _value_state(path, value)
        elif path in ("note", "Task.note", "note/-") and op in ("add", "replace"):
            note = value.get("text") if isinstance(value, dict) else (
                value[0].get("text") if isinstance(value, list) and value and isinstance(value[0], dict) else value)
        else:
            raise _unprocessable(f"Opération non prise en charge : {op} {path} (seuls le statut métier, le "
                                 "statut et une note peuvent changer).")
    return state, note if isinstance(note, str) else None


@served.bp.patch("/Task/<task_id>")
def patch(task_id: str):
    principal = _principal("anomaly.report")
    from fhir_api.blueprint import _graph_and_search

    graph = _graph_and_search()[0]
    state, note = parse_patch(request.get_json(force=True, silent=True), request.mimetype)
    current = anomalies.get(graph, task_id)
    if state is None or state == current.state:
        if note is None:
            return _written(current, 200)
        raise _unprocessable("Une note accompagne un changement de statut.")
    return _written(anomalies.transition(graph, principal, task_id, state, note=note,
                                         expected_state=current.state), 200)
