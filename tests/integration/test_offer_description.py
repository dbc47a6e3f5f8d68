"""Contributors edit an offer's description: NOS codes checked against the loaded nomenclature, scope, audit
before → after in the same transaction, index push, quality re-evaluated, stale edits refused."""

from __future__ import annotations

import re

import pytest

from accounts.audit import count
from tests.integration.access_world import bearer, build_world, logged_in, make_app, token_of

pytestmark = pytest.mark.integration
PREFIX = "desctest"


@pytest.fixture(scope="module")
def world(graph, search_client, engine_endpoints, settings):
    from search.indexer import Indexer

    tokens = build_world(graph, engine_endpoints, "quality", "publication")
    Indexer(graph, search_client, PREFIX).build()
    return make_app(settings.replace(index_prefix=PREFIX), graph, search_client), tokens


def patch(app, token, offer, body):
    return app.test_client().patch(f"/api/v1/offers/{offer}", json=body, headers=bearer(token))


def revision(app, token, offer) -> int:
    response = app.test_client().get(f"/api/v1/offers/{offer}/description", headers=bearer(token))
    assert response.status_code == 200
    return response.get_json()["description"]["revision"]


def codes(graph, offer, rel) -> list[str]:
    return [r["code"] for r in graph.read(f"MATCH (:Offer {{id: $o}})-[:{rel}]->(c) RETURN c.code AS code "
                                          "ORDER BY code", o=offer)]


def test_contributor_completes_a_description(world, graph, search_client):
    app, tokens = world
    audits = count(graph, "offer.update")
    body = {"revision": revision(app, tokens["contrib_a"], "off-incomplete"), "age_groups": ["06"],
            "fields": "01", "phone": "05 58 00 00 01", "email": "secretariat.memoire@ch-exemple.fr",
            "reception_modes": ["1"], "description": "Consultations pour troubles de la mémoire (synthétique)."}
    response = patch(app, tokens["contrib_a"], "off-incomplete", body)
    assert response.status_code == 200, response.get_json()
    out = response.get_json()
    assert out["indexed"] is True and out["description"]["revision"] == body["revision"] + 1
    assert sorted(out["changed"]) == ["age_groups", "description", "email", "fields", "phone", "reception_modes",
                                      "revision"]
    assert {a["rule"] for a in out["quality"]["anomalies"]} == {"MIN-ADRESSE"}  # age, field, contact fixed
    assert codes(graph, "off-incomplete", "FOR_AGE") == ["06"] and codes(graph, "off-incomplete", "RECEPTION") == ["1"]
    assert codes(graph, "off-incomplete", "PROVIDES") == ["047"]  # fields not sent are left alone
    assert count(graph, "offer.update") == audits + 1
    entry = graph.read("MATCH (a:AuditEntry {action: 'offer.update', target_id: 'off-incomplete'}) "
                       "RETURN a.before AS before, a.after AS after, a.actor AS actor, a.site_finess AS site")[0]
    assert entry["actor"] == "contrib_a" and entry["site"] == "400000011"
    assert '"age_groups": []' in entry["before"] and '"age_groups": ["06"]' in entry["after"]
    assert '"phone": null' in entry["before"] and '"phone": "05 58 00 00 01"' in entry["after"]
    search_client.indices.refresh(index=f"{PREFIX}-offers")
    doc = search_client.search(index=f"{PREFIX}-offers", body={"query": {"ids": {"values": ["off-incomplete"]}}})[
        "hits"]["hits"][0]["_source"]
    assert doc["age_group_codes"] == ["06"] and doc["field_codes"] == ["01"] and doc["phone"] == "05 58 00 00 01"


def test_stale_edit_is_refused_not_merged(world, graph):
    app, tokens = world
    start = revision(app, tokens["contrib_a"], "off-complete")
    first = patch(app, tokens["admin"], "off-complete", {"revision": start, "phone": "0558111111"})
    assert first.status_code == 200
    audits = count(graph, "offer.update")
    stale = patch(app, tokens["contrib_a"], "off-complete", {"revision": start, "phone": "0558222222"})
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert "modifiée entre-temps" in error["message"] and error["fields"]["revision"] == f"actuelle : {start + 1}"
    assert graph.read("MATCH (o:Offer {id: 'off-complete'}) RETURN o.phone AS p")[0]["p"] == "0558111111"
    assert count(graph, "offer.update") == audits
    missing = patch(app, tokens["contrib_a"], "off-complete", {"phone": "0558222222"})
    assert missing.status_code == 400 and "revision" in missing.get_json()["error"]["fields"]


def test_codes_are_checked_against_the_loaded_nomenclature(world, graph):
    app, tokens = world
    audits = count(graph, "offer.update")
    body = {"revision": revision(app, tokens["contrib_a"], "off-eoh"), "activities": ["063", "999"],
            "age_groups": ["99"], "care_modes": ["047"], "email": "pas-une-adresse", "colour": "bleu"}
    response = patch(app, tokens["contrib_a"], "off-eoh", body)
    assert response.status_code == 400
    fields = response.get_json()["error"]["fields"]
    assert fields["activities"] == "Activités opérationnelles : code inconnu de la nomenclature J17 : 999."
    assert fields["age_groups"] == ("Tranches d'âge : code retiré dans la version NOS chargée : "
                                    "99 (retiré le 01/01/2020).")
    assert "047" in fields["care_modes"] and "J19" in fields["care_modes"]  # an activity code is not a care mode
    assert "pas-une-adresse" in fields["email"] and fields["colour"] == "Champ inconnu : colour."
    assert codes(graph, "off-eoh", "PROVIDES") == ["063"] and count(graph, "offer.update") == audits


@pytest.mark.parametrize(("who", "status"), [("contrib_c", 403), ("coord_na", 403), ("reader", 403),
                                             ("analyst", 403), (None, 401)])
def test_only_contributors_of_the_site_may_edit(world, graph, who, status):
    app, tokens = world
    audits = count(graph, "offer.update")
    headers = bearer(tokens[who]) if who else {}
    response = app.test_client().patch("/api/v1/offers/off-eoh", json={"revision": 0, "phone": "0558333333"},
                                       headers=headers)
    assert response.status_code == status
    read = app.test_client().get("/api/v1/offers/off-eoh/description", headers=headers)
    assert read.status_code == status
    assert count(graph, "offer.update") == audits


def test_description_form_saves_and_shows_the_quality_report(world, graph):
    app, _ = world
    client = logged_in(app, "contrib_a")
    home = client.get("/espace").get_data(as_text=True)
    assert "/contribution/offres/off-eoh/description" in home and "Espace professionnel" in home
    page = client.get("/contribution/offres/off-eoh/description")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="revision" value="' in text and "063" in text
    current = int(re.search(r'name="revision" value="(\d+)"', text).group(1))
    no_csrf = client.post("/contribution/offres/off-eoh/description", data={"revision": current, "acts": "0909"})
    assert no_csrf.status_code == 403
    token = token_of(page)
    bad = client.post("/contribution/offres/off-eoh/description",
                      data={"csrf_token": token, "revision": current, "acts": "0909, 12345"})
    assert bad.status_code == 400
    assert "codes inconnus de la nomenclature J16 : 0909, 12345" in bad.get_data(as_text=True)
    saved = client.post("/contribution/offres/off-eoh/description",
                        data={"csrf_token": token, "revision": current, "email": "eoh@ch-exemple.fr", "acts": ""})
    body = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "Description enregistrée" in body and "Qualité de la description" in body
    assert "IAS-BAL" not in body and "BAL-GENERIQUE" not in body and "IAS-ACTES" in body
    assert graph.read("MATCH (o:Offer {id: 'off-eoh'}) RETURN o.email AS e")[0]["e"] == "eoh@ch-exemple.fr"
    stale = client.post("/contribution/offres/off-eoh/description",
                        data={"csrf_token": token, "revision": current, "email": "autre@ch-exemple.fr"})
    assert stale.status_code == 409 and "modifiée entre-temps" in stale.get_data(as_text=True)


def test_contributor_declares_a_new_unit_and_is_told_what_is_missing(world, graph):
    app, tokens = world
    client = app.test_client()
    audits = count(graph, "offer.create")
    created = client.post("/api/v1/sites/400000011/offers", json={"name": "Hôpital de jour gériatrique"},
                          headers=bearer(tokens["contrib_a"]))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    offer_id = body["description"]["offer_id"]
    assert re.fullmatch(r"OFF-400000011-[0-9A-F]{8}", offer_id)
    assert created.headers["Location"].endswith(f"/api/v1/offers/{offer_id}/description")
    assert (body["description"]["status"], body["description"]["revision"]) == ("draft", 0)
    assert {"MIN-ACTIVITE", "MIN-MODE", "MIN-AGE", "MIN-CHAMP"} <= {a["rule"] for a in body["quality"]["anomalies"]}
    assert count(graph, "offer.create") == audits + 1
    entry = graph.read("MATCH (a:AuditEntry {action: 'offer.create', target_id: $id}) "
                       "RETURN a.actor AS actor, a.site_finess AS site, a.region_code AS region", id=offer_id)
    assert entry == [{"actor": "contrib_a", "site": "400000011", "region": "75"}]
    assert client.get(f"/api/v1/offers/{offer_id}").status_code == 404  # a draft is not public
    described = patch(app, tokens["contrib_a"], offer_id, {"revision": 0, "activities": ["047"], "care_modes": ["28"],
                                                           "age_groups": ["06"], "fields": ["01"]})
    assert described.status_code == 200 and described.get_json()["description"]["revision"] == 1
    assert not {"MIN-ACTIVITE", "MIN-MODE", "MIN-AGE", "MIN-CHAMP"} & {
        a["rule"] for a in described.get_json()["quality"]["anomalies"]}

    for who, status in (("contrib_c", 403), ("coord_na", 403), ("reader", 403)):
        refused = client.post("/api/v1/sites/400000011/offers", json={"name": "X"}, headers=bearer(tokens[who]))
        assert refused.status_code == status
    unknown = client.post("/api/v1/sites/999999999/offers", json={"name": "X"}, headers=bearer(tokens["admin"]))
    assert unknown.status_code == 404
    empty = client.post("/api/v1/sites/400000011/offers", json={"name": "  "}, headers=bearer(tokens["contrib_a"]))
    assert empty.status_code == 400 and "name" in empty.get_json()["error"]["fields"]
    extra = client.post("/api/v1/sites/400000011/offers", json={"name": "Y", "status": "published"},
                        headers=bearer(tokens["contrib_a"]))
    assert extra.status_code == 400 and "status" in extra.get_json()["error"]["fields"]
    assert count(graph, "offer.create") == audits + 1


def test_new_unit_from_the_professional_space(world, graph):
    client = logged_in(world[0], "contrib_a")
    home = client.get("/espace")
    assert "Déclarer une nouvelle offre" in home.get_data(as_text=True)
    empty = client.post("/contribution/etablissements/400000011/offres", data={"csrf_token": token_of(home),
                                                                                "name": ""})
    assert empty.status_code == 400 and "data-create-error" in empty.get_data(as_text=True)
    made = client.post("/contribution/etablissements/400000011/offres",
                       data={"csrf_token": token_of(home), "name": "Équipe mobile de gériatrie"})
    assert made.status_code == 302 and "nouvelle=1" in made.headers["Location"]
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "Offre créée en brouillon." in page and "Équipe mobile de gériatrie" in page and "MIN-ACTIVITE" in page
    assert graph.read("MATCH (:Site {finess: '400000011'})-[:OFFERS]->(o:Offer {name: 'Équipe mobile de gériatrie'}) "
                      "RETURN o.status AS s, o.created_by AS by") == [{"s": "draft", "by": "contrib_a"}]
    other = client.post("/contribution/etablissements/010000033/offres", data={"csrf_token": token_of(home),
                                                                                "name": "Hors périmètre"})
    assert other.status_code == 403
