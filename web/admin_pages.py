"""Pages for contributors and coordinators (French, server-rendered forms with CSRF tokens).

Login/logout, personal space, capacity entry form, tension form (contributors) and list (coordinators),
capacity board, population follow-up, audit log, the offer description form and the quality/workflow page of
an offer. Logic lives in accounts/ (incl. audit), capacity/, quality/.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, Response, redirect, render_template, request, url_for

from accounts.audit import entries
from accounts.models import ROLE_LABELS
from accounts.store import UserStore
from accounts.web import authenticated, check_csrf, current_principal, init_app, log_in, log_out
from capacity import board as board_service
from capacity import service as capacity_service
from capacity import tension as tension_service
from capacity.validation import COUNT_FIELDS, CRISIS_TYPES
from core import freshness
from core.errors import BadRequest, Conflict, Forbidden, NotFound, RorError, Unauthorized
from geo.territory import territory_choices
from quality import contacts as contact_service
from quality import description as description_service
from quality import nos_choices, population, workflow
from quality import service as quality
from web import reference
from web.params import Param, parse
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
            age = freshness.Freshness.of(row["updated_at"], _stale_hours())
            places.append({**row, "age_text": age.age_text, "stale": age.stale})
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
                                            sync=services().index_sync())
            values = {}
        except BadRequest as exc:
            errors = exc.fields
    place, latest = capacity_service.latest(graph, place_id, stale_hours=_stale_hours())
    history = capacity_service.history(graph, place_id, stale_hours=_stale_hours(), limit=10)
    status = 400 if errors else 200
    return render_template("admin/capacity.html", place=place, latest=latest, history=history, errors=errors,
                           values=values, saved=saved, count_fields=COUNT_FIELDS, crisis_types=CRISIS_TYPES,
                           stale_hours=_stale_hours(), can_write=principal.can("capacity.write")), status


BOARD_PARAMS = (
    Param("region", "string", "Région", pattern=r"[0-9]{2}", max_length=2),
    Param("departement", "string", "Département", pattern=r"[0-9]{2}|2[AB]|97[1-6]", max_length=3),
    Param("activite", "string", "Activité", pattern=r"[0-9A-Za-z._-]{1,20}", max_length=20),
    Param("famille", "string", "Famille d'activité", pattern=r"(champ|famille)-[0-9A-Za-z]{1,10}", max_length=20),
    Param("fraicheur", "string", "Fraîcheur des saisies", default="toutes", enum=board_service.STALENESS),
    Param("vue", "string", "Vue", default="departements", enum=board_service.LEVELS),
    Param("finess", "string", "Établissement", pattern=r"[0-9A-Za-z]{9}", max_length=9),
    Param("tri", "string", "Tri", default="departement", enum=tuple(board_service.SORTS)),
    Param("ordre", "string", "Ordre", default="asc", enum=("asc", "desc")),
    Param("page", "integer", "Page", default=1, minimum=1, maximum=10_000),
)


def _board_query(principal) -> tuple[board_service.BoardQuery, dict]:
    args = parse(BOARD_PARAMS, request.args)
    regions = principal.regions_visible()
    region = args["region"] or _region_of(args["departement"]) or (regions[0] if regions else "11")
    query = board_service.BoardQuery(
        region=region, department=args["departement"], activity=args["activite"], family=args["famille"],
        staleness=args["fraicheur"], level=args["vue"], finess=args["finess"], sort=args["tri"],
        descending=args["ordre"] == "desc", page=args["page"])
    return query, args


SITE_ENTRY_FIELDS = ("available_women", "available_men", "available_undifferentiated", "forecast_d", "forecast_d1")
SITE_ENTRY_LABELS = {"available_women": "Dispo. femmes", "available_men": "Dispo. hommes",
                     "available_undifferentiated": "Dispo. indifférenciés", "forecast_d": "Prévision J",
                     "forecast_d1": "Prévision J+1"}


@bp.route("/contribution/etablissements/<finess>/capacites", methods=["GET", "POST"])
@page("capacity.read")
def site_capacity_form(principal, finess: str):
    """Every bedded unit of a site on one screen: one row of counts per place, saved together."""
    graph = _graph()
    principal.require("capacity.read", UserStore(graph).locate("site", finess))
    places = _site_places(graph, finess)
    outcomes, values = {}, {}
    if request.method == "POST":
        payloads = {}
        for n, place in enumerate(places):
            row = {name: request.form.get(f"p{n}-{name}", "").strip() for name in SITE_ENTRY_FIELDS}
            values[place["place_id"]] = row
            if any(row.values()):
                payloads[place["place_id"]] = {k: v for k, v in row.items() if v != ""}
        outcomes = capacity_service.update_many(graph, principal, payloads, stale_hours=_stale_hours(),
                                                sync=services().index_sync())
        places = _site_places(graph, finess)
        values = {k: v for k, v in values.items() if isinstance(outcomes.get(k), RorError)}  # keep refused input
    refused = {k: v for k, v in outcomes.items() if isinstance(v, RorError)}
    return render_template("admin/site_capacity.html", finess=finess, places=places, outcomes=outcomes,
                           refused=refused, values=values, fields=SITE_ENTRY_FIELDS, short_labels=SITE_ENTRY_LABELS,
                           stale_hours=_stale_hours(), can_write=principal.can("capacity.write")), \
        400 if refused else 200


def _site_places(graph, finess: str) -> list[dict]:
    out = []
    for row in graph.read_named("read/capacity_site_places", finess=finess):
        snap = row["snapshot"] or {}
        updated = snap.get("updated_at")
        age = freshness.Freshness.of(updated, _stale_hours())
        out.append({**row, "snapshot": snap, "updated_at": updated, "age_text": age.age_text, "stale": age.stale})
    return out


@bp.get("/coordination/capacites")
@page("board.read")
def board(principal):
    query, args = _board_query(principal)
    board_service.check(principal, query)
    if not services().board_tables.prepare(query.region, PREPARE_WAIT_S):
        return _preparing("le tableau des capacités", query.region)
    found = board_service.read(services().board_tables, principal, query, stale_hours=_stale_hours())
    return render_template("admin/board.html", board=found, args=args, board_url=_board_url,
                           regions=_regions_of(principal), sorts=board_service.SORTS)


@bp.get("/coordination/capacites.csv")
@page("board.read")
def board_csv(principal):
    query, _ = _board_query(principal)
    found = board_service.read(services().board_tables, principal, query, stale_hours=_stale_hours(),
                               paged=False, with_trend=False)
    name = f"capacites-{query.region}-{query.level}.csv"
    return Response(board_service.to_csv(found), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


PREPARE_WAIT_S = 1.5


def _preparing(what: str, region: str) -> tuple[str, int]:
    """First look at a région since the service started, and its table takes longer than PREPARE_WAIT_S to build:
    it goes on in the background, the page says so and reloads itself."""
    return render_template("admin/preparing.html", what=what, region=region), 202


def _url_with(endpoint: str, **changes) -> str:
    """This page with some parameters changed (None removes one), back to its first page unless one is given."""
    pairs = {k: v for k, v in request.args.items() if k != "page"}
    for key, value in changes.items():
        if value is None:
            pairs.pop(key, None)
        else:
            pairs[key] = str(value)
    return url_for(endpoint, **pairs)


def _board_url(**changes) -> str:
    return _url_with("admin_pages.board", **changes)


def _region_of(department: str | None) -> str | None:
    if department is None:
        return None
    return next((code for code, _, deps in territory_choices(services().settings.data_dir)
                 if any(d == department for d, _ in deps)), None)


def _regions_of(principal) -> list[tuple[str, str]]:
    names = reference.regions(services().settings.data_dir)
    visible = principal.regions_visible()
    return [(code, name) for code, name in names if visible is None or code in visible]


@bp.get("/coordination/tensions")
@page("tension.list")
def tensions(principal):
    department = request.args.get("departement") or None
    alerts = tension_service.live(_graph(), principal, department=department,
                                  include_closed=request.args.get("closes") == "1")
    return render_template("admin/tensions.html", alerts=alerts, department=department)


@bp.get("/coordination/peuplement")
@page("population.read")
def population_page(principal):
    args = parse(POPULATION_PARAMS, request.args)
    regions = principal.regions_visible()
    region = args["region"] or (regions[0] if regions else "75")
    population.check(_graph(), principal, region, args["departement"])
    if not services().population_tables.prepare(region, PREPARE_WAIT_S):
        return _preparing("le suivi du peuplement", region)
    rows = population.table(_graph(), principal, region, args["departement"],
                            tables=services().population_tables)
    found = population.follow_up(rows, state=args["etat"], sort=args["tri"], descending=args["ordre"] == "desc",
                                 page=args["page"])
    return render_template("admin/population.html", found=found, args=args, region=region,
                           department=args["departement"], departments=population.departments(_graph(), region),
                           regions=_regions_of(principal), states=population.CAMPAIGN_STATES,
                           sorts=population.POPULATION_SORTS, page_url=_population_url)


POPULATION_PARAMS = (
    Param("region", "string", "Région", pattern=r"[0-9]{2}", max_length=2),
    Param("departement", "string", "Département", pattern=r"[0-9]{2}|2[AB]|97[1-6]", max_length=3),
    Param("etat", "string", "État de la campagne", default="toutes", enum=tuple(population.CAMPAIGN_STATES)),
    Param("tri", "string", "Tri", default="departement", enum=tuple(population.POPULATION_SORTS)),
    Param("ordre", "string", "Ordre", default="asc", enum=("asc", "desc")),
    Param("page", "integer", "Page", default=1, minimum=1, maximum=10_000),
)


def _population_url(**changes) -> str:
    return _url_with("admin_pages.population_page", **changes)



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
                                        sync=services().index_sync())
            message = ("Publication confirmée." if moved.before == moved.status == "published"
                       else f"Statut : {moved.status_label}.")
        except (Conflict, Forbidden, BadRequest) as exc:
            message, problems = exc.message, exc.fields
    report = quality.offer_report(graph, principal, offer_id)
    return render_template("admin/quality.html", report=report, message=message, problems=problems,
                           field_label=description_service.field_label,
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
    ctx = {"sync": services().index_sync()}
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


# The description form's NOS pickers: activities and acts (hundreds of values) are searched through the
# autocomplete API; the short value sets travel with the page.
PICKER_SOURCES = {"activities": "autocomplete:activity", "acts": "autocomplete:act", "care_modes": "#nos-J19",
                  "age_groups": "#nos-J15", "publics": "#nos-J29", "fields": "#nos-J20", "reception_modes": "#nos-J226"}
EMBEDDED_VALUE_SETS = ("J19", "J15", "J29", "J20", "J226")
PICKER_EXAMPLES = {"activities": "Médecine gériatrique aiguë", "acts": "Thrombectomie",
                   "care_modes": "hôpital de jour; Consultation (CS)", "age_groups": "Sénior, 75 ans et plus",
                   "publics": "Tout public", "fields": "Médecine, Chirurgie, Obstétrique (MCO)",
                   "reception_modes": "Consultation en présentiel"}


@bp.route("/contribution/offres/<offer_id>/description", methods=["GET", "POST"])
@page("offer.edit")
def description_form(principal, offer_id: str):
    """The description fields the quality rules check, with NOS codes; the quality report after saving."""
    graph, errors, message, saved, values, status = _graph(), {}, None, None, {}, 200
    if request.method == "POST":
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        try:
            saved = description_service.update(graph, principal, offer_id, values, sync=services().index_sync())
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
    ctx = {"sync": services().index_sync()}
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
                           code_fields=description_service.CODE_FIELDS, field_label=description_service.field_label,
                           picker_sources=PICKER_SOURCES, picker_examples=PICKER_EXAMPLES,
                           picker_options={vs: [[o.code, o.label] for o in nos_choices.options(graph, vs)
                                                if not o.retired] for vs in EMBEDDED_VALUE_SETS},
                           contacts=contact_service.read(graph, principal, offer_id),
                           contact_choices=contact_service.choices(graph), contact_message=contact_message,
                           contact_errors=contact_errors, contact_rpps=contact_rpps, created=created)
