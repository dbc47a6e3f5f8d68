"""The benchmarks run as scripts (`python bench/bench_x.py`) or as modules (`python -m bench.bench_x`).

As scripts, `bench/` is the first entry of sys.path and `from common import …` finds bench/common.py; as modules
the package is imported first, and this puts its own folder on sys.path so the same import works.
"""

import sys
from pathlib import Path

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
