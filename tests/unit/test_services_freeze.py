"""A server's orientation service: its long-lived tables are built once and moved out of the collector's reach.

Left in the oldest generation, the gazetteer, the NOS vocabulary and the text interpreter's word index were
traversed by every full collection (50-100 ms with the process's threads stopped: the p99 of the orientation
endpoints, issue 15). The real service's tables are the subject of the benchmark; here a stand-in service tells
whether they are prepared and frozen, and only when a server asked for it.
"""

from __future__ import annotations

import gc
import logging

import pytest

from core.settings import Settings
from search.orientation import OrientationService
from search.vocabulary import Vocabulary
from web import services as services_module
from web.services import Services


class StandIn:
    def __init__(self, fail: bool = False):
        self.prepared, self.fail = 0, fail

    def prepare(self) -> None:
        self.prepared += 1
        if self.fail:
            raise ConnectionError("Neo4j ne répond pas")


@pytest.fixture
def unfrozen():
    """Start and end with nothing frozen: a freeze left behind would keep this test process's garbage forever."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def services_with(monkeypatch, built: list, *, freeze: bool) -> Services:
    monkeypatch.setattr(services_module, "_build_orientation", lambda graph, client, settings: built[0])
    svc = Services(settings=Settings(), graph=object(), search=object(), probe=False)
    svc.freeze_after_build = freeze
    return svc


def test_a_served_app_prepares_its_orientation_tables_once_and_freezes_them(monkeypatch, unfrozen):
    stand_in = StandIn()
    svc = services_with(monkeypatch, [stand_in], freeze=True)
    assert gc.get_freeze_count() == 0
    assert svc.orientation is stand_in
    assert stand_in.prepared == 1 and gc.get_freeze_count() > 0
    assert svc.orientation is stand_in and svc.details is stand_in
    assert stand_in.prepared == 1  # built and frozen once per process


def test_an_app_not_served_builds_its_tables_on_first_use_and_freezes_nothing(monkeypatch, unfrozen):
    stand_in = StandIn()
    svc = services_with(monkeypatch, [stand_in], freeze=False)
    assert svc.orientation is stand_in
    assert stand_in.prepared == 0 and gc.get_freeze_count() == 0


def test_tables_that_cannot_be_built_at_once_leave_the_service_usable(monkeypatch, unfrozen, caplog):
    stand_in = StandIn(fail=True)
    svc = services_with(monkeypatch, [stand_in], freeze=True)
    with caplog.at_level(logging.WARNING, logger="web.services"):
        assert svc.orientation is stand_in
    assert stand_in.prepared == 1 and gc.get_freeze_count() > 0
    assert "could not prepare the orientation tables" in caplog.text and "Neo4j ne répond pas" in caplog.text


def test_prepare_builds_the_interpreter_from_the_vocabulary_without_reading_popularity():
    vocabulary = Vocabulary([{"value_set": "J17", "code": "013", "label": "Cardiologie", "retired": False}])

    class NoSearch:
        def search(self, **kwargs):
            raise AssertionError("prepare must not read the index")

    service = OrientationService(None, NoSearch(), Settings(), gazetteer=object(),  # type: ignore[arg-type]
                                 vocabulary=vocabulary)
    service.prepare()
    assert service._interpreter is not None and service._interpreter.vocabulary is vocabulary
    assert service._interpreter.popularity == {}
    service.prepare()  # already built: kept
