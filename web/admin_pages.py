"""Pages for contributors and coordinators (French, server-rendered forms with CSRF tokens).

Login/logout, personal space, capacity entry form, tension form (contributors) and list (coordinators),
capacity board, population follow-up, audit log, the offer description form and the quality/workflow page of
an offer. Logic lives in accounts/ (incl. audit), capacity/, quality/.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, url_for

from accounts.audit import entries
from accounts.models import ROLE_LABELS
from accounts.web import authenticated, check_csrf, current_principal, init_app, log_in, log_out
from capacity import board as board_service
from capacity import service as capacity_service
from capacity import tension as tension_service
from capacity.validation import COUNT_FIELDS, CRISIS_TYPES
from core import freshness
from core.errors import BadRequest, Conflict, Forbidden, NotFound, RorError, Unauthorized
from quality import contacts as contact_service
from quality import description as description_service
from quality import population, workflow
from quality import service as quality
from web.services import services

bp = Blueprint("admin_pages", __name__)
bp.record_once(lambda state: init_app(state.app))


def page(permission: str | None = None) -> Callable:
    """Logged-in page: anonymous visitors are sent to the login form, then back here."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if current_principal() is None:
                return redirect(url_for("admin_pages.login", suivant=request.full_path.rstrip("?")))
            return view(authenticated(permission), *args, **kwargs)

        return wrapper

    return decorate


def _safe_next(target: str | None) -> str:
    if not target or urlsplit(target).netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("admin_pages.home")
    return target


def _graph():
    return services().get_graph()


def _search_client():
    try:
        return services().get_search()
    except Exception:  # noqa: BLE001 - without an index the graph write still happens; sync catches up
        return None


def _stale_hours() -> float:
    return services().settings.capacity_stale_hours


@bp.app_context_processor
def role_labels() -> dict:
    return {"ROLE_LABELS": ROLE_LABELS, "STATUSES": workflow.STATUSES, "nav_viewer": nav_viewer}


def nav_viewer():
    """The logged-in person for the main navigation, or None (never an error: pages must always render)."""
    try:
        return current_principal()
    except RorError:
        return None


@bp.route("/connexion", methods=["GET", "POST"])
def login():
    error, username = None, ""
    if request.method == "POST":
        check_csrf()
        username = request.form.get("username", "").strip()
        try:
            log_in(username, request.form.get("password", ""))
            return redirect(_safe_next(request.form.get("suivant")))
        except (Unauthorized, BadRequest) as exc:
            error = exc.message
        except RorError as exc:
            if exc.status != 429:
                raise
            return render_template("admin/login.html", error=exc.message, username=username,
                                   suivant=request.form.get("suivant")), 429
        return render_template("admin/login.html", error=error, username=username,
                               suivant=request.form.get("suivant")), 401
    return render_template("admin/login.html", error=None, username="", suivant=request.args.get("suivant"))


@bp.post("/deconnexion")
def logout():
    if current_principal() is not None:
        check_csrf()
        log_out()
    return redirect(url_for("admin_pages.login"))


@bp.get("/espace")
@page()
def home(principal):
    return home_page(principal)


def home_page(principal, create_error: str | None = None, create_finess: str | None = None) -> str:
    sites = None if principal.role == "admin" else list(principal.user.sites)
    places = []
    if principal.can("capacity.write"):
        rows = _graph().read_named("read/accounts_places_of_sites", sites=sites, limit=200)
        for row in rows:
            updated = freshness.native(row["updated_at"])
            minutes = freshness.age_minutes(updated)
            places.append({**row, "age_text": freshness.age_text(minutes),
                           "stale": freshness.is_stale(updated, _stale_hours())})
    offers = []
    if principal.can("offer.edit") or principal.can("tension.write"):
        offers = _graph().read_named("read/accounts_offers_of_sites", sites=sites, limit=300)
    known = {o["finess"]: o["site_name"] for o in offers}
    return render_template("admin/home.html", principal=principal, places=places, offers=offers,
                           sites=sorted(known.items()),
                           own_sites=[(f, known.get(f)) for f in principal.user.sites] if principal.can("offer.edit")
                           else [], create_error=create_error, create_finess=create_finess)


@bp.route("/contribution/lieux/<place_id>/capacite", methods=["GET", "POST"])
@page("capacity.read")
def capacity_form(principal, place_id: str):
    graph, errors, values, saved = _graph(), {}, {}, None
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        try:
            saved = capacity_service.update(graph, principal, place_id, values, stale_hours=_stale_hours(),
                                            search_client=services().get_search(),
                                            index_prefix=services().settings.index_prefix)
            values = {}
        except BadRequest as exc:
            errors = exc.fields
    place, latest = capacity_service.latest(graph, place_id, stale_hours=_stale_hours())
    history = capacity_service.history(graph, place_id, stale_hours=_stale_hours(), limit=10)
    status = 400 if errors else 200
    return render_template("admin/capacity.html", place=place, latest=latest, history=history, errors=errors,
                           values=values, saved=saved, count_fields=COUNT_FIELDS, crisis_types=CRISIS_TYPES,
                           stale_hours=_stale_hours(), can_write=principal.can("capacity.write")), status


@bp.get("/coordination/capacites")
@page("board.read")
def board(principal):
    region = request.args.get("region") or None
    department = request.args.get("departement") or None
    rows = board_service.board(_graph(), principal, region=region, department=department,
                               stale_hours=_stale_hours())
    return render_template("admin/board.html", rows=rows, stale_hours=_stale_hours(), region=region,
                           department=department)


@bp.get("/coordination/tensions")
@page("tension.list")
def tensions(principal):
    alerts = tension_service.live(_graph(), principal, include_closed=request.args.get("closes") == "1")
    return render_template("admin/tensions.html", alerts=alerts)


@bp.get("/coordination/peuplement")
@page("population.read")
def population_page(principal):
    regions = principal.regions_visible()
    region = request.args.get("region") or (regions[0] if regions else "75")
    department = request.args.get("departement") or None
    rows = population.table(_graph(), principal, region, department)
    return render_template("admin/population.html", rows=rows, region=region, department=department,
                           departments=population.departments(_graph(), region))


@bp.get("/coordination/journal")
@page("audit.read")
def journal(principal):
    found = entries(_graph(), principal, target_id=request.args.get("objet") or None,
                    actor=request.args.get("auteur") or None, limit=200)
    return render_template("admin/journal.html", entries=found)


@bp.route("/qualite/offres/<offer_id>", methods=["GET", "POST"])
@page("quality.read")
def offer_quality(principal, offer_id: str):
    graph, message, problems = _graph(), None, {}
    if request.method == "POST":
        try:
            revision = request.form.get("revision", "")
            moved = workflow.transition(graph, principal, offer_id, request.form.get("to", ""),
                                        revision=int(revision) if revision.isdigit() else None,
                                        search_client=_search_client(), index_prefix=services().settings.index_prefix)
            message = ("Publication confirmée." if moved.before == moved.status == "published"
                       else f"Statut : {moved.status_label}.")
        except (Conflict, Forbidden, BadRequest) as exc:
            message, problems = exc.message, exc.fields
    report = quality.offer_report(graph, principal, offer_id)
    return render_template("admin/quality.html", report=report, message=message, problems=problems,
                           next_statuses=workflow.allowed_next(report.status, principal.role,
                                                               report.changed_since_publication))


@bp.get("/coordination/validation")
@page("validation.queue")
def validation_queues(principal):
    regions = principal.regions_visible()
    region = request.args.get("region") or (regions[0] if regions else "75")
    queue = request.args.get("file") or "validated_direction"
    found = quality.worklist(_graph(), principal, region, queue)
    return render_template("admin/validation.html", worklist=found, queues=quality.QUEUES,
                           regions=regions)


@bp.route("/contribution/etablissements/<finess>/tension", methods=["GET", "POST"])
@page("tension.write")
def tension_form(principal, finess: str):
    """Open, update or close the site's tension alert (level, cause, corrective actions)."""
    graph, errors, message, values = _graph(), {}, None, {}
    ctx = {"search_client": _search_client(), "index_prefix": services().settings.index_prefix}
    if request.method == "POST":
        action = request.form.get("action", "")
        values = {k: request.form.get(k, "") for k in ("level", "cause", "actions")}
        try:
            if action == "open":
                alert = tension_service.open_alert(graph, principal, finess, values, **ctx)
                message = f"Alerte ouverte : {alert.level_label}."
                values = {}
            elif action in {"update", "close"}:
                alert_id = request.form.get("alert_id", "")
                _alert_of_site(graph, principal, finess, alert_id)
                changes = {k: v for k, v in values.items() if v.strip()}
                alert = tension_service.change_alert(graph, principal, alert_id, changes, close=action == "close",
                                                     **ctx)
                message = "Alerte close." if action == "close" else f"Alerte mise à jour : {alert.level_label}."
                values = {}
            else:
                raise BadRequest("Action inconnue.", fields={"action": "open, update ou close"})
        except (BadRequest, Conflict) as exc:
            errors = exc.fields or {"alerte": exc.message}
            message = exc.message
    site_name, alerts = tension_service.of_site(graph, principal, finess)
    return render_template("admin/tension.html", finess=finess, site_name=site_name, alerts=alerts,
                           levels=tension_service.LEVELS, errors=errors, message=message, values=values), \
        400 if errors else 200


def _alert_of_site(graph, principal, finess: str, alert_id: str) -> None:
    """The alert must belong to the site of the page (the form cannot be pointed at another site's alert)."""
    _, alerts = tension_service.of_site(graph, principal, finess, limit=200)
    if alert_id not in {a.id for a in alerts}:
        raise BadRequest("Alerte inconnue pour cet établissement.", fields={"alert_id": "alerte introuvable"})


@bp.route("/contribution/offres/<offer_id>/description", methods=["GET", "POST"])
@page("offer.edit")
def description_form(principal, offer_id: str):
    """The description fields the quality rules check, with NOS codes; the quality report after saving."""
    graph, errors, message, saved, values, status = _graph(), {}, None, None, {}, 200
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        try:
            saved = description_service.update(graph, principal, offer_id, values, search_client=_search_client(),
                                               index_prefix=services().settings.index_prefix)
            values = {}
        except (BadRequest, Conflict) as exc:
            errors, message, status = exc.fields or {}, exc.message, exc.status
            if isinstance(exc, Conflict):
                values = {}  # show what is there now, at its new revision: the editor redoes their change on it
    created = request.method == "GET" and request.args.get("nouvelle") == "1"
    return _description_page(graph, principal, offer_id, values=values, errors=errors, message=message,
                             saved=saved, created=created), status


@bp.post("/contribution/etablissements/<finess>/offres")
@page("offer.edit")
def offer_create_form(principal, finess: str):
    """Declare a new unit, then describe it on its description page."""
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        written = description_service.create(_graph(), principal, finess, values)
    except BadRequest as exc:
        return home_page(principal, create_error=exc.message, create_finess=finess), 400
    return redirect(url_for("admin_pages.description_form", offer_id=written.description.offer_id, nouvelle=1))


@bp.post("/contribution/offres/<offer_id>/contacts")
@page("offer.edit")
def contact_form(principal, offer_id: str):
    """Save, add or remove one contact of the offer, then show the description page again."""
    graph = _graph()
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    rpps, action = (values.pop("rpps", "") or "").strip(), values.pop("action", "save")
    ctx = {"search_client": _search_client(), "index_prefix": services().settings.index_prefix}
    try:
        if action == "remove":
            written = contact_service.remove(graph, principal, offer_id, rpps, values, **ctx)
        else:
            written = contact_service.save(graph, principal, offer_id, rpps, values, **ctx)
        done = {"created": "Contact ajouté", "updated": "Contact enregistré", "removed": "Contact retiré"}
        return _description_page(graph, principal, offer_id, contact_message=f"{done[written.action]} ({rpps}).",
                                 report=written.report)
    except (BadRequest, Conflict, NotFound) as exc:
        return _description_page(graph, principal, offer_id, contact_message=exc.message,
                                 contact_errors=exc.fields or {"contact": exc.message}, contact_rpps=rpps), exc.status


def _description_page(graph, principal, offer_id: str, *, values=None, errors=None, message=None, saved=None,
                      report=None, contact_message=None, contact_errors=None, contact_rpps=None,
                      created=False) -> str:
    current = description_service.read(graph, principal, offer_id)
    report = saved.report if saved else report or quality.offer_report(graph, principal, offer_id)
    return render_template("admin/description.html", current=current, values=values or {}, errors=errors or {},
                           message=message, saved=saved, report=report, text_fields=description_service.TEXT_FIELDS,
                           code_fields=description_service.CODE_FIELDS,
                           contacts=contact_service.read(graph, principal, offer_id),
                           contact_choices=contact_service.choices(graph), contact_message=contact_message,
                           contact_errors=contact_errors, contact_rpps=contact_rpps, created=created)
