"""Result cards grouped by site with the one number to call and its source; why an empty search is empty."""

from __future__ import annotations

import dataclasses

from search import diagnosis, grouping, models
from tests.web.fakes import hit


def test_units_of_one_site_share_one_card_in_the_search_order():
    hits = [hit(1), hit(2, site_finess="020000001", site_name="Clinique B"), hit(3), hit(4)]
    groups = grouping.by_site(hits)
    assert [g.name for g in groups] == ["Centre hospitalier de Belley", "Clinique B"]
    assert [u.offer_id for u in groups[0].units] == ["OFF-1", "OFF-3", "OFF-4"]
    assert groups[0].distance_km == hits[0].distance_km  # the nearest unit's distance


def test_the_card_number_is_the_contact_of_the_best_unit_with_its_source():
    group = grouping.by_site([hit(1)])[0]
    assert group.phone.number == "04 79 42 00 01"
    assert group.phone.who == "Avis spécialisé" and "contact de l'unité" in group.phone.source
    assert group.phone.mailbox == "cardio@ch-belley.example"


def test_without_any_unit_number_the_card_shows_the_switchboard_then_says_there_is_none():
    bare = hit(1, contact=None, phone=None)
    board = {"010000024": grouping.Switchboard(phone="0479000000")}
    group = grouping.by_site([bare], board)[0]
    assert (group.phone.number, group.phone.who, group.phone.source) == (
        "0479000000", "Standard de l'établissement", "FINESS")
    other = grouping.by_site([bare], {"010000024": grouping.Switchboard(phone="0479111111", via_site="CH Nord")})[0]
    assert other.phone.who == "Standard de l'entité juridique" and "CH Nord" in other.phone.source
    none = grouping.by_site([bare], {})[0]
    assert none.phone.number is None and none.phone.who == "Aucun numéro"


def test_the_unit_line_equal_to_the_switchboard_is_called_the_switchboard():
    unit_line = hit(1, contact=None, phone="04 79 00 00 00")
    group = grouping.by_site([unit_line], {"010000024": grouping.Switchboard(phone="0479000000")})[0]
    assert group.phone.who == "Standard de l'établissement"


def test_a_unit_shows_its_own_number_only_when_it_differs_from_the_card():
    same, other = hit(1), hit(2, contact=models.Contact(function_code="05", function_label="Secrétariat", name=None,
                                                         phone="0479555555", email=None))
    group = grouping.by_site([same, other])[0]
    assert group.unit_phone(same) is None
    assert group.unit_phone(other).number == "0479555555"


class Vocabulary:
    def resolve(self, kind, text):
        if kind == "act" and text == "thrombectomie":
            return (models.Coded(code="0459", label="Thrombectomie"),)
        from core.errors import BadRequest
        raise BadRequest("inconnu", fields={kind: text})


def test_words_naming_an_act_offer_the_act_mode():
    found = diagnosis.other_modes(Vocabulary(), "specialist_opinion", "thrombectomie")
    assert [(o.mode, o.kind) for o in found] == [("act_team", "act")]
    assert diagnosis.other_modes(Vocabulary(), "act_team", "thrombectomie") == []


class Service:
    """Answers by the criteria of the query: nothing with an age group, one hit 83 km away without a radius cap."""

    def __init__(self):
        self.asked = []

    def specialist_opinion(self, q):
        self.asked.append(q)
        far = hit(1, distance_km=83.2)
        hits = () if q.age_group or (q.radius_km or 0) < 83.2 else (far,)
        if q.where is None:
            hits = (far,)
        return models.SearchResult(kind=models.QueryKind.SPECIALIST_OPINION, total=len(hits), page=1, size=q.size,
                                   hits=hits, radius_km=q.radius_km)

    def text(self, q):
        return self.specialist_opinion(dataclasses.replace(
            models.SpecialistOpinionQuery(activity=q.activity or ""), where=None))


def test_an_empty_search_names_the_filter_and_the_nearest_result_beyond_the_radius():
    where = models.Where(text="Belley")
    near = models.SpecialistOpinionQuery(activity="013", where=where, radius_km=20)
    found = diagnosis.why_empty(Service(), near, 20)
    assert found.relaxed == ()
    assert found.nearest.distance_km == 83.2 and found.nearest.radius_km == 85  # the link reaches it

    service = Service()
    far = models.SpecialistOpinionQuery(activity="013", where=where, radius_km=100, age_group="01")
    found = diagnosis.why_empty(service, far, 100)
    assert [(r.criterion, r.count) for r in found.relaxed] == [("age_group", 1)]
    assert found.nearest is None  # the nearest beyond the radius keeps every filter: none has this age group
    assert all(q.size == 1 for q in service.asked)  # the probes ask for one result, not a page
