"""Pages of the crisis modules (French, server-rendered, forms with CSRF tokens): an establishment's plan blanc
and crisis resources, the coordinators' crisis board, the emergency dashboard and a site's activity (with hand
entry), adverse-event forms and their statistics. Logic lives in crisis/, emergency/ and fei/."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from flask import Blueprint, redirect, render_template, request, url_for

from accounts.web import init_app
from core.clock import paris_text, paris_today
from core.errors import BadRequest, Conflict, RorError
from crisis import board as crisis_board
from crisis import declarations
from crisis import plan as crisis_plan
from emergency import dashboard as emergency_dashboard
from emergency import indicators, thresholds
from emergency import service as emergency_service
from fei import form as fei_form
from fei import service as fei_service
from web.admin_pages import page
from web.services import services
from web.sparkline import sparkline

bp = Blueprint("crisis_pages", __name__)
bp.record_once(lambda state: init_app(state.app))
# Times are shown in Paris time by the one `paris` template filter (core.clock.paris_text, registered by web.pages).


def _graph():
    return services().get_graph()


def _form_values() -> dict:
    return {k: v for k, v in request.form.items() if k not in {"csrf_token", "action"}}


# ------------------------------------------------------------------------------------------- plan blanc (SSE)


@bp.route("/contribution/etablissements/<finess>/plan-blanc", methods=["GET", "POST"])
@page("crisis.read")
def plan_form(principal, finess: str):
    """The establishment's plan blanc state and crisis resources (contributors edit, coordinators read)."""
    graph, errors, message, values, status = _graph(), {}, None, {}, 200
    if request.method == "POST":
        action, values = request.form.get("action", ""), _form_values()
        try:
            if action == "plan":
                payload = {"active": values.get("active"), "level": values.get("level") or None,
                           "since": values.get("since") or None, "note": values.get("note") or None}
                if payload["active"] in ("false", "0"):
                    payload["level"] = None
                state = crisis_plan.set_plan(graph, principal, finess, payload)
                message = f"{state.label}."
            elif action == "resources":
                declared = crisis_plan.declare_resources(graph, principal, finess, values)
                message = (f"Ressources déclarées : {declared.beds_24h} lits ouvrables sous 24 h, "
                           f"{declared.beds_48h} sous 48 h.")
            else:
                raise BadRequest("Action inconnue.", fields={"action": "plan ou resources"})
            values = {}
        except BadRequest as exc:
            errors, message, status = exc.fields or {"formulaire": exc.message}, exc.message, 400
    site = crisis_plan.site(graph, principal, finess)
    return render_template("crisis/plan.html", site=site, errors=errors, message=message, values=values,
                           levels=declarations.PLAN_LEVELS, bed_activities=declarations.BED_ACTIVITIES,
                           bed_delays=declarations.BED_DELAYS, equipment=declarations.EQUIPMENT,
                           medicines=declarations.MEDICINES, labels=declarations.RESOURCE_FIELDS,
                           can_write=principal.can("crisis.write")), status


@bp.route("/coordination/crise", methods=["GET", "POST"])
@page("crisis.board")
def board_page(principal):
    """The crisis board: map, totals, establishments (plans first, then those who have not answered), survey."""
    graph, message, error = _graph(), None, None
    regions = principal.regions_visible()
    region = request.values.get("region") or (regions[0] if regions else None)
    department = request.args.get("departement") or None
    if request.method == "POST":
        try:
            if request.form.get("action") == "close":
                crisis_plan.close_survey(graph, principal, region or "")
                message = "Enquête close."
            else:
                survey = crisis_plan.open_survey(graph, principal, region or "", request.form.get("reason"))
                message = f"Enquête lancée à {paris_text(survey.opened_at, '%H:%M')} : {survey.reason}"
        except RorError as exc:
            if exc.status >= 500:
                raise
            error = exc.message
    found = crisis_board.board(graph, principal, region=region, department=department)
    markers = [{"name": f"{r.site_name} — {r.plan.label if r.plan else 'plan blanc jamais déclaré'}",
                "site": f"{r.resources.beds_24h} lits sous 24 h" if r.resources else "ressources non déclarées",
                "lat": r.lat, "lon": r.lon, "cls": _marker_class(r),
                "url": url_for("crisis_pages.plan_form", finess=r.finess)}
               for r in found.rows if r.lat is not None]
    return render_template("crisis/board.html", board=found, region=region, department=department,
                           regions=regions, message=message, error=error, levels=declarations.PLAN_LEVELS,
                           equipment=declarations.EQUIPMENT, medicines=declarations.MEDICINES,
                           bed_activities=declarations.BED_ACTIVITIES,
                           map_data=json.dumps({"markers": markers}, ensure_ascii=False).replace("</", "<\\/"),
                           tile_url=services().settings.tile_url or "",
                           csv_url=url_for("crisis_api.crisis_board_csv", region=region, department=department)), \
        400 if error else 200


def _marker_class(row) -> str:
    if row.plan is not None and row.plan.active:
        return f"map-marker-crisis-{row.plan.level}"
    return "map-marker-silent" if not row.answered else "map-marker-calm"


# ------------------------------------------------------------------------------------------- emergency activity


def _charts(activity, rules_by_indicator: dict) -> dict:
    """The sparklines of a site: present and boarding over 24 h and 7 days."""
    out = {}
    for indicator in ("present", "boarding"):
        label = indicators.LABELS[indicator]
        threshold = rules_by_indicator.get(indicator)
        out[indicator] = {
            "day": sparkline(activity.trend_24h[indicator], label=f"{label}, 24 h", threshold=threshold),
            "week": sparkline(activity.trend_7d[indicator], label=f"{label}, 7 jours", threshold=threshold,
                              width=168),
        }
    return out


def _lowest_thresholds() -> dict:
    found: dict = {}
    for rule in thresholds.rules():
        found[rule.indicator] = min(found.get(rule.indicator, rule.above), rule.above)
    return found


@bp.get("/coordination/urgences")
@page("emergency.dashboard")
def emergency_page(principal):
    regions = principal.regions_visible()
    region = request.args.get("region") or (regions[0] if regions else None)
    department = request.args.get("departement") or None
    found = emergency_dashboard.dashboard(_graph(), principal, region=region, department=department)
    lowest = _lowest_thresholds()
    return render_template("crisis/emergency.html", dashboard=found, region=region, department=department,
                           regions=regions, charts={r.finess: _charts(r, lowest) for r in found.rows},
                           labels=indicators.LABELS, synthetic=any(r.synthetic for r in found.rows))


@bp.route("/contribution/etablissements/<finess>/urgences", methods=["GET", "POST"])
@page("emergency.read")
def emergency_site_page(principal, finess: str):
    """A site's activity, its recent reports, and the hand-entry form (contributors of the site)."""
    graph, errors, message, values, status = _graph(), {}, None, {}, 200
    if request.method == "POST":
        values = _form_values()
        payload = {k: v for k, v in values.items() if k in indicators.LABELS and v.strip()}
        payload.update(message_id=f"saisie-{uuid.uuid4()}", finess=finess,
                       observed_at=values.get("observed_at") or datetime.now(UTC).isoformat())
        try:
            receipt = emergency_service.submit(graph, principal, payload, source="saisie")
            if receipt.signal is not None:
                emergency_service.push_signal(graph, receipt, services().index_sync())
            message = "Saisie enregistrée" + (" (plus ancienne que la dernière reçue : gardée dans l'historique)"
                                              if receipt.late else "") + "."
            if receipt.signal is not None:
                message += " Seuil de tension franchi : l'alerte de tension de l'établissement a été mise à jour."
            values = {}
        except (BadRequest, Conflict) as exc:
            errors, message, status = exc.fields or {"saisie": exc.message}, exc.message, exc.status
    activity, reports, name = emergency_dashboard.site(graph, principal, finess)
    charts = _charts(activity, _lowest_thresholds()) if activity else None
    return render_template("crisis/emergency_site.html", finess=finess, site_name=name, activity=activity,
                           reports=reports, charts=charts, labels=indicators.LABELS, counts=indicators.COUNTS,
                           shares=indicators.SHARES, errors=errors, message=message, values=values,
                           can_write=principal.can("emergency.report")), status


# ------------------------------------------------------------------------------------------- adverse events


@bp.get("/fei")
@page("fei.read")
def fei_list_page(principal):
    state = request.args.get("etat") or None
    found = fei_service.forms(_graph(), principal, state=state if state in fei_form.STATES else None)
    return render_template("crisis/fei_list.html", forms=found, states=fei_form.STATES, state=state,
                           can_file=principal.can("fei.file"))


@bp.route("/fei/nouvelle", methods=["GET", "POST"])
@page("fei.file")
def fei_new_page(principal):
    errors, message, values = {}, None, {}
    if request.method == "POST":
        values = _form_values()
        payload = {"occurred_on": values.get("occurred_on"), "category": values.get("category"),
                   "sites": values.get("sites", ""), "description": values.get("description")}
        try:
            filed = fei_service.file(_graph(), principal, payload)
            return redirect(url_for("crisis_pages.fei_page", form_id=filed.id, transmise=1))
        except BadRequest as exc:
            errors, message = exc.fields or {"fiche": exc.message}, exc.message
    return render_template("crisis/fei_new.html", categories=[c for c in fei_form.categories().values()
                                                              if not c.retired],
                           errors=errors, message=message, values=values,
                           today=paris_today().isoformat()), 400 if errors else 200


@bp.route("/fei/<form_id>", methods=["GET", "POST"])
@page("fei.read")
def fei_page(principal, form_id: str):
    graph, errors, message, status = _graph(), {}, None, 200
    if request.method == "POST":
        try:
            if request.form.get("action") == "state":
                fei_service.transition(graph, principal, form_id, {"to": request.form.get("to"),
                                                                   "actions": request.form.get("actions")})
                message = "État de la fiche mis à jour."
            else:
                fei_service.answer(graph, principal, form_id, {"text": request.form.get("text")})
                message = "Réponse enregistrée."
        except (BadRequest, Conflict) as exc:
            errors, message, status = exc.fields or {"fiche": exc.message}, exc.message, exc.status
    form = fei_service.get(graph, principal, form_id)
    if request.args.get("transmise") and not message:
        message = "Fiche déclarée et transmise à : " + (", ".join(form.routed_to) or "aucun référent enregistré")
    return render_template("crisis/fei.html", form=form, errors=errors, message=message, states=fei_form.STATES,
                           next_states=fei_form.NEXT_STATES[form.state], can_manage=principal.can("fei.manage"),
                           can_answer=form.state != "cloturee"), status


@bp.get("/coordination/fei/statistiques")
@page("fei.stats")
def fei_stats_page(principal):
    regions = principal.regions_visible()
    region = request.args.get("region") or (regions[0] if regions and len(regions) == 1 else None)
    found = fei_service.stats(_graph(), principal, region=region)
    return render_template("crisis/fei_stats.html", stats=found, states=fei_form.STATES, region=region,
                           regions=regions)
