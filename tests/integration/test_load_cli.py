"""`ror load …` / `ror generate offer`: summary printed, rejects report written next to the run log."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from ror.cli import cli

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parent.parent / "fixtures" / "loaders"


def _invoke(args: list[str], engine_endpoints):
    endpoints, _ = engine_endpoints
    return CliRunner().invoke(cli, args, env={"NEO4J_URI": endpoints.neo4j_uri,
                                              "OPENSEARCH_URL": endpoints.opensearch_url})


def _rejects_file(output: str) -> Path:
    line = next(line for line in output.splitlines() if "rapport des rejets" in line)
    return Path(line.split(" : ", 1)[1].strip())


def test_load_finess_command_prints_summary_and_writes_rejects(empty_graph, engine_endpoints):
    result = _invoke(["load", "finess", str(FIXTURES / "finess_with_bad_rows.csv")], engine_endpoints)
    assert result.exit_code == 0, result.output
    assert "5 lignes chargées sur 11 lues" in result.output
    assert "rejet « coordonnées hors de France » : 1" in result.output
    report = _rejects_file(result.output)
    assert report.name == "rejects.csv" and (report.parent / "run.log").exists()
    with report.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["file", "line", "field", "value", "reason"]
    assert {(r["line"], r["field"]) for r in rows} == {("6", "*"), ("7", "nofinesset"), ("8", "nofinesset"),
                                                       ("9", "latitude"), ("10", "nofinesset"), ("12", "date_maj")}
    assert empty_graph.read("MATCH (s:Site) RETURN count(s) AS c") == [{"c": 5}]

    again = _invoke(["load", "finess", str(FIXTURES / "finess_with_bad_rows.csv")], engine_endpoints)
    assert "0 nœuds et 0 relations créés" in again.output


def test_load_fhir_command_reports_bad_resources(empty_graph, engine_endpoints):
    assert _invoke(["load", "nos"], engine_endpoints).exit_code == 0
    result = _invoke(["load", "fhir", str(FIXTURES / "fhir_with_bad_rows.ndjson")], engine_endpoints)
    assert result.exit_code == 0, result.output
    assert "3 lignes chargées sur 8 lues" in result.output
    assert "rejet « code NOS inconnu » : 1" in result.output


def test_users_commands_manage_accounts_and_tokens(empty_graph, engine_endpoints):
    from accounts.store import UserStore

    empty_graph.apply_schema()
    added = _invoke(["users", "add", "coord-cli", "--role", "coordinator", "--region", "75",
                     "--password", "mot-de-passe-cli"], engine_endpoints)
    assert added.exit_code == 0, added.output
    assert "Compte coord-cli créé (coordinator)." in added.output
    granted = _invoke(["users", "grant", "coord-cli", "--region", "84"], engine_endpoints)
    assert granted.exit_code == 0, granted.output
    assert "régions=75,84" in granted.output
    listed = _invoke(["users", "list"], engine_endpoints)
    assert listed.exit_code == 0 and "coord-cli" in listed.output and "mot-de-passe" not in listed.output

    created = _invoke(["users", "token", "coord-cli", "--name", "robot"], engine_endpoints)
    assert created.exit_code == 0, created.output
    token_id = created.output.split("Jeton ", 1)[1].split(" ", 1)[0]
    plaintext = created.output.strip().splitlines()[-1]
    store = UserStore(empty_graph)
    assert store.user_for_token(plaintext)[0].username == "coord-cli"
    revoked = _invoke(["users", "revoke", token_id], engine_endpoints)
    assert revoked.exit_code == 0 and f"Jeton {token_id} révoqué." in revoked.output
    assert store.user_for_token(plaintext) is None
