"""The real OpenSearch 2.19 node, assembled from Maven Central artifacts and started by its own script."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

from core.errors import EngineError
from engines import process
from engines.local_server import LocalServer

VERSION = "2.19.4"
POM = Path(__file__).parent / "opensearch" / "pom.xml"

# Modules published as plain jars on Maven Central, installed under modules/ with a descriptor.
MODULES = {
    "analysis-common": "org.opensearch.analysis.common.CommonAnalysisPlugin",
    "geo": "org.opensearch.geo.GeoModulePlugin",
}

MAX_NODES = 9  # node folders are told apart by one digit (the pid guard matches the folder in the command line)


def node_folder(node: int, nodes: int) -> str:
    return "opensearch" if nodes == 1 else f"opensearch-node{node}"


# OpenSearch refuses to run as root; when we are root we run the node as this unprivileged user.
UNPRIVILEGED_USER = "nobody"


class OpenSearchServer(LocalServer):
    name = "opensearch"
    label = "OpenSearch"
    port_settings = "ROR_OPENSEARCH_PORT (HTTP = ce port, transport = ce port + 100)"
    external_setting = "OPENSEARCH_URL"

    def __init__(self, *, engines_dir: Path, instance: str, port: int, heap: str,
                 java_home: Path | None, timeout: float, node: int = 0, nodes: int = 1):
        """Node `node` of a local cluster of `nodes` (1: the single node of `discovery.type: single-node`).

        Node i listens on HTTP `port + i` and transport `port + 100 + i`; a cluster's nodes live in folders of their
        own (`opensearch-node<i>`), apart from the single node's `opensearch`, so the two never share data."""
        if not 1 <= nodes <= MAX_NODES or not 0 <= node < nodes:
            raise EngineError(f"ROR_SEARCH_NODES doit être entre 1 et {MAX_NODES} (reçu : {nodes}).")
        home = engines_dir / "instances" / instance / node_folder(node, nodes)
        super().__init__(home=home, pid_file=home / "opensearch.pid", java_home=java_home, timeout=timeout)
        self.dist = engines_dir / "dist" / f"opensearch-{VERSION}"
        self.base_port, self.node, self.nodes = port, node, nodes
        self.port, self.heap = port + node, heap
        if nodes > 1:
            self.name, self.label = f"opensearch-{node}", f"OpenSearch (nœud {node})"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def node_name(self) -> str:
        return "ror-local" if self.nodes == 1 else f"ror-local-{self.node}"

    def ports(self) -> tuple[int, ...]:
        return (self.port, self.port + 100)

    def install(self) -> None:
        if (self.dist / "bin" / "opensearch").is_file():
            return
        artifacts = self.dist.with_name(self.dist.name + ".artifacts")
        if not artifacts.is_dir():
            artifacts.parent.mkdir(parents=True, exist_ok=True)
            process.resolve_artifacts(POM, artifacts)
        staging = self.dist.with_name(self.dist.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        with zipfile.ZipFile(artifacts / f"opensearch-{VERSION}.zip") as archive:
            archive.extractall(staging)
        root = staging / f"opensearch-{VERSION}"
        for module, classname in MODULES.items():
            target = root / "modules" / module
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(artifacts / f"{module}-{VERSION}.jar", target)
            (target / "plugin-descriptor.properties").write_text(
                f"description={module} module (from Maven Central)\nversion={VERSION}\nname={module}\n"
                f"classname={classname}\njava.version=11\nopensearch.version={VERSION}\n"
                "custom.foldername=\nextended.plugins=\nhas.native.controller=false\n"
            )
        for path in root.rglob("*"):  # zip entries lose their modes; make the tree readable and scripts runnable
            path.chmod(0o755 if path.is_dir() or path.parent.name == "bin" else 0o644)
        root.rename(self.dist)
        shutil.rmtree(staging, ignore_errors=True)

    def _launch(self, java: Path) -> tuple[list[str], dict[str, str]]:
        self._write_config()
        env = {**os.environ, "OPENSEARCH_JAVA_HOME": str(process.java_home_of(java)),
               "OPENSEARCH_PATH_CONF": str(self.home / "config"), "OPENSEARCH_TMPDIR": str(self.home / "tmp")}
        env.pop("OPENSEARCH_JAVA_OPTS", None)
        cmd = [str(self.dist / "bin" / "opensearch")]
        if os.geteuid() == 0:
            self._hand_over_to_unprivileged_user()
            cmd = ["setpriv", f"--reuid={UNPRIVILEGED_USER}", "--regid=nogroup", "--clear-groups", *cmd]
        return cmd, env

    def _version(self) -> str | None:
        try:
            code, body = process.http_get(self.url + "/", timeout=1.0)
            return json.loads(body)["version"]["number"] if code == 200 else None
        except (OSError, ValueError, KeyError):
            return None

    def _healthy(self) -> bool:
        try:
            code, body = process.http_get(self.url + "/_cluster/health?wait_for_status=yellow&timeout=1s", 3.0)
            return code == 200 and json.loads(body).get("status") in {"yellow", "green"}
        except (OSError, ValueError):
            return False

    def _write_config(self) -> None:
        config = self.home / "config"
        for sub in ("config", "data", "logs", "tmp"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        if self.nodes == 1:
            discovery = "discovery.type: single-node\n"
        else:  # every node is cluster-manager eligible and holds data; they find each other on loopback
            seeds = ", ".join(f'"127.0.0.1:{self.base_port + 100 + i}"' for i in range(self.nodes))
            names = ", ".join(f'"ror-local-{i}"' for i in range(self.nodes))
            discovery = f"discovery.seed_hosts: [{seeds}]\ncluster.initial_cluster_manager_nodes: [{names}]\n"
        (config / "opensearch.yml").write_text(
            f"# Written by `ror engines up`; {'single local node' if self.nodes == 1 else 'local cluster node'}"
            " on loopback.\n"
            f"cluster.name: ror-local\nnode.name: {self.node_name}\nnetwork.host: 127.0.0.1\n"
            f"http.port: {self.port}\ntransport.port: {self.port + 100}\n{discovery}"
            f"path.data: {self.home / 'data'}\npath.logs: {self.home / 'logs'}\n"
            "action.auto_create_index: false\ncluster.routing.allocation.disk.threshold_enabled: false\n"
        )
        (config / "jvm.options").write_text(
            f"-Xms{self.heap}\n-Xmx{self.heap}\n-XX:+UseG1GC\n-Djava.io.tmpdir=${{OPENSEARCH_TMPDIR}}\n"
            "-XX:+ExitOnOutOfMemoryError\n18-:-Djava.security.manager=allow\n"
            "-Djava.util.concurrent.ForkJoinPool.common.threadFactory="
            "org.opensearch.secure_sm.SecuredForkJoinWorkerThreadFactory\n"
        )
        (config / "log4j2.properties").write_text(
            "status = error\nappender.console.type = Console\nappender.console.name = console\n"
            "appender.console.layout.type = PatternLayout\n"
            "appender.console.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] %marker %m%n\n"
            "rootLogger.level = info\nrootLogger.appenderRef.console.ref = console\n"
        )

    def _hand_over_to_unprivileged_user(self) -> None:
        """Give the instance folder to `nobody` and check it can reach it (every parent must be o+x)."""
        import pwd

        user = pwd.getpwnam(UNPRIVILEGED_USER)
        for parent in self.home.resolve().parents:
            if not parent.stat().st_mode & 0o001:
                raise EngineError(
                    f"OpenSearch refuse de tourner en root ; il tourne donc sous l'utilisateur "
                    f"{UNPRIVILEGED_USER}, qui ne peut pas traverser {parent}. Placez ROR_ENGINES_DIR dans un "
                    "dossier accessible (chmod o+x) ou lancez la commande sans être root."
                )
        for path in [self.home, *self.home.rglob("*")]:
            os.chown(path, user.pw_uid, user.pw_gid)
