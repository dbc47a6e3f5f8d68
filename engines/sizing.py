"""Engine memory defaults sized from the machine: `auto` heap and page cache from the memory this process may use.

On the 24 GiB development machine `auto` gives a 2 GiB heap to each engine and a 3 GiB Neo4j page cache: the
configuration the national demo and its benchmarks run with (docs/engines.md, "Memory").
"""

from __future__ import annotations

from pathlib import Path

MIB = 1024 * 1024
STEP = 512 * MIB
AUTO = "auto"
# (share of memory, floor, ceiling): a twelfth per JVM heap (two engines), an eighth for the page cache, the rest
# to the operating system's file cache (OpenSearch's segments live there), the app and the other processes.
HEAP = (1 / 12, 512 * MIB, 8 * 1024 * MIB)  # OpenSearch advises ≤ 50 % of memory and < 32 GiB (compressed oops)
PAGECACHE = (1 / 8, 256 * MIB, 16 * 1024 * MIB)


def machine_memory(meminfo: Path = Path("/proc/meminfo"), cgroup: Path = Path("/sys/fs/cgroup/memory.max")) -> int:
    """Bytes of memory this process may use: the machine's total, or the cgroup's limit when lower."""
    total = 0
    for line in meminfo.read_text().splitlines() if meminfo.exists() else ():
        if line.startswith("MemTotal:"):
            total = int(line.split()[1]) * 1024
    if cgroup.exists():
        limit = cgroup.read_text().strip()
        if limit.isdigit() and (not total or int(limit) < total):
            total = int(limit)
    return total or 4 * 1024 * MIB  # unknown: size as for a small 4 GiB machine


def size(value: str, rule: tuple[float, int, int], memory: int | None = None) -> str:
    """`value` itself (e.g. "1g", "512m"), or for `auto` the rule's share of memory rounded to 512 MiB, clamped."""
    if str(value).strip().lower() != AUTO:
        return value
    share, floor, ceiling = rule
    wanted = (memory if memory is not None else machine_memory()) * share
    rounded = max(floor, min(ceiling, round(wanted / STEP) * STEP))
    return f"{rounded // (1024 * MIB)}g" if rounded % (1024 * MIB) == 0 else f"{rounded // MIB}m"


def heap(value: str, memory: int | None = None) -> str:
    return size(value, HEAP, memory)


def pagecache(value: str, memory: int | None = None) -> str:
    return size(value, PAGECACHE, memory)
