"""What a coordinator sees in a crisis: the plan blanc board of the région (map markers, totals, the survey and who
has not answered) and the emergency dashboard, whose inline line charts are drawn by the browser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import Principal
from accounts.store import UserStore
from crisis import plan as crisis_plan
from crisis.declarations import SSE_CATEGORIES
from emergency import dashboard, feed, feeder
from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.integration]
PASSWORD = "mot-de-passe-crise"
SEED = 5


@pytest.fixture(scope="module")
def crisis_world(base_url, graph):
    """A coordinator of the Ain's région, a plan blanc at one hospital, 24 h of synthetic emergency reports for a few
    sites (under the thresholds: no tension alert is raised in the shared seeded graph). Removed afterwards."""
    store = UserStore(graph)
    hospital = graph.read(
        "MATCH (s:Site {department_code: '01'}) WHERE s.category_code IN $categories AND s.location IS NOT NULL "
        "RETURN s.finess AS finess, s.name AS name ORDER BY s.finess LIMIT 1", categories=list(SSE_CATEGORIES))[0]
    for name, role, sites, regions in (("coord_crise_ui", "coordinator", (), ("84",)),
                                       ("contrib_crise_ui", "contributor", (hospital["finess"],), ())):
        if store.get(name) is None:
            store.add(name, PASSWORD, role, sites=sites, regions=regions)
    contributor = Principal(store.get("contrib_crise_ui"), via="test")
    crisis_plan.set_plan(graph, contributor, hospital["finess"], {"active": True, "level": 2, "note": "Exercice"})
    crisis_plan.declare_resources(graph, contributor, hospital["finess"],
                                  {"beds_24h_medecine": 40, "beds_48h_medecine": 55, "ventilators": 12})
    dashboard.forget_sites()
    now = datetime.now(UTC)
    moments = feed.slots(now - timedelta(hours=23), now, timedelta(hours=1))
    calm = [s for s in feeder.sites(graph) if s.finess.startswith("01") and not any(
        feed.saturation(SEED, s, int(m.timestamp() // 3600)) for m in moments)][:3]
    sent = feeder.send(graph, SEED, calm, moments)
    assert len(calm) == 3 and sent.refused == 0 and sent.accepted == len(calm) * len(moments)
    yield {"hospital": hospital, "sites": calm, "moments": moments}
    graph.write("MATCH (n) WHERE n:CrisisPlanState OR n:CrisisResources OR n:CrisisSurvey OR n:EmergencyReport "
                "OR n:EmergencyStatus DETACH DELETE n")
    graph.write("MATCH (a:AuditEntry) WHERE a.actor IN ['contrib_crise_ui', 'coord_crise_ui', 'flux-synthetique'] "
                "DETACH DELETE a")
    graph.write("MATCH (u:User) WHERE u.username IN ['contrib_crise_ui', 'coord_crise_ui'] "
                "OPTIONAL MATCH (u)-[:HAS_TOKEN]->(t) DETACH DELETE u, t")
    dashboard.forget_sites()


def log_in(page, base_url, target):
    page.goto(f"{base_url}/connexion?suivant={target}")
    page.fill("#username", "coord_crise_ui")
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base_url}{target}")


def test_the_crisis_board_shows_the_plan_on_the_map_and_who_has_not_answered(page, base_url, crisis_world):
    hospital = crisis_world["hospital"]
    log_in(page, base_url, "/coordination/crise?region=84")
    row = page.locator(f"tr[data-finess='{hospital['finess']}']")
    assert "niveau 2" in row.inner_text() and "40" in row.inner_text()
    assert page.locator("tbody tr").first.get_attribute("data-finess") == hospital["finess"]  # plans first
    page.wait_for_selector("#map[data-markers]")
    assert int(page.get_attribute("#map", "data-markers")) >= 1
    assert page.locator(".map-marker.map-marker-crisis-2").count() == 1
    assert page.locator("[data-total=plans]").inner_text() == "1"
    shot(page, "crise-01-tableau")
    page.fill("#reason", "Accident collectif (exercice)")
    page.click("button[name=action][value=open]")
    page.wait_for_selector("[data-survey-open]")
    silent = int(page.locator("[data-total=not_answered]").inner_text())
    assert silent == page.locator("tr.row-silent").count() and silent >= 1
    assert "sans réponse depuis le" in page.locator("tr.row-silent").first.inner_text()
    assert page.locator(f"tr[data-finess='{hospital['finess']}'].row-silent").count() == 1  # declared before it
    assert page.locator("a[download]").get_attribute("href").startswith("/api/v1/crisis/board.csv?region=84")
    shot(page, "crise-02-enquete")
    page.click("button[name=action][value=close]")
    page.wait_for_selector("text=Enquête close.")
    assert page.console_errors == []


def test_the_emergency_dashboard_draws_its_line_charts(page, base_url, crisis_world):
    log_in(page, base_url, "/coordination/urgences?region=84")
    rows = page.locator("table.emergency-board tbody tr[data-finess]")
    assert rows.count() == len(crisis_world["sites"])
    assert "donnée synthétique" in page.locator("[data-synthetic]").inner_text()
    chart = rows.first.locator("svg.sparkline").first
    chart.wait_for(state="visible")
    line = chart.locator("polyline.sparkline-line").first
    box = line.bounding_box()
    assert box is not None and box["width"] > 60 and box["height"] > 2  # a drawn line, not a dot
    stroke = line.evaluate("el => getComputedStyle(el).stroke")
    assert stroke not in ("none", "")
    assert "Patients présents, 24 h : de" in chart.get_attribute("aria-label")
    shot(page, "urgences-01-tableau")
    rows.first.locator("a").first.click()
    page.wait_for_selector("h1:has-text('Activité des urgences')")
    assert page.locator(".emergency-charts svg.sparkline").count() == 4
    assert page.locator("table tbody tr td.code").count() == len(crisis_world["moments"])  # the last 24 h
    shot(page, "urgences-02-structure")
    assert page.console_errors == []
