"""`ror index …` and `ror search …` commands."""

from __future__ import annotations

import click


@click.group()
def index() -> None:
    """Index OpenSearch (projection du graphe)."""


@click.group()
def search() -> None:
    """Recherches d'orientation."""
