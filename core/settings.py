"""One typed settings object read from the environment, with defaults that work on a fresh machine.

Settings are declared as data (name, environment variable, type, default, help) so that the README's
configuration table is checked against them by a test.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import ConfigError
from core.scalars import to_bool, to_float, to_int

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _setting(env: str, default: Any, help: str) -> Any:
    return field(default=default, metadata={"env": env, "help": help})


# Waitress threads of `ror web serve` / `ror demo`. A capacity entry holds its thread while it waits for its
# commit group and its index push (0.1–0.3 s under a burst); with too few threads, clinicians' searches queue
# behind contributors' entries (docs/benchmarks.md, capacity under load). Parked threads cost memory only.
DEFAULT_THREADS = 64


@dataclass(frozen=True)
class Settings:
    neo4j_uri: str | None = _setting(
        "NEO4J_URI", None, "Bolt URI of an external Neo4j; when set, no local Neo4j is started."
    )
    neo4j_user: str = _setting("NEO4J_USER", "neo4j", "Neo4j user (local engines run without auth).")
    neo4j_password: str | None = _setting("NEO4J_PASSWORD", None, "Neo4j password (secret, environment only).")
    neo4j_database: str = _setting("NEO4J_DATABASE", "neo4j", "Neo4j database name.")
    neo4j_interactive_timeout_s: float = _setting(
        "ROR_NEO4J_INTERACTIVE_TIMEOUT_S", 1.5,
        "Web requests: connecting to Neo4j, waiting for a pooled connection and retrying give up after this (503)."
    )
    opensearch_url: str | None = _setting(
        "OPENSEARCH_URL", None,
        "URL of an external OpenSearch, or its nodes' URLs comma-separated (the client spreads requests over them "
        "and retries on another); when set, no local OpenSearch is started."
    )
    opensearch_user: str | None = _setting("OPENSEARCH_USER", None, "OpenSearch basic-auth user.")
    opensearch_password: str | None = _setting(
        "OPENSEARCH_PASSWORD", None, "OpenSearch basic-auth password (secret, environment only)."
    )
    opensearch_verify_certs: bool = _setting(
        "OPENSEARCH_VERIFY_CERTS", True, "Verify TLS certificates of an https OpenSearch."
    )
    engines_dir: Path = _setting(
        "ROR_ENGINES_DIR", PROJECT_ROOT / ".engines", "Where engine jars, data, logs and pid files live."
    )
    neo4j_bolt_port: int = _setting("ROR_NEO4J_BOLT_PORT", 7687, "Bolt port of the local Neo4j.")
    neo4j_http_port: int = _setting("ROR_NEO4J_HTTP_PORT", 7474, "HTTP port of the local Neo4j.")
    opensearch_port: int = _setting("ROR_OPENSEARCH_PORT", 9200, "HTTP port of the local OpenSearch.")
    engine_heap: str = _setting(
        "ROR_ENGINE_HEAP", "auto", "JVM heap of each local engine (`auto`: a twelfth of memory, 512m–8g)."
    )
    search_nodes: int = _setting(
        "ROR_SEARCH_NODES", 1, "Local OpenSearch nodes of `ror engines up`; 2–9 make a real cluster on loopback."
    )
    search_node_heap: str = _setting(
        "ROR_SEARCH_NODE_HEAP", "512m", "JVM heap of each local OpenSearch node when ROR_SEARCH_NODES > 1."
    )
    neo4j_pagecache: str = _setting(
        "ROR_NEO4J_PAGECACHE", "auto", "Page cache of the local Neo4j (`auto`: an eighth of memory, 256m–16g)."
    )
    engine_start_timeout: int = _setting(
        "ROR_ENGINE_START_TIMEOUT", 120, "Seconds to wait for an engine to become healthy."
    )
    java_home: Path | None = _setting(
        "ROR_JAVA_HOME", None, "JDK used to run the engines (default: JAVA_HOME, then `java` on PATH)."
    )
    data_dir: Path = _setting("ROR_DATA_DIR", PROJECT_ROOT / "data", "Bundled reference data folder.")
    index_prefix: str = _setting("ROR_INDEX_PREFIX", "ror", "Prefix of every OpenSearch index and alias.")
    capacity_stale_hours: float = _setting(
        "ROR_CAPACITY_STALE_HOURS", 12.0, "Capacity entries older than this are flagged as stale."
    )
    fhir_search_timeout: float = _setting(
        "ROR_FHIR_SEARCH_TIMEOUT", 10.0, "Time limit of a FHIR search, includes and chains included (seconds)."
    )
    host: str = _setting("ROR_HOST", "127.0.0.1", "Address the web server listens on.")
    port: int = _setting("ROR_PORT", 8000, "Port the web server listens on.")
    web_workers: int = _setting(
        "ROR_WEB_WORKERS", 0, "Processes of `ror web serve` behind its one port (0: one per core, at most 4)."
    )
    tile_url: str | None = _setting(
        "ROR_TILE_URL", None, "Optional map tile URL template; the map works offline without it."
    )
    geocoder_url: str | None = _setting(
        "ROR_GEOCODER_URL", None, "Base URL of the national address geocoder; street addresses need it."
    )
    secret_key: str | None = _setting(
        "ROR_SECRET_KEY", None, "Flask secret key (secret, environment only; random per process if unset)."
    )
    cors_origins: str = _setting("ROR_CORS_ORIGINS", "", "Comma-separated origins allowed by CORS on /api.")
    var_dir: Path = _setting("ROR_VAR_DIR", PROJECT_ROOT / "var", "Working files (runs, exports, console jobs).")
    session_cookie_secure: bool = _setting(
        "ROR_SESSION_COOKIE_SECURE", False, "Mark the session cookie Secure: set it when the app is served over TLS."
    )
    session_max_age_hours: float = _setting(
        "ROR_SESSION_MAX_AGE_HOURS", 12.0, "A session cookie older than this is refused (log in again)."
    )
    console_timeout_s: float = _setting(
        "ROR_CONSOLE_TIMEOUT_S", 10.0, "Time limit of an interactive console or library query (seconds)."
    )
    console_row_cap: int = _setting("ROR_CONSOLE_ROW_CAP", 1000, "Rows shown by an interactive console query.")
    console_export_timeout_s: float = _setting(
        "ROR_CONSOLE_EXPORT_TIMEOUT_S", 300.0, "Time limit of a background console export (seconds)."
    )
    console_export_row_cap: int = _setting(
        "ROR_CONSOLE_EXPORT_ROW_CAP", 100000, "Rows kept by a background console export."
    )
    console_max_bytes: int = _setting(
        "ROR_CONSOLE_MAX_BYTES", 8_000_000, "Bytes of rows (JSON) shown by an interactive console query; cut beyond."
    )
    console_export_max_bytes: int = _setting(
        "ROR_CONSOLE_EXPORT_MAX_BYTES", 200_000_000, "Bytes of rows (JSON) kept by a background console export."
    )
    console_per_user: int = _setting("ROR_CONSOLE_PER_USER", 2, "Console queries one analyst may run at once.")
    console_queue_per_user: int = _setting(
        "ROR_CONSOLE_QUEUE_PER_USER", 4, "Console queries of one analyst waiting their turn; more are refused (429)."
    )
    console_workers: int = _setting(
        "ROR_CONSOLE_WORKERS", 4, "Console worker processes (interactive queries run at once, all analysts)."
    )
    console_worker_memory_mb: int = _setting(
        "ROR_CONSOLE_WORKER_MEMORY_MB", 512, "Memory of a console worker; a query beyond it is stopped (400)."
    )
    console_export_memory_mb: int = _setting(
        "ROR_CONSOLE_EXPORT_MEMORY_MB", 2048, "Memory of a console export worker; an export beyond it fails."
    )
    console_job_workers: int = _setting("ROR_CONSOLE_JOB_WORKERS", 2, "Background console exports run at once.")
    console_job_ttl_hours: float = _setting(
        "ROR_CONSOLE_JOB_TTL_HOURS", 24.0, "Console export results are deleted after this many hours."
    )
    emergency_feed: bool = _setting(
        "ROR_EMERGENCY_FEED", True, "`ror demo` runs the synthetic emergency feed (labelled synthetic)."
    )
    emergency_feed_seed: int = _setting("ROR_EMERGENCY_FEED_SEED", 17, "Seed of the synthetic emergency feed.")
    emergency_feed_minutes: int = _setting(
        "ROR_EMERGENCY_FEED_MINUTES", 5, "Minutes between two reports of each site in the synthetic emergency feed."
    )
    widen_min_results: int = _setting(
        "ROR_WIDEN_MIN_RESULTS", 5, "Orientation widens the SAS radius while it finds fewer results than this."
    )
    widen_max_km: float = _setting("ROR_WIDEN_MAX_KM", 200.0, "Largest radius the automatic widening reaches (km).")
    widen_step_ratio: float = _setting(
        "ROR_WIDEN_STEP_RATIO", 0.5, "Each widening step adds this fraction of the current radius."
    )
    time_critical_k: int = _setting(
        "ROR_TIME_CRITICAL_K", 5, "Time-critical acts and activities: the nearest K teams, whatever the distance."
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read every declared setting from `environ` (default: the process environment)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(f.metadata["env"])
            if raw is None or raw == "":
                continue
            values[f.name] = _convert(f, raw)
        values.update(overrides)
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def _convert(f: dataclasses.Field, raw: str) -> Any:
    kind = str(f.type)
    try:
        if "bool" in kind:
            return to_bool(raw)
        if kind.startswith("int"):
            return to_int(raw)
        if kind.startswith("float"):
            return to_float(raw)
        if "Path" in kind:
            return Path(raw).expanduser()
        return raw
    except ValueError as exc:
        raise ConfigError(
            f"Valeur invalide pour {f.metadata['env']} : {raw!r} ({f.metadata['help']})"
        ) from exc


def declared_settings() -> list[tuple[str, str, str]]:
    """(environment variable, default, help) for every setting, for docs and their test."""
    rows = []
    for f in dataclasses.fields(Settings):
        default = f.default
        if isinstance(default, Path):
            default = default.relative_to(PROJECT_ROOT) if default.is_relative_to(PROJECT_ROOT) else default
        rows.append((f.metadata["env"], "" if default is None else str(default), f.metadata["help"]))
    return rows
