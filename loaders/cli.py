"""`ror load …` and `ror generate …` commands."""

from __future__ import annotations

import click


@click.group()
def load() -> None:
    """Chargement des données de référence dans le graphe."""


@click.group()
def generate() -> None:
    """Génération déterministe d'une offre synthétique."""
