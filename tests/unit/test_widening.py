"""The adaptive radius: widening sequence, decision and explanation (pure functions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.models import Coded
from search.widening import WideningPolicy, decide, fixed, radius_steps, time_critical_codes, time_critical_reason

DATA = Path(__file__).parent.parent.parent / "data"
POLICY = WideningPolicy(min_results=5, max_radius_km=200, step_ratio=0.5, time_critical_k=5)


@pytest.mark.parametrize(("start", "expected"), [
    (50, (50, 75, 113, 170, 200)),
    (20, (20, 30, 45, 68, 102, 153, 200)),
    (30, (30, 45, 68, 102, 153, 200)),
    (200, (200,)),
    (250, (250,)),  # a SAS radius above the maximum is kept, never shrunk
])
def test_each_step_adds_half_the_radius_up_to_the_maximum(start, expected):
    assert radius_steps(start, POLICY) == tuple(float(r) for r in expected)


def test_smaller_ratio_and_maximum_are_settings():
    assert radius_steps(10, WideningPolicy(max_radius_km=20, step_ratio=0.25)) == (10.0, 13.0, 17.0, 20.0)


def test_enough_results_at_the_sas_radius_is_not_widened():
    w = decide(50, {50: 7, 75: 9}, POLICY, time_critical=False)
    assert (w.mode, w.radius_km, w.widened, w.explanation) == ("sas", 50, False, None)
    assert [(s.radius_km, s.count) for s in w.steps] == [(50, 7)]


def test_zero_at_the_sas_radius_widens_and_says_how_far_and_why():
    w = decide(50, {50: 0, 75: 5, 113: 9}, POLICY, time_critical=False, noun="équipe")
    assert (w.mode, w.radius_km, w.widened) == ("widened", 75, True)
    assert [(s.radius_km, s.count) for s in w.steps] == [(50, 0), (75, 5)]
    assert w.explanation == "Élargi à 75 km : aucune équipe à moins de 50 km."


def test_too_few_results_widens_step_by_step():
    w = decide(20, {20: 2, 30: 3, 45: 4, 68: 6}, POLICY, time_critical=False, noun="unité")
    assert w.radius_km == 68 and len(w.steps) == 4
    assert w.explanation == "Élargi à 68 km : 2 unités seulement à moins de 20 km (5 attendus)."


def test_maximum_reached_with_too_few_results():
    counts = {r: 3 for r in radius_steps(50, POLICY)}
    w = decide(50, counts, POLICY, time_critical=False, noun="résultat")
    assert (w.mode, w.radius_km) == ("maximum", 200)
    assert w.explanation == "Élargi jusqu'au maximum de 200 km : 3 résultats seulement."
    w = decide(50, {}, POLICY, time_critical=False, noun="équipement")
    assert w.explanation == "Aucun équipement à moins de 200 km (rayon maximal)."


def test_time_critical_returns_the_nearest_k_whatever_the_distance():
    w = decide(50, {200: 0}, POLICY, time_critical=True, total_anywhere=41, farthest_km=500.04,
               noun="équipe", reason="Thrombectomie de l'AVC ischémique")
    assert (w.mode, w.radius_km, w.farthest_km, w.time_critical) == ("nearest", None, 500.0, True)
    assert w.explanation == ("Thrombectomie de l'AVC ischémique : les équipes les plus proches, quelle que soit "
                             "la distance (aucune équipe à moins de 200 km).")


def test_time_critical_with_enough_results_nearby_is_not_unbounded():
    w = decide(50, {50: 1, 75: 6}, POLICY, time_critical=True, total_anywhere=40, reason="AVC")
    assert (w.mode, w.radius_km) == ("widened", 75)


def test_time_critical_with_nothing_anywhere_stays_at_the_maximum():
    w = decide(50, {}, POLICY, time_critical=True, total_anywhere=0, noun="équipe")
    assert (w.mode, w.radius_km) == ("maximum", 200)


def test_explicit_radius_is_honoured_and_says_so():
    assert fixed(10, 3, POLICY).explanation == "Rayon demandé : 10 km, non élargi."
    w = fixed(10, 0, POLICY, noun="unité")
    assert (w.mode, w.widened) == ("fixed", False)
    assert w.explanation == "Aucune unité à moins de 10 km (rayon demandé) : élargissez la recherche."


def test_time_critical_list_is_data():
    table = time_critical_codes(DATA)
    assert ("act", "0459") in table and ("activity", "249") in table and ("activity", "128") in table
    assert time_critical_reason(DATA, "act", (Coded(code="0459", label="Thrombectomie"),)) == (
        "Thrombectomie de l'AVC ischémique")
    assert time_critical_reason(DATA, "activity", (Coded(code="013", label="Cardiologie"),)) is None


CARDIOLOGY = (Coded(code="013", label="Cardiologie générale"), Coded(code="014", label="Cardiologie interventionnelle"),
              Coded(code="018", label="Chirurgie cardiaque et gros vaisseaux (cardio-vasculaire)"),
              Coded(code="235", label="Réadaptation des affections cardio-vasculaires"))
CORONARY = (Coded(code="0179", label="Echographie endo-coronaire"), Coded(code="0516", label="Pontage coronarien"),
            Coded(code="0597", label="Angioplastie des artères coronaires"),
            Coded(code="1277", label="Scanner coronaire"))
STROKE = (Coded(code="098", label="Neurologie vasculaire (UNV)"), Coded(code="184", label="Neurologie"),
          Coded(code="256", label="Urgence neurovasculaire"), Coded(code="356", label="USINV"))


@pytest.mark.parametrize(("kind", "matched", "text", "urgent"), [
    ("activity", CARDIOLOGY, "cardiologie", False),  # a specialty word, one time-critical code among four
    ("activity", CARDIOLOGY[1:2], "014", True),  # the code picked
    ("activity", CARDIOLOGY, "cardiologie interventionnelle", True),  # the one label holding every word
    ("act", CORONARY, "angioplastie coronaire", True),
    ("act", CORONARY, "coronaire", False),
    ("activity", STROKE, "AVC", True),  # three of four codes are time-critical
])
def test_a_specialty_word_is_not_a_time_critical_request(kind, matched, text, urgent):
    assert (time_critical_reason(DATA, kind, matched, text) is not None) is urgent


def test_widen_asks_the_probe_for_the_sequence_and_k_only_when_time_critical():
    from search.widening import Probe, widen

    asked = []

    def probe(radii, k):
        asked.append((radii, k))
        return Probe(counts={r: (0 if r < 100 else 6) for r in radii}, total_anywhere=9 if k else 0,
                     kth_km=250.0 if k else None)

    w = widen(50, POLICY, probe)
    assert asked == [((50.0, 75.0, 113.0, 170.0, 200.0), 0)]
    assert (w.mode, w.radius_km) == ("widened", 113.0)
    far = widen(50, POLICY, lambda radii, k: Probe({r: 0 for r in radii}, 3, 412.5), reason="Thrombectomie")
    assert (far.mode, far.farthest_km) == ("nearest", 412.5)


def test_explicit_codes_are_time_critical_when_at_least_half_are():
    from search.widening import codes_reason

    assert codes_reason(DATA, "act", ("0459",)) == "Thrombectomie de l'AVC ischémique"
    assert codes_reason(DATA, "activity", ("098", "227")) == "Unité neurovasculaire (AVC)"
    assert codes_reason(DATA, "activity", ("098", "227", "183")) is None
    assert codes_reason(DATA, "act", ("098",)) is None  # an activity code read as an act
