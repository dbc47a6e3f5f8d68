"""`ror serve` command."""

from __future__ import annotations

import click


@click.group()
def web() -> None:
    """Application web."""
