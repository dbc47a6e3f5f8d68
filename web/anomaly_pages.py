"""Anomaly reports from the pages (issue 14, item 4): « Signaler une anomalie » on an offer or a site page (the
offer, one of its places, its professionals, its site), and the worklist where the sites' contributors and the
régions' coordinators move reports à traiter → en cours → corrigée / rejetée (their author may cancel one).
Logic: quality/anomalies.py (the same reports are FHIR Tasks, fhir_api/tasks.py)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from accounts.web import init_app
from core.errors import BadRequest, Conflict, Forbidden, NotFound
from quality import anomalies
from web import api, graph_reads
from web.admin_pages import page
from web.services import services

bp = Blueprint("anomaly_pages", __name__)
bp.record_once(lambda state: init_app(state.app))

# What may be wrong, in a person's words → the FHIRPath of that element in each resource type it applies to.
ELEMENTS = {
    "nom": ("Nom", {"HealthcareService": "HealthcareService.name", "Organization": "Organization.name",
                    "Location": "Location.name", "Practitioner": "Practitioner.name"}),
    "coordonnees": ("Téléphone ou courriel", {"HealthcareService": "HealthcareService.telecom",
                                             "Organization": "Organization.telecom",
                                             "PractitionerRole": "PractitionerRole.telecom"}),
    "adresse": ("Adresse ou position", {"Organization": "Organization.address", "Location": "Location.address"}),
    "activites": ("Activités", {"HealthcareService": "HealthcareService.specialty"}),
    "prise_en_charge": ("Modes de prise en charge, actes", {"HealthcareService": "HealthcareService.characteristic"}),
    "publics": ("Âges et publics pris en charge", {
        "HealthcareService": "HealthcareService.extension.where(url='https://interop.esante.gouv.fr/ig/fhir/ror/"
                             "StructureDefinition/ror-healthcareservice-patient-type')"}),
    "horaires": ("Horaires", {"HealthcareService": "HealthcareService.availableTime"}),
    "capacite": ("Capacités (lits, places)", {
        "Location": "Location.extension.where(url='https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/"
                    "ror-location-supported-capacity')"}),
    "equipements": ("Équipements", {
        "Location": "Location.extension.where(url='https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/"
                    "ror-location-equipement')"}),
    "categorie": ("Catégorie de l'établissement", {"Organization": "Organization.type"}),
    "profession": ("Profession, spécialité ou fonction", {"PractitionerRole": "PractitionerRole.code",
                                                           "Practitioner": "Practitioner.qualification"}),
    "autre": ("Autre (précisez dans le commentaire)", {}),
}


def _graph():
    return services().get_graph()


def targets(focus_type: str, focus_id: str) -> list[tuple[str, str]]:
    """What a report from this page may be about: [("Type/id", label)], the page's own resource first."""
    graph = _graph()
    if focus_type == "HealthcareService":
        detail = api.visible_offer(focus_id)
        if detail is None:
            raise NotFound("Aucune offre avec cet identifiant.")
        out = [(f"HealthcareService/{focus_id}", f"L'offre « {detail.offer.name} »")]
        context = graph_reads.offer_context(graph, focus_id)
        for place in context.places if context else []:
            out.append((f"Location/{place['id']}", f"Son lieu « {place.get('name') or place['id']} »"))
        for pro in detail.professionals:
            name = " ".join(p for p in (pro.first_name, pro.last_name) if p) or pro.rpps
            out.append((f"PractitionerRole/{pro.rpps}.{focus_id}", f"Le professionnel {name}"))
        if detail.offer.site_finess:
            out.append((f"Organization/eg-{detail.offer.site_finess}",
                        f"Son établissement « {detail.offer.site_name or detail.offer.site_finess} »"))
        return out
    if focus_type == "Organization" and focus_id.startswith("eg-"):
        site = api.visible_site(focus_id[3:])
        if site is None:
            raise NotFound(f"Aucun établissement avec le numéro FINESS {focus_id[3:]}.")
        return [(f"Organization/{focus_id}", f"L'établissement « {site.name} »")]
    raise NotFound("On signale une anomalie depuis la page d'une offre ou d'un établissement.")


@bp.route("/anomalies/signaler", methods=["GET", "POST"])
@page("anomaly.report")
def report_page(principal):
    focus_type, focus_id = request.args.get("type", ""), request.args.get("id", "")
    choices = targets(focus_type, focus_id)
    errors, message, values = {}, None, {"cible": choices[0][0]}
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        target = values.get("cible") or ""
        element = values.get("element") or "autre"
        try:
            if target not in {c for c, _ in choices}:
                raise BadRequest("Choisissez sur quoi porte l'anomalie.", fields={"cible": "choix attendu"})
            if element not in ELEMENTS:
                raise BadRequest("Élément inconnu.", fields={"element": "choix attendu"})
            rtype, _, rid = target.partition("/")
            made = anomalies.report(_graph(), principal, rtype, rid, theme=values.get("theme"),
                                    comment=values.get("comment"), element_path=ELEMENTS[element][1].get(rtype),
                                    system_requester="IHM")
            return redirect(url_for("anomaly_pages.list_page", signalee=made.number))
        except (BadRequest, NotFound) as exc:
            errors, message = exc.fields or {"signalement": exc.message}, exc.message
    return render_template("anomalies/report.html", choices=choices, themes=anomalies.THEMES,
                           elements={k: v[0] for k, v in ELEMENTS.items()}, values=values, errors=errors,
                           message=message, back=_page_of(focus_type, focus_id)), 400 if errors else 200


def _page_of(focus_type: str, focus_id: str) -> str | None:
    if focus_type == "HealthcareService":
        return url_for("pages.offer_page", offer_id=focus_id)
    if focus_type == "Organization" and focus_id.startswith("eg-"):
        return url_for("pages.site_page", finess=focus_id[3:])
    return None


@bp.get("/anomalies")
@page("anomaly.report")
def list_page(principal):
    return _list(principal)


def _list(principal, message: str | None = None, status: int = 200):
    state = request.args.get("etat") or None
    found = anomalies.worklist(_graph(), principal, state=state if state in anomalies.STATES else None)
    if request.args.get("signalee") and not message:
        message = (f"Anomalie {request.args['signalee']} signalée : elle est transmise aux contributeurs de "
                   "l'établissement et aux coordinateurs de sa région.")
    rows = [{"a": a, "moves": anomalies.allowed_moves(principal, a), "page": _page_of(*_focus_page(a))}
            for a in found]
    return render_template("anomalies/list.html", rows=rows, states=anomalies.STATES, state=state,
                           message=message), status


def _focus_page(a: anomalies.Anomaly) -> tuple[str, str]:
    if a.focus_type == "PractitionerRole":
        return "HealthcareService", a.focus_id.partition(".")[2]
    return a.focus_type, a.focus_id


@bp.post("/anomalies/<anomaly_id>/etat")
@page("anomaly.report")
def move_page(principal, anomaly_id: str):
    try:
        moved = anomalies.transition(_graph(), principal, anomaly_id, request.form.get("to", ""),
                                     note=request.form.get("note"), expected_state=request.form.get("from"))
        return _list(principal, f"Anomalie {moved.number} : {moved.state_info.label.lower()}.")
    except (BadRequest, Conflict, Forbidden) as exc:
        return _list(principal, exc.message, exc.status)
