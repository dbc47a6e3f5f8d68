"""Optional: the docker-compose versions, through testcontainers, when a Docker engine is reachable.

Skipped cleanly on machines without a Docker engine (the local JVM engines are then the route).
Install with `pip install -e ".[docker]"`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.docker

COMPOSE = (Path(__file__).parents[2] / "docker-compose.yml").read_text()


def _docker_engine_reachable() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True, check=False).returncode == 0


def _image(name: str) -> str:
    return re.search(rf"image: ({re.escape(name)}:[^\s]+)", COMPOSE).group(1)


def test_compose_pins_the_versions_the_local_engines_run():
    from engines import neo4j_server, opensearch_server

    assert _image("neo4j") == f"neo4j:{neo4j_server.VERSION}-community"
    assert _image("opensearchproject/opensearch") == f"opensearchproject/opensearch:{opensearch_server.VERSION}"


@pytest.mark.skipif(not _docker_engine_reachable(), reason="no Docker engine reachable on this machine")
def test_neo4j_container_answers_with_the_pinned_version():
    neo4j_module = pytest.importorskip("testcontainers.neo4j")
    from neo4j import GraphDatabase

    with neo4j_module.Neo4jContainer(_image("neo4j")) as container:
        with GraphDatabase.driver(container.get_connection_url(), auth=("neo4j", container.password)) as driver:
            assert driver.get_server_info().agent.startswith("Neo4j/5.26")
