"""axe-core (vendored in tests/fixtures/axe, never shipped with the app) on the main pages at a desktop and a phone
width: no serious or critical violation of WCAG 2.2 A/AA, target size included."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS, WAIT_MS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.integration]

AXE = Path(__file__).resolve().parents[1] / "fixtures" / "axe" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PUBLIC_PAGES = {
    "recherche": "/",
    "resultats": "/?mode=specialist_opinion&quoi=cardio&code=013&ou=Belley",
    "resultats-vides": "/?mode=specialist_opinion&quoi=cardio&code=013&ou=Belleydoux&rayon=1",
    "connexion": "/connexion",
    "territoires": "/territoires",
}
ADMIN_PAGES = {
    "espace": "/espace",
    "tableau-capacites": "/coordination/capacites?region=84",
    "tableau-capacites-unites": "/coordination/capacites?region=84&vue=unites&departement=01",
    "peuplement": "/coordination/peuplement?region=84",
    "tensions": "/coordination/tensions",
}


def serious_violations(page) -> list[str]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
                           "resultTypes: ['violations']})", TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} — " + ", ".join(str(n["target"]) for n in v["nodes"][:3])
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.fixture(params=[(1366, 900), (390, 844)], ids=["bureau", "telephone"])
def axe_context(browser, request):
    width, height = request.param
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height},
                                  timezone_id="Europe/Paris", bypass_csp=True)  # to inject axe itself
    context.set_default_timeout(WAIT_MS)
    context.width = width
    yield context
    context.close()


def check(page, base_url: str, name: str, path: str, width: int) -> None:
    page.goto(base_url + path)
    page.locator("main").wait_for()
    page.wait_for_function("!document.querySelector('[data-preparing]')")  # a région table still being built
    found = serious_violations(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"axe-{name}-{width}.png"), full_page=False)
    assert found == [], f"{name}: " + " | ".join(found)


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_have_no_serious_accessibility_violation(axe_context, base_url, name):
    check(axe_context.new_page(), base_url, name, PUBLIC_PAGES[name], axe_context.width)


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_professional_pages_have_no_serious_accessibility_violation(axe_context, base_url, admin_account, name):
    page = axe_context.new_page()
    log_in(page, base_url)
    check(page, base_url, name, ADMIN_PAGES[name], axe_context.width)


def test_detail_and_entry_pages_have_no_serious_accessibility_violation(axe_context, base_url, admin_account, graph):
    row = graph.read("MATCH (s:Site {department_code: '01'})-[:HAS_ORG*0..6]->()-[:OFFERS]->(o:Offer)-[:AT]->(p:Place) "
                     "WHERE p.installed_beds > 0 RETURN s.finess AS finess, o.id AS offer, p.id AS place "
                     "ORDER BY s.finess, o.id LIMIT 1")[0]
    page = axe_context.new_page()
    log_in(page, base_url)
    for name, path in (("offre", f"/offres/{row['offer']}"), ("etablissement", f"/etablissements/{row['finess']}"),
                       ("description", f"/contribution/offres/{row['offer']}/description"),
                       ("saisie-lieu", f"/contribution/lieux/{row['place']}/capacite"),
                       ("saisie-etablissement", f"/contribution/etablissements/{row['finess']}/capacites")):
        check(page, base_url, name, path, axe_context.width)
