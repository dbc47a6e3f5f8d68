"""The web layer without engines: one error shape everywhere, security headers, pages, engines down → 503."""

from __future__ import annotations

import pytest

from core.settings import Settings
from engines import process
from tests.web.fakes import FakeOrientation
from web import create_app, pages
from web.api import DECLARED
from web.services import close, services

ERROR_KEYS = {"status", "code", "message", "fields"}


@pytest.fixture
def fake():
    return FakeOrientation(total=45)


@pytest.fixture
def app(fake, monkeypatch):
    app = create_app(Settings.from_env(cors_origins="https://outil.example"))
    services(app)._orientation = fake
    services(app).probe = False
    monkeypatch.setattr(pages, "switchboards", lambda finess: {})  # no graph here
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def assert_error(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS
    assert body["error"]["status"] == status
    assert "Traceback" not in response.get_data(as_text=True)
    if field:
        assert field in body["error"]["fields"], body
    return body["error"]


def example_url(ep, **overrides) -> str:
    """A valid URL for an endpoint: required params filled with a plausible value."""
    path = ep.rule
    query = []
    for p in ep.params:
        value = overrides.get(p.name, p.example if p.example is not None else "013")
        if p.location == "path":
            path = path.replace(f"<{p.name}>", str(value))
        elif p.required or p.name in overrides:
            query.append(f"{p.name}={value}")
    return "/api/v1" + path + ("?" + "&".join(query) if query else "")


@pytest.mark.parametrize("ep", DECLARED, ids=lambda ep: ep.operation_id)
def test_every_endpoint_names_the_bad_field(client, ep):
    """Each endpoint has at least one constrained parameter; violating it gives 400 naming it."""
    param = next(p for p in ep.params if p.required or p.pattern or p.minimum is not None or p.enum)
    bad = {"integer": "abc", "number": "abc", "boolean": "peut-être"}.get(param.type, "%%%" if param.pattern else "")
    if param.enum:
        bad = "inconnu"
    url = example_url(ep, **{param.name: bad})
    if param.required and param.location == "query" and not param.pattern and not param.enum:
        url = example_url(ep).replace(f"{param.name}={param.example or '013'}", "")
    assert_error(client.get(url), 400, param.name)


@pytest.mark.parametrize("ep", DECLARED, ids=lambda ep: ep.operation_id)
def test_every_endpoint_refuses_other_methods_with_the_error_shape(client, ep):
    assert_error(client.post(example_url(ep)), 405)


def test_unknown_api_path_and_oversized_request(client):
    assert_error(client.get("/api/v1/nothing-here"), 404)
    assert_error(client.get("/api/v1/search?q=" + "a" * 5000), 400, "query")
    assert_error(client.post("/api/v1/search", data=b"x" * 100_000), 413)


def test_unknown_site_and_offer_are_404(client):
    assert assert_error(client.get("/api/v1/sites/010000024"), 404)["code"] == "not_found"
    assert_error(client.get("/api/v1/offers/OFF-404"), 404)


def test_orientation_result_has_stable_next_links(client, fake):
    first = client.get("/api/v1/orientation/specialist-opinion?where=Belley&activity=cardio&size=20").get_json()
    assert first["total"] == 45 and len(first["hits"]) == 20
    assert first["links"]["next"] == ("/api/v1/orientation/specialist-opinion?activity=cardio&size=20"
                                      "&where=Belley&page=2")
    second = client.get(first["links"]["next"]).get_json()
    third = client.get(second["links"]["next"]).get_json()
    assert [h["offer_id"] for h in third["hits"]] == [f"OFF-{i}" for i in range(41, 46)]
    assert third["links"]["next"] is None
    assert fake.queries[0].where.text == "Belley" and fake.queries[0].activity == "cardio"


def test_service_errors_keep_the_shape_and_the_field(client):
    err = assert_error(client.get("/api/v1/orientation/beds?activity=geriatrie&where=Nullepart"), 400, "where")
    assert err["message"] == "Lieu inconnu : Nullepart."


def test_lat_without_lon_names_lon(client):
    assert_error(client.get("/api/v1/orientation/equipment?equipment=IRM&lat=43.4"), 400, "lon")


def test_security_headers_and_cors(client):
    response = client.get("/api/v1/autocomplete?prefix=card", headers={"Origin": "https://outil.example"})
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Access-Control-Allow-Origin"] == "https://outil.example"
    other = client.get("/api/v1/autocomplete?prefix=card", headers={"Origin": "https://autre.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options("/api/v1/search", headers={"Origin": "https://outil.example",
                                                          "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, OPTIONS"


def test_tile_host_is_allowed_in_csp_only_when_configured():
    app = create_app(Settings.from_env(tile_url="https://{s}.tiles.example.org/{z}/{x}/{y}.png"))
    csp = app.test_client().get("/").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tiles.example.org;" in csp


def test_pages_render_french_cards_with_badges(client):
    html = client.get("/?mode=specialist_opinion&quoi=cardio&ou=Belley").get_data(as_text=True)
    assert 'lang="fr"' in html and "1 établissement" in html and "45 unités" in html  # one card per site
    assert 'href="tel:0479420001"' in html  # contact phone as tel: link
    assert "3,5 km" in html  # one decimal, French comma
    assert "donnée synthétique" in html and "périmée" in html and "Tension niveau 2" in html
    assert "<script>" not in html and " style=" not in html  # nothing inline (CSP)
    assert 'rel="next"' in html and "rayon=60" in html


def test_page_errors_are_french_and_name_the_field(client):
    response = client.get("/?mode=beds&quoi=geriatrie&ou=Belley&rayon=9999")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Rayon (km)" in html and "inférieur ou égal à 500" in html
    missing = client.get("/etablissements/XX")
    assert missing.status_code == 400 and "Traceback" not in missing.get_data(as_text=True)


def test_engines_down_gives_503_json_and_a_french_banner():
    port = process.free_port()
    settings = Settings.from_env(neo4j_uri=f"bolt://127.0.0.1:{port}", opensearch_url=f"http://127.0.0.1:{port}")
    app = create_app(settings)
    client = app.test_client()
    try:
        _check_engines_down(client)
    finally:
        close(app)


def _check_engines_down(client):
    err = assert_error(client.get("/api/v1/orientation/act-team?act=thrombectomie&where=Belley"), 503)
    assert err["code"] == "service_unavailable"
    assert_error(client.get("/api/v1/health"), 503)
    page = client.get("/?quoi=cardio&ou=Belley")
    assert page.status_code == 503
    html = page.get_data(as_text=True)
    assert "Service momentanément indisponible" in html and "Traceback" not in html
    assert client.get("/").status_code == 200  # the empty form still works


def test_offline_basemap_is_small_and_has_both_layers(client):
    response = client.get("/carte/fond.geojson")
    body = response.get_json()
    layers = {f["properties"]["layer"] for f in body["features"]}
    assert layers == {"departement", "region"} and len(body["features"]) == 101 + 18
    assert len(response.data) < 1_000_000


class BrokenOrientation(FakeOrientation):
    def equipment(self, q):
        raise RuntimeError("secret internal detail /srv/app.py line 12")


def test_unexpected_errors_are_500_without_any_internal_detail():
    app = create_app(Settings.from_env())
    services(app)._orientation = BrokenOrientation()
    services(app).probe = False
    client = app.test_client()
    err = assert_error(client.get("/api/v1/orientation/equipment?equipment=IRM&where=Belley"), 500)
    assert err == {"status": 500, "code": "internal_error", "message": "Erreur interne du serveur.", "fields": {}}
    page = client.get("/?mode=equipment&quoi=IRM&ou=Belley")
    assert page.status_code == 500
    assert "secret internal detail" not in page.get_data(as_text=True)
    assert "Erreur interne" in page.get_data(as_text=True)
