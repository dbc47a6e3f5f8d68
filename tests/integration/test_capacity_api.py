"""Capacity entries end to end: validation errors, history, one latest under concurrency, audit, freshness,
regional board, and the search index updated right after the write."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from accounts.audit import count
from accounts.models import Principal
from accounts.store import UserStore
from capacity import service
from core.errors import BadRequest, Forbidden, NotFound
from graph import group_commit
from tests.integration.access_world import bearer, build_world, make_app

pytestmark = pytest.mark.integration
PREFIX = "captest"


@pytest.fixture(scope="module")
def world(graph, search_client, engine_endpoints, settings):
    tokens = build_world(graph, engine_endpoints)
    settings = settings.replace(index_prefix=PREFIX)
    return make_app(settings, graph, search_client), tokens, settings


def put(app, token, place, body):
    return app.test_client().put(f"/api/v1/places/{place}/capacity", json=body, headers=bearer(token))


def snapshots(graph, place):
    return graph.read("MATCH (:Place {id: $p})-[:HAS_CAPACITY]->(k) RETURN k.latest AS latest, "
                      "k.available_total AS total ORDER BY k.updated_at", p=place)


def test_invalid_entries_name_the_field_and_write_nothing(world, graph):
    app, tokens, _ = world
    before_audit, before = count(graph), len(snapshots(graph, "pl-a"))
    response = put(app, tokens["contrib_a"], "pl-a", {"available_women": 13, "available_men": -2})
    assert response.status_code == 400
    fields = response.get_json()["error"]["fields"]
    assert fields["available_women"] == "Lits disponibles (femmes) : ne peut pas dépasser les lits installés (12)."
    assert fields["available_men"] == "Lits disponibles (hommes) : ne peut pas être négatif."
    assert put(app, tokens["contrib_a"], "pl-a", {"forecast_date": "1999-01-01"}).status_code == 400
    not_json = app.test_client().put("/api/v1/places/pl-a/capacity", data="x", headers=bearer(tokens["contrib_a"]))
    assert not_json.status_code == 400
    assert put(app, tokens["admin"], "pl-nowhere", {"available_men": 1}).status_code == 404
    assert count(graph) == before_audit and len(snapshots(graph, "pl-a")) == before


def test_each_entry_is_a_new_snapshot_with_history_and_audit(world, graph):
    app, tokens, _ = world
    start = len(snapshots(graph, "pl-b"))
    for women in (1, 2, 3):
        body = {"available_women": women, "available_men": 1, "forecast_d": 2, "forecast_d1": 4,
                "crisis_type": "canicule", "note": "Saisie de test"}
        response = put(app, tokens["admin"], "pl-b", body)
        assert response.status_code == 200
        capacity = response.get_json()["capacity"]
        assert capacity["available_total"] == women + 1 and capacity["stale"] is False
        assert capacity["updated_by"] == "admin" and capacity["age_text"] == "il y a 0 min"
    rows = snapshots(graph, "pl-b")
    assert len(rows) == start + 3 and [r["latest"] for r in rows].count(True) == 1 and rows[-1]["total"] == 4
    history = app.test_client().get("/api/v1/places/pl-b/capacity?history=1").get_json()["history"]
    assert [h["available_women"] for h in history[:3]] == [3, 2, 1]
    entries = app.test_client().get("/api/v1/audit?target=pl-b&action=capacity.update",
                                    headers=bearer(tokens["admin"])).get_json()["entries"]
    assert len(entries) == 3
    newest = entries[0]
    assert newest["before"]["available_women"] == 2 and newest["after"]["available_women"] == 3
    assert newest["actor"] == "admin" and newest["via"].startswith("token:") and newest["ip"] == "127.0.0.1"
    assert newest["site_finess"] == "400000022" and newest["region_code"] == "75"


def test_concurrent_entries_leave_exactly_one_latest(world, graph, settings):
    user = UserStore(graph).get("contrib_a")
    principal = Principal(user, via="test", ip="127.0.0.1")
    audit_before, snaps_before = count(graph, "capacity.update"), len(snapshots(graph, "pl-a"))

    def write(i):
        return service.update(graph, principal, "pl-a", {"available_women": i % 12, "note": f"écriture {i}"},
                              stale_hours=12)

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(write, range(48)))
    rows = graph.read("MATCH (:Place {id: 'pl-a'})-[:HAS_CAPACITY]->(k) RETURN k.latest AS latest, k.id AS id, "
                      "k.updated_at AS at ORDER BY k.updated_at DESC, k.id")
    assert len(rows) == snaps_before + 48
    latest = [r for r in rows if r["latest"]]
    assert len(latest) == 1 and latest[0]["at"] == rows[0]["at"]
    assert latest[0]["id"] in {r.capacity.id for r in results}
    assert count(graph, "capacity.update") == audit_before + 48


def test_stale_entries_are_flagged_after_the_configured_delay(world, graph, search_client):
    app, _, settings = world
    graph.write("MATCH (p:Place {id: 'pl-c'}) OPTIONAL MATCH (p)-[:HAS_CAPACITY]->(k) SET k.latest = false "
                "WITH DISTINCT p CREATE (p)-[:HAS_CAPACITY]->(:CapacitySnapshot {id: 'old-c', installed: 20, "
                "available_total: 5, available_men: 5, latest: true, synthetic: true, "
                "updated_at: datetime() - duration({hours: 13})})")
    body = app.test_client().get("/api/v1/places/pl-c/capacity").get_json()
    assert body["capacity"]["stale"] is True and body["capacity"]["age_text"].startswith("il y a 13 h")
    lenient = make_app(settings.replace(capacity_stale_hours=24.0), graph, search_client)
    assert lenient.test_client().get("/api/v1/places/pl-c/capacity").get_json()["capacity"]["stale"] is False


def test_board_totals_per_department_and_activity(world, graph):
    app, tokens, _ = world
    put(app, tokens["admin"], "pl-a", {"available_women": 5, "available_men": 1})
    put(app, tokens["admin"], "pl-b", {"available_undifferentiated": 2})
    rows = app.test_client().get("/api/v1/capacity/board?department=40",
                                 headers=bearer(tokens["coord_na"])).get_json()["rows"]
    geriatrics = next(r for r in rows if r["activity_code"] == "047")
    assert geriatrics["places"] == 2 and geriatrics["installed"] == 20 and geriatrics["available"] == 8
    assert geriatrics["stale"] == 0 and len(geriatrics["trend"]) == 7 and geriatrics["trend"][-1]["available"] == 8


def test_entry_is_pushed_to_the_search_index(world, graph, search_client):
    pytest.importorskip("search.indexer")
    from search.indexer import Indexer

    app, tokens, _ = world
    Indexer(graph, search_client, PREFIX).build()
    response = put(app, tokens["contrib_a"], "pl-a", {"available_women": 7, "available_men": 2})
    assert response.status_code == 200 and response.get_json()["indexed"] is True
    search_client.indices.refresh(index=f"{PREFIX}-offers")
    hits = search_client.search(index=f"{PREFIX}-offers", body={"query": {"ids": {"values": ["off-a"]}}})
    doc = hits["hits"]["hits"][0]["_source"]
    assert doc["capacity"]["available_women"] == 7 and doc["capacity"]["available_total"] == 9


def test_a_group_commit_checks_each_entry_on_its_own(world, graph):
    """Entries committed together: each is accepted or refused for its own reason; a place's second entry waits
    for the next group and sees the first as its previous snapshot (audit before → after)."""
    store = UserStore(graph)
    contributor = Principal(store.get("contrib_a"), via="test", ip="127.0.0.1")
    admin = Principal(store.get("admin"), via="test", ip="127.0.0.1")
    committer = group_commit.GroupCommitter(service.transact(graph), service._write_group, name="capacity",
                                            start=False)
    today = service.paris_today()
    entries = [service._Pending(contributor, "pl-a", {"available_women": 3, "note": "groupe 1"}, today),
               service._Pending(contributor, "pl-c", {"available_women": 1}, today),       # another site's place
               service._Pending(contributor, "pl-inconnu", {"available_women": 1}, today),
               service._Pending(admin, "pl-b", {"available_women": 13}, today),            # 8 beds installed
               service._Pending(contributor, "pl-a", {"available_women": 4, "note": "groupe 2"}, today)]
    committer.pending.extend(entries)
    audit_before, snaps_before = count(graph, "capacity.update"), len(snapshots(graph, "pl-a"))
    first = committer.next_group(linger=0)
    assert [e.place_id for e in first] == ["pl-a", "pl-c", "pl-inconnu", "pl-b"]
    assert list(committer.pending) == [entries[4]]
    committer.commit(first)
    assert entries[0].future.result()[0]["available_women"] == 3
    assert isinstance(entries[1].future.exception(), Forbidden)
    assert isinstance(entries[2].future.exception(), NotFound)
    refused = entries[3].future.exception()
    assert isinstance(refused, BadRequest) and "available_women" in (refused.fields or {})
    committer.commit(committer.next_group(linger=0))
    assert entries[4].future.result()[0]["available_women"] == 4
    assert len(snapshots(graph, "pl-a")) == snaps_before + 2 and count(graph, "capacity.update") == audit_before + 2
    latest = graph.read("MATCH (e:AuditEntry {action: 'capacity.update', target_id: 'pl-a'}) "
                        "RETURN e.before AS before, e.after AS after ORDER BY e.at DESC LIMIT 1")[0]
    assert '"note": "groupe 1"' in latest["before"] and '"note": "groupe 2"' in latest["after"]
    assert graph.read("MATCH (:Place {id: 'pl-c'})-[:HAS_CAPACITY]->(k {available_women: 1}) RETURN k") == []
