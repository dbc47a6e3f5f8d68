"""Projection rows → documents, query bodies, result explanations, vocabulary and routing (no engines)."""

from __future__ import annotations

import csv
import gzip
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.errors import BadRequest
from core.settings import PROJECT_ROOT
from search import query as dsl
from search.documents import iso, offer_document, parse_slot, region_of, week_minute
from search.mappings import index_body, synonyms
from search.models import BaseQuery, Gender, Origin
from search.results import Context, contact_of, equipment_of, offer_hit
from search.routing import IndexRouter
from search.vocabulary import Vocabulary

PARIS = ZoneInfo("Europe/Paris")
ROW = {
    "id": "O1", "name": "Cardiologie", "site_finess": "010000032", "site_name": "CH HAUT BUGEY", "sph_code": "1",
    "region_code": "84", "region_name": "Auvergne-Rhône-Alpes", "department_code": "01", "department_name": "Ain",
    "category_code": "355", "category_label": "Centre Hospitalier (C.H.)", "phone": None, "site_phone": "0479",
    "location": {"lat": 45.75, "lon": 5.68}, "updated_at": "2026-11-22T06:00:00+01:00[Europe/Paris]",
    "activities": [{"code": "013", "label": "Cardiologie générale"}], "care_modes": [{"code": "28", "label": "HC"}],
    "equipment": [{"code": "054", "label": "IRM corps entier", "count": 2, "hours": ["1 08:00-20:00", "7 bad"]}],
    "capacity": {"available_men": 1, "available_women": 0, "available_undifferentiated": 2, "available_total": 3,
                 "updated_at": "2026-11-22T05:00:00Z"},
    "contacts": [{"function_code": "05", "function_label": "Secrétaire", "phone": "0102", "email": None},
                 {"function_code": "10", "function_label": "Chef de service", "phone": "0304", "email": None}],
}


def test_offer_document_denormalises_codes_slots_and_gendered_beds():
    doc = offer_document(ROW)
    assert doc["activity_codes"] == ["013"] and doc["activity_keys"] == ["013|Cardiologie générale"]
    assert doc["equipment_slots"] == [{"code": "054", "minutes": {"gte": 480, "lt": 1200}}]  # malformed slot skipped
    assert doc["capacity"]["available_for_women"] == 2 and doc["capacity"]["available_for_men"] == 3
    assert doc["public_hospital"] and doc["phone"] == "0479" and doc["updated_at"] == "2026-11-22T06:00:00+01:00"
    assert region_of(doc) == "84" and region_of({"region_code": None}) == "none"
    assert set(doc) <= set(index_body("offers")["mappings"]["properties"])  # strict mapping accepts it


def test_slots_and_week_minutes():
    assert parse_slot("7 00:00-24:00") == (7, 0, 1440)
    assert parse_slot("8 00:00-10:00") is None and parse_slot("1 20:00-08:00") is None
    assert week_minute(datetime(2026, 11, 23, 10, 0)) == 600  # Monday 10:00
    assert iso(None) is None


def test_equipment_open_now_uses_local_day_and_time():
    monday_9h = datetime(2026, 11, 23, 9, 0, tzinfo=PARIS)
    info = equipment_of(ROW["equipment"], monday_9h)[0]
    assert info.open_now and info.hours_today == ("08:00-20:00",)
    assert equipment_of(ROW["equipment"], monday_9h.replace(hour=21))[0].open_now is False
    assert equipment_of([{"code": "x", "hours": []}], monday_9h)[0].open_now is None


def test_contact_prefers_requested_function_then_unit_head():
    assert contact_of(ROW["contacts"], "05", None, None).phone == "0102"
    assert contact_of(ROW["contacts"], None, None, None).function_label == "Chef de service"
    assert contact_of([], None, "0999", None).function_label == "Accueil de l'unité"


def test_hit_explains_distance_region_and_stale_capacity():
    origin = Origin(lat=45.0, lon=5.0, label="Ailleurs (38)", kind="commune", region_code="11")
    now = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)
    ctx = Context(now=now, stale_hours=12, origin=origin, extra_why=("beds",),
                  activities=(to_coded("013", "Cardiologie générale"),))
    hit = offer_hit({"_source": offer_document(ROW), "sort": [12.345, "O1"]}, ctx, distance_from_sort=True)
    assert hit.distance_km == 12.345 and hit.capacity.stale and hit.capacity.age_hours == 15.0
    assert "Activité : Cardiologie générale (013)" in hit.why
    assert any(w.startswith("Hors région : Auvergne") for w in hit.why)
    assert any(w.startswith("Capacité à confirmer") for w in hit.why)
    fresh = offer_hit({"_source": offer_document(ROW)}, Context(now=now - timedelta(hours=14), stale_hours=12),
                      distance_from_sort=False)
    assert not fresh.capacity.stale and fresh.distance_km is None


def to_coded(code, label):
    from search.models import Coded

    return Coded(code=code, label=label)


def test_query_body_filters_sorts_pages_and_validates():
    origin = Origin(lat=45.75, lon=5.68, label="Belley", kind="commune")
    q = BaseQuery(region="84", page=3, size=10)
    body = dsl.search_body(q, dsl.Scope(origin, 20.0), [dsl.terms("activity_codes", ["013"])])
    filters = body["query"]["bool"]["filter"]
    assert {"term": {"region_code": "84"}} in filters
    assert filters[-1]["geo_distance"]["distance"] == "20.0km" and body["from"] == 20
    assert body["sort"][0]["_geo_distance"]["unit"] == "km" and body["sort"][1] == {"id": "asc"}
    cursor = dsl.search_body(BaseQuery(search_after=(1.5, "x")), dsl.Scope(origin, None), [])
    assert cursor["search_after"] == [1.5, "x"] and "from" not in cursor
    for bad in (BaseQuery(size=0), BaseQuery(size=101), BaseQuery(page=0), BaseQuery(page=2000, size=10)):
        with pytest.raises(BadRequest):
            dsl.search_body(bad, dsl.Scope(None, None), [])
    women = dsl.beds_filters(Gender.WOMAN, 1, False, datetime(2026, 1, 1, tzinfo=UTC), 12)
    assert women[0] == {"range": {"capacity.available_for_women": {"gte": 1}}} and len(women) == 2


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    rows = []
    with gzip.open(PROJECT_ROOT / "data" / "nos" / "ror_nomenclatures.csv.gz") as raw:
        for r in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8"), delimiter=";"):
            rows.append({"value_set": r["table"].split("-")[0].replace("JDV_", ""), "code": r["code"],
                         "label": r["libelle"], "retired": bool(r["date_fin"])})
    return Vocabulary(rows)


@pytest.mark.parametrize("kind,text,code", [
    ("activity", "013", "013"), ("activity", "cardio", "014"), ("activity", "Gériatrie", "050"),
    ("activity", "GERIATRIE", "050"), ("activity", "réa", "126"), ("activity", "USIC", "354"),
    ("activity", "AVC", "098"), ("act", "thrombectomie", "0459"), ("act", "ECMO", "1404"),
    ("equipment", "IRM", "054"), ("equipment", "imagerie par résonance magnétique", "054"),
    ("equipment", "caisson hyperbare", "161"), ("care_mode", "hospitalisation complète", "28"),
])
def test_vocabulary_resolves_codes_words_and_synonyms(vocabulary, kind, text, code):
    assert code in [c.code for c in vocabulary.resolve(kind, text)]


def test_abbreviation_does_not_match_as_a_prefix(vocabulary):
    codes = {c.code for c in vocabulary.resolve("activity", "réa")}
    assert "090" not in codes  # "Médecine physique et de réadaptation" is not "réanimation"


def test_unknown_code_lists_close_matches(vocabulary):
    with pytest.raises(BadRequest) as err:
        vocabulary.resolve("activity", "cardiolgie")
    assert "013" in [s["code"] for s in err.value.fields["suggestions"]]
    assert "Cardiologie générale (013)" in err.value.message


@pytest.mark.parametrize("text", ["cardiolgie", "thrombectomie", "cardo pediatrik", "pedopsychiatri",
                                  "imagerie resonance", "réanimaton néonatale", "x", ""])
def test_close_matches_are_those_of_comparing_every_label_and_word(vocabulary, text):
    """The pruned search (distinct words once, difflib's upper bounds first) suggests exactly what comparing the
    text with every label and every typed word with every label word (ratio ≥ 0.7) suggests, in the same order."""
    import difflib

    from geo.gazetteer import name_key
    from search.vocabulary import _tokens

    for kind in ("activity", "act", "equipment"):
        key, words, scored = name_key(text), _tokens(text), []
        for concept in vocabulary.concepts[kind].values():
            score = max([difflib.SequenceMatcher(None, key, concept.key).ratio() if key else 0.0,
                         *(difflib.SequenceMatcher(None, w, t).ratio() for w in words for t in concept.tokens)])
            if score >= 0.7:
                scored.append((-score, len(concept.label), concept))
        expected = [c.code for _, _, c in sorted(scored, key=lambda x: x[:2])[:5]]
        assert [c.code for c in vocabulary.close_matches(kind, text)] == expected


def test_synonyms_file_is_data_with_key_medical_terms():
    text = " ".join(synonyms())
    for term in ("irm", "avc", "rea", "usic", "smr", "ssr", "ehpad"):
        assert term in text.split(", ") or f"{term}," in text or f", {term}" in text


class _Indices:
    def get_alias(self, name):
        return {"p-offers-84-v1": {}, "p-offers-11-v1": {}, "p-offers-04-v1": {}, "p-offers-02-v1": {},
                "p-offers-06-v1": {}}


class _Client:
    indices = _Indices()

    def search(self, index, body):
        def b(s, n, w, e, key):
            return {"key": key, "doc_count": 3, "box": {"bounds": {"top_left": {"lat": n, "lon": w},
                                                                   "bottom_right": {"lat": s, "lon": e}}}}
        return {"aggregations": {"by_index": {"buckets": [
            b(44.1, 46.8, 2.1, 7.2, "p-offers-84-v1"), b(48.1, 49.2, 1.4, 3.6, "p-offers-11-v1"),
            b(-21.4, -20.9, 55.2, 55.8, "p-offers-04-v1"),
            {"key": "p-offers-06-v1", "doc_count": 2, "box": {}}]}}}  # documents, none located


def test_router_only_searches_regions_the_circle_can_reach():
    router = IndexRouter(_Client(), "p-offers")
    assert router.indices(45.75, 5.68, 20) == "p-offers-84-v1"
    assert router.indices(47.5, 3.0, 80) == "p-offers-11-v1,p-offers-84-v1"
    assert router.indices(-21.0, 55.5, 30) == "p-offers-04-v1"
    assert router.indices(45.75, 5.68, None) == "p-offers"  # unbounded: every région
    assert router.indices(16.2, -61.5, 50) == "p-offers-02-v1"  # nothing reachable: one shard answers "none"


def test_router_leaves_empty_indices_out_of_a_search_without_radius():
    router = IndexRouter(_Client(), "p-offers")
    # p-offers-02-v1 holds no document; p-offers-06-v1 holds some, none located (a distance sort puts them last)
    assert router.populated() == "p-offers-04-v1,p-offers-06-v1,p-offers-11-v1,p-offers-84-v1"


def test_router_without_any_document_searches_the_alias():
    class Empty(_Client):
        def search(self, index, body):
            return {"aggregations": {"by_index": {"buckets": []}}}

    assert IndexRouter(Empty(), "p-offers").populated() == "p-offers"
