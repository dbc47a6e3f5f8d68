"""Every Cypher query of the product, one named query per `.cypher` file, loaded once as a fixed string."""

from __future__ import annotations

from functools import cache
from pathlib import Path

ROOT = Path(__file__).parent


@cache
def query(name: str) -> str:
    """The text of `cypher/<name>.cypher` (e.g. ``query("write/sites")``)."""
    path = (ROOT / f"{name}.cypher").resolve()
    if ROOT not in path.parents:
        raise ValueError(f"unknown query {name!r}")
    return path.read_text(encoding="utf-8")


def statements(name: str) -> list[str]:
    """The `;`-separated statements of a file such as a schema file, comments stripped."""
    text = "\n".join(line for line in query(name).splitlines() if not line.strip().startswith("//"))
    return [stmt.strip() for stmt in text.split(";") if stmt.strip()]


def names(folder: str) -> list[str]:
    return sorted(f"{folder}/{p.stem}" for p in (ROOT / folder).glob("*.cypher"))
