"""Detail pages rendered from typed results (stand-in service), and the small formatting helpers."""

from __future__ import annotations

import dataclasses
import json

import pytest

from core.settings import Settings
from search import models
from tests.web.fakes import FakeOrientation, hit
from web import create_app, graph_reads, pages
from web.services import services


class DetailOrientation(FakeOrientation):
    def offer(self, offer_id, include_unpublished=False):
        return models.OfferDetail(offer=hit(1, offer_id=offer_id), status="published", professionals=(
            models.ProfessionalRole(rpps="SYN1", first_name="Anne", last_name="Durand", profession="Médecin",
                                    specialty="Cardiologie", function_code="10", function_label="Chef de service",
                                    phone="0479000001", email=None, synthetic=True),))


@pytest.fixture
def client(monkeypatch):
    app = create_app(Settings.from_env())
    services(app)._orientation = DetailOrientation()
    services(app).probe = False
    context = graph_reads.OfferContext(
        source="generator", source_version="generator-v1-seed7", loaded_at="2026-11-22T05:00:00Z", synthetic=True,
        org_path=[{"name": "CH Belley", "kind": "site"}, {"name": "Pôle cardio", "kind": "pole"}],
        places=[{"name": "Unité A", "equipment": [{"code": "054", "label": "IRM corps entier", "count": 1,
                                                   "hours": ["1 08:00-12:00", "1 14:00-18:00", "7 00:00-24:00"]}],
                 "history": [{"available_total": v} for v in (4, 2, 0, 3)]}])
    monkeypatch.setattr(graph_reads, "offer_context", lambda graph, offer_id: context)
    monkeypatch.setattr(services(app), "get_graph", lambda: None)
    return app.test_client()


def test_offer_page_shows_hours_professionals_history_and_provenance(client):
    response = client.get("/offres/OFF-9")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<th scope=\"row\">lundi</th><td>08:00-12:00, 14:00-18:00</td>" in html
    assert "<th scope=\"row\">dimanche</th><td>00:00-24:00</td>" in html
    assert "Anne Durand" in html and "Chef de service" in html and 'href="tel:0479000001"' in html
    assert "<polyline" in html and "4 → 2 → 0 → 3" in html
    assert "generator-v1-seed7" in html and "CH Belley › Pôle cardio" in html
    assert html.count("donnée synthétique") >= 2  # the offer and its professional


def test_sparkline_scales_to_the_box_and_needs_two_points():
    assert graph_reads.sparkline([5]) == ""
    assert graph_reads.sparkline([None, 4, None]) == ""
    points = graph_reads.sparkline([0, 10], width=100, height=20)
    assert points == "0.0,18.0 100.0,2.0"


def test_org_tree_nests_children_under_their_parent():
    rows = [{"id": "s", "name": "Service", "kind": "service", "depth": 2, "parent": "p", "synthetic": True},
            {"id": "p", "name": "Pôle", "kind": "pole", "depth": 1, "parent": None, "synthetic": True}]
    tree = graph_reads.org_tree(rows)
    assert [n.name for n in tree] == ["Pôle"] and [c.name for c in tree[0].children] == ["Service"]


@pytest.mark.parametrize("value, text", [(0.04, "0,0 km"), (12.345, "12,3 km"), (None, "")])
def test_distance_has_one_decimal_and_a_french_comma(value, text):
    assert pages.km(value) == text


def test_phone_formatting_and_tel_links():
    assert pages.phone_fr("0479425959") == "04 79 42 59 59"
    assert pages.tel_href("04 79 42 59 59") == "tel:0479425959"
    assert pages.tel_href("+33 4 79 42 59 59") == "tel:+33479425959"
    assert pages.tel_href(None) == ""


class AmbiguousOrientation(FakeOrientation):
    def specialist_opinion(self, q):
        from core.errors import BadRequest

        raise BadRequest("Lieu ambigu : « Saint-Denis » désigne 2 communes.", fields={
            "where": "Saint-Denis", "candidates": [
                {"insee": "93066", "name": "Saint-Denis", "department_code": "93"},
                {"insee": "97411", "name": "Saint-Denis", "department_code": "974"}]})


def test_ambiguous_place_offers_one_click_choices():
    app = create_app(Settings.from_env())
    services(app)._orientation = AmbiguousOrientation()
    services(app).probe = False
    response = app.test_client().get("/?mode=specialist_opinion&quoi=cardio&ou=Saint-Denis")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Lieu ambigu" in html and "Vouliez-vous dire" in html
    assert "ou=insee%3A97411" in html and "quoi=cardio" in html and "Saint-Denis (974)" in html


def test_the_one_serialiser_gives_json_ready_results():
    from datetime import UTC, datetime

    from neo4j.time import DateTime

    from core.jsonable import jsonable

    result = models.SearchResult(kind=models.QueryKind.BEDS, total=3, page=1, size=20,
                                 hits=tuple(hit(i) for i in range(3)), next_search_after=(1.5, "OFF-3"),
                                 took_ms=2.0)
    detail = models.OfferDetail(offer=hit(1), updated_at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
    out = jsonable(result)
    assert out["kind"] == "beds" and out["next_search_after"] == [1.5, "OFF-3"] and len(out["hits"]) == 3
    assert out["hits"][0] == {f.name: jsonable(getattr(result.hits[0], f.name))
                              for f in dataclasses.fields(models.OfferHit)}
    assert jsonable(detail)["updated_at"] == "2026-01-02T03:04:00+00:00"
    assert jsonable({"at": DateTime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)}) == {"at": "2026-01-02T03:04:05.000000000+00:00"}
    assert json.loads(json.dumps(jsonable(detail))) == jsonable(detail)
