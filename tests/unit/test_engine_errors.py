"""Engine failures a user can act on: Java missing, port taken, engine dying, unknown artifacts."""

from __future__ import annotations

import signal
import socket
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.errors import EngineError
from engines import process
from engines.neo4j_server import Neo4jServer
from engines.opensearch_server import OpenSearchServer


def _neo(tmp_path: Path, **kw) -> Neo4jServer:
    args = dict(engines_dir=tmp_path, instance="t", bolt_port=process.free_port(), http_port=process.free_port(),
                heap="256m", pagecache="64m", java_home=None, timeout=5)
    args.update(kw)
    return Neo4jServer(**args)


def test_port_taken_is_named(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(EngineError, match=f"port {port} est déjà utilisé"):
            _neo(tmp_path, bolt_port=port).start()
        server = OpenSearchServer(engines_dir=tmp_path, instance="t", port=port, heap="256m",
                                  java_home=None, timeout=5)
        with pytest.raises(EngineError, match=f"port {port} est déjà utilisé.*ROR_OPENSEARCH_PORT"):
            server.start()


def test_java_missing_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(EngineError, match="Java introuvable.*ROR_JAVA_HOME"):
        process.find_java(tmp_path / "no-jdk")


def test_old_java_is_refused(tmp_path):
    fake = tmp_path / "jdk" / "bin" / "java"
    fake.parent.mkdir(parents=True)
    fake.write_text('#!/bin/sh\necho \'openjdk version "11.0.2" 2019-01-15\' >&2\n')
    fake.chmod(0o755)
    with pytest.raises(EngineError, match="Java 11 trouvé"):
        process.find_java(tmp_path / "jdk")


def test_maven_missing_is_explained(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EngineError, match="Maven \\(mvn\\) introuvable"):
        process.resolve_artifacts(tmp_path / "pom.xml", tmp_path / "out")


def test_unresolvable_artifact_reports_maven_failure(tmp_path):
    pom = tmp_path / "pom.xml"
    pom.write_text(
        '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
        "<groupId>t</groupId><artifactId>t</artifactId><version>1</version><packaging>pom</packaging>"
        "<dependencies><dependency><groupId>org.invalid.ror</groupId><artifactId>does-not-exist</artifactId>"
        "<version>0.0.0</version></dependency></dependencies></project>"
    )
    with pytest.raises(EngineError, match="Échec du téléchargement"):
        process.resolve_artifacts(pom, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_process_dying_at_start_shows_its_log(tmp_path):
    log = tmp_path / "console.log"
    pid = process.spawn([sys.executable, "-c", "print('boom: bad config'); raise SystemExit(2)"],
                        cwd=tmp_path, env={}, log=log)
    with pytest.raises(EngineError, match="(?s)s'est arrêté pendant le démarrage.*boom: bad config"):
        process.wait_healthy("Moteur", lambda: False, pid, log, timeout=120)  # ends when it dies


def test_health_timeout_names_the_setting(tmp_path):
    log = tmp_path / "console.log"
    pid = process.spawn([sys.executable, "-u", "-c", "import time; print('still starting'); time.sleep(30)"],
                        cwd=tmp_path, env={}, log=log)
    try:
        deadline = time.monotonic() + 120  # its line is awaited (a guard): a loaded machine starts Python slowly
        while "still starting" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        with pytest.raises(EngineError, match="(?s)en 1 s.*ROR_ENGINE_START_TIMEOUT.*still starting"):
            process.wait_healthy("Moteur", lambda: False, pid, log, timeout=1)
    finally:
        process.stop_pid(pid, "time.sleep")


def test_stop_never_signals_a_foreign_process(tmp_path):
    pid = process.spawn([sys.executable, "-c", "import time; time.sleep(30)"], cwd=tmp_path, env={},
                        log=tmp_path / "l.log")
    try:
        process.stop_pid(pid, marker="/some/other/instance")
        assert process.pid_alive(pid)
    finally:
        process.stop_pid(pid, "time.sleep")
    deadline = time.monotonic() + 120  # a guard: the end of a killed process is waited for, not timed
    while process.pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not process.pid_alive(pid)


def test_stop_waits_for_a_killed_process_to_be_gone(monkeypatch):
    """After SIGKILL the end is awaited however long the process takes to leave (a killed JVM unmaps its heap
    first): returning after 5 s left a running child that Python reported "still running" at exit."""
    signals, polls = [], {"n": 0}
    clock = {"t": 0.0}

    def gone(pid):
        polls["n"] += 1
        return bool(signals and signals[-1] == signal.SIGKILL and polls["n"] > 400)  # leaves 40 s after the kill

    monkeypatch.setattr(process, "pid_alive", lambda pid: True)
    monkeypatch.setattr(process, "cmdline_mentions", lambda pid, marker: True)
    monkeypatch.setattr(process, "_gone", gone)
    # the module's own view of os and time is replaced (the real modules stay untouched for other threads)
    monkeypatch.setattr(process, "os", SimpleNamespace(kill=lambda pid, sig: (signals.append(sig), polls.update(n=0))))
    monkeypatch.setattr(process, "time", SimpleNamespace(monotonic=lambda: clock["t"],
                                                         sleep=lambda s: clock.update(t=clock["t"] + s)))
    process.stop_pid(4242, "marker", timeout=1.0)
    assert signals == [signal.SIGTERM, signal.SIGKILL]
    assert polls["n"] == 401  # it waited until the process was gone, not a fixed 5 s
