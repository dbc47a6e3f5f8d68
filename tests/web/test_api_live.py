"""The JSON API and the pages on the real Neo4j + OpenSearch, seeded with the 01 / 2A / 971 fixture data."""

from __future__ import annotations

import re

import pytest
from openapi_schema_validator import OAS30Validator

from tests.web.seed import TIMINGS
from web.api import DECLARED

pytestmark = pytest.mark.integration
ERROR_KEYS = {"status", "code", "message", "fields"}


@pytest.fixture(scope="module")
def openapi(live_app):
    return live_app.test_client().get("/api/v1/openapi.json").get_json()


def conforms(openapi: dict, path: str, body: dict) -> None:
    """The body matches the 200 schema the OpenAPI document declares for `path`."""
    schema = openapi["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    OAS30Validator({**schema, "components": openapi["components"]}).validate(body)


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS and body["error"]["status"] == status
    return body["error"]


def test_seeding_timings_are_reported(seeded_settings):
    print("seeding (s):", TIMINGS)  # visible with -s / in CI logs
    assert seeded_settings.index_prefix == "webtest"


def test_specialist_opinion_near_belley_is_nearest_first(api, openapi):
    response = api.get("/api/v1/orientation/specialist-opinion?activity=cardiologie&where=Belley")
    assert response.status_code == 200
    body = response.get_json()
    conforms(openapi, "/api/v1/orientation/specialist-opinion", body)
    assert body["origin"]["commune_insee"] == "01034" and body["total"] >= 1
    assert "013" in {c["code"] for c in body["matched"]}
    distances = [h["distance_km"] for h in body["hits"]]
    assert distances == sorted(distances) and distances[-1] <= body["radius_km"]
    for h in body["hits"]:
        assert {c["code"] for c in h["activities"]} & {c["code"] for c in body["matched"]}
        assert h["synthetic"] is True
    assert body["hits"][0]["commune_insee"] == "01034"  # the Belley hospital itself comes first


@pytest.mark.parametrize("ep", [e for e in DECLARED if e.paginated], ids=lambda e: e.operation_id)
def test_every_search_endpoint_answers_with_its_declared_schema(api, openapi, ep):
    query = {"specialistOpinion": "activity=cardiologie&where=Belley",
             "actTeam": "act=0176&where=Belley&radius_km=100",
             "equipment": "equipment=IRM&where=Ajaccio&open_now=false",
             "beds": "activity=g%C3%A9riatrie&where=Bourg-en-Bresse&gender=women&include_stale=true",
             "search": "q=imagerie&department=971"}[ep.operation_id]
    body = api.get(f"{ep.openapi_path}?{query}").get_json()
    conforms(openapi, ep.openapi_path, body)
    assert body["links"]["self"].startswith(ep.openapi_path)


def test_next_links_walk_every_hit_exactly_once(api):
    url, seen, total = "/api/v1/search?q=imagerie&size=20", [], None
    for _ in range(30):
        body = api.get(url).get_json()
        total = body["total"]
        seen += [h["offer_id"] for h in body["hits"]]
        url = body["links"]["next"]
        if url is None:
            break
    assert total > 20, "the fixture should need several pages"
    assert len(seen) == len(set(seen)) == total
    again = api.get("/api/v1/search?size=20&q=imagerie").get_json()  # same criteria, other order → same link
    assert again["links"]["next"] == api.get("/api/v1/search?q=imagerie&size=20").get_json()["links"]["next"]


def test_autocomplete_offers_activities_and_communes(api, openapi):
    body = api.get("/api/v1/autocomplete?prefix=cardio&kinds=activity&limit=5").get_json()
    conforms(openapi, "/api/v1/autocomplete", body)
    assert body["suggestions"][0] == {"kind": "activity", "code": "013", "label": "Cardiologie générale",
                                      "detail": "activité", "note": "synonyme : « cardio » → cardiologie"}
    communes = api.get("/api/v1/autocomplete?prefix=bell&kinds=commune").get_json()["suggestions"]
    assert "01034" in {s["code"] for s in communes} and {s["kind"] for s in communes} == {"commune"}


def test_orientation_widens_and_says_why_in_the_api(api, openapi):
    body = api.get("/api/v1/orientation/act-team?act=thrombectomie&where=Aurillac").get_json()
    conforms(openapi, "/api/v1/orientation/act-team", body)
    widening = body["widening"]
    assert widening["mode"] == "nearest" and widening["time_critical"] and widening["radius_km"] is None
    assert [s["radius_km"] for s in widening["steps"]][-1] == 200 and widening["steps"][-1]["count"] == 0
    assert body["hits"] and body["hits"][0]["distance_km"] > 200
    assert widening["explanation"].startswith("Thrombectomie de l'AVC ischémique")
    fixed = api.get("/api/v1/orientation/act-team?act=thrombectomie&where=Aurillac&radius_km=30").get_json()
    assert fixed["widening"]["mode"] == "fixed" and fixed["total"] == 0
    wider = api.get("/api/v1/orientation/act-team?act=thrombectomie&where=Aurillac&radius_km=30&widen=true")
    assert wider.get_json()["widening"]["mode"] == "nearest"
    reach = body["hits"][0]["reachability"]
    assert reach["phone"] and reach["mailbox"] and reach["open_now"] is not None


def test_site_offer_and_professional_by_id(api, openapi):
    hit = api.get("/api/v1/orientation/specialist-opinion?activity=013&where=Belley&size=1").get_json()["hits"][0]
    site = api.get(f"/api/v1/sites/{hit['site_finess']}").get_json()
    conforms(openapi, "/api/v1/sites/{finess}", site)
    assert site["name"] == hit["site_name"] and hit["offer_id"] in {o["offer_id"] for o in site["offers"]}
    offer = api.get(f"/api/v1/offers/{hit['offer_id']}").get_json()
    conforms(openapi, "/api/v1/offers/{offer_id}", offer)
    assert offer["offer"]["offer_id"] == hit["offer_id"] and offer["professionals"]
    rpps = offer["professionals"][0]["rpps"]
    person = api.get(f"/api/v1/professionals/{rpps}").get_json()
    conforms(openapi, "/api/v1/professionals/{rpps}", person)
    assert person["synthetic"] is True and hit["offer_id"] in {r["offer_id"] for r in person["roles"]}


def test_errors_on_real_engines_have_the_one_shape(api):
    assert error_of(api.get("/api/v1/sites/019999999"), 404)["code"] == "not_found"
    error_of(api.get("/api/v1/offers/SYN-OFF-NOPE"), 404)
    error_of(api.get("/api/v1/professionals/SYN000000000"), 404)
    where = error_of(api.get("/api/v1/orientation/beds?activity=geriatrie&where=Zzyzxville"), 400)
    assert "where" in where["fields"]
    missing = error_of(api.get("/api/v1/orientation/act-team?where=Belley"), 400)
    assert missing["fields"] == {"act": "paramètre obligatoire"}
    error_of(api.get("/api/v1/search?q=imagerie&cursor=bm90LWpzb24"), 400)


def test_pages_show_real_results_with_badges_and_links(api):
    html = api.get("/?mode=specialist_opinion&quoi=cardiologie&ou=Belley").get_data(as_text=True)
    assert "CH HAUT BUGEY" in html and 'href="tel:0479425959"' in html and "04 79 42 59 59" in html
    assert "donnée synthétique" in html and "0,3 km" in html
    hit = api.get("/api/v1/orientation/specialist-opinion?activity=013&where=Belley&size=1").get_json()["hits"][0]
    offer_page = api.get(f"/offres/{hit['offer_id']}")
    assert offer_page.status_code == 200
    text = offer_page.get_data(as_text=True)
    assert "Provenance" in text and "generator" in text and "Professionnels et contacts" in text
    site_page = api.get(f"/etablissements/{hit['site_finess']}").get_data(as_text=True)
    assert "Organisation interne" in site_page and "Pôle" in site_page and "finess-2021-01" in site_page
    assert api.get("/etablissements/019999999").status_code == 404


def test_free_text_page_offers_facets_that_narrow_the_results(api):
    html = api.get("/?mode=text&quoi=imagerie").get_data(as_text=True)
    assert "Affiner les résultats" in html and "Département" in html
    match = re.search(r'href="(/\?[^"]*dep=971[^"]*)"', html)
    assert match, "a département facet link for 971"
    narrowed = api.get(match.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "Guadeloupe" in narrowed or "971" in narrowed
    total = int(re.search(r"\((\d+) unités?", html).group(1))  # cards are sites; the units matched are counted
    narrowed_total = int(re.search(r"\((\d+) unités?", narrowed).group(1))
    assert 0 < narrowed_total < total
