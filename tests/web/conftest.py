"""Fixtures for API tests on the real engines, seeded with the small fixture graph and index."""

from __future__ import annotations

import pytest

from tests.web.seed import ensure_seeded


@pytest.fixture(scope="module")
def seeded_settings(settings, graph, search_client, engine_endpoints):
    _, may_wipe = engine_endpoints
    return ensure_seeded(graph, search_client, settings, may_wipe)


@pytest.fixture(scope="module")
def live_app(seeded_settings, graph, search_client):
    """An app on the real engines (driver and client owned by the session fixtures)."""
    from web import create_app

    return create_app(seeded_settings, graph=graph, search=search_client)


@pytest.fixture
def api(live_app):
    return live_app.test_client()
