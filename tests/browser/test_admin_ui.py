"""What coordinators and contributors see: the capacity board for a crisis (filters, sort, drill-down, CSV), the
capacity history in Paris time, a site's units on one entry screen, NOS values picked by their French label."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import ADMIN, log_in, no_horizontal_overflow, open_page, shot

pytestmark = [pytest.mark.browser, pytest.mark.integration]

REGION = "84"  # Ain (01) is the seeded département of Auvergne-Rhône-Alpes


@pytest.fixture
def admin(browser, base_url, admin_account, request):
    context, page = open_page(browser, 1366, 900)
    log_in(page, base_url)
    yield page
    shot(page, f"{request.node.name}-final")
    context.close()


@pytest.fixture(scope="module")
def bedded_site(graph, base_url):
    """A site of Ain with at least two bedded places that already have capacity entries."""
    return graph.read(
        "MATCH (s:Site {department_code: '01'})-[:HAS_ORG*0..6]->()-[:OFFERS]->(:Offer)-[:AT]->(p:Place) "
        "WHERE p.installed_beds > 0 AND EXISTS { (p)-[:HAS_CAPACITY]->() } "
        "WITH s, collect(DISTINCT p.id) AS places WHERE size(places) >= 2 "
        "RETURN s.finess AS finess, places ORDER BY size(places) DESC, finess LIMIT 1")[0]


def test_capacity_board_filters_sorts_drills_down_and_exports(admin, base_url):
    page = admin
    page.goto(f"{base_url}/coordination/capacites?region={REGION}")
    totals = page.locator("[data-totals]")
    totals.wait_for()  # the first look at a région may show "préparation en cours" and reload itself
    assert "heure de Paris" in page.locator("main").inner_text()
    page.select_option("#f-dep", "01")
    page.select_option("#f-tri", "disponibles")
    page.select_option("#f-ordre", "desc")
    page.click(".board-filters button[type=submit]")
    page.wait_for_url(lambda url: "departement=01" in url and "tri=disponibles" in url)
    rows = page.locator("table.board-table tbody tr")
    assert rows.count() > 0
    departments = rows.locator("td:first-child").all_inner_texts()
    assert all(d.startswith("01") for d in departments)
    available = [int(t) for t in rows.locator("td:nth-child(5) strong").all_inner_texts() if t.strip().isdigit()]
    assert available == sorted(available, reverse=True) and available  # sorted by available beds, most first
    assert page.get_attribute("th[aria-sort]", "aria-sort") == "descending"
    shot(page, "tableau-capacites-filtre")

    page.locator("a[data-drill=sites]").first.click()  # département × activity → its establishments
    page.wait_for_url(lambda url: "vue=sites" in url and "activite=" in url)
    page.locator("a[data-drill=unites]").first.click()  # an establishment → its units
    page.wait_for_url(lambda url: "vue=unites" in url and "finess=" in url)
    assert page.locator("table.board-table[data-level=unites] tbody tr").count() > 0
    assert page.locator("table.board-table tbody a[href^='/etablissements/']").count() > 0  # sites are links
    shot(page, "tableau-capacites-unites")

    csv = page.request.get(base_url + page.get_attribute("a[data-csv]", "href"))
    assert csv.status == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text().lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Département;FINESS;Établissement;Lieu") and len(lines) > 1
    assert "+01:00" in csv.text() or "+02:00" in csv.text()  # ISO 8601 with the Paris offset

    page.goto(f"{base_url}/coordination/capacites?region={REGION}&fraicheur=perimees&vue=unites")
    page.locator("[data-totals]").wait_for()
    stale = page.locator("table.board-table tbody tr")
    assert stale.count() == 0 or stale.first.locator(".badge-stale").count() == 1  # stale entries only
    assert page.console_errors == []


def test_capacity_history_is_shown_in_paris_time(admin, base_url, graph, bedded_site):
    place = bedded_site["places"][0]
    latest = graph.read("MATCH (:Place {id: $id})-[:HAS_CAPACITY]->(k:CapacitySnapshot) "
                        "RETURN k.updated_at AS at ORDER BY k.updated_at DESC LIMIT 1", id=place)[0]["at"]
    paris = latest.astimezone(ZoneInfo("Europe/Paris")).strftime("%d/%m/%Y %H:%M")
    utc = latest.astimezone(UTC).strftime("%d/%m/%Y %H:%M")
    page = admin
    page.goto(f"{base_url}/contribution/lieux/{place}/capacite")
    history = page.locator("table").last
    history.wait_for()
    assert "heure de Paris" in history.locator("thead").inner_text()
    first = history.locator("tbody tr").first.locator("td").first.inner_text()
    assert first == paris != utc  # an hour or two after UTC, said so in the column heading
    shot(page, "historique-capacite-heure-de-paris")


@pytest.mark.parametrize("width", [1366, 390], ids=["bureau", "telephone"])
def test_a_site_updates_several_units_on_one_screen(browser, base_url, admin_account, graph, bedded_site, width):
    context, page = open_page(browser, width, 900 if width > 400 else 844)
    try:
        log_in(page, base_url)
        page.goto(f"{base_url}/contribution/etablissements/{bedded_site['finess']}/capacites")
        units = page.locator("fieldset.unit-entry")
        units.first.wait_for()
        assert units.count() >= 2 and no_horizontal_overflow(page)
        for n in range(2):
            page.fill(f"#p{n}-available_women", "0")
            page.fill(f"#p{n}-available_men", "0")
            page.fill(f"#p{n}-available_undifferentiated", str(n + 1))
        page.click("form.site-capacity-form button[type=submit]")
        banner = page.locator("[data-saved]")
        banner.wait_for()
        assert int(banner.get_attribute("data-saved")) == units.count()  # every filled unit, in one submit
        shot(page, f"saisie-toutes-unites-{width}")
        rows = graph.read("MATCH (p:Place)-[:HAS_CAPACITY]->(k:CapacitySnapshot {latest: true}) WHERE p.id IN $ids "
                          "RETURN k.updated_by AS by, k.available_total AS total", ids=bedded_site["places"])
        assert {r["by"] for r in rows} == {ADMIN}
    finally:
        context.close()


@pytest.fixture(scope="module")
def editable_offer(graph, base_url):
    return graph.read("MATCH (s:Site {department_code: '01'})-[:HAS_ORG*0..6]->()-[:OFFERS]->(o:Offer) "
                      "RETURN o.id AS id ORDER BY o.id LIMIT 1")[0]["id"]


def codes_of(graph, offer_id: str, rel: str) -> set[str]:
    rows = graph.read(f"MATCH (:Offer {{id: $id}})-[:{rel}]->(c) RETURN c.code AS code", id=offer_id)
    return {r["code"] for r in rows}


def test_the_description_form_picks_nos_values_by_their_label(admin, base_url, graph, editable_offer):
    page = admin
    page.goto(f"{base_url}/contribution/offres/{editable_offer}/description")
    search = page.locator("#care_modes")
    search.wait_for()
    assert search.get_attribute("role") == "combobox"  # the picker took over the text field
    field = page.locator(".code-field", has=search)
    for name in ("care_modes", "age_groups"):  # start from no value (an earlier test may have chosen some)
        removes = page.locator(".code-field", has=page.locator(f"#{name}")).locator(".chip-remove")
        while removes.count():
            removes.first.click()
    assert field.locator(".chip").count() == 0
    search.fill("jour")
    page.locator("#care_modes-options li[role=option]", has_text="Hospitalisation de jour").click()
    page.locator(".chips li", has_text="Hospitalisation de jour").wait_for()
    assert page.locator(".chips li", has_text="Hospitalisation de jour").count() == 1
    ages = page.locator("#age_groups")
    ages.fill("75 ans et plus")
    # the list is drawn after the input event (a timer, then the lookup): the keys wait for it, not for a time
    page.locator("#age_groups-options li[role=option]").first.filter(has_text="Sénior, 75 ans et plus").wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.locator(".chips li", has_text="Sénior, 75 ans et plus").wait_for()
    assert page.locator(".chips li", has_text="Sénior, 75 ans et plus").count() == 1
    shot(page, "description-choix-par-libelle")
    page.click("form.search-form button[type=submit]")
    page.locator("text=Description enregistrée").wait_for()
    assert "29" in codes_of(graph, editable_offer, "MODE") and "11" in codes_of(graph, editable_offer, "FOR_AGE")


def test_a_picker_left_and_taken_again_at_once_keeps_its_list(admin, base_url, editable_offer):
    """The list closes a moment after the field loses the focus; coming back before that moment (a fast hand, or
    a test: the official CI failed here) must not close the list the field shows again. The page waits on its own
    timers, which fire in order: the 150 ms close is due before the 400 ms check."""
    page = admin
    page.goto(f"{base_url}/contribution/offres/{editable_offer}/description")
    page.locator("#age_groups[role=combobox]").wait_for()
    shown = page.evaluate("""async () => {
        const ages = document.getElementById("age_groups"), modes = document.getElementById("care_modes");
        // no value chosen, so that every class can be proposed (the synthetic offer may hold them all)
        for (const remove of ages.closest(".code-field").querySelectorAll(".chip-remove")) { remove.click(); }
        ages.focus(); modes.focus(); ages.focus();
        ages.value = "ans";  // several classes hold it, so one at least is not chosen yet
        ages.dispatchEvent(new Event("input", {bubbles: true}));
        await new Promise(r => setTimeout(r, 400));
        const list = document.getElementById("age_groups-options");
        return {hidden: list.hidden, options: Array.from(list.querySelectorAll("li[role=option]")).length};
    }""")
    assert shown["hidden"] is False and shown["options"] >= 1, shown


def test_without_javascript_labels_are_read_and_errors_name_the_field_in_french(browser, base_url, admin_account,
                                                                                graph, editable_offer):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, base_url)
        page.goto(f"{base_url}/contribution/offres/{editable_offer}/description")
        page.fill("#care_modes", "hôpital de jour; Consultation")
        page.fill("#age_groups", "Sénior, 75 ans et plus; Sénior, 65-75 ans")
        page.click("form.search-form button[type=submit]")
        page.locator("text=Description enregistrée").wait_for()
        assert codes_of(graph, editable_offer, "MODE") == {"29", "32"}
        assert codes_of(graph, editable_offer, "FOR_AGE") == {"10", "11"}

        page.fill("#care_modes", "zzz")
        page.click("form.search-form button[type=submit]")
        banner = page.locator(".banner-error").first
        banner.wait_for()
        text = banner.inner_text()
        assert "Modes de prise en charge" in text and "« zzz »" in text
        assert "care_modes" not in text and "MIN-" not in text  # no English field name, no internal rule id
        assert page.get_attribute("#care_modes", "aria-invalid") == "true"
        shot(page, "description-erreur-en-francais")
    finally:
        context.close()
