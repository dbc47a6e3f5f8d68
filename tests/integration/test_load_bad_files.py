"""Issue 19, finding 4: the FINESS loader on realistic bad files — a reject naming file, line and field, or the
whole file refused with a clear message before anything is written; never a traceback, never a partial load.

Each case is built from the bundled files (exact inputs of the finding: a Latin-1 byte after row 10,500, a
200,000-character field, a truncated `.gz`, a file that is not gzip, an unbalanced `"`, a UTF-8 BOM, a NUL
byte), loaded into the test Neo4j, and the graph is checked afterwards.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.settings import PROJECT_ROOT
from loaders.common import FileRefused
from loaders.finess import FINESS_FILE, FINESS_SAMPLE, load_finess

pytestmark = pytest.mark.integration

DATA = PROJECT_ROOT / "data"
ROR = Path(sys.executable).parent / "ror"


def sample_lines() -> list[str]:
    return (DATA / FINESS_SAMPLE).read_text(encoding="utf-8").splitlines(keepends=True)


def national_head(n: int) -> list[str]:
    lines = []
    with gzip.open(DATA / FINESS_FILE, "rt", encoding="utf-8", newline="") as stream:
        for line in stream:
            lines.append(line)
            if len(lines) > n:
                break
    return lines


def write(path: Path, lines: list[str], *, encoding: str = "utf-8", prefix: bytes = b"") -> Path:
    data = prefix + "".join(lines).encode(encoding)
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def with_name(line: str, name: str) -> str:
    fields = line.split(";")
    fields[2] = name
    return ";".join(fields)


def latin1_after_row_10500(tmp: Path) -> Path:
    lines = national_head(10_600)
    lines[10_501] = with_name(lines[10_501], "CENTRE MÉDICAL")
    data = "".join(lines[:10_501]).encode("utf-8") + "".join(lines[10_501:]).encode("latin-1")
    path = tmp / "finess_latin1.csv"
    path.write_bytes(data)
    return path


def truncated_gz(tmp: Path) -> Path:
    data = gzip.compress("".join(sample_lines()).encode())
    path = tmp / "finess_tronque.csv.gz"
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


def not_gzip(tmp: Path) -> Path:
    path = tmp / "finess_pas_gzip.csv.gz"
    path.write_text("".join(sample_lines()), encoding="utf-8")
    return path


def gzip_named_csv(tmp: Path) -> Path:
    path = tmp / "finess_compresse.csv"
    path.write_bytes(gzip.compress("".join(sample_lines()).encode()))
    return path


def empty(tmp: Path) -> Path:
    path = tmp / "finess_vide.csv"
    path.write_bytes(b"")
    return path


def other_header(tmp: Path) -> Path:
    lines = sample_lines()
    return write(tmp / "finess_entete.csv", [lines[0].replace("raison_sociale", "nom")] + lines[1:])


# (case, builder, text the refusal must contain): the whole file is refused, nothing is written
REFUSED = [
    ("latin1 byte after row 10,500", latin1_after_row_10500, "ligne 10502"),
    ("truncated gz", truncated_gz, "tronquée"),
    ("not gzip", not_gzip, "pas une archive gzip"),
    ("gzip named .csv", gzip_named_csv, "compressé"),
    ("empty file", empty, "en-tête FINESS inattendu"),
    ("other header", other_header, "raison_sociale"),
]


def count_sites(graph) -> int:
    return graph.read("MATCH (s:Site) RETURN count(s) AS n")[0]["n"]


@pytest.fixture
def clean_graph(empty_graph):
    empty_graph.apply_schema()
    return empty_graph


@pytest.mark.parametrize(("case", "build", "expected"), REFUSED, ids=[c for c, _, _ in REFUSED])
def test_refused_files_write_nothing(clean_graph, tmp_path, case, build, expected):
    path = build(tmp_path)
    with pytest.raises(FileRefused) as refused:
        load_finess(clean_graph, path, DATA)
    assert path.name in refused.value.message and expected in refused.value.message, refused.value.message
    assert refused.value.status == 400
    assert count_sites(clean_graph) == 0  # before issue 19 the Latin-1 file left 10,000 sites written


def test_a_200000_character_field_is_a_reject_naming_the_field(clean_graph, tmp_path):
    lines = sample_lines()
    lines[3] = with_name(lines[3], "A" * 200_000)
    summary = load_finess(clean_graph, write(tmp_path / "finess_long.csv", lines), DATA)
    assert [(r.line, r.field) for r in summary.rejects] == [(4, "raison_sociale")]
    assert "200 000 caractères" in summary.rejects[0].reason
    assert summary.rows_loaded == len(lines) - 2 == count_sites(clean_graph)


def test_an_unbalanced_quote_costs_its_line_only(clean_graph, tmp_path):
    lines = sample_lines()
    lines[4] = with_name(lines[4], '"CENTRE SANS GUILLEMET FERMANT')
    summary = load_finess(clean_graph, write(tmp_path / "finess_guillemet.csv", lines), DATA)
    assert [(r.line, r.field) for r in summary.rejects] == [(5, "*")]
    assert "guillemet non fermé" in summary.rejects[0].reason
    assert summary.rows_loaded == len(lines) - 2 == count_sites(clean_graph)  # the next lines are loaded
    assert summary.rows_read == len(lines) - 1


def test_a_utf8_bom_is_accepted(clean_graph, tmp_path):
    lines = sample_lines()
    summary = load_finess(clean_graph, write(tmp_path / "finess_bom.csv", lines, prefix=b"\xef\xbb\xbf"), DATA)
    assert summary.rejects == [] and summary.rows_loaded == len(lines) - 1


def test_control_characters_are_stripped(clean_graph, tmp_path):
    lines = sample_lines()
    finess = lines[1].split(";")[0]
    lines[1] = with_name(lines[1], "CH ND\x00 LA\x0b MISERICORDE\tBIS")
    summary = load_finess(clean_graph, write(tmp_path / "finess_nul.csv", lines, ), DATA)
    assert summary.rejects == []
    name = clean_graph.read("MATCH (s:Site {finess: $f}) RETURN s.name AS name", f=finess)[0]["name"]
    assert name == "CH ND LA MISERICORDE BIS"


def test_windows_line_endings_are_accepted(clean_graph, tmp_path):
    lines = [line.rstrip("\n") + "\r\n" for line in sample_lines()]
    summary = load_finess(clean_graph, write(tmp_path / "finess_crlf.csv", lines), DATA)
    assert summary.rejects == [] and summary.rows_loaded == len(lines) - 1


@pytest.mark.parametrize("build", [latin1_after_row_10500, truncated_gz, not_gzip],
                         ids=["latin1", "truncated gz", "not gzip"])
def test_the_command_says_it_in_french_without_a_traceback(clean_graph, engine_endpoints, tmp_path, build):
    endpoints, _ = engine_endpoints
    path = build(tmp_path)
    env = {**os.environ, "NEO4J_URI": endpoints.neo4j_uri, "OPENSEARCH_URL": endpoints.opensearch_url,
           "ROR_VAR_DIR": str(tmp_path / "var")}
    done = subprocess.run([str(ROR), "load", "finess", str(path)], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.startswith("Erreur : ") and path.name in done.stderr
    assert "Traceback" not in done.stderr + done.stdout and "Aborted" not in done.stderr + done.stdout
    assert count_sites(clean_graph) == 0
