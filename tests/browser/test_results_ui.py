"""The result page a clinician scans on a desk and on a phone: compact search bar, one card per site with the
number to call and its source, list and map side by side or toggled, no sideways scrolling; the suggestion list
never covers a checkbox; an empty or unreadable search says why and offers the way out."""

from __future__ import annotations

import pytest

from tests.browser.conftest import no_horizontal_overflow, shot

pytestmark = [pytest.mark.browser, pytest.mark.integration]

CARDIO_BELLEY = "/?mode=specialist_opinion&quoi=cardio&code=013&ou=Belley"


def test_results_are_grouped_by_site_above_the_fold_without_sideways_scrolling(sized_page, base_url):
    page = sized_page
    page.goto(base_url + CARDIO_BELLEY)
    cards = page.locator("ol.cards > li.site-card")
    cards.first.wait_for()
    assert page.locator("form.search-compact").count() == 1  # the full form folded into a bar
    assert not page.locator("#champ-age").is_visible()  # under "Plus de critères"

    first = cards.first
    assert first.locator("h3").bounding_box()["y"] < page.viewport_height  # above the fold
    assert first.locator(".reach").bounding_box()["y"] < page.viewport_height  # with the number to call
    sites = cards.evaluate_all("cards => cards.map(c => c.dataset.site)")
    assert len(sites) == len(set(sites)) > 1  # one card per site
    assert max(cards.evaluate_all("cards => cards.map(c => +c.dataset.units)")) > 1  # its units inside
    for i in range(cards.count()):
        reach = cards.nth(i).locator(".reach")
        assert reach.count() == 1  # one number per card, with where it comes from (or why there is none)
        assert reach.locator("a[href^='tel:']").count() == 1 or "Aucun numéro" in reach.inner_text()
        assert "source" in reach.inner_text() or "FINESS" in reach.inner_text()
    assert no_horizontal_overflow(page)

    page.wait_for_selector("#map[data-basemap-ready=true]", state="attached")  # hidden on a phone
    toggle = page.locator(".view-toggle")
    if page.viewport_width >= 1000:  # desktop: list and map side by side, no toggle
        assert not toggle.is_visible()
        assert page.locator("#map").bounding_box()["x"] > first.bounding_box()["x"] + first.bounding_box()["width"]
        shot(page, "resultats-bureau-1366")
    else:  # phone: one at a time
        assert toggle.is_visible() and not page.locator("#map").is_visible()
        shot(page, "resultats-telephone-390-liste")
        toggle.locator("button[data-view=map]").click()
        page.locator("#map").wait_for(state="visible")
        assert not first.is_visible()
        assert page.get_attribute("button[data-view=map]", "aria-pressed") == "true"
        assert no_horizontal_overflow(page)
        shot(page, "resultats-telephone-390-carte")
        toggle.locator("button[data-view=list]").click()
        first.wait_for(state="visible")
    assert page.console_errors == []


@pytest.mark.parametrize("url", ["/", CARDIO_BELLEY], ids=["formulaire-complet", "barre-compacte"])
def test_the_suggestion_list_never_covers_a_checkbox(page, base_url, url):
    page.goto(base_url + url)
    if url != "/":
        page.locator(".more-criteria summary").click()
    page.fill("#champ-ou", "Belle")
    page.locator("#champ-ou-suggestions li[role=option]").first.wait_for()
    checkbox = page.locator("#champ-ouvert")
    checkbox.scroll_into_view_if_needed()
    assert page.locator("#champ-ou-suggestions").is_visible()  # the list is still open
    box = checkbox.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).id", [x, y]) == "champ-ouvert"
    shot(page, f"suggestions-case-{'compacte' if url != '/' else 'formulaire'}")
    page.mouse.click(x, y)  # where the person sees the checkbox
    assert page.is_checked("#champ-ouvert")
    assert page.input_value("#champ-ou") == "Belle"  # no commune picked instead
    page.locator("#champ-ou-suggestions").wait_for(state="hidden")


def test_leaving_the_suggestions_with_the_keyboard_picks_nothing(page, base_url):
    page.goto(base_url + "/")
    page.focus("#champ-ou")
    page.keyboard.type("Belle")
    page.locator("#champ-ou-suggestions li[role=option]").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.locator("#champ-ou-suggestions").wait_for(state="hidden")
    assert page.input_value("#champ-ou") == "Belle"
    assert page.evaluate("document.activeElement.id") != "champ-ou"


def test_an_act_typed_as_an_activity_is_searched_as_an_act(page, base_url):
    page.goto(base_url + "/?mode=specialist_opinion&quoi=thrombectomie&ou=Belley")
    notice = page.locator("[data-switched]")
    notice.wait_for()
    assert "désigne un acte" in notice.inner_text() and "Équipe pour un acte" in notice.inner_text()
    assert page.input_value("#champ-mode") == "act_team"
    assert page.locator("#erreurs").count() == 0  # no dead end
    shot(page, "mode-change-thrombectomie")


def test_an_empty_search_names_the_filter_that_emptied_it(page, base_url):
    page.goto(base_url + CARDIO_BELLEY + "&region=94")  # Belley is not in Corse
    relaxed = page.locator("[data-relaxed]")
    relaxed.wait_for()
    assert "la région" in relaxed.inner_text()
    assert "plus large" not in page.locator("[data-empty]").inner_text()  # not the radius: the filter
    relaxed.locator("a").click()
    page.locator("ol.cards > li.site-card").first.wait_for()
    assert "region=" not in page.url


def test_an_empty_search_offers_the_nearest_result_beyond_the_radius(page, base_url):
    page.goto(base_url + "/?mode=specialist_opinion&quoi=cardio&code=013&ou=Belleydoux&rayon=1")
    nearest = page.locator("[data-nearest]")
    nearest.wait_for()
    assert "Le plus proche est à" in nearest.inner_text() and " km" in nearest.inner_text()
    shot(page, "vide-plus-proche")
    nearest.locator("a").click()
    page.locator("ol.cards > li.site-card").first.wait_for()
    assert page.locator("ol.cards > li.site-card").count() >= 1
