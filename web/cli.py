"""`ror web serve` command."""

from __future__ import annotations

import importlib.util

import click

from core.settings import DEFAULT_THREADS


@click.group()
def web() -> None:
    """Application web."""


@web.command("serve")
@click.option("--host", default=None, help="Adresse d'écoute (défaut : ROR_HOST).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port (défaut : ROR_PORT).")
@click.option("--threads", type=click.IntRange(1, 256), default=DEFAULT_THREADS, show_default=True,
              help="Fils de traitement (par processus).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processus derrière le même port (défaut : ROR_WEB_WORKERS, 0 = un par cœur, 4 au plus).")
@click.pass_obj
def serve_command(settings, host: str | None, port: int | None, threads: int, workers: int | None) -> None:
    """Sert l'application (waitress, ou plusieurs processus gunicorn) et affiche son adresse."""
    from web.workers import auto_workers, serve_workers

    workers = workers or settings.web_workers or auto_workers()
    if workers > 1 and importlib.util.find_spec("gunicorn") is None:
        click.echo("gunicorn absent (pip install -e .) : un seul processus de service (waitress).", err=True)
        workers = 1
    if workers == 1:
        from web.app import serve

        serve(settings, host=host, port=port, threads=threads)
    else:
        serve_workers(settings, host=host, port=port, workers=workers, threads=threads)
