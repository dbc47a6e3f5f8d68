"""Group re-indexing: concurrent requests share pushes, one offer is never pushed twice at once, failures are
reported, not raised."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from search import sync


class Recorder:
    def __init__(self, fail: bool = False):
        self.calls: list[list[str]] = []
        self.active: set[str] = set()
        self.overlap = False
        self.fail = fail
        self.lock = threading.Lock()

    def __call__(self, graph, client, prefix, ids):
        with self.lock:
            self.overlap |= bool(self.active & set(ids))
            self.active |= set(ids)
        try:
            threading.Event().wait(0.01)
            self.calls.append(list(ids))
            if self.fail:
                raise ConnectionError("index down")
        finally:
            with self.lock:
                self.active -= set(ids)


def test_concurrent_requests_share_serial_pushes(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(sync, "_push", recorder)
    monkeypatch.setattr(sync, "change_listeners", [])  # another test may have installed the FHIR index's listeners
    graph, client = object(), object()
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda i: sync.reindex_offers(graph, client, "t1", [f"o{i}", "shared"]),
                                range(40)))
    assert all(results)
    pushed = [i for call in recorder.calls for i in call]
    assert set(pushed) == {f"o{i}" for i in range(40)} | {"shared"}
    assert len(recorder.calls) < 40 and not recorder.overlap


def test_a_failed_push_answers_false(monkeypatch):
    monkeypatch.setattr(sync, "_push", Recorder(fail=True))
    monkeypatch.setattr(sync, "change_listeners", [])
    assert sync.reindex_offers(object(), object(), "t2", ["o1"]) is False


def test_nothing_to_push_without_client_or_ids():
    assert sync.reindex_offers(object(), None, "t3", ["o1"]) is False
    assert sync.reindex_offers(object(), object(), "t3", []) is False


def test_index_sync_pushes_to_its_own_graph_client_and_prefix(monkeypatch):
    recorder, graph, client = Recorder(), object(), object()
    monkeypatch.setattr(sync, "_push", recorder)
    monkeypatch.setattr(sync, "change_listeners", [])  # another test may have installed the FHIR index's listeners
    pushes = sync.IndexSync(graph, client, "t4")
    assert pushes.offers(["o2", "o1", "o2"]) is True
    assert recorder.calls == [["o1", "o2"]]
    assert sync.IndexSync(graph, None, "t4").offers(["o1"]) is False
    assert sync.IndexSync(graph, None, "t4").offer_change(["o1"], ["010000024"]) is False
    assert recorder.calls == [["o1", "o2"]]
