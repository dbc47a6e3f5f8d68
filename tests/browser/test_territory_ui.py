"""What a coordinator sees on the territory pages: the coverage choropleth (with its progress indicator while
the map loads), two territories compared, and a zone drawn on the map."""

from __future__ import annotations

import re

import pytest

from geo import territory as territories
from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture(scope="module")
def common_activity(graph, base_url):
    return graph.read("MATCH (a:Activity)<-[:PROVIDES]-(o:Offer {status: 'published'}) "
                      "RETURN a.code AS code, count(DISTINCT o) AS n ORDER BY n DESC, code LIMIT 1")[0]["code"]


def test_coverage_choropleth_with_progress_legend_and_csv(page, base_url, common_activity, settings):
    held = []
    page.route(re.compile(r".*/api/v1/territories/coverage\?.*format=geojson.*"), lambda route: held.append(route))
    page.goto(f"{base_url}/territoires/couverture?territoire=D01&activite={common_activity}&km=10")
    assert page.title().startswith("Couverture")
    progress = page.locator("#progression")
    progress.wait_for(state="visible")  # the map data is held back: after 1 s the indicator shows the time
    page.wait_for_function("document.querySelector('#progression .progress-elapsed').textContent.includes('s')")
    assert "Chargement de la carte" in progress.inner_text()
    assert re.search(r"\(\d+ s écoulées?\)", progress.inner_text())
    shot(page, "territoires-01-progression")
    held[0].continue_()

    page.wait_for_selector("#territory-map[data-choropleth]")
    ain = territories.resolve_code(settings.data_dir, "D01")
    assert int(page.get_attribute("#territory-map", "data-choropleth")) == len(ain.rows)
    assert page.get_attribute("#territory-map", "data-choropleth-level") == "commune"
    assert progress.is_hidden()
    page.wait_for_selector("#territory-map[data-basemap-ready=true]")
    assert page.locator("#territory-map canvas").count() >= 1  # communes drawn on the canvas renderer
    assert page.locator("#legende").is_visible() and page.locator("#legende li").count() == 5
    assert "Une cellule par commune" in page.locator("[data-legend-level]").inner_text()
    summary = page.locator("[data-figure=population-far]").inner_text()
    assert "habitants" in summary and "donnée synthétique" in summary
    assert page.locator("#communes-eloignees tbody tr").count() >= 1
    assert page.locator("a[download]").get_attribute("href").endswith("format=csv")
    shot(page, "territoires-02-choroplethe")
    assert page.console_errors == []


def test_compare_two_territories_side_by_side(page, base_url):
    page.goto(base_url + "/territoires")
    page.locator("nav a", has_text="Territoires").wait_for()
    page.select_option("#champ-territoire", "D01")
    page.select_option("#champ-comparer", "D2A")
    page.click("form[method=get] button[type=submit]")
    page.wait_for_selector("table.compare-table")
    headers = page.locator("table.compare-table thead th").all_inner_texts()
    assert headers[1:] == ["Ain (01)", "Corse-du-Sud (2A)"]
    assert page.locator("table.compare-table tbody tr").count() == 11
    assert page.locator("section.territory-picture").count() == 2
    assert "pour 100 000 habitants" in page.locator("section.territory-picture").first.inner_text()
    page.wait_for_selector("#territory-map[data-basemap-ready=true]")
    assert page.locator("#territory-map .leaflet-outline-pane path, #territory-map canvas").count() >= 1
    shot(page, "territoires-03-comparaison")
    assert page.console_errors == []


def test_draw_a_zone_on_the_map_then_see_its_picture(page, base_url):
    page.goto(base_url + "/territoires")
    page.wait_for_selector("#territory-map[data-basemap-ready=true]")
    page.click("details.zone-panel summary")
    assert page.locator("[data-draw-tools]").is_visible()
    page.locator("#territory-map").scroll_into_view_if_needed()
    box = page.locator("#territory-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in ((-60, -40), (60, -40), (60, 40), (-60, 40)):
        page.mouse.click(cx + dx, cy + dy)
    assert "4 sommets" in page.locator("[data-draw-status]").inner_text()
    page.click("[data-draw-finish]")
    drawn = page.input_value("#champ-geojson")
    assert drawn.startswith('{"type":"Polygon"') and drawn.count("[") == 7  # 5 positions in one ring
    page.fill("#champ-nom", "Zone du test")
    shot(page, "territoires-04-zone-dessinee")
    page.click("form[method=post] button[type=submit]")
    page.wait_for_selector("section.territory-picture")
    assert page.locator("section.territory-picture h2").inner_text() == "Zone du test"
    assert re.search(r"\d habitants", page.locator("section.territory-picture").inner_text())
    shot(page, "territoires-05-portrait-zone")
    assert page.console_errors == []
