"""PATCH of a Location's capacity with a JSON Patch (RFC 6902), recorded like the web form's entries.

The patch is applied to the Location as the API publishes it; only its `ror-location-supported-capacity`
extensions may change. The resulting figures are handed to `capacity.service.update`, the same validation,
snapshot history, audit entry and index push as the capacity form.
"""

from __future__ import annotations

import copy

from core.errors import BadRequest, RorError
from fhir_api import codes

FIELD_OF = {(f["status"], f["gender"], f["temporality"]): f["field"] for f in codes.CAPACITY_FIELDS}
TEMPORALITY_CURRENT = "01"
DERIVED = {"available_total"}  # recomputed by the capacity service from the three available figures


class Unprocessable(RorError):
    status = 422
    code = "unprocessable"


class PatchConflict(RorError):
    status = 409
    code = "conflict"


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise BadRequest(f"Chemin JSON Pointer invalide : {pointer!r}.")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _parent(doc, pointer: str):
    tokens = _tokens(pointer)
    if not tokens:
        raise Unprocessable("Le patch ne peut pas remplacer la ressource entière.")
    node = doc
    for token in tokens[:-1]:
        node = _child(node, token, pointer)
    return node, tokens[-1]


def _child(node, token: str, pointer: str):
    try:
        if isinstance(node, list):
            return node[int(token)]
        return node[token]
    except (KeyError, IndexError, ValueError, TypeError):
        raise Unprocessable(f"Chemin absent de la ressource : {pointer}.") from None


def _get(doc, pointer: str):
    node = doc
    for token in _tokens(pointer):
        node = _child(node, token, pointer)
    return node


def _add(doc, pointer: str, value) -> None:
    parent, key = _parent(doc, pointer)
    if isinstance(parent, list):
        index = len(parent) if key == "-" else _index(key, len(parent) + 1, pointer)
        parent.insert(index, value)
    elif isinstance(parent, dict):
        parent[key] = value
    else:
        raise Unprocessable(f"Chemin invalide : {pointer}.")


def _remove(doc, pointer: str):
    parent, key = _parent(doc, pointer)
    if isinstance(parent, list):
        return parent.pop(_index(key, len(parent), pointer))
    if isinstance(parent, dict) and key in parent:
        return parent.pop(key)
    raise Unprocessable(f"Chemin absent de la ressource : {pointer}.")


def _index(key: str, size: int, pointer: str) -> int:
    if not key.isdigit() or int(key) >= size:
        raise Unprocessable(f"Indice invalide dans {pointer}.")
    return int(key)


def apply_json_patch(resource: dict, operations) -> dict:
    """A patched copy of `resource` (add, remove, replace, move, copy, test); the original is untouched."""
    if not isinstance(operations, list) or not all(isinstance(o, dict) for o in operations):
        raise BadRequest("Le corps d'un PATCH doit être un JSON Patch : une liste d'opérations.")
    doc = copy.deepcopy(resource)
    for op in operations:
        name, path = op.get("op"), op.get("path")
        if not isinstance(path, str):
            raise BadRequest("Chaque opération du patch doit avoir un « path ».")
        if name in ("add", "replace", "test") and "value" not in op:
            raise BadRequest(f"L'opération « {name} » demande une « value ».")
        if name == "add":
            _add(doc, path, copy.deepcopy(op["value"]))
        elif name == "remove":
            _remove(doc, path)
        elif name == "replace":
            _remove(doc, path)
            _add(doc, path, copy.deepcopy(op["value"]))
        elif name in ("move", "copy"):
            source = op.get("from")
            if not isinstance(source, str):
                raise BadRequest(f"L'opération « {name} » demande un « from ».")
            value = _remove(doc, source) if name == "move" else copy.deepcopy(_get(doc, source))
            _add(doc, path, value)
        elif name == "test":
            if _get(doc, path) != op["value"]:
                raise PatchConflict(f"Le test du patch a échoué sur {path} : la ressource a changé.")
        else:
            raise BadRequest(f"Opération de patch inconnue : {name!r}.")
    return doc


def _without_capacity(resource: dict) -> dict:
    out = {k: v for k, v in resource.items() if k != "extension"}
    out["extension"] = [e for e in resource.get("extension", []) if e.get("url") != codes.EXT_SUPPORTED_CAPACITY]
    return out


def _code(part: dict | None, system: str) -> str | None:
    """The code of `system` in a valueCodeableConcept (a coding without system is taken as that system)."""
    if not part:
        return None
    codings = (part.get("valueCodeableConcept") or {}).get("coding") or []
    for coding in codings:
        if isinstance(coding, dict) and coding.get("system") in (system, None) and coding.get("code"):
            return coding["code"]
    return None


def capacity_payload(before: dict, after: dict) -> dict:
    """The capacity entry (fields of the capacity form) a patched Location describes."""
    if _without_capacity(before) != _without_capacity(after):
        raise Unprocessable("Seules les capacités (extension ror-location-supported-capacity) peuvent être "
                            "modifiées par PATCH.")
    payload: dict = {}
    for ext in after.get("extension", []):
        if ext.get("url") != codes.EXT_SUPPORTED_CAPACITY:
            continue
        parts = {p.get("url"): p for p in ext.get("extension", []) if isinstance(p, dict)}
        gender = _code(parts.get("genderCapacityAvailable"), codes.SYSTEM_CAPACITY_GENDER)
        key = (_code(parts.get("capacityStatus"), codes.SYSTEM_CAPACITY_STATUS),
               codes.GENDER_ALIASES.get(gender, gender),
               _code(parts.get("temporalityCapacity"), codes.SYSTEM_CAPACITY_TEMPORALITY) or TEMPORALITY_CURRENT)
        field = FIELD_OF.get(key)
        if field is None:
            raise Unprocessable("Capacité non reconnue (statut, genre, temporalité) : "
                                + " / ".join(str(k) for k in key) + ".")
        number = (parts.get("nbCapacity") or {}).get("valueInteger")
        if number is not None and (not isinstance(number, int) or isinstance(number, bool)):
            raise BadRequest(f"« valueInteger » doit être un entier JSON (sans guillemets) : {number!r} "
                             f"({field}).", fields={f"nbCapacity ({field})": "entier attendu"})
        if field not in DERIVED:
            payload[field] = number
        crisis = _crisis_type(parts.get("crisisType"))
        if crisis:
            payload["crisis_type"] = crisis
    return payload


def _crisis_type(part: dict | None) -> str | None:
    """The form's crisis type: its local coding when present, else from the JDV_J194 code (02 SSE / plan blanc
    → « sse », 01 PMIE → « autre », the form having no PMIE type)."""
    codings = [c for c in ((part or {}).get("valueCodeableConcept") or {}).get("coding") or [] if isinstance(c, dict)]
    for coding in codings:
        if coding.get("system") == codes.SYSTEM_LOCAL_CRISIS_TYPE and coding.get("code"):
            return coding["code"]
    nos = _code(part, codes.SYSTEM_CRISIS_TYPE)
    return {"01": "autre", "02": "sse"}.get(nos, nos) if nos else None
