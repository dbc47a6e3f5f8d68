"""Emergency activity in near real time: reports through the JSON API (bearer token, scope), idempotent by message
id, duplicates and out-of-order messages handled; thresholds raise the site's tension alert with the rule that fired
and close it once calm; the regional dashboard; the synthetic feed through the same path."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import Principal, User
from emergency import dashboard, feed
from emergency import service as emergency_service
from tests.integration.access_world import bearer, build_world, make_app

pytestmark = pytest.mark.integration
SITE = "010000033"  # CH de Bourg: has an emergency offer; contrib_c is its contributor, coord_ara its coordinator
NOW = datetime.now(UTC).replace(second=0, microsecond=0)


@pytest.fixture(scope="module")
def world(graph, search_client, engine_endpoints, settings):
    tokens = build_world(graph, engine_endpoints, "crisis")
    dashboard.forget_sites()
    return make_app(settings.replace(index_prefix="emergtest"), graph, search_client), tokens


def report(message_id: str, at: datetime, **values) -> dict:
    body = {"message_id": message_id, "finess": SITE, "observed_at": at.isoformat(), "arrivals_last_hour": 6,
            "arrivals_today": 50, "present": 30, "waiting_to_be_seen": 5, "over_4h": 4, "boarding": 3,
            "uhcd_occupied": 5, "uhcd_beds": 8, "age75_share": 22.5, "transfers_out": 1}
    return {**body, **values}


def post(app, token, body):
    return app.test_client().post("/api/v1/emergency/reports", json=body, headers=bearer(token))


def site(app, token, hours=24):
    return app.test_client().get(f"/api/v1/emergency/sites/{SITE}?hours={hours}", headers=bearer(token)).get_json()


def reports_in_graph(graph, message_id):
    return graph.read("MATCH (r:EmergencyReport {message_id: $m}) RETURN r.present AS present", m=message_id)


def test_a_report_is_stored_once_whatever_the_retransmissions(world, graph):
    app, tokens = world
    body = report("bourg-0001", NOW - timedelta(minutes=50))
    first = post(app, tokens["contrib_c"], body)
    assert first.status_code == 201
    receipt = first.get_json()["receipt"]
    assert receipt["status"] == "accepted" and receipt["latest"] and not receipt["late"]
    again = post(app, tokens["contrib_c"], body)
    assert again.status_code == 200 and again.get_json()["receipt"]["status"] == "duplicate"
    with ThreadPoolExecutor(max_workers=8) as pool:  # a sender retrying in a hurry
        codes = list(pool.map(lambda _: post(app, tokens["contrib_c"], body).status_code, range(8)))
    assert codes == [200] * 8 and len(reports_in_graph(graph, "bourg-0001")) == 1
    changed = post(app, tokens["contrib_c"], {**body, "present": 31})
    assert changed.status_code == 409 and changed.get_json()["error"]["fields"] == {"message_id": "déjà utilisé"}
    assert reports_in_graph(graph, "bourg-0001") == [{"present": 30}]


def test_out_of_order_messages_keep_the_latest_and_fill_their_hour(world):
    app, tokens = world
    newer = report("bourg-0003", NOW - timedelta(minutes=10), present=42, boarding=6)
    older = report("bourg-0002", NOW - timedelta(minutes=30), present=35, boarding=4)
    assert post(app, tokens["contrib_c"], newer).get_json()["receipt"]["latest"] is True
    late = post(app, tokens["contrib_c"], older).get_json()["receipt"]
    assert late["status"] == "accepted" and late["late"] and not late["latest"]
    yesterday = report("bourg-0000", NOW - timedelta(hours=26), present=18, boarding=1)
    assert post(app, tokens["contrib_c"], yesterday).get_json()["receipt"]["late"] is True
    body = site(app, tokens["contrib_c"], hours=48)
    activity = body["activity"]
    assert activity["values"]["present"] == 42 and activity["observed_at"] == newer["observed_at"]
    assert 18 in activity["trend_7d"]["present"]  # the late report filled its own hour, 26 h ago
    assert [r["message_id"] for r in body["reports"][:3]] == ["bourg-0003", "bourg-0002", "bourg-0001"]
    assert body["reports"][1]["late"] is True and body["reports"][-1]["message_id"] == "bourg-0000"


def test_reports_are_checked_and_scoped(world):
    app, tokens = world
    bad = post(app, tokens["contrib_c"], report("bourg-bad", NOW, boarding=40, observed_at="demain"))
    assert bad.status_code == 400 and set(bad.get_json()["error"]["fields"]) == {"boarding", "observed_at"}
    future = post(app, tokens["contrib_c"], report("bourg-fut", NOW + timedelta(hours=2)))
    assert future.status_code == 400
    assert post(app, tokens["contrib_a"], report("a-1", NOW)).status_code == 403  # not their site
    assert post(app, tokens["coord_ara"], report("c-1", NOW)).status_code == 403  # coordinators read, not send
    assert post(app, tokens["reader"], report("r-1", NOW)).status_code == 403
    no_er = post(app, tokens["contrib_a"], {**report("a-2", NOW), "finess": "400000011"})
    assert no_er.status_code == 400 and "pas de structure des urgences" in no_er.get_json()["error"]["message"]
    assert post(app, tokens["admin"], {**report("x-1", NOW), "finess": "999999999"}).status_code == 404
    assert app.test_client().post("/api/v1/emergency/reports", json=report("anon", NOW)).status_code == 401
    assert post(app, "jeton-invalide", report("bad-token", NOW)).status_code == 401


def tension(graph):
    return graph.read("MATCH (:Site {finess: $f})-[:HAS_TENSION]->(t:TensionAlert) RETURN t {.*} AS t "
                      "ORDER BY t.started_at", f=SITE)


def test_a_threshold_crossed_opens_then_updates_then_closes_the_tension_alert(world, graph):
    app, tokens = world
    before = len(tension(graph))
    over = post(app, tokens["contrib_c"], report("bourg-0010", NOW - timedelta(minutes=8), present=60, boarding=22))
    signal = over.get_json()["receipt"]["signal"]
    assert signal["action"] == "open" and signal["level"] == 3 and signal["rule"] == "boarding_20"
    alerts = tension(graph)
    assert len(alerts) == before + 1
    alert = alerts[-1]["t"]
    assert alert["open"] and alert["source"] == "urgences" and alert["auto_rule"] == "boarding_20"
    assert "valeur observée 22, seuil 20" in alert["cause"]
    lower = post(app, tokens["contrib_c"], report("bourg-0011", NOW - timedelta(minutes=6), present=60, boarding=12))
    assert lower.get_json()["receipt"]["signal"] == {"action": "update", "alert_id": alert["id"], "level": 2,
                                                     "rule": "boarding_10"}
    same = post(app, tokens["contrib_c"], report("bourg-0012", NOW - timedelta(minutes=5), present=60, boarding=13))
    assert same.get_json()["receipt"]["signal"] is None  # same rule, same level: nothing to change
    activity = site(app, tokens["coord_ara"])["activity"]
    assert activity["fired_rule"] == "boarding_10" and activity["tension_level"] == 2
    assert activity["alert_since"] == report("x", NOW - timedelta(minutes=8))["observed_at"]  # over since the first
    calm = post(app, tokens["contrib_c"], report("bourg-0013", NOW - timedelta(minutes=4), boarding=2))
    assert calm.get_json()["receipt"]["signal"] is None  # calm, but not for an hour yet
    audit = app.test_client().get(f"/api/v1/audit?target={alert['id']}", headers=bearer(tokens["admin"])).get_json()
    assert [e["action"] for e in audit["entries"]] == ["tension.update", "tension.open"]
    assert audit["entries"][1]["actor"] == "signal-urgences" and audit["entries"][1]["via"] == "rule:boarding_20"


def test_the_rules_only_raise_an_alert_a_person_opened(world, graph):
    app, tokens = world
    client = app.test_client()
    for a in tension(graph):
        if a["t"]["open"]:
            client.post(f"/api/v1/tension/{a['t']['id']}/close", json={}, headers=bearer(tokens["admin"]))
    manual = client.post(f"/api/v1/sites/{SITE}/tension", json={"level": 2, "cause": "Grève (test)"},
                         headers=bearer(tokens["contrib_c"])).get_json()["alert"]
    over = post(app, tokens["contrib_c"], report("bourg-0020", NOW - timedelta(minutes=3), present=60, boarding=25))
    assert over.get_json()["receipt"]["signal"]["action"] == "raise"
    alert = next(a["t"] for a in tension(graph) if a["t"]["id"] == manual["id"])
    assert alert["level"] == 3 and alert["cause"] == "Grève (test)" and alert["auto_rule"] == "boarding_20"
    calm_long = post(app, tokens["contrib_c"], report("bourg-0021", NOW - timedelta(minutes=2), boarding=1))
    assert calm_long.get_json()["receipt"]["signal"] is None  # never closes what a person opened
    assert next(a["t"] for a in tension(graph) if a["t"]["id"] == manual["id"])["open"]


def test_an_alert_the_rules_opened_is_closed_after_an_hour_of_calm(world, graph):
    app, tokens = world
    other = "400000022"  # CH de Dax gets an emergency department for this test
    graph.write("MATCH (s:Site {finess: $f}), (a:Activity {code: '157'}) "
                "MERGE (s)-[:OFFERS]->(o:Offer {id: 'off-b-urg', name: 'Urgences B', status: 'published', "
                "synthetic: true})-[:PROVIDES]->(a)", f=other)
    base = NOW - timedelta(minutes=55)
    sender = Principal(User("admin", "admin"), via="test")

    def send(message_id, at, arrival, **values):
        return emergency_service.submit(graph, sender, {**report(message_id, at, **values), "finess": other},
                                        now=arrival)

    assert send("dax-1", base, base + timedelta(minutes=1), boarding=30).signal.action == "open"
    assert send("dax-2", base + timedelta(minutes=5), base + timedelta(minutes=6)).signal is None
    later = base + timedelta(minutes=66)
    assert send("dax-3", later, later + timedelta(minutes=1)).signal.action == "close"
    alert = graph.read("MATCH (:Site {finess: $f})-[:HAS_TENSION]->(t) RETURN t {.*} AS t", f=other)[0]["t"]
    assert not alert["open"] and alert["actions"].startswith("Clôture automatique")


def test_a_report_arriving_hours_late_never_raises_a_signal(world, graph):
    """The newest report of a site, but sent three hours after it was observed: stored as the latest values,
    no tension signal (it says nothing about now)."""
    sender = Principal(User("admin", "admin"), via="test")
    at = NOW + timedelta(hours=2)
    receipt = emergency_service.submit(graph, sender, {**report("dax-4", at, boarding=29), "finess": "400000022"},
                                       now=at + timedelta(hours=3))
    assert receipt.latest and receipt.signal is None


def test_the_dashboard_of_a_region(world, graph):
    app, tokens = world
    client = app.test_client()
    ara = client.get("/api/v1/emergency/dashboard", headers=bearer(tokens["coord_ara"])).get_json()
    assert [r["finess"] for r in ara["rows"]] == [SITE] and ara["silent"] == []
    row = ara["rows"][0]
    assert row["values"]["present"] == 30 and row["stale"] is False and len(row["trend_24h"]["present"]) == 24
    assert len(row["trend_7d"]["boarding"]) == 168 and 30 in row["trend_24h"]["present"]
    na = client.get("/api/v1/emergency/dashboard", headers=bearer(tokens["coord_na"])).get_json()
    assert [r["finess"] for r in na["rows"]] == ["400000022"]
    assert client.get("/api/v1/emergency/dashboard?region=84", headers=bearer(tokens["coord_na"])).status_code == 403
    assert client.get("/api/v1/emergency/dashboard", headers=bearer(tokens["contrib_c"])).status_code == 403
    assert client.get(f"/api/v1/emergency/sites/{SITE}", headers=bearer(tokens["contrib_a"])).status_code == 403


def test_the_synthetic_feed_goes_through_the_same_path(world, graph):
    from emergency import feeder

    app, tokens = world
    sites = feeder.sites(graph)
    assert {s.finess for s in sites} >= {SITE}
    start = NOW - timedelta(hours=2)
    sent = feeder.send(graph, 42, sites, feed.slots(start, NOW, timedelta(minutes=30)))
    again = feeder.send(graph, 42, sites, feed.slots(start, NOW, timedelta(minutes=30)))
    assert sent.accepted == len(sites) * 5 and again.accepted == 0 and again.duplicates == sent.accepted
    stored = graph.read("MATCH (r:EmergencyReport {source: 'synthetic'}) RETURN count(r) AS n, "
                        "all(x IN collect(r.synthetic) WHERE x) AS labelled")[0]
    assert stored == {"n": sent.accepted, "labelled": True}


def test_fhir_measure_report_per_site_and_hour(world):
    from fhir.resources.R4B import get_fhir_model_class

    app, tokens = world
    client = app.test_client()
    since = (NOW - timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    found = client.get(f"/fhir/MeasureReport?subject=Organization/eg-{SITE}&date=ge{since}",
                       headers=bearer(tokens["coord_ara"]))
    assert found.status_code == 200 and found.content_type.startswith("application/fhir+json")
    bundle = found.get_json()
    assert bundle["type"] == "searchset" and bundle["total"] >= 3
    newest = bundle["entry"][0]["resource"]
    get_fhir_model_class("MeasureReport").model_validate(newest)
    assert newest["subject"]["reference"] == f"Organization/eg-{SITE}" and newest["type"] == "summary"
    scores = {g["code"]["coding"][0]["code"]: g["measureScore"]["value"] for g in newest["group"]}
    assert {"present", "boarding", "waiting_to_be_seen", "over_4h", "arrivals_today"} <= set(scores)
    hours = [e["resource"]["period"]["start"] for e in bundle["entry"]]
    assert hours == sorted(hours, reverse=True) and len(set(hours)) == len(hours)  # one report per hour
    one = client.get(f"/fhir/MeasureReport/{newest['id']}", headers=bearer(tokens["contrib_c"])).get_json()
    assert {**one, "status": None} == {**newest, "status": None}  # (the hour may have ended in between)
    older = next(e["resource"] for e in bundle["entry"] if e["resource"]["period"]["start"] < hours[0])
    assert older["status"] == "complete"
    assert client.get(f"/fhir/MeasureReport/{newest['id']}", headers=bearer(tokens["coord_na"])).status_code == 403
    assert client.get(f"/fhir/MeasureReport/{newest['id']}").status_code == 401
    assert client.get("/fhir/MeasureReport/urgences-010000033-1999010100",
                      headers=bearer(tokens["admin"])).status_code == 404
    refused = client.get("/fhir/MeasureReport?subject=Organization/eg-010000033&date=ge2020-01-01",
                         headers=bearer(tokens["admin"]))
    assert refused.status_code == 400 and refused.get_json()["resourceType"] == "OperationOutcome"


def test_the_older_history_goes_straight_into_the_series(world, graph):
    from emergency import feeder

    app, tokens = world
    sites = feeder.sites(graph)

    def charted():
        return sum(v is not None for v in site(app, tokens["admin"])["activity"]["trend_7d"]["present"])

    hour = NOW.replace(minute=0)
    start, end = hour - timedelta(days=5), hour - timedelta(days=3)
    before = charted()
    hours = feeder.seed_history(graph, 42, sites, start, end)
    assert hours == len(sites) * 48 and charted() == before + 48
    assert feeder.seed_history(graph, 42, sites, start, end) == 0  # hours already held are kept
