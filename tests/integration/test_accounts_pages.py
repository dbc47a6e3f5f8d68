"""The professional pages: login form with CSRF and rate limit, redirects, capacity form with French errors,
coordinator pages within their région, quality page with workflow buttons."""

from __future__ import annotations

import pytest

from tests.integration.access_world import PASSWORD, build_world, logged_in, make_app, token_of, until_ready

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def world(graph, search_client, engine_endpoints, settings):
    build_world(graph, engine_endpoints, "quality")
    return make_app(settings.replace(index_prefix="pagestest"), graph, search_client)


def test_login_form_needs_csrf_and_right_password(world):
    client = world.test_client()
    no_token = client.post("/connexion", data={"username": "contrib_a", "password": PASSWORD})
    assert no_token.status_code == 403 and "Jeton de sécurité" in no_token.get_data(as_text=True)
    token = token_of(client.get("/connexion"))
    wrong = client.post("/connexion", data={"username": "contrib_a", "password": "x" * 12, "csrf_token": token})
    assert wrong.status_code == 401 and "Identifiant ou mot de passe incorrect" in wrong.get_data(as_text=True)
    offsite = client.post("/connexion", data={"username": "contrib_a", "password": PASSWORD, "csrf_token": token,
                                              "suivant": "https://ailleurs.example/"})
    assert offsite.status_code == 302 and offsite.headers["Location"].endswith("/espace")


def test_anonymous_visitors_are_sent_to_the_login_form(world):
    response = world.test_client().get("/coordination/capacites?region=75")
    assert response.status_code == 302 and "/connexion?suivant=" in response.headers["Location"]


def test_contributor_updates_capacity_through_the_form(world, graph):
    client = logged_in(world, "contrib_a")
    home = client.get("/espace").get_data(as_text=True)
    assert "Gériatrie aiguë A" in home and "Gériatrie B" not in home
    form = client.get("/contribution/lieux/pl-a/capacite")
    assert form.status_code == 200 and "jamais saisie" in form.get_data(as_text=True)
    refused = client.post("/contribution/lieux/pl-a/capacite",
                          data={"csrf_token": token_of(form), "available_women": "13", "available_men": ""})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Lits disponibles (femmes) : ne peut pas dépasser les lits installés (12)." in text
    saved = client.post("/contribution/lieux/pl-a/capacite",
                        data={"csrf_token": token_of(form), "available_women": "3", "available_men": "2",
                              "crisis_type": "canicule", "note": "Saisie depuis le formulaire"})
    assert saved.status_code == 200 and "Saisie enregistrée" in saved.get_data(as_text=True)
    row = graph.read("MATCH (:Place {id: 'pl-a'})-[:HAS_CAPACITY]->(k {latest: true}) "
                     "RETURN k.available_total AS total, k.updated_by AS by")[0]
    assert row == {"total": 5, "by": "contrib_a"}
    other = client.post("/contribution/lieux/pl-c/capacite", data={"csrf_token": token_of(form),
                                                                  "available_men": "1"})
    assert other.status_code == 403


def test_coordinator_pages_stay_in_their_region(world):
    client = logged_in(world, "coord_na")
    board = until_ready(client, "/coordination/capacites")
    assert board.status_code == 200 and "Gériatrie" in board.get_data(as_text=True)
    assert client.get("/coordination/capacites?region=84").status_code == 403
    population = until_ready(client, "/coordination/peuplement").get_data(as_text=True)
    assert "CH de Mont-de-Marsan (synthétique)" in population and "CH de Bourg" not in population
    journal = client.get("/coordination/journal").get_data(as_text=True)
    assert "capacity.update" in journal and "pl-a" in journal
    assert client.get("/coordination/tensions").status_code == 200
    reader = logged_in(world, "reader")
    assert reader.get("/coordination/capacites").status_code == 403


def test_quality_page_moves_an_offer_along_the_workflow(world, graph):
    client = logged_in(world, "contrib_a")
    page = client.get("/qualite/offres/off-incomplete")
    text = page.get_data(as_text=True)
    assert 'data-rule="MIN-AGE"' in text and "Passer à « Validée par les professionnels »" in text
    assert "Tranches d&#39;âge" in text and "age_groups" not in text  # the field named in French, not its key
    refused = client.post("/qualite/offres/off-incomplete", data={"csrf_token": token_of(page),
                                                                  "to": "validated_professionals"})
    assert "Description incomplète" in refused.get_data(as_text=True)
    done = client.post("/qualite/offres/off-complete", data={"csrf_token": token_of(page),
                                                            "to": "validated_professionals"})
    assert "Statut : Validée par les professionnels." in done.get_data(as_text=True)
    assert graph.read("MATCH (o:Offer {id: 'off-complete'}) RETURN o.status AS s")[0]["s"] == "validated_professionals"


def test_coordinator_reviews_an_edited_published_offer_from_the_validation_page(world, graph):
    contrib = logged_in(world, "contrib_a")
    form = contrib.get("/contribution/offres/off-a/description")
    revision = graph.read("MATCH (o:Offer {id: 'off-a'}) RETURN coalesce(o.revision, 0) AS r")[0]["r"]
    saved = contrib.post("/contribution/offres/off-a/description",
                         data={"csrf_token": token_of(form), "revision": str(revision), "phone": "05 58 00 00 09"})
    assert saved.status_code == 200 and "L'offre reste publiée" in saved.get_data(as_text=True)

    coord = logged_in(world, "coord_na")
    assert 'href="/coordination/validation"' in coord.get("/espace").get_data(as_text=True)
    queue = coord.get("/coordination/validation?file=changed_since_publication")
    text = queue.get_data(as_text=True)
    assert queue.status_code == 200 and "Validation des offres — région 75" in text
    assert 'data-offer="off-a"' in text and "Modifiées depuis leur publication (1)" in text
    assert f"{revision + 1} (publiée : 0)" in text and "par contrib_a" in text
    page = coord.get("/qualite/offres/off-a")
    body = page.get_data(as_text=True)
    assert "Description modifiée depuis sa publication" in body
    assert f"Confirmer la publication de la révision {revision + 1}" in body
    refused = coord.post("/qualite/offres/off-a", data={"csrf_token": token_of(page), "to": "published",
                                                        "revision": str(revision + 1)})
    assert "Description incomplète" in refused.get_data(as_text=True)  # off-a misses its age group and field
    assert graph.read("MATCH (o:Offer {id: 'off-a'}) RETURN o.published_revision AS p")[0]["p"] is None
    assert 'data-offer="off-a"' in coord.get("/coordination/validation?file=changed_since_publication").get_data(
        as_text=True)
    back = coord.post("/qualite/offres/off-a", data={"csrf_token": token_of(page), "to": "draft",
                                                     "revision": str(revision + 1)})
    assert "Statut : Brouillon." in back.get_data(as_text=True)
    assert world.test_client().get("/api/v1/offers/off-a").status_code == 404  # no longer public
    drafts = coord.get("/coordination/validation?file=draft").get_data(as_text=True)
    assert 'data-offer="off-a"' in drafts and "Modifiées depuis leur publication (0)" in drafts
    assert coord.get("/coordination/validation?region=84").status_code == 403
    assert contrib.get("/coordination/validation").status_code == 403
    assert coord.get("/coordination/validation?file=inconnue").status_code == 400


def test_population_page_filters_by_department(world):
    client = logged_in(world, "coord_na")
    page = until_ready(client, "/coordination/peuplement?region=75&departement=40").get_data(as_text=True)
    assert "Suivi du peuplement — Nouvelle-Aquitaine, département 40" in page
    assert '<option value="40" selected>40 Landes</option>' in page and "CH de Mont-de-Marsan (synthétique)" in page
    assert "/api/v1/population.csv?region=75&amp;department=40" in page
    assert client.get("/coordination/peuplement?region=75&departement=01").status_code == 400
