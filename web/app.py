"""The Flask app factory: everything the app uses is passed in or built here, once per app."""

from __future__ import annotations

import gc
import logging
import secrets
import threading

from flask import Flask

from core.fastjson import FlaskJSONProvider
from core.settings import DEFAULT_THREADS, Settings
from fhir_api import blueprint as fhir_blueprint
from fhir_api import measure_report_emergency
from web import (
    admin_api,
    admin_pages,
    admin_quality_api,
    analysis_api,
    analysis_pages,
    anomaly_pages,
    api,
    crisis_api,
    crisis_pages,
    errors,
    pages,
    security,
    territory_api,  # noqa: F401 - adds the territory operations to the /api/v1 blueprint
    territory_pages,
)
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

    app.register_blueprint(api.bp)  # with the territory routes territory_api added to it on import
    app.register_blueprint(pages.bp)
    pages.register_filters(app)
    fhir_blueprint.register(app)
    for part in (admin_api, admin_quality_api, admin_pages, analysis_api, analysis_pages, territory_pages,
                 crisis_api, crisis_pages):
        app.register_blueprint(part.bp)
    measure_report_emergency.register(app)
    app.register_blueprint(anomaly_pages.bp)
    return app


# The server's own limits answer in plain text; below them the app answers 413 / 431 in the path's error shape
# (JSON under /api, OperationOutcome under /fhir, a page elsewhere: security.MAX_CONTENT_LENGTH / MAX_HEADER_BYTES).
SERVER_MAX_BODY = 16 * security.MAX_CONTENT_LENGTH
SERVER_MAX_HEADERS = 8 * security.MAX_HEADER_BYTES
# An answer larger than this is buffered in a temporary file while it is sent (waitress's default: 1 MiB). A FHIR
# page of 200 offers with their includes is 2.5-4 MB: written to disk and read back, it cost a single-process
# server about as much CPU as building it (issue 14). Kept in memory up to 16 MiB, as long as it is being sent.
SERVER_OUTPUT_IN_MEMORY = 16 * 2**20


def serve(settings: Settings | None = None, graph=None, search=None, *, host: str | None = None,
          port: int | None = None, threads: int = DEFAULT_THREADS, ready: threading.Event | None = None) -> None:
    """Serve the app with waitress until interrupted and print its URL (never the Flask dev server)."""
    from waitress.server import create_server

    settings = settings or Settings.from_env()
    app = create_app(settings, graph=graph, search=search)
    server = create_server(app, host=host or settings.host, port=port if port is not None else settings.port,
                           threads=threads, max_request_body_size=SERVER_MAX_BODY,
                           max_request_header_size=SERVER_MAX_HEADERS, connection_limit=200, ident="ror",
                           outbuf_overflow=SERVER_OUTPUT_IN_MEMORY)
    app.extensions["ror_server"] = server
    services(app).start_index_replayer()
    start_warm_up(settings, app)
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


def start_warm_up(settings: Settings, app: Flask) -> None:
    """What a server does for each of its processes before it accepts requests: mark the app as served (its
    orientation service is frozen once built, web.services) and warm its caches in the background."""
    services(app).freeze_after_build = True
    threading.Thread(target=_warm_caches, args=(settings, app), daemon=True, name="ror-warm").start()


def _warm_caches(settings: Settings, app: Flask | None = None) -> None:
    """Build the per-process caches (base map, form lists and, given the app, its orientation service) before the
    first person asks for them."""
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
    except OSError as exc:
        log.warning("could not prepare the territory caches: %s", exc)
    if app is not None:  # gazetteer, NOS vocabulary, text interpreter: built and frozen (web.services)
        try:
            services(app).orientation  # noqa: B018 - built on first access
        except Exception as exc:  # noqa: BLE001 - engines not up yet: the first request builds it
            log.info("orientation service not prepared at start: %s", exc)
    # The caches (commune table and cells: long lists of coordinates) and the app live as long as the process:
    # out of the collector's full passes. Each full pass traversed them: 75-330 ms of CPU at load 7-10 on the
    # national data, about every tenth large FHIR page (the objects of a 200-entry page with its includes
    # reach the oldest generation while the page is built), which made those pages' p95 (issue 14).
    gc.freeze()
