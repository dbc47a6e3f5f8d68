"""Issue 19, finding 8: a Corsican FINESS number (2A…/2B…) is accepted everywhere a FINESS number is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from accounts.store import _check
from core.errors import BadRequest
from core.identifiers import FINESS_PATTERN, is_finess
from loaders.finess import finess_error

ROOT = Path(__file__).resolve().parents[2]
CORSICAN = ("2A0000022", "2B0000012")  # CH de la Miséricorde (Ajaccio) and a Haute-Corse number
NOT_FINESS = ("1A0000000", "2C0000022", "01000002", "0100000245", "2a0000022", "")


@pytest.mark.parametrize("number", [*CORSICAN, "010000024", "971000023"])
def test_accepted(number):
    assert is_finess(number)


@pytest.mark.parametrize("number", NOT_FINESS)
def test_refused(number):
    assert not is_finess(number)


def test_the_account_store_scopes_a_contributor_to_a_corsican_site():
    _check("contrib-corse", "contributor", list(CORSICAN), [])  # refused before issue 19
    with pytest.raises(BadRequest) as refused:
        _check("contrib-corse", "contributor", ["2C0000022"], [])
    assert "sites" in refused.value.fields


def test_the_loader_accepts_the_bundled_corsican_numbers():
    assert finess_error("2A0000022") is None


def test_every_finess_pattern_of_the_api_accepts_corsica():
    from web.app import create_app
    from web.openapi import document

    create_app()  # registers every part, so that the OpenAPI document is complete
    patterns = []

    def walk(node, key=None):
        if isinstance(node, dict):
            if "finess" in str(node.get("name", key) or "").lower() or key in ("sites",):
                schema = node.get("schema", node)
                schema = schema.get("items", schema) if schema.get("type") == "array" else schema
                if "pattern" in schema:
                    patterns.append(schema["pattern"])
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)

    walk(document(version="test"))
    assert patterns, "no FINESS pattern found in the OpenAPI document"
    for pattern in patterns:
        anchored = pattern if pattern.startswith("^") else f"^(?:{pattern})$"
        for number in CORSICAN:
            assert re.search(anchored, number), (pattern, number)


def test_no_other_finess_pattern_in_the_product():
    """One definition (core/identifiers.py): a hand-written FINESS regex elsewhere is how Corsica got lost."""
    suspicious = re.compile(r"\[0-9\]\{2\}\[0-9AB\]|\[0-9\]\[0-9AB\]\[0-9\]\{7\}|\\d\{2\}\|2A|\[0-9\]\{9\}|\\d\{9\}")
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in (".venv", "tests", "bench", ".engines") or relative == Path("core/identifiers.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if suspicious.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, offenders
    assert FINESS_PATTERN in (ROOT / "core" / "identifiers.py").read_text()
