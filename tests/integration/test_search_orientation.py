"""Orientation search against the real engines: national FINESS sites, synthetic offers, brute-force checks."""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from core.errors import BadRequest, NotFound, ServiceUnavailable
from search.client import make_client
from search.models import ActTeamQuery, BedsQuery, EquipmentQuery, Gender, SpecialistOpinionQuery, TextQuery, Where
from search.orientation import OrientationService
from search.widening import radius_steps
from tests.fixtures.search import builder
from tests.fixtures.search.world import assert_same_top_k, brute_force_nearest, make_world

pytestmark = pytest.mark.integration
PARIS = ZoneInfo("Europe/Paris")
METRO = (42.4, 51.0, -4.7, 8.1)
OVERSEAS = {"971": (15.9, 16.5, -61.8, -61.0), "972": (14.4, 14.9, -61.2, -60.8), "973": (3.8, 5.7, -54.5, -51.7),
            "974": (-21.4, -20.9, 55.2, 55.8), "976": (-13.0, -12.6, 45.0, 45.3)}


@pytest.fixture(scope="module")
def world(graph, search_client, settings, engine_endpoints):
    yield from make_world(graph, search_client, settings, engine_endpoints)


def random_points(n_metro: int, n_overseas: int, seed: int = 11):
    rng = random.Random(seed)
    points = [(rng.uniform(*METRO[:2]), rng.uniform(*METRO[2:]), "metro") for _ in range(n_metro)]
    for i in range(n_overseas):
        dep = list(OVERSEAS)[i % len(OVERSEAS)]
        box = OVERSEAS[dep]
        points.append((rng.uniform(*box[:2]), rng.uniform(*box[2:]), dep))
    return points


def test_build_one_index_per_region_behind_aliases(world):
    client, prefix = world.client, world.prefix
    aliased = client.indices.get_alias(name=f"{prefix}-offers")
    regions = {r["code"] for r in world.graph.read_named("index/regions")}
    assert {world.indexer.names.parse("offers", i)[0] for i in aliased} >= {r.lower() for r in regions}
    assert world.report.counts["offers"] == len(world.rows)
    expected = Counter((r["region_code"] or "none").lower() for r in world.rows)
    for index in aliased:
        region = world.indexer.names.parse("offers", index)[0]
        assert client.count(index=index)["count"] == expected.get(region, 0), index
    assert client.count(index=f"{prefix}-sites")["count"] > 90_000


def test_nearest_real_finess_sites_match_brute_force(world):
    sites = world.graph.read(builder.cypher("all_sites"))
    for lat, lon, zone in random_points(240, 60):
        engine = [(s.finess, s.distance_km) for s in world.service.nearest_sites(Where(lat=lat, lon=lon), limit=10)]
        expected = brute_force_nearest(lat, lon, sites, 10, key="finess")
        assert_same_top_k(engine, expected, f"{zone} ({lat:.4f}, {lon:.4f})")


def test_specialist_opinion_matches_brute_force_with_filters(world):
    cardio = [r for r in world.rows if "013" in r["activities"]]
    children = [r for r in world.rows if "249" in r["activities"] and "03" in r["age_groups"]]
    for lat, lon, zone in random_points(150, 50, seed=5):
        result = world.service.specialist_opinion(SpecialistOpinionQuery(
            activity="013", where=Where(lat=lat, lon=lon), radius_km=120, size=10))
        got = [(h.offer_id, h.distance_km) for h in result.hits]
        assert_same_top_k(got, brute_force_nearest(lat, lon, cardio, 10, 120), f"cardio {zone} {lat},{lon}")
        assert result.total == len(brute_force_nearest(lat, lon, cardio, 10**6, 120))
        result = world.service.specialist_opinion(SpecialistOpinionQuery(
            activity="urgences pédiatriques", age_group="03", where=Where(lat=lat, lon=lon), radius_km=200, size=5))
        got = [(h.offer_id, h.distance_km) for h in result.hits]
        assert_same_top_k(got, brute_force_nearest(lat, lon, children, 5, 200), f"enfant {zone} {lat},{lon}")


def test_specialist_opinion_explains_and_gives_contact(world):
    result = world.service.specialist_opinion(SpecialistOpinionQuery(activity="cardio", where=Where(text="Belley")))
    assert result.radius_source == "sas" and result.widening.start_km == 20 and result.enlargement_km == 10
    assert result.radius_km == result.widening.radius_km >= 20
    assert result.origin.commune_insee == "01034"
    assert result.hits, "CH Belley has a cardiology offer in the fixture"
    first = result.hits[0]
    assert first.site_finess and first.contact and first.contact.phone and first.contact.function_label
    assert any(w.startswith("Activité : Cardiologie") for w in first.why)
    assert any(w.startswith("À ") and "Belley (01)" in w for w in first.why)
    assert [h.distance_km for h in result.hits] == sorted(h.distance_km for h in result.hits)


def border_origin(world, cardio):
    """A commune of the Gard (Occitanie) whose nearest cardiology offer is across the regional border."""
    gazetteer = world.service.gazetteer
    for commune in sorted(gazetteer.by_insee.values(), key=lambda c: -(c.population or 0)):
        if commune.department_code == "30" and commune.kind == "commune-actuelle":
            nearest = brute_force_nearest(commune.lat, commune.lon, cardio, 1, 50)
            if nearest and nearest[0][0] in {r["id"] for r in cardio if r["region_code"] != "76"}:
                return commune
    pytest.fail("fixture: no Gard commune nearer to an out-of-region cardiology offer")


def test_nearer_out_of_region_offers_come_first(world):
    cardio = [r for r in world.rows if "013" in r["activities"]]
    commune = border_origin(world, cardio)
    where = Where(text=f"insee:{commune.insee}")
    expected = brute_force_nearest(commune.lat, commune.lon, cardio, 5, 50)
    result = world.service.specialist_opinion(SpecialistOpinionQuery(activity="013", where=where, radius_km=50,
                                                                      size=5))
    assert [h.offer_id for h in result.hits] == [i for i, _ in expected]
    assert result.hits[0].region_code != "76" and result.origin.region_code == "76"
    assert any(w.startswith("Hors région") for w in result.hits[0].why)
    narrowed = world.service.specialist_opinion(SpecialistOpinionQuery(activity="013", where=where, radius_km=50,
                                                                       region="76"))
    assert narrowed.hits and all(h.region_code == "76" for h in narrowed.hits)


def test_act_team_thrombectomy(world):
    teams = [r for r in world.rows if "0459" in r["acts"]]
    origin = world.service.gazetteer.resolve(Where(text="Mont-de-Marsan"))
    result = world.service.act_team(ActTeamQuery(act="thrombectomie", where=Where(text="Mont-de-Marsan"),
                                                 radius_km=250, size=5))
    assert [h.offer_id for h in result.hits] == [i for i, _ in brute_force_nearest(
        origin.lat, origin.lon, teams, 5, 250)]
    assert all(any("Thrombectomie" in w for w in h.why) for h in result.hits)


def test_equipment_open_now_in_paris_time(world):
    mri = [r for r in world.rows if r["equipment"]]
    always = [r for r in mri if r["equipment"][0]["hours"] == builder.ALWAYS]
    where = Where(text="Lyon")
    origin = world.service.gazetteer.resolve(where)
    monday_10h = datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)
    sunday_3h = datetime(2026, 11, 22, 3, 0, tzinfo=PARIS)
    open_day = world.service.equipment(EquipmentQuery(equipment="IRM", where=where, radius_km=100, open_now=True,
                                                      at=monday_10h, size=100))
    assert open_day.total == len(brute_force_nearest(origin.lat, origin.lon, mri, 10**6, 100))
    assert all(h.equipment[0].open_now and h.equipment[0].hours_today for h in open_day.hits)
    night = world.service.equipment(EquipmentQuery(equipment="imagerie par résonance magnétique", where=where,
                                                   radius_km=100, open_now=True, at=sunday_3h, size=100))
    assert {h.offer_id for h in night.hits} == {i for i, _ in brute_force_nearest(
        origin.lat, origin.lon, always, 10**6, 100)}
    assert all(h.equipment[0].open_now for h in night.hits)
    anytime = world.service.equipment(EquipmentQuery(equipment="054", where=where, radius_km=100, at=sunday_3h,
                                                     size=100))
    assert anytime.total == open_day.total > night.total
    assert any(h.equipment[0].open_now is False for h in anytime.hits)


def test_beds_for_a_woman_flag_or_hide_stale_capacity(world):
    where = Where(text="Périgueux")
    flagged = world.service.beds(BedsQuery(activity="050", care_mode="hospitalisation complète", where=where,
                                           radius_km=80, gender=Gender.WOMAN, size=100))
    assert flagged.hits and flagged.total == len(flagged.hits)
    for h in flagged.hits:
        assert (h.capacity.available_women or 0) + (h.capacity.available_undifferentiated or 0) >= 1
        assert h.capacity.stale == (h.capacity.age_hours > 12)
        assert any(w.startswith("Lits disponibles") for w in h.why)
    assert any(h.capacity.stale for h in flagged.hits), "fixture has stale entries"
    fresh = world.service.beds(BedsQuery(activity="050", care_mode="28", where=where, radius_km=80,
                                         gender=Gender.WOMAN, include_stale=False, size=100))
    assert {h.offer_id for h in fresh.hits} == {h.offer_id for h in flagged.hits if not h.capacity.stale}


def test_text_search_is_accent_and_case_insensitive_with_synonyms_and_facets(world):
    totals = {t: world.service.text(TextQuery(text=t)).total for t in ("gériatrie", "geriatrie", "GÉRIATRIE")}
    assert len(set(totals.values())) == 1 and totals["geriatrie"] > 0
    irm = world.service.text(TextQuery(text="IRM", size=5))
    long = world.service.text(TextQuery(text="imagerie par résonance magnétique", size=5))
    assert irm.total == long.total > 0
    result = world.service.text(TextQuery(text="urgences", where=Where(text="Ajaccio"), radius_km=50, size=5))
    assert result.hits and all(h.department_code in ("2A", "2B") for h in result.hits)
    facets = {f.name: f for f in result.facets}
    assert {"activity", "care_mode", "department", "region", "field", "category"} <= set(facets)
    assert sum(b.count for b in facets["department"].buckets) == result.total


def test_same_results_for_commune_spellings(world):
    def ids(text):
        q = SpecialistOpinionQuery(activity="013", where=Where(text=text), radius_km=40)
        return [h.offer_id for h in world.service.specialist_opinion(q).hits]

    assert ids("st jean de luz") == ids("Saint-Jean-de-Luz") == ids("SAINT JEAN DE LUZ") != []


def test_autocomplete_activities_communes_and_sites(world):
    labels = [s.label for s in world.service.autocomplete("cardio", ["activity"])]
    assert labels[:2] == ["Cardiologie générale", "Cardiologie interventionnelle"]
    for prefix in ("fleyri", "FLEYRI", "Fleyri"):
        assert "010000024" in [s.code for s in world.service.autocomplete(prefix, ["site"])]
    assert "Périgueux" in [s.label for s in world.service.autocomplete("perig", ["commune"])]


def test_pagination_by_page_and_cursor(world):
    base = dict(activity="013", where=Where(text="Paris"), radius_km=60, size=7)
    first = world.service.specialist_opinion(SpecialistOpinionQuery(**base))
    second = world.service.specialist_opinion(SpecialistOpinionQuery(**base, page=2))
    cursor = world.service.specialist_opinion(SpecialistOpinionQuery(**base, search_after=first.next_search_after))
    assert first.total == second.total > 14
    assert [h.offer_id for h in second.hits] == [h.offer_id for h in cursor.hits]
    assert not {h.offer_id for h in first.hits} & {h.offer_id for h in second.hits}
    assert first.hits[-1].distance_km <= second.hits[0].distance_km


def test_site_and_offer_details_from_the_graph(world):
    site = world.service.site("010000032")
    assert site.name == "CH HAUT BUGEY" and site.offers and site.region_code == "84"
    detail = world.service.offer(site.offers[0].offer_id)
    assert detail.offer.site_finess == "010000032" and detail.professionals
    with pytest.raises(NotFound):
        world.service.site("000000000")
    with pytest.raises(NotFound):
        world.service.offer("nope")


@pytest.mark.parametrize("query,field", [
    (SpecialistOpinionQuery(activity="cardiolgie", where=Where(text="Belley")), "activity"),
    (ActTeamQuery(act="9999", where=Where(text="Belley")), "act"),
    (EquipmentQuery(equipment="IRMX", where=Where(text="Belley")), "equipment"),
    (SpecialistOpinionQuery(activity="013", where=Where(text="Belley"), radius_km=0), "radius_km"),
    (SpecialistOpinionQuery(activity="013", where=Where(text="Belley"), radius_km=900), "radius_km"),
    (SpecialistOpinionQuery(activity="013", where=Where(lat=95, lon=2)), "lat"),
    (SpecialistOpinionQuery(activity="013", where=Where(text="Saint-Denis")), "where"),
    (SpecialistOpinionQuery(activity="013"), "where"),
])
def test_bad_input_is_a_precise_400(world, query, field):
    method = {SpecialistOpinionQuery: world.service.specialist_opinion, ActTeamQuery: world.service.act_team,
              EquipmentQuery: world.service.equipment}[type(query)]
    with pytest.raises(BadRequest) as err:
        method(query)
    assert field in err.value.fields and err.value.status == 400


def test_unknown_code_lists_close_matches(world):
    with pytest.raises(BadRequest) as err:
        world.service.specialist_opinion(SpecialistOpinionQuery(activity="cardiolgie", where=Where(text="Belley")))
    assert "013" in [s["code"] for s in err.value.fields["suggestions"]]


def test_search_service_down_is_a_clear_error(world, settings):
    dead = make_client(settings, "http://127.0.0.1:9")
    service = OrientationService(world.graph, dead, settings.replace(index_prefix=world.prefix),
                                 world.service.gazetteer, vocabulary=world.service.vocabulary)
    with pytest.raises(ServiceUnavailable) as err:
        service.specialist_opinion(SpecialistOpinionQuery(activity="013", where=Where(text="Belley")))
    assert err.value.message == "Le service de recherche est indisponible pour le moment."


# ---------------------------------------------------------------------------------- adaptive radius, text reading


def expected_widening(world, rows: list[dict], origin) -> tuple[float, int, tuple[float, ...]]:
    """By brute force: the radius the widening must stop at and the count within it."""
    steps = radius_steps(world.service.gazetteer.radius_for(origin).radius_km, world.service.policy)
    counts = {r: len(brute_force_nearest(origin.lat, origin.lon, rows, 10**6, r)) for r in steps}
    radius = next((r for r in steps if counts[r] >= world.service.policy.min_results), steps[-1])
    return radius, counts[radius], steps


def test_sas_radius_widens_by_half_while_fewer_than_n_results(world):
    emergencies = [r for r in world.rows if "157" in r["activities"]]
    widened_from_zero = 0
    for place in ("Ouessant", "Le Palais", "L'Île-d'Yeu", "Val-d'Isère", "Mende", "Aurillac", "Belley", "Lyon"):
        origin = world.service.gazetteer.resolve(Where(text=place))
        radius, count, steps = expected_widening(world, emergencies, origin)
        result = world.service.specialist_opinion(SpecialistOpinionQuery(activity="157", where=Where(text=place),
                                                                          size=20))
        w = result.widening
        assert (w.start_km, w.radius_km, result.total) == (steps[0], radius, count), place
        assert [s.radius_km for s in w.steps] == list(steps[:len(w.steps)]) and w.steps[-1].radius_km == radius
        assert_same_top_k([(h.offer_id, h.distance_km) for h in result.hits],
                          brute_force_nearest(origin.lat, origin.lon, emergencies, 20, radius), place)
        if w.steps[0].count == 0 and radius > steps[0]:
            widened_from_zero += 1
            assert w.mode == "widened" and w.explanation.startswith(f"Élargi à {radius:g} km : aucune unité")
    assert widened_from_zero >= 1, "fixture: at least one place with no emergency within its SAS radius"


def test_widening_without_a_distance_filter_matches_brute_force_and_the_same_radius_asked(world):
    """The widened query has no distance filter (the indices it reaches, ranges up to the maximum, hits beyond the
    chosen radius dropped): same hits, total and steps as brute force, on every page; a text search gives the same
    hits, total and facets as the same search with the chosen radius asked explicitly (a filtered query)."""
    cardio = [r for r in world.rows if "013" in r["activities"]]
    checked, beyond = 0, 0
    for lat, lon, zone in random_points(60, 20, seed=23):
        where = Where(lat=lat, lon=lon)
        origin = world.service.gazetteer.resolve(where)
        radius, count, steps = expected_widening(world, cardio, origin)
        for page in (1, 2):
            result = world.service.specialist_opinion(SpecialistOpinionQuery(activity="013", where=where, size=4,
                                                                              page=page))
            w = result.widening
            assert (w.radius_km, result.total) == (radius, count), f"{zone} {lat},{lon}"
            assert [(s.radius_km, s.count) for s in w.steps] == [
                (r, len(brute_force_nearest(origin.lat, origin.lon, cardio, 10**6, r))) for r in steps[:len(w.steps)]]
            expected = brute_force_nearest(origin.lat, origin.lon, cardio, 4 * page, radius)[4 * (page - 1):]
            assert_same_top_k([(h.offer_id, h.distance_km) for h in result.hits], expected, f"{zone} page {page}")
        checked += 1
        beyond += len(brute_force_nearest(origin.lat, origin.lon, cardio, 10**6)) > count
    assert checked == 80 and beyond >= 40, "fixture: most points have cardiology beyond the chosen radius"
    for text, place in (("cardiologie", "Mende"), ("IRM", "Aurillac"), ("urgences", "Lyon"), ("cardiolgie", "Brest")):
        widened = world.service.text(TextQuery(text=text, where=Where(text=place), size=10))
        assert widened.widening.mode in ("sas", "widened", "maximum"), (text, place)
        asked = world.service.text(TextQuery(text=text, where=Where(text=place), radius_km=widened.radius_km,
                                             size=10))
        assert widened.total == asked.total > 0, (text, place)
        assert [h.offer_id for h in widened.hits] == [h.offer_id for h in asked.hits], (text, place)
        assert {f.name: f for f in widened.facets} == {f.name: f for f in asked.facets}, (text, place)


def test_time_critical_act_gets_the_nearest_k_beyond_the_maximum_radius(world):
    teams = [r for r in world.rows if "0459" in r["acts"]]
    k = world.service.policy.time_critical_k
    for place in ("Mamoudzou", "Saint-Laurent-du-Maroni", "Cayenne", "Ajaccio"):
        origin = world.service.gazetteer.resolve(Where(text=place))
        if brute_force_nearest(origin.lat, origin.lon, teams, 1, world.service.policy.max_radius_km):
            continue
        result = world.service.act_team(ActTeamQuery(act="thrombectomie", where=Where(text=place)))
        expected = brute_force_nearest(origin.lat, origin.lon, teams, k)
        assert_same_top_k([(h.offer_id, h.distance_km) for h in result.hits], expected, place)
        assert result.total == k and result.hits[0].distance_km > 200
        assert result.widening.mode == "nearest" and result.widening.radius_km is None
        assert "quelle que soit la distance" in result.widening.explanation
        assert any(w.startswith("Hors région") for w in result.hits[0].why)
        return
    pytest.fail("fixture: no place without a thrombectomy team within the maximum radius")


def test_explicit_radius_is_honoured_unless_widening_is_asked(world):
    emergencies = [r for r in world.rows if "157" in r["activities"]]
    origin = world.service.gazetteer.resolve(Where(text="Mende"))
    exact = world.service.specialist_opinion(SpecialistOpinionQuery(activity="157", where=Where(text="Mende"),
                                                                     radius_km=5))
    assert exact.radius_km == 5 and exact.widening.mode == "fixed" and not exact.widening.widened
    assert exact.total == len(brute_force_nearest(origin.lat, origin.lon, emergencies, 10**6, 5))
    wider = world.service.specialist_opinion(SpecialistOpinionQuery(activity="157", where=Where(text="Mende"),
                                                                     radius_km=5, widen=True))
    assert wider.widening.start_km == 5 and wider.total >= min(5, len(emergencies))


def test_typos_synonyms_and_phrases_find_the_same_offers(world):
    def total(text, **kw):
        return world.service.text(TextQuery(text=text, **kw)).total

    assert total("cardiolgie") == total("cardiologie") == total("Cardiologie") > 0
    pau = Where(text="Pau")
    assert total("imagerie par resonance", where=pau) == total("IRM", where=pau) > 0
    result = world.service.text(TextQuery(text="cardiolgie", size=3))
    assert result.interpretation[0].code == "013" and result.interpretation[0].how == "corrected"
    assert any("orthographe corrigée" in w for w in result.hits[0].why)
    assert world.service.autocomplete("cardo", ["activity", "commune", "site"])[0].code == "013"


def test_results_say_how_to_reach_the_unit_now(world):
    result = world.service.specialist_opinion(SpecialistOpinionQuery(activity="157", where=Where(text="Lyon")))
    reach = result.hits[0].reachability
    assert reach.phone and reach.phone_label and reach.mailbox
    assert reach.open_now is None or isinstance(reach.open_now, bool)


# ---------------------------------------------------------------------------------- sync and rebuild (mutate last)


def test_sync_pushes_only_a_capacity_change_to_search(world):
    from datetime import UTC

    from search.indexer import Indexer

    offer = next(r for r in world.rows if r["capacity"] and r["department_code"] == "24")
    now = datetime.now(UTC).replace(microsecond=0)
    world.graph.write(builder.cypher("capacity_update"), offer_id=offer["id"],
                      id=f"{offer['id']}-{now.timestamp():.0f}", available_women=7, available_men=0,
                      available_undifferentiated=0, updated_at=now.isoformat())
    report = world.indexer.sync()
    assert report.offers == 1 and report.professionals == 1
    result = world.service.beds(BedsQuery(activity="050", where=Where(lat=offer["lat"], lon=offer["lon"]),
                                          radius_km=1, gender=Gender.WOMAN, size=50))
    hit = next(h for h in result.hits if h.offer_id == offer["id"])
    assert hit.capacity.available_women == 7 and not hit.capacity.stale
    assert world.indexer.sync().offers == 0  # nothing changed since
    with pytest.raises(BadRequest):
        Indexer(world.graph, world.client, f"{world.prefix}x").sync()


def test_rebuild_swaps_aliases_while_searches_keep_working(world):
    import threading

    before = set(world.client.indices.get_alias(name=f"{world.prefix}-offers"))
    errors, answered = [], []
    done = threading.Event()

    def search_loop():
        while not done.is_set():
            try:
                q = SpecialistOpinionQuery(activity="013", where=Where(text="Lyon"), radius_km=30)
                answered.append(world.service.specialist_opinion(q).total)
            except Exception as exc:  # noqa: BLE001 - any failure during the swap is the defect under test
                errors.append(exc)

    def wait_for(condition) -> None:  # on the condition, never on the clock (a guard only: 300 s)
        deadline = time.monotonic() + 300
        while not condition() and not errors:
            assert time.monotonic() < deadline, "searches stopped answering"
            time.sleep(0.05)

    thread = threading.Thread(target=search_loop)
    thread.start()
    try:
        wait_for(lambda: answered)  # searching before the build…
        report = world.indexer.build(kinds=["offers"])
        after_swap = len(answered)
        wait_for(lambda: len(answered) >= after_swap + 3)  # …and after its swap
    finally:
        done.set()
        thread.join()
    after = set(world.client.indices.get_alias(name=f"{world.prefix}-offers"))
    assert not errors and len(set(answered)) == 1
    assert not before & after and all(i.endswith(f"-v{report.version}") for i in after)
    assert not any(world.client.indices.exists(index=i) for i in before)
