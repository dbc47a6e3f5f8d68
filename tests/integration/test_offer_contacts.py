"""Contributors edit the contacts of an offer (function J220, nature J221, e-mail, phone of each role): NOS codes
checked, scope, optimistic revision, audit before → after, quality re-evaluated, FHIR tombstones for removed roles
of published offers; the same through the description page."""

from __future__ import annotations

import json

import pytest

from accounts.audit import count
from tests.integration.access_world import bearer, build_world, logged_in, make_app, token_of

pytestmark = pytest.mark.integration
PREFIX = "contacttest"
CONCEPTS = """
CREATE (:Concept:ContactFunction {key: 'J220|10', value_set: 'J220', code: '10', label: 'Cadre de santé'}),
  (:Concept:ContactFunction {key: 'J220|23', value_set: 'J220', code: '23',
    label: 'Référent en hygiène (synthétique)'}),
  (:Concept:ContactFunction {key: 'J220|R9', value_set: 'J220', code: 'R9', label: 'Fonction retirée (test)',
    retired_on: date('2020-01-01')}),
  (:Concept:ContactNature {key: 'J221|07', value_set: 'J221', code: '07', label: 'Secrétariat'}),
  (:Professional {rpps: 'SYN0000100', first_name: 'Paul', last_name: 'Hygiène', synthetic: true})
"""


@pytest.fixture(scope="module")
def world(graph, search_client, engine_endpoints, settings):
    from search.indexer import Indexer

    tokens = build_world(graph, engine_endpoints, "quality", "publication")
    graph.write(CONCEPTS)
    Indexer(graph, search_client, PREFIX).build()
    return make_app(settings.replace(index_prefix=PREFIX), graph, search_client), tokens


def contacts(app, token, offer):
    return app.test_client().get(f"/api/v1/offers/{offer}/contacts", headers=bearer(token))


def put(app, token, offer, rpps, body):
    return app.test_client().put(f"/api/v1/offers/{offer}/contacts/{rpps}", json=body, headers=bearer(token))


def revision(app, token, offer) -> int:
    return contacts(app, token, offer).get_json()["contacts"]["revision"]


def rules(answer) -> set[str]:
    return {a["rule"] for a in answer["quality"]["anomalies"]}


def test_contributor_adds_the_hygiene_referent_the_rules_ask_for(world, graph):
    app, tokens = world
    token = tokens["contrib_a"]
    listed = contacts(app, token, "off-eoh").get_json()
    assert listed["contacts"]["contacts"] == []
    assert [c["code"] for c in listed["choices"]["function"]] == ["10", "23"]  # the retired R9 is not offered
    assert [c["code"] for c in listed["choices"]["nature"]] == ["07"]
    start = listed["contacts"]["revision"]
    audits = count(graph, "offer.contact_created")
    added = put(app, token, "off-eoh", "SYN0000100", {"revision": start, "function": "23", "nature": "07",
                                                     "email": "eoh@ch-exemple.fr"})
    assert added.status_code == 201, added.get_json()
    body = added.get_json()
    assert body["action"] == "created" and body["indexed"] is True
    assert body["contacts"]["revision"] == start + 1
    [contact] = body["contacts"]["contacts"]
    assert contact == {"rpps": "SYN0000100", "name": "Paul Hygiène", "function": "23",
                       "function_label": "Référent en hygiène (synthétique)", "nature": "07",
                       "nature_label": "Secrétariat", "email": "eoh@ch-exemple.fr", "phone": None}
    assert not {"IAS-FONCTIONS", "IAS-NATURE"} & rules(body)
    assert count(graph, "offer.contact_created") == audits + 1
    entry = graph.read("MATCH (a:AuditEntry {action: 'offer.contact_created', target_id: 'off-eoh'}) "
                       "RETURN a.before AS before, a.after AS after, a.actor AS actor")[0]
    assert entry["actor"] == "contrib_a"
    assert json.loads(entry["before"]) == {"rpps": "SYN0000100", "revision": start}
    assert json.loads(entry["after"]) == {"rpps": "SYN0000100", "function": "23", "nature": "07",
                                          "email": "eoh@ch-exemple.fr", "phone": None, "revision": start + 1}

    phone = put(app, token, "off-eoh", "SYN0000100", {"revision": start + 1, "phone": "05 58 00 00 23"})
    assert phone.status_code == 200 and phone.get_json()["action"] == "updated"
    assert phone.get_json()["contacts"]["contacts"][0]["function"] == "23"  # fields not sent are left alone
    cleared = put(app, token, "off-eoh", "SYN0000100", {"revision": start + 2, "function": ""})
    assert cleared.get_json()["contacts"]["contacts"][0]["function"] is None
    assert "IAS-FONCTIONS" in rules(cleared.get_json())
    assert graph.read("MATCH (:Professional {rpps: 'SYN0000100'})-[w:WORKS_IN]->(:Offer {id: 'off-eoh'}) "
                      "RETURN w.function AS f, w.phone AS p") == [{"f": None, "p": "05 58 00 00 23"}]


def test_bad_contacts_are_refused_naming_each_field_and_nothing_is_written(world, graph):
    app, tokens = world
    token = tokens["contrib_a"]
    start = revision(app, token, "off-complete")
    before = graph.read("MATCH ()-[w:WORKS_IN]->(:Offer {id: 'off-complete'}) RETURN properties(w) AS p")
    bad = put(app, token, "off-complete", "SYN0000099", {"revision": start, "function": "99", "nature": "23",
                                                         "email": "pas-une-adresse", "colour": "bleu"})
    assert bad.status_code == 400
    fields = bad.get_json()["error"]["fields"]
    assert fields["function"] == "Fonction du contact : code inconnu de la nomenclature J220 : 99."
    assert "J221" in fields["nature"] and "pas-une-adresse" in fields["email"]
    assert fields["colour"] == "Champ inconnu : colour."
    retired = put(app, token, "off-complete", "SYN0000099", {"revision": start, "function": "R9"})
    assert "retiré" in retired.get_json()["error"]["fields"]["function"]
    assert put(app, token, "off-complete", "SYN0000099", {"revision": start}).status_code == 400  # nothing to do
    unknown = put(app, token, "off-complete", "SYN9999999", {"revision": start, "function": "10"})
    assert unknown.status_code == 404 and "SYN9999999" in unknown.get_json()["error"]["message"]
    stale = put(app, token, "off-complete", "SYN0000099", {"revision": start + 5, "function": "23"})
    assert stale.status_code == 409 and "rechargez" in stale.get_json()["error"]["message"]
    missing = app.test_client().delete("/api/v1/offers/off-complete/contacts/SYN0000099", headers=bearer(token))
    assert missing.status_code == 400 and "revision" in missing.get_json()["error"]["fields"]
    assert graph.read("MATCH ()-[w:WORKS_IN]->(:Offer {id: 'off-complete'}) RETURN properties(w) AS p") == before
    assert revision(app, token, "off-complete") == start


@pytest.mark.parametrize(("who", "status"), [("contrib_c", 403), ("coord_na", 403), ("reader", 403),
                                             ("analyst", 403), ("admin", 200)])
def test_only_contributors_of_the_site_and_admins_edit_contacts(world, who, status):
    app, tokens = world
    assert contacts(app, tokens[who], "off-complete").status_code == status
    start = revision(app, tokens["contrib_a"], "off-complete")
    answer = put(app, tokens[who], "off-complete", "SYN0000099", {"revision": start, "phone": "05 58 00 00 97"})
    assert answer.status_code == status
    assert app.test_client().put("/api/v1/offers/off-complete/contacts/SYN0000099",
                                 json={"revision": start, "phone": "1"}).status_code == 401


def test_removing_a_role_of_a_published_offer_leaves_a_fhir_tombstone_until_it_comes_back(world, graph):
    app, tokens = world
    token = tokens["contrib_a"]
    tomb = ("MATCH (t:Tombstone {resource_type: 'PractitionerRole', resource_id: 'SYN0000099.off-a'}) "
            "RETURN t.reason AS reason")
    start = revision(app, token, "off-a")
    removed = app.test_client().delete(f"/api/v1/offers/off-a/contacts/SYN0000099?revision={start}",
                                       headers=bearer(token))
    assert removed.status_code == 200 and removed.get_json()["action"] == "removed"
    assert removed.get_json()["contacts"]["contacts"] == []
    assert removed.get_json()["quality"]["changed_since_publication"] is True  # the coordinators will see it
    assert graph.read(tomb) == [{"reason": "role.removed"}]
    dated = graph.read("MATCH (p:Professional {rpps: 'SYN0000099'}) "
                       "RETURN p.updated_at >= datetime() - duration('PT1M') AS recent")
    assert dated == [{"recent": True}]  # its Practitioner is re-exported by the next delta
    assert graph.read("MATCH (p:Professional {rpps: 'SYN0000099'}) RETURN count(p) AS n") == [{"n": 1}]
    again = app.test_client().delete(f"/api/v1/offers/off-a/contacts/SYN0000099?revision={start + 1}",
                                     headers=bearer(token))
    assert again.status_code == 404
    back = put(app, token, "off-a", "SYN0000099", {"revision": start + 1, "function": "10"})
    assert back.status_code == 201 and graph.read(tomb) == []
    fhir = app.test_client().get("/fhir/PractitionerRole/SYN0000099.off-a")
    assert fhir.status_code == 200 and fhir.get_json()["resourceType"] == "PractitionerRole"


def test_the_description_page_edits_adds_and_removes_contacts(world, graph):
    client = logged_in(world[0], "contrib_a")
    page = client.get("/contribution/offres/off-complete/description")
    text = page.get_data(as_text=True)
    assert "Contacts de l'offre" in text and 'data-contact="SYN0000099"' in text and "Ajouter un contact" in text
    start = graph.read("MATCH (o:Offer {id: 'off-complete'}) RETURN coalesce(o.revision, 0) AS r")[0]["r"]
    form = {"csrf_token": token_of(page), "revision": str(start), "rpps": "SYN0000099"}
    bad = client.post("/contribution/offres/off-complete/contacts",
                      data={**form, "action": "save", "function": "10", "nature": "", "email": "x@", "phone": ""})
    assert bad.status_code == 400 and "Contact invalide" in bad.get_data(as_text=True)
    saved = client.post("/contribution/offres/off-complete/contacts",
                        data={**form, "action": "save", "function": "23", "nature": "07",
                              "email": "hygiene@ch-exemple.fr", "phone": "05 58 00 00 10"})
    assert saved.status_code == 200 and "Contact enregistré (SYN0000099)." in saved.get_data(as_text=True)
    assert graph.read("MATCH (:Professional {rpps: 'SYN0000099'})-[w:WORKS_IN]->(:Offer {id: 'off-complete'}) "
                      "RETURN w.function AS f, w.nature AS n, w.email AS e") == [
        {"f": "23", "n": "07", "e": "hygiene@ch-exemple.fr"}]
    added = client.post("/contribution/offres/off-complete/contacts",
                        data={**form, "revision": str(start + 1), "rpps": "SYN0000100", "action": "save",
                              "function": "10"})
    assert "Contact ajouté (SYN0000100)." in added.get_data(as_text=True)
    removed = client.post("/contribution/offres/off-complete/contacts",
                          data={**form, "revision": str(start + 2), "rpps": "SYN0000100", "action": "remove"})
    assert "Contact retiré (SYN0000100)." in removed.get_data(as_text=True)
    stale = client.post("/contribution/offres/off-complete/contacts",
                        data={**form, "action": "remove"})
    assert stale.status_code == 409 and "modifiée entre-temps" in stale.get_data(as_text=True)
