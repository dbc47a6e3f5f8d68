"""The real Neo4j Community 5.26 server, run from its Maven Central classpath (no Docker)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from engines import process
from engines.local_server import LocalServer

VERSION = "5.26.12"
MAIN_CLASS = "org.neo4j.server.CommunityEntryPoint"
POM = Path(__file__).parent / "neo4j" / "pom.xml"

# The JVM flags Neo4j's own launcher adds (neo4j.conf defaults of the 5.x line).
JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
]


class Neo4jServer(LocalServer):
    name = "neo4j"
    label = "Neo4j"
    port_settings = "ROR_NEO4J_BOLT_PORT / ROR_NEO4J_HTTP_PORT"
    external_setting = "NEO4J_URI"

    def __init__(self, *, engines_dir: Path, instance: str, bolt_port: int, http_port: int,
                 heap: str, pagecache: str, java_home: Path | None, timeout: float):
        home = engines_dir / "instances" / instance / "neo4j"
        super().__init__(home=home, pid_file=home / "neo4j.pid", java_home=java_home, timeout=timeout)
        self.dist = engines_dir / "dist" / f"neo4j-{VERSION}"
        self.bolt_port, self.http_port = bolt_port, http_port
        self.heap, self.pagecache = heap, pagecache

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def url(self) -> str:
        return self.uri

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def ports(self) -> tuple[int, ...]:
        return (self.bolt_port, self.http_port)

    def install(self) -> None:
        """Resolve the server classpath once; later runs use the cached jars."""
        if (self.dist / "lib").is_dir():
            return
        self.dist.mkdir(parents=True, exist_ok=True)
        process.resolve_artifacts(POM, self.dist / "lib")

    def _launch(self, java: Path) -> tuple[list[str], dict[str, str]]:
        self._write_config()
        cmd = [str(java), f"-Xms{self.heap}", f"-Xmx{self.heap}", *JVM_FLAGS,
               "-cp", f"{self.dist / 'lib'}/*", MAIN_CLASS,
               f"--home-dir={self.home}", f"--config-dir={self.home / 'conf'}"]
        return cmd, {**os.environ, "JAVA_HOME": str(process.java_home_of(java))}

    def _healthy(self) -> bool:
        return self._version() is not None and process.port_in_use(self.bolt_port)

    def _version(self) -> str | None:
        try:
            code, body = process.http_get(self.http_url + "/", timeout=1.0)
        except OSError:
            return None
        if code != 200:
            return None
        try:
            return json.loads(body).get("neo4j_version")
        except ValueError:
            return None

    def _write_config(self) -> None:
        for sub in ("conf", "data", "logs", "plugins", "run", "import"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        conf = f"""# Written by `ror engines up`; local development/test instance on loopback only.
server.default_listen_address=127.0.0.1
server.bolt.listen_address=127.0.0.1:{self.bolt_port}
server.bolt.advertised_address=127.0.0.1:{self.bolt_port}
server.http.enabled=true
server.http.listen_address=127.0.0.1:{self.http_port}
server.https.enabled=false
dbms.security.auth_enabled=false
server.memory.heap.initial_size={self.heap}
server.memory.heap.max_size={self.heap}
server.memory.pagecache.size={self.pagecache}
dbms.usage_report.enabled=false
server.directories.data={self.home / 'data'}
server.directories.logs={self.home / 'logs'}
server.directories.plugins={self.home / 'plugins'}
server.directories.run={self.home / 'run'}
server.directories.import={self.home / 'import'}
db.transaction.timeout=0
"""
        (self.home / "conf" / "neo4j.conf").write_text(conf)
