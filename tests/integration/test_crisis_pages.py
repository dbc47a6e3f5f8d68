"""Pages of the crisis modules, logged in through the login form: a contributor declares the plan blanc and the
resources of their establishment and enters emergency activity by hand; a coordinator follows the crisis board
(survey, CSV link) and the emergency dashboard (inline charts); adverse-event forms are filed, refused with the
reason when they show an identity, answered and closed; each page is closed to whoever is out of scope."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from emergency import dashboard
from tests.integration.access_world import build_world, logged_in, make_app, token_of

pytestmark = pytest.mark.integration
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module")
def app(graph, search_client, engine_endpoints, settings):
    build_world(graph, engine_endpoints, "crisis")
    dashboard.forget_sites()
    return make_app(settings.replace(index_prefix="crisispages"), graph, search_client)


def submit(client, path, data):
    form = client.get(path)
    assert form.status_code == 200, path
    return client.post(path, data={**data, "csrf_token": token_of(form)})


def text(response) -> str:
    """The page as a person reads it (entities such as &#39; decoded)."""
    return html.unescape(response.get_data(as_text=True))


def test_a_contributor_declares_plan_and_resources_from_the_page(app):
    client = logged_in(app, "contrib_a")
    home = text(client.get("/espace"))
    assert "/contribution/etablissements/400000011/plan-blanc" in home
    path = "/contribution/etablissements/400000011/plan-blanc"
    triggered = submit(client, path, {"action": "plan", "active": "true", "level": "2", "note": "Afflux (test)"})
    assert triggered.status_code == 200
    assert "Plan blanc déclenché — Niveau 2" in text(triggered)
    declared = submit(client, path, {"action": "resources", "beds_24h_medecine": "40", "ventilators": "12",
                                     "stock_atropine": "150"})
    assert "Ressources déclarées : 40 lits ouvrables sous 24 h" in text(declared)
    refused = submit(client, path, {"action": "resources", "ventilators": "-3"})
    assert refused.status_code == 400 and "Respirateurs disponibles : ne peut pas être négatif." in text(refused)
    assert 'id="ventilators"' in text(refused) and 'aria-invalid="true"' in text(refused)
    assert logged_in(app, "contrib_c").get(path).status_code == 403


def test_the_coordinator_board_page_with_survey_map_and_csv(app):
    client = logged_in(app, "coord_na")
    page = client.get("/coordination/crise")
    body = text(page)
    assert page.status_code == 200 and "Tableau de crise" in body and 'id="map-data"' in body
    assert '"cls": "map-marker-crisis-2"' in body and "/api/v1/crisis/board.csv?region=75" in body
    opened = submit(client, "/coordination/crise", {"region": "75", "action": "open", "reason": "Exercice NRBC"})
    body = text(opened)
    assert "Enquête lancée" in body and "data-survey-open" in body
    assert re.search(r'data-finess="400000022" class="row-silent"', body)  # Dax has not answered
    csv = client.get("/api/v1/crisis/board.csv?region=75")
    assert csv.status_code == 200 and csv.get_data(as_text=True).count("\r\n") == 3
    assert logged_in(app, "contrib_a").get("/coordination/crise").status_code == 403
    assert app.test_client().get("/coordination/crise").status_code == 302  # to the login form
    assert logged_in(app, "coord_na").get("/coordination/crise?region=84").status_code == 403


def test_hand_entry_and_the_emergency_dashboard_with_its_charts(app):
    contributor = logged_in(app, "contrib_c")
    path = "/contribution/etablissements/010000033/urgences"
    now = datetime.now(UTC)
    for minutes, boarding in ((130, 4), (70, 9), (10, 23)):
        at = (now - timedelta(minutes=minutes)).astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")  # a local clock
        entered = submit(contributor, path, {
            "observed_at": at, "arrivals_last_hour": "7", "arrivals_today": "80", "present": "45",
            "waiting_to_be_seen": "6", "over_4h": "9", "boarding": str(boarding)})
        assert entered.status_code == 200, text(entered)
    assert "Seuil de tension franchi" in text(entered)
    bad = submit(contributor, path, {"arrivals_last_hour": "7", "arrivals_today": "80", "present": "5",
                                     "waiting_to_be_seen": "6", "over_4h": "1", "boarding": "1"})
    assert bad.status_code == 400 and "ne peut pas dépasser les patients présents (5)" in text(bad)
    coordinator = logged_in(app, "coord_ara")
    page = coordinator.get("/coordination/urgences")
    body = text(page)
    assert page.status_code == 200 and 'data-finess="010000033" class="row-alert"' in body
    assert "Plus de 20 patients en attente d'un lit" in body
    charts = re.findall(r'<svg class="sparkline[^"]*"[^>]*aria-label="([^"]+)"', body)
    assert "En attente d'un lit d'hospitalisation, 24 h : de 4 à 23, dernière valeur 23" in charts
    assert re.search(r'<polyline class="sparkline-line" points="[0-9., ]+"', body)
    assert logged_in(app, "contrib_a").get(path).status_code == 403
    assert logged_in(app, "contrib_c").get("/coordination/urgences").status_code == 403


def test_an_adverse_event_form_from_filing_to_closure(app):
    reader = logged_in(app, "reader")
    today = datetime.now(PARIS).date().isoformat()
    base = {"occurred_on": today, "category": "transfert_documents", "sites": "010000033, 400000011"}
    refused = submit(reader, "/fei/nouvelle", {**base, "description": "M. Martin né le 3 mars 1948, transféré."})
    assert refused.status_code == 400 and "aucune identité de patient" in text(refused)
    assert "3 mars 1948" in text(refused)  # the author's text is kept in the form to be corrected, not stored
    filed = submit(reader, "/fei/nouvelle", {**base, "description": "Patient de 70 ans arrivé sans son imagerie."})
    assert filed.status_code == 302
    page = reader.get(filed.headers["Location"])
    assert "Fiche déclarée et transmise à : " in text(page) and "coord_ara" in text(page)
    form_path = filed.headers["Location"].split("?")[0]
    referent = logged_in(app, "contrib_c")
    assert form_path.split("/")[-1] in text(referent.get("/fei"))
    answered = submit(referent, form_path, {"action": "answer", "text": "Gravure oubliée, procédure rappelée."})
    assert "Réponse enregistrée." in text(answered)
    coordinator = logged_in(app, "coord_na")
    submit(coordinator, form_path, {"action": "state", "to": "en_analyse"})
    closed = submit(coordinator, form_path, {"action": "state", "to": "cloturee",
                                             "actions": "Check-list de transfert mise à jour."})
    assert 'data-state="cloturee"' in text(closed) and "Check-list de transfert" in text(closed)
    stats = text(coordinator.get("/coordination/fei/statistiques"))
    assert 'data-category="transfert_documents"' in stats
    assert logged_in(app, "analyst").get(form_path).status_code == 403
    assert logged_in(app, "contrib_a").get("/coordination/fei/statistiques").status_code == 403
