"""Data quality on a small graph: per-offer anomalies and completeness, région distribution, the validation
workflow (allowed and refused moves, who/when, audit), population follow-up and NOS retired codes."""

from __future__ import annotations

import csv
import gzip
import io
import json

import pytest

from quality import nos
from tests.integration.access_world import bearer, build_world, make_app

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def world(graph, search_client, engine_endpoints, settings):
    tokens = build_world(graph, engine_endpoints, "quality")
    return make_app(settings, graph, search_client), tokens


def get(app, token, path):
    return app.test_client().get(path, headers=bearer(token))


def move(app, token, offer, to):
    return app.test_client().post(f"/api/v1/offers/{offer}/status", json={"to": to}, headers=bearer(token))


def test_offer_reports_name_rule_and_field(world):
    app, tokens = world
    complete = get(app, tokens["contrib_a"], "/api/v1/quality/offers/off-complete").get_json()
    assert complete["anomalies"] == [] and complete["completeness"] == 100
    assert complete["next_statuses"] == ["validated_professionals"]
    incomplete = get(app, tokens["contrib_a"], "/api/v1/quality/offers/off-incomplete").get_json()
    assert {(a["rule"], a["field"]) for a in incomplete["anomalies"]} == {
        ("MIN-AGE", "age_groups"), ("MIN-CHAMP", "fields"), ("MIN-ADRESSE", "address"), ("MIN-CONTACT", "contacts")}
    assert incomplete["completeness"] == round(100 * 5 / 9)
    eoh = get(app, tokens["contrib_a"], "/api/v1/quality/offers/off-eoh").get_json()
    assert {a["rule"] for a in eoh["anomalies"]} == {"IAS-ACTES", "IAS-FONCTIONS", "IAS-NATURE", "IAS-BAL",
                                                     "BAL-GENERIQUE"}
    assert eoh["blocking"] == 3 and eoh["completeness"] == round(100 * 8 / 13)


def test_site_and_region_reports(world):
    app, tokens = world
    site = get(app, tokens["contrib_a"], "/api/v1/quality/sites/400000011").get_json()
    assert sorted(o["offer_id"] for o in site["offers"]) == ["off-a", "off-complete", "off-eoh", "off-incomplete"]
    region = get(app, tokens["coord_na"], "/api/v1/quality/regions/75").get_json()
    assert region["offers"] == 5 and sum(region["distribution"].values()) == 5
    assert region["distribution"]["100 %"] == 1 and region["by_rule"]["MIN-AGE"] == 3


def test_validation_workflow_with_refusals_and_audit(world, graph):
    app, tokens = world
    refused = move(app, tokens["contrib_a"], "off-incomplete", "validated_professionals")
    assert refused.status_code == 409
    assert set(refused.get_json()["error"]["fields"]) == {"age_groups:MIN-AGE", "fields:MIN-CHAMP",
                                                          "address:MIN-ADRESSE", "contacts:MIN-CONTACT"}
    jump = move(app, tokens["contrib_a"], "off-complete", "published")
    assert jump.status_code == 409 and "Passage impossible" in jump.get_json()["error"]["message"]
    assert move(app, tokens["contrib_a"], "off-complete", "validated_professionals").status_code == 200
    assert move(app, tokens["contrib_a"], "off-complete", "validated_direction").status_code == 200
    assert move(app, tokens["contrib_a"], "off-complete", "published").status_code == 403
    assert move(app, tokens["coord_ara"], "off-complete", "published").status_code == 403
    published = move(app, tokens["coord_na"], "off-complete", "published")
    assert published.status_code == 200 and published.get_json()["status_label"] == "Publiée"
    row = graph.read("MATCH (o:Offer {id: 'off-complete'}) RETURN o.status AS status, "
                     "o.validated_professionals_by AS vp, o.validated_direction_by AS vd, o.published_by AS pub, "
                     "o.published_at IS NOT NULL AS dated")[0]
    assert row == {"status": "published", "vp": "contrib_a", "vd": "contrib_a", "pub": "coord_na", "dated": True}
    assert move(app, tokens["coord_na"], "off-complete", "draft").status_code == 200
    back = graph.read("MATCH (o:Offer {id: 'off-complete'}) RETURN o.status AS s, o.published_by AS pub, "
                      "o.returned_to_draft_by AS by")[0]
    assert back == {"s": "draft", "pub": None, "by": "coord_na"}
    steps = graph.read("MATCH (a:AuditEntry {target_id: 'off-complete', action: 'offer.status'}) "
                       "RETURN a.after AS after, a.actor AS actor ORDER BY a.at")
    assert [(s["actor"], json.loads(s["after"])) for s in steps] == [
        ("contrib_a", {"status": "validated_professionals"}), ("contrib_a", {"status": "validated_direction"}),
        ("coord_na", {"status": "published", "published_revision": 0}), ("coord_na", {"status": "draft"})]


def test_population_follow_up_table_csv_and_update(world):
    app, tokens = world
    client = app.test_client()
    bad = client.put("/api/v1/sites/400000011/population", headers=bearer(tokens["coord_na"]),
                     json={"launched_on": "2025-03-01", "ars_validated_on": "2025-01-01"})
    assert bad.status_code == 400 and "ars_validated_on" in bad.get_json()["error"]["fields"]
    ok = client.put("/api/v1/sites/400000011/population", headers=bearer(tokens["coord_na"]),
                    json={"launched_on": "2025-01-06", "trainings": ["2025-01-20", "2025-02-03"],
                          "ars_validated_on": "2025-04-16"})
    assert ok.status_code == 200
    rows = {r["finess"]: r for r in get(app, tokens["coord_na"], "/api/v1/population?region=75").get_json()["rows"]}
    a, b = rows["400000011"], rows["400000022"]
    assert (a["org_populated_pct"], a["units"], a["delay_days"]) == (50, 4, 100)
    assert a["trainings"] == ["2025-01-20", "2025-02-03"] and a["units_populated_pct"] == 50
    assert (b["org_populated_pct"], b["units_populated_pct"], b["delay_days"]) == (100, 0, None)
    exported = get(app, tokens["coord_na"], "/api/v1/population.csv?region=75")
    assert exported.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert table[0][0] == "FINESS" and ["400000011", "CH de Mont-de-Marsan (synthétique)", "40", "06/01/2025",
                                        "20/01/2025 03/02/2025", "50", "50", "4", "16/04/2025", "100"] in table
    entries = get(app, tokens["coord_na"], "/api/v1/audit?action=site.population").get_json()["entries"]
    assert len(entries) == 1 and entries[0]["after"]["population_ars_validated_on"] == "2025-04-16"



def test_population_follow_up_by_department(world):
    app, tokens = world
    whole = get(app, tokens["coord_na"], "/api/v1/population?region=75").get_json()["rows"]
    landes = get(app, tokens["coord_na"], "/api/v1/population?region=75&department=40").get_json()
    assert landes["department"] == "40" and landes["rows"]
    assert landes["rows"] == [r for r in whole if r["department_code"] == "40"]
    outside = get(app, tokens["coord_na"], "/api/v1/population?region=75&department=01")
    assert outside.status_code == 400 and "n'est pas dans la région 75" in outside.get_json()["error"]["message"]
    bad = get(app, tokens["coord_na"], "/api/v1/population?region=75&department=landes")
    assert bad.status_code == 400 and "department" in bad.get_json()["error"]["fields"]
    exported = get(app, tokens["coord_na"], "/api/v1/population.csv?region=75&department=40")
    assert 'filename="suivi-peuplement-75-40.csv"' in exported.headers["Content-Disposition"]

def worklist(app, token, queue, region="75"):
    return get(app, token, f"/api/v1/quality/regions/{region}/worklist?queue={queue}")


def test_an_edited_published_offer_stays_public_and_waits_in_the_coordinators_queue(world, graph):
    """Publishing records the description revision; a later edit keeps the offer public and puts it in the
    "modified since publication" queue until a coordinator of its région confirms (or un-publishes) it."""
    app, tokens = world
    coord, contrib = tokens["coord_na"], tokens["contrib_a"]
    for step in ("validated_professionals", "validated_direction"):
        assert move(app, contrib, "off-complete", step).status_code == 200
    waiting = worklist(app, coord, "validated_direction").get_json()
    assert set(waiting["counts"]) == {"validated_direction", "changed_since_publication", "validated_professionals",
                                      "draft"}
    assert waiting["counts"]["validated_direction"] == 1 and waiting["queue_label"] == "À publier"
    [item] = waiting["offers"]
    assert (item["report"]["offer_id"], item["site_finess"], item["updated_by"]) == ("off-complete", "400000011",
                                                                                     "contrib_a")
    assert item["report"]["completeness"] == 100 and item["report"]["blocking"] == 0
    assert move(app, coord, "off-complete", "published").status_code == 200
    assert worklist(app, coord, "validated_direction").get_json()["counts"]["validated_direction"] == 0
    assert worklist(app, coord, "changed_since_publication").get_json()["offers"] == []

    start = get(app, contrib, "/api/v1/offers/off-complete/description").get_json()["description"]["revision"]
    edited = app.test_client().patch("/api/v1/offers/off-complete", headers=bearer(contrib),
                                     json={"revision": start, "opening": "Lundi au vendredi, 8 h – 18 h"})
    assert edited.status_code == 200 and edited.get_json()["quality"]["changed_since_publication"] is True
    assert app.test_client().get("/api/v1/offers/off-complete").status_code == 200  # still public
    report = get(app, coord, "/api/v1/quality/offers/off-complete").get_json()
    assert report["status"] == "published" and report["changed_since_publication"] is True
    assert (report["published_revision"], report["revision"]) == (start, start + 1)
    assert report["next_statuses"] == ["draft", "published"]
    assert get(app, contrib, "/api/v1/quality/offers/off-complete").get_json()["next_statuses"] == []
    changed = worklist(app, coord, "changed_since_publication").get_json()
    assert [o["report"]["offer_id"] for o in changed["offers"]] == ["off-complete"]
    assert changed["counts"]["changed_since_publication"] == 1

    assert move(app, contrib, "off-complete", "published").status_code == 403
    stale = app.test_client().post("/api/v1/offers/off-complete/status", headers=bearer(coord),
                                   json={"to": "published", "revision": start})
    assert stale.status_code == 409 and "relisez" in stale.get_json()["error"]["message"]
    confirmed = app.test_client().post("/api/v1/offers/off-complete/status", headers=bearer(coord),
                                       json={"to": "published", "revision": start + 1})
    assert confirmed.status_code == 200 and confirmed.get_json()["before"] == "published"
    assert worklist(app, coord, "changed_since_publication").get_json()["counts"]["changed_since_publication"] == 0
    again = move(app, coord, "off-complete", "published")
    assert again.status_code == 409 and "Rien à confirmer" in again.get_json()["error"]["message"]
    entry = graph.read("MATCH (a:AuditEntry {target_id: 'off-complete', action: 'offer.status'}) "
                       "RETURN a.before AS before, a.after AS after, a.actor AS actor ORDER BY a.at DESC LIMIT 1")[0]
    assert entry["actor"] == "coord_na"
    assert json.loads(entry["before"]) == {"status": "published", "published_revision": start}
    assert json.loads(entry["after"]) == {"status": "published", "published_revision": start + 1}


def test_validation_queues_stay_in_the_coordinators_region(world):
    app, tokens = world
    assert worklist(app, tokens["coord_ara"], "draft").status_code == 403
    assert worklist(app, tokens["contrib_a"], "draft").status_code == 403
    assert worklist(app, tokens["admin"], "draft", region="84").status_code == 200
    bad = worklist(app, tokens["coord_na"], "nowhere")
    assert bad.status_code == 400 and "queue" in bad.get_json()["error"]["fields"]
    drafts = worklist(app, tokens["coord_na"], "draft").get_json()
    assert {o["report"]["offer_id"] for o in drafts["offers"]} == {"off-incomplete", "off-eoh"}
    assert all(o["site_name"] for o in drafts["offers"])


def test_nos_update_lists_offers_using_newly_retired_codes(world, graph, settings, tmp_path):
    source = settings.data_dir / "nos" / "ror_nomenclatures.csv.gz"
    with gzip.open(source, "rt", encoding="utf-8", newline="") as f:
        lines = f.read().splitlines()
    nos.update_nos(graph, settings.data_dir)  # the current version first: nothing newly retired by our edit yet
    changed = [";".join(p[:7] + ["20250101120000"]) if p[0].startswith("JDV_J19") and p[4] == "28" else line
               for line in lines for p in [line.split(";")]]
    assert changed != lines
    newer = tmp_path / "ror_nomenclatures.csv.gz"
    with gzip.open(newer, "wt", encoding="utf-8", newline="") as f:
        f.write("\n".join(changed) + "\n")
    report = nos.update_nos(graph, settings.data_dir, newer)
    assert report.newly_retired == ("J19|28",)
    assert {(u.offer_id, u.relation, u.code) for u in report.uses} == {
        ("off-a", "MODE", "28"), ("off-b", "MODE", "28"), ("off-complete", "MODE", "28")}
    app, tokens = world
    listed = get(app, tokens["analyst"], "/api/v1/nos/retired").get_json()["uses"]
    assert {"off-a", "off-b", "off-complete"} <= {u["offer_id"] for u in listed}

