"""What a clinician sees: search with autocomplete, result cards beside a map, detail pages, keyboard only."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def pick_suggestion(page, field: str, typed: str, label: str) -> None:
    page.fill(field, typed)
    option = page.locator(f"{field}-suggestions li[role=option]", has_text=label).first
    option.wait_for()
    option.click()


def test_search_with_autocomplete_then_results_map_and_detail(page, base_url):
    page.goto(base_url + "/")
    assert page.title().startswith("Recherche")
    pick_suggestion(page, "#champ-quoi", "cardio", "Cardiologie générale")
    assert page.input_value("#champ-code") == "013"
    assert page.is_checked("#mode-specialist_opinion")
    pick_suggestion(page, "#champ-ou", "Belle", "Belley")
    assert page.input_value("#champ-ou") == "Belley"
    shot(page, "01-formulaire-rempli")
    page.click("button[type=submit]")

    cards = page.locator("ol.cards > li.card")
    cards.first.wait_for()
    assert "CH HAUT BUGEY" in cards.first.inner_text()
    assert re.search(r"\d+,\d km", cards.first.locator(".distance").inner_text())
    assert cards.first.locator("a[href^='tel:']").count() >= 1
    assert "donnée synthétique" in cards.first.inner_text()
    page.wait_for_selector("#map[data-basemap-ready=true]")
    assert int(page.get_attribute("#map", "data-markers")) == cards.count() > 0  # one marker per site card
    assert page.locator(".leaflet-marker-icon.map-marker, .leaflet-marker-icon.map-cluster").count() > 0
    assert page.locator("path.leaflet-interactive, .leaflet-overlay-pane path").count() > 0  # base map + radius
    shot(page, "02-resultats-carte")

    title = cards.first.locator(".unit-head a").first.inner_text()
    cards.first.locator(".unit-head a").first.click()
    page.wait_for_selector("h1")
    assert title in page.locator("h1").inner_text()
    assert "donnée synthétique" in page.locator("h1").inner_text()
    assert page.locator("text=Provenance").count() == 1
    shot(page, "03-detail-offre")

    page.locator(".breadcrumb a").nth(1).click()
    page.wait_for_selector("h2#titre-org")
    assert page.locator(".org-tree li").count() > 0
    shot(page, "04-detail-etablissement")
    assert page.console_errors == []


def test_keyboard_only_search(page, base_url):
    page.goto(base_url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible

    for _ in range(20):  # tab through the header and the mode radio group to the "Quoi ?" field
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "champ-quoi":
            break
    assert page.evaluate("document.activeElement.id") == "champ-quoi"
    page.keyboard.type("cardio")
    page.wait_for_selector("#champ-quoi-suggestions li[role=option]")
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#champ-quoi", "aria-activedescendant") == "champ-quoi-suggestions-0"
    page.keyboard.press("Enter")
    assert page.input_value("#champ-code") == "013"

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "champ-ou"
    page.keyboard.type("Belley")
    page.wait_for_selector("#champ-ou-suggestions li[role=option]")
    page.keyboard.press("Escape")
    shot(page, "05-clavier-formulaire")
    page.keyboard.press("Enter")  # submits the form
    page.locator("ol.cards > li.card").first.wait_for()
    assert page.locator("ol.cards > li.card").count() > 0
    shot(page, "06-clavier-resultats")
    assert page.console_errors == []


def test_form_errors_name_the_field_and_take_focus(page, base_url):
    page.goto(base_url + "/?mode=beds&quoi=geriatrie&ou=Belley&rayon=9999")
    banner = page.locator("#erreurs")
    banner.wait_for()
    assert "Rayon (km)" in banner.inner_text()
    assert page.evaluate("document.activeElement.id") == "erreurs"
    assert page.get_attribute("#champ-rayon", "aria-invalid") == "true"
    shot(page, "07-erreur-champ")
    assert page.console_errors == [] or all("400" in e for e in page.console_errors)


def test_every_form_field_has_a_label(page, base_url):
    page.goto(base_url + "/")
    unlabeled = page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select')]
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
        .map(el => el.name)""")
    assert unlabeled == []
