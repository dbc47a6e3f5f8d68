"""Shared machinery for the local engines: tool checks, artifact resolution, pid files, health waits."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from core.errors import EngineError


@dataclass(frozen=True)
class EngineStatus:
    name: str
    version: str | None
    url: str
    running: bool
    healthy: bool
    pid: int | None = None
    rss_mib: float | None = None
    external: bool = False
    message: str = ""


def find_java(java_home: Path | None) -> Path:
    """The `java` binary to run engines with (ROR_JAVA_HOME, JAVA_HOME, then PATH); must be ≥ 17."""
    candidates = []
    for home in (java_home, os.environ.get("JAVA_HOME")):
        if home:
            candidates.append(Path(home) / "bin" / "java")
    on_path = shutil.which("java")
    if on_path:
        candidates.append(Path(on_path))
    for java in candidates:
        if java.is_file():
            major = java_major_version(java)
            if major >= 17:
                return java
            raise EngineError(
                f"Java {major} trouvé ({java}) mais Neo4j 5.26 et OpenSearch 2.19 demandent Java 17 ou plus : "
                "installez un JDK 17+ ou pointez ROR_JAVA_HOME vers lui."
            )
    raise EngineError(
        "Java introuvable : installez un JDK 17+ (Debian : apt-get install openjdk-17-jdk-headless) "
        "ou pointez ROR_JAVA_HOME vers lui."
    )


def java_major_version(java: Path) -> int:
    out = subprocess.run([str(java), "-version"], capture_output=True, text=True, check=False).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        raise EngineError(f"Impossible de lire la version de Java ({java}) : {out.strip()[:200]}")
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 else major


def java_home_of(java: Path) -> Path:
    return java.resolve().parent.parent


def resolve_artifacts(pom: Path, output_dir: Path) -> None:
    """Copy the dependencies declared in `pom` from Maven Central (cached in ~/.m2) into `output_dir`."""
    mvn = shutil.which("mvn")
    if not mvn:
        raise EngineError(
            "Maven (mvn) introuvable : il sert à télécharger les moteurs depuis Maven Central. "
            "Installez-le (Debian : apt-get install maven) ou utilisez NEO4J_URI / OPENSEARCH_URL."
        )
    tmp = output_dir.with_name(output_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    cmd = [mvn, "-B", "-q", "-f", str(pom), "dependency:copy-dependencies", f"-DoutputDirectory={tmp}"]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise EngineError(
            f"Échec du téléchargement des artefacts de {pom.parent.name} depuis Maven Central "
            f"(mvn a renvoyé {proc.returncode}). Vérifiez l'accès au dépôt Maven.\n{tail}"
        )
    tmp.rename(output_dir)


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - loopback URL we built
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def read_pid(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if pid_alive(pid) else None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (exited, not yet reaped) is not running.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        return state != "Z"
    except (FileNotFoundError, IndexError):
        return True


def cmdline_mentions(pid: int, marker: str) -> bool:
    """Guard against a recycled pid: only signal processes whose command line names our instance."""
    try:
        return marker in Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except FileNotFoundError:
        return False


def rss_mib(pid: int | None) -> float | None:
    if not pid:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        return None
    return None


def spawned_here(pid: int, marker: str) -> bool:
    """True for a live engine this very process spawned for `marker` (its pid cannot have been recycled: we have
    not reaped it), even while its launcher has not yet exec'd the command line that names the instance."""
    child = _CHILDREN.get(pid)
    return child is not None and _MARKERS.get(pid) == marker and child.poll() is None


KILL_WAIT_S = 120.0  # a guard: SIGKILL is not refused, the wait ends when the process does


def stop_pid(pid: int, marker: str, timeout: float = 30.0) -> None:
    """SIGTERM, wait, then SIGKILL: the engine flushes its stores on TERM."""
    if not pid_alive(pid) or not (spawned_here(pid, marker) or cmdline_mentions(pid, marker)):
        _reap(pid)
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _gone(pid):
            return
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)
    # A killed JVM can take seconds to leave on a loaded machine (its heap is unmapped first); it cannot refuse,
    # so its end is waited for: returning earlier left a child Python then reported "still running" at exit.
    deadline = time.monotonic() + KILL_WAIT_S
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.1)


def _gone(pid: int) -> bool:
    """True once `pid` has exited; a child of ours is reaped then, so it leaves no zombie behind.

    For a child of ours only waitpid says so: /proc shows the thread-group leader as a zombie ('Z') as soon as
    the JVM's main thread ends, while its other threads are still shutting down, and a child left unreaped then
    made Python warn "subprocess … is still running" at exit."""
    child = _CHILDREN.get(pid)
    if child is not None:
        if child.poll() is None:
            return False
        _forget(pid)
        return True
    if pid_alive(pid):
        return False
    _reap(pid)
    return True


def _reap(pid: int) -> None:
    child = _CHILDREN.get(pid)
    if child is not None:
        if child.poll() is not None:
            _forget(pid)
        return
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def reap_exited() -> None:
    """Collect every engine child of this process that has exited (including one that died on its own)."""
    for pid, child in list(_CHILDREN.items()):
        if child.poll() is not None:
            _forget(pid)


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(pas de journal)"


def wait_healthy(
    name: str, check: Callable[[], bool], pid: int, log: Path, timeout: float
) -> None:
    """Poll `check` until it passes; fail fast if the process dies, with the last log lines."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        if _gone(pid):  # reaped when it is our child: no "still running" warning at exit
            raise EngineError(
                f"{name} s'est arrêté pendant le démarrage. Dernières lignes de {log} :\n{tail(log)}"
            )
        time.sleep(0.5)
    raise EngineError(
        f"{name} n'est pas devenu disponible en {timeout:.0f} s (augmentez ROR_ENGINE_START_TIMEOUT si la "
        f"machine est lente). Dernières lignes de {log} :\n{tail(log)}"
    )


# Engines we started in this process: kept referenced (and reaped on stop) so Python does not warn
# about a child it thinks it lost.
_CHILDREN: dict[int, subprocess.Popen] = {}
_MARKERS: dict[int, str] = {}  # the instance each child was spawned for


def spawn(cmd: list[str], *, cwd: Path, env: dict[str, str], log: Path, marker: str | None = None) -> int:
    """Start a detached engine process (own session, so Ctrl-C in a shell does not kill it)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(  # noqa: S603 - fixed command built by us
            cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    _CHILDREN[proc.pid] = proc
    if marker:
        _MARKERS[proc.pid] = marker
    return proc.pid


def _forget(pid: int) -> None:
    _CHILDREN.pop(pid, None)
    _MARKERS.pop(pid, None)
