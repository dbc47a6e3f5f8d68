"""graph.changes: summaries reused while the change counters they depend on are unchanged; a reader alone always
gets a summary computed after the changes it knows of; during a computation, the previous summary only for lagging
topics (an in-memory stand-in for the graph; no database)."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from graph import changes


@pytest.fixture
def graph(request, monkeypatch):
    monkeypatch.setattr(changes, "_counters", {})
    return SimpleNamespace(uri=f"bolt://test-{request.node.name}", database="neo4j")  # counters of its own


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(changes, "_clock", lambda: now[0])
    return now


def counting():
    calls = []

    def compute():
        calls.append(len(calls) + 1)
        return len(calls)
    return compute, calls


def test_reused_until_a_change_of_its_topics(graph, clock):
    summaries = changes.Summaries((changes.ANY, "feed"), max_age=10)
    compute, calls = counting()
    assert summaries.get(graph, "k", compute) == 1 and summaries.get(graph, "k", compute) == 1
    changes.changed(graph, "other")  # not a topic of this summary
    assert summaries.get(graph, "k", compute) == 1
    changes.changed(graph, "feed")
    assert summaries.get(graph, "k", compute) == 2
    changes.changed(graph)
    assert summaries.get(graph, "k", compute) == 3 and summaries.get(graph, "k2", compute) == 4
    clock[0] += 10  # other processes' writes are not counted: never older than max_age
    assert summaries.get(graph, "k", compute) == 5 and len(calls) == 5


def test_a_reader_alone_gets_a_summary_computed_after_its_changes_even_within_the_lag(graph, clock):
    summaries = changes.Summaries((changes.ANY, "feed"), max_age=10, lagging=("feed",), lag=2)
    compute, _ = counting()
    assert summaries.get(graph, "k", compute) == 1
    changes.changed(graph, "feed")
    assert summaries.get(graph, "k", compute) == 2  # no computation running: computed again


def test_during_a_computation_readers_take_the_previous_one_for_lagging_changes_only(graph, clock):
    summaries = changes.Summaries((changes.ANY, "feed"), max_age=10, lagging=("feed",), lag=2)
    assert summaries.get(graph, "k", lambda: "first") == "first"
    changes.changed(graph, "feed")
    started, release = threading.Event(), threading.Event()

    def slow():
        started.set()
        assert release.wait(60)
        return "second"

    answers = []
    worker = threading.Thread(target=lambda: answers.append(summaries.get(graph, "k", slow)))
    worker.start()
    assert started.wait(60)
    assert summaries.get(graph, "k", lambda: "never") == "first"  # one computation behind, within the lag
    clock[0] += 3
    changes.changed(graph, "feed")  # a report committed after the running computation began
    waiting = []  # past the lag: waits for the running computation (one at a time: it misses only that report)
    reader = threading.Thread(target=lambda: waiting.append(summaries.get(graph, "k", lambda: "never")))
    reader.start()
    deadline = time.monotonic() + 60
    while summaries.waiting == 0 and time.monotonic() < deadline:  # the reader waits for the running computation
        time.sleep(0.01)
    release.set()
    worker.join(60)
    reader.join(60)
    assert answers == ["second"] and waiting == ["second"]
    assert summaries.get(graph, "k", lambda: "third") == "third"  # alone again: computed after that report


def test_a_change_of_another_topic_is_never_lagged(graph, clock):
    summaries = changes.Summaries((changes.ANY, "feed"), max_age=10, lagging=("feed",), lag=2)
    assert summaries.get(graph, "k", lambda: "first") == "first"
    started, release = threading.Event(), threading.Event()

    def slow():
        started.set()
        assert release.wait(60)
        return "stale"

    changes.changed(graph, "feed")
    worker = threading.Thread(target=lambda: summaries.get(graph, "k", slow))
    worker.start()
    assert started.wait(60)
    changes.changed(graph)  # a person's change, after the running computation began
    assert summaries.get(graph, "k", lambda: "fresh") == "fresh"
    release.set()
    worker.join(60)
    assert summaries.get(graph, "k", lambda: "never") == "fresh"  # the older computation does not replace it


def test_a_failed_computation_is_not_kept(graph, clock):
    summaries = changes.Summaries((changes.ANY,), max_age=10)

    def fail():
        raise RuntimeError("base indisponible")

    with pytest.raises(RuntimeError):
        summaries.get(graph, "k", fail)
    assert summaries.get(graph, "k", lambda: "ok") == "ok"
