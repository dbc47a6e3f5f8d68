"""The Flask app factory: everything the app uses is passed in or built here, once per app."""

from __future__ import annotations

import logging
import secrets
import threading

from flask import Flask

from ror.settings import Settings
from web import errors, security
from web.services import Services, close

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, graph=None, search=None) -> Flask:
    """A new app. `graph` (graph.driver.Graph) and `search` (OpenSearch client) stay owned by the caller;
    when omitted they are created from `settings` on first use and closed by `web.services.close(app)`."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key or secrets.token_hex(32),
        JSON_SORT_KEYS=False,
        TEMPLATES_AUTO_RELOAD=False,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.extensions["ror"] = Services(settings=settings, graph=graph, search=search)
    app.extensions["ror_settings"] = settings

    errors.register(app)
    security.register(app, tile_url=settings.tile_url, cors_origins=settings.cors_origins)

    from web import api, pages

    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)
    pages.register_filters(app)
    return app


def serve(settings: Settings | None = None, graph=None, search=None, *, host: str | None = None,
          port: int | None = None, threads: int = 16, ready: threading.Event | None = None) -> None:
    """Serve the app with waitress until interrupted and print its URL (never the Flask dev server)."""
    from waitress.server import create_server

    settings = settings or Settings.from_env()
    app = create_app(settings, graph=graph, search=search)
    server = create_server(app, host=host or settings.host, port=port if port is not None else settings.port,
                           threads=threads, max_request_body_size=security.MAX_CONTENT_LENGTH,
                           max_request_header_size=64 * 1024, connection_limit=200, ident="ror")
    app.extensions["ror_server"] = server
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
