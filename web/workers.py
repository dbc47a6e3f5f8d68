"""Several web worker processes behind one port: gunicorn's pre-fork master holds the listening socket, each
worker is a whole app process (its own Neo4j driver and OpenSearch client) with a pool of threads.

Why (docs/web.md, "Workers"): one CPython process serves one core at a time (the GIL), so on a machine with
several cores one process leaves the others idle. The master owns the socket, so a worker that stops (graceful
SIGTERM, a crash, `max_requests` recycling) never closes the port: connections waiting in the shared backlog are
accepted by the other workers, and the master starts a replacement.
"""

from __future__ import annotations

import os
import secrets

from core.settings import Settings

MAX_AUTO_WORKERS = 4


def auto_workers() -> int:
    """One worker per core this process may use, at most MAX_AUTO_WORKERS (each worker holds its own caches)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_AUTO_WORKERS))


def serve_workers(settings: Settings, *, host: str | None, port: int | None, workers: int, threads: int) -> None:
    """Serve the app with `workers` processes on one port until interrupted; print the URL once bound."""
    import gunicorn.http.wsgi
    from gunicorn.app.base import BaseApplication

    from web.app import SERVER_MAX_HEADERS, create_app, start_warm_up

    # Sessions and CSRF tokens are signed with the secret key: every worker must share it.
    settings = settings.replace(secret_key=settings.secret_key or secrets.token_hex(32))
    gunicorn.http.wsgi.SERVER = "ror"  # the Server header, as waitress's ident says it with one process
    host = host or settings.host
    port = port if port is not None else settings.port

    def when_ready(server) -> None:
        bound_host, bound_port = server.LISTENERS[0].sock.getsockname()[:2]
        shown = "127.0.0.1" if bound_host in ("0.0.0.0", "") else bound_host
        print(f"Application disponible sur http://{shown}:{bound_port}/", flush=True)
        print(f"{workers} processus de service derrière ce port ({threads} fils chacun).", flush=True)

    def post_worker_init(worker) -> None:  # after the app is loaded, before the worker accepts requests
        start_warm_up(settings, worker.wsgi)

    options = {
        "bind": f"{host}:{port}", "workers": workers, "worker_class": "gthread", "threads": threads,
        # A worker told to stop finishes its requests first (graceful), within this bound.
        "graceful_timeout": 30, "timeout": 120, "keepalive": 5,
        "limit_request_field_size": SERVER_MAX_HEADERS, "limit_request_fields": 200,
        "accesslog": None, "errorlog": "-", "loglevel": "warning", "proc_name": "ror-web",
        "when_ready": when_ready, "post_worker_init": post_worker_init,
    }

    class Application(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return create_app(settings)  # in each worker, after the fork: drivers are not shared across processes

    Application().run()
