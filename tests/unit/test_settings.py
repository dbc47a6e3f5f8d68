from pathlib import Path

import pytest

from core.errors import ConfigError
from core.settings import Settings, declared_settings


def test_defaults_work_without_environment():
    s = Settings.from_env({})
    assert s.neo4j_uri is None and s.opensearch_port == 9200 and s.engine_heap == "auto"


def test_values_are_typed():
    s = Settings.from_env({"ROR_OPENSEARCH_PORT": "9300", "OPENSEARCH_VERIFY_CERTS": "false",
                           "ROR_ENGINES_DIR": "/tmp/x", "ROR_CAPACITY_STALE_HOURS": "6.5"})
    assert (s.opensearch_port, s.opensearch_verify_certs, s.engines_dir, s.capacity_stale_hours) == (
        9300, False, Path("/tmp/x"), 6.5)


def test_bad_value_names_the_variable():
    with pytest.raises(ConfigError, match="ROR_OPENSEARCH_PORT"):
        Settings.from_env({"ROR_OPENSEARCH_PORT": "neuf-mille"})


def test_every_setting_is_documented_in_the_readme():
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    missing = [env for env, _, _ in declared_settings() if f"`{env}`" not in readme]
    assert missing == []


def test_auto_engine_memory_is_sized_from_the_machine(tmp_path):
    from engines import sizing

    assert sizing.heap("auto", 24 * 1024**3) == "2g" and sizing.pagecache("auto", 24 * 1024**3) == "3g"
    assert sizing.heap("auto", 2 * 1024**3) == "512m" and sizing.pagecache("auto", 2 * 1024**3) == "256m"
    assert sizing.heap("auto", 512 * 1024**3) == "8g" and sizing.pagecache("AUTO", 512 * 1024**3) == "16g"
    assert sizing.heap("1500m") == "1500m"  # an explicit size is kept as given
    meminfo, cgroup = tmp_path / "meminfo", tmp_path / "memory.max"
    meminfo.write_text("MemTotal:       24683664 kB\nMemFree: 1 kB\n")
    cgroup.write_text("max\n")
    assert sizing.machine_memory(meminfo, cgroup) == 24683664 * 1024
    cgroup.write_text(f"{4 * 1024**3}\n")  # a container limit below the machine's memory wins
    assert sizing.machine_memory(meminfo, cgroup) == 4 * 1024**3
