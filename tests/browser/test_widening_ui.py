"""A time-critical search never dead-ends: thrombectomy near Aurillac shows the nearest team and says why."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_thrombectomy_near_aurillac_shows_the_widened_results_and_the_explanation(page, base_url):
    page.goto(base_url + "/")
    page.check("#mode-act_team")
    page.fill("#champ-quoi", "trombectomie")  # a typo: the suggestion still offers the act
    option = page.locator("#champ-quoi-suggestions li[role=option]", has_text="Thrombectomie").first
    option.wait_for()
    option.click()
    page.fill("#champ-ou", "Aurillac")
    page.click("button[type=submit]")

    explanation = page.locator("p.widening")
    explanation.wait_for()
    text = explanation.inner_text()
    assert text.startswith("Thrombectomie de l'AVC ischémique : les équipes les plus proches")
    assert "quelle que soit la distance" in text and "aucune équipe à moins de 200 km" in text
    assert "sans limite de distance" in page.locator("#titre-resultats").inner_text()
    cards = page.locator("ol.cards > li.card")
    cards.first.wait_for()
    assert cards.count() >= 1
    first = cards.first
    distance = float(re.search(r"([\d\u202f ]+,\d) km", first.locator(".distance").inner_text()).group(1)
                     .replace("\u202f", "").replace(" ", "").replace(",", "."))
    assert distance > 200
    assert first.locator("a[href^='tel:']").count() >= 1
    assert any(w.startswith("Acte : Thrombectomie") for w in first.locator(".why li").all_text_contents())
    shot(page, "widening-thrombectomie-aurillac")


def test_an_explicit_radius_is_honoured_and_says_so(page, base_url):
    page.goto(base_url + "/?mode=act_team&quoi=thrombectomie&code=0459&ou=Aurillac&rayon=20")
    explanation = page.locator("p.widening")
    explanation.wait_for()
    assert explanation.inner_text() == "Aucune équipe à moins de 20 km (rayon demandé) : élargissez la recherche."
    # a one-click wider search stays offered (the widening links, or the nearest team's radius)
    assert page.locator("p.widen a, [data-nearest] a").count() >= 1
    # and the click leads to teams (never a dead end for a time-critical act)
    page.locator("p.widen a, [data-nearest] a").first.click()
    page.locator("ol.cards > li.card").first.wait_for()
    assert page.locator("ol.cards > li.card").count() >= 1
