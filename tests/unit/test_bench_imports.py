"""Every benchmark imports as a module, the way docs/benchmarks.md runs them (`python -m bench.bench_x`)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
NAMES = sorted(p.stem for p in BENCH.glob("bench_*.py"))


def test_there_are_benchmarks():
    assert len(NAMES) >= 10


@pytest.mark.parametrize("name", NAMES)
def test_benchmark_imports_as_a_module(name, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH.parent))
    monkeypatch.setattr(sys, "path", list(sys.path))  # the package adds bench/ to sys.path: undone after the test
    for loaded in [m for m in sys.modules if m == "bench" or m.startswith("bench.") or m == "common"]:
        monkeypatch.delitem(sys.modules, loaded)
    module = importlib.import_module(f"bench.{name}")
    assert callable(getattr(module, "main", None)), f"bench/{name}.py has no main()"
