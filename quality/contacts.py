"""Contacts of an offer (contributors, within their sites): the role of each professional working in it.

A role (`WORKS_IN`) carries the contact function (NOS J220: the hygiene referents 23–26 the infection-prevention
rules look for…), its nature (J221: secretariat 07, on-call…), an e-mail and a phone. A contributor changes
them, adds a role for a professional already known by their RPPS, or removes one. Like a description edit, the
change holds the offer's lock, is refused if the offer moved past the revision the editor started from, bumps
that revision (an edited published offer then waits in the coordinators' queue), is audited before → after in
the same transaction, and is pushed to the index. Removing a role of a published offer leaves a FHIR tombstone
for its PractitionerRole; adding one back clears it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import cypher
from accounts.audit import append
from accounts.models import Principal
from accounts.store import UserStore
from core.clock import paris_today
from core.errors import BadRequest, NotFound
from graph import tombstones
from graph.driver import Graph
from quality.description import CODE, nomenclature_errors, parse_revision, require_revision, text_value
from quality.rules import OfferReport
from quality.service import offer_reports
from search.sync import IndexSync

CODE_FIELDS: dict[str, tuple[str, str]] = {"function": ("J220", "Fonction du contact"),
                                           "nature": ("J221", "Nature du contact")}
TEXT_FIELDS: dict[str, tuple[str, int]] = {"email": ("Adresse électronique du contact", 254),
                                           "phone": ("Téléphone du contact", 30)}
FIELDS = (*CODE_FIELDS, *TEXT_FIELDS)
RPPS = r"[0-9A-Za-z]{5,20}"


@dataclass(frozen=True)
class Contact:
    rpps: str
    name: str
    function: str | None
    function_label: str | None
    nature: str | None
    nature_label: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class Contacts:
    offer_id: str
    name: str | None
    revision: int
    status: str
    contacts: tuple[Contact, ...]


@dataclass(frozen=True)
class ContactWrite:
    contacts: Contacts
    report: OfferReport
    indexed: bool
    rpps: str
    action: str  # "created", "updated" or "removed"


def _read(graph: Graph, offer_id: str) -> Contacts:
    rows = graph.read_named("read/offer_contacts", id=offer_id)
    if not rows:
        raise NotFound("Offre introuvable.")
    row = rows[0]
    return Contacts(offer_id=row["id"], name=row["name"], revision=int(row["revision"] or 0), status=row["status"],
                    contacts=tuple(Contact(**c) for c in row["contacts"]))


def read(graph: Graph, principal: Principal, offer_id: str) -> Contacts:
    """The contacts of an offer the principal may edit (contributor of its site, admin)."""
    principal.require("offer.edit", UserStore(graph).locate("offer", offer_id))
    return _read(graph, offer_id)


def choices(graph: Graph) -> dict[str, list[dict]]:
    """The functions and natures a contact may have (loaded NOS, not retired): {"function": [{code, label}], …}."""
    out: dict[str, list[dict]] = {name: [] for name in CODE_FIELDS}
    by_set = {value_set: name for name, (value_set, _) in CODE_FIELDS.items()}
    for row in graph.read_named("read/contact_codes"):
        out[by_set[row["value_set"]]].append({"code": row["code"], "label": row["label"]})
    return out


def check(graph: Graph, rpps: str, payload: dict, *, removing: bool = False,
          today: date | None = None) -> tuple[int, dict]:
    """(revision, fields to set) from a payload, or BadRequest naming every faulty field in French. Only the
    fields present change; an empty value removes that property."""
    if not isinstance(payload, dict):
        raise BadRequest("Le corps de la requête doit être un objet JSON.", fields={"body": "objet JSON attendu"})
    errors: dict[str, str] = {}
    if not isinstance(rpps, str) or not re.fullmatch(RPPS, rpps):
        errors["rpps"] = "Identifiant RPPS invalide (5 à 20 lettres ou chiffres)."
    allowed = {"revision", "csrf_token", "rpps", "action"} | (set() if removing else set(FIELDS))
    for name in sorted(set(payload) - allowed):
        errors[name] = f"Champ inconnu : {name}."
    revision = parse_revision(payload, errors)
    fields: dict[str, str | None] = {}
    codes: dict[str, list[str]] = {}
    for name in () if removing else FIELDS:
        if name not in payload:
            continue
        label, limit = (CODE_FIELDS[name][1], None) if name in CODE_FIELDS else TEXT_FIELDS[name]
        accepted, value = text_value(name, label, limit, payload[name], errors)
        if not accepted:
            continue
        if value is not None and name in CODE_FIELDS:
            if not CODE.match(value):
                errors[name] = f"{label} : code illisible « {value[:20]} »."
                continue
            codes[name] = [value]
        fields[name] = value
    if codes:
        errors.update(nomenclature_errors(graph, codes, today or paris_today(), CODE_FIELDS))
    if errors:
        raise BadRequest("Contact invalide : " + ", ".join(sorted(errors)) + ".", fields=errors)
    if not removing and not fields:
        raise BadRequest("Rien à modifier.", fields={"body": "au moins un champ du contact attendu : "
                                                            + ", ".join(FIELDS)})
    return revision, fields


def save(graph: Graph, principal: Principal, offer_id: str, rpps: str, payload: dict, *,
         sync: IndexSync | None = None, today: date | None = None) -> ContactWrite:
    """Change the role of `rpps` in `offer_id`, or add it when the professional has none there yet."""
    return _write(graph, principal, offer_id, rpps, payload, removing=False, sync=sync, today=today)


def remove(graph: Graph, principal: Principal, offer_id: str, rpps: str, payload: dict, *,
           sync: IndexSync | None = None) -> ContactWrite:
    """Remove the role of `rpps` in `offer_id` (the professional stays in the directory)."""
    return _write(graph, principal, offer_id, rpps, payload, removing=True, sync=sync)


def _write(graph: Graph, principal: Principal, offer_id: str, rpps: str, payload: dict, *, removing: bool,
           sync: IndexSync | None, today: date | None = None) -> ContactWrite:
    principal.require("offer.edit")
    target = UserStore(graph).locate("offer", offer_id)
    principal.require("offer.edit", target)
    revision, fields = check(graph, rpps, payload, removing=removing, today=today)
    role = tombstones.role_ids([rpps], offer_id)

    def work(tx):
        locked = tx.run(cypher.query("write/offer_description_lock"), id=offer_id).single()
        if locked is None:
            raise NotFound("Offre introuvable.")
        current = int(locked["revision"] or 0)
        require_revision(current, revision)
        published = locked["status"] == tombstones.PUBLISHED
        if removing:
            row = tx.run(cypher.query("write/offer_contact_remove"), id=offer_id, rpps=rpps,
                         actor=principal.username).single()
            if row is None:
                raise NotFound(f"Aucun contact {rpps} dans cette offre.", fields={"rpps": "contact introuvable"})
            before, after, action = {"rpps": rpps, **row["before"]}, {"rpps": rpps, "removed": True}, "removed"
            if published:
                tombstones.record(tx, role, principal.username, reason="role.removed")
        else:
            row = tx.run(cypher.query("write/offer_contact_set"), id=offer_id, rpps=rpps, fields=fields,
                         actor=principal.username).single()
            if row is None:
                raise NotFound(f"Professionnel inconnu : RPPS {rpps}.", fields={"rpps": "absent du répertoire"})
            action = "created" if row["created"] else "updated"
            before = {"rpps": rpps, **(row["before"] or {})}
            after = {"rpps": rpps, **row["after"]}
            if row["created"]:
                tombstones.clear(tx, role)
        append(tx, principal, f"offer.contact_{action}", target,
               {**before, "revision": current}, {**after, "revision": int(row["revision"])})
        return action

    action = graph.transaction(work)
    indexed = sync.offer_change([offer_id], [target.site_finess]) if sync else False
    return ContactWrite(contacts=_read(graph, offer_id), report=offer_reports(graph, [offer_id])[0],
                        indexed=indexed, rpps=rpps, action=action)
