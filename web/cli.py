"""`ror web serve` command."""

from __future__ import annotations

import click

from core.settings import DEFAULT_THREADS


@click.group()
def web() -> None:
    """Application web."""


@web.command("serve")
@click.option("--host", default=None, help="Adresse d'écoute (défaut : ROR_HOST).")
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port (défaut : ROR_PORT).")
@click.option("--threads", type=click.IntRange(1, 256), default=DEFAULT_THREADS, show_default=True,
              help="Fils de traitement.")
@click.pass_obj
def serve_command(settings, host: str | None, port: int | None, threads: int) -> None:
    """Sert l'application avec waitress et affiche son adresse."""
    from web.app import serve

    serve(settings, host=host, port=port, threads=threads)
