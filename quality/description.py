"""Editing an offer's description (contributors, within their sites): the fields the quality rules check.

Codes are checked against the loaded NOS nomenclature (value set, not retired); the change and its audit
entry (before → after) are written in one transaction holding the offer's lock, only if the offer is still at
the revision the editor started from (optimistic concurrency: a stale edit is refused, never merged). The
offer is then re-indexed and its quality report re-evaluated for the caller to show.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date

import cypher
from accounts.audit import append
from accounts.models import Principal, Target
from accounts.store import UserStore
from core.clock import paris_today
from core.errors import BadRequest, Conflict, NotFound
from graph.driver import Graph
from quality import nos_choices
from quality.rules import OfferReport
from quality.service import offer_reports
from search.sync import IndexSync

# field → (label, max length). Empty text clears the property.
TEXT_FIELDS: dict[str, tuple[str, int]] = {
    "name": ("Nom de l'offre", 200),
    "phone": ("Téléphone", 30),
    "email": ("Boîte aux lettres générique", 254),
    "opening": ("Horaires d'ouverture", 500),
    "description": ("Description libre", 4000),
}
# field → (NOS value set, label). The relationship of each is fixed in cypher/write/offer_description_update.
CODE_FIELDS: dict[str, tuple[str, str]] = {
    "activities": ("J17", "Activités opérationnelles"),
    "care_modes": ("J19", "Modes de prise en charge"),
    "acts": ("J16", "Actes spécifiques"),
    "age_groups": ("J15", "Tranches d'âge"),
    "publics": ("J29", "Publics pris en charge"),
    "fields": ("J20", "Champs d'activité"),
    "reception_modes": ("J226", "Modes d'accueil"),
}
# What each field (and the fields the quality rules name) is called on the form.
FIELD_LABELS = {**{k: v[0] for k, v in TEXT_FIELDS.items()}, **{k: v[1] for k, v in CODE_FIELDS.items()},
                "address": "Adresse", "codes": "Codes NOS", "contacts": "Contacts", "revision": "Révision",
                "body": "Formulaire"}
MAX_CODES = 60
PHONE = re.compile(r"^\+?[0-9 .()-]{6,30}$")
EMAIL = re.compile(r"^[^@\s<>]{1,64}@[^@\s<>]+\.[A-Za-z]{2,}$")
CODE = re.compile(r"^[0-9A-Za-z._-]{1,20}$")


@dataclass(frozen=True)
class Description:
    offer_id: str
    revision: int
    status: str
    site_finess: str | None
    text: dict[str, str | None]
    codes: dict[str, list[dict]]  # field → [{code, label}]


@dataclass(frozen=True)
class DescriptionWrite:
    description: Description
    report: OfferReport
    indexed: bool
    changed: tuple[str, ...]


def _description(row: dict) -> Description:
    return Description(offer_id=row["id"], revision=int(row["revision"] or 0), status=row["status"],
                       site_finess=row.get("site_finess"),
                       text={k: row["text"].get(k) for k in TEXT_FIELDS},
                       codes={k: sorted(row["codes"].get(k) or [], key=lambda c: c["code"]) for k in CODE_FIELDS})


def read(graph: Graph, principal: Principal, offer_id: str) -> Description:
    """The editable description of an offer the principal may edit (contributor of its site, admin)."""
    principal.require("offer.edit", UserStore(graph).locate("offer", offer_id))
    rows = graph.read_named("read/offer_description", id=offer_id)
    if not rows:
        raise NotFound("Offre introuvable.")
    return _description(rows[0])


def field_label(name: str) -> str:
    """The French name of a description field (unknown names are shown as they came)."""
    return FIELD_LABELS.get(name, name)


def _field_order(name: str) -> tuple[int, str]:
    order = list(FIELD_LABELS)
    return (order.index(name) if name in order else len(order), name)


def parse_revision(payload: dict, errors: dict[str, str]) -> int | None:
    """The description revision the editor started from; a French error in `errors` when missing or bad."""
    revision = payload.get("revision")
    try:
        revision = int(revision) if not isinstance(revision, bool) else None
    except (TypeError, ValueError):
        revision = None
    if revision is None or revision < 0:
        errors["revision"] = ("Révision de la description manquante : rechargez la fiche avant de la modifier "
                              "(protection contre l'écrasement d'une modification concurrente).")
    return revision


def text_value(name: str, label: str, limit: int | None, raw, errors: dict[str, str]) -> tuple[bool, str | None]:
    """(accepted, value) of one text field: trimmed, empty → None (clears it); phones and e-mails checked.
    When not accepted, `errors[name]` says why in French."""
    if raw is not None and not isinstance(raw, str):
        errors[name] = f"{label} : texte attendu."
        return False, None
    value = (raw or "").strip() or None
    if value is None:
        return True, None
    if limit is not None and len(value) > limit:
        errors[name] = f"{label} : {limit} caractères au plus."
    elif name == "phone" and not PHONE.match(value):
        errors[name] = f"{label} : numéro invalide « {value} » (chiffres, espaces, +, points)."
    elif name == "email" and not EMAIL.match(value):
        errors[name] = f"{label} : adresse invalide « {value} »."
    else:
        return True, value
    return False, None


def require_revision(current: int, revision: int) -> None:
    """Refuse a change started from another revision than the offer's current one (never merged)."""
    if current != revision:
        raise Conflict(f"La description a été modifiée entre-temps (révision {current}, votre saisie partait "
                       f"de la révision {revision}) : rechargez la fiche et refaites vos changements.",
                       fields={"revision": f"actuelle : {current}"})


def check(graph: Graph, payload: dict, today: date | None = None) -> tuple[int, dict, dict]:
    """(revision, text properties, codes per field) from a payload, or BadRequest naming every bad field and
    code in French. Only the fields present are changed."""
    if not isinstance(payload, dict):
        raise BadRequest("Le corps de la requête doit être un objet JSON.", fields={"body": "objet JSON attendu"})
    errors: dict[str, str] = {}
    for name in sorted(set(payload) - set(TEXT_FIELDS) - set(CODE_FIELDS) - {"revision", "csrf_token"}):
        errors[name] = f"Champ inconnu : {name}."
    revision = parse_revision(payload, errors)
    text: dict[str, str | None] = {}
    for name, (label, limit) in TEXT_FIELDS.items():
        if name not in payload:
            continue
        accepted, value = text_value(name, label, limit, payload[name], errors)
        if accepted and name == "name" and value is None:
            errors[name] = f"{label} : à renseigner."
        elif accepted:
            text[name] = value
    codes: dict[str, list[str]] = {}
    for name, (value_set, label) in CODE_FIELDS.items():
        if name not in payload:
            continue
        typed = nos_choices.pieces(payload[name])
        if typed is None:
            errors[name] = f"{label} : liste de libellés ou de codes NOS {value_set} attendue."
        elif len(typed) > MAX_CODES:
            errors[name] = f"{label} : {MAX_CODES} valeurs au plus."
        else:
            values, problems = nos_choices.read(typed, nos_choices.options(graph, value_set), value_set)
            if problems:
                errors[name] = f"{label} : " + " ; ".join(problems) + "."
            else:
                codes[name] = values
    if codes:
        errors.update(nomenclature_errors(graph, codes, today or paris_today()))
    if errors:
        named = [field_label(name) for name in sorted(errors, key=_field_order)]
        raise BadRequest("Description à corriger : " + ", ".join(named) + ".", fields=errors)
    if not text and not codes:
        raise BadRequest("Rien à modifier.", fields={"body": "au moins un champ de la description attendu"})
    return revision, text, codes


def nomenclature_errors(graph: Graph, codes: dict[str, list[str]], today: date,
                        fields: dict[str, tuple[str, str]] = CODE_FIELDS) -> dict[str, str]:
    """Per field, the codes unknown in its value set or retired in the loaded NOS version (`fields`: field →
    (value set, label))."""
    wanted = [{"field": f, "value_set": fields[f][0], "code": c} for f, values in codes.items() for c in values]
    found = {(r["field"], r["code"]): r for r in graph.read_named("read/offer_description_codes", items=wanted)}
    errors = {}
    for name, values in codes.items():
        value_set, label = fields[name]
        unknown = [c for c in values if (name, c) not in found]
        retired = []
        for c in values:
            row = found.get((name, c))
            when = row.get("retired_on") if row else None
            if when is not None and when <= today:
                retired.append(f"{c} (retiré le {when:%d/%m/%Y})")
        parts = []
        if unknown:
            parts.append(f"code{'s' if len(unknown) > 1 else ''} inconnu{'s' if len(unknown) > 1 else ''} "
                         f"de la nomenclature {value_set} : " + ", ".join(unknown))
        if retired:
            parts.append(f"code{'s' if len(retired) > 1 else ''} retiré{'s' if len(retired) > 1 else ''} "
                         "dans la version NOS chargée : " + ", ".join(retired))
        if parts:
            errors[name] = f"{label} : " + " ; ".join(parts) + "."
    return errors


def create(graph: Graph, principal: Principal, finess: str, payload: dict) -> DescriptionWrite:
    """Declare a new unit (offer) of site `finess` as a draft named `payload["name"]`; its quality report says
    what is missing from its minimum description before it can be validated."""
    principal.require("offer.edit")
    site = UserStore(graph).locate("site", finess)
    principal.require("offer.edit", site)
    if not isinstance(payload, dict):
        raise BadRequest("Le corps de la requête doit être un objet JSON.", fields={"body": "objet JSON attendu"})
    label, limit = TEXT_FIELDS["name"]
    name = payload.get("name")
    name = name.strip() if isinstance(name, str) else ""
    if not name or len(name) > limit:
        raise BadRequest(f"{label} : à renseigner ({limit} caractères au plus).", fields={"name": label})
    unknown = sorted(set(payload) - {"name", "csrf_token"})
    if unknown:
        raise BadRequest("Champ inconnu : " + ", ".join(unknown) + ".", fields={k: "champ inconnu" for k in unknown})
    offer_id = f"OFF-{finess}-{secrets.token_hex(4).upper()}"
    target = Target(kind="Offer", id=offer_id, site_finess=finess, department_code=site.department_code,
                    region_code=site.region_code)

    def work(tx):
        if tx.run(cypher.query("write/offer_create"), finess=finess, id=offer_id, name=name,
                  actor=principal.username).single() is None:
            raise NotFound("Établissement introuvable.")
        append(tx, principal, "offer.create", target, None, {"name": name, "status": "draft", "revision": 0})

    graph.transaction(work)
    return DescriptionWrite(description=read(graph, principal, offer_id), report=offer_reports(graph, [offer_id])[0],
                            indexed=False, changed=("name",))


def update(graph: Graph, principal: Principal, offer_id: str, payload: dict, *, sync: IndexSync | None = None,
           today: date | None = None) -> DescriptionWrite:
    """Change the description of `offer_id` on behalf of `principal` (role and site scope checked)."""
    principal.require("offer.edit")
    target = UserStore(graph).locate("offer", offer_id)
    principal.require("offer.edit", target)
    revision, text, codes = check(graph, payload, today)

    def work(tx):
        before = tx.run(cypher.query("write/offer_description_lock"), id=offer_id).single()
        if before is None:
            raise NotFound("Offre introuvable.")
        require_revision(int(before["revision"] or 0), revision)
        after = tx.run(cypher.query("write/offer_description_update"), id=offer_id, text=text,
                       codes={k: codes.get(k) for k in CODE_FIELDS}, actor=principal.username).single()
        old, new = _audit_view(before, text, codes), _audit_view(after, text, codes)
        append(tx, principal, "offer.update", target, old, new)
        return after, [k for k in old if old[k] != new[k]]

    after, changed = graph.transaction(work)
    indexed = sync.offer_change([offer_id], [target.site_finess]) if sync else False
    report = offer_reports(graph, [offer_id])[0]
    return DescriptionWrite(description=_description(after), report=report, indexed=indexed,
                            changed=tuple(changed))


def _audit_view(row, text: dict, codes: dict) -> dict:
    """The fields of this change only (revision included), as the audit log keeps them."""
    view = {"revision": int(row["revision"] or 0)}
    view.update({k: row["text"].get(k) for k in text})
    view.update({k: sorted(c["code"] for c in row["codes"].get(k) or []) for k in codes})
    return view
