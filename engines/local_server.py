"""What every local engine shares: start (idempotent), stop (by our own pid only) and status."""

from __future__ import annotations

from pathlib import Path

from core.errors import EngineError
from engines import process


class LocalServer:
    """Subclasses set the identity and implement install, `_launch`, `_version` and `_healthy`."""

    name: str
    label: str
    port_settings: str  # the settings that move its ports, named in the "port taken" message
    external_setting: str  # the setting that points at an external server instead

    def __init__(self, *, home: Path, pid_file: Path, java_home: Path | None, timeout: float):
        self.home, self.pid_file = home, pid_file
        self.log = home / "logs" / "console.log"
        self.java_home, self.timeout = java_home, timeout

    @property
    def url(self) -> str:
        raise NotImplementedError

    def ports(self) -> tuple[int, ...]:
        raise NotImplementedError

    def install(self) -> None:
        raise NotImplementedError

    def _launch(self, java: Path) -> tuple[list[str], dict[str, str]]:
        """Write the instance's configuration; return the command and environment that start it."""
        raise NotImplementedError

    def _version(self) -> str | None:
        raise NotImplementedError

    def _healthy(self) -> bool:
        raise NotImplementedError

    def start(self) -> process.EngineStatus:
        self.launch()
        self.wait_ready()
        return self.status()

    def launch(self) -> None:
        """Spawn the engine unless it already runs; do not wait (a cluster's nodes must all be up to elect)."""
        if self._own_pid():
            return
        for port in self.ports():
            if process.port_in_use(port):
                raise EngineError(
                    f"Le port {port} est déjà utilisé : {self.label} ne peut pas démarrer. Libérez-le, changez "
                    f"{self.port_settings}, ou pointez {self.external_setting} vers le serveur qui l'occupe."
                )
        java = process.find_java(self.java_home)
        self.install()
        cmd, env = self._launch(java)
        pid = process.spawn(cmd, cwd=self.home, env=env, log=self.log, marker=str(self.home))
        self.pid_file.write_text(str(pid))

    def wait_ready(self) -> None:
        """Wait until the launched engine answers healthy; fail fast if it dies, with its last log lines."""
        pid = self._own_pid()
        if pid is None:
            raise EngineError(f"{self.label} ne tourne pas. Dernières lignes de {self.log} :\n{process.tail(self.log)}")
        if not self._healthy():
            process.wait_healthy(self.label, self._healthy, pid, self.log, self.timeout)

    def stop(self) -> None:
        pid = self._own_pid()
        if pid:
            process.stop_pid(pid, str(self.home))
        process.reap_exited()
        self.pid_file.unlink(missing_ok=True)

    def status(self) -> process.EngineStatus:
        pid = self._own_pid()
        return process.EngineStatus(
            name=self.name, version=self._version() if pid else None, url=self.url, running=pid is not None,
            healthy=pid is not None and self._healthy(), pid=pid, rss_mib=process.rss_mib(pid),
        )

    def _own_pid(self) -> int | None:
        """The live pid of this instance, never a recycled pid of another process."""
        pid = process.read_pid(self.pid_file)
        if pid and process.spawned_here(pid, str(self.home)):
            return pid  # our own child, even while its launcher script has not yet named the instance
        return pid if pid and process.cmdline_mentions(pid, str(self.home)) else None
