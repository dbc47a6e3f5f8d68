"""The tension form of contributors (open, update, close with level, cause and corrective actions) on top of
the tension service, its scope, its audit entries, and the links to it and to the coordinators' live list."""

from __future__ import annotations

import pytest

from accounts.audit import count
from tests.integration.access_world import build_world, logged_in, make_app, token_of

pytestmark = pytest.mark.integration
FORM = "/contribution/etablissements/400000011/tension"


@pytest.fixture(scope="module")
def world(graph, search_client, engine_endpoints, settings):
    build_world(graph, engine_endpoints)
    return make_app(settings.replace(index_prefix="tensionform"), graph, search_client)


def alerts(graph):
    return graph.read("MATCH (:Site {finess: '400000011'})-[:HAS_TENSION]->(t) "
                      "RETURN t.id AS id, t.level AS level, t.cause AS cause, t.actions AS actions, t.open AS open")


def test_anonymous_nav_offers_login_and_contributor_nav_offers_the_space(world):
    anonymous = world.test_client().get("/").get_data(as_text=True)
    assert 'href="/connexion">Se connecter' in anonymous and "Espace professionnel" not in anonymous
    client = logged_in(world, "contrib_a")
    home = client.get("/espace").get_data(as_text=True)
    assert 'href="/espace">Espace professionnel' in home and FORM in home


def test_contributor_opens_updates_and_closes_an_alert(world, graph):
    client = logged_in(world, "contrib_a")
    page = client.get(FORM)
    assert page.status_code == 200 and "Aucune alerte ouverte" in page.get_data(as_text=True)
    token = token_of(page)
    before = count(graph)
    missing = client.post(FORM, data={"csrf_token": token, "action": "open", "level": "3", "cause": " "})
    assert missing.status_code == 400 and "Cause : à renseigner." in missing.get_data(as_text=True)
    assert alerts(graph) == [] and count(graph) == before
    opened = client.post(FORM, data={"csrf_token": token, "action": "open", "level": "3",
                                     "cause": "Afflux aux urgences (synthétique)", "actions": "Lits d'aval"})
    assert opened.status_code == 200 and "Alerte ouverte : Tension forte." in opened.get_data(as_text=True)
    [alert] = alerts(graph)
    assert (alert["level"], alert["open"], alert["actions"]) == (3, True, "Lits d'aval")
    updated = client.post(FORM, data={"csrf_token": token, "action": "update", "alert_id": alert["id"],
                                      "level": "4", "cause": "", "actions": "Plan blanc déclenché"})
    assert updated.status_code == 200 and "Alerte mise à jour : Crise." in updated.get_data(as_text=True)
    [alert] = alerts(graph)
    assert (alert["level"], alert["cause"], alert["actions"]) == (4, "Afflux aux urgences (synthétique)",
                                                                  "Plan blanc déclenché")
    closed = client.post(FORM, data={"csrf_token": token, "action": "close", "alert_id": alert["id"],
                                     "level": "", "cause": "", "actions": ""})
    assert closed.status_code == 200 and "Alerte close." in closed.get_data(as_text=True)
    assert alerts(graph)[0]["open"] is False
    assert [count(graph, a) for a in ("tension.open", "tension.update", "tension.close")] == [1, 1, 1]
    no_token = client.post(FORM, data={"action": "open", "level": "1", "cause": "x"})
    assert no_token.status_code == 403 and len(alerts(graph)) == 1


def test_form_is_refused_outside_the_contributor_scope(world, graph):
    other = logged_in(world, "contrib_c")
    assert other.get(FORM).status_code == 403
    coordinator = logged_in(world, "coord_na")
    assert coordinator.get(FORM).status_code == 403  # coordinators follow the live list, they do not raise alerts
    nav = coordinator.get("/espace").get_data(as_text=True)
    assert 'href="/coordination/tensions"' in nav
    client = logged_in(world, "contrib_a")
    token = token_of(client.get(FORM))
    graph.write("MATCH (s:Site {finess: '010000033'}) "
                "CREATE (s)-[:HAS_TENSION]->(:TensionAlert {id: 'tes-c', level: 2, cause: 'x', open: true})")
    foreign = client.post(FORM, data={"csrf_token": token, "action": "close", "alert_id": "tes-c"})
    assert foreign.status_code == 400 and "Alerte inconnue pour cet établissement" in foreign.get_data(as_text=True)
    assert graph.read("MATCH (t:TensionAlert {id: 'tes-c'}) RETURN t.open AS open")[0]["open"] is True
