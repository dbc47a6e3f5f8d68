"""`ror cypher …` commands (pathway library, read-only console)."""

from __future__ import annotations

import click


@click.group()
def cypher() -> None:
    """Bibliothèque de requêtes Cypher (lecture seule)."""
