"""Each pathway-library query on the hand-made fixture graph, with answers worked out by hand.

Distances between the fixture communes are listed at the top of tests/fixtures/cypher/orientation_graph.cypher.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import cypher
from graph import library
from graph.console import check_plan, explain
from ror.cli import cli

pytestmark = pytest.mark.integration

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "cypher" / "orientation_graph.cypher"


def load_orientation_fixture(graph) -> None:
    """Create the fixture graph (one CREATE statement per `;`)."""
    text = "\n".join(line for line in FIXTURE.read_text(encoding="utf-8").splitlines()
                     if not line.strip().startswith("//"))
    for statement in (s.strip() for s in text.split(";")):
        if statement:
            graph.write(statement)


@pytest.fixture(scope="module")
def fixture_graph(graph, engine_endpoints):
    _, may_wipe = engine_endpoints
    if not may_wipe and graph.read("MATCH (n) RETURN count(n) AS c")[0]["c"] > 0:
        pytest.fail("Refusing to wipe a non-empty external Neo4j; set ROR_TEST_ALLOW_WIPE=1 to allow it.")
    graph.run_autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
    for statement in cypher.statements("schema/library"):  # the indexes the library declares must apply
        graph.write(statement)
    load_orientation_fixture(graph)
    return graph


def rows(graph, name, **params):
    return library.run(graph, name, params).records()


def column(records, key):
    return [r[key] for r in records]


def test_every_library_query_is_planned_as_a_pure_read(fixture_graph):
    for query in library.all_queries():
        query_type, plan = explain(fixture_graph, query.text, query.defaults())
        check_plan(query_type, plan)


def test_stroke_pathway_per_commune(fixture_graph):
    result = rows(fixture_graph, "stroke_pathway", department_code="40")
    assert [(r["commune"], r["urgences_finess"], r["urgences_km"], r["unv_finess"], r["unv_depuis_urgences_km"],
             r["smr_finess"], r["smr_lits_disponibles"], r["smr_km"]) for r in result] == [
        ("Dax", "400000022", 0.0, "640000033", 41.7, "640000033", 3, 41.7),
        ("Mimizan", "400000022", 56.3, "640000033", 41.7, "640000033", 3, 81.2),
        # Mont-de-Marsan's own UNV does no thrombectomy; Pau B is the nearest SMR with beds (Pau A has none)
        ("Mont-de-Marsan", "400000011", 0.0, "640000033", 90.1, "640000044", 2, 67.1),
    ]


def test_stroke_pathway_with_more_beds_required_skips_pau(fixture_graph):
    result = rows(fixture_graph, "stroke_pathway", department_code="40", min_available_beds=3)
    assert column(result, "smr_finess") == ["640000033"] * 3


def test_stroke_pathway_search_window_leaves_far_sites_out(fixture_graph):
    result = rows(fixture_graph, "stroke_pathway", department_code="40", search_km=10.0)
    # Bayonne and Pau lie more than 10 km (20 km for the UNV) south of the Landes' communes
    assert [(r["urgences_finess"], r["unv_finess"], r["smr_finess"]) for r in result] == [
        ("400000022", None, None), ("400000022", None, None), ("400000011", None, None)]


def test_ias_referents_by_department(fixture_graph):
    assert column(rows(fixture_graph, "ias_referents_by_department"), "departement") == ["40"]
    result = rows(fixture_graph, "ias_referents_by_department", department_code="")
    by_function = {r["departement"]: {f["fonction"]: f["referents"] for f in r["referents_par_fonction"]}
                   for r in result}
    assert [(r["departement"], r["sites_decrits"], r["sites_avec_equipe_hygiene"], r["referents_ias"],
             r["sites_sans_referent"]) for r in result] == [("40", 3, 1, 2, 2), ("64", 2, 1, 1, 1)]
    assert by_function == {"40": {"23": 1, "24": 0, "25": 1, "26": 0}, "64": {"23": 0, "24": 1, "25": 0, "26": 0}}


def test_sites_without_ias_referent(fixture_graph):
    assert column(rows(fixture_graph, "sites_without_ias_referent", department_code=""), "finess") == [
        "400000022", "400000055", "640000044"]  # the site with no offer at all is not "described"
    assert column(rows(fixture_graph, "sites_without_ias_referent"), "finess") == ["400000022", "400000055"]
    assert column(rows(fixture_graph, "sites_without_ias_referent", department_code="64"), "finess") == ["640000044"]
    assert column(rows(fixture_graph, "sites_without_ias_referent", site_categories=["109"]), "finess") == [
        "400000055"]


def test_palliative_usp_without_emsp_within_radius(fixture_graph):
    assert [(r["finess"], r["emsp_la_plus_proche_km"])
            for r in rows(fixture_graph, "palliative_usp_without_emsp", radius_km=30.0)] == [("400000011", 48.8)]
    assert rows(fixture_graph, "palliative_usp_without_emsp", radius_km=50.0) == []
    # without the intra-hospital mode, Dax's team no longer counts and Bayonne's extra-hospital one is 90 km away
    assert [(r["finess"], r["emsp_la_plus_proche_km"]) for r in rows(
        fixture_graph, "palliative_usp_without_emsp", radius_km=50.0, emsp_modes=["11"])] == [("400000011", 90.1)]


def test_pediatric_emergency_coverage(fixture_graph):
    result = rows(fixture_graph, "pediatric_emergency_coverage", department_code="", radius_km=45.0)
    assert [(r["departement"], r["communes"], r["communes_non_couvertes"], r["population"],
             r["population_couverte"], r["part_couverte_pct"]) for r in result] == [
        ("40", 3, 2, 57000, 20000, 35.1), ("64", 2, 1, 125000, 50000, 40.0)]
    result = rows(fixture_graph, "pediatric_emergency_coverage", department_code="64", radius_km=30.0)
    assert [(r["departement"], r["population_couverte"]) for r in result] == [("64", 0)]


def test_retired_codes_in_use(fixture_graph):
    result = rows(fixture_graph, "retired_codes_in_use")
    assert [(r["offre_id"], r["finess"], r["type_concept"], r["code"], r["retire_le"]) for r in result] == [
        ("o17", "640000044", "CareMode", "44", "2018-01-26")]
    assert rows(fixture_graph, "retired_codes_in_use", as_of="2017-12-31") == []
    assert rows(fixture_graph, "retired_codes_in_use", kinds=["Activity"]) == []


def test_missing_generic_mailbox(fixture_graph):
    result = rows(fixture_graph, "missing_generic_mailbox", department_code="")
    assert [(r["finess"], r["offres"], r["sans_adresse"], r["adresse_personnelle"], r["offres_concernees"])
            for r in result] == [
        ("400000022", 5, 0, 1, ["Urgences Dax"]),
        ("400000011", 4, 1, 0, ["EOH MdM"]),
        ("400000055", 1, 1, 0, ["Réadaptation polyvalente Mimizan"]),
    ]
    hygiene = rows(fixture_graph, "missing_generic_mailbox", department_code="", activities=["063"])
    assert [(r["finess"], r["offres"], r["sans_adresse"]) for r in hygiene] == [("400000011", 1, 1)]


def test_maternity_level3_access(fixture_graph):
    result = rows(fixture_graph, "maternity_level3_access", department_code="64", radius_km=45.0)
    # Bayonne has a maternity but no neonatal intensive care: its level 3 is Dax
    assert [(r["commune"], r["finess"], r["distance_km"], r["accessible"]) for r in result] == [
        ("Bayonne", "400000022", 41.7, True), ("Pau", "400000022", 71.9, False)]


def test_maternity_distance_gaps(fixture_graph):
    result = rows(fixture_graph, "maternity_distance_gaps", department_code="", radius_km=45.0)
    assert [(r["commune"], r["population"], r["finess"], r["distance_km"]) for r in result] == [
        ("Pau", 75000, "400000022", 71.9), ("Mimizan", 7000, "400000022", 56.3),
        ("Mont-de-Marsan", 30000, "400000022", 48.8)]
    assert rows(fixture_graph, "maternity_distance_gaps", department_code="40", radius_km=60.0) == []


def test_care_pathway_template_instantiated_near_a_commune(fixture_graph):
    near_dax = rows(fixture_graph, "care_pathway_near_commune", pathway="AVC", commune_insee="40088")
    assert {r["parcours"] for r in near_dax} == {"AVC ischémique : urgences → UNV → SMR neurologique"}
    assert [(r["etape"], r["activite_code"], r["offre_id"], r["distance_km"]) for r in near_dax] == [
        (1, "157", "o5", 0.0), (2, "098", "o10", 41.7), (3, "234", "o11", 41.7)]
    near_mdm = rows(fixture_graph, "care_pathway_near_commune", pathway="AVC", commune_insee="40192", radius_km=60.0)
    assert [(r["activite_code"], r["offre_id"]) for r in near_mdm] == [("157", "o1"), ("098", "o2"), ("234", None)]
    palliative = rows(fixture_graph, "care_pathway_near_commune", pathway="Soins pall", commune_insee="64102")
    assert [(r["activite_code"], r["offre_id"]) for r in palliative] == [("157", "o12"), ("170", "o19")]


def test_professionals_per_100k(fixture_graph):
    assert {r["departement"] for r in rows(fixture_graph, "professionals_per_100k")} == {"40"}
    result = rows(fixture_graph, "professionals_per_100k", department_code="")
    assert [(r["departement"], r["specialite_code"], r["professionnels"], r["population"],
             r["pour_100000_habitants"]) for r in result] == [
        ("40", "SM32", 1, 57000, 1.75), ("40", "SM59", 2, 57000, 3.51),
        ("64", "SM32", 2, 125000, 1.6), ("64", "SM59", 1, 125000, 0.8)]
    neuro = rows(fixture_graph, "professionals_per_100k", department_code="64", specialties=["SM32"])
    assert [(r["departement"], r["professionnels"]) for r in neuro] == [("64", 2)]


def test_stale_capacity(fixture_graph):
    assert rows(fixture_graph, "stale_capacity") == []  # default: Landes, whose only capacity is fresh
    result = rows(fixture_graph, "stale_capacity", department_code="")
    assert [(r["finess"], r["lieux_suivis"], r["lieux_perimes"], round(r["plus_ancien_releve_h"]))
            for r in result] == [("640000044", 2, 2, 72)]
    result = rows(fixture_graph, "stale_capacity", department_code="64", stale_hours=48.0)
    assert [(r["finess"], r["lieux_perimes"]) for r in result] == [("640000044", 1)]
    assert rows(fixture_graph, "stale_capacity", department_code="", stale_hours=100.0) == []


def test_beds_by_department(fixture_graph):
    result = rows(fixture_graph, "beds_by_department")
    assert [(r["departement"], r["lieux"], r["lits_installes"], r["lits_disponibles"], r["releves_perimes"])
            for r in result] == [("64", 3, 45, 5, 2)]
    palliative = rows(fixture_graph, "beds_by_department", activities=["170"])
    assert [(r["departement"], r["lits_installes"], r["lits_disponibles"]) for r in palliative] == [("40", 10, 4)]


def test_cli_run_list_and_console(fixture_graph):
    env = {"NEO4J_URI": fixture_graph.uri}
    runner = CliRunner()
    listed = runner.invoke(cli, ["cypher", "list", "--json"], env=env)
    assert listed.exit_code == 0
    assert {q["name"] for q in json.loads(listed.output)} == set(library.names())

    ran = runner.invoke(cli, ["cypher", "run", "maternity_level3_access", "--param", "department_code=64",
                              "--param", "radius_km=45", "--csv"], env=env)
    assert ran.exit_code == 0, ran.output
    assert ran.stdout.splitlines()[0] == "commune_insee,commune,population,finess,maternite,distance_km,accessible"
    assert ran.stdout.splitlines()[1] == "64102,Bayonne,50000,400000022,CH de Dax,41.7,True"

    bad = runner.invoke(cli, ["cypher", "run", "stale_capacity", "--param", "stale_hours=beaucoup"], env=env)
    assert bad.exit_code == 1
    assert "Paramètre « stale_hours » : valeur 'beaucoup' invalide, attendu float." in bad.stderr

    refused = runner.invoke(cli, ["cypher", "console", "MATCH (n) DETACH DELETE n"], env=env)
    assert refused.exit_code == 1
    assert "Requête refusée : elle modifie la base ou l'administre (DETACH)" in refused.stderr
    counted = runner.invoke(cli, ["cypher", "console", "MATCH (s:Site) RETURN count(s) AS sites", "--json"], env=env)
    assert json.loads(counted.stdout)["rows"] == [{"sites": 6}]
