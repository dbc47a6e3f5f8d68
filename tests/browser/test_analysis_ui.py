"""What an analyst sees: the read-only Cypher console (table, graph view, CSV download), keyboard use,
refusals in French, and the pathway library page."""

from __future__ import annotations

import csv
import io
import json

import pytest
from playwright.sync_api import expect

from accounts.store import UserStore
from tests.browser.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.integration]
PASSWORD = "mot-de-passe-analyste"


@pytest.fixture(scope="module")
def analyst(base_url, graph):
    """An analyst account on the seeded graph (accounts are not part of the seeding fingerprint)."""
    store = UserStore(graph)
    if store.get("analyste_ui") is None:
        store.add("analyste_ui", PASSWORD, "analyst")
    return "analyste_ui"


def log_in(page, base_url, username, target):
    page.goto(f"{base_url}/connexion?suivant={target}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base_url}{target}")


def test_analyst_runs_a_path_query_sees_table_and_graph_and_downloads_csv(page, base_url, analyst):
    log_in(page, base_url, analyst, "/espace")
    page.click("nav.breadcrumb >> text=Console Cypher")
    page.wait_for_selector("h1:has-text('Console Cypher')")
    assert "HAS_ORG" in page.input_value("#console-requete")  # the example is a path query
    assert json.loads(page.input_value("#console-parametres")) == {"departement": "01"}
    page.click("button:has-text('Exécuter')")

    rows = page.locator("#resultat-console table.analysis-table tbody tr")
    rows.first.wait_for()
    assert rows.count() == 5
    assert page.locator("#resultat-console thead th").all_inner_texts() == ["p"]
    assert rows.first.inner_text().startswith("(:Site ")
    assert "5 lignes en" in page.inner_text("#resultat-console [data-summary]")
    graph = page.locator("#resultat-console-graphe svg.graph-svg")
    graph.wait_for()
    circles = graph.locator("g.graph-node circle").count()
    assert circles >= 5 and graph.locator("g.graph-link line").count() >= 4
    assert "nœuds" in page.inner_text("#resultat-console-graphe figcaption")
    shot(page, "analyse-01-console-chemins")

    with page.expect_download() as info:
        page.click("#resultat-console button[data-download=csv]")
    download = info.value
    assert download.suggested_filename.startswith("console-") and download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8") as handle:
        table = list(csv.reader(io.StringIO(handle.read())))
    assert table[0] == ["p"] and len(table) == 6
    first = json.loads(table[1][0])
    assert first["nodes"][0]["labels"] == ["Site"] and "Activity" in first["nodes"][-1]["labels"]
    assert page.locator("#resultat-console [data-progress]").is_hidden()

    page.click("button:has-text('Lancer en export')")  # the same query as a background export
    # the message comes with the refreshed list, whose first row is then the new export
    page.locator(".analysis-jobs [data-jobs-message]:has-text('Export lancé')").wait_for()
    done = page.locator(".analysis-jobs tbody tr:first-child[data-job-state=done]")
    done.wait_for()
    assert "terminé" in done.inner_text()
    with page.expect_download() as info:
        done.locator("a:has-text('CSV')").click()
    exported = info.value
    with open(exported.path(), encoding="utf-8") as handle:
        assert list(csv.reader(io.StringIO(handle.read())))[0] == ["p"]
    assert rows.count() == 5  # starting an export leaves the shown result in place
    shot(page, "analyse-01b-export")
    before = page.locator(".analysis-jobs tbody tr").count()
    done.locator("button:has-text('Supprimer')").click()
    page.locator(".analysis-jobs [data-jobs-message]:has-text('Export supprimé')").wait_for()
    expect(page.locator(".analysis-jobs tbody tr")).to_have_count(before - 1)
    assert page.console_errors == []


def test_keyboard_run_and_french_refusal(page, base_url, analyst):
    log_in(page, base_url, analyst, "/analyse/console")
    page.focus("#console-requete")
    page.keyboard.press("Control+A")
    page.keyboard.type("MATCH (d:Department) RETURN d.code AS code ORDER BY code")
    page.focus("#console-parametres")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.focus("#console-requete")
    page.keyboard.press("Control+Enter")
    cells = page.locator("#resultat-console tbody td")
    cells.first.wait_for()
    assert cells.count() > 3 and cells.first.inner_text() == "01"
    assert page.locator("#resultat-console-graphe").is_hidden()  # scalars: no graph view
    assert page.evaluate("document.activeElement.id") == "resultat-console-titre"  # focus moved to the result

    page.focus("#console-requete")
    page.keyboard.press("Control+A")
    page.keyboard.type("MATCH (d:Department) DETACH DELETE d")
    page.keyboard.press("Control+Enter")
    error = page.locator("#resultat-console [data-error]")
    error.wait_for()
    assert "Requête refusée" in error.inner_text() and "(DETACH)" in error.inner_text()
    shot(page, "analyse-02-refus")

    # a query that only stops at the server's time limit: the progress bar shows, then the analyst cancels
    page.focus("#console-requete")
    page.keyboard.press("Control+A")
    page.keyboard.type("UNWIND range(1, 2000000000) AS x WITH x WHERE x < 0 RETURN count(x)")
    page.keyboard.press("Control+Enter")
    progress = page.locator("#resultat-console [data-progress]")
    progress.wait_for()
    assert "Exécution en cours" in progress.inner_text()
    shot(page, "analyse-02b-progression")
    page.focus("#resultat-console [data-cancel]")
    page.keyboard.press("Enter")
    page.locator("#resultat-console [data-error]:has-text('Requête annulée')").wait_for()
    assert "le serveur l'a arrêtée" in error.inner_text()  # the transaction was terminated in Neo4j
    assert progress.is_hidden()

    # the same query as a background export, stopped from "Mes exports" while it runs
    before = page.locator(".analysis-jobs tbody tr").count()
    page.click("button:has-text('Lancer en export')")
    running = page.locator(".analysis-jobs tbody tr:first-child[data-job-state=running]")
    running.wait_for()
    assert "en cours" in running.inner_text()
    running.locator("button:has-text('Arrêter')").click()
    page.locator(".analysis-jobs [data-jobs-message]:has-text('Export arrêté')").wait_for()
    expect(page.locator(".analysis-jobs tbody tr")).to_have_count(before)
    # the refused (403) and the cancelled (400) fetches are logged by the browser; nothing else is
    assert all("403" in e or "400" in e for e in page.console_errors), page.console_errors


def test_library_page_runs_a_query_with_its_parameters(page, base_url, analyst):
    log_in(page, base_url, analyst, "/analyse/bibliotheque")
    article = page.locator("#requete-professionals_per_100k")
    article.scroll_into_view_if_needed()
    article.locator("input[name=department_code]").fill("01")
    article.locator("button[type=submit]").click()
    result = page.locator("#resultat-professionals_per_100k")
    result.locator("[data-summary]:has-text('ligne')").wait_for()
    assert result.locator("thead th").count() > 1
    shot(page, "analyse-03-bibliotheque")
    assert page.console_errors == []
