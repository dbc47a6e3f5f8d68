"""The Flask app factory: everything the app uses is passed in or built here, once per app."""

from __future__ import annotations

import importlib
import logging
import secrets
import threading

from flask import Flask

from core.fastjson import FlaskJSONProvider
from core.settings import DEFAULT_THREADS, Settings
from web import errors, security
from web.services import Services, close, services

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, graph=None, search=None) -> Flask:
    """A new app. `graph` (graph.driver.Graph) and `search` (OpenSearch client) stay owned by the caller;
    when omitted they are created from `settings` on first use and closed by `web.services.close(app)`."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.json = FlaskJSONProvider(app)
    app.config.update(
        SECRET_KEY=settings.secret_key or secrets.token_hex(32),
        JSON_SORT_KEYS=False,
        TEMPLATES_AUTO_RELOAD=False,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    app.extensions["ror"] = Services(settings=settings, graph=graph, search=search)
    app.extensions["ror_settings"] = settings

    errors.register(app)
    security.register(app, tile_url=settings.tile_url, cors_origins=settings.cors_origins)

    from web import api, pages

    _import_api_parts()
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    pages.register_filters(app)
    _mount_optional(app)
    return app


# Parts of the product that live in their own packages and are mounted when present:
# (module, how to mount it). A module that is absent is skipped; an error inside one is not hidden.
OPTIONAL_PARTS = (
    ("fhir_api.blueprint", lambda app, module: module.register(app)),
    ("web.admin_api", lambda app, module: app.register_blueprint(module.bp)),
    ("web.admin_quality_api", lambda app, module: app.register_blueprint(module.bp)),
    ("web.admin_pages", lambda app, module: app.register_blueprint(module.bp)),
    ("web.analysis_api", lambda app, module: app.register_blueprint(module.bp)),
    ("web.analysis_pages", lambda app, module: app.register_blueprint(module.bp)),
    ("web.territory_pages", lambda app, module: app.register_blueprint(module.bp)),
    ("web.crisis_api", lambda app, module: app.register_blueprint(module.bp)),
    ("web.crisis_pages", lambda app, module: app.register_blueprint(module.bp)),
    ("fhir_api.measure_report_emergency", lambda app, module: module.register(app)),
    ("web.anomaly_pages", lambda app, module: app.register_blueprint(module.bp)),
)


# Modules that add endpoints to the /api/v1 blueprint itself (and so to its OpenAPI document): imported before
# that blueprint is first registered, when present.
API_PARTS = ("web.territory_api",)
# The server's own limits answer in plain text; below them the app answers 413 / 431 in the path's error shape
# (JSON under /api, OperationOutcome under /fhir, a page elsewhere: security.MAX_CONTENT_LENGTH / MAX_HEADER_BYTES).
SERVER_MAX_BODY = 16 * security.MAX_CONTENT_LENGTH
SERVER_MAX_HEADERS = 8 * security.MAX_HEADER_BYTES


def _import_api_parts() -> None:
    for name in API_PARTS:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if not (exc.name and (name == exc.name or name.startswith(exc.name + "."))):
                raise


_import_api_parts()  # now, so that web.api.DECLARED is complete for whoever imports it (docs, tests)


def _mount_optional(app: Flask) -> None:
    for name, mount in OPTIONAL_PARTS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and (name == exc.name or name.startswith(exc.name + ".")):
                continue
            raise
        mount(app, module)


def serve(settings: Settings | None = None, graph=None, search=None, *, host: str | None = None,
          port: int | None = None, threads: int = DEFAULT_THREADS, ready: threading.Event | None = None) -> None:
    """Serve the app with waitress until interrupted and print its URL (never the Flask dev server)."""
    from waitress.server import create_server

    settings = settings or Settings.from_env()
    app = create_app(settings, graph=graph, search=search)
    server = create_server(app, host=host or settings.host, port=port if port is not None else settings.port,
                           threads=threads, max_request_body_size=SERVER_MAX_BODY,
                           max_request_header_size=SERVER_MAX_HEADERS, connection_limit=200, ident="ror")
    app.extensions["ror_server"] = server
    services(app).start_index_replayer()
    threading.Thread(target=_warm_caches, args=(settings,), daemon=True, name="ror-warm").start()
    print(f"Application disponible sur {server_url(server)}", flush=True)
    if ready is not None:
        ready.set()
    try:
        server.run()
    finally:
        close(app)


def server_url(server) -> str:
    host, port = server.effective_host, server.effective_port
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}/"


def _warm_caches(settings: Settings) -> None:
    """Build the per-process caches (base map, form lists) before the first person asks for them."""
    from web import reference
    from web.basemap import basemap_geojson

    try:
        basemap_geojson(settings.data_dir)
        reference.age_groups(settings.data_dir)
        reference.regions(settings.data_dir)
    except OSError as exc:
        log.warning("could not prepare the base map: %s", exc)
    try:  # territory pages: commune table, then the commune cells of the choropleth (≈ 3 s of CPU, once)
        from geo.territory import commune_table
        from geo.territory_coverage import commune_cells

        commune_table(settings.data_dir)
        commune_cells(settings.data_dir)
    except (OSError, ImportError) as exc:
        log.warning("could not prepare the territory caches: %s", exc)
